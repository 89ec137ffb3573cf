/**
 * Solve a three-phase OPF end to end: model (model.ts) → interior-point solve (src-solver/nlp)
 * → results in engineering units per phase. When the solve is not optimal, `diagnoseOpf3` names
 * the limit that binds hardest, as bus, phase and hour.
 */
import { solveNlp, type SolveHooks, type SolveOptions, type SolveResult } from '../nlp/index';
import { OPF_NLP_DEFAULTS } from '../opf/solve';
import { buildOpf3Model, type Opf3Model } from './model';
import type { Opf3Network, Opf3Series } from './network';

export interface Opf3Period {
  readonly hour: number;
  /** Per free node: |V| (pu of its base) and angle (degrees). */
  readonly vPu: Float64Array;
  readonly angleDeg: Float64Array;
  /** Substation active/reactive power, three-phase totals, kW / kvar (U7). */
  readonly substationKw: number;
  readonly substationKvar: number;
  readonly pvKvar: number[];
  readonly batteryChargeKw: number[];
  readonly batteryDischargeKw: number[];
  readonly batteryKvar: number[];
  readonly batterySocKwh: number[];
}

export interface Opf3Outcome {
  readonly model: Opf3Model;
  readonly nlp: SolveResult;
  readonly optimal: boolean;
  /** Objective in engineering units (USD for 'cost', kW·periods for 'loss'). */
  readonly objective: number;
  readonly periods: Opf3Period[];
  readonly diagnosis?: string;
}

/**
 * Solver defaults: the balanced OPF's, with tol 1e-10, and the KKT's zero-pivot threshold on its
 * stable ordering at 1e-14 instead of 1e-12. The latter: near the optimum the current balance rows
 * at a regulator's terminals (leakage 1e-4 pu, admittance 10⁴ pu) meet pivots that cancel to
 * 6e-13 of the terms forming them (−1.8e-6 against 3e6 on IEEE 123's 160r) — of certain sign, but
 * called zero at 1e-12, so the inertia correction added δ_w of 0.1–1 every iteration and the
 * solve ended 'acceptable' (IEEE 123, T = 24: 44 iterations; with 1e-14 solved in 32). Measured on IEEE 123, T = 24, 10 PV +
 * 10 batteries: at tol 1e-8 the objective sits 1.5e-5 (relative) above its converged value
 * (idle batteries keep Pc ≈ Pd ≈ μ/z, 29 W), at 1e-9 1.5e-6, at 1e-10 within 2e-7 — for
 * 4 more iterations (28 → 32).
 *
 * And the KKT system always on its stable ordering (`kktOrdering: 'stable'`), never the plain-AMD
 * path that 'auto' takes for large systems (the 8500-node feeder from T = 8): that path factors
 * the KKT matrix with a static regularization δ₀ ≥ 1e-8 on the λ diagonal, so its inertia test is
 * H + AᵀA/(δ_c + δ₀) ≻ 0, and along the nearly dependent rows of this model's Jacobian that asked
 * for a Hessian shift δ_w ≈ 1e-3 every iteration which the reduced Hessian does not need (the
 * stable ordering's δ_w falls to 1e-6–1e-9): the 8500-node feeder with 50 batteries crept at
 * α ≈ 0.1–0.4 and ended 'acceptable' 1.3e-5 above the optimum at T = 8 (78 iterations; stable:
 * solved in 33) and did not end at T = 24 (stable: solved in 59) — docs/spec/unbalanced-opf.md,
 * "The 8500-node feeder with 50 batteries".
 *
 * And the KKT solves refined to a backward error of 1e-10 (Ipopt's residual_ratio_max) instead of
 * 1e-14: on the stable ordering a refined solve took 3.5 triangular solve pairs at 1e-14 and 1.4–1.6
 * at 1e-10, each pair about a fifth of a factorization. Measured on the 8500-node feeder with 50
 * batteries: T = 8 33 → 35 iterations, T = 24 59 → 56, the objective the same to 1e-12 (relative),
 * the triangular solves' time 63 → 25 s at T = 24 (docs/spec/unbalanced-opf.md).
 */
