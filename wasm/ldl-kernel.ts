/**
 * WebAssembly kernel (AssemblyScript) of the supernodal LDLᵀ in src-solver/sparse/ldl.ts: the
 * numeric factorization and the triangular solves, the two loops that take most of an interior-
 * point iteration on large problems. Same algorithm, same data layout and the same pivot rule
 * as the TypeScript kernel in ldl.ts (which stays the reference and the fallback); the gain
 * comes from no bounds checks and 128-bit SIMD (two f64 per instruction) in the dense inner
 * loops, from computing each descendant's update as a small dense product in registers
 * (updateBlock) instead of a column of axpys into a work array, and from following the update
 * schedule precomputed with the structure (supernodal.ts UpdateSchedule: which descendants, in
 * the TS kernel's list order, and where their rows land) instead of walking lists and mapping
 * rows in every factorization. Built by `npm run build:wasm` (tools/build-wasm.mjs) into
 * src-solver/sparse/ldlKernelWasm.ts.
 *
 * Memory: imported; the JS side (LdlSolver) lays out every array once and passes byte offsets
 * to `setup`. Nothing is allocated here. i32 arrays: ss, rp, ri, bp, colSuper, aToL, diagL,
 * pairStart, pairDesc, pairP0, pairM1 (the update schedule, supernodal.ts), u16: rel; f64 arrays: lx, d, dInv, scale, tmp, wbuf, values, z.
 */

let N: i32 = 0;
let NSUPER: i32 = 0;
let NNZA: i32 = 0;
let STORED: i32 = 0;
let SS: usize = 0;
let RP: usize = 0;
let RI: usize = 0;
let BP: usize = 0;
let CS: usize = 0;
let ATOL: usize = 0;
let DIAGL: usize = 0;
let PSTART: usize = 0;
let PDESC: usize = 0;
let PP0: usize = 0;
let PM1: usize = 0;
let REL: usize = 0;
/** The current update's row positions in the target block: u16 entries in REL. */
let RELP: usize = 0;
let LX: usize = 0;
let D: usize = 0;
let DINV: usize = 0;
let SCALE: usize = 0;
let TMP: usize = 0;
let WBUF: usize = 0;
let VALUES: usize = 0;
let Z: usize = 0;
let PERM: usize = 0;
let B: usize = 0;
let POSITIVE: i32 = 0;
let NEGATIVE: i32 = 0;

// @ts-ignore: decorator
@inline function gi(base: usize, k: i32): i32 {
  return load<i32>(base + (<usize>k << 2));
}
// @ts-ignore: decorator
@inline function si(base: usize, k: i32, v: i32): void {
  store<i32>(base + (<usize>k << 2), v);
}
// @ts-ignore: decorator
@inline function rel(k: i32): i32 {
  return <i32>load<u16>(RELP + (<usize>k << 1));
}
// @ts-ignore: decorator
@inline function gf(base: usize, k: i32): f64 {
  return load<f64>(base + (<usize>k << 3));
}
// @ts-ignore: decorator
@inline function sf(base: usize, k: i32, v: f64): void {
  store<f64>(base + (<usize>k << 3), v);
}
// @ts-ignore: decorator
@inline function ad(base: usize, k: i32): usize {
  return base + (<usize>k << 3);
}

export function setup(
  n: i32, nsuper: i32, nnzA: i32, stored: i32,
  ss: usize, rp: usize, ri: usize, bp: usize, cs: usize, aToL: usize, diagL: usize,
  pairStart: usize, pairDesc: usize, pairP0: usize, pairM1: usize, rel: usize,
  lx: usize, d: usize, dInv: usize, scale: usize, tmp: usize, wbuf: usize, values: usize, z: usize, perm: usize, b: usize,
): void {
  N = n; NSUPER = nsuper; NNZA = nnzA; STORED = stored;
  SS = ss; RP = rp; RI = ri; BP = bp; CS = cs; ATOL = aToL; DIAGL = diagL;
  PSTART = pairStart; PDESC = pairDesc; PP0 = pairP0; PM1 = pairM1; REL = rel;
  LX = lx; D = d; DINV = dInv; SCALE = scale; TMP = tmp; WBUF = wbuf; VALUES = values; Z = z; PERM = perm; B = b;
}

export function positive(): i32 {
  return POSITIVE;
}
export function negative(): i32 {
  return NEGATIVE;
}

