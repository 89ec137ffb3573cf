/**
 * The sparse LDLᵀ under the interior-point solver, on OPF-like KKT matrices
 * (src-solver/testing/sparse/testmatrices.ts: random radial feeder of N buses, T periods, DistFlow rows,
 * battery SOC chains; δc = 1e-8 so the inertia must be (nVar, nCon, 0)).
 *
 * Reported: ordering (AMD) time, symbolic analysis time (postorder, structure of L, buffers),
 * numeric factor and solve times (median of repeats — the per-iteration cost), one refined
 * solve, nnz(L) and fill relative to nnz(A); for the small case also natural-order nnz(L).
 * Each size runs twice: AMD with δc = 1e-8 (quasi-definite), and the KKT-aware ordering
 * (kktorder.ts) with δc = 0 (the unregularized system Ipopt tries first).
 * Targets: the 2M-row case factors in ≤ ~1 s (the 10k-bus OPF must solve in < 60 s overall).
 * Kernels: the timings are of the default (WebAssembly) kernel; the same factor and solve are then
 * timed with the TypeScript kernel in the same run (`js…Ms`, `wasmFactorSpeedup`, `wasmSolveSpeedup`).
 */
import { amdOrder } from '../../src-solver/sparse/amd';
import { kktAmdOrder } from '../../src-solver/testing/sparse/kktorder';
import { LdlSolver } from '../../src-solver/sparse/ldl';
import { opfLikeKkt } from '../../src-solver/testing/sparse/testmatrices';
import type { BenchCase } from '../types';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

type Ordering = 'amd' | 'kkt';

function runCase(
  buses: number,
  periods: number,
  repeats: number,
  compareNatural: boolean,
  ordering: Ordering,
): Record<string, unknown> {
  let t0 = performance.now();
  // The KKT ordering is meant for δc = 0 (Ipopt's first attempt); AMD needs δc > 0.
  const kkt = opfLikeKkt({ buses, periods, seed: 7, deltaC: ordering === 'kkt' ? 0 : 1e-8 });
  const generateMs = performance.now() - t0;
  const dim = kkt.nVar + kkt.nCon;

  t0 = performance.now();
  const perm = ordering === 'amd' ? amdOrder(kkt.pattern) : kktAmdOrder(kkt.pattern, kkt.nVar, kkt.values).perm;
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
    ordering,
    deltaC: ordering === 'kkt' ? 0 : 1e-8,
    dim,
    nVar: kkt.nVar,
    nCon: kkt.nCon,
    nnzA: solver.nnzA,
    nnzL: solver.nnzL,
    fillRatio: solver.nnzL / solver.nnzA,
    factorFlops: solver.flops,
    storedEntries: solver.storedEntries,
    supernodes: solver.supernodes,
    generateMs,
    orderingMs,
    symbolicMs,
    factorMedianMs: median(factorMs),
    mflops: solver.flops / median(factorMs) / 1e3,
    factorFirstMs: factorMs[0],
    solveMedianMs: median(solveMs),
    refinedSolveMs,
    refinedResidual,
  };
  out.kernel = solver.kernel;
  const js = new LdlSolver(kkt.pattern, { ordering: perm, kernel: 'js' });
  const jsFactorMs: number[] = [];
  const jsSolveMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    t0 = performance.now();
    js.factor(kkt.values);
    jsFactorMs.push(performance.now() - t0);
    work.set(b);
    t0 = performance.now();
    js.solve(work);
    jsSolveMs.push(performance.now() - t0);
  }
  out.jsFactorMedianMs = median(jsFactorMs);
  out.jsSolveMedianMs = median(jsSolveMs);
  out.wasmFactorSpeedup = median(jsFactorMs) / median(factorMs);
  out.wasmSolveSpeedup = median(jsSolveMs) / median(solveMs);
  if (compareNatural) out.nnzLNatural = new LdlSolver(kkt.pattern, { ordering: 'natural' }).nnzL;
  return out;
}

const cases: BenchCase[] = [
  {
    name: 'ldl opf-like KKT N=128 T=24 (IEEE-123 scale)',
    size: { buses: 128, periods: 24 },
    run: () => runCase(128, 24, 21, true, 'amd'),
  },
  {
    name: 'ldl opf-like KKT N=128 T=24, KKT ordering, δc=0',
    size: { buses: 128, periods: 24 },
    run: () => runCase(128, 24, 21, false, 'kkt'),
  },
  {
    name: 'ldl opf-like KKT N=10240 T=24 (2M rows)',
    size: { buses: 10240, periods: 24 },
    run: () => runCase(10240, 24, 5, false, 'amd'),
  },
  {
    name: 'ldl opf-like KKT N=10240 T=24 (2M rows), KKT ordering, δc=0',
    size: { buses: 10240, periods: 24 },
    run: () => runCase(10240, 24, 5, false, 'kkt'),
  },
];

export default cases;
