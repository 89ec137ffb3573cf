/**
 * Primitive admittance matrices ("Yprim") of the network's linear parts, and their stamps into
 * the nodal admittance matrix. Each stamp is an element's Yprim over its conductors plus, per
 * conductor, the global node index (−1 for ground, which is the reference and drops out).
 *
 * The element models are OpenDSS's (so a feeder imported from it gives its answers):
 * - Line: π model, Y = [[Ys + Yc/2, −Ys], [−Ys, Ys + Yc/2]], Ys = Z⁻¹, Yc = jωC.
 * - Transformer: per phase, the short-circuit impedances Z1k (winding 1 to k) and
 *   Zjk' = (Z1j + Z1k − Zjk)/2 form ZB on a one-volt, VA-per-phase base; Y₁ᵥ = Aᵀ ZB⁻¹ A with
 *   A the "voltage relative to winding 1" incidence; the magnetising branch (%imag, %noloadloss)
 *   sits on winding 2; each winding's two conductors are then scaled by 1/(Vbase·tap) and mapped
 *   onto phase/neutral (wye) or phase/next-phase (delta) conductors; a tiny "anti-float"
 *   admittance (ppm of the rating, as a reactance) on every winding conductor keeps an
 *   ungrounded winding from floating.
 * - Capacitor: jωC per phase, wye (phase to its bus-2 conductor) or delta (phase to next phase).
 * - Vsource: Z⁻¹ of its sequence impedances between bus 1 and bus 2 (Norton equivalent).
 * - Open conductors are Kron-reduced out of the element and left with a 1e-12 S diagonal.
 */
import { cinverse, cmatrix, type CMatrix } from './cmatrix';
import type { UCapacitor, ULine, UNetwork, UShunt, UTransformer, UVsource } from './model';

export interface Stamp {
  /** Global node index per local conductor (−1 = ground). */
  readonly idx: Int32Array;
  y: CMatrix;
}

export const OPEN_EPSILON = 1e-12;

/** Node numbering: every non-ground node of every bus. */
export interface NodeIndex {
  readonly count: number;
  readonly bus: string[];
  readonly node: number[];
  readonly of: Map<string, Map<number, number>>;
}

export function indexNodes(net: UNetwork): NodeIndex {
  const bus: string[] = [];
  const node: number[] = [];
  const of = new Map<string, Map<number, number>>();
  for (const b of net.buses.values()) {
    const m = new Map<number, number>();
    for (const n of b.nodes) {
      m.set(n, bus.length);
      bus.push(b.name);
      node.push(n);
    }
    of.set(b.name, m);
  }
  return { count: bus.length, bus, node, of };
}

export function terminalIndex(nodes: NodeIndex, t: { bus: string; nodes: readonly number[] }): number[] {
  const m = nodes.of.get(t.bus);
  return t.nodes.map((n) => (n === 0 || !m ? -1 : (m.get(n) ?? -1)));
}

function set(m: CMatrix, i: number, j: number, re: number, im: number): void {
  m.re[i * m.n + j] = re;
  m.im[i * m.n + j] = im;
}
function add(m: CMatrix, i: number, j: number, re: number, im: number): void {
  m.re[i * m.n + j] += re;
  m.im[i * m.n + j] += im;
}

/** Kron-reduces the listed local rows out of y and leaves them with a tiny diagonal. */
export function openConductors(y: CMatrix, open: readonly number[]): void {
  const n = y.n;
  const gone = new Uint8Array(n);
  for (const e of open) {
    let ynr = y.re[e * n + e];
    const yni = y.im[e * n + e];
    if (ynr === 0 && yni === 0) ynr = OPEN_EPSILON;
    gone[e] = 1;
    const den = ynr * ynr + yni * yni;
    for (let i = 0; i < n; i++) {
      if (gone[i]) continue;
      const ar = y.re[i * n + e],
        ai = y.im[i * n + e];
      if (ar === 0 && ai === 0) continue;
      // t = Y_ie / Y_ee
      const tr = (ar * ynr + ai * yni) / den;
      const ti = (ai * ynr - ar * yni) / den;
      for (let j = 0; j < n; j++) {
        if (gone[j]) continue;
        const br = y.re[e * n + j],
          bi = y.im[e * n + j];
        y.re[i * n + j] -= tr * br - ti * bi;
        y.im[i * n + j] -= tr * bi + ti * br;
      }
    }
    for (let k = 0; k < n; k++) {
      y.re[e * n + k] = y.im[e * n + k] = 0;
      y.re[k * n + e] = y.im[k * n + e] = 0;
    }
    y.re[e * n + e] = OPEN_EPSILON;
  }
}

