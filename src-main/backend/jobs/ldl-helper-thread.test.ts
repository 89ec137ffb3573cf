/**
 * The LDLᵀ kernel on two threads (a worker_threads helper) against the same kernel on one: L, D,
 * the inertia and every solution identical to the bit — on OPF-like KKT matrices, with zero
 * pivots, on the IEEE 123 OPF's own KKT matrix and on that matrix made indefinite — and against
 * the TypeScript kernel (an independent code path: a supernode dropped or factored twice by the
 * split would show there). A stopped helper gives an error, not a hang.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testDataUrl } from '../../../test-data/index';
import { createSolverWorkspace } from '../../../src-solver/nlp/index';
import { solvePart, type Horizon } from '../../../src-solver/siting/evaluate';
import { dayStudy } from '../../../src-solver/siting/profiles';
import { ieee123Feeder, readIeee123Texts } from '../../../src-solver/testing/opf/ieee123';
import { testYear } from '../../../src-solver/testing/siting/year';
import { readTestData } from '../../../test-data/index';
import { LdlSolver } from '../../../src-solver/sparse/ldl';
import { symMatVec, type SymmetricPattern } from '../../../src-solver/sparse/csc';
import { opfLikeKkt } from '../../../src-solver/testing/sparse/testmatrices';
import { PIPELINE_GAIN } from '../../../src-solver/sparse/partition';
import { lastKernelSplit, setKernelThreadHost } from '../../../src-solver/sparse/wasmKernel';
import { main } from '../../cli/main';
import {
  installLdlHelperThread,
  ldlThreadCount,
  startLdlHelperThread,
  uninstallLdlHelperThread,
  type LdlHelperThread,
} from './ldl-helper-thread';

/** Every split taken, however small the matrix (the top's updates split by columns too), solves on two threads too. */
const ALWAYS = { minStoredEntries: 0, minSpeedup: 0, minColumnSplitWork: 0, solves: true };

let shared: LdlHelperThread | null = null;
/** One helper for the comparisons (started on first use, stopped after the file). */
function helper(): LdlHelperThread {
  shared ??= startLdlHelperThread();
  return shared;
}

afterEach(async () => {
  await uninstallLdlHelperThread();
  setKernelThreadHost(null);
});
afterAll(async () => {
  await shared?.stop();
});

function bitDiffs(a: Float64Array, b: Float64Array): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) k++;
  return k + Math.abs(a.length - b.length);
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** One and two threads on the same matrix: everything equal to the bit; the TypeScript kernel agrees. */
function compare(pattern: SymmetricPattern, values: Float64Array, ordering?: Int32Array): void {
  for (const schedule of ['after', 'pipelined'] as const) compareWith(schedule, pattern, values, ordering);
  // the default: factor on two threads, solves on one (on the shared memory)
  const opts = ordering ? { ordering } : {};
  setKernelThreadHost(null);
  const one = new LdlSolver(pattern, opts);
  setKernelThreadHost(helper(), { ...ALWAYS, solves: false });
  const two = new LdlSolver(pattern, opts);
  expect(two.threads).toBe(2);
  expect(two.factor(values)).toEqual(one.factor(values));
  const x1 = Float64Array.from({ length: pattern.n }, (_, i) => Math.cos(i));
  const x2 = x1.slice();
  one.solve(x1);
  two.solve(x2);
  expect(bitDiffs(x2, x1)).toBe(0);
}