export const OPF3_NLP_DEFAULTS: SolveOptions = {
  ...OPF_NLP_DEFAULTS,
  tol: 1e-10,
  kktPivotTolerance: 1e-14,
  kktOrdering: 'stable',
  kktRefinementTolerance: 1e-10,
};

/**
 * Added to `OPF3_NLP_DEFAULTS` for more than one period (a caller's options override it): each
 * period's own fraction to the boundary, one step for the batteries' SOC chain
 * (nlp/periodSteps.ts; the model's period hint, NlpProblem.periods, gives every variable its
 * period, and only the SOC rows of hours 1… span two). Measured against W&B's global step
 * (docs/spec/unbalanced-opf.md, "Per-period step lengths"): IEEE 8500 with 50 batteries, T = 24,
 * 40 iterations / 63 factorizations against 54 / 84; the opf3 bench's IEEE 123 and IEEE 13 with
 * 10 PV + 10 batteries 30 / 48 against 33 / 52 and 25 / 39 against 27 / 42; the three-phase
 * siting's 12 representative days over 8 (feeder, battery) cases 1,881 / 2,775 against 1,929 /
 * 2,844 (one case 2 iterations more). The objectives agree to 2.1e-10 (relative). The balanced OPF's
 * per-period Hessian shift (OPF_MULTI_PERIOD_NLP_DEFAULTS) is not taken here: added to the steps
 * it cost more factorizations on 7 of those 8 cases (2,869 in all, more than the global step's;
 * IEEE 123 with a battery at 114.1: 439 against 409) and saved none on IEEE 8500 (41 / 64).
 */
export const OPF3_MULTI_PERIOD_NLP_DEFAULTS: SolveOptions = { stepLengths: 'per-period' };

/**
 * The objective's scale factor s_f for the cost objective of a network whose Vsource is its EMF
 * behind its impedance (U7''), where the objective's gradient is the price per pu of substation
 * power (C·Δt·S_b·|E| ≲ 70, so the gradient-based rule would take s_f = 1). Measured
 * (docs/spec/unbalanced-opf.md, "The 8500-node feeder"): on IEEE 123 (T = 24, 10 PV + 10
 * batteries) s_f = 1, 0.1 and 0.01 end 'acceptable' (47–58 iterations: near the end the KKT
 * factorization meets pivots of the regulators' stiff admittances that cancel to 1e-12 of their
 * size and are taken for zero, and δ_w of 0.1–1 is needed to pass them), 1e-3 'solved' in 38.
 */
export const OPF3_COST_OBJ_SCALE = 1e-3;

export function solveOpf3(net: Opf3Network, nlpOptions: SolveOptions = {}, hooks: SolveHooks = {}): Opf3Outcome {
  const model = buildOpf3Model(net);
  hooks.log?.(
    `OPF3 ${net.name}: ${net.nFree} nodes, ${net.loads.length} load elements, ${net.pv.length} PV, ${net.batteries.length} batteries, T = ${net.periods}; n = ${model.problem.n}, m = ${model.problem.m}`,
  );
  const emf = net.study.objective === 'cost' && net.series.some((b) => b.source);
  const nlp = solveNlp(
    model.problem,
    {
      ...OPF3_NLP_DEFAULTS,
      ...(net.periods > 1 ? OPF3_MULTI_PERIOD_NLP_DEFAULTS : {}),
      ...(emf ? { nlpObjScale: OPF3_COST_OBJ_SCALE } : {}),
      ...nlpOptions,
    },
    hooks,
  );
  const optimal = nlp.status === 'solved' || nlp.status === 'acceptable';
  const diagnosis = optimal ? undefined : diagnoseOpf3(model, nlp);
  return {
    model,
    nlp,
    optimal,
    objective: nlp.objective,
    periods: extractPeriods(model, nlp.x),
    ...(diagnosis ? { diagnosis } : {}),
  };
}

