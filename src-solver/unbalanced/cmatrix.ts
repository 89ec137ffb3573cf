/**
 * Small dense complex matrices (row-major, separate real and imaginary arrays) for element
 * primitive matrices: a line's n×n series impedance, a transformer's winding admittances, a
 * source's Thevenin impedance. Sizes are tiny (≤ 2·(phases+1)·windings), so plain loops suffice.
 */

export interface CMatrix {
  readonly n: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export function cmatrix(n: number): CMatrix {
  return { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
}

export function cclone(a: CMatrix): CMatrix {
  return { n: a.n, re: a.re.slice(), im: a.im.slice() };
}

/** a·s (real scalar), new matrix. */
export function cscale(a: CMatrix, s: number): CMatrix {
  const out = cclone(a);
  for (let k = 0; k < out.re.length; k++) {
    out.re[k] *= s;
    out.im[k] *= s;
  }
  return out;
}

/** The leading k×k block. */
export function cleading(a: CMatrix, k: number): CMatrix {
  const out = cmatrix(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      out.re[i * k + j] = a.re[i * a.n + j];
      out.im[i * k + j] = a.im[i * a.n + j];
    }
  }
  return out;
}

/**
 * Inverse by Gauss–Jordan elimination with partial pivoting; throws when singular (a pivot below
 * 1e-300 in magnitude relative to the matrix's largest entry).
 */
export function cinverse(a: CMatrix): CMatrix {
  const n = a.n;
  const w = 2 * n;
  const re = new Float64Array(n * w);
  const im = new Float64Array(n * w);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      re[i * w + j] = a.re[i * n + j];
      im[i * w + j] = a.im[i * n + j];
      scale = Math.max(scale, Math.hypot(a.re[i * n + j], a.im[i * n + j]));
    }
    re[i * w + n + i] = 1;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = -1;
    for (let r = c; r < n; r++) {
      const m = Math.hypot(re[r * w + c], im[r * w + c]);
      if (m > best) {
        best = m;
        p = r;
      }
    }
    if (!(best > 1e-300 * Math.max(scale, 1e-300)) || best === 0) throw new Error('singular matrix');
    if (p !== c) {
      for (let j = 0; j < w; j++) {
        let t = re[c * w + j];
        re[c * w + j] = re[p * w + j];
        re[p * w + j] = t;
        t = im[c * w + j];
        im[c * w + j] = im[p * w + j];
        im[p * w + j] = t;
      }
    }
    const pr = re[c * w + c];
    const pi = im[c * w + c];
    const d = pr * pr + pi * pi;
    const ir = pr / d;
    const ii = -pi / d;
    for (let j = 0; j < w; j++) {
      const xr = re[c * w + j];
      const xi = im[c * w + j];
      re[c * w + j] = xr * ir - xi * ii;
      im[c * w + j] = xr * ii + xi * ir;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const fr = re[r * w + c];
      const fi = im[r * w + c];
      if (fr === 0 && fi === 0) continue;
      for (let j = 0; j < w; j++) {
        const xr = re[c * w + j];
        const xi = im[c * w + j];
        re[r * w + j] -= fr * xr - fi * xi;
        im[r * w + j] -= fr * xi + fi * xr;
      }
    }
  }
  const out = cmatrix(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out.re[i * n + j] = re[i * w + n + j];
      out.im[i * n + j] = im[i * w + n + j];
    }
  }
  return out;
}

/** Kron reduction: eliminates the trailing rows/columns from index `keep` on (Z_pp − Z_pn Z_nn⁻¹ Z_np). */
export function ckron(z: CMatrix, keep: number): CMatrix {
  const n = z.n;
  const m = n - keep;
  if (m <= 0) return cclone(z);
  const znn = cmatrix(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      znn.re[i * m + j] = z.re[(keep + i) * n + keep + j];
      znn.im[i * m + j] = z.im[(keep + i) * n + keep + j];
    }
  }
  const inv = cinverse(znn);
  const out = cleading(z, keep);
  for (let i = 0; i < keep; i++) {
    for (let j = 0; j < keep; j++) {
      let sr = 0;
      let si = 0;
      for (let a = 0; a < m; a++) {
        const ar = z.re[i * n + keep + a];
        const ai = z.im[i * n + keep + a];
        for (let b = 0; b < m; b++) {
          const br = inv.re[a * m + b];
          const bi = inv.im[a * m + b];
          const tr = ar * br - ai * bi;
          const ti = ar * bi + ai * br;
          const cr = z.re[(keep + b) * n + j];
          const ci = z.im[(keep + b) * n + j];
          sr += tr * cr - ti * ci;
          si += tr * ci + ti * cr;
        }
      }
      out.re[i * keep + j] -= sr;
      out.im[i * keep + j] -= si;
    }
  }
  return out;
}
