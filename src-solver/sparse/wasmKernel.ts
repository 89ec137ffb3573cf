/**
 * Loader of the WebAssembly LDLᵀ kernel (wasm/ldl-kernel.ts, built into ldlKernelWasm.ts by
 * `npm run build:wasm`). One WebAssembly.Memory per LdlSolver, sized once for every array the
 * numeric phase touches; LdlSolver then uses views on it as its own arrays, so the TypeScript
 * kernel (the reference and the fallback) and the WebAssembly one read and write the same data.
 *
 * The module is under 5 KB: synchronous compilation is allowed everywhere the solver runs (Node,
 * workers, Electron utility processes, even a browser main thread). Where WebAssembly is missing
 * or refuses the module, `createWasmKernel` returns null and LdlSolver runs the TypeScript kernel.
 *
 * Two threads (issues #15/#16): the solver core cannot start a thread, so a Node host installs a
 * helper (setKernelThreadHost; src-main/backend/jobs/ldl-helper-thread.ts runs a worker_threads
 * worker). A kernel large enough (KernelThreadOptions) then takes a shared memory and the module
 * built for one (LDL_KERNEL_WASM_SHARED_BASE64: the same code), the helper instantiates the same
 * module on that memory with its own scratch (WBUF, TMP, log), and factor and solves are split by
 * subtrees of the supernodal elimination tree (partition.ts): each thread factors its subtrees,
 * then this thread the supernodes above them. Every supernode's arithmetic is the one-thread
 * kernel's, so L, D, the inertia and every solution are the same to the bit. The forward solve's
 * updates of rows outside a thread's subtrees are logged, not applied, and replayed here in the
 * one-thread order (floating-point subtraction is not associative). Without the host, without
 * SharedArrayBuffer or shared WebAssembly memory, or below the size threshold: one thread, silently.
 */
import { LDL_KERNEL_WASM_BASE64, LDL_KERNEL_WASM_SHARED_BASE64 } from './ldlKernelWasm';
import {
  partitionSupernodes,
  pipelineCouldWin,
  pipelineSchedule,
  PIPELINE_GAIN,
  type PartitionInput,
  type PipelineSchedule,
  type SupernodePartition,
} from './partition';
import { scheduledUpdateWork } from './supernodal';

/** The part of the WebAssembly API used here (the solver's lib is plain ES2022). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface KernelExports {
  setup(...args: number[]): void;
  factor(tol: number): number;
  positive(): number;
  negative(): number;
  solve(): void;
  solvePermuted(): void;
  setupRefine(acp: number, ari: number, rb: number, rx: number, rr: number, rr2: number): void;
  residual(norm: number): number;
  refine(maxSteps: number, tol: number, normA: number): number;
  lastNormA(): number;
  triangularSolves(): number;
  prepare(): void;
  prepareRange(s0: number, s1: number, list: number, count: number): void;
  updateColumns(s: number, rc0: number, c0: number, c1: number): void;
  denseFactor(s: number, tol: number): number;
  factorRange(s0: number, s1: number, rc0: number, tol: number): number;
  forwardRange(s0: number, s1: number, limit: number, log: number): number;
  forwardReplay(s0: number, s1: number, limit: number, log: number): void;
  diagonalRange(k0: number, k1: number): void;
  backwardRange(s0: number, s1: number): void;
  permuteIn(): void;
  permuteOut(): void;
  useHostSolve(on: number): void;
}

/**
 * A command for the helper thread. `bind`: instantiate `module` on the shared `memory` and call
 * its `setup(...setup)` (the kernel's offsets with the helper's own scratch); the others run on
 * the instance bound under `id`: `factor` takes quintuples (s0, s1, rc0, list, count), calls
 * prepareRange(s0, s1, list, count) for each, then factorRange(s0, s1, rc0, tol) for each, and
 * replies the summed inertia (with `progress`, see there); `columns` updateColumns(s, rc0, c0,
 * c1) for each quadruple; `forward` forwardRange(s0, s1, limit, log) for each
 * quadruple; `backward` backwardRange(s0, s1) for each pair, last pair first.
 */