/** Per-period results in engineering units from a solution vector. */
export function extractPeriods(model: Opf3Model, x: Float64Array): Opf3Period[] {
  const { net, ix } = model;
  const { nFree, nSlack } = net;
  const base = net.baseKva;
  const nPv = net.pv.length;
  const nBat = net.batteries.length;
  const out: Opf3Period[] = [];
  for (let t = 0; t < net.periods; t++) {
    const vPu = new Float64Array(nFree);
    const angleDeg = new Float64Array(nFree);
    const eOf = (i: number): number => (i < nFree ? x[ix.e[t * nFree + i]!]! : net.slackRe[t * nSlack + i - nFree]!);
    const fOf = (i: number): number =>
      i < nFree ? x[ix.e[t * nFree + i]! + 1]! : net.slackIm[t * nSlack + i - nFree]!;
    for (let i = 0; i < nFree; i++) {
      vPu[i] = Math.hypot(eOf(i), fOf(i));
      angleDeg[i] = (Math.atan2(fOf(i), eOf(i)) * 180) / Math.PI;
    }
    let p = 0;
    let q = 0;
    for (let k = 0; k < net.yRow.length; k++) {
      const s = net.yRow[k]!;
      if (s < nFree || net.ySource[k]) continue;
      const j = net.yCol[k]!;
      const g = net.yG[k]!;
      const b = net.yB[k]!;
      const wr = g * eOf(j) - b * fOf(j);
      const wi = g * fOf(j) + b * eOf(j);
      // S = V conj(W)
      p += eOf(s) * wr + fOf(s) * wi;
      q += fOf(s) * wr - eOf(s) * wi;
    }
    // Series elements leaving a source node (U7) …
    net.series.forEach((br, k) => {
      const first = ix.series[t * net.series.length + k]!;
      br.from.forEach((node, c) => {
        for (const [nd, sign] of [
          [node, 1],
          [br.to[c]!, -1],
        ] as const) {
          if (nd < nFree) continue;
          const ir = sign * x[first + 2 * c]!;
          const ii = sign * x[first + 2 * c + 1]!;
          p += eOf(nd) * ir + fOf(nd) * ii;
          q += fOf(nd) * ir - eOf(nd) * ii;
        }
      });
      // (U7'') a source's own impedance: the power at its terminal is the EMF's less I^H Z I
      if (br.source) {
        const [zp, zq] = seriesLoss(br, x, first);
        p -= zp;
        q -= zq;
      }
    });
    // … and Norton sources (U7').
    if (net.srcRe && net.srcIm) {
      for (let i = 0; i < nFree; i++) {
        const ir = net.srcRe[i]!;
        const ii = net.srcIm[i]!;
        p += eOf(i) * ir + fOf(i) * ii;
        q += fOf(i) * ir - eOf(i) * ii;
      }
      for (let k = 0; k < net.yRow.length; k++) {
        if (!net.ySource[k]) continue;
        const i = net.yRow[k]!;
        const j = net.yCol[k]!;
        const g = net.yG[k]!;
        const b = net.yB[k]!;
        const wr = g * eOf(j) - b * fOf(j);
        const wi = g * fOf(j) + b * eOf(j);
        p -= eOf(i) * wr + fOf(i) * wi;
        q -= fOf(i) * wr - eOf(i) * wi;
      }
    }
    const bat = (o: number): number[] =>
      Array.from({ length: nBat }, (_, k) => x[ix.batVar[t * nBat + k]! + o]! * base);
    out.push({
      hour: net.hourOfPeriod[t]!,
      vPu,
      angleDeg,
      substationKw: p * base,
      substationKvar: q * base,
      pvKvar: Array.from({ length: nPv }, (_, k) => x[ix.qD[t * nPv + k]!]! * base),
      batteryChargeKw: bat(0),
      batteryDischargeKw: bat(1),
      batteryKvar: bat(2),
      batterySocKwh: bat(3),
    });
  }
  return out;
}

