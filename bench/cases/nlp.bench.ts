/**
 * Interior-point NLP solver: the Hock–Schittkowski acceptance set (solved count, total
 * iterations, time) and a large chain-structured NLP (time per iteration split into
 * evaluation / factorization / rest, plus the one-off symbolic setup).
 */
import { HS_PROBLEMS } from '../../src-solver/testing/hs/index';
import { solveNlp } from '../../src-solver/nlp/index';
import { chainProblem } from '../../src-solver/testing/nlp/chain';
import type { BenchCase } from '../types';

const now = (): number => performance.now();

function chainCase(T: number): BenchCase {
  return {
    name: `nlp chain T=${T} (${2 * T + 1} variables, ${2 * T} constraints)`,
    size: { variables: 2 * T + 1, constraints: 2 * T },
    run() {
      const r = solveNlp(chainProblem(T), {}, { now });
      const t = r.timing;
      const it = Math.max(1, r.iterations);
      return {
        iterations: r.iterations,
        status: r.status,
        solveSeconds: t.total,
        setupSeconds: t.setup,
        evaluationSeconds: t.evaluation,
        factorizationSeconds: t.factorization,
        linearSolveSeconds: t.solve,
        restSeconds: t.total - t.setup - t.evaluation - t.factorization - t.solve,
        msPerIteration: (1000 * (t.total - t.setup)) / it,
        factorizations: t.factorizations,
      };
    },
  };
}

const cases: BenchCase[] = [
  {
    name: 'nlp Hock–Schittkowski set',
    size: { problems: HS_PROBLEMS.length },
    run() {
      let iterations = 0;
      let atOptimum = 0;
      let converged = 0;
      let seconds = 0;
      const missed: string[] = [];
      for (const h of HS_PROBLEMS) {
        const r = solveNlp(h.build(), {}, { now });
        iterations += r.iterations;
        seconds += r.seconds;
        if (r.status === 'solved' || r.status === 'acceptable') converged++;
        if (Math.abs(r.objective - h.fStar) <= 1e-6 * Math.max(1, Math.abs(h.fStar))) atOptimum++;
        else missed.push(`${h.id}:${r.status}:${r.objective.toPrecision(8)}`);
      }
      return {
        iterations,
        problems: HS_PROBLEMS.length,
        atPublishedOptimum: atOptimum,
        converged,
        solveSeconds: seconds,
        missed,
      };
    },
  },
  chainCase(10_000),
  chainCase(100_000),
  chainCase(500_000),
];

export default cases;
