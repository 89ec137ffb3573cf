/**
 * A fill-reducing ordering for KKT matrices that keeps 1×1 static pivoting well defined even
 * without regularization (δc = 0).
 *
 * Problem: for K = [W Jᵀ; J 0] with W ≻ 0, a leading principal block of P K Pᵀ holding variables S
 * and constraint rows R is [W_SS J_RSᵀ; J_RS 0], nonsingular iff J_RS has full row rank. Plain AMD
 * happily eliminates a constraint row before any of its variables (its pivot is then exactly 0:
 * on OPF-like matrices thousands of zero pivots, see ldl.bench / the report). Here every constraint
 * c is matched to a distinct variable m(c) with J_{c,m(c)} ≠ 0, each pair {m(c), c} is one node of
 * a compressed graph ordered by AMD, and each pair is expanded as m(c) then c. Then every prefix of
 * the order contains m(c) for every c it contains, so J_RS is structurally of full row rank and,
 * generically, no pivot is zero. (If J is structurally rank deficient, the unmatched rows go last
 * and the factorization reports them as zero pivots, which is the truth for δc = 0.)
 *
 * Structure alone is not enough numerically: matched to a small entry (say −2P_ij of the branch
 * power row when P_ij ≈ 0), a row gives a tiny pivot. Measured on OPF-like matrices with δc = 0
 * (N = 512…4096 buses, T = 24): a structural matching met pivots of 1e-12…1e-13 and some were
 * flagged zero; matching on |J| at the current point gave min |d_k| ≈ 1e-4 and the exact inertia
 * every time. So pass `values` (e.g. the KKT at x0). The ordering stays fixed while the values
 * move; if a matched entry later becomes tiny, `factor` reports the pivot (ok = false) and the
 * caller's δc > 0 retry (quasi-definite: always factorizable) takes over.
 *
 * Cost: pairing restricts AMD. On the OPF-like KKT (bench/cases/ldl.bench.ts, T = 24) nnz(L) is
 * 1.33× plain AMD's at N = 128 (flops 1.8×) and 1.41× at N = 10 240 (2M rows; flops 4.1×,
 * factor ≈ 1 s vs 0.3–0.5 s). Plain AMD + always δc > 0 is the faster alternative.
 *
 * Notation: variables 0..nVar−1, constraint rows nVar..n−1 (Ipopt's x-then-λ order); m(c) the
 * matching. Matching: greedy (largest |J_cj| when values are given, else the variable with the
 * fewest constraint neighbours), completed by augmenting paths (a maximum matching).
 *
 * References: I. S. Duff, J. Koster, "On algorithms for permuting large entries to the diagonal
 * of a sparse matrix", SIAM J. Matrix Anal. Appl. 22(4), 2001 (matchings for pivoting);
 * O. Schenk, K. Gärtner, "On fast factorization pivoting methods for sparse symmetric indefinite
 * systems", ETNA 23, 2006 (pairs compressed before the fill-reducing ordering).
 */
import { type SymmetricPattern, patternFromTriplets } from '../../sparse/csc';
import { amdOrder } from '../../sparse/amd';

export interface KktOrdering {
  /** perm[k] = original index eliminated k-th (pass as LdlSolver's `ordering`). */
  readonly perm: Int32Array;
  /** Constraint rows left unmatched (structural rank deficiency of J); they are ordered last. */
  readonly unmatched: number;
}

/**
 * @param nVar   number of primal variables (the first nVar rows/columns); the rest are constraints.
 * @param values optional values of the pattern; when given, the matching prefers large |J_cj|.
 */
