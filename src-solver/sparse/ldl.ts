/**
 * Sparse symmetric indefinite LDLᵀ factorization with exact inertia, for the interior-point
 * solver's augmented (KKT) system
 *
 *     K = [ W + Σ + δw I      Jᵀ   ]      n + m square, symmetric, indefinite;
 *         [ J               −δc I  ]      wanted inertia: n positive, m negative, 0 zero.
 *
 * Problem: factor P K Pᵀ = L D Lᵀ (L unit lower triangular, D diagonal), report the signs of D
 * (= the inertia of K, Sylvester's law), and solve K x = b, many times for one sparsity pattern.
 *
 * Notation: A = the matrix given (upper triangle, see csc.ts); C = P A Pᵀ; L, D as above;
 * d_k = D_kk; y = the dense work row of the up-looking algorithm.
 *
 * Method, once per pattern (constructor): fill-reducing ordering (AMD, amd.ts), elimination tree,
 * postorder, exact row and column structure of L (symbolic.ts); every buffer is allocated here.
 * Every iteration (`factor`): left-looking supernodal (supernodal.ts): each supernode gathers the
 * updates L_d D_d L_dᵀ of its descendants, then factors its dense block with 1×1 pivots.
 * No allocation; one pass of multiply–adds over L. Two implementations of this numeric phase
 * (and of `solve`): the WebAssembly kernel (wasm/ldl-kernel.ts, default; factorization 1.4–2.6×, solves
 * 1.2–2.3× faster on a 2M-row KKT, README; it follows an update schedule computed here once per
 * pattern, supernodal.ts UpdateSchedule) and the TypeScript code below (reference in tests, fallback
 * without WebAssembly). On the solver's real KKT matrices (~2 columns per supernode: the 8500-node
 * battery day, n = 1.78M; the IEEE 123 720-h year, n = 0.84M) the WebAssembly factorization takes
 * 0.30 s and 0.09 s CPU (bench/cases/ldl.bench.ts "ldl real KKT").
 *
 * Choice: STATIC ordering with 1×1 pivots only, plus regularization by the caller (option (b)),
 * not Bunch–Kaufman 1×1/2×2 pivoting (option (a)). Reasons:
 *   - Ipopt's inertia correction (Wächter & Biegler 2006, §3.1, Algorithm IC) only needs the
 *     inertia and a "singular" signal; it then adds δc > 0 and/or δw. With δc > 0 and W+Σ+δw ≻ 0,
 *     K is quasi-definite, and a quasi-definite matrix has an LDLᵀ factorization with 1×1 pivots
 *     for EVERY symmetric permutation (Vanderbei 1995), with exactly n positive and m negative pivots.
 *   - The pattern and the cost are then fixed by the symbolic phase: no delayed pivots, no
 *     dynamic fill, no reallocation, predictable time — what a 2M-row factor in ~1 s needs.
 *   - This is what QDLDL (OSQP) and Clarabel do.
 * The price: a matrix that is NOT quasi-definite (δc = 0, or an indefinite W) may meet a zero or
 * tiny pivot that pivoting would have avoided. That must be REPORTED, never hidden:
 *   a pivot is "zero" when  |d_k| ≤ pivotTolerance · (|c_kk| + Σ_j |l_kj y_j|)  or d_k is not
 *   finite — i.e. relative to the terms that were summed to form it (a cancellation test; it is
 *   scale-invariant and does not flag a deliberate −δc pivot, whatever δc's size). A zero pivot is
 *   counted in `zero`, the factorization goes on with D⁻¹_kk := 0 (column k of L is zeroed, so
 *   nothing blows up), and `ok` is false: the caller must not trust `solve` and should perturb.
 * Failure cases tested (ldl.test.ts, testing/sparse/kktorder.test.ts), each against an independent answer:
 *   - zero on the diagonal: [[0,1],[1,0]], and a KKT [H Aᵀ; A 0] with a constraint row ordered
 *     first (δc = 0): exact zero pivot → ok false, zero = 1, every pivot and solve output finite;
 *     the same ordering with δc = 1e-8 factors with ok true and the exact inertia (4, 2, 0);
 *   - singular through cancellation: [[1,1],[1,1]], a rank-2 B·Bᵀ, a KKT with two identical
 *     constraint rows (natural and AMD order) → ok false, zero ≥ 1 (with τ = 0 these tests fail:
 *     the computed pivot is ~1e-16, not 0 — which is why the test is relative);
 *   - near-singular [[1,1],[1,1+ε]]: ε = 1e-8 factors and solves to 1e-6, ε = 1e-15 is flagged;
 *   - random sparse indefinite matrices (not quasi-definite): ok generically, and then inertia
 *     equal to a dense Jacobi-eigenvalue count and refined backward error ≤ 1e-12;
 *     random quasi-definite ones: ok and exact inertia under AMD, natural and random orders;
 *   - NaN / ±Infinity in the values → ok false (no exception, no silent garbage);
 *   - OPF-like KKT with δc = 0 under plain AMD: constraint rows get eliminated before their
 *     variables and 4 712 of 25 252 pivots are exactly zero (N = 128, T = 24) — all reported.
 *
 * How the interior-point solver can use it (measured on OPF-like KKT, T = 24, N = 128…4096):
 *   (1) plain AMD, ALWAYS a small δc > 0 (quasi-definite ⇒ no zero pivot; inertia (n, m, 0) ⇔
 *       W + JᵀJ/δc ≻ 0, Ipopt's test), `solveRefined` with the UNregularized values. Least fill,
 *       but a row eliminated before its variables adds ±a²/δc that later cancel: with δc = 1e-8
 *       the unrefined backward error is ~1e-11, so refinement is needed (and converges, tested).
 *   (2) a KKT-aware ordering that eliminates each constraint row after variables it touches —
 *       nlp/kkt.ts `kktOrdering` (after all of them) or `kktAmdOrder` (after a matched one;
 *       testing/sparse/kktorder.ts, used by tests and benchmarks):
 *       δc = 0 factors with the exact inertia, min |d_k| ≥ 1e-4, unrefined backward error
 *       ~1e-17; nnz(L) 1.3–1.4× and flops 2–4× those of (1). "Singular" then means what Ipopt
 *       thinks it means (a degenerate Jacobian).
 *
 * References: R. J. Vanderbei, "Symmetric quasidefinite matrices", SIAM J. Optim. 5(1), 1995;
 * A. Wächter, L. T. Biegler, "On the implementation of an interior-point filter line-search
 * algorithm", Math. Program. 106, 2006, §3.1; T. A. Davis, "Algorithm 849: a concise sparse
 * Cholesky factorization package", ACM TOMS 31(4), 2005 (up-looking LDLᵀ); B. Stellato et al.,
 * OSQP, Math. Program. Comput. 12, 2020 (QDLDL); N. J. Higham, "Accuracy and Stability of
 * Numerical Algorithms", 2nd ed., §12.1 (iterative refinement, normwise backward error).
 */