export function lineYprim(line: ULine): CMatrix {
  const n = line.phases;
  const ys = cinverse(line.z);
  const y = cmatrix(2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = ys.re[i * n + j],
        m = ys.im[i * n + j];
      const cr = line.yShunt.re[i * n + j] / 2,
        ci = line.yShunt.im[i * n + j] / 2;
      set(y, i, j, r + cr, m + ci);
      set(y, n + i, n + j, r + cr, m + ci);
      set(y, i, n + j, -r, -m);
      set(y, n + i, j, -r, -m);
    }
  }
  const open: number[] = [];
  line.open.forEach((t, ti) =>
    t.forEach((o, c) => {
      if (o) open.push(ti * n + c);
    }),
  );
  if (open.length > 0) openConductors(y, open);
  return y;
}

/** Winding voltage base (volts across the winding, untapped). */
export function windingVbase(xf: UTransformer, w: number): number {
  const wd = xf.windings[w];
  if (wd.conn === 'wye' && (xf.phases === 2 || xf.phases === 3)) return (wd.kv * 1000) / Math.sqrt(3);
  return wd.kv * 1000;
}

/** Conductor pair (local indices into the element's conductors) of winding w, phase p. */
export function windingConductors(xf: UTransformer, w: number, p: number): [number, number] {
  const nc = xf.phases + 1;
  const base = w * nc;
  if (xf.phases === 1) return [base, base + 1];
  if (xf.windings[w].conn === 'wye') return [base + p, base + xf.phases];
  let q = p + xf.deltaDirection;
  if (xf.phases > 2) {
    if (q >= xf.phases) q = 0;
    if (q < 0) q = xf.phases - 1;
  } else if (q < 0) q = 2;
  return [base + p, base + q];
}

export function transformerYprim(xf: UTransformer): CMatrix {
  const nw = xf.windings.length;
  const vaBase = xf.windings[0].kva * 1000;
  const vaPhase = vaBase / xf.phases;
  const zBase = 1 / vaPhase;
  // ZB: (nw−1)×(nw−1), ohms on a one-volt base.
  const zb = cmatrix(nw - 1);
  const r = xf.windings.map((w) => w.rPu);
  for (let i = 0; i < nw - 1; i++) set(zb, i, i, (r[0] + r[i + 1]) * zBase, xf.xsc[i] * zBase);
  let k = nw - 1;
  for (let i = 0; i < nw - 1; i++) {
    for (let j = i + 1; j < nw - 1; j++) {
      const vr = 0.5 * (zb.re[i * zb.n + i] + zb.re[j * zb.n + j] - (r[i + 1] + r[j + 1]) * zBase);
      const vi = 0.5 * (zb.im[i * zb.n + i] + zb.im[j * zb.n + j] - xf.xsc[k] * zBase);
      set(zb, i, j, vr, vi);
      set(zb, j, i, vr, vi);
      k++;
    }
  }
  const yb = cinverse(zb);
  // Y1V = Aᵀ YB A, A (nw−1)×nw with row i = −1 at winding 1 and +1 at winding i+2.
  const y1 = cmatrix(nw);
  const a = (row: number, col: number) => (col === 0 ? -1 : col === row + 1 ? 1 : 0);
  for (let p = 0; p < nw; p++) {
    for (let q = 0; q < nw; q++) {
      let sr = 0,
        si = 0;
      for (let i = 0; i < nw - 1; i++) {
        const ai = a(i, p);
        if (ai === 0) continue;
        for (let j = 0; j < nw - 1; j++) {
          const aj = a(j, q);
          if (aj === 0) continue;
          sr += ai * aj * yb.re[i * yb.n + j];
          si += ai * aj * yb.im[i * yb.n + j];
        }
      }
      set(y1, p, q, sr, si);
    }
  }
  // Magnetising branch on winding 2 (index 1).
  if (nw > 1) add(y1, 1, 1, xf.noLoadLossPct / 100 / zBase, -xf.imagPct / 100 / zBase);
  // Terminal matrix 2nw×2nw: winding w's conductors (2w, 2w+1) = (+, −) scaled by 1/(Vbase·tap).
  const yt = cmatrix(2 * nw);
  const s = xf.windings.map((w, i) => 1 / (windingVbase(xf, i) * (w.tap === 0 ? 0.0001 : w.tap)));
  for (let p = 0; p < nw; p++) {
    for (let q = 0; q < nw; q++) {
      const f = s[p] * s[q];
      const vr = y1.re[p * nw + q] * f,
        vi = y1.im[p * nw + q] * f;
      set(yt, 2 * p, 2 * q, vr, vi);
      set(yt, 2 * p + 1, 2 * q + 1, vr, vi);
      set(yt, 2 * p, 2 * q + 1, -vr, -vi);
      set(yt, 2 * p + 1, 2 * q, -vr, -vi);
    }
  }
  if (xf.ppmFloat !== 0) {
    for (let w = 0; w < nw; w++) {
      const vb = windingVbase(xf, w);
      const yppm = -xf.ppmFloat / ((vb * vb) / vaPhase) / 2;
      add(yt, 2 * w, 2 * w, 0, yppm);
      add(yt, 2 * w + 1, 2 * w + 1, 0, yppm);
    }
  }
  // Scatter per phase onto conductors.
  const nc = xf.phases + 1;
  const y = cmatrix(nw * nc);
  for (let p = 0; p < xf.phases; p++) {
    const map: number[] = [];
    for (let w = 0; w < nw; w++) map.push(...windingConductors(xf, w, p));
    for (let i = 0; i < 2 * nw; i++) {
      for (let j = 0; j < 2 * nw; j++) add(y, map[i], map[j], yt.re[i * yt.n + j], yt.im[i * yt.n + j]);
    }
  }
  // A wye winding's neutral conductor (open neutral: no Rneut) gets the anti-float admittance once
  // more, as OpenDSS does for a possibly floating neutral (it matters where the script puts the
  // neutral on a real node, e.g. the second half of a center-tapped secondary, X.0.2).
  if (xf.ppmFloat !== 0) {
    for (let w = 0; w < nw; w++) {
      if (xf.windings[w].conn !== 'wye') continue;
      const vb = windingVbase(xf, w);
      const j = w * nc + nc - 1;
      add(y, j, j, 0, -xf.ppmFloat / ((vb * vb) / vaPhase) / 2);
    }
  }
  return y;
}

