/**
 * The three-phase multi-period OPF as an NlpProblem — docs/spec/unbalanced-opf.md (U1)–(U16):
 * rectangular voltages, current balance per node, one current variable per power-type device, so
 * every row is quadratic (quadratic.ts) and the Hessian is exact and constant per row.
 *
 * Variables per period t, in this order: e_i, f_i per free node; J (re, im) per device of the
 * period (constant-P and constant-I load components, PV and battery phases); qD per PV unit;
 * Pc, Pd, qB, B per battery.
 */
import type { NlpProblem } from '../nlp/problem';
import { QuadraticProgramBuilder, type Operand } from './quadratic';
import { cinverse, type CMatrix } from '../unbalanced/cmatrix';
import {
  Opf3Error,
  REGION_FREE,
  REGION_HOLD_OWN,
  REGION_HOLD_Z,
  REGION_OWN,
  type Opf3Network,
  type Opf3Series,
  type Opf3Terminal,
} from './network';
import { addLimitRows } from './limits';

/** Where each quantity lives in x and g. */
export interface Opf3Index {
  /** e of free node i at t: e[t·nFree + i]; f = e + 1. */
  readonly e: Int32Array;
  readonly qD: Int32Array;
  /** Battery k at t: base index of (Pc, Pd, qB, B), batVar[t·nBat + k]. */
  readonly batVar: Int32Array;
  /** Voltage-limit row of node i at t (−1 where unlimited). */
  readonly vRow: Int32Array;
  /** Real balance row of node i at t; imaginary = +1. */
  readonly balRow: Int32Array;
  /** First current variable (Ir of conductor 1; then Ii, Ir of 2, …) of series element k at t: series[t·nSeries + k]. */
  readonly series: Int32Array;
  /** (U5c) region variable s of load element k at t: regionS[t·nLoad + k] (−1 where the region is not free). */
  readonly regionS: Int32Array;
  /**
   * ENApp child area (net.area.pinSources): the row pinning the real part of source node s's
   * voltage at t, pinRow[t·nSlack + s] (imaginary = +1); its variable is pinVar[t·nSlack + s]
   * (imaginary = +1). Empty otherwise.
   */
  readonly pinRow: Int32Array;
  readonly pinVar: Int32Array;
  /**
   * Elastic pins (net.area.pinSlackWeight > 0): the first of the four slack variables of source
   * node s at t, pinSlack[t·nSlack + s] — σ⁺, σ⁻ of the real part, then of the imaginary part;
   * the node's voltage is the given one + (σ⁺ − σ⁻) per part. Empty otherwise.
   */
  readonly pinSlack: Int32Array;
}

export interface Opf3Model {
  readonly net: Opf3Network;
  readonly ix: Opf3Index;
  readonly problem: NlpProblem;
}

const GROUND: Operand = { c: 0 };
/**
 * Weight of a Vsource's voltage-drop rows (U7''): E − V − Z I = 0 times 100, the largest
 * coefficient the solver's gradient scaling leaves unscaled. A study without a feasible point
 * ends in the restoration phase at a minimizer of the (scaled) constraint violation; with weight
 * 1 moving the source's terminal voltage by 1e-2 pu was its cheapest way out, and the binding
 * voltage limit went unnamed (IEEE 13 at V max 1.05: OpenDSS's own rg60.3 is at 1.0562 pu).
 */
const SOURCE_ROW_WEIGHT = 100;
const Z_ONLY = [1, 0, 0, 1, 0, 0] as const;