import { type SymmetricPattern, checkPattern, symMatVec } from './csc';
import { amdOrder } from './amd';
import { permutedColumnCounts, permutedEntries, postorder } from './symbolic';
import { fillUpdateSchedule, scheduledUpdateWork, supernodalStructure, updateScheduleSize } from './supernodal';
import { createWasmKernel, wasmKernelAvailable, type WasmKernel } from './wasmKernel';
import { closeScratch, giveInt32, openScratch, takeInt32 } from './scratch';

export { symMatVec };

export interface Inertia {
  readonly positive: number;
  readonly negative: number;
  readonly zero: number;
}

export interface FactorResult extends Inertia {
  /** False if a (near-)zero or non-finite pivot was met (then zero > 0 and `solve` is not to be trusted). */
  readonly ok: boolean;
}

export interface LdlOptions {
  /**
   * Fill-reducing ordering: 'amd' (default), 'natural' (identity), or an explicit permutation
   * (perm[k] = original index of the k-th pivot). The elimination tree is postordered in every
   * case (same fill, better locality).
   */
  readonly ordering?: 'amd' | 'natural' | Int32Array;
  /**
   * Relative zero-pivot threshold τ: d_k counts as zero when |d_k| ≤ τ·(|c_kk| + Σ_j |l_kj y_j|).
   * Default 1e-12 (≈ 4500 ε; cancellation to this level means a locally singular matrix).
   * Bounds: [0, 1). 0 flags exact zeros and non-finite values only.
   */
  readonly pivotTolerance?: number;
  /**
   * Largest number of stored factor entries (8 bytes each) allowed; the constructor throws a
   * RangeError before allocating more. Default 2²⁷ (1 GiB).
   */
  readonly maxFactorEntries?: number;
  /**
   * Numeric kernel: 'wasm' (default, LdlSolver.defaultKernel) runs factor and solve in the
   * WebAssembly build of the same algorithm (wasmKernel.ts), 'js' in the TypeScript code below.
   * 'wasm' falls back to 'js' where WebAssembly is unavailable; `kernel` says which one runs.
   */
  readonly kernel?: 'wasm' | 'js';
  /**
   * The elimination tree and column counts of P A Pᵀ for the explicit `ordering`, when the caller
   * has them already (symbolic.ts permutedColumnCounts of the same pattern and permutation, e.g.
   * from counting the order's flops): the constructor then skips computing them again.
   */
  readonly analysis?: { readonly parent: Int32Array; readonly counts: Int32Array };
}

export class LdlSolver {
  /** The kernel used when the options name none (tests switch it to compare the two). */
  static defaultKernel: 'wasm' | 'js' = 'wasm';
  /** The numeric kernel in use. */
  readonly kernel: 'wasm' | 'js';
  /** Threads of the numeric factorization and solves: 2 with a helper thread (wasmKernel.ts setKernelThreadHost), else 1. */
  get threads(): 1 | 2 {
    return this.wasm?.threads ?? 1;
  }
  /** Two threads: whether the factorization overlaps the top of the tree with the subtrees (wasmKernel.ts). */
  get pipelined(): boolean {
    return this.wasm?.pipelined ?? false;
  }
  /** Two threads: top supernodes whose updates are split by columns between the threads. */
  get columnSplits(): number {
    return this.wasm?.columnSplits ?? 0;
  }
  private readonly wasm: WasmKernel | null;
  readonly n: number;
  /** Stored entries of A (upper triangle with diagonal). */
  readonly nnzA: number;
  /** Strictly-lower nonzeros of L (the unit diagonal is not stored). */
  readonly nnzL: number;
  /** permutation[k] = the original index eliminated k-th (after postordering). */
  readonly permutation: Int32Array;
  /** Multiply–adds of one numeric factorization, Σ_j |L_{*j}|² (for reporting). */
  readonly flops: number;

  /** Stored entries of the supernodal blocks (nnzL plus the unit diagonal and the explicit zeros of relaxed supernodes). */
  readonly storedEntries: number;
  /** Number of (relaxed) supernodes. */
  readonly supernodes: number;

