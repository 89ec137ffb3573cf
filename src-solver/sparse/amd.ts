/**
 * Approximate minimum degree (AMD) ordering of a symmetric sparsity pattern.
 *
 * Problem: choose a permutation P so that the Cholesky / LDLᵀ factor of P A Pᵀ has few nonzeros.
 * Minimum degree eliminates, at every step, the node of least degree in the current elimination
 * graph; AMD replaces the exact degree by a cheap upper bound and works on the quotient graph, so
 * the whole ordering costs about O(nnz(A)) per "pass", not O(nnz(L)).
 *
 * Notation (Amestoy, Davis & Duff 1996):
 *   variable  i   an uneliminated node; its list holds first the elements adjacent to i
 *                 (elen[i] of them), then the variables adjacent to i (the pattern A_i)
 *   element   e   an eliminated pivot; its list L_e holds the variables of its clique
 *   supervariable — variables with identical adjacency, merged; nv[i] = its size (0 if merged away)
 *   degree d_i    the approximate external degree (AMD eq. 4):
 *                 d̄_i = min( n − k,  d̄_i^old + |L_p \ i|,  |A_i \ i| + |L_p \ i| + Σ_{e∈E_i\p} |L_e \ L_p| )
 *   mass elimination — a variable whose only neighbours lie in L_p is eliminated with p;
 *   aggressive absorption — an element with L_e ⊆ L_p is absorbed into p.
 *   Rows denser than max(16, α·√n) (α = 10) are removed at the start and ordered last.
 *
 * The output order is read off during elimination: each pivot, followed by the variables it
 * carries (supervariable members, mass-eliminated variables). The caller (LdlSolver) postorders
 * the elimination tree afterwards, which leaves the fill unchanged and improves locality.
 *
 * References: P. R. Amestoy, T. A. Davis, I. S. Duff, "An approximate minimum degree ordering
 * algorithm", SIAM J. Matrix Anal. Appl. 17(4):886–905, 1996 (algorithm 2, eq. 4);
 * T. A. Davis, "Direct Methods for Sparse Linear Systems", SIAM 2006, §7.1 (quotient-graph
 * storage with garbage collection). Written from the papers; no code copied.
 */
import type { SymmetricPattern } from './csc';

export interface AmdOptions {
  /** α in the dense-row threshold max(16, α√n); a negative value disables dense-row removal. Default 10. */
  readonly denseAlpha?: number;
}

/** Encodes "node j" as a negative number (and back): flip(flip(j)) = j, flip(j) < -1 for j ≥ 0. */
const flip = (j: number): number => -j - 2;

