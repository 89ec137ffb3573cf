/**
 * Starting point: the power flow of the same study with no controls — PV at its forecast real
 * output with q_D = 0, batteries idle (Pc = Pd = qB = 0, B = B^0) — solved on the branch-flow
 * equations spec (1)–(4) themselves by a backward/forward sweep, so the solver starts with the
 * network equalities satisfied to round-off and only the bounds (voltage limits, SOC) to fix.
 *
 * Sweep (per period): backward, leaves to root,
 *     P_ij = p_net_j + r_ij l_ij + Σ_k P_jk,   Q_ij = q_net_j − q_C_j v_j + x_ij l_ij + Σ_k Q_jk;
 * forward, root to leaves,
 *     l_ij = (P_ij² + Q_ij²) / v_i,   v_j = v_i − 2(r_ij P_ij + x_ij Q_ij) + (r_ij² + x_ij²) l_ij;
 * repeated until v, P, Q change by less than 1e-13 pu (a few sweeps on a distribution feeder).
 */
import type { IndexMap } from './index-map';
import type { OpfNetwork } from './network';

/** Net controllable injections per period (pu): the sweep's inputs besides the forecast. */
export interface SweepControls {
  /** PV reactive power q_D per PV unit (nPv values). */
  readonly qD: Float64Array;
  /** Battery net discharge Pd − Pc and reactive power qB per battery (nBat values each). */
  readonly pBat: Float64Array;
  readonly qB: Float64Array;
}

export interface SweepResult {
  /** Per branch e: P, Q, l; per bus b: v (v[0] = root). */
  readonly P: Float64Array;
  readonly Q: Float64Array;
  readonly l: Float64Array;
  readonly v: Float64Array;
  readonly converged: boolean;
  readonly sweeps: number;
}

/** DistFlow sweep of one period with the given controls. */
export function sweepPeriod(net: OpfNetwork, t: number, controls: SweepControls, maxSweeps = 200): SweepResult {
  const nBus = net.nBus;
  const nBr = nBus - 1;
  const pNet = new Float64Array(nBus);
  const qNet = new Float64Array(nBus);
  for (let b = 1; b < nBus; b++) {
    pNet[b] = net.pLoadPu[t * nBus + b]!;
    qNet[b] = net.qLoadPu[t * nBus + b]!;
  }
  for (let k = 0; k < net.nPv; k++) {
    pNet[net.pvBus[k]!]! -= net.pvPPu[t * net.nPv + k]!;
    qNet[net.pvBus[k]!]! -= controls.qD[k]!;
  }
  for (let k = 0; k < net.nBat; k++) {
    pNet[net.batBus[k]!]! -= controls.pBat[k]!;
    qNet[net.batBus[k]!]! -= controls.qB[k]!;
  }
  const P = new Float64Array(nBr);
  const Q = new Float64Array(nBr);
  const l = new Float64Array(nBr);
  const v = new Float64Array(nBus).fill(net.vRootSqPu[t]!);
  const accP = new Float64Array(nBus);
  const accQ = new Float64Array(nBus);
  let converged = false;
  let sweeps = 0;
  while (sweeps < maxSweeps && !converged) {
    sweeps++;
    let change = 0;
    accP.fill(0);
    accQ.fill(0);
    for (let b = nBus - 1; b >= 1; b--) {
      const e = b - 1;
      const p = pNet[b]! + net.rPu[e]! * l[e]! + accP[b]!;
      const q = qNet[b]! - net.qCapPu[b]! * v[b]! + net.xPu[e]! * l[e]! + accQ[b]!;
      change = Math.max(change, Math.abs(p - P[e]!), Math.abs(q - Q[e]!));
      P[e] = p;
      Q[e] = q;
      accP[net.parent[b]!]! += p;
      accQ[net.parent[b]!]! += q;
    }
    for (let b = 1; b < nBus; b++) {
      const e = b - 1;
      const vi = v[net.parent[b]!]!;
      const r = net.rPu[e]!;
      const x = net.xPu[e]!;
      l[e] = (P[e]! * P[e]! + Q[e]! * Q[e]!) / vi;
      const vb = vi - 2 * (r * P[e]! + x * Q[e]!) + (r * r + x * x) * l[e]!;
      change = Math.max(change, Math.abs(vb - v[b]!));
      v[b] = vb;
    }
    if (change < 1e-13) converged = true;
  }
  return { P, Q, l, v, converged, sweeps };
}

/** x0 for the NLP: the no-control power flow of every period (see the file comment). */
export function initialPoint(net: OpfNetwork, ix: IndexMap): Float64Array {
  const x0 = new Float64Array(ix.n);
  const idle: SweepControls = {
    qD: new Float64Array(net.nPv),
    pBat: new Float64Array(net.nBat),
    qB: new Float64Array(net.nBat),
  };
  for (let t = 0; t < net.periods; t++) {
    const pf = sweepPeriod(net, t, idle);
    for (let e = 0; e < net.nBus - 1; e++) {
      x0[ix.P(e, t)] = pf.P[e]!;
      x0[ix.Q(e, t)] = pf.Q[e]!;
      x0[ix.l(e, t)] = pf.l[e]!;
      x0[ix.v(e + 1, t)] = pf.v[e + 1]!;
    }
    for (let k = 0; k < net.nBat; k++) x0[ix.B(k, t)] = net.batB0PuH[k]!;
  }
  return x0;
}