export type KernelThreadJob =
  | {
      readonly type: 'bind';
      readonly id: number;
      readonly module: object;
      readonly memory: object;
      readonly setup: number[];
    }
  | {
      readonly type: 'factor';
      readonly id: number;
      readonly ranges: Int32Array;
      readonly tol: number;
      /**
       * Byte offset of an i32 in the kernel's memory (pipelined factorization): after each range
       * the helper stores how many are done, and notifies; 2³¹−1 when the job failed.
       */
      readonly progress?: number;
    }
  | { readonly type: 'columns'; readonly id: number; readonly ranges: Int32Array }
  | { readonly type: 'forward'; readonly id: number; readonly ranges: Int32Array }
  | { readonly type: 'backward'; readonly id: number; readonly ranges: Int32Array };

export interface KernelThreadReply {
  readonly zero?: number;
  readonly positive?: number;
  readonly negative?: number;
  /** The helper's error message (the job failed). */
  readonly error?: string;
}

/**
 * The second thread, provided by the host (the solver core has no threads of its own). `start`
 * posts a job and returns at once; `wait` blocks the calling thread until the job's reply (it
 * throws, with a clear message, when the helper stopped); one job at a time. `release`: the
 * helper may drop the instance bound under `id` (its memory is no longer used here).
 */
export interface KernelThreadHost {
  start(job: KernelThreadJob): void;
  wait(): KernelThreadReply;
  /** True once the helper has stopped (checked while waiting on a job's progress). */
  stopped?(): boolean;
  release(id: number): void;
}

export interface KernelThreadOptions {
  /** Smallest factor (stored entries) split between two threads; default 2¹⁷ (smaller ones gain nothing). */
  readonly minStoredEntries?: number;
  /** Smallest estimated speed-up (partition.ts) for which two threads are used; default 1.2. */
  readonly minSpeedup?: number;
  /**
   * The factorization's schedule: 'auto' (default: overlapped when its estimate beats the other
   * by 10 %), 'pipelined' (the top overlapped with the subtrees, when there is such a schedule)
   * or 'after' (the top after both threads). Tests take each.
   */
  readonly schedule?: 'auto' | 'pipelined' | 'after';
  /**
   * A supernode of the top whose descendants' updates take at least this many multiply–adds
   * (estimate) has them split by target columns between the threads; default 2·10⁵.
   */
  readonly minColumnSplitWork?: number;
  /**
   * Triangular solves on two threads too; default false: measured on the IEEE 123 720-h KKT on a
   * quiet 2-core machine the factorization went 92 → 72 ms on two threads but a solve 26.5 →
   * 32 ms (the solve is memory-bound: two threads share the bandwidth, and the log replay is serial).
   */
  readonly solves?: boolean;
}

let threadHost: KernelThreadHost | null = null;
let threadOptions: Required<KernelThreadOptions> = {
  minStoredEntries: 2 ** 17,
  minSpeedup: 1.2,
  schedule: 'auto',
  minColumnSplitWork: 2e5,
  solves: false,
};
/** The kernel whose instance the helper holds (-1: none). */
let boundId = -1;
let nextKernelId = 1;
const releaser =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ host: KernelThreadHost; id: number }>(({ host, id }) => {
        if (host === threadHost && boundId === id) boundId = -1;
        host.release(id);
      })
    : null;

/**
 * Installs (or, with null, removes) the helper thread used by the kernels created from now on.
 * Kernels created before keep the thread count they were created with.
 */
export function setKernelThreadHost(host: KernelThreadHost | null, options: KernelThreadOptions = {}): void {
  threadHost = host;
  boundId = -1;
  threadOptions = {
    minStoredEntries: options.minStoredEntries ?? 2 ** 17,
    minSpeedup: options.minSpeedup ?? 1.2,
    schedule: options.schedule ?? 'auto',
    minColumnSplitWork: options.minColumnSplitWork ?? 2e5,
    solves: options.solves ?? false,
  };
}

/** The installed helper, if any. */
export function kernelThreadHost(): KernelThreadHost | null {
  return threadHost;
}

/** Lengths of the kernel's arrays. */
export interface KernelSizes {
  readonly n: number;
  readonly nsuper: number;
  readonly nnzA: number;
  readonly stored: number;
  readonly rowIdx: number;
  readonly maxRows: number;
  readonly maxBlock: number;
  /** Updates in the schedule (supernodal.ts UpdateSchedule) and its rel entries. */
  readonly pairs: number;
  readonly rel: number;
}