function compareWith(
  schedule: 'after' | 'pipelined',
  pattern: SymmetricPattern,
  values: Float64Array,
  ordering?: Int32Array,
): void {
  const opts = ordering ? { ordering } : {};
  setKernelThreadHost(null);
  const one = new LdlSolver(pattern, opts);
  const js = new LdlSolver(pattern, { ...opts, kernel: 'js' });
  setKernelThreadHost(helper(), { ...ALWAYS, schedule });
  const two = new LdlSolver(pattern, opts);
  expect(one.threads).toBe(1);
  expect(two.threads).toBe(2);
  expect(two.pipelined).toBe(schedule === 'pipelined');
  const f1 = one.factor(values);
  const f2 = two.factor(values);
  // the top after both threads: its supernodes' updates split by columns (ALWAYS); overlapped: none
  if (schedule === 'after') expect(two.columnSplits).toBeGreaterThan(0);
  else expect(two.columnSplits).toBe(0);
  const fj = js.factor(values);
  expect(f2).toEqual(f1);
  expect(fj).toEqual(f1);
  expect(bitDiffs(two.pivots(), one.pivots())).toBe(0);
  // rounding apart (other summation orders; real KKT pivots are formed by cancellation), a
  // supernode skipped or factored twice would be off by O(1)
  expect(maxRelDiff(two.pivots(), js.pivots())).toBeLessThan(1e-3);
  const n = pattern.n;
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const x1 = b.slice();
  const x2 = b.slice();
  one.solve(x1);
  two.solve(x2);
  expect(bitDiffs(x2, x1)).toBe(0);
  expect(x2.every(Number.isFinite)).toBe(true);
  if (f1.ok) {
    // the unrefined two-thread solution solves K x = b (an independent check: K times it)
    const kx = new Float64Array(n);
    symMatVec(pattern, values, x2, kx);
    let rMax = 0;
    let bMax = 0;
    for (let i = 0; i < n; i++) {
      rMax = Math.max(rMax, Math.abs(kx[i] - b[i]));
      bMax = Math.max(bMax, Math.abs(b[i]));
    }
    expect(rMax / bMax).toBeLessThan(1e-6);
    // the refinement loop in the kernel, its solves on two threads
    const y1 = new Float64Array(n);
    const y2 = new Float64Array(n);
    const r1 = one.solveRefined(one.stagingValues() as Float64Array, b, y1);
    const r2 = two.solveRefined(two.stagingValues() as Float64Array, b, y2);
    expect(r2).toBe(r1);
    expect(two.lastTriangularSolves).toBe(one.lastTriangularSolves);
    expect(bitDiffs(y2, y1)).toBe(0);
    expect(r2).toBeLessThan(1e-12);
  }
  // a second factorization of other values on the same split (the schedule reused)
  const v2 = values.map((v, q) => v * (1 + 1e-3 * Math.cos(q)));
  expect(two.factor(v2)).toEqual(one.factor(v2));
  expect(bitDiffs(two.pivots(), one.pivots())).toBe(0);
  // after the two-thread factorization, a partial one (refactorDiagonal: the first two pivots'
  // diagonals changed, their supernodes and ancestors refactored on this thread) is the full
  // one-thread factorization of the same values
  const staged = two.stagingValues() as Float64Array;
  const cols = Int32Array.of(two.permutation[0], two.permutation[1]);
  for (const j of cols) staged[pattern.colPtr[j + 1] - 1] *= 2;
  expect(two.refactorDiagonal(staged, cols, cols.length)).toEqual(one.factor(staged));
  expect(two.lastRefactoredShare).toBeLessThan(1);
  expect(bitDiffs(two.pivots(), one.pivots())).toBe(0);
}