  private readonly pivotTolerance: number;
  // Supernodes (supernodal.ts): columns ss[s]..ss[s+1]-1, rows ri[rp[s]..], block at bp[s].
  private readonly nsuper: number;
  private readonly ss: Int32Array;
  private readonly rp: Int32Array;
  private readonly ri: Int32Array;
  private readonly bp: Int32Array;
  private readonly colSuper: Int32Array;
  /** aToL[q] = slot in lx of A's entry q (the lower-triangle position of P A Pᵀ). */
  private readonly aToL: Int32Array;
  /** Slot in lx of the diagonal of each pivot. */
  private readonly diagL: Int32Array;
  private readonly lx: Float64Array;
  private readonly d: Float64Array;
  private readonly dInv: Float64Array;
  /** |c_kk| + Σ_j |l_kj y_j| for the zero-pivot test. */
  private readonly scale: Float64Array;
  // Numeric work: update lists (head/next), next row position of each supernode, relative map,
  // the dense update column and L·D of the updating supernode.
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly lpos: Int32Array;
  private readonly relMap: Int32Array;
  private readonly relIdx: Int32Array;
  private readonly tmp: Float64Array;
  private readonly wbuf: Float64Array;
  private readonly work: Float64Array;
  private readonly r: Float64Array;
  private readonly dx: Float64Array;
  private readonly rNext: Float64Array;
  /** Copy of b for solveRefined when b aliases x (allocated on first need). */
  private bCopy: Float64Array | null = null;
  private readonly aPattern: SymmetricPattern;
  /** ‖A‖∞ used by the last solveRefined (given or computed). */
  lastNormA = Number.NaN;
  /** Triangular solve pairs (L, D, Lᵀ) of the last solveRefined: 1 + its refinement corrections. */
  lastTriangularSolves = 0;