export interface KernelArrays {
  readonly ss: Int32Array;
  readonly rp: Int32Array;
  readonly ri: Int32Array;
  readonly bp: Int32Array;
  readonly colSuper: Int32Array;
  readonly aToL: Int32Array;
  readonly diagL: Int32Array;
  readonly pairStart: Int32Array;
  readonly pairDesc: Int32Array;
  readonly pairP0: Int32Array;
  readonly pairM1: Int32Array;
  readonly rel: Uint16Array;
  readonly lx: Float64Array;
  readonly d: Float64Array;
  readonly dInv: Float64Array;
  readonly scale: Float64Array;
  readonly tmp: Float64Array;
  readonly wbuf: Float64Array;
  /** A's values as the kernel factors them (`factor` copies into it unless given this array). */
  readonly values: Float64Array;
  /** Right-hand side and solution of `solve`, in pivot order. */
  readonly z: Float64Array;
  /** The elimination order (perm[k] = original index of pivot k) and `solvePermuted`'s vector, original order. */
  readonly perm: Int32Array;
  readonly b: Float64Array;
  /** A's pattern (SymmetricPattern colPtr, rowIdx), filled by the caller, for the residual. */
  readonly acp: Int32Array;
  readonly ari: Int32Array;
  /** Iterative refinement, original order: right-hand side, solution, residual (rr2: a second one). */
  readonly rb: Float64Array;
  readonly rx: Float64Array;
  readonly rr: Float64Array;
  readonly rr2: Float64Array;
}

export interface WasmKernel {
  readonly arrays: KernelArrays;
  /** Bytes of the kernel's memory. */
  readonly bytes: number;
  /** Threads the factorization and solves run on: 2 with a helper thread (see above), else 1. */
  readonly threads: 1 | 2;
  /** The split between the threads (threads = 2), for reports. */
  readonly partition: SupernodePartition | null;
  /** Whether the factorization overlaps the top with the subtrees (partition.ts PipelineSchedule). */
  readonly pipelined: boolean;
  /** Top supernodes whose updates the threads split by columns (known after the first factorization). */
  readonly columnSplits: number;
  /** Factor arrays.values (filled by the caller); returns the inertia counts. */
  factor(tol: number): { positive: number; negative: number; zero: number };
  /**
   * Factor only the supernodes of `ranges` (pairs s0, s1: supernodes s0 … s1−1, increasing), on
   * this thread, their blocks prepared by the caller and every other supernode they update from
   * factored already; returns their pivots' counts (LdlSolver.refactorDiagonal).
   */
  factorSupernodes(ranges: Int32Array, tol: number): { positive: number; negative: number; zero: number };
  /** arrays.z := (L D Lᵀ)⁻¹ arrays.z (z in pivot order: the caller applies the permutation). */
  solve(): void;
  /** arrays.b := A⁻¹ arrays.b in the original order (arrays.perm, filled by the caller, applied here). */
  solvePermuted(): void;
  /**
   * arrays.rr := arrays.rb − A arrays.rx with A's values in arrays.values and its pattern in
   * acp/ari; with `norm` also returns ‖A‖∞ (0 without; arrays.rr2 is overwritten then).
   */
  residual(norm: boolean): number;
  /**
   * LdlSolver.solveRefined in the kernel: arrays.rx := A⁻¹ arrays.rb with iterative refinement
   * against arrays.values (normA NaN: computed); returns the relative residual, the ‖A‖∞ used and
   * the number of triangular solve pairs.
   */
  refine(maxSteps: number, tol: number, normA: number): { rel: number; normA: number; solves: number };
}

let compiled: object | null | undefined;
let compiledShared: object | null | undefined;

