/**
 * The binding limit of a three-phase OPF that ended without a solution, when it is one of the
 * limits (U6c)–(U6e) (limits.ts): `diagnoseOpf3` (solve.ts) names the line-to-neutral voltage
 * limits (U6) and SOC bounds; a study made infeasible by a line-to-line, unbalance or current
 * limit would otherwise be blamed on whichever of those had the largest multiplier. The row
 * violated most at the last iterate (the restoration phase's minimiser of the violation) is
 * named instead when it is one of (U6c)–(U6e) and violated more than any (U6) row.
 */
import type { Opf3Outcome } from './solve';

const LIMIT_ROW = /^(line-to-line voltage limits at |voltage unbalance limit |current limit of )/;

export function withLimitDiagnosis(out: Opf3Outcome): Opf3Outcome {
  if (out.optimal) return out;
  const { problem, ix } = out.model;
  const names = problem.conNames;
  if (!names) return out;
  const g = out.nlp.g;
  const viol = (row: number): number => Math.max(problem.gL[row]! - g[row]!, g[row]! - problem.gU[row]!);
  let worstLn = 0;
  for (const row of ix.vRow) if (row >= 0) worstLn = Math.max(worstLn, viol(row));
  let worst = 1e-6;
  let at = -1;
  names.forEach((name, row) => {
    if (!LIMIT_ROW.test(name)) return;
    const v = viol(row);
    if (v > worst) {
      worst = v;
      at = row;
    }
  });
  if (at < 0 || worst <= worstLn) return out;
  const name = names[at]!;
  const side = problem.gL[at]! - g[at]! > 0 ? 'lower' : 'upper';
  let detail = `violated by ${worst.toExponential(2)} at the last iterate`;
  if (name.startsWith('line-to-line'))
    detail = `${side} limit; ${Math.sqrt(Math.max(0, g[at]!) / 3).toFixed(4)} pu line-to-line at the last iterate`;
  else if (name.startsWith('current limit'))
    detail = `${Math.sqrt(Math.max(0, g[at]!)).toFixed(3)} × the rating at the last iterate`;
  return { ...out, diagnosis: `${name} (${detail})` };
}