/** y[0..len) += x[0..len) · w (SIMD; unaligned loads are allowed). */
// @ts-ignore: decorator
@inline function axpy1(y: usize, x: usize, w: f64, len: i32): void {
  const vw = f64x2.splat(w);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v128.load(x + o), vw)));
  }
  if (i < len) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + load<f64>(x + o) * w);
  }
}

/** y[0..len) += x0[0..len) · w0 + x1[0..len) · w1: one load/store of y per two columns. */
// @ts-ignore: decorator
@inline function axpy2(y: usize, x0: usize, w0: f64, x1: usize, w1: f64, len: i32): void {
  const v0 = f64x2.splat(w0);
  const v1 = f64x2.splat(w1);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.add(f64x2.mul(v128.load(x0 + o), v0), f64x2.mul(v128.load(x1 + o), v1))));
  }
  if (i < len) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + (load<f64>(x0 + o) * w0 + load<f64>(x1 + o) * w1));
  }
}

/**
 * The update of one descendant d into the target block (column-major at px, nr rows; first
 * column f), register-blocked: for target columns jj (two at a time) and rows ii ≥ jj of d (four,
 * then two, then one at a time, SIMD over rows), u = Σ_t L_d[ii, t] · w[jj, t] is summed over
 * d's ncd columns in registers and subtracted straight from the target entry (row rel(ii),
 * column rel(jj)): no dense work column to clear, accumulate into and read back. ld: base of
 * L_d's row p0 in its first column, stride: bytes between d's columns, w = WBUF (l·d, ncd per row).
 */
