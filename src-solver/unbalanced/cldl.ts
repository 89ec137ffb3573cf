/**
 * Sparse LDLᵀ of a complex symmetric (not Hermitian) matrix, for the nodal admittance matrix Y.
 *
 * Why not the project's real LDLᵀ (../sparse/ldl) on [[G, −B], [−B, −G]]: that embedding doubles
 * the order and is indefinite, needing the KKT machinery's pivoting; Y itself is complex
 * symmetric with a strong diagonal (every node has its own series admittances, a source's
 * Thevenin admittance closes the system to ground), so a plain LDLᵀ without pivoting in complex
 * arithmetic is stable for it, half the size, and reuses the same symbolic tools: AMD ordering,
 * elimination tree and column counts (../sparse/amd, ../sparse/symbolic). A pivot that is exactly
 * zero (a node with nothing attached) is reported, never divided by.
 *
 * Numeric factorization is the up-looking algorithm (row k of L from the row subtree of k:
 * Davis, "Direct Methods for Sparse Linear Systems", SIAM 2006, §4.7 and the LDL package), written
 * for complex numbers stored as separate real and imaginary arrays. Structure once, values many:
 * `refactor()` reuses the ordering and pattern when only values change (taps, capacitor steps).
 */
import { amdOrder } from '../sparse/amd';
import { patternFromTriplets, type SymmetricPattern } from '../sparse/csc';
import { columnCounts, eliminationTree, permuteSymmetric } from '../sparse/symbolic';

export class ComplexLdl {
  readonly n: number;
  /** perm[k] = original index of pivot k. */
  private readonly perm: Int32Array;
  private readonly c: SymmetricPattern;
  /** Triplet k adds into c's slot slot[k]. */
  private readonly slot: Int32Array;
  private readonly parent: Int32Array;
  private readonly Lp: Int32Array;
  private readonly Li: Int32Array;
  private readonly Lxr: Float64Array;
  private readonly Lxi: Float64Array;
  private readonly Dr: Float64Array;
  private readonly Di: Float64Array;
  private readonly cr: Float64Array;
  private readonly ci: Float64Array;
  private readonly yr: Float64Array;
  private readonly yi: Float64Array;
  private readonly pattern: Int32Array;
  private readonly flag: Int32Array;
  private readonly lnz: Int32Array;