export function capacitorYprim(cap: UCapacitor, omega: number): CMatrix {
  void omega;
  const n = cap.phases;
  let qTotal = 0;
  cap.kvarSteps.forEach((q, i) => {
    if (cap.states[i]) qTotal += q;
  });
  const vph = cap.conn === 'delta' ? cap.kv : n > 1 ? cap.kv / Math.sqrt(3) : cap.kv;
  const b = (qTotal * 1000) / n / (vph * 1000 * (vph * 1000));
  const y = cmatrix(2 * n);
  if (cap.conn === 'wye') {
    for (let i = 0; i < n; i++) {
      add(y, i, i, 0, b);
      add(y, n + i, n + i, 0, b);
      add(y, i, n + i, 0, -b);
      add(y, n + i, i, 0, -b);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const j = n === 1 ? n : (i + 1) % n; // 1-phase delta: across its two nodes (bus1 → bus2 conductor)
      add(y, i, i, 0, b);
      add(y, j, j, 0, b);
      add(y, i, j, 0, -b);
      add(y, j, i, 0, -b);
    }
  }
  return y;
}

export function shuntYprim(sh: UShunt): CMatrix {
  const n = sh.phases;
  const nc = sh.bus.nodes.length;
  const y = cmatrix(nc);
  for (let i = 0; i < n; i++) {
    const j = sh.conn === 'wye' ? n : (i + 1) % n;
    add(y, i, i, sh.g, sh.b);
    add(y, j, j, sh.g, sh.b);
    add(y, i, j, -sh.g, -sh.b);
    add(y, j, i, -sh.g, -sh.b);
  }
  return y;
}

/** The source's Thevenin admittance between bus 1 and bus 2, and its open-circuit voltages. */
export function vsourceYprim(vs: UVsource): { y: CMatrix; ysrc: CMatrix; eRe: Float64Array; eIm: Float64Array } {
  const n = vs.phases;
  const ysrc = cinverse(vs.z);
  const y = cmatrix(2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = ysrc.re[i * n + j],
        m = ysrc.im[i * n + j];
      set(y, i, j, r, m);
      set(y, n + i, n + j, r, m);
      set(y, i, n + j, -r, -m);
      set(y, n + i, j, -r, -m);
    }
  }
  const vmag = n === 1 ? vs.baseKv * vs.pu * 1000 : (vs.baseKv * vs.pu * 1000) / 2 / Math.sin(Math.PI / n);
  const eRe = new Float64Array(n);
  const eIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ang = ((vs.angleDeg - (i * 360) / n) * Math.PI) / 180;
    eRe[i] = vmag * Math.cos(ang);
    eIm[i] = vmag * Math.sin(ang);
  }
  return { y, ysrc, eRe, eIm };
}
