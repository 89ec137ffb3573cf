/**
 * The sparse LDLᵀ under the interior-point solver, on OPF-like KKT matrices
 * (src-solver/sparse/testmatrices.ts: random radial feeder of N buses, T periods, DistFlow rows,
 * battery SOC chains; δc = 1e-8 so the inertia must be (nVar, nCon, 0)).
 *
 * Reported: ordering (AMD) time, symbolic analysis time (postorder, structure of L, buffers),
 * numeric factor and solve times (median of repeats — the per-iteration cost), one refined
 * solve, nnz(L) and fill relative to nnz(A); for the small case also natural-order nnz(L).
 * Targets: the 2M-row case factors in ≤ ~1 s (the 10k-bus OPF must solve in < 60 s overall).
 */
import { amdOrder } from '../../src-solver/sparse/amd';
import { LdlSolver } from '../../src-solver/sparse/ldl';
import { opfLikeKkt } from '../../src-solver/sparse/testmatrices';
import type { BenchCase } from '../types';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function runCase(buses: number, periods: number, repeats: number, compareNatural: boolean): Record<string, unknown> {
  let t0 = performance.now();
  const kkt = opfLikeKkt({ buses, periods, seed: 7 });
  const generateMs = performance.now() - t0;
  const dim = kkt.nVar + kkt.nCon;

  t0 = performance.now();
  const perm = amdOrder(kkt.pattern);
  const orderingMs = performance.now() - t0;
  t0 = performance.now();
  const solver = new LdlSolver(kkt.pattern, { ordering: perm });
  const symbolicMs = performance.now() - t0;

  const factorMs: number[] = [];
  let inertiaOk = true;
  for (let r = 0; r < repeats; r++) {
    t0 = performance.now();
    const f = solver.factor(kkt.values);
    factorMs.push(performance.now() - t0);
    inertiaOk &&= f.ok && f.positive === kkt.nVar && f.negative === kkt.nCon && f.zero === 0;
  }
  if (!inertiaOk) throw new Error('wrong inertia on a quasi-definite KKT');

  const b = Float64Array.from({ length: dim }, (_, i) => Math.sin(i + 1));
  const solveMs: number[] = [];
  const work = new Float64Array(dim);
  for (let r = 0; r < repeats; r++) {
    work.set(b);
    t0 = performance.now();
    solver.solve(work);
    solveMs.push(performance.now() - t0);
  }
  const x = new Float64Array(dim);
  t0 = performance.now();
  const refinedResidual = solver.solveRefined(kkt.values, b, x);
  const refinedSolveMs = performance.now() - t0;

  const out: Record<string, unknown> = {
    iterations: repeats,
    dim,
    nVar: kkt.nVar,
    nCon: kkt.nCon,
    nnzA: solver.nnzA,
    nnzL: solver.nnzL,
    fillRatio: solver.nnzL / solver.nnzA,
    factorFlops: solver.flops,
    generateMs,
    orderingMs,
    symbolicMs,
    factorMedianMs: median(factorMs),
    factorFirstMs: factorMs[0],
    solveMedianMs: median(solveMs),
    refinedSolveMs,
    refinedResidual,
  };
  if (compareNatural) out.nnzLNatural = new LdlSolver(kkt.pattern, { ordering: 'natural' }).nnzL;
  return out;
}

const cases: BenchCase[] = [
  {
    name: 'ldl opf-like KKT N=128 T=24 (IEEE-123 scale)',
    size: { buses: 128, periods: 24 },
    run: () => runCase(128, 24, 21, true),
  },
  {
    name: 'ldl opf-like KKT N=10240 T=24 (2M rows)',
    size: { buses: 10240, periods: 24 },
    run: () => runCase(10240, 24, 5, false),
  },
];

export default cases;