export function buildOpf3Model(net: Opf3Network): Opf3Model {
  const s = net.study;
  const T = net.periods;
  const { nFree, nSlack } = net;
  const nPv = net.pv.length;
  const nBat = net.batteries.length;
  const dt = s.dtH;
  const base = net.baseKva;
  const qp = new QuadraticProgramBuilder();
  const conNames: string[] = [];
  const row = (lo: number, hi: number, name: string): number => {
    conNames.push(name);
    return qp.addRow(lo, hi);
  };
  const nodeName = (i: number): string => `${net.nodeBus[i]}.${net.nodePhase[i]}`;
  const hour = (t: number): string => `hour ${net.hourOfPeriod[t]}`;

  for (const d of [
    ...net.loads.map((l) => ({ ...l, what: `load ${l.name}` })),
    ...net.pv.flatMap((u) => u.phases.map((p) => ({ ...p, what: `PV ${u.name}` }))),
    ...net.batteries.flatMap((u) => u.phases.map((p) => ({ ...p, what: `battery ${u.name}` }))),
  ]) {
    if (!(d.a >= 0 && d.a < nFree) || !(d.b < nFree))
      throw new Opf3Error(
        `${d.what} is connected to a source node or an unknown node (only network nodes may carry devices)`,
      );
  }

  const eIx = new Int32Array(T * nFree);
  const qDIx = new Int32Array(T * nPv);
  const batIx = new Int32Array(T * nBat);
  const vRow = new Int32Array(T * nFree).fill(-1);
  const balRow = new Int32Array(T * nFree);
  const nSeries = net.series.length;
  const seriesIx = new Int32Array(T * nSeries);
  /** Z⁻¹ of each series element, for its start currents (the same in every period). */
  const seriesY: (CMatrix | undefined)[] = new Array<CMatrix | undefined>(nSeries);
  const nLoad = net.loads.length;
  const regionS = new Int32Array(T * nLoad).fill(-1);
  const vMinSq = s.vMinPu ** 2;
  const vMaxSq = s.vMaxPu ** 2;
  const hooks = net.area;
  const pinned = hooks?.pinSources === true;
  const pinRow = new Int32Array(pinned ? T * nSlack : 0);
  const pinVar = new Int32Array(pinned ? T * nSlack : 0);
  const pinSlackWeight = pinned ? (hooks?.pinSlackWeight ?? 0) : 0;
  if (!(pinSlackWeight >= 0 && Number.isFinite(pinSlackWeight)))
    throw new Opf3Error(`the pinned sources' slack weight must be a finite number ≥ 0, got ${pinSlackWeight}`);
  const pinSlack = new Int32Array(pinSlackWeight > 0 ? T * nSlack : 0);
  const loadTerms = new Map((hooks?.loadVoltageTerms ?? []).map((l) => [l.load, l]));

  // Product rows of each period (J devices) are built after the node variables exist.
  for (let t = 0; t < T; t++) {
    qp.period = t; // the KKT ordering's hint (NlpProblem.periods)
    for (let i = 0; i < nFree; i++) {
      eIx[t * nFree + i] = qp.addVar(-Infinity, Infinity, net.v0Re[t * nFree + i]!);
      qp.addVar(-Infinity, Infinity, net.v0Im[t * nFree + i]!);
    }
    // An ENApp child area's source nodes as pinned variables (net.area.pinSources).
    for (let k = 0; pinned && k < nSlack; k++) {
      const re = net.slackRe[t * nSlack + k]!;
      const im = net.slackIm[t * nSlack + k]!;
      pinVar[t * nSlack + k] = qp.addVar(-Infinity, Infinity, re);
      qp.addVar(-Infinity, Infinity, im);
      const name = `source voltage at node ${nodeName(nFree + k)}, ${hour(t)}`;
      pinRow[t * nSlack + k] = row(re, re, `${name} (real)`);
      row(im, im, `${name} (imaginary)`);
      qp.linear(pinRow[t * nSlack + k]!, 1, { v: pinVar[t * nSlack + k]! });
      qp.linear(pinRow[t * nSlack + k]! + 1, 1, { v: pinVar[t * nSlack + k]! + 1 });
      // Elastic pin (hooks.pinSlackWeight): V = given + σ⁺ − σ⁻ per part, σ± ≥ 0 at w per pu.
      if (pinSlackWeight > 0) {
        for (let part = 0; part < 2; part++) {
          const r = pinRow[t * nSlack + k]! + part;
          const sp = qp.addVar(0, Infinity, 0);
          const sn = qp.addVar(0, Infinity, 0);
          if (part === 0) pinSlack[t * nSlack + k] = sp;
          qp.linear(r, -1, { v: sp });
          qp.linear(r, 1, { v: sn });
          qp.objectiveLinear(pinSlackWeight, { v: sp });
          qp.objectiveLinear(pinSlackWeight, { v: sn });
        }
      }
    }
    const eOf = (node: number): Operand =>
      node < 0
        ? GROUND
        : node < nFree
          ? { v: eIx[t * nFree + node]! }
          : pinned
            ? { v: pinVar[t * nSlack + node - nFree]! }
            : { c: net.slackRe[t * nSlack + node - nFree]! };
    const fOf = (node: number): Operand =>
      node < 0
        ? GROUND
        : node < nFree
          ? { v: eIx[t * nFree + node]! + 1 }
          : pinned
            ? { v: pinVar[t * nSlack + node - nFree]! + 1 }
            : { c: net.slackIm[t * nSlack + node - nFree]! };
    const vStart = (node: number): [number, number] =>
      node < 0
        ? [0, 0]
        : node < nFree
          ? [net.v0Re[t * nFree + node]!, net.v0Im[t * nFree + node]!]
          : [net.slackRe[t * nSlack + node - nFree]!, net.slackIm[t * nSlack + node - nFree]!];

    // (U1) current balance rows, Y part.
    for (let i = 0; i < nFree; i++) {
      balRow[t * nFree + i] = row(0, 0, `current balance (real) at node ${nodeName(i)}, ${hour(t)}`);
      row(0, 0, `current balance (imaginary) at node ${nodeName(i)}, ${hour(t)}`);
    }
    const stampY = (i: number, j: number, g: number, b: number): void => {
      if (i < 0 || i >= nFree || j < 0) return;
      const r = balRow[t * nFree + i]!;
      qp.linear(r, g, eOf(j));
      qp.linear(r, -b, fOf(j));
      qp.linear(r + 1, g, fOf(j));
      qp.linear(r + 1, b, eOf(j));
    };
    for (let k = 0; k < net.yRow.length; k++) stampY(net.yRow[k]!, net.yCol[k]!, net.yG[k]!, net.yB[k]!);
    if (net.srcRe && net.srcIm) {
      for (let i = 0; i < nFree; i++) {
        qp.constant(balRow[t * nFree + i]!, -net.srcRe[i]!);
        qp.constant(balRow[t * nFree + i]! + 1, -net.srcIm[i]!);
      }
    }

    // (U1b) series elements: V_from − V_to − Z I = 0 per conductor; I leaves `from`, enters `to`.
    const priceW = net.priceUsdPerKwh[t]! * dt * base;
    // An ENApp child area's proximal term on its source currents (hooks.sourceCurrentProx): each
    // source node's current as its linear terms (coefficient, operand), real and imaginary part.
    const prox = hooks?.sourceCurrentProx;
    const curTerms = Array.from({ length: prox ? nSlack : 0 }, () => ({
      re: [] as [number, Operand][],
      im: [] as [number, Operand][],
    }));
    /**
     * The objective's prices (πP, πQ) of the power S = V_s conj(I_s) leaving source node k: (U7)'s
     * energy price (priceW, 0) with the cost objective, or an ENApp child area's prices.
     */
    const sourcePrice = (k: number): [number, number] => {
      const p = hooks?.sourcePowerPrice;
      if (p) return [p.p[t * nSlack + k]!, p.q[t * nSlack + k]!];
      return s.objective === 'cost' ? [priceW, 0] : [0, 0];
    };
    /**
     * Adds πP·P + πQ·Q of the current c·(a + j b) leaving source node k (a, b operands): with
     * V_s = e + j f, P = e a + f b and Q = f a − e b.
     */
    const pricedSourceCurrent = (k: number, c: number, a: Operand, b: Operand): void => {
      if (prox) {
        curTerms[k]!.re.push([c, a]);
        curTerms[k]!.im.push([c, b]);
      }
      const [pp, pq] = sourcePrice(k);
      if (pp === 0 && pq === 0) return;
      const e = eOf(nFree + k);
      const f = fOf(nFree + k);
      qp.objectiveProduct(c * pp, e, a);
      qp.objectiveProduct(c * pp, f, b);
      qp.objectiveProduct(c * pq, f, a);
      qp.objectiveProduct(-c * pq, e, b);
    };
    for (let sk = 0; sk < nSeries; sk++) {
      const br = net.series[sk]!;
      const nc = br.from.length;
      const iv: number[] = [];
      const y0 = seriesStart(br, (seriesY[sk] ??= cinverse({ n: br.from.length, re: br.zRe, im: br.zIm })), vStart);
      seriesIx[t * nSeries + sk] = qp.n;
      for (let p = 0; p < nc; p++) {
        iv.push(qp.addVar(-Infinity, Infinity, y0[2 * p]!));
        qp.addVar(-Infinity, Infinity, y0[2 * p + 1]!);
      }
      // (U7'') a source's row weighted by SOURCE_ROW_WEIGHT, lines' by 1
      const k = br.source ? SOURCE_ROW_WEIGHT : 1;
      for (let p = 0; p < nc; p++) {
        const rr = row(0, 0, `${br.name} conductor ${p + 1} voltage drop (real), ${hour(t)}`);
        const ri = row(0, 0, `${br.name} conductor ${p + 1} voltage drop (imaginary), ${hour(t)}`);
        qp.linear(rr, k, eOf(br.from[p]!));
        qp.linear(rr, -k, eOf(br.to[p]!));
        qp.linear(ri, k, fOf(br.from[p]!));
        qp.linear(ri, -k, fOf(br.to[p]!));
        for (let q = 0; q < nc; q++) {
          const R = br.zRe[p * nc + q]!;
          const X = br.zIm[p * nc + q]!;
          // (Z I)_re = R Ir − X Ii ; (Z I)_im = R Ii + X Ir
          qp.linear(rr, -k * R, { v: iv[q]! });
          qp.linear(rr, k * X, { v: iv[q]! + 1 });
          qp.linear(ri, -k * R, { v: iv[q]! + 1 });
          qp.linear(ri, -k * X, { v: iv[q]! });
          // Re(conj(I_p) Z_pq I_q) = R (Ir_p Ir_q + Ii_p Ii_q) + X (Ii_p Ir_q − Ir_p Ii_q): a line's
          // loss (U15), or (U7'') what a source's impedance takes between its EMF and its terminal
          const w = br.source ? (s.objective === 'cost' ? -priceW : 0) : s.objective === 'loss' ? base : 0;
          if (w !== 0) {
            qp.objectiveProduct(w * R, { v: iv[p]! }, { v: iv[q]! });
            qp.objectiveProduct(w * R, { v: iv[p]! + 1 }, { v: iv[q]! + 1 });
            qp.objectiveProduct(w * X, { v: iv[p]! + 1 }, { v: iv[q]! });
            qp.objectiveProduct(-w * X, { v: iv[p]! }, { v: iv[q]! + 1 });
          }
        }
        for (const [node, sign] of [
          [br.from[p]!, 1],
          [br.to[p]!, -1],
        ] as const) {
          if (node < 0) continue;
          if (node < nFree) {
            const r = balRow[t * nFree + node]!;
            qp.linear(r, sign, { v: iv[p]! });
            qp.linear(r + 1, sign, { v: iv[p]! + 1 });
          } else {
            // (U7): Re(V_s conj(sign·I)) = sign (es Ir + fs Ii) — or an area's prices (sourcePrice)
            pricedSourceCurrent(node - nFree, sign, { v: iv[p]! }, { v: iv[p]! + 1 });
          }
        }
      }
    }

    // A device current J between a and b: its variables, its (U1) terms, and its V_ab operands.
    const device = (d: Opf3Terminal, sRe: number, sIm: number): { jr: number; ji: number } => {
      const [ea, fa] = vStart(d.a);
      const [eb, fb] = vStart(d.b);
      const vr = ea - d.rho * eb;
      const vi = fa - d.rho * fb;
      const den = vr * vr + vi * vi || 1;
      // J = conj(S / V_ab) = (S_re + j S_im)* … : J = conj(S) / conj(V_ab)
      const jr0 = (sRe * vr + sIm * vi) / den;
      const ji0 = (sRe * vi - sIm * vr) / den;
      const jr = qp.addVar(-Infinity, Infinity, jr0);
      const ji = qp.addVar(-Infinity, Infinity, ji0);
      const ra = balRow[t * nFree + d.a]!;
      qp.linear(ra, 1, { v: jr });
      qp.linear(ra + 1, 1, { v: ji });
      if (d.b >= 0) {
        const rb = balRow[t * nFree + d.b]!;
        qp.linear(rb, -d.rho, { v: jr });
        qp.linear(rb + 1, -d.rho, { v: ji });
      }
      return { jr, ji };
    };
    /** Adds w_re·Re(V_ab conj J) + w_im·Im(V_ab conj J) to row r (spec (U2)). */
    const power = (r: number, d: Opf3Terminal, j: { jr: number; ji: number }, wRe: number, wIm: number): void => {
      const Jr: Operand = { v: j.jr };
      const Ji: Operand = { v: j.ji };
      for (const [node, sign] of [
        [d.a, 1],
        [d.b, -d.rho],
      ] as const) {
        if (node < 0) continue;
        const e = eOf(node);
        const f = fOf(node);
        // Re = e Jr + f Ji ; Im = f Jr − e Ji
        qp.product(r, sign * wRe, e, Jr);
        qp.product(r, sign * wRe, f, Ji);
        qp.product(r, sign * wIm, f, Jr);
        qp.product(r, -sign * wIm, e, Ji);
      }
    };

    net.loads.forEach((ld, k) => {
      const reg = ld.region;
      const mode = reg ? reg.mode[t]! : REGION_OWN;
      const z = mode === REGION_HOLD_Z;
      // In the constant-Z region the element is the impedance it has at Vmaxpu:
      // y = conj(S_Z + S_I/Vmax + S_P/Vmax²)/Vn², i.e. its power at Vn scaled per component.
      const [zp0, ip0, pp0, zq0, iq0, pq0] = ld.zip;
      const vm = reg?.vmaxpu ?? 1;
      const p = z ? ld.pPu[t]! * (zp0 + ip0 / vm + pp0 / (vm * vm)) : ld.pPu[t]!;
      const q = z ? ld.qPu[t]! * (zq0 + iq0 / vm + pq0 / (vm * vm)) : ld.qPu[t]!;
      const [zp, ip, pp, zq, iq, pq] = z ? Z_ONLY : ld.zip;
      const vn2 = ld.vnPu * ld.vnPu;
      // (U4) constant impedance: y = conj(S_Z)/Vn², stamped into (U1) between a and b.
      const g = (zp * p) / vn2;
      const b = (-zq * q) / vn2;
      if (g !== 0 || b !== 0) {
        stampY(ld.a, ld.a, g, b);
        stampY(ld.a, ld.b, -ld.rho * g, -ld.rho * b);
        stampY(ld.b, ld.a, -ld.rho * g, -ld.rho * b);
        stampY(ld.b, ld.b, ld.rho * ld.rho * g, ld.rho * ld.rho * b);
      }
      /** Adds w·|V_ab|² to row r. */
      const vabSq = (r: number, w: number): void => {
        const ea = eOf(ld.a);
        const fa = fOf(ld.a);
        qp.product(r, w, ea, ea);
        qp.product(r, w, fa, fa);
        if (ld.b >= 0) {
          const eb = eOf(ld.b);
          const fb = fOf(ld.b);
          qp.product(r, -2 * w * ld.rho, ea, eb);
          qp.product(r, -2 * w * ld.rho, fa, fb);
          qp.product(r, w * ld.rho * ld.rho, eb, eb);
          qp.product(r, w * ld.rho * ld.rho, fb, fb);
        }
      };
      if (reg) {
        // (U5b) the element held in one region: |V_ab|²/Vz² ≥ 1 (constant Z) or ≤ 1 (its model);
        // rows scaled by 1/Vz² so that they are O(1) on every voltage level.
        const w = 1 / (reg.vZPu * reg.vZPu);
        if (mode === REGION_HOLD_Z) vabSq(row(1, Infinity, `load ${ld.name} constant-impedance region, ${hour(t)}`), w);
        if (mode === REGION_HOLD_OWN) vabSq(row(-Infinity, 1, `load ${ld.name} own-model region, ${hour(t)}`), w);
        // (U5d) above OpenDSS's low-voltage region where (U6) does not already keep it there
        if (reg.vLowPu !== null)
          vabSq(row(1, Infinity, `load ${ld.name} above Vminpu, ${hour(t)}`), 1 / (reg.vLowPu * reg.vLowPu));
      }
      // (U5c) region decided in the solve: the power and constant-current components scale by
      // 1 + s, s ≥ 0, s ≥ |V_ab|²/Vz² − 1 (s = max(0, |V_ab|²/Vz² − 1) at an optimum that pays for
      // the element's power; solveThreePhaseOpf checks that it is).
      let sVar = -1;
      if (mode === REGION_FREE) {
        const v0 = vStart(ld.a);
        const vb0 = vStart(ld.b);
        const x0 = ((v0[0] - ld.rho * vb0[0]) ** 2 + (v0[1] - ld.rho * vb0[1]) ** 2) / reg!.vZPu ** 2 - 1;
        sVar = qp.addVar(0, reg!.sMax, Math.min(reg!.sMax, Math.max(0, x0)));
        regionS[t * nLoad + k] = sVar;
        const r = row(-Infinity, 1, `load ${ld.name} voltage region, ${hour(t)}`);
        vabSq(r, 1 / (reg!.vZPu * reg!.vZPu));
        qp.linear(r, -1, { v: sVar });
      }
      // (U3) constant power.
      const sp = pp * p;
      const sq = pq * q;
      if (sp !== 0 || sq !== 0) {
        const j = device(ld, sp, sq);
        const rRe = row(sp, sp, `load ${ld.name} active power, ${hour(t)}`);
        const rIm = row(sq, sq, `load ${ld.name} reactive power, ${hour(t)}`);
        power(rRe, ld, j, 1, 0);
        power(rIm, ld, j, 0, 1);
        // An ENApp parent area: a child's draw linearised in the boundary voltage (hooks.loadVoltageTerms).
        const lt = loadTerms.get(ld.name);
        if (lt) {
          const K = lt.nodes.length;
          for (let jn = 0; jn < K; jn++) {
            const at = t * 2 * K + 2 * jn;
            qp.linear(rRe, -lt.p[at]!, eOf(lt.nodes[jn]!));
            qp.linear(rRe, -lt.p[at + 1]!, fOf(lt.nodes[jn]!));
            qp.linear(rIm, -lt.q[at]!, eOf(lt.nodes[jn]!));
            qp.linear(rIm, -lt.q[at + 1]!, fOf(lt.nodes[jn]!));
          }
        }
        if (sVar >= 0) {
          qp.linear(rRe, -sp, { v: sVar });
          qp.linear(rIm, -sq, { v: sVar });
        }
      }
      // (U5) constant current magnitude at the load's power factor.
      const ir = ip * p;
      const ii = iq * q;
      if (ir !== 0 || ii !== 0) {
        const j = device(ld, ir, ii);
        const i2 = (ir * ir + ii * ii) / vn2;
        const rMag = row(i2, i2, `load ${ld.name} current magnitude, ${hour(t)}`);
        qp.product(rMag, 1, { v: j.jr }, { v: j.jr });
        qp.product(rMag, 1, { v: j.ji }, { v: j.ji });
        // (U5c) |J|² = I0² (1 + s): |J| = I0·|V_ab|/Vz in the constant-Z region
        if (sVar >= 0) qp.linear(rMag, -i2, { v: sVar });
        const rAng = row(0, 0, `load ${ld.name} power factor, ${hour(t)}`);
        power(rAng, ld, j, ii, -ir);
      }
    });

    // (U8), (U9) PV: forecast P injected, qD decided within the inverter disk.
    net.pv.forEach((u, k) => {
      const p = u.pPu[t]!;
      const qMax = Math.sqrt(Math.max(0, u.sPu * u.sPu - p * p));
      const qD = qp.addVar(-qMax, qMax, 0);
      qDIx[t * nPv + k] = qD;
      const nph = u.phases.length;
      for (const ph of u.phases) {
        const j = device(ph, -p / nph, 0);
        const rRe = row(-p / nph, -p / nph, `PV ${u.name} active power, ${hour(t)}`);
        power(rRe, ph, j, 1, 0);
        const rIm = row(0, 0, `PV ${u.name} reactive power, ${hour(t)}`);
        power(rIm, ph, j, 0, 1);
        qp.linear(rIm, 1 / nph, { v: qD });
      }
    });

    // (U10)–(U12), (U14) batteries.
    net.batteries.forEach((u, k) => {
      const box = s.batteryLimit === 'disk' ? u.sPu : Math.sqrt(Math.max(0, u.sPu * u.sPu - u.pPu * u.pPu));
      const pc = qp.addVar(0, u.pPu, 0);
      const pd = qp.addVar(0, u.pPu, 0);
      const qb = qp.addVar(-box, box, 0);
      const bb = qp.addVar(u.socMin * u.ePuH, u.socMax * u.ePuH, u.b0PuH);
      batIx[t * nBat + k] = pc;
      const nph = u.phases.length;
      for (const ph of u.phases) {
        const j = device(ph, 0, 0);
        const rRe = row(0, 0, `battery ${u.name} active power, ${hour(t)}`);
        power(rRe, ph, j, 1, 0);
        qp.linear(rRe, 1 / nph, { v: pd });
        qp.linear(rRe, -1 / nph, { v: pc });
        const rIm = row(0, 0, `battery ${u.name} reactive power, ${hour(t)}`);
        power(rIm, ph, j, 0, 1);
        qp.linear(rIm, 1 / nph, { v: qb });
      }
      // (U11) B^t − B^{t−1} − Δt ηc Pc + Δt Pd / ηd = 0
      const rs = row(0, 0, `battery ${u.name} state of charge, ${hour(t)}`);
      qp.linear(rs, 1, { v: bb });
      if (t > 0) qp.linear(rs, -1, { v: batIx[(t - 1) * nBat + k]! + 3 });
      else qp.constant(rs, -u.b0PuH);
      qp.linear(rs, -dt * u.etaC, { v: pc });
      qp.linear(rs, dt / u.etaD, { v: pd });
      if (s.batteryLimit === 'disk') {
        // (U14) ((Pd − Pc)² + qB²)/S² ≤ 1
        const rd = row(-Infinity, 1, `battery ${u.name} inverter limit, ${hour(t)}`);
        const w = 1 / (u.sPu * u.sPu);
        qp.product(rd, w, { v: pd }, { v: pd });
        qp.product(rd, w, { v: pc }, { v: pc });
        qp.product(rd, -2 * w, { v: pd }, { v: pc });
        qp.product(rd, w, { v: qb }, { v: qb });
      }
      // (U16) α term, objective units per pu.
      qp.objectiveLinear(s.alpha * base * (1 - u.etaC), { v: pc });
      qp.objectiveLinear(s.alpha * base * (1 / u.etaD - 1), { v: pd });
    });

    // (U6) per-phase voltage limits.
    for (let i = 0; i < nFree; i++) {
      if (!net.limited[i]) continue;
      const r = row(vMinSq, vMaxSq, `voltage limits at node ${nodeName(i)}, ${hour(t)}`);
      vRow[t * nFree + i] = r;
      qp.product(r, 1, eOf(i), eOf(i));
      qp.product(r, 1, fOf(i), fOf(i));
    }
    // (U6c)–(U6e) line-to-line, unbalance and current limits (limits.ts).
    addLimitRows({ qp, row, eOf, fOf, seriesFirst: (k) => seriesIx[t * nSeries + k]!, hour: hour(t) }, net);

    // (U15) objective.
    if (s.objective === 'cost') {
      // (U7) P_sub = Σ_s Re(V_s conj(Σ_j Y_sj V_j)) = Σ e_j (es g + fs b) + f_j (fs g − es b)
      const w = priceW;
      if (net.srcRe && net.srcIm) {
        // (U7') Σ_i Re(V_i conj(I_src,i)) − Σ_ij Re(V_i conj(Ysrc_ij V_j)) over the source's entries
        for (let i = 0; i < nFree; i++) {
          qp.objectiveLinear(w * net.srcRe[i]!, eOf(i));
          qp.objectiveLinear(w * net.srcIm[i]!, fOf(i));
        }
        for (let k = 0; k < net.yRow.length; k++) {
          if (!net.ySource[k]) continue;
          const i = net.yRow[k]!;
          const j = net.yCol[k]!;
          const g = -w * net.yG[k]!;
          const b = -w * net.yB[k]!;
          qp.objectiveProduct(g, eOf(i), eOf(j));
          qp.objectiveProduct(-b, eOf(i), fOf(j));
          qp.objectiveProduct(g, fOf(i), fOf(j));
          qp.objectiveProduct(b, fOf(i), eOf(j));
        }
      }
    } else {
      // Re(V^H Y_net V) = Σ_ij g e_i e_j − b e_i f_j + g f_i f_j + b f_i e_j
      for (let k = 0; k < net.yRow.length; k++) {
        if (!net.yLoss[k]) continue;
        const i = net.yRow[k]!;
        const j = net.yCol[k]!;
        const g = net.yG[k]! * base;
        const b = net.yB[k]! * base;
        qp.objectiveProduct(g, eOf(i), eOf(j));
        qp.objectiveProduct(-b, eOf(i), fOf(j));
        qp.objectiveProduct(g, fOf(i), fOf(j));
        qp.objectiveProduct(b, fOf(i), eOf(j));
      }
    }
    // (U7) at source nodes: P_sub = Σ_s Re(V_s conj(Σ_j Y_sj V_j)) with the cost objective — in
    // general Σ_s πP P_s + πQ Q_s (sourcePrice); Y_sj V_j = (g e_j − b f_j) + j (g f_j + b e_j).
    for (let k = 0; k < net.yRow.length; k++) {
      const sIx = net.yRow[k]!;
      if (sIx < nFree) continue;
      const g = net.yG[k]!;
      const b = net.yB[k]!;
      const j = net.yCol[k]!;
      pricedSourceCurrent(sIx - nFree, g, eOf(j), fOf(j));
      if (prox) {
        curTerms[sIx - nFree]!.re.push([-b, fOf(j)]);
        curTerms[sIx - nFree]!.im.push([b, eOf(j)]);
      }
      const [pp, pq] = sourcePrice(sIx - nFree);
      if (pp === 0 && pq === 0) continue;
      // the −b f_j (real) and + b e_j (imaginary) parts: c·(a + j b) with c = b, a = −f_j, b = e_j
      const e = eOf(sIx);
      const f = fOf(sIx);
      qp.objectiveProduct(-b * pp, e, fOf(j));
      qp.objectiveProduct(b * pp, f, eOf(j));
      qp.objectiveProduct(-b * pq, f, fOf(j));
      qp.objectiveProduct(-b * pq, e, eOf(j));
    }
    // ρP/2 (P_s − P̄_s)² + ρQ/2 (Q_s − Q̄_s)² per source node (hooks.sourceCurrentProx), with the
    // draw linear in the current at the given voltage e + j f: P = e Ir + f Ii, Q = f Ir − e Ii.
    if (prox) {
      for (let k = 0; k < nSlack; k++) {
        const at = t * nSlack + k;
        const e = prox.e[at]!;
        const f = prox.f[at]!;
        const { re, im } = curTerms[k]!;
        const pTerms = [...re.map(([c, a]) => [e * c, a] as const), ...im.map(([c, a]) => [f * c, a] as const)];
        const qTerms = [...re.map(([c, a]) => [f * c, a] as const), ...im.map(([c, a]) => [-e * c, a] as const)];
        for (const [terms, w, centre] of [
          [pTerms, prox.weightP[at]!, prox.p[at]!],
          [qTerms, prox.weightQ[at]!, prox.q[at]!],
        ] as const) {
          for (let i = 0; i < terms.length; i++) {
            const [ci, ai] = terms[i]!;
            qp.objectiveLinear(-w * centre * ci, ai);
            qp.objectiveProduct(0.5 * w * ci * ci, ai, ai);
            for (let j = i + 1; j < terms.length; j++) qp.objectiveProduct(w * ci * terms[j]![0], ai, terms[j]![1]);
          }
          qp.objectiveLinear(0.5 * w * centre * centre, { c: 1 });
        }
      }
    }
    // An ENApp parent area: a proximal term on its boundary voltages (hooks.voltageProx).
    if (hooks?.voltageProx) {
      const { nodes, weight, e, f } = hooks.voltageProx;
      for (let j = 0; j < nodes.length; j++) {
        const at = t * nodes.length + j;
        const w = weight[at]!;
        for (const [op, centre] of [
          [eOf(nodes[j]!), e[at]!],
          [fOf(nodes[j]!), f[at]!],
        ] as const) {
          qp.objectiveProduct(0.5 * w, op, op);
          qp.objectiveLinear(-w * centre, op);
          qp.objectiveLinear(0.5 * w * centre * centre, { c: 1 });
        }
      }
    }
    // An ENApp parent area: a child's price of its source voltage.
    if (hooks?.voltagePrice) {
      const { nodes, e, f } = hooks.voltagePrice;
      for (let j = 0; j < nodes.length; j++) {
        qp.objectiveLinear(e[t * nodes.length + j]!, eOf(nodes[j]!));
        qp.objectiveLinear(f[t * nodes.length + j]!, fOf(nodes[j]!));
      }
    }
  }

  qp.period = -1;
  // (U13) terminal state of charge.
  net.batteries.forEach((u, k) => {
    const bT: Operand = { v: batIx[(T - 1) * nBat + k]! + 3 };
    if (s.terminalSoc === 'equal') {
      const r = row(u.b0PuH, u.b0PuH, `battery ${u.name} terminal state of charge`);
      qp.linear(r, 1, bT);
    } else if (s.terminalSoc === 'soft') {
      // w (B^T − B^0)² with B in kWh: w·base²·(B² − 2 B B0 + B0²)
      const w = s.softTerminalWeight * base * base;
      qp.objectiveProduct(w, bT, bT);
      qp.objectiveLinear(-2 * w * u.b0PuH, bT);
      qp.objectiveLinear(w * u.b0PuH * u.b0PuH, { c: 1 });
    }
  });

  const problem = qp.build({ conNames });
  return {
    net,
    ix: { e: eIx, qD: qDIx, batVar: batIx, vRow, balRow, series: seriesIx, regionS, pinRow, pinVar, pinSlack },
    problem,
  };
}

/** Start currents of a series element: I = y (V_from − V_to), y = Z⁻¹, at the start voltages (re, im interleaved). */
function seriesStart(br: Opf3Series, y: CMatrix, vStart: (node: number) => [number, number]): Float64Array {
  const nc = br.from.length;
  const out = new Float64Array(2 * nc);
  for (let p = 0; p < nc; p++) {
    for (let q = 0; q < nc; q++) {
      const [ef, ff] = vStart(br.from[q]!);
      const [et, ft] = vStart(br.to[q]!);
      const dr = ef - et;
      const di = ff - ft;
      const gr = y.re[p * nc + q]!;
      const gi = y.im[p * nc + q]!;
      out[2 * p]! += gr * dr - gi * di;
      out[2 * p + 1]! += gr * di + gi * dr;
    }
  }
  return out;
}