// @ts-ignore: decorator
@inline function updateBlock(f: i32, px: i32, nr: i32, ld: usize, stride: usize, ncd: i32, j0: i32, m1: i32, m2: i32): void {
  let jj = j0;
  for (; jj + 1 < m1; jj += 2) {
    const w0 = WBUF + (<usize>(jj * ncd) << 3);
    const w1 = w0 + (<usize>ncd << 3);
    const col0 = rel(jj);
    const col1 = rel(jj + 1);
    const tb0 = px + col0 * nr;
    const tb1 = px + col1 * nr;
    // rows jj and jj+1: the diagonal entries (and the SCALE sums), the one entry (jj+1, jj)
    let a0 = 0.0;
    let a1 = 0.0;
    let u00 = 0.0;
    let u10 = 0.0;
    let u11 = 0.0;
    let lp = ld + (<usize>jj << 3);
    for (let t = 0; t < ncd; t++) {
      const x0 = load<f64>(lp);
      const x1 = load<f64>(lp, 8);
      const v0 = load<f64>(w0 + (<usize>t << 3));
      const v1 = load<f64>(w1 + (<usize>t << 3));
      const p00 = x0 * v0;
      const p11 = x1 * v1;
      a0 += Math.abs(p00);
      a1 += Math.abs(p11);
      u00 += p00;
      u10 += x1 * v0;
      u11 += p11;
      lp += stride;
    }
    sf(SCALE, f + col0, gf(SCALE, f + col0) + a0);
    sf(SCALE, f + col1, gf(SCALE, f + col1) + a1);
    let q = tb0 + col0;
    sf(LX, q, gf(LX, q) - u00);
    q = tb0 + col1;
    sf(LX, q, gf(LX, q) - u10);
    q = tb1 + col1;
    sf(LX, q, gf(LX, q) - u11);
    // rows jj+2 .. m2-1, four at a time
    let ii = jj + 2;
    for (; ii + 3 < m2; ii += 4) {
      let s0a = f64x2.splat(0);
      let s0b = f64x2.splat(0);
      let s1a = f64x2.splat(0);
      let s1b = f64x2.splat(0);
      let lq = ld + (<usize>ii << 3);
      for (let t = 0; t < ncd; t++) {
        const xa = v128.load(lq);
        const xb = v128.load(lq, 16);
        const v0 = f64x2.splat(load<f64>(w0 + (<usize>t << 3)));
        const v1 = f64x2.splat(load<f64>(w1 + (<usize>t << 3)));
        s0a = f64x2.add(s0a, f64x2.mul(xa, v0));
        s0b = f64x2.add(s0b, f64x2.mul(xb, v0));
        s1a = f64x2.add(s1a, f64x2.mul(xa, v1));
        s1b = f64x2.add(s1b, f64x2.mul(xb, v1));
        lq += stride;
      }
      const r0 = rel(ii);
      const r1 = rel(ii + 1);
      const r2 = rel(ii + 2);
      const r3 = rel(ii + 3);
      q = tb0 + r0;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s0a, 0));
      q = tb0 + r1;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s0a, 1));
      q = tb0 + r2;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s0b, 0));
      q = tb0 + r3;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s0b, 1));
      q = tb1 + r0;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s1a, 0));
      q = tb1 + r1;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s1a, 1));
      q = tb1 + r2;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s1b, 0));
      q = tb1 + r3;
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(s1b, 1));
    }
    for (; ii < m2; ii++) {
      let s0 = 0.0;
      let s1 = 0.0;
      let lq = ld + (<usize>ii << 3);
      for (let t = 0; t < ncd; t++) {
        const x = load<f64>(lq);
        s0 += x * load<f64>(w0 + (<usize>t << 3));
        s1 += x * load<f64>(w1 + (<usize>t << 3));
        lq += stride;
      }
      const r = rel(ii);
      q = tb0 + r;
      sf(LX, q, gf(LX, q) - s0);
      q = tb1 + r;
      sf(LX, q, gf(LX, q) - s1);
    }
  }
  if (jj < m1) {
    // the last target column alone
    const w0 = WBUF + (<usize>(jj * ncd) << 3);
    const col0 = rel(jj);
    const tb0 = px + col0 * nr;
    let a0 = 0.0;
    let u00 = 0.0;
    let lp = ld + (<usize>jj << 3);
    for (let t = 0; t < ncd; t++) {
      const p = load<f64>(lp) * load<f64>(w0 + (<usize>t << 3));
      a0 += Math.abs(p);
      u00 += p;
      lp += stride;
    }
    sf(SCALE, f + col0, gf(SCALE, f + col0) + a0);
    let q = tb0 + col0;
    sf(LX, q, gf(LX, q) - u00);
    let ii = jj + 1;
    for (; ii + 3 < m2; ii += 4) {
      let sa = f64x2.splat(0);
      let sb = f64x2.splat(0);
      let lq = ld + (<usize>ii << 3);
      for (let t = 0; t < ncd; t++) {
        const v = f64x2.splat(load<f64>(w0 + (<usize>t << 3)));
        sa = f64x2.add(sa, f64x2.mul(v128.load(lq), v));
        sb = f64x2.add(sb, f64x2.mul(v128.load(lq, 16), v));
        lq += stride;
      }
      q = tb0 + rel(ii);
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(sa, 0));
      q = tb0 + rel(ii + 1);
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(sa, 1));
      q = tb0 + rel(ii + 2);
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(sb, 0));
      q = tb0 + rel(ii + 3);
      sf(LX, q, gf(LX, q) - f64x2.extract_lane(sb, 1));
    }
    for (; ii < m2; ii++) {
      let s0 = 0.0;
      let lq = ld + (<usize>ii << 3);
      for (let t = 0; t < ncd; t++) {
        s0 += load<f64>(lq) * load<f64>(w0 + (<usize>t << 3));
        lq += stride;
      }
      q = tb0 + rel(ii);
      sf(LX, q, gf(LX, q) - s0);
    }
  }
}

/**
 * Numeric factorization of the values at VALUES (A's entries in pattern order). Returns the
 * number of zero pivots; positive()/negative() give the rest of the inertia.
 */
export function factor(tol: f64): i32 {
  prepare();
  return factorRange(0, NSUPER, 0, tol);
}

/** The factorization's first pass: the blocks cleared, A's values scattered, SCALE = |c_kk|. */
export function prepare(): void {
  memory.fill(LX, 0, <usize>STORED << 3);
  for (let q = 0; q < NNZA; q++) sf(LX, gi(ATOL, q), gf(VALUES, q));
  for (let k = 0; k < N; k++) sf(SCALE, k, Math.abs(gf(LX, gi(DIAGL, k))));
}

/**
 * `prepare` for supernodes s0 .. s1-1 only (two threads: each prepares what it factors): their
 * blocks cleared, the `count` entries of A listed (i32 indices into VALUES) at `list` scattered
 * — those whose slot lies in these blocks — and SCALE of their columns. The same stores as
 * `prepare`, so the same factor.
 */