  /** Symbolic analysis ONCE: fill-reducing ordering, elimination tree, supernodes, all buffers preallocated. */
  constructor(pattern: SymmetricPattern, options: LdlOptions = {}) {
    openScratch(); // the symbolic analysis' temporaries are pooled (scratch.ts)
    try {
      checkPattern(pattern);
      const n = pattern.n;
      this.n = n;
      this.nnzA = pattern.colPtr[n];
      this.aPattern = pattern;
      const tol = options.pivotTolerance ?? 1e-12;
      if (!(tol >= 0 && tol < 1)) throw new RangeError(`LdlSolver: pivotTolerance ${tol} outside [0, 1)`);
      this.pivotTolerance = tol;
      const maxEntries = options.maxFactorEntries ?? 2 ** 27;

      // 1. Fill-reducing ordering.
      const ordering = options.ordering ?? 'amd';
      let order: Int32Array;
      if (ordering === 'amd') order = amdOrder(pattern);
      else if (ordering === 'natural') order = identity(n);
      else order = checkedPermutation(ordering, n);

      // 2. Elimination tree of P A Pᵀ, postordered; the final permutation composes both. The tree
      // and the column counts come in one pass (given by the caller, or permutedColumnCounts).
      const given = options.analysis && ordering instanceof Int32Array ? options.analysis : null;
      const analysis = given ?? permutedColumnCounts(pattern, order);
      const tree = analysis.parent;
      const post = postorder(tree);
      const perm = new Int32Array(n);
      for (let k = 0; k < n; k++) perm[k] = order[post[k]];
      // C's entries grouped by column, rows unsorted, with the entry of A in each slot: what the
      // supernodal rows, the counts and the slot map below need (none needs C's rows sorted; a
      // sorted C and its map from A cost 12 % of this constructor on IEEE 123 × 720 h).
      const { colPtr: cColPtr, rowIdx: cRowIdx, src: cSrc } = permutedEntries(pattern, perm);
      const c: SymmetricPattern = { n, colPtr: cColPtr, rowIdx: cRowIdx }; // (rows unsorted)
      // The postordered tree is the same tree relabelled: parent(k) = ipost[tree(post[k])].
      const ipost = takeInt32(n);
      for (let k = 0; k < n; k++) ipost[post[k]] = k;
      const parent = takeInt32(n);
      for (let k = 0; k < n; k++) {
        const p = tree[post[k]];
        parent[k] = p < 0 ? -1 : ipost[p];
      }

      // 3. Column counts (exact nnz(L), flops), then relaxed supernodes and their rows. Given for
      // P A Pᵀ, they are the postordered matrix's relabelled: the same tree, numbered by `post`.
      const cc = takeInt32(n);
      for (let k = 0; k < n; k++) cc[k] = analysis.counts[post[k]];
      let nnzL = 0;
      let flops = 0;
      for (let j = 0; j < n; j++) {
        nnzL += cc[j];
        flops += cc[j] * cc[j];
      }
      this.nnzL = nnzL;
      this.flops = flops;
      const sn = supernodalStructure(c, parent, cc);
      const stored = sn.blockPtr[sn.nsuper];
      if (stored > maxEntries)
        throw new RangeError(
          `LdlSolver: the factor needs ${stored} stored entries (nnz(L) ${nnzL}), above the limit ${maxEntries} (${((maxEntries * 8) / 2 ** 30).toFixed(2)} GiB)`,
        );
      this.storedEntries = stored;
      this.nsuper = sn.nsuper;
      this.supernodes = sn.nsuper;
      // The WebAssembly kernel follows a precomputed update schedule (supernodal.ts).
      const schedule =
        (options.kernel ?? LdlSolver.defaultKernel) === 'wasm' && wasmKernelAvailable() ? updateScheduleSize(sn) : null;
      const wasm = schedule
        ? createWasmKernel(
            {
              n,
              nsuper: sn.nsuper,
              nnzA: this.nnzA,
              stored,
              rowIdx: sn.rowIdx.length,
              maxRows: sn.maxRows,
              maxBlock: sn.maxBlock,
              pairs: schedule.pairs,
              rel: schedule.rel,
            },
            sn,
          )
        : null;
      if (wasm) fillUpdateSchedule(sn, wasm.arrays);
      this.wasm = wasm;
      this.kernel = wasm ? 'wasm' : 'js';
      const kv = wasm?.arrays;
      // With the WebAssembly kernel every numeric array is a view on its memory (one copy only).
      const into = <T extends Int32Array | Float64Array>(view: T | undefined, src: T): T => {
        if (!view) return src;
        view.set(src);
        return view;
      };
      this.permutation = perm;
      kv?.perm.set(perm);
      kv?.acp.set(pattern.colPtr.subarray(0, n + 1));
      kv?.ari.set(pattern.rowIdx.subarray(0, this.nnzA));
      this.ss = into(kv?.ss, sn.superStart);
      this.rp = into(kv?.rp, sn.rowPtr);
      this.ri = into(kv?.ri, sn.rowIdx);
      this.bp = into(kv?.bp, Int32Array.from(sn.blockPtr));
      this.colSuper = into(kv?.colSuper, sn.colSuper);

      // 4. Slot of every entry of A in the blocks: C's entry (i, k), i ≤ k, is L's (k, i), column i;
      // written straight to A's entry (cSrc) — the diagonal's (i = k) also to diagL.
      const { ss, rp, ri, bp, colSuper } = this;
      const aToL = kv?.aToL ?? new Int32Array(this.nnzA);
      const diagL = kv?.diagL ?? new Int32Array(n);
      for (let k = 0; k < n; k++) {
        for (let q = cColPtr[k]; q < cColPtr[k + 1]; q++) {
          const i = cRowIdx[q];
          const s = colSuper[i];
          const f = ss[s];
          const nr = rp[s + 1] - rp[s];
          let rel: number;
          if (k < ss[s + 1]) rel = k - f;
          else {
            let lo = rp[s] + ss[s + 1] - f;
            let hi = rp[s + 1] - 1;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (ri[mid] < k) lo = mid + 1;
              else hi = mid;
            }
            rel = lo - rp[s];
          }
          const slot = bp[s] + (i - f) * nr + rel;
          aToL[cSrc[q]] = slot;
          if (i === k) diagL[k] = slot;
        }
      }
      this.aToL = aToL;
      this.diagL = diagL;
      giveInt32(cColPtr, cRowIdx, cSrc, ipost, parent, post, cc);
      if (!given) giveInt32(analysis.parent, analysis.counts);

      this.lx = kv?.lx ?? new Float64Array(stored);
      this.d = kv?.d ?? new Float64Array(n);
      this.dInv = kv?.dInv ?? new Float64Array(n);
      this.scale = kv?.scale ?? new Float64Array(n);
      // The TypeScript kernel's update lists (the WebAssembly one follows its schedule instead).
      this.head = new Int32Array(kv ? 0 : sn.nsuper);
      this.next = new Int32Array(kv ? 0 : sn.nsuper);
      this.lpos = new Int32Array(kv ? 0 : sn.nsuper);
      this.relMap = new Int32Array(kv ? 0 : n);
      this.tmp = kv?.tmp ?? new Float64Array(sn.maxRows);
      this.relIdx = new Int32Array(kv ? 0 : sn.maxRows);
      this.wbuf = kv?.wbuf ?? new Float64Array(sn.maxBlock);
      this.work = kv?.z ?? new Float64Array(n); // the WebAssembly solve's work array is free between solves
      this.r = new Float64Array(n);
      this.dx = new Float64Array(n);
      this.rNext = new Float64Array(n);
    } finally {
      closeScratch();
    }
  }

  /**
   * Numeric factorization of values laid out as pattern.rowIdx (length nnz). No allocation (only
   * the small result record). Left-looking supernodal: for each supernode s, every earlier
   * supernode d with rows in s's columns subtracts L_d D_d L_dᵀ restricted to s's rows (a dense
   * product, scattered through a relative row map), then the block of s is factored densely with
   * 1×1 pivots in order (right-looking inside the block).
   */
  factor(values: Float64Array): FactorResult {
    const n = this.n;
    if (values.length < this.nnzA)
      throw new RangeError(`LdlSolver.factor: ${values.length} values for ${this.nnzA} entries`);
    this.lastFactor = null;
    if (this.wasm) {
      const staged = this.wasm.arrays.values;
      if (values !== staged) staged.set(values.subarray(0, this.nnzA));
      const r = this.wasm.factor(this.pivotTolerance);
      this.lastFactor = { ok: r.zero === 0, positive: r.positive, negative: r.negative, zero: r.zero };
      this.partialFactorizations = 0;
      return this.lastFactor;
    }
    const { ss, rp, ri, bp, colSuper, aToL, diagL, lx, d, dInv, scale, head, next, lpos, relMap, relIdx, tmp, wbuf } =
      this;
    const tol = this.pivotTolerance;
    const nnzA = this.nnzA;
    const nsuper = this.nsuper;
    lx.fill(0);
    for (let q = 0; q < nnzA; q++) lx[aToL[q]] = values[q];
    for (let k = 0; k < n; k++) scale[k] = Math.abs(lx[diagL[k]]);
    head.fill(-1);

    let positive = 0;
    let negative = 0;
    let zero = 0;
    for (let s = 0; s < nsuper; s++) {
      const f = ss[s];
      const l = ss[s + 1];
      const nc = l - f;
      const r0 = rp[s];
      const nr = rp[s + 1] - r0;
      const px = bp[s];
      for (let t = 0; t < nr; t++) relMap[ri[r0 + t]] = t;

      // --- Updates from the descendants whose next rows fall in f..l-1. ---
      let dd = head[s];
      while (dd !== -1) {
        const dnext = next[dd];
        const fd = ss[dd];
        const ncd = ss[dd + 1] - fd;
        const r0d = rp[dd];
        const nrd = rp[dd + 1] - r0d;
        const pxd = bp[dd];
        const p0 = lpos[dd];
        let p1 = p0;
        while (p1 < nrd && ri[r0d + p1] < l) p1++;
        const m1 = p1 - p0; // rows of d inside s's columns
        const m2 = nrd - p0; // all rows of d from p0 on
        // Relative positions in s of d's rows p0.. (the first m1 are columns of s).
        const rb = r0d + p0;
        for (let ii = 0; ii < m2; ii++) relIdx[ii] = relMap[ri[rb + ii]];
        if (ncd === 1) {
          // One column: scatter the rank-1 update directly.
          const base = pxd + p0;
          const dt = d[fd];
          for (let jj = 0; jj < m1; jj++) {
            const ljj = lx[base + jj];
            const w = ljj * dt;
            if (w === 0) continue;
            const col = relIdx[jj];
            scale[f + col] += Math.abs(ljj * w);
            const tb = px + col * nr;
            for (let ii = jj; ii < m2; ii++) lx[tb + relIdx[ii]] -= lx[base + ii] * w;
          }
        } else {
          // wbuf[jj·ncd + t] = l_{row jj, t} · d_t
          for (let t = 0; t < ncd; t++) {
            const dt = d[fd + t];
            const base = pxd + t * nrd + p0;
            for (let jj = 0; jj < m1; jj++) wbuf[jj * ncd + t] = lx[base + jj] * dt;
          }
          for (let jj = 0; jj < m1; jj++) {
            for (let ii = jj; ii < m2; ii++) tmp[ii] = 0;
            let acc = 0;
            const wj = jj * ncd;
            let t = 0;
            // Four columns of d at a time: one pass over tmp per four axpys.
            for (; t + 3 < ncd; t += 4) {
              const w0 = wbuf[wj + t];
              const w1 = wbuf[wj + t + 1];
              const w2 = wbuf[wj + t + 2];
              const w3 = wbuf[wj + t + 3];
              const b0 = pxd + t * nrd + p0;
              const b1 = b0 + nrd;
              const b2 = b1 + nrd;
              const b3 = b2 + nrd;
              acc +=
                Math.abs(lx[b0 + jj] * w0) +
                Math.abs(lx[b1 + jj] * w1) +
                Math.abs(lx[b2 + jj] * w2) +
                Math.abs(lx[b3 + jj] * w3);
              for (let ii = jj; ii < m2; ii++)
                tmp[ii] += lx[b0 + ii] * w0 + lx[b1 + ii] * w1 + lx[b2 + ii] * w2 + lx[b3 + ii] * w3;
            }
            for (; t < ncd; t++) {
              const w = wbuf[wj + t];
              if (w === 0) continue;
              const base = pxd + t * nrd + p0;
              acc += Math.abs(lx[base + jj] * w);
              for (let ii = jj; ii < m2; ii++) tmp[ii] += lx[base + ii] * w;
            }
            const col = relIdx[jj];
            scale[f + col] += acc;
            const tb = px + col * nr;
            for (let ii = jj; ii < m2; ii++) lx[tb + relIdx[ii]] -= tmp[ii];
          }
        }
        lpos[dd] = p1;
        if (p1 < nrd) {
          const s2 = colSuper[ri[r0d + p1]];
          next[dd] = head[s2];
          head[s2] = dd;
        }
        dd = dnext;
      }

      // --- Dense LDLᵀ of the block, 1×1 pivots in order. ---
      for (let j = 0; j < nc; j++) {
        const k = f + j;
        const cj = px + j * nr;
        const dk = lx[cj + j];
        const sc = scale[k];
        d[k] = dk;
        let di: number;
        if (Math.abs(dk) > tol * sc && Number.isFinite(dk) && Number.isFinite(sc)) {
          di = 1 / dk;
          if (dk > 0) positive++;
          else negative++;
        } else {
          di = 0; // zero pivot: l_{*k} becomes 0, so the rest of the factor stays finite
          zero++;
        }
        dInv[k] = di;
        for (let kk = j + 1; kk < nc; kk++) {
          const v = lx[cj + kk]; // l_{kk,j} d_j
          const w = v * di;
          if (w === 0) continue;
          scale[f + kk] += Math.abs(w * v);
          const ck = px + kk * nr;
          for (let i = kk; i < nr; i++) lx[ck + i] -= lx[cj + i] * w;
        }
        for (let i = j + 1; i < nr; i++) lx[cj + i] *= di;
      }
      if (nr > nc) {
        lpos[s] = nc;
        const s2 = colSuper[ri[r0 + nc]];
        next[s] = head[s2];
        head[s2] = s;
      }
    }
    return { ok: zero === 0, positive, negative, zero };
  }

  /** The last factorization's result while the factor in place is that of the staged values (WebAssembly kernel). */
  private lastFactor: FactorResult | null = null;
  /** Partial factorizations (`refactorDiagonal` that did not factor everything) since the last full one. */
  partialFactorizations = 0;
  /** Share of the factorization's work redone by the last `refactorDiagonal` (1: all of it). */
  lastRefactoredShare = 1;
  /**
   * Largest share of the factorization's work (`partialIndex.work`) that `refactorDiagonal` redoes
   * on one thread; above it (half of it with two threads) it factors everything. The share of a
   * supernode is not its share of the entries: a separator near the root takes updates from much
   * of the tree while holding few entries (the 12-day study's 24-period day OPFs, docs/siting.md).
   */
  static partialShareMax = 0.5;
  /** Lazily built for `refactorDiagonal`: inverse permutation, parent supernode, A's entries by supernode. */
  private partialIndex: {
    readonly pinv: Int32Array;
    readonly superParent: Int32Array;
    readonly qStart: Int32Array;
    readonly qList: Int32Array;
    readonly mark: Uint8Array;
    /** Multiply–adds and stores of each supernode's factorization (its updates, its dense block, its entries), and their sum. */
    readonly work: Float64Array;
    readonly totalWork: number;
  } | null = null;

  /**
   * The factorization of `values` when they differ from the values of the last factorization
   * only in the diagonal entries of the original columns cols[0 … count) — the inertia
   * correction's next trial, which changes δ_w in a few periods only (nlp/kkt.ts, issue #16).
   *
   * Column k of L depends on A's column k and on the columns of its descendants in the
   * elimination tree, nothing else. So only the supernodes that hold a changed column and their
   * ancestors are factored again: each is cleared, A's entries of its block scattered, then
   * factored by the kernel's own per-supernode routine (its descendants' updates, then its dense
   * block) in increasing order — for every refactored supernode the same operations on the same
   * inputs as in a full factorization, so L, D and the inertia are the full factorization's to
   * the bit (refactor.test.ts checks them against a second solver's `factor`). The inertia is
   * the last one's with the refactored columns' pivots recounted (a zero pivot is stored with
   * 1/d = 0, kernel).
   * With the time-nested-dissection ordering (periodOrder.ts) a period's columns are one leaf
   * subtree whose ancestors are ~log₂T small separators: a trial that raises δ_w in 25 of 720
   * periods (IEEE 123 × 720 h) redoes ~9 % of the factorization's work.
   * Falls back to `factor` (everything) with the TypeScript kernel, when no factorization of the
   * staged values is in place, or when the supernodes to refactor carry more than
   * `partialShareMax` of the work (half of it with two threads: this runs on one).
   */
  refactorDiagonal(values: Float64Array, cols: Int32Array, count: number): FactorResult {
    const wasm = this.wasm;
    const last = this.lastFactor;
    if (!wasm || !last || values !== wasm.arrays.values) {
      this.lastRefactoredShare = 1;
      return this.factor(values);
    }
    const ix = (this.partialIndex ??= this.buildPartialIndex());
    const { pinv, superParent, qStart, qList, mark, work, totalWork } = ix;
    const { ss, bp, colSuper, aToL, diagL, lx, d, dInv, scale } = this;
    // Supernodes to refactor: those of the changed columns and every ancestor.
    let dirtyWork = 0;
    const marked: number[] = [];
    for (let t = 0; t < count; t++) {
      let s = colSuper[pinv[cols[t]]];
      while (s >= 0 && mark[s] === 0) {
        mark[s] = 1;
        marked.push(s);
        dirtyWork += work[s];
        s = superParent[s];
      }
    }
    for (const s of marked) mark[s] = 0;
    // This runs on one thread: against a full factorization on two, only a small share pays.
    if (dirtyWork > totalWork * (wasm.threads === 2 ? LdlSolver.partialShareMax / 2 : LdlSolver.partialShareMax)) {
      this.lastRefactoredShare = 1;
      return this.factor(values);
    }
    this.lastRefactoredShare = dirtyWork / totalWork;
    // Clear and scatter each marked block (the full factorization's `prepare`, block by block),
    // take its old pivots out of the inertia, and collect the marked supernodes as ranges.
    let positive = last.positive;
    let negative = last.negative;
    let zero = last.zero;
    const ranges: number[] = [];
    for (const s of Int32Array.from(marked).sort()) {
      lx.fill(0, bp[s], bp[s + 1]);
      for (let t = qStart[s]; t < qStart[s + 1]; t++) {
        const q = qList[t];
        lx[aToL[q]] = values[q];
      }
      for (let k = ss[s]; k < ss[s + 1]; k++) {
        scale[k] = Math.abs(lx[diagL[k]]);
        if (dInv[k] === 0) zero--;
        else if (d[k] > 0) positive--;
        else negative--;
      }
      if (ranges.length > 0 && ranges[ranges.length - 1] === s) ranges[ranges.length - 1] = s + 1;
      else ranges.push(s, s + 1);
    }
    const r = wasm.factorSupernodes(Int32Array.from(ranges), this.pivotTolerance);
    positive += r.positive;
    negative += r.negative;
    zero += r.zero;
    this.partialFactorizations++;
    this.lastFactor = { ok: zero === 0, positive, negative, zero };
    return this.lastFactor;
  }

  private buildPartialIndex(): NonNullable<LdlSolver['partialIndex']> {
    const { n, nsuper, ss, rp, ri, colSuper, permutation } = this;
    const pinv = new Int32Array(n);
    for (let k = 0; k < n; k++) pinv[permutation[k]] = k;
    // The parent of a supernode holds the first row below its columns (supernodal.ts).
    const superParent = new Int32Array(nsuper);
    for (let s = 0; s < nsuper; s++) {
      const below = rp[s] + (ss[s + 1] - ss[s]);
      superParent[s] = below < rp[s + 1] ? colSuper[ri[below]] : -1;
    }
    // A's entry (i, j) lies in column min(pinv i, pinv j) of L: bucket the entries by its
    // supernode (two passes, counting then placing: no per-entry owner array of nnz(A)).
    const { colPtr, rowIdx } = this.aPattern;
    const qStart = new Int32Array(nsuper + 1);
    for (let j = 0; j < n; j++) {
      const pj = pinv[j];
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) qStart[colSuper[Math.min(pj, pinv[rowIdx[q]])] + 1]++;
    }
    for (let s = 0; s < nsuper; s++) qStart[s + 1] += qStart[s];
    const fill = qStart.slice(0, nsuper);
    const qList = new Int32Array(this.nnzA);
    for (let j = 0; j < n; j++) {
      const pj = pinv[j];
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) qList[fill[colSuper[Math.min(pj, pinv[rowIdx[q]])]]++] = q;
    }
    // Work of each supernode: its updates (columns of the descendant × rows in the target's
    // columns × rows from there on, the kernel's dense product), its dense block, its entries.
    const work = new Float64Array(nsuper);
    let totalWork = 0;
    const k = this.wasm?.arrays;
    for (let s = 0; s < nsuper; s++) {
      const nc = ss[s + 1] - ss[s];
      const nr = rp[s + 1] - rp[s];
      const w = (nc * nc * nr) / 2 + (this.bp[s + 1] - this.bp[s]) + (k ? scheduledUpdateWork(s, ss, rp, k) : 0);
      work[s] = w;
      totalWork += w;
    }
    return { pinv, superParent, qStart, qList, mark: new Uint8Array(nsuper), work, totalWork };
  }

  /** Solve A x = b in place (b overwritten with x). No allocation. */
  solve(b: Float64Array): void {
    const n = this.n;
    if (this.wasm) {
      // the permutation is applied inside the kernel: a copy in and out is cheaper than gathering from JS
      const wb = this.wasm.arrays.b;
      wb.set(b.subarray(0, n));
      this.wasm.solvePermuted();
      b.set(wb);
      return;
    }
    const { ss, rp, ri, bp, lx, dInv, work: z, permutation: perm } = this;
    const nsuper = this.nsuper;
    for (let k = 0; k < n; k++) z[k] = b[perm[k]];
    // L z = P b
    for (let s = 0; s < nsuper; s++) {
      const f = ss[s];
      const nc = ss[s + 1] - f;
      const r0 = rp[s];
      const nr = rp[s + 1] - r0;
      const px = bp[s];
      for (let j = 0; j < nc; j++) {
        const zj = z[f + j];
        if (zj === 0) continue;
        const cj = px + j * nr;
        for (let i = j + 1; i < nc; i++) z[f + i] -= lx[cj + i] * zj;
        for (let i = nc; i < nr; i++) z[ri[r0 + i]] -= lx[cj + i] * zj;
      }
    }
    // D
    for (let k = 0; k < n; k++) z[k] *= dInv[k];
    // Lᵀ
    for (let s = nsuper - 1; s >= 0; s--) {
      const f = ss[s];
      const nc = ss[s + 1] - f;
      const r0 = rp[s];
      const nr = rp[s + 1] - r0;
      const px = bp[s];
      for (let j = nc - 1; j >= 0; j--) {
        const cj = px + j * nr;
        let acc = z[f + j];
        for (let i = j + 1; i < nc; i++) acc -= lx[cj + i] * z[f + i];
        for (let i = nc; i < nr; i++) acc -= lx[cj + i] * z[ri[r0 + i]];
        z[f + j] = acc;
      }
    }
    for (let k = 0; k < n; k++) b[perm[k]] = z[k];
  }

  /**
   * A x = b with iterative refinement against the unfactored values; returns the final relative
   * residual  ‖b − A x‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞)  (the normwise backward error, Higham §7.1).
   * Stops when it is ≤ tol (default 1e-14), after maxSteps corrections (default 10), or when a
   * correction fails to halve it (a correction that increases it is undone). `b` is not modified
   * (x may be the same array as b; b is then copied once into a buffer allocated on first need).
   * `normA` = ‖A‖∞ when the caller knows it (several solves with one matrix); otherwise it is
   * computed in the same pass as the first residual. Either way it is left in `lastNormA`.
   */
  solveRefined(
    values: Float64Array,
    b: Float64Array,
    x: Float64Array,
    maxSteps = 10,
    tol = 1e-14,
    normA = Number.NaN,
  ): number {
    const n = this.n;
    const wasm = this.wasm;
    if (wasm && values === wasm.arrays.values) {
      // the whole loop in the kernel, on the values it already holds: no per-entry JavaScript
      const { rb, rx } = wasm.arrays;
      rb.set(b.subarray(0, n)); // b may alias x: it is read here, once
      const steps = Math.max(0, Math.min(maxSteps, 0x7fffffff)) | 0;
      const out = wasm.refine(steps, tol, normA);
      x.set(rx);
      this.lastNormA = out.normA;
      this.lastTriangularSolves = out.solves;
      return out.rel;
    }
    const { dx } = this;
    let r = this.r;
    let rNext = this.rNext;
    let bb = b;
    if (b === x) {
      this.bCopy ??= new Float64Array(n);
      this.bCopy.set(b.subarray(0, n));
      bb = this.bCopy;
    }
    x.set(bb.subarray(0, n));
    this.solve(x);
    this.lastTriangularSolves = 1;
    let normB = 0;
    for (let i = 0; i < n; i++) normB = Math.max(normB, Math.abs(bb[i]));
    if (Number.isNaN(normA)) normA = this.residualAndNorm(values, bb, x, r);
    else this.residual(values, bb, x, r);
    this.lastNormA = normA;
    let rel = this.relativeResidual(r, x, normA, normB);
    for (let step = 0; step < maxSteps && rel > tol; step++) {
      dx.set(r);
      this.solve(dx);
      this.lastTriangularSolves++;
      for (let i = 0; i < n; i++) x[i] += dx[i];
      this.residual(values, bb, x, rNext);
      const next = this.relativeResidual(rNext, x, normA, normB);
      if (!(next <= rel)) {
        for (let i = 0; i < n; i++) x[i] -= dx[i]; // the correction made things worse: undo it
        return rel;
      }
      const halved = next < 0.5 * rel;
      rel = next;
      if (!halved) return rel; // stagnation: more steps will not help
      const t = r;
      r = rNext;
      rNext = t;
    }
    return rel;
  }

  /**
   * The array `factor` reads A's values from when using the WebAssembly kernel: a caller that
   * writes its values straight into it saves a copy of nnz(A) doubles per factorization. Null
   * with the TypeScript kernel.
   */
  stagingValues(): Float64Array | null {
    return this.wasm ? this.wasm.arrays.values : null;
  }

  /** Columns and rows (nc, nr) of every supernode, in elimination order (for reports and benchmarks). */
  supernodeShapes(): { columns: Int32Array; rows: Int32Array } {
    const columns = new Int32Array(this.nsuper);
    const rows = new Int32Array(this.nsuper);
    for (let s = 0; s < this.nsuper; s++) {
      columns[s] = this.ss[s + 1] - this.ss[s];
      rows[s] = this.rp[s + 1] - this.rp[s];
    }
    return { columns, rows };
  }

  /** The pivots d_k of the last factorization, in elimination order (for diagnostics and tests). */
  pivots(): Float64Array {
    return this.d;
  }

  /**
   * r = b − A x and ‖A‖∞ (returned): in the WebAssembly kernel when `values` is its staging
   * array (stagingValues), else in TypeScript. For tests and diagnostics; allocates nothing but
   * uses the kernel's refinement buffers.
   */
  residualWithNorm(values: Float64Array, b: Float64Array, x: Float64Array, r: Float64Array): number {
    const n = this.n;
    const wasm = this.wasm;
    if (wasm && values === wasm.arrays.values) {
      wasm.arrays.rb.set(b.subarray(0, n));
      wasm.arrays.rx.set(x.subarray(0, n));
      const normA = wasm.residual(true);
      r.set(wasm.arrays.rr.subarray(0, n));
      return normA;
    }
    return this.residualAndNorm(values, b, x, r);
  }

  /** r = b − A x. */
  private residual(values: Float64Array, b: Float64Array, x: Float64Array, r: Float64Array): void {
    symMatVec(this.aPattern, values, x, r);
    for (let i = 0; i < this.n; i++) r[i] = b[i] - r[i];
  }

  /** r = b − A x and, in the same pass over A, ‖A‖∞ (returned). */
  private residualAndNorm(values: Float64Array, b: Float64Array, x: Float64Array, r: Float64Array): number {
    const { n, colPtr, rowIdx } = this.aPattern;
    const rowSum = this.work;
    rowSum.fill(0, 0, n);
    r.fill(0, 0, n);
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      let rj = 0;
      let sj = 0;
      const end = colPtr[j + 1];
      for (let q = colPtr[j]; q < end; q++) {
        const i = rowIdx[q];
        const a = values[q];
        const abs = Math.abs(a);
        sj += abs;
        if (i !== j) {
          r[i] += a * xj;
          rj += a * x[i];
          rowSum[i] += abs;
        } else rj += a * xj;
      }
      r[j] += rj;
      rowSum[j] += sj;
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      r[i] = b[i] - r[i];
      m = Math.max(m, rowSum[i]);
    }
    return m;
  }

  /** ‖r‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞) (0 when the denominator is 0 and r = 0; NaN in r propagates). */
  private relativeResidual(r: Float64Array, x: Float64Array, normA: number, normB: number): number {
    let rMax = 0;
    let xMax = 0;
    for (let i = 0; i < this.n; i++) {
      const a = Math.abs(r[i]);
      if (!(a <= rMax)) rMax = a; // NaN propagates
      xMax = Math.max(xMax, Math.abs(x[i]));
    }
    const denom = normA * xMax + normB;
    if (denom === 0) return rMax === 0 ? 0 : Infinity;
    return rMax / denom;
  }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function checkedPermutation(p: Int32Array, n: number): Int32Array {
  if (p.length !== n) throw new RangeError(`LdlSolver: ordering has length ${p.length}, expected ${n}`);
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = p[k];
    if (!(i >= 0 && i < n) || seen[i]) throw new RangeError('LdlSolver: ordering is not a permutation');
    seen[i] = 1;
  }
  return p.slice();
}
