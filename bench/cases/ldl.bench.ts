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
 *
 * A real KKT matrix as well (issues #15/#16: the factorization bounds the 8500-node battery day and
 * the IEEE 123 year): the IEEE 123 OPF over the first 720 h of the bundled year with one battery,
 * solved by the interior-point solver with a kept workspace; its last KKT matrix (values,
 * pattern, the solver's own ordering) is then factored and solved again here. Reported beside the
 * times (wall and CPU medians: the machine may be shared): the supernodes' column and row counts
 * (quantiles), flops and MFLOP/s — such matrices have ~2 columns per supernode, so the per-
 * supernode and per-update overheads count as much as the dense loops. Also the refined solve
 * (solveRefined), with the refinement loop in the kernel and, for comparison, in TypeScript.
 */
import { amdOrder } from '../../src-solver/sparse/amd';
import { kktAmdOrder } from '../../src-solver/testing/sparse/kktorder';
import { LdlSolver } from '../../src-solver/sparse/ldl';
import { kernelThreadHost, setKernelThreadHost } from '../../src-solver/sparse/wasmKernel';
import { opfLikeKkt } from '../../src-solver/testing/sparse/testmatrices';
import type { BenchCase } from '../types';
import { createSolverWorkspace } from '../../src-solver/nlp/index';
import { solvePart, type Horizon } from '../../src-solver/siting/evaluate';
import { yearStretchStudy } from '../../src-solver/siting/profiles';
import { testYear } from '../../src-solver/testing/siting/year';
import { readTestData } from '../../test-data/index';
import { loadIeee123 } from '../ipopt-ref/export-data';

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

/** CPU milliseconds of this process (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function quantiles(xs: Int32Array): Record<string, number> {
  const s = Int32Array.from(xs).sort();
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return {
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: s[s.length - 1],
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2),
  };
}

/** The IEEE 123 year's first `hours` as the OPF solver factors them (its last KKT matrix). */
function realKktCase(hours: number, repeats: number): Record<string, unknown> {
  const year = testYear((n) => readTestData('year-profiles', n));
  const horizon: Horizon = {
    kind: 'contiguous',
    parts: [{ label: 'year', weight: 1, study: yearStretchStudy(year, 0, hours) }],
    annualFactor: 1,
    description: `${hours} h`,
  };
  const ws = createSolverWorkspace();
  let t0 = performance.now();
  const out = solvePart(loadIeee123().feeder, {}, horizon, {}, [{ bus: '85', kw: 60, kwh: 240 }], 0, false, ws);
  const opfSeconds = (performance.now() - t0) / 1000;
  const kkt = ws.kept?.kkt;
  if (!kkt) throw new Error('the solve kept no KKT system');
  const values = kkt.values.slice();
  const order = kkt.solver.permutation;
  const dim = kkt.dim;
  const b = Float64Array.from({ length: dim }, (_, i) => Math.sin(i + 1));
  const work = new Float64Array(dim);
  const timed = (kernel: 'wasm' | 'js', oneThread = false): Record<string, unknown> => {
    const host = kernelThreadHost();
    if (oneThread) setKernelThreadHost(null);
    t0 = performance.now();
    const s = new LdlSolver(kkt.pattern, { ordering: order, kernel });
    const symbolicMs = performance.now() - t0;
    if (oneThread) setKernelThreadHost(host);
    const fw: number[] = [];
    const fc: number[] = [];
    const sw: number[] = [];
    const sc: number[] = [];
    let inertia: number[] = [];
    for (let r = 0; r < repeats; r++) {
      let c0 = cpuMs();
      t0 = performance.now();
      const f = s.factor(values);
      fw.push(performance.now() - t0);
      fc.push(cpuMs() - c0);
      inertia = [f.positive, f.negative, f.zero];
      work.set(b);
      c0 = cpuMs();
      t0 = performance.now();
      s.solve(work);
      sw.push(performance.now() - t0);
      sc.push(cpuMs() - c0);
    }
    // Refined solve (A x = b with iterative refinement against the same values): with the
    // WebAssembly kernel given its staging array the whole loop runs in the kernel; given another
    // array (`refinedJsLoop…`, the loop before issue #15) the residuals and norms run in TypeScript.
    const x = new Float64Array(dim);
    const refined = (v: Float64Array): { wall: number; cpu: number; residual: number; solves: number } => {
      const rw: number[] = [];
      const rc: number[] = [];
      let residual = 0;
      for (let r = 0; r < repeats; r++) {
        const c0 = cpuMs();
        t0 = performance.now();
        residual = s.solveRefined(v, b, x);
        rw.push(performance.now() - t0);
        rc.push(cpuMs() - c0);
      }
      return { wall: median(rw), cpu: median(rc), residual, solves: s.lastTriangularSolves };
    };
    const staged = s.stagingValues();
    const main = refined(staged ?? values); // factor left `values` in the staging array
    const jsLoop = staged ? refined(values) : null;
    return {
      kernel: s.kernel,
      threads: s.threads,
      symbolicMs,
      refinedMedianMs: main.wall,
      refinedCpuMedianMs: main.cpu,
      refinedResidual: main.residual,
      refinedSolves: main.solves,
      ...(jsLoop
        ? {
            refinedJsLoopMedianMs: jsLoop.wall,
            refinedJsLoopCpuMedianMs: jsLoop.cpu,
            refinedJsLoopResidual: jsLoop.residual,
            refinedJsLoopSolves: jsLoop.solves,
          }
        : {}),
      factorMedianMs: median(fw),
      factorCpuMedianMs: median(fc),
      solveMedianMs: median(sw),
      solveCpuMedianMs: median(sc),
      mflops: s.flops / median(fc) / 1e3,
      inertia,
      solver: s,
    };
  };
  const wasm = timed('wasm');
  const solver = wasm.solver as LdlSolver;
  const shapes = solver.supernodeShapes();
  // the same kernel on one thread, when the default ran on two (bench/run-case.ts installs the helper)
  const wasm1 = solver.threads === 2 ? timed('wasm', true) : null;
  const js = timed('js');
  delete wasm.solver;
  delete js.solver;
  if (wasm1) delete wasm1.solver;
  return {
    iterations: out.iterations,
    status: out.status,
    opfSeconds,
    kktPath: out.timing?.kkt.path ?? null,
    dim,
    nnzA: solver.nnzA,
    nnzL: solver.nnzL,
    storedEntries: solver.storedEntries,
    factorFlops: solver.flops,
    supernodes: solver.supernodes,
    supernodeColumns: quantiles(shapes.columns),
    supernodeRows: quantiles(shapes.rows),
    repeats,
    threads: solver.threads,
    wasm,
    ...(wasm1
      ? {
          wasmOneThread: wasm1,
          twoThreadFactorSpeedup: (wasm1.factorMedianMs as number) / (wasm.factorMedianMs as number),
          twoThreadSolveSpeedup: (wasm1.solveMedianMs as number) / (wasm.solveMedianMs as number),
          twoThreadRefinedSpeedup: (wasm1.refinedMedianMs as number) / (wasm.refinedMedianMs as number),
        }
      : {}),
    js,
    factorMedianMs: wasm.factorMedianMs,
    solveMedianMs: wasm.solveMedianMs,
    wasmFactorSpeedup: (js.factorCpuMedianMs as number) / (wasm.factorCpuMedianMs as number),
    wasmSolveSpeedup: (js.solveCpuMedianMs as number) / (wasm.solveCpuMedianMs as number),
    refinedMedianMs: wasm.refinedMedianMs,
    refinedInKernelSpeedup: (wasm.refinedJsLoopCpuMedianMs as number) / (wasm.refinedCpuMedianMs as number),
  };
}

const cases: BenchCase[] = [
  {
    name: 'ldl real KKT: IEEE 123 OPF, first 720 h of the year, one battery (the solver’s ordering)',
    size: { buses: 128, periods: 720 },
    run: () => realKktCase(720, 7),
  },
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