  /** `rows`/`cols`: the triplet pattern (either triangle; duplicates summed by `factor`). */
  constructor(n: number, rows: Int32Array, cols: Int32Array) {
    this.n = n;
    const { pattern: a, map } = patternFromTriplets(n, rows, cols);
    this.perm = n > 0 ? amdOrder(a) : new Int32Array(0);
    const { pattern: c, map: map2 } = permuteSymmetric(a, this.perm);
    this.c = c;
    this.slot = new Int32Array(map.length);
    for (let k = 0; k < map.length; k++) this.slot[k] = map2[map[k]];
    this.parent = eliminationTree(c);
    const counts = columnCounts(c, this.parent);
    this.Lp = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) this.Lp[j + 1] = this.Lp[j] + counts[j];
    const nnz = this.Lp[n];
    this.Li = new Int32Array(nnz);
    this.Lxr = new Float64Array(nnz);
    this.Lxi = new Float64Array(nnz);
    this.Dr = new Float64Array(n);
    this.Di = new Float64Array(n);
    this.cr = new Float64Array(c.colPtr[n]);
    this.ci = new Float64Array(c.colPtr[n]);
    this.yr = new Float64Array(n);
    this.yi = new Float64Array(n);
    this.pattern = new Int32Array(n);
    this.flag = new Int32Array(n);
    this.lnz = new Int32Array(n);
  }

  /** Nonzeros of L (strictly lower). */
  get factorNnz(): number {
    return this.Lp[this.n];
  }

  /**
   * Factors the matrix whose triplet k has value (re[k], im[k]) (same triplet order as the
   * constructor's). Returns the original index of a zero pivot, or −1 on success.
   */
  factor(re: Float64Array, im: Float64Array): number {
    const { n, c, slot, parent, Lp, Li, Lxr, Lxi, Dr, Di, cr, ci, yr, yi, pattern, flag, lnz } = this;
    cr.fill(0);
    ci.fill(0);
    for (let k = 0; k < slot.length; k++) {
      cr[slot[k]] += re[k];
      ci[slot[k]] += im[k];
    }
    for (let k = 0; k < n; k++) {
      // Scatter column k of the upper triangle (rows ≤ k) and find the row pattern of L.
      yr[k] = 0;
      yi[k] = 0;
      let top = n;
      flag[k] = k;
      lnz[k] = 0;
      for (let q = c.colPtr[k]; q < c.colPtr[k + 1]; q++) {
        let i = c.rowIdx[q];
        yr[i] += cr[q];
        yi[i] += ci[q];
        let len = 0;
        for (; flag[i] !== k; i = parent[i]) {
          pattern[len++] = i;
          flag[i] = k;
        }
        while (len > 0) pattern[--top] = pattern[--len];
      }
      let dr = yr[k];
      let di = yi[k];
      yr[k] = 0;
      yi[k] = 0;
      for (; top < n; top++) {
        const i = pattern[top];
        const vr = yr[i];
        const vi = yi[i];
        yr[i] = 0;
        yi[i] = 0;
        const end = Lp[i] + lnz[i];
        for (let p = Lp[i]; p < end; p++) {
          const r = Li[p];
          const lr = Lxr[p];
          const li = Lxi[p];
          yr[r] -= lr * vr - li * vi;
          yi[r] -= lr * vi + li * vr;
        }
        // l_ki = v / D_i
        const ddr = Dr[i];
        const ddi = Di[i];
        const den = ddr * ddr + ddi * ddi;
        const lr = (vr * ddr + vi * ddi) / den;
        const li = (vi * ddr - vr * ddi) / den;
        dr -= lr * vr - li * vi;
        di -= lr * vi + li * vr;
        Li[end] = k;
        Lxr[end] = lr;
        Lxi[end] = li;
        lnz[i]++;
      }
      if (dr === 0 && di === 0) return this.perm[k];
      Dr[k] = dr;
      Di[k] = di;
    }
    return -1;
  }

  /** Solves Y x = b in place (b: real and imaginary parts, original ordering). */
  solve(br: Float64Array, bi: Float64Array): void {
    const { n, perm, Lp, Li, Lxr, Lxi, Dr, Di, yr, yi } = this;
    for (let k = 0; k < n; k++) {
      yr[k] = br[perm[k]];
      yi[k] = bi[perm[k]];
    }
    for (let j = 0; j < n; j++) {
      const vr = yr[j];
      const vi = yi[j];
      // Contributions decay geometrically along long radial chains; below 1e-250 they would
      // become subnormal numbers, which cost ~100× per operation and are 0 for any purpose here.
      if (Math.abs(vr) + Math.abs(vi) < 1e-250) {
        yr[j] = 0;
        yi[j] = 0;
        continue;
      }
      for (let p = Lp[j]; p < Lp[j + 1]; p++) {
        const r = Li[p];
        yr[r] -= Lxr[p] * vr - Lxi[p] * vi;
        yi[r] -= Lxr[p] * vi + Lxi[p] * vr;
      }
    }
    for (let j = 0; j < n; j++) {
      const den = Dr[j] * Dr[j] + Di[j] * Di[j];
      const vr = yr[j];
      const vi = yi[j];
      yr[j] = (vr * Dr[j] + vi * Di[j]) / den;
      yi[j] = (vi * Dr[j] - vr * Di[j]) / den;
    }
    for (let j = n - 1; j >= 0; j--) {
      let vr = yr[j];
      let vi = yi[j];
      for (let p = Lp[j]; p < Lp[j + 1]; p++) {
        const r = Li[p];
        vr -= Lxr[p] * yr[r] - Lxi[p] * yi[r];
        vi -= Lxr[p] * yi[r] + Lxi[p] * yr[r];
      }
      yr[j] = vr;
      yi[j] = vi;
    }
    for (let k = 0; k < n; k++) {
      br[perm[k]] = yr[k];
      bi[perm[k]] = yi[k];
    }
  }
}
