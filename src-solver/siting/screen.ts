/**
 * Screening by marginal value: what a battery at a bus would earn if it traded against that bus's
 * locational marginal prices (the multipliers of the OPF's real-power balance rows, evaluate.ts).
 * Per bus and horizon part a small linear program — the battery's own SOC chain, power and SOC
 * bounds, terminal SOC = initial, efficiencies and the OPF's battery-loss weight α:
 *
 *   max Σ_t π_t Δt (Pd_t − Pc_t) − α Σ_t ((1−ηc) Pc_t + (1/ηd − 1) Pd_t)
 *   s.t. B_t = B_{t−1} + Δt ηc Pc_t − Δt Pd_t / ηd,  B_T = B_0,
 *        socMin E ≤ B_t ≤ socMax E,  0 ≤ Pc_t, Pd_t ≤ P.
 *
 * Every constraint is homogeneous in (P, E, B, Pc, Pd) (B_0 = socInitial · E), so the value of a
 * battery with a given duration E/P is linear in its size: one LP per (bus, part, duration) gives
 * the value per kW of every size. This is first order: it holds the network's state fixed (the
 * battery is small against the feeder) and ignores the battery's reactive power; the ranking it
 * gives is only used to choose which configurations the full OPF verifies.
 */
import { solveNlp } from '../nlp/index';
import type { NlpProblem } from '../nlp/problem';

export interface UnitBattery {
  /** Energy per kW of power rating, h (the duration). */
  readonly hours: number;
  readonly etaCharge: number;
  readonly etaDischarge: number;
  readonly socMin: number;
  readonly socMax: number;
  readonly socInitial: number;
}

export interface ArbitrageResult {
  /** Value of a 1 kW battery of the given duration over the price series, USD (−objective). */
  readonly valueUsdPerKw: number;
  readonly chargeKw: Float64Array;
  readonly dischargeKw: Float64Array;
  readonly ok: boolean;
}

/** Solve the LP above for a 1 kW battery against prices `priceUsdPerKwh` (length T). */
export function arbitrageValue(
  priceUsdPerKwh: ArrayLike<number>,
  dtH: number,
  bat: UnitBattery,
  alpha: number,
): ArbitrageResult {
  const T = priceUsdPerKwh.length;
  const E = bat.hours;
  const B0 = bat.socInitial * E;
  // x = [Pc_0..Pc_{T−1}, Pd_0.., B_0..]; rows: SOC t = 0..T−1, terminal.
  const n = 3 * T;
  const m = T + 1;
  const pc = (t: number): number => t;
  const pd = (t: number): number => T + t;
  const b = (t: number): number => 2 * T + t;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const gConst = new Float64Array(m);
  for (let t = 0; t < T; t++) {
    rows.push(t, t, t);
    cols.push(b(t), pc(t), pd(t));
    vals.push(1, -dtH * bat.etaCharge, dtH / bat.etaDischarge);
    if (t > 0) {
      rows.push(t);
      cols.push(b(t - 1));
      vals.push(-1);
    } else gConst[0] = -B0;
  }
  rows.push(T);
  cols.push(b(T - 1));
  vals.push(1);
  gConst[T] = -B0;
  const jr = Int32Array.from(rows);
  const jc = Int32Array.from(cols);
  const jv = Float64Array.from(vals);
  const c = new Float64Array(n);
  for (let t = 0; t < T; t++) {
    c[pc(t)] = priceUsdPerKwh[t]! * dtH + alpha * (1 - bat.etaCharge);
    c[pd(t)] = -priceUsdPerKwh[t]! * dtH + alpha * (1 / bat.etaDischarge - 1);
  }
  const xL = new Float64Array(n);
  const xU = new Float64Array(n).fill(1);
  const x0 = new Float64Array(n);
  for (let t = 0; t < T; t++) {
    xL[b(t)] = bat.socMin * E;
    xU[b(t)] = bat.socMax * E;
    x0[b(t)] = B0;
  }
  const problem: NlpProblem = {
    n,
    m,
    xL,
    xU,
    gL: new Float64Array(m),
    gU: new Float64Array(m),
    x0,
    jacobianStructure: () => ({ rows: jr, cols: jc }),
    hessianStructure: () => ({ rows: new Int32Array(0), cols: new Int32Array(0) }),
    evalF: (x) => {
      let f = 0;
      for (let i = 0; i < n; i++) f += c[i]! * x[i]!;
      return f;
    },
    evalGradF: (_x, out) => out.set(c),
    evalG: (x, out) => {
      out.set(gConst);
      for (let k = 0; k < jr.length; k++) out[jr[k]!]! += jv[k]! * x[jc[k]!]!;
    },
    evalJacobian: (_x, out) => out.set(jv),
    evalHessian: () => undefined,
  };
  const r = solveNlp(problem, { tol: 1e-9, printLevel: 0 });
  return {
    valueUsdPerKw: -r.objective,
    chargeKw: r.x.slice(0, T),
    dischargeKw: r.x.slice(T, 2 * T),
    ok: r.status === 'solved' || r.status === 'acceptable',
  };
}