export function prepareRange(s0: i32, s1: i32, list: usize, count: i32): void {
  const b0 = gi(BP, s0);
  memory.fill(ad(LX, b0), 0, <usize>(gi(BP, s1) - b0) << 3);
  for (let k = 0; k < count; k++) {
    const q = load<i32>(list + (<usize>k << 2));
    sf(LX, gi(ATOL, q), gf(VALUES, q));
  }
  const k1 = gi(SS, s1);
  for (let k = gi(SS, s0); k < k1; k++) sf(SCALE, k, Math.abs(gf(LX, gi(DIAGL, k))));
}

/**
 * Supernodes s0 .. s1-1 of the factorization (after `prepare`), every supernode they update from
 * already factored; rc0: the first REL entry of their updates (Σ of the m2 of the schedule's
 * earlier updates). The same arithmetic per supernode whoever calls it, so a factor assembled
 * from ranges — on two instances sharing the memory, each with its own WBUF — is the one-call
 * factor to the bit. Returns the zero pivots of the range; positive()/negative() its others.
 */
export function factorRange(s0: i32, s1: i32, rc0: i32, tol: f64): i32 {
  let rc = rc0; // next entry of REL
  DPOS = 0;
  DNEG = 0;
  DZERO = 0;
  for (let s = s0; s < s1; s++) {
    rc = updates(s, rc, 0, 0x7fffffff);
    denseBlock(s, tol);
  }
  POSITIVE = DPOS;
  NEGATIVE = DNEG;
  return DZERO;
}

/** Pivots of the dense factorizations since factorRange/denseFactor began (this instance's). */
let DPOS: i32 = 0;
let DNEG: i32 = 0;
let DZERO: i32 = 0;

/**
 * Only the descendants' updates of supernode s (REL from rc0) into its target columns c0 .. c1-1
 * (block-relative): two threads may each take a column range of one supernode — every entry
 * gets the same updates in the same order as in factorRange, so the same value.
 */
export function updateColumns(s: i32, rc0: i32, c0: i32, c1: i32): void {
  updates(s, rc0, c0, c1);
}

/** Only the dense LDLᵀ of supernode s's block (after all its updates); returns its zero pivots, positive()/negative() the others. */
export function denseFactor(s: i32, tol: f64): i32 {
  DPOS = 0;
  DNEG = 0;
  DZERO = 0;
  denseBlock(s, tol);
  POSITIVE = DPOS;
  NEGATIVE = DNEG;
  return DZERO;
}

/** The scheduled updates of supernode s into its columns c0 .. c1-1, REL from rc; returns the next rc. */
function updates(s: i32, rc: i32, c0: i32, c1: i32): i32 {
  const f = gi(SS, s);
  const l = gi(SS, s + 1);
  const nc = l - f;
  const r0 = gi(RP, s);
  const nr = gi(RP, s + 1) - r0;
  const px = gi(BP, s);
  const full = c0 <= 0 && c1 >= nc;
  // --- updates from descendants whose rows reach f..l-1 (the precomputed schedule) ---
  const kEnd = gi(PSTART, s + 1);
  for (let k = gi(PSTART, s); k < kEnd; k++) {
    const dd = gi(PDESC, k);
    const fd = gi(SS, dd);
    const ncd = gi(SS, dd + 1) - fd;
    const nrd = gi(RP, dd + 1) - gi(RP, dd);
    const pxd = gi(BP, dd);
    const p0 = gi(PP0, k);
    const m1 = gi(PM1, k);
    const m2 = nrd - p0;
    RELP = REL + (<usize>rc << 1); // u16: a supernode has at most 65,536 rows here
    rc += m2;
    // d's target columns within c0 .. c1-1: jj in jlo .. jhi-1 (rel is increasing in jj)
    let jlo = 0;
    let jhi = m1;
    if (!full) {
      while (jlo < m1 && rel(jlo) < c0) jlo++;
      jhi = jlo;
      while (jhi < m1 && rel(jhi) < c1) jhi++;
      if (jlo == jhi) continue;
    }
    if (ncd == 1 && m1 == 1) {
      // one column into one target column: w = l·d, that column −= l_{rows} · w
      const base = pxd + p0;
      const l0 = gf(LX, base);
      const w = l0 * gf(D, fd);
      if (w != 0) {
        const col = rel(0);
        sf(SCALE, f + col, gf(SCALE, f + col) + Math.abs(l0 * w));
        const tb = px + col * nr;
        let q = tb + col;
        sf(LX, q, gf(LX, q) - l0 * w);
        let ii = 1;
        const vw = f64x2.splat(w);
        for (; ii + 1 < m2; ii += 2) {
          const u = f64x2.mul(v128.load(ad(LX, base + ii)), vw);
          q = tb + rel(ii);
          sf(LX, q, gf(LX, q) - f64x2.extract_lane(u, 0));
          q = tb + rel(ii + 1);
          sf(LX, q, gf(LX, q) - f64x2.extract_lane(u, 1));
        }
        if (ii < m2) {
          q = tb + rel(ii);
          sf(LX, q, gf(LX, q) - gf(LX, base + ii) * w);
        }
      }
    } else if (ncd == 1) {
      const base = pxd + p0;
      const dt = gf(D, fd);
      for (let jj = jlo; jj < jhi; jj++) {
        const ljj = gf(LX, base + jj);
        const w = ljj * dt;
        if (w == 0) continue;
        const col = rel(jj);
        sf(SCALE, f + col, gf(SCALE, f + col) + Math.abs(ljj * w));
        const tb = px + col * nr;
        for (let ii = jj; ii < m2; ii++) {
          const q = tb + rel(ii);
          sf(LX, q, gf(LX, q) - gf(LX, base + ii) * w);
        }
      }
    } else {
      // wbuf[jj·ncd + t] = l_{row jj, t} · d_t
      for (let t = 0; t < ncd; t++) {
        const dt = gf(D, fd + t);
        const base = pxd + t * nrd + p0;
        for (let jj = jlo; jj < jhi; jj++) sf(WBUF, jj * ncd + t, gf(LX, base + jj) * dt);
      }
      updateBlock(f, px, nr, ad(LX, pxd + p0), <usize>nrd << 3, ncd, jlo, jhi, m2);
    }
  }

  return rc;
}