describe('LDLᵀ kernel on two threads', () => {
  it.each([
    { buses: 200, periods: 24, seed: 7, deltaC: 1e-8 },
    { buses: 120, periods: 12, seed: 9, deltaC: 0 },
  ])('is the one-thread kernel to the bit: opf-like KKT $buses × $periods, δc = $deltaC', (o) => {
    const kkt = opfLikeKkt(o);
    compare(kkt.pattern, kkt.values);
    // the default schedule ('auto') on a split this even: the overlapped one could not be taken
    // (pipelineCouldWin), so it was not searched
    setKernelThreadHost(helper(), { ...ALWAYS, solves: false });
    const two = new LdlSolver(kkt.pattern);
    const split = lastKernelSplit();
    expect(split?.threads).toBe(2);
    expect(split?.estimatedSpeedup).toBeGreaterThanOrEqual(2 / PIPELINE_GAIN);
    expect(split?.pipelinedSpeedup).toBeNull();
    expect(two.pipelined).toBe(false);
  });

  it('gives the IEEE 123 OPF the same iterates, and is the one-thread kernel to the bit on its KKT matrix and on it made indefinite', () => {
    const dir = testDataUrl('ieee123-balanced/');
    const feeder = ieee123Feeder(readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8')));
    const year = testYear((name) => readTestData('year-profiles', name));
    const horizon: Horizon = {
      kind: 'representative-days',
      parts: [{ label: 'day', weight: 1, study: dayStudy(year, 40) }],
      annualFactor: 365,
      description: 'one day',
    };
    const solve = (threads: 1 | 2) => {
      setKernelThreadHost(threads === 2 ? helper() : null, ALWAYS);
      const ws = createSolverWorkspace();
      const out = solvePart(feeder, {}, horizon, {}, [{ bus: '85', kw: 60, kwh: 240 }], 0, false, ws);
      const kkt = ws.kept?.kkt;
      if (!kkt) throw new Error('the solve kept no KKT system');
      expect(kkt.solver.threads).toBe(threads);
      return { out, kkt };
    };
    // the whole interior-point solve: the same iterates, so the same iterations, objective and last KKT matrix
    const a = solve(1);
    const { out, kkt } = solve(2);
    expect(out.status).toBe('solved');
    expect(out.iterations).toBe(a.out.iterations);
    expect(out.objective).toBe(a.out.objective);
    expect(out.lineLossKwh).toBe(a.out.lineLossKwh);
    expect(bitDiffs(kkt.values, a.kkt.values)).toBe(0);
    const values = kkt.values.slice();
    compare(kkt.pattern, values, kkt.solver.permutation);
    // W made indefinite: the first 40 variables' diagonals pushed far negative — the inertia is
    // no longer (variables, constraints, 0); both thread counts must report the same one
    const bad = values.slice();
    for (let j = 0; j < 40; j++) bad[kkt.pattern.colPtr[j + 1] - 1] -= 1e6;
    setKernelThreadHost(null);
    const ref = new LdlSolver(kkt.pattern, { ordering: kkt.solver.permutation }).factor(values);
    const wrong = new LdlSolver(kkt.pattern, { ordering: kkt.solver.permutation }).factor(bad);
    expect(wrong.negative).toBeGreaterThan(ref.negative);
    compare(kkt.pattern, bad, kkt.solver.permutation);
  });

  it('fails with a clear error, not a hang, when the helper thread has stopped', async () => {
    const kkt = opfLikeKkt({ buses: 60, periods: 6, seed: 3, deltaC: 1e-8 });
    const helper = startLdlHelperThread();
    setKernelThreadHost(helper, ALWAYS);
    const s = new LdlSolver(kkt.pattern);
    expect(s.threads).toBe(2);
    expect(s.factor(kkt.values).ok).toBe(true);
    await helper.stop();
    expect(() => s.factor(kkt.values)).toThrow(/LDLᵀ kernel: the helper thread failed: the worker stopped/);
  });

  it('tessera solve refuses a bad TESSERA_LDL_THREADS with a message and exit status 2', async () => {
    const before = process.env.TESSERA_LDL_THREADS;
    process.env.TESSERA_LDL_THREADS = 'many';
    let err = '';
    try {
      const code = await main(['solve', 'ieee123'], {
        stdout: () => undefined,
        stderr: (t) => void (err += t),
        cwd: '.',
      });
      expect(code).toBe(2);
    } finally {
      if (before === undefined) delete process.env.TESSERA_LDL_THREADS;
      else process.env.TESSERA_LDL_THREADS = before;
    }
    expect(err).toBe('tessera solve: TESSERA_LDL_THREADS must be 1 or 2, not "many"\n');
  });

  it('reads the thread count from TESSERA_LDL_THREADS', () => {
    expect(ldlThreadCount({ TESSERA_LDL_THREADS: '1' })).toBe(1);
    expect(ldlThreadCount({ TESSERA_LDL_THREADS: '2' })).toBe(2);
    expect(() => ldlThreadCount({ TESSERA_LDL_THREADS: 'four' })).toThrow(/TESSERA_LDL_THREADS must be 1 or 2/);
    const kkt = opfLikeKkt({ buses: 60, periods: 6, seed: 3, deltaC: 1e-8 });
    expect(installLdlHelperThread(ALWAYS, { TESSERA_LDL_THREADS: '1' })).toBe(1);
    expect(new LdlSolver(kkt.pattern).threads).toBe(1);
    expect(installLdlHelperThread(ALWAYS, { TESSERA_LDL_THREADS: '2' })).toBe(2);
    expect(new LdlSolver(kkt.pattern).threads).toBe(2);
  });
});