/**
 * The limit that binds hardest at the last iterate, named by bus, phase and hour: the most
 * violated voltage limit (U6), else the voltage row or SOC bound with the largest multiplier,
 * else the most violated row by its name.
 */
export function diagnoseOpf3(model: Opf3Model, r: SolveResult): string {
  const { net, ix, problem } = model;
  const { nFree } = net;
  const s = net.study;
  const phase = (i: number): string => 'abc'[net.nodePhase[i]! - 1] ?? String(net.nodePhase[i]);
  // 1. An infeasible end: the voltage limit (U6) violated most at the last iterate (the
  //    restoration phase's minimiser of the violation shows where the limits cannot hold).
  let worstV = 1e-6;
  let textV = '';
  for (let t = 0; t < net.periods; t++) {
    for (let i = 0; i < nFree; i++) {
      const row = ix.vRow[t * nFree + i]!;
      if (row < 0) continue;
      const over = r.g[row]! - problem.gU[row]!;
      const under = problem.gL[row]! - r.g[row]!;
      if (Math.max(over, under) > worstV) {
        worstV = Math.max(over, under);
        const v = Math.sqrt(Math.max(0, r.g[row]!));
        textV = `voltage ${over > under ? `upper limit ${s.vMaxPu}` : `lower limit ${s.vMinPu}`} pu at bus ${net.nodeBus[i]} phase ${phase(i)} (hour ${net.hourOfPeriod[t]}; ${v.toFixed(4)} pu at the last iterate)`;
      }
    }
  }
  // (U5d) rows: a load kept out of OpenDSS's low-voltage region (below its Vminpu it would be a
  // constant impedance, which the OPF does not model), named `load NAME above Vminpu, hour H`.
  const lowRows: { row: number; text: (g: number) => string }[] = [];
  problem.conNames?.forEach((name, row) => {
    const m = /^load (.+) above Vminpu, (hour \d+)$/.exec(name);
    if (!m) return;
    const vLow = net.loads.find((l) => l.name === m[1])?.region?.vLowPu ?? NaN;
    lowRows.push({
      row,
      text: (g) =>
        `load ${m[1]} at its Vminpu, ${vLow.toFixed(4)} pu (${m[2]}; ${(vLow * Math.sqrt(Math.max(0, g))).toFixed(4)} pu at the last iterate): below it OpenDSS makes the load a constant impedance, a region the OPF does not model, so the OPF keeps every load above its Vminpu — a Vminpu at or below the study's lower limit ${s.vMinPu} pu lifts this`,
    });
  });
  for (const { row, text } of lowRows) {
    const under = problem.gL[row]! - r.g[row]!;
    if (under > worstV) {
      worstV = under;
      textV = text(r.g[row]!);
    }
  }
  if (textV) return textV;
  // 2. Otherwise the limit with the largest multiplier.
  let best = 0;
  let text = '';
  for (let t = 0; t < net.periods; t++) {
    for (let i = 0; i < nFree; i++) {
      const row = ix.vRow[t * nFree + i]!;
      if (row < 0) continue;
      const lam = r.lambda[row]!;
      if (Math.abs(lam) > best) {
        best = Math.abs(lam);
        const v = Math.sqrt(Math.max(0, r.g[row]!));
        const lower = Math.abs(v - s.vMinPu) < Math.abs(v - s.vMaxPu);
        text = `voltage ${lower ? 'lower' : 'upper'} limit ${lower ? s.vMinPu : s.vMaxPu} pu at bus ${net.nodeBus[i]} phase ${phase(i)} (hour ${net.hourOfPeriod[t]})`;
      }
    }
    net.batteries.forEach((u, k) => {
      const b = ix.batVar[t * net.batteries.length + k]! + 3;
      for (const [z, what] of [
        [r.zL[b]!, 'minimum'],
        [r.zU[b]!, 'maximum'],
      ] as const) {
        if (z > best) {
          best = z;
          text = `${what} state of charge of battery ${u.name} (hour ${net.hourOfPeriod[t]})`;
        }
      }
    });
  }
  for (const { row, text: low } of lowRows)
    if (Math.abs(r.lambda[row]!) > best) {
      best = Math.abs(r.lambda[row]!);
      text = low(r.g[row]!);
    }
  if (text) return text;
  let worst = 0;
  let row = -1;
  for (let i = 0; i < r.g.length; i++) {
    const viol = Math.max(problem.gL[i]! - r.g[i]!, r.g[i]! - problem.gU[i]!);
    if (viol > worst) {
      worst = viol;
      row = i;
    }
  }
  // 3. No multiplier to go by (a restoration phase that returned resets λ to 0, and an infeasible
  //    end keeps the outer iterate's): the voltage or (U5d) limit the least-infeasible point is
  //    pressed against (within AT_LIMIT) in the hour of the most violated row. Measured on IEEE
  //    123's 30 June with the loads' Vminpu 0.95 (siting/threephase.test.ts): the violation sits
  //    on regulator 160r's current balance in hours 12–18 and load s114a.1's (U5d) rows are at
  //    their bound in exactly those hours, every voltage row 9e-2 pu² inside its limits.
  const hourRow = row >= 0 ? (problem.periods?.ofCon[row] ?? -1) : -1;
  if (hourRow >= 0) {
    const AT_LIMIT = 1e-8;
    let closest = AT_LIMIT;
    let textAt = '';
    for (let i = 0; i < nFree; i++) {
      const vr = ix.vRow[hourRow * nFree + i]!;
      if (vr < 0) continue;
      const gap = Math.min(r.g[vr]! - problem.gL[vr]!, problem.gU[vr]! - r.g[vr]!);
      if (gap <= closest) {
        closest = gap;
        const lower = r.g[vr]! - problem.gL[vr]! <= problem.gU[vr]! - r.g[vr]!;
        textAt = `voltage ${lower ? `lower limit ${s.vMinPu}` : `upper limit ${s.vMaxPu}`} pu at bus ${net.nodeBus[i]} phase ${phase(i)} (hour ${net.hourOfPeriod[hourRow]})`;
      }
    }
    for (const { row: lr, text: low } of lowRows) {
      if (problem.periods?.ofCon[lr] !== hourRow) continue;
      const gap = r.g[lr]! - problem.gL[lr]!;
      if (gap <= closest) {
        closest = gap;
        textAt = low(r.g[lr]!);
      }
    }
    if (textAt) return textAt;
  }
  return row >= 0
    ? `${problem.conNames?.[row] ?? `row ${row}`} violated by ${worst.toExponential(2)}`
    : 'no single limit identified';
}

/** I^H Z I (pu, real and imaginary) of a series element whose currents start at x[first]. */
export function seriesLoss(br: Opf3Series, x: Float64Array, first: number): [number, number] {
  const m = br.from.length;
  let p = 0;
  let q = 0;
  for (let a = 0; a < m; a++) {
    const ira = x[first + 2 * a]!;
    const iia = x[first + 2 * a + 1]!;
    for (let c = 0; c < m; c++) {
      const irb = x[first + 2 * c]!;
      const iib = x[first + 2 * c + 1]!;
      const zr = br.zRe[a * m + c]!;
      const zi = br.zIm[a * m + c]!;
      // conj(I_a) (Z I)_a
      const wr = zr * irb - zi * iib;
      const wi = zr * iib + zi * irb;
      p += ira * wr + iia * wi;
      q += ira * wi - iia * wr;
    }
  }
  return [p, q];
}