/** The dense LDLᵀ of supernode s's block, 1×1 pivots in order; counts into DPOS/DNEG/DZERO. */
function denseBlock(s: i32, tol: f64): void {
  const f = gi(SS, s);
  const l = gi(SS, s + 1);
  const nc = l - f;
  const r0 = gi(RP, s);
  const nr = gi(RP, s + 1) - r0;
  const px = gi(BP, s);
  // --- dense LDLᵀ of the block, 1×1 pivots in order (left-looking inside the block) ---
  if (nc == 1) {
    // a single column (most supernodes of the KKT matrices): the pivot, then the column scaled
    const y = ad(LX, px);
    pivotAndScale(y, f, gf(SCALE, f), nr, tol);
    return;
  }
  for (let j = 0; j < nc; j++) {
    const k = f + j;
    const cj = px + j * nr;
    const y = ad(LX, cj + j);
    const len = nr - j;
    let acc = 0.0;
    let t = 0;
    for (; t + 1 < j; t += 2) {
      const c0 = px + t * nr;
      const c1 = c0 + nr;
      const l0 = gf(LX, c0 + j);
      const l1 = gf(LX, c1 + j);
      const w0 = l0 * gf(D, f + t);
      const w1 = l1 * gf(D, f + t + 1);
      acc += Math.abs(w0 * l0) + Math.abs(w1 * l1);
      axpy2(y, ad(LX, c0 + j), -w0, ad(LX, c1 + j), -w1, len); // y −= l_{·t} w_t, two columns at once
    }
    if (t < j) {
      const c0 = px + t * nr;
      const l0 = gf(LX, c0 + j);
      const w0 = l0 * gf(D, f + t);
      acc += Math.abs(w0 * l0);
      axpy1(y, ad(LX, c0 + j), -w0, len);
    }
    const sc = gf(SCALE, k) + acc;
    sf(SCALE, k, sc);
    pivotAndScale(y, k, sc, len, tol);
  }
}

/**
 * Column k's pivot d_k = y[0] (counted into DPOS/DNEG/DZERO against tol · sc), then the len − 1
 * entries below it scaled by 1/d_k. A zero pivot gives 1/d_k = 0: l_{*k} becomes 0, so the rest
 * of the factor stays finite.
 */
