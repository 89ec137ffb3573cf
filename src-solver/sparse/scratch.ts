/**
 * Scratch Int32 arrays for the symbolic phase (KKT pattern, orderings, elimination trees, column
 * counts, supernodes), handed back and reused across its passes.
 *
 * Why: on the machines this runs on, the first touch of a freshly allocated large typed array
 * costs more than the pass that fills it — ~3 ms per MB (page faults of a new mapping: arrays
 * above glibc's mmap threshold get new pages on every allocation; measured 120–200 ms to allocate
 * and write 40 MB against 10–40 ms to rewrite one already touched). The symbolic phase of the
 * IEEE 123 × 2160 h KKT (2.5 M rows, 7.3 M entries) allocated several hundred MB of temporaries of
 * a few sizes (n, nnz(K)); reusing them is most of what its setup time can lose.
 *
 * Contract: the pool exists only inside a scope (`openScratch()` … `closeScratch()`, in a
 * try/finally; nested scopes share it, the outermost close forgets it — so nothing is held after
 * a symbolic analysis: KktSystem's and LdlSolver's constructors open one). Outside a scope
 * `takeInt32` is `new Int32Array` and `giveInt32` does nothing, so a function that uses them
 * behaves as before when called on its own. Inside, `takeInt32(len)` returns a zero-filled
 * Int32Array of length len, a view on a free pooled buffer when one is large enough (best fit),
 * else a new one; a new buffer is given the largest length asked for so far in the scope (pages
 * never touched cost no memory: the spare length is virtual), so that a later request of another
 * size can reuse it. `giveInt32(a…)` hands arrays back — only arrays the caller owns whole and
 * never reads again. Single-threaded: nothing asynchronous runs inside a scope.
 */
const free: ArrayBuffer[] = [];
let depth = 0;
let largest = 0;

export function openScratch(): void {
  depth++;
}

export function closeScratch(): void {
  if (depth > 0 && --depth === 0) {
    free.length = 0;
    largest = 0;
  }
}

export function takeInt32(len: number): Int32Array {
  if (depth === 0) return new Int32Array(len);
  if (len > largest) largest = len;
  const bytes = len * 4;
  let best = -1;
  for (let i = 0; i < free.length; i++)
    if (free[i].byteLength >= bytes && (best < 0 || free[i].byteLength < free[best].byteLength)) best = i;
  if (best < 0) return new Int32Array(new ArrayBuffer(largest * 4), 0, len);
  const buf = free[best];
  free[best] = free[free.length - 1];
  free.pop();
  const a = new Int32Array(buf, 0, len);
  a.fill(0);
  return a;
}

export function giveInt32(...arrays: Int32Array[]): void {
  if (depth === 0) return;
  for (const a of arrays) {
    // small arrays are not worth keeping, shared memory (the kernel's) never; a buffer already
    // free is not added twice
    const b = a.buffer;
    if (!(b instanceof ArrayBuffer) || a.byteOffset !== 0 || b.byteLength < 1 << 16 || free.includes(b)) continue;
    free.push(b);
  }
}

/** Buffers in the pool (tests). */
export function scratchBuffers(): number {
  return free.length;
}
