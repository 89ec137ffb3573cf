/**
 * The 'central' area solver: the whole feeder's multi-period OPF (opf/solve.ts) as one area, so
 * a centralized run goes through the same area process, transport, cancel and crash handling as
 * a distributed one (a one-area ENApp run converges in its first round: it has no boundaries).
 *
 * Spec: { feeder, study, options } — the scenario's feeder (placements applied), the OPF study and
 * the solve options. Every interior-point iteration is posted as progress; the area's `solution`
 * is `{ results: OpfResults, log }` (typed arrays survive structured clone). A solve that ends
 * infeasible or at a limit is a result, not an error: its status and message are in the results.
 */
import type { Feeder } from '../model/feeder';
import { solveOpf, type OpfSolveOptions } from '../opf/solve';
import type { OpfResults } from '../opf/results';
import type { Study } from '../opf/study';
import type { AreaSolver } from './protocol';

export interface CentralAreaSpec {
  readonly feeder: Feeder;
  readonly study: Study;
  readonly options?: OpfSolveOptions;
}

export interface CentralAreaSolution {
  readonly results: OpfResults;
  /** Model size, defaults used and the solver's iteration table. */
  readonly log: string;
}

export function createCentralArea(specIn: unknown): AreaSolver {
  const spec = specIn as CentralAreaSpec;
  return {
    solve(_inputs, _round, hooks) {
      const lines: string[] = [];
      const out = solveOpf(
        spec.feeder,
        spec.study,
        { ...spec.options, nlp: { printLevel: 1, ...spec.options?.nlp } },
        {
          log: (line) => lines.push(line),
          ...(hooks.signal ? { signal: hooks.signal } : {}),
          onIteration: (r) => hooks.onProgress?.(r.iter, r.objective, r.infPr, { infDu: r.infDu, lgMu: r.lgMu }),
        },
      );
      const r = out.results;
      const solution: CentralAreaSolution = { results: r, log: lines.join('\n') };
      return {
        outputs: { childVSq: [] },
        stats: { status: r.status, iterations: r.solver.iterations, seconds: r.solver.seconds, objective: r.objective },
        solution,
      };
    },
  };
}