/** Returns perm with perm[k] = the original index of the k-th pivot. */
export function amdOrder(pattern: SymmetricPattern, options: AmdOptions = {}): Int32Array {
  const n = pattern.n;
  const perm = new Int32Array(n);
  if (n === 0) return perm;
  const { colPtr, rowIdx } = pattern;

  // --- Build the full adjacency graph (both triangles, no diagonal) with elbow room. ---
  const len = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
      const i = rowIdx[q];
      if (i !== j) {
        len[i]++;
        len[j]++;
      }
    }
  }
  let nzAdj = 0;
  for (let i = 0; i < n; i++) nzAdj += len[i];
  let capacity = nzAdj + Math.floor(nzAdj / 5) + 2 * n;
  let iw = new Int32Array(capacity);
  const pe = new Int32Array(n);
  {
    let p = 0;
    for (let i = 0; i < n; i++) {
      pe[i] = p;
      p += len[i];
    }
    const fillPos = pe.slice();
    for (let j = 0; j < n; j++) {
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
        const i = rowIdx[q];
        if (i !== j) {
          iw[fillPos[i]++] = j;
          iw[fillPos[j]++] = i;
        }
      }
    }
  }
  let cnz = nzAdj; // first free slot of iw

  const nv = new Int32Array(n).fill(1);
  const elen = new Int32Array(n);
  const degree = len.slice();
  const w = new Int32Array(n).fill(1);
  const head = new Int32Array(n + 1).fill(-1); // degree lists
  const next = new Int32Array(n).fill(-1);
  const last = new Int32Array(n).fill(-1);
  const hashHead = new Int32Array(n).fill(-1);
  // Output chains: the variables that will be ordered together with a principal variable.
  const chainNext = new Int32Array(n).fill(-1);
  const chainTail = new Int32Array(n);
  for (let i = 0; i < n; i++) chainTail[i] = i;
  let out = 0;
  const emit = (i: number): void => {
    for (let q = i; q !== -1; q = chainNext[q]) perm[out++] = q;
  };

  const alpha = options.denseAlpha ?? 10;
  let dense = alpha < 0 ? n : Math.max(16, alpha * Math.sqrt(n));
  dense = Math.min(n - 2, dense);
  const denseNodes: number[] = [];

  let nel = 0; // variables eliminated so far (weighted by supervariable size)
  let mindeg = 0;
  let lemax = 0;
  let mark = 0;
  const LIMIT = 1 << 30;
  /** Makes every live w below the returned mark (resetting all of them when mark would overflow). */
  const clearW = (m: number): number => {
    if (m < 2 || m + lemax >= LIMIT) {
      for (let x = 0; x < n; x++) if (w[x] !== 0) w[x] = 1;
      return 2;
    }
    return m;
  };
  mark = clearW(0);

  const removeFromDegreeList = (i: number): void => {
    const nx = next[i];
    const ls = last[i];
    if (nx !== -1) last[nx] = ls;
    if (ls !== -1) next[ls] = nx;
    else head[degree[i]] = nx;
  };

  for (let i = 0; i < n; i++) {
    const d = degree[i];
    if (d === 0) {
      // Empty row: eliminate now, no fill.
      elen[i] = -2;
      nel++;
      pe[i] = -1;
      w[i] = 0;
      emit(i);
    } else if (d > dense) {
      // Dense row: drop from the graph, order last.
      nv[i] = 0;
      elen[i] = -1;
      nel++;
      pe[i] = -1;
      denseNodes.push(i);
    } else {
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      head[d] = i;
    }
  }

  /** Compacts every live list to the front of iw (lists are found through markers flip(j)). */
  const collectGarbage = (): void => {
    for (let j = 0; j < n; j++) {
      const p = pe[j];
      if (p >= 0) {
        pe[j] = iw[p]; // save the first entry; the slot now marks the start of j's list
        iw[p] = flip(j);
      }
    }
    let q = 0;
    for (let p = 0; p < cnz;) {
      const j = flip(iw[p++]);
      if (j >= 0) {
        iw[q] = pe[j];
        pe[j] = q++;
        for (let t = 0; t < len[j] - 1; t++) iw[q++] = iw[p++];
      }
    }
    cnz = q;
  };

  while (nel < n) {
    // --- 1. Pivot: a variable of minimum approximate degree. ---
    let k = -1;
    for (; mindeg < n && (k = head[mindeg]) === -1; mindeg++);
    if (k === -1) throw new Error('amdOrder: internal error (no pivot)');
    if (next[k] !== -1) last[next[k]] = -1;
    head[mindeg] = next[k];
    const elenk = elen[k];
    let nvk = nv[k];
    nel += nvk;
    emit(k);

    // --- 2. Room for the new element at the end of iw (|L_k| ≤ its degree). ---
    if (elenk > 0 && cnz + mindeg >= capacity) {
      for (let j = 0; j < n; j++) if (pe[j] >= 0 && len[j] === 0) pe[j] = -1; // nothing to keep
      collectGarbage();
      if (cnz + mindeg >= capacity) {
        capacity = Math.max(2 * capacity, cnz + mindeg + n);
        const bigger = new Int32Array(capacity);
        bigger.set(iw.subarray(0, cnz));
        iw = bigger;
      }
    }

    // --- 3. New element L_k = (A_k ∪ ⋃_{e ∈ E_k} L_e) \ k; absorb the elements of E_k. ---
    let dk = 0;
    nv[k] = -nvk;
    let p = pe[k];
    const pk1 = elenk === 0 ? p : cnz;
    let pk2 = pk1;
    for (let k1 = 1; k1 <= elenk + 1; k1++) {
      let e: number;
      let pj: number;
      let ln: number;
      if (k1 > elenk) {
        e = k;
        pj = p;
        ln = len[k] - elenk;
      } else {
        e = iw[p++];
        pj = pe[e];
        ln = len[e];
      }
      for (let k2 = 1; k2 <= ln; k2++) {
        const i = iw[pj++];
        const nvi = nv[i];
        if (nvi <= 0) continue; // already in L_k, merged away or dense
        dk += nvi;
        nv[i] = -nvi; // negative nv flags membership of L_k
        iw[pk2++] = i;
        removeFromDegreeList(i);
      }
      if (e !== k) {
        pe[e] = flip(k);
        w[e] = 0;
      }
    }
    if (elenk !== 0) cnz = pk2;
    degree[k] = dk;
    pe[k] = pk1;
    len[k] = pk2 - pk1;
    elen[k] = -2;

    // --- 4. w[e] − mark = |L_e \ L_k| for every element e adjacent to L_k. ---
    mark = clearW(mark);
    for (let pk = pk1; pk < pk2; pk++) {
      const i = iw[pk];
      const eln = elen[i];
      if (eln <= 0) continue;
      const nvi = -nv[i];
      const wnvi = mark - nvi;
      const pEnd = pe[i] + eln;
      for (let q = pe[i]; q < pEnd; q++) {
        const e = iw[q];
        if (w[e] >= mark) w[e] -= nvi;
        else if (w[e] !== 0) w[e] = degree[e] + wnvi;
      }
    }

    // --- 5. Approximate degrees of the variables in L_k; aggressive absorption; mass elimination. ---
    for (let pk = pk1; pk < pk2; pk++) {
      const i = iw[pk];
      const p1 = pe[i];
      const p2 = p1 + elen[i] - 1;
      let pn = p1;
      let h = 0;
      let d = 0;
      for (let q = p1; q <= p2; q++) {
        const e = iw[q];
        if (w[e] !== 0) {
          const dext = w[e] - mark;
          if (dext > 0) {
            d += dext;
            iw[pn++] = e;
            h += e;
          } else {
            pe[e] = flip(k); // L_e ⊆ L_k: absorb e into k
            w[e] = 0;
          }
        }
      }
      elen[i] = pn - p1 + 1; // the surviving elements, plus k (inserted below)
      const p3 = pn;
      const p4 = p1 + len[i];
      for (let q = p2 + 1; q < p4; q++) {
        const j = iw[q];
        const nvj = nv[j];
        if (nvj <= 0) continue; // in L_k (now covered by element k), merged or dense
        d += nvj;
        iw[pn++] = j;
        h += j;
      }
      if (d === 0) {
        // Mass elimination: i is adjacent to nothing but L_k.
        pe[i] = flip(k);
        const nvi = -nv[i];
        dk -= nvi;
        nvk += nvi;
        nel += nvi;
        nv[i] = 0;
        elen[i] = -1;
        emit(i);
      } else {
        degree[i] = Math.min(degree[i], d);
        // Put element k first in i's list: move the first variable to the end, first element to p3.
        iw[pn] = iw[p3];
        iw[p3] = iw[p1];
        iw[p1] = k;
        len[i] = pn - p1 + 1;
        const bucket = h % n;
        next[i] = hashHead[bucket];
        hashHead[bucket] = i;
        last[i] = bucket;
      }
    }
    degree[k] = dk;
    lemax = Math.max(lemax, dk);
    mark = clearW(mark + lemax);

    // --- 6. Supervariable detection: variables of L_k with identical lists are merged. ---
    for (let pk = pk1; pk < pk2; pk++) {
      let i = iw[pk];
      if (nv[i] >= 0) continue; // mass-eliminated, or already handled
      const bucket = last[i];
      i = hashHead[bucket];
      hashHead[bucket] = -1;
      for (; i !== -1 && next[i] !== -1; i = next[i], mark++) {
        const ln = len[i];
        const eln = elen[i];
        const pi = pe[i];
        for (let q = pi + 1; q < pi + ln; q++) w[iw[q]] = mark;
        let jLast = i;
        for (let j = next[i]; j !== -1;) {
          let same = len[j] === ln && elen[j] === eln;
          const pj = pe[j];
          for (let q = pj + 1; same && q < pj + ln; q++) if (w[iw[q]] !== mark) same = false;
          if (same) {
            // j joins supervariable i.
            pe[j] = flip(i);
            nv[i] += nv[j];
            nv[j] = 0;
            elen[j] = -1;
            chainNext[chainTail[i]] = j;
            chainTail[i] = chainTail[j];
            j = next[j];
            next[jLast] = j;
          } else {
            jLast = j;
            j = next[j];
          }
        }
      }
    }

    // --- 7. Finalize degrees, reinsert the variables of L_k into the degree lists, compact L_k. ---
    let pOut = pk1;
    for (let pk = pk1; pk < pk2; pk++) {
      const i = iw[pk];
      const nvi = -nv[i];
      if (nvi <= 0) continue;
      nv[i] = nvi;
      let d = degree[i] + dk - nvi;
      d = Math.min(d, n - nel - nvi);
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      last[i] = -1;
      head[d] = i;
      if (d < mindeg) mindeg = d;
      degree[i] = d;
      iw[pOut++] = i;
    }
    nv[k] = nvk;
    len[k] = pOut - pk1;
    if (len[k] === 0) {
      pe[k] = -1;
      w[k] = 0;
    }
    if (elenk !== 0) cnz = pOut;
  }

  for (const i of denseNodes) emit(i);
  if (out !== n) throw new Error(`amdOrder: internal error (ordered ${out} of ${n} nodes)`);
  return perm;
}