function api(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

function module(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const wa = api();
    compiled = wa ? new wa.Module(decodeBase64(LDL_KERNEL_WASM_BASE64)) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** The shared-memory build, or null where SharedArrayBuffer or WebAssembly threads are missing. */
function sharedModule(): object | null {
  if (compiledShared !== undefined) return compiledShared;
  try {
    const wa = api();
    compiledShared =
      wa && typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object'
        ? new wa.Module(decodeBase64(LDL_KERNEL_WASM_SHARED_BASE64))
        : null;
    if (compiledShared && wa) new wa.Memory({ initial: 1, maximum: 1, shared: true }); // shared memory exists
  } catch {
    compiledShared = null;
  }
  return compiledShared;
}

/** True when the WebAssembly kernel can be used here. */
export function wasmKernelAvailable(): boolean {
  return module() !== null;
}

const PAGE = 65536;
/** Largest memory a 32-bit WebAssembly instance can address. */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE;

/** The two-thread plan of a kernel: the partition and each range's log (forward solve) size. */
interface ThreadPlan {
  readonly partition: SupernodePartition;
  /** The factorization's schedule with the top overlapped, when it beats `partition` (partition.ts). */
  readonly pipeline: PipelineSchedule | null;
  /** Per thread: [s0, s1, limit, log entries before this range in the thread's log] per range. */
  readonly ranges: readonly [readonly (readonly number[])[], readonly (readonly number[])[]];
  readonly logEntries: readonly [number, number];
}

/** The split of the last kernel large enough to be considered for two threads (reports, benchmarks). */
export interface KernelSplitReport {
  readonly n: number;
  readonly storedEntries: number;
  /** Share of the estimated work in the top (after both threads), and each thread's share. */
  readonly topShare: number;
  readonly threadShares: readonly [number, number];
  /** The top's heaviest chain and largest supernode, shares of the work (partition.ts). */
  readonly topCriticalPathShare: number;
  readonly topLargestShare: number;
  readonly topSupernodes: number;
  /**
   * Estimated speed-up of two threads with the top after both (partition.ts; the solves') and
   * with the top overlapped (the factorization's when larger; null when there is no such
   * schedule, or when it was not searched because it could not be chosen); two threads when one
   * is ≥ the threshold.
   */
  readonly estimatedSpeedup: number;
  readonly pipelinedSpeedup: number | null;
  readonly threads: 1 | 2;
}
let lastSplit: KernelSplitReport | null = null;

/** The split of the last kernel considered for two threads, or null. */
export function lastKernelSplit(): KernelSplitReport | null {
  return lastSplit;
}

function threadPlan(structure: PartitionInput, stored: number): ThreadPlan | null {
  if (!threadHost || stored < threadOptions.minStoredEntries || !sharedModule()) return null;
  const partition = partitionSupernodes(structure);
  const { total, top, threads } = partition.work;
  const mode = threadOptions.schedule;
  // 'auto' searches the overlapped schedule only where it could win (pipelineCouldWin)
  const piped =
    mode === 'after' || (mode === 'auto' && !pipelineCouldWin(partition.speedup)) ? null : pipelineSchedule(structure);
  // 'auto': overlapped only when clearly better — it costs more CPU (measured +30 % against +18 %
  // for the top after both, IEEE 123 168-h KKT on a loaded machine: more ranges, more waits)
  const pipeline = piped && (mode === 'pipelined' || piped.speedup > PIPELINE_GAIN * partition.speedup) ? piped : null;
  const speedup = Math.max(partition.speedup, pipeline?.speedup ?? 0);
  const use = speedup >= threadOptions.minSpeedup;
  lastSplit = {
    n: structure.superStart[structure.nsuper],
    storedEntries: stored,
    topShare: top / total,
    threadShares: [threads[0] / total, threads[1] / total],
    topCriticalPathShare: partition.work.topCriticalPath / total,
    topLargestShare: partition.work.topLargest / total,
    topSupernodes: partition.top.reduce((k, [a, b]) => k + b - a, 0),
    estimatedSpeedup: partition.speedup,
    pipelinedSpeedup: piped?.speedup ?? null,
    threads: use ? 2 : 1,
  };
  if (!use) return null;
  const { superStart: ss, rowPtr: rp, rowIdx: ri } = structure;
  const logEntries: [number, number] = [0, 0];
  const ranges: [number[][], number[][]] = [[], []];
  for (const t of [0, 1] as const) {
    for (const [s0, s1] of partition.threads[t]) {
      const limit = ss[s1];
      ranges[t].push([s0, s1, limit, logEntries[t]]);
      for (let s = s0; s < s1; s++)
        for (let q = rp[s] + ss[s + 1] - ss[s]; q < rp[s + 1]; q++) if (ri[q] >= limit) logEntries[t]++;
    }
  }
  return { partition, pipeline, ranges, logEntries };
}

/**
 * A kernel with memory for `sizes`, or null when WebAssembly is unavailable or the sizes exceed
 * 4 GiB. With the supernodal `structure` and a helper thread installed (setKernelThreadHost), a
 * large enough kernel runs on two threads.
 */
export function createWasmKernel(sizes: KernelSizes, structure?: PartitionInput): WasmKernel | null {
  const mod = module();
  const wa = api();
  if (!mod || !wa) return null;
  const { n, nsuper, nnzA, stored } = sizes;
  const plan = structure ? threadPlan(structure, stored) : null;
  const host = plan ? threadHost : null;
  const i32: [keyof KernelArrays, number][] = [
    ['ss', nsuper + 1],
    ['rp', nsuper + 1],
    ['ri', sizes.rowIdx],
    ['bp', nsuper + 1],
    ['colSuper', n],
    ['aToL', nnzA],
    ['diagL', n],
    ['perm', n],
    ['acp', n + 1],
    ['ari', nnzA],
    ['pairStart', nsuper + 1],
    ['pairDesc', sizes.pairs],
    ['pairP0', sizes.pairs],
    ['pairM1', sizes.pairs],
  ];
  const f64: [keyof KernelArrays, number][] = [
    ['lx', stored],
    ['d', n],
    ['dInv', n],
    ['scale', n],
    ['tmp', Math.max(1, sizes.maxRows)],
    ['wbuf', Math.max(1, sizes.maxBlock)],
    ['values', nnzA],
    ['z', n],
    ['b', n],
    ['rb', n],
    ['rx', n],
    ['rr', n],
    ['rr2', n],
  ];
  // The helper's scratch and the forward solve's logs (two threads only).
  const extra: [string, number][] = plan
    ? [
        ['tmp2', Math.max(1, sizes.maxRows) * 8],
        ['wbuf2', Math.max(1, sizes.maxBlock) * 8],
        // the forward solve's logs, only when the solves run on two threads
        ['log0', Math.max(1, threadOptions.solves ? plan.logEntries[0] : 0) * 8],
        ['log1', Math.max(1, threadOptions.solves ? plan.logEntries[1] : 0) * 8],
        ['qlist', Math.max(1, nnzA) * 4], // A's entries grouped by the range that owns their slot
        ['progress', 16], // i32: the helper's finished subtrees (pipelined factorization)
      ]
    : [];
  // Offsets: 16-byte aligned, after the first page (the module's own, unused, static area).
  const offsets = new Map<string, number>();
  let at = PAGE;
  // rel is Uint16: a supernode of more than 65,536 rows holds a dense triangle of 2³¹ entries,
  // beyond the 4 GiB memory anyway
  if (sizes.maxRows > 65536) return null;
  for (const [name, len] of [
    ...f64.map(([k, l]) => [k, l * 8] as const),
    ...extra,
    ...i32.map(([k, l]) => [k, l * 4] as const),
    ['rel', sizes.rel * 2] as const,
  ]) {
    offsets.set(name, at);
    at += Math.ceil(len / 16) * 16;
  }
  if (at > MAX_BYTES) return null;
  const pages = Math.ceil(at / PAGE);
  let memory: { buffer: ArrayBuffer };
  let exports: KernelExports;
  let hostSolve: () => void = () => {
    throw new Error('LDLᵀ kernel: no host solve');
  };
  try {
    memory = new wa.Memory(
      host ? { initial: pages, maximum: pages, shared: true } : { initial: pages, maximum: pages },
    );
    const env = { memory, solveB: () => hostSolve() };
    exports = new wa.Instance(host ? (sharedModule() as object) : mod, { env }).exports as unknown as KernelExports;
  } catch {
    return null; // e.g. the memory could not be reserved
  }
  const buf = memory.buffer;
  const views: Record<string, Int32Array | Float64Array | Uint16Array> = {};
  for (const [name, len] of i32) views[name] = new Int32Array(buf, offsets.get(name), len);
  for (const [name, len] of f64) views[name] = new Float64Array(buf, offsets.get(name), len);
  views.rel = new Uint16Array(buf, offsets.get('rel'), sizes.rel);
  const arrays = views as unknown as KernelArrays;
  const o = (k: string): number => offsets.get(k) as number;
  const setupArgs = (tmp: string, wbuf: string): number[] => [
    n, nsuper, nnzA, stored,
    o('ss'), o('rp'), o('ri'), o('bp'), o('colSuper'), o('aToL'), o('diagL'),
    o('pairStart'), o('pairDesc'), o('pairP0'), o('pairM1'), o('rel'),
    o('lx'), o('d'), o('dInv'), o('scale'), o(tmp), o(wbuf), o('values'), o('z'), o('perm'), o('b'),
  ]; // prettier-ignore
  exports.setup(...setupArgs('tmp', 'wbuf'));
  exports.setupRefine(o('acp'), o('ari'), o('rb'), o('rx'), o('rr'), o('rr2'));

  let relBefore: Int32Array | null = null;
  /** First REL entry of supernode s's updates: Σ (nrd − p0) over the schedule's earlier updates. */
  const rc0 = (s: number): number => {
    if (!relBefore) {
      // the schedule is filled after createWasmKernel: computed at the first factorization
      const { pairStart, pairDesc, pairP0, rp } = arrays;
      relBefore = new Int32Array(nsuper + 1);
      let acc = 0;
      for (let t = 0; t < nsuper; t++) {
        relBefore[t] = acc;
        for (let k = pairStart[t]; k < pairStart[t + 1]; k++) {
          const d = pairDesc[k];
          acc += rp[d + 1] - rp[d] - pairP0[k];
        }
      }
      relBefore[nsuper] = acc;
    }
    return relBefore[s];
  };
  const single = {
    factor(tol: number) {
      const zero = exports.factor(tol);
      return { positive: exports.positive(), negative: exports.negative(), zero };
    },
    factorSupernodes(ranges: Int32Array, tol: number) {
      let zero = 0;
      let positive = 0;
      let negative = 0;
      for (let k = 0; k < ranges.length; k += 2) {
        zero += exports.factorRange(ranges[k], ranges[k + 1], rc0(ranges[k]), tol);
        positive += exports.positive();
        negative += exports.negative();
      }
      return { positive, negative, zero };
    },
    solve() {
      exports.solve();
    },
    solvePermuted() {
      exports.solvePermuted();
    },
  };
  const kernel: WasmKernel = {
    arrays,
    bytes: pages * PAGE,
    threads: 1,
    partition: null,
    pipelined: false,
    columnSplits: 0,
    ...single,
    residual(norm) {
      return exports.residual(norm ? 1 : 0);
    },
    refine(maxSteps, tol, normA) {
      const rel = exports.refine(maxSteps, tol, normA);
      return { rel, normA: exports.lastNormA(), solves: exports.triangularSolves() };
    },
  };
  if (!plan || !host) return kernel;

  // --- two threads ---
  const id = nextKernelId++;
  const logBase = [o('log0'), o('log1')];
  const rangesOf = (t: 0 | 1) => plan.ranges[t];
  const top = plan.partition.top;
  /** Every range in increasing order: [s0, s1, thread (−1: the top), index in the thread's list]. */
  const all: [number, number, number, number][] = [
    ...top.map(([s0, s1]) => [s0, s1, -1, 0] as [number, number, number, number]),
    ...([0, 1] as const).flatMap((t) =>
      rangesOf(t).map((r, k) => [r[0], r[1], t, k] as [number, number, number, number]),
    ),
  ].sort((x, y) => x[0] - y[0]);
  const pipe = plan.pipeline;
  /** The factorization's ranges, increasing: the pipeline's steps, else those of `all`. */
  const factorList: (readonly [number, number])[] = (
    pipe
      ? [...pipe.helper, ...pipe.main.map(([s0, s1]) => [s0, s1] as const)]
      : all.map(([s0, s1]) => [s0, s1] as const)
  ).sort((x, y) => x[0] - y[0]);
  /** Per range of factorList: its first entry in qlist and how many (prepareRange's list). */
  let entries: { start: Int32Array; count: Int32Array } | null = null;
  const rangeIndex = (): Int32Array => {
    const at = new Int32Array(nsuper);
    factorList.forEach(([s0, s1], k) => at.fill(k, s0, s1));
    return at;
  };
  /** Groups A's entries by the range whose blocks hold their slot (first factorization: aToL is filled by then). */
  const entryLists = (): { start: Int32Array; count: Int32Array } => {
    if (entries) return entries;
    const { aToL, bp } = arrays;
    const at = rangeIndex();
    const owner = new Int32Array(nnzA);
    const count = new Int32Array(factorList.length);
    for (let q = 0; q < nnzA; q++) {
      // the supernode whose block holds slot aToL[q]: the last s with bp[s] ≤ slot
      const slot = aToL[q];
      let lo = 0;
      let hi = nsuper - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bp[mid] <= slot) lo = mid;
        else hi = mid - 1;
      }
      owner[q] = at[lo];
      count[at[lo]]++;
    }
    const start = new Int32Array(factorList.length);
    for (let k = 1; k < factorList.length; k++) start[k] = start[k - 1] + count[k - 1];
    const fill = start.slice();
    const list = new Int32Array(memory.buffer, o('qlist'), nnzA);
    for (let q = 0; q < nnzA; q++) list[fill[owner[q]]++] = q;
    entries = { start, count };
    return entries;
  };
  /** The range of factorList that starts at s0. */
  const allIndex = new Map<number, number>(factorList.map(([s0], k) => [s0, k]));
  const prepareRanges = (list: readonly (readonly [number, number])[]): void => {
    const e = entryLists();
    for (const [s0, s1] of list) {
      const k = allIndex.get(s0) as number;
      exports.prepareRange(s0, s1, o('qlist') + 4 * e.start[k], e.count[k]);
    }
  };
  const failed = (err: unknown): Error => {
    boundId = -1;
    return new Error(`LDLᵀ kernel: the helper thread failed: ${err instanceof Error ? err.message : String(err)}`);
  };
  const start = (job: KernelThreadJob): void => {
    try {
      host.start(job);
    } catch (err) {
      throw failed(err);
    }
  };
  const wait = (): KernelThreadReply => {
    let reply: KernelThreadReply;
    try {
      reply = host.wait();
    } catch (err) {
      throw failed(err);
    }
    if (reply.error !== undefined) throw failed(reply.error);
    return reply;
  };
  const bind = (): void => {
    if (boundId === id && threadHost === host) return;
    start({ type: 'bind', id, module: sharedModule() as object, memory, setup: setupArgs('tmp2', 'wbuf2') });
    boundId = -1;
    wait();
    boundId = id;
  };
  const factorRanges = (list: readonly (readonly [number, number])[], tol: number) => {
    let zero = 0;
    let positive = 0;
    let negative = 0;
    for (const [s0, s1] of list) {
      zero += exports.factorRange(s0, s1, rc0(s0), tol);
      positive += exports.positive();
      negative += exports.negative();
    }
    return { zero, positive, negative };
  };
  const minSplit = threadOptions.minColumnSplitWork;
  /** Per supernode: the column where the top's update split hands over to the helper (0: no split); lazily. */
  let splitAt: Int32Array | null = null;
  const columnSplit = (s: number): number => {
    if (!splitAt) {
      splitAt = new Int32Array(nsuper);
      const { ss, rp } = arrays;
      for (const [s0, s1] of top)
        for (let t = s0; t < s1; t++) {
          const nc = ss[t + 1] - ss[t];
          if (nc < 2) continue;
          if (scheduledUpdateWork(t, ss, rp, arrays) < minSplit) continue;
          // balance the lower triangle: column j of the block has nr − j rows
          const nr = rp[t + 1] - rp[t];
          const half = (nc * (2 * nr - nc + 1)) / 4;
          let acc = 0;
          let c = 0;
          while (c < nc - 1 && acc + (nr - c) <= half) acc += nr - c++;
          splitAt[t] = Math.max(1, c);
        }
    }
    return splitAt[s];
  };
  /** Top supernodes s0 .. s1-1 on this thread, the updates of the heavy ones split with the helper. */
  const factorTop = (
    s0: number,
    s1: number,
    tol: number,
    acc: { zero: number; positive: number; negative: number },
  ) => {
    const plain = (a: number, b: number): void => {
      if (a >= b) return;
      acc.zero += exports.factorRange(a, b, rc0(a), tol);
      acc.positive += exports.positive();
      acc.negative += exports.negative();
    };
    let a = s0;
    for (let t = s0; t < s1; t++) {
      const c = columnSplit(t);
      if (c <= 0) continue;
      plain(a, t);
      start({ type: 'columns', id, ranges: Int32Array.of(t, rc0(t), c, 0x7fffffff) });
      exports.updateColumns(t, rc0(t), 0, c);
      wait();
      acc.zero += exports.denseFactor(t, tol);
      acc.positive += exports.positive();
      acc.negative += exports.negative();
      a = t + 1;
    }
    plain(a, s1);
  };
  const progress = new Int32Array(memory.buffer, o('progress'), 1);
  /** Blocks until the helper has finished `need` of its subtrees (it sets 2³¹−1 when its job failed). */
  const awaitProgress = (need: number): void => {
    for (;;) {
      const v = Atomics.load(progress, 0);
      if (v >= need) return;
      if (host.stopped?.()) throw failed(new Error('the worker stopped during a job'));
      Atomics.wait(progress, 0, v, 200);
    }
  };
  const pipelinedFactor = (p: PipelineSchedule, tol: number) => {
    bind();
    const e = entryLists();
    const job = new Int32Array(p.helper.length * 5);
    p.helper.forEach(([s0, s1], k) => {
      const r = allIndex.get(s0) as number;
      job.set([s0, s1, rc0(s0), o('qlist') + 4 * e.start[r], e.count[r]], 5 * k);
    });
    Atomics.store(progress, 0, 0);
    start({ type: 'factor', id, ranges: job, tol, progress: o('progress') });
    prepareRanges(p.main.map(([s0, s1]) => [s0, s1] as const));
    let zero = 0;
    let positive = 0;
    let negative = 0;
    for (const [s0, s1, need] of p.main) {
      if (need > 0) awaitProgress(need);
      zero += exports.factorRange(s0, s1, rc0(s0), tol);
      positive += exports.positive();
      negative += exports.negative();
    }
    const b = wait();
    return {
      zero: zero + (b.zero ?? 0),
      positive: positive + (b.positive ?? 0),
      negative: negative + (b.negative ?? 0),
    };
  };
  const solveZ = (): void => {
    bind();
    const job = new Int32Array(rangesOf(1).length * 4);
    rangesOf(1).forEach((r, k) => job.set([r[0], r[1], r[2], logBase[1] + r[3] * 8], 4 * k));
    start({ type: 'forward', id, ranges: job });
    for (const r of rangesOf(0)) exports.forwardRange(r[0], r[1], r[2], logBase[0] + r[3] * 8);
    wait();
    for (const [s0, s1, t, k] of all) {
      if (t < 0) exports.forwardRange(s0, s1, n, 0);
      else {
        const r = rangesOf(t as 0 | 1)[k];
        exports.forwardReplay(s0, s1, r[2], logBase[t] + r[3] * 8);
      }
    }
    exports.diagonalRange(0, n);
    for (let k = top.length - 1; k >= 0; k--) exports.backwardRange(top[k][0], top[k][1]);
    start({ type: 'backward', id, ranges: Int32Array.from(plan.partition.threads[1].flat()) });
    const mine = plan.partition.threads[0];
    for (let k = mine.length - 1; k >= 0; k--) exports.backwardRange(mine[k][0], mine[k][1]);
    wait();
  };
  hostSolve = () => {
    exports.permuteIn();
    solveZ();
    exports.permuteOut();
  };
  const twoThreadSolves = threadOptions.solves;
  if (twoThreadSolves) exports.useHostSolve(1);
  const threaded: WasmKernel = {
    ...kernel,
    threads: 2,
    partition: plan.partition,
    pipelined: pipe !== null,
    get columnSplits() {
      return splitAt ? splitAt.reduce((k, c) => k + (c > 0 ? 1 : 0), 0) : 0;
    },
    factor(tol) {
      if (pipe) return pipelinedFactor(pipe, tol);
      bind();
      // each thread prepares (clears, scatters A into) the blocks it factors; this one the top's too
      const e = entryLists();
      const theirs = plan.partition.threads[1];
      const job = new Int32Array(theirs.length * 5);
      theirs.forEach(([s0, s1], k) => {
        const r = allIndex.get(s0) as number;
        job.set([s0, s1, rc0(s0), o('qlist') + 4 * e.start[r], e.count[r]], 5 * k);
      });
      start({ type: 'factor', id, ranges: job, tol });
      prepareRanges(plan.partition.threads[0]);
      prepareRanges(top);
      const a = factorRanges(plan.partition.threads[0], tol);
      const b = wait();
      // the top after both, each heavy supernode's updates split by columns with the helper
      const c = { zero: 0, positive: 0, negative: 0 };
      for (const [s0, s1] of top) factorTop(s0, s1, tol, c);
      return {
        zero: a.zero + (b.zero ?? 0) + c.zero,
        positive: a.positive + (b.positive ?? 0) + c.positive,
        negative: a.negative + (b.negative ?? 0) + c.negative,
      };
    },
    ...(twoThreadSolves ? { solve: solveZ, solvePermuted: hostSolve } : {}),
  };
  releaser?.register(threaded, { host, id });
  return threaded;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with or without padding) to bytes; the solver's lib has no atob/Buffer. */
export function decodeBase64(text: string): Uint8Array {
  const digits = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) digits[B64.charCodeAt(i)] = i;
  const s = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const v = digits[s.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error(`decodeBase64: invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
