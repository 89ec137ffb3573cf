/**
 * Loader of the WebAssembly LDLᵀ kernel (wasm/ldl-kernel.ts, built into ldlKernelWasm.ts by
 * `npm run build:wasm`). One WebAssembly.Memory per LdlSolver, sized once for every array the
 * numeric phase touches; LdlSolver then uses views on it as its own arrays, so the TypeScript
 * kernel (the reference and the fallback) and the WebAssembly one read and write the same data.
 *
 * The module is under 5 KB: synchronous compilation is allowed everywhere the solver runs (Node,
 * workers, Electron utility processes, even a browser main thread). Where WebAssembly is missing
 * or refuses the module, `createWasmKernel` returns null and LdlSolver runs the TypeScript kernel.
 */
import { LDL_KERNEL_WASM_BASE64 } from './ldlKernelWasm';

/** The part of the WebAssembly API used here (the solver's lib is plain ES2022). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
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
  /** Factor arrays.values (filled by the caller); returns the inertia counts. */
  factor(tol: number): { positive: number; negative: number; zero: number };
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

/** True when the WebAssembly kernel can be used here. */
export function wasmKernelAvailable(): boolean {
  return module() !== null;
}

const PAGE = 65536;
/** Largest memory a 32-bit WebAssembly instance can address. */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE;

/** A kernel with memory for `sizes`, or null when WebAssembly is unavailable or the sizes exceed 4 GiB. */
export function createWasmKernel(sizes: KernelSizes): WasmKernel | null {
  const mod = module();
  const wa = api();
  if (!mod || !wa) return null;
  const { n, nsuper, nnzA, stored } = sizes;
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
  // Offsets: 16-byte aligned, after the first page (the module's own, unused, static area).
  const offsets = new Map<keyof KernelArrays, number>();
  let at = PAGE;
  // rel is Uint16: a supernode of more than 65,536 rows holds a dense triangle of 2³¹ entries,
  // beyond the 4 GiB memory anyway
  if (sizes.maxRows > 65536) return null;
  for (const [name, len] of [
    ...f64.map(([k, l]) => [k, l * 8] as const),
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
  try {
    memory = new wa.Memory({ initial: pages, maximum: pages });
    exports = new wa.Instance(mod, { env: { memory } }).exports as unknown as KernelExports;
  } catch {
    return null; // e.g. the memory could not be reserved
  }
  const buf = memory.buffer;
  const views: Record<string, Int32Array | Float64Array | Uint16Array> = {};
  for (const [name, len] of i32) views[name] = new Int32Array(buf, offsets.get(name), len);
  for (const [name, len] of f64) views[name] = new Float64Array(buf, offsets.get(name), len);
  views.rel = new Uint16Array(buf, offsets.get('rel'), sizes.rel);
  const arrays = views as unknown as KernelArrays;
  const o = (k: keyof KernelArrays): number => offsets.get(k) as number;
  exports.setup(
    n, nsuper, nnzA, stored,
    o('ss'), o('rp'), o('ri'), o('bp'), o('colSuper'), o('aToL'), o('diagL'),
    o('pairStart'), o('pairDesc'), o('pairP0'), o('pairM1'), o('rel'),
    o('lx'), o('d'), o('dInv'), o('scale'), o('tmp'), o('wbuf'), o('values'), o('z'), o('perm'), o('b'),
  ); // prettier-ignore
  exports.setupRefine(o('acp'), o('ari'), o('rb'), o('rx'), o('rr'), o('rr2'));
  return {
    arrays,
    bytes: pages * PAGE,
    factor(tol) {
      const zero = exports.factor(tol);
      return { positive: exports.positive(), negative: exports.negative(), zero };
    },
    solvePermuted() {
      exports.solvePermuted();
    },
    solve() {
      exports.solve();
    },
    residual(norm) {
      return exports.residual(norm ? 1 : 0);
    },
    refine(maxSteps, tol, normA) {
      const rel = exports.refine(maxSteps, tol, normA);
      return { rel, normA: exports.lastNormA(), solves: exports.triangularSolves() };
    },
  };
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
