/**
 * TEST-ONLY second method: a dense full Newton–Raphson power flow on the bus admittance matrix
 * (polar, MATPOWER's dSbus/dV formulas; Zimmerman et al., IEEE TPWRS 26(1), 2011). It shares
 * nothing with the sweep: no tree, no BFS, capacitors as shunt admittances in Y, constant-power
 * loads as specified injections. O(n³) per iteration — fine for the few hundred buses of a test.
 */
import type { Feeder } from '../../model/feeder';

export interface NewtonInjections {
  /** Net specified injection per bus (feeder order), kW / kvar (> 0 injects). */
  readonly pKw: readonly number[];
  readonly qKvar: readonly number[];
  /** Shunt susceptance per bus, kvar at 1 pu (> 0 capacitive). */
  readonly shuntKvar: readonly number[];
}

export interface NewtonSolution {
  readonly vPu: Float64Array;
  readonly angleRad: Float64Array;
  readonly iterations: number;
  readonly maxMismatchPu: number;
}

/** Solve A x = b in place (Gaussian elimination, partial pivoting); A is n×n row-major. */
function solveDense(a: Float64Array, b: Float64Array, n: number): void {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [a[c * n + k], a[piv * n + k]] = [a[piv * n + k], a[c * n + k]];
      [b[c], b[piv]] = [b[piv], b[c]];
    }
    const d = a[c * n + c];
    if (d === 0) throw new Error('singular Jacobian');
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
      b[r] -= f * b[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r * n + k] * b[k];
    b[r] = s / a[r * n + r];
  }
}

export function newtonYbus(
  feeder: Feeder,
  inj: NewtonInjections,
  vSourcePu: number,
  tol = 1e-12,
  maxIter = 30,
): NewtonSolution {
  const n = feeder.buses.length;
  const idx = new Map(feeder.buses.map((b, i) => [b.name, i]));
  const sBase = feeder.baseKva;
  const gY = new Float64Array(n * n);
  const bY = new Float64Array(n * n);
  for (const br of feeder.branches) {
    const i = idx.get(br.from)!;
    const j = idx.get(br.to)!;
    const vb = feeder.buses[j].vBaseKv;
    const zb = (vb * vb * 1000) / sBase;
    const r = br.rOhm / zb;
    const x = br.xOhm / zb;
    const d = r * r + x * x;
    const g = r / d;
    const b = -x / d;
    gY[i * n + i] += g;
    bY[i * n + i] += b;
    gY[j * n + j] += g;
    bY[j * n + j] += b;
    gY[i * n + j] -= g;
    bY[i * n + j] -= b;
    gY[j * n + i] -= g;
    bY[j * n + i] -= b;
  }
  for (let i = 0; i < n; i++) bY[i * n + i] += inj.shuntKvar[i] / sBase;
  const slack = idx.get(feeder.substation.bus)!;
  const pq = [...Array(n).keys()].filter((i) => i !== slack);
  const m = pq.length;
  const vm = new Float64Array(n).fill(vSourcePu);
  const va = new Float64Array(n);
  const pSpec = Float64Array.from(inj.pKw, (p) => p / sBase);
  const qSpec = Float64Array.from(inj.qKvar, (q) => q / sBase);

  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  const ir = new Float64Array(n);
  const ii = new Float64Array(n);
  let mis = Infinity;
  let last = Infinity;
  for (let it = 0; it <= maxIter; it++) {
    for (let i = 0; i < n; i++) {
      vr[i] = vm[i] * Math.cos(va[i]);
      vi[i] = vm[i] * Math.sin(va[i]);
    }
    for (let i = 0; i < n; i++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < n; k++) {
        const g = gY[i * n + k];
        const b = bY[i * n + k];
        if (g === 0 && b === 0) continue;
        sr += g * vr[k] - b * vi[k];
        si += g * vi[k] + b * vr[k];
      }
      ir[i] = sr;
      ii[i] = si;
    }
    // F = V conj(I) − S_spec on PQ buses.
    const f = new Float64Array(2 * m);
    mis = 0;
    pq.forEach((i, a) => {
      const p = vr[i] * ir[i] + vi[i] * ii[i] - pSpec[i];
      const q = vi[i] * ir[i] - vr[i] * ii[i] - qSpec[i];
      f[a] = p;
      f[m + a] = q;
      mis = Math.max(mis, Math.abs(p), Math.abs(q));
    });
    if (mis <= tol) return { vPu: vm, angleRad: va, iterations: it, maxMismatchPu: mis };
    // Stiff branches (1e-6 Ω stubs: |y| ~ 1e7 pu) put a round-off floor under the mismatch; once
    // Newton stops gaining (quadratic convergence would divide it by far more than 2) stop there.
    if (mis < 1e-7 && mis > 0.5 * last) return { vPu: vm, angleRad: va, iterations: it, maxMismatchPu: mis };
    last = mis;
    if (it === maxIter) break;
    // dS/dVa = j diag(V) conj(diag(I) − Y diag(V)); dS/dVm = diag(V) conj(Y diag(V/|V|)) + conj(diag(I)) diag(V/|V|).
    const jac = new Float64Array(4 * m * m);
    const w = 2 * m;
    pq.forEach((i, a) => {
      pq.forEach((k, c) => {
        const g = gY[i * n + k];
        const b = bY[i * n + k];
        // Y_ik V_k and Y_ik V_k/|V_k|
        let yvR = g * vr[k] - b * vi[k];
        let yvI = g * vi[k] + b * vr[k];
        const yuR = yvR / vm[k];
        const yuI = yvI / vm[k];
        if (i === k) {
          // conj(diag(I) − YV) term: I_i − Y_ii V_i
          yvR = ir[i] - yvR;
          yvI = ii[i] - yvI;
        } else {
          yvR = -yvR;
          yvI = -yvI;
        }
        // dSa = j V_i conj(yv)
        const cr = vr[i] * yvR + vi[i] * yvI; // Re(V conj(yv))
        const ci = vi[i] * yvR - vr[i] * yvI; // Im(V conj(yv))
        const dSaR = -ci;
        const dSaI = cr;
        // dSm = V_i conj(yu) (+ conj(I_i) V_i/|V_i| on the diagonal)
        let dSmR = vr[i] * yuR + vi[i] * yuI;
        let dSmI = vi[i] * yuR - vr[i] * yuI;
        if (i === k) {
          const ur = vr[i] / vm[i];
          const ui = vi[i] / vm[i];
          dSmR += ir[i] * ur + ii[i] * ui;
          dSmI += ir[i] * ui - ii[i] * ur;
        }
        jac[a * w + c] = dSaR;
        jac[a * w + m + c] = dSmR;
        jac[(m + a) * w + c] = dSaI;
        jac[(m + a) * w + m + c] = dSmI;
      });
    });
    solveDense(jac, f, w);
    pq.forEach((i, a) => {
      va[i] -= f[a];
      vm[i] -= f[m + a];
    });
  }
  throw new Error(`Newton–Raphson did not converge: mismatch ${mis}`);
}