@inline function pivotAndScale(y: usize, k: i32, sc: f64, len: i32, tol: f64): void {
  const dk = load<f64>(y);
  sf(D, k, dk);
  let di: f64;
  if (Math.abs(dk) > tol * sc && isFinite(dk) && isFinite(sc)) {
    di = 1 / dk;
    if (dk > 0) DPOS++;
    else DNEG++;
  } else {
    di = 0;
    DZERO++;
  }
  sf(DINV, k, di);
  const vd = f64x2.splat(di);
  let i = 1;
  for (; i + 1 < len; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.mul(v128.load(y + o), vd));
  }
  if (i < len) store<f64>(y + (<usize>i << 3), load<f64>(y + (<usize>i << 3)) * di);
}

/**
 * Solve L D Lᵀ z = z in place at Z (the caller permutes: z = P b before, b = Pᵀ z after).
 * Supernode by supernode: the dense triangle of its columns, then the rows below as a small
 * dense product — forward, u_i = Σ_j L[i, j] z_j summed in registers (four rows at a time, SIMD
 * over rows) and subtracted once from z at row i; backward, z at the rows below gathered once
 * into TMP, then a SIMD dot product per column. One indirect access per row of the supernode,
 * not one per entry.
 */
export function solve(): void {
  forwardRange(0, NSUPER, N, 0);
  diagonalRange(0, N);
  backwardRange(0, NSUPER);
}

/** Where `forwardRange` writes the updates of rows ≥ its limit (f64, in order). */
let LOG: usize = 0;

/** z[r] −= u when r < limit; otherwise u appended to the log. */
// @ts-ignore: decorator
@inline function put(r: i32, u: f64, limit: i32): void {
  if (r < limit) sf(Z, r, gf(Z, r) - u);
  else {
    store<f64>(LOG, u);
    LOG += 8;
  }
}

/**
 * L z = z over supernodes s0 .. s1-1 (every update into their columns from earlier supernodes
 * already applied). The update of a row ≥ limit is not applied but appended to the log at `log`
 * (its value u, in the order the loop meets them), for `forwardReplay` once the rows' other
 * updates are in; returns the number of entries logged. With limit = N nothing is logged: the
 * whole forward substitution is forwardRange(0, NSUPER, N, 0).
 */
export function forwardRange(s0: i32, s1: i32, limit: i32, log: usize): i32 {
  LOG = log;
  for (let s = s0; s < s1; s++) {
    const f = gi(SS, s);
    const nc = gi(SS, s + 1) - f;
    const r0 = gi(RP, s);
    const nr = gi(RP, s + 1) - r0;
    const px = gi(BP, s);
    for (let j = 0; j < nc; j++) {
      const zj = gf(Z, f + j);
      if (zj == 0) continue;
      const cj = px + j * nr;
      for (let i = j + 1; i < nc; i++) sf(Z, f + i, gf(Z, f + i) - gf(LX, cj + i) * zj);
    }
    const stride = <usize>nr << 3;
    const zf = ad(Z, f);
    let i = nc;
    for (; i + 3 < nr; i += 4) {
      let sa = f64x2.splat(0);
      let sb = f64x2.splat(0);
      let lp = ad(LX, px + i);
      for (let j = 0; j < nc; j++) {
        const v = f64x2.splat(load<f64>(zf + (<usize>j << 3)));
        sa = f64x2.add(sa, f64x2.mul(v128.load(lp), v));
        sb = f64x2.add(sb, f64x2.mul(v128.load(lp, 16), v));
        lp += stride;
      }
      put(gi(RI, r0 + i), f64x2.extract_lane(sa, 0), limit);
      put(gi(RI, r0 + i + 1), f64x2.extract_lane(sa, 1), limit);
      put(gi(RI, r0 + i + 2), f64x2.extract_lane(sb, 0), limit);
      put(gi(RI, r0 + i + 3), f64x2.extract_lane(sb, 1), limit);
    }
    for (; i < nr; i++) {
      let u = 0.0;
      let lp = ad(LX, px + i);
      for (let j = 0; j < nc; j++) {
        u += load<f64>(lp) * load<f64>(zf + (<usize>j << 3));
        lp += stride;
      }
      put(gi(RI, r0 + i), u, limit);
    }
  }
  return <i32>((LOG - log) >> 3);
}

/** Applies what forwardRange(s0, s1, limit, log) logged: z[r] −= u, the same rows in the same order. */
export function forwardReplay(s0: i32, s1: i32, limit: i32, log: usize): void {
  let p = log;
  for (let s = s0; s < s1; s++) {
    const nc = gi(SS, s + 1) - gi(SS, s);
    const r0 = gi(RP, s);
    const end = gi(RP, s + 1);
    for (let q = r0 + nc; q < end; q++) {
      const r = gi(RI, q);
      if (r < limit) continue;
      sf(Z, r, gf(Z, r) - load<f64>(p));
      p += 8;
    }
  }
}