export function kktAmdOrder(pattern: SymmetricPattern, nVar: number, values?: Float64Array): KktOrdering {
  const n = pattern.n;
  if (!(nVar >= 0 && nVar <= n)) throw new RangeError(`kktAmdOrder: nVar ${nVar} outside [0, ${n}]`);
  const nCon = n - nVar;
  const { colPtr, rowIdx } = pattern;

  // --- J as constraint → variable adjacency (with |value| when known). ---
  const conStart = new Int32Array(nCon + 1);
  for (let j = nVar; j < n; j++)
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) if (rowIdx[q] < nVar) conStart[j - nVar + 1]++;
  for (let c = 0; c < nCon; c++) conStart[c + 1] += conStart[c];
  const conVar = new Int32Array(conStart[nCon]);
  const conAbs = new Float64Array(conStart[nCon]);
  const varDegree = new Int32Array(nVar);
  {
    const fill = conStart.slice(0, nCon);
    for (let j = nVar; j < n; j++)
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
        const i = rowIdx[q];
        if (i >= nVar) continue;
        const s = fill[j - nVar]++;
        conVar[s] = i;
        conAbs[s] = values ? Math.abs(values[q]) : 1;
        varDegree[i]++;
      }
  }

  // --- Greedy matching. ---
  const matchOfCon = new Int32Array(nCon).fill(-1);
  const matchOfVar = new Int32Array(nVar).fill(-1);
  for (let c = 0; c < nCon; c++) {
    let best = -1;
    let bestAbs = 0;
    for (let s = conStart[c]; s < conStart[c + 1]; s++) {
      const v = conVar[s];
      if (matchOfVar[v] !== -1 || conAbs[s] === 0) continue;
      const better = best === -1 || conAbs[s] > bestAbs || (conAbs[s] === bestAbs && varDegree[v] < varDegree[best]);
      if (better) {
        best = v;
        bestAbs = conAbs[s];
      }
    }
    if (best !== -1) {
      matchOfCon[c] = best;
      matchOfVar[best] = c;
    }
  }

  // --- Augmenting paths for the constraints left over (iterative DFS, one stamp per search). ---
  const visited = new Int32Array(nVar).fill(-1);
  const stackCon = new Int32Array(nCon);
  const stackPos = new Int32Array(nCon);
  const viaVar = new Int32Array(nCon); // the variable through which stack entry k was reached
  for (let c0 = 0; c0 < nCon; c0++) {
    if (matchOfCon[c0] !== -1) continue;
    let top = 0;
    stackCon[0] = c0;
    stackPos[0] = conStart[c0];
    let found = -1;
    while (top >= 0 && found === -1) {
      const c = stackCon[top];
      let advanced = false;
      while (stackPos[top] < conStart[c + 1]) {
        const s = stackPos[top]++;
        const v = conVar[s];
        if (visited[v] === c0 || conAbs[s] === 0) continue;
        visited[v] = c0;
        const owner = matchOfVar[v];
        if (owner === -1) {
          found = v;
          break;
        }
        top++;
        stackCon[top] = owner;
        stackPos[top] = conStart[owner];
        viaVar[top] = v;
        advanced = true;
        break;
      }
      if (found === -1 && !advanced) top--;
    }
    if (found === -1) continue;
    // Flip the path: stack entry k takes viaVar[k+1] (the variable it gave up), the top takes found.
    let v = found;
    for (let k = top; k >= 0; k--) {
      const c = stackCon[k];
      const give = k > 0 ? viaVar[k] : -1;
      matchOfCon[c] = v;
      matchOfVar[v] = c;
      v = give;
    }
  }

  // --- Compressed graph: node of a variable = its index; a matched constraint shares its
  //     variable's node; an unmatched constraint is left out of the AMD graph and ordered last. ---
  const node = new Int32Array(n);
  for (let v = 0; v < nVar; v++) node[v] = v;
  let unmatched = 0;
  for (let c = 0; c < nCon; c++) {
    if (matchOfCon[c] !== -1) node[nVar + c] = matchOfCon[c];
    else {
      node[nVar + c] = -1;
      unmatched++;
    }
  }
  let nEdges = 0;
  for (let j = 0; j < n; j++)
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) if (node[rowIdx[q]] >= 0 && node[j] >= 0) nEdges++;
  const er = new Int32Array(nEdges);
  const ec = new Int32Array(nEdges);
  let e = 0;
  for (let j = 0; j < n; j++)
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
      const a = node[rowIdx[q]];
      const b = node[j];
      if (a >= 0 && b >= 0) {
        er[e] = a;
        ec[e++] = b;
      }
    }
  const compressed = patternFromTriplets(nVar, er, ec).pattern;
  const order = amdOrder(compressed);

  // --- Expand: each variable, then the constraint matched to it; unmatched constraints last. ---
  const perm = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < nVar; t++) {
    const v = order[t];
    perm[k++] = v;
    if (matchOfVar[v] !== -1) perm[k++] = nVar + matchOfVar[v];
  }
  for (let c = 0; c < nCon; c++) if (matchOfCon[c] === -1) perm[k++] = nVar + c;
  return { perm, unmatched };
}
