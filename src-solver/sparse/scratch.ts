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
 * Contract: `takeInt32(len)` returns a zero-filled Int32Array of length len, a view on a pooled
 * buffer when one is free and large enough (best fit), else a new array; `giveInt32(a…)` hands
 * arrays back — only arrays the caller owns whole and never reads again (a view whose buffer
 * something else still uses must not be given). `dropScratch()` forgets the pool (called at the
 * end of a symbolic analysis, so that the solve does not hold its temporaries). Single-threaded:
 * nothing asynchronous runs between a take and its give.
 */
const free: ArrayBuffer[] = [];

export function takeInt32(len: number): Int32Array {
  const bytes = len * 4;
  let best = -1;
  for (let i = 0; i < free.length; i++)
    if (free[i].byteLength >= bytes && (best < 0 || free[i].byteLength < free[best].byteLength)) best = i;
  if (best < 0) return new Int32Array(len);
  const buf = free[best];
  free[best] = free[free.length - 1];
  free.pop();
  const a = new Int32Array(buf, 0, len);
  a.fill(0);
  return a;
}

export function giveInt32(...arrays: Int32Array[]): void {
  for (const a of arrays) {
    // small arrays are not worth keeping, shared memory (the kernel's) never; a buffer already
    // free is not added twice
    const b = a.buffer;
    if (!(b instanceof ArrayBuffer) || a.byteOffset !== 0 || b.byteLength < 1 << 16 || free.includes(b)) continue;
    free.push(b);
  }
}

/** Forget every pooled buffer (the garbage collector frees them). */
export function dropScratch(): void {
  free.length = 0;
}

/** Buffers in the pool (tests). */
export function scratchBuffers(): number {
  return free.length;
}