/** z[k] ·= D⁻¹[k] for k0 ≤ k < k1. */
export function diagonalRange(k0: i32, k1: i32): void {
  for (let k = k0; k < k1; k++) sf(Z, k, gf(Z, k) * gf(DINV, k));
}

/** Lᵀ z = z over supernodes s1-1 down to s0 (the rows below them already final). */
export function backwardRange(s0: i32, s1: i32): void {
  for (let s = s1 - 1; s >= s0; s--) {
    const f = gi(SS, s);
    const nc = gi(SS, s + 1) - f;
    const r0 = gi(RP, s);
    const nr = gi(RP, s + 1) - r0;
    const px = gi(BP, s);
    const nb = nr - nc;
    for (let i = 0; i < nb; i++) sf(TMP, i, gf(Z, gi(RI, r0 + nc + i)));
    for (let j = nc - 1; j >= 0; j--) {
      const cj = px + j * nr;
      // Σ over the rows below: SIMD dot product with the gathered z
      const lp = ad(LX, cj + nc);
      let sv = f64x2.splat(0);
      let i = 0;
      for (; i + 1 < nb; i += 2) {
        const o = <usize>i << 3;
        sv = f64x2.add(sv, f64x2.mul(v128.load(lp + o), v128.load(TMP + o)));
      }
      let acc = gf(Z, f + j) - (f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1));
      if (i < nb) acc -= load<f64>(lp + (<usize>i << 3)) * gf(TMP, i);
      for (let i = j + 1; i < nc; i++) acc -= gf(LX, cj + i) * gf(Z, f + i);
      sf(Z, f + j, acc);
    }
  }
}

/** B := (L D Lᵀ)⁻¹ B in the original order: Z = P B, solve, B = Pᵀ Z (PERM[k] = original index of pivot k). */
export function solvePermuted(): void {
  permuteIn();
  solve();
  permuteOut();
}

/** Z = P B. */
export function permuteIn(): void {
  for (let k = 0; k < N; k++) sf(Z, k, gf(B, gi(PERM, k)));
}

/** B = Pᵀ Z. */
export function permuteOut(): void {
  for (let k = 0; k < N; k++) sf(B, gi(PERM, k), gf(Z, k));
}

// --- iterative refinement (LdlSolver.solveRefined): the residual against A and the whole loop ---

/** A's pattern (upper triangle by columns, as SymmetricPattern: ACP n + 1 i32, ARI nnzA i32). */
let ACP: usize = 0;
let ARI: usize = 0;
/** Refinement vectors, original order, n f64 each: right-hand side, solution, two residuals. */
let RB: usize = 0;
let RX: usize = 0;
let RR: usize = 0;
let RR2: usize = 0;
let NORM_A: f64 = 0;
let TRI_SOLVES: i32 = 0;

export function setupRefine(acp: usize, ari: usize, rb: usize, rx: usize, rr: usize, rr2: usize): void {
  ACP = acp; ARI = ari; RB = rb; RX = rx; RR = rr; RR2 = rr2;
}

/**
 * The host's solve of B (env.solveB: the same result as solvePermuted, e.g. on two threads),
 * used by `refine` once `useHostSolve(1)` was called.
 */
// @ts-ignore: decorator
@external("env", "solveB")
declare function hostSolveB(): void;
let HOST_SOLVE: i32 = 0;

export function useHostSolve(on: i32): void {
  HOST_SOLVE = on;
}

// @ts-ignore: decorator
@inline function solveB(): void {
  if (HOST_SOLVE) hostSolveB();
  else solvePermuted();
}

/** ‖A‖∞ used by the last `refine` (given or computed). */
export function lastNormA(): f64 {
  return NORM_A;
}
/** Triangular solve pairs of the last `refine`. */
export function triangularSolves(): i32 {
  return TRI_SOLVES;
}

/**
 * r := RB − A RX with A's values at VALUES (same loop and summation order as ldl.ts residual /
 * residualAndNorm, so the same result to the last bit). With `rowSum` ≠ 0 also ‖A‖∞, summing
 * the absolute values of each row there (n f64), returned; otherwise returns 0.
 */
function residualInto(r: usize, rowSum: usize): f64 {
  memory.fill(r, 0, <usize>N << 3);
  if (rowSum) {
    memory.fill(rowSum, 0, <usize>N << 3);
    for (let j = 0; j < N; j++) {
      const xj = gf(RX, j);
      let rj = 0.0;
      let sj = 0.0;
      const end = gi(ACP, j + 1);
      for (let q = gi(ACP, j); q < end; q++) {
        const i = gi(ARI, q);
        const a = gf(VALUES, q);
        const abs = Math.abs(a);
        sj += abs;
        if (i != j) {
          sf(r, i, gf(r, i) + a * xj);
          rj += a * gf(RX, i);
          sf(rowSum, i, gf(rowSum, i) + abs);
        } else rj += a * xj;
      }
      sf(r, j, gf(r, j) + rj);
      sf(rowSum, j, gf(rowSum, j) + sj);
    }
  } else {
    for (let j = 0; j < N; j++) {
      const xj = gf(RX, j);
      let rj = 0.0;
      // each column ends with its diagonal (SymmetricPattern): the off-diagonal entries, then it
      const last = gi(ACP, j + 1) - 1;
      for (let q = gi(ACP, j); q < last; q++) {
        const i = gi(ARI, q);
        const a = gf(VALUES, q);
        sf(r, i, gf(r, i) + a * xj);
        rj += a * gf(RX, i);
      }
      if (last >= gi(ACP, j)) rj += gf(VALUES, last) * xj;
      sf(r, j, gf(r, j) + rj);
    }
  }
  let m = 0.0;
  for (let i = 0; i < N; i++) sf(r, i, gf(RB, i) - gf(r, i));
  if (rowSum) for (let i = 0; i < N; i++) m = Math.max(m, gf(rowSum, i));
  return m;
}

/** r := RB − A RX into RR; with `norm` ≠ 0 returns ‖A‖∞ (RR2 is used as the row-sum buffer), else 0. */
export function residual(norm: i32): f64 {
  return residualInto(RR, norm ? RR2 : 0);
}

/** ‖r‖∞ / (‖A‖∞‖x‖∞ + ‖b‖∞), as ldl.ts relativeResidual (NaN in r propagates). */
function relativeResidual(r: usize, normA: f64, normB: f64): f64 {
  let rMax = 0.0;
  let xMax = 0.0;
  for (let i = 0; i < N; i++) {
    const a = Math.abs(gf(r, i));
    if (!(a <= rMax)) rMax = a;
    xMax = Math.max(xMax, Math.abs(gf(RX, i)));
  }
  const denom = normA * xMax + normB;
  if (denom == 0) return rMax == 0 ? 0 : Infinity;
  return rMax / denom;
}

/**
 * LdlSolver.solveRefined on kernel memory: RX := A⁻¹ RB by the factor, then corrections
 * against A (values at VALUES) until the relative residual is ≤ tol, after maxSteps, when a
 * correction fails to halve it, or undone when it makes it worse. normA: ‖A‖∞, or NaN to
 * compute it with the first residual. B holds each correction. Returns the relative residual.
 */
export function refine(maxSteps: i32, tol: f64, normA: f64): f64 {
  const bytes = <usize>N << 3;
  memory.copy(B, RB, bytes);
  solveB();
  memory.copy(RX, B, bytes);
  TRI_SOLVES = 1;
  let normB = 0.0;
  for (let i = 0; i < N; i++) normB = Math.max(normB, Math.abs(gf(RB, i)));
  let r = RR;
  let rNext = RR2;
  if (isNaN(normA)) normA = residualInto(r, rNext);
  else residualInto(r, 0);
  NORM_A = normA;
  let rel = relativeResidual(r, normA, normB);
  for (let step = 0; step < maxSteps && rel > tol; step++) {
    memory.copy(B, r, bytes);
    solveB();
    TRI_SOLVES++;
    for (let i = 0; i < N; i++) sf(RX, i, gf(RX, i) + gf(B, i));
    residualInto(rNext, 0);
    const next = relativeResidual(rNext, normA, normB);
    if (!(next <= rel)) {
      for (let i = 0; i < N; i++) sf(RX, i, gf(RX, i) - gf(B, i)); // worse: undo the correction
      return rel;
    }
    const halved = next < 0.5 * rel;
    rel = next;
    if (!halved) return rel;
    const t = r;
    r = rNext;
    rNext = t;
  }
  return rel;
}
