/**
 * OPF results in engineering units, from the NLP solution x: per period every bus voltage, every
 * branch flow and loss, PV P/Q, battery P/Q/SOC, substation P/Q and cost; totals over the horizon
 * as in the source papers' tables; the largest simultaneous charge/discharge; the SOCP
 * relaxation gap per branch. JSON (the CLI's schema) and CSV exports.
 *
 * Conventions: powers kW/kvar (per-phase equivalent, like the feeder), energies kWh/kvarh
 * (Σ_t value·Δt), voltages pu of magnitude, prices USD/kWh. Substation power includes loads
 * attached to the root bus (not modelled as rows; see network.ts).
 */
import type { IndexMap } from './index-map';
import type { OpfNetwork } from './network';
import type { SolveStatus } from '../nlp/status';

/** How an OPF solve ended: the NLP solver's status, or 'maxRounds' for a distributed solve stopped at its round limit. */
export type OpfStatus = SolveStatus | 'maxRounds';

/** Solver outcome as the OPF reports it (status names are those of the NLP solver). */
export interface OpfSolverStats {
  readonly status: OpfStatus;
  readonly message: string;
  readonly iterations: number;
  readonly seconds: number;
  /** NLP objective: USD ('cost') or kW summed over periods ('loss'), α term included (see model.ts). */
  readonly objectiveNlp: number;
}

export interface OpfPeriod {
  readonly period: number;
  readonly hour: number;
  /** Bus voltage magnitudes, pu, in `OpfResults.busNames` order (root first). */
  readonly vPu: Float64Array;
  /** Branch sending-end flows, kW / kvar, losses r·l, kW, and currents, A, in `branchNames` order. */
  readonly branchPKw: Float64Array;
  readonly branchQKvar: Float64Array;
  readonly branchLossKw: Float64Array;
  readonly branchCurrentA: Float64Array;
  readonly pvKw: Float64Array;
  readonly pvKvar: Float64Array;
  readonly batteryChargeKw: Float64Array;
  readonly batteryDischargeKw: Float64Array;
  readonly batteryKvar: Float64Array;
  /** Stored energy at the end of the period, kWh. */
  readonly batterySocKwh: Float64Array;
  readonly substationKw: number;
  readonly substationKvar: number;
  readonly lossKw: number;
  readonly demandKw: number;
  readonly priceUsdPerKwh: number;
  readonly costUsd: number;
}

export interface OpfTotals {
  readonly lineLossKwh: number;
  readonly substationKwh: number;
  readonly substationKvarh: number;
  readonly pvKwh: number;
  readonly pvKvarh: number;
  /** Discharge minus charge. */
  readonly batteryKwh: number;
  readonly batteryKvarh: number;
  readonly costUsd: number;
  readonly demandKwh: number;
}

export interface OpfValidation {
  /** Largest |V_opf − V_pf| over buses and periods, pu. */
  readonly maxVoltageDiffPu: number;
  /** Largest |loss_opf − loss_pf| over periods, pu of the power base. */
  readonly maxLossDiffPu: number;
  /** Largest |P_subs,opf − P_subs,pf| or |Q_subs,opf − Q_subs,pf| over periods, pu. */
  readonly maxSubstationDiffPu: number;
  /** Side by side per period, kW / kvar. */
  readonly periods: readonly {
    readonly lossKwOpf: number;
    readonly lossKwPf: number;
    readonly substationKwOpf: number;
    readonly substationKwPf: number;
    readonly substationKvarOpf: number;
    readonly substationKvarPf: number;
  }[];
  /** Present when the power flow itself failed. */
  readonly error?: string;
  /** The power flow's branch results (absent when it failed). */
  readonly branches?: ValidationBranches;
}

/**
 * Per branch and period, what the validating AC power flow computed: the branch current (the
 * run's loading is this against the branch's ampacity) and the sending-end power. Branches in
 * `feeder.branches` order, `from` the substation side; arrays are `[period][branch]`.
 */
export interface ValidationBranches {
  readonly names: readonly string[];
  readonly upstreamBus: readonly string[];
  readonly currentA: readonly Float64Array[];
  readonly pKw: readonly Float64Array[];
  readonly qKvar: readonly Float64Array[];
}

export interface OpfResults {
  readonly feederName: string;
  readonly status: OpfStatus;
  readonly message: string;
  /** Objective in engineering units: USD for 'cost', kW (Σ over periods) for 'loss'; α term included. */
  readonly objective: number;
  readonly objectiveKind: 'cost' | 'loss';
  readonly dtH: number;
  readonly busNames: readonly string[];
  readonly branchNames: readonly string[];
  readonly pvNames: readonly string[];
  readonly pvBuses: readonly string[];
  readonly batteryNames: readonly string[];
  readonly batteryBuses: readonly string[];
  readonly periods: readonly OpfPeriod[];
  readonly totals: OpfTotals;
  /** Largest min(Pc, Pd) over batteries and periods, kW, and as a fraction of that battery's rating. */
  readonly maxSimultaneousChargeDischargeKw: number;
  readonly maxSimultaneousChargeDischargeFraction: number;
  /** Per branch, the largest l − (P² + Q²)/v_i over periods, pu (≈ 0: the relaxation is exact). */
  readonly relaxationGapPu: Float64Array;
  readonly maxRelaxationGapPu: number;
  readonly solver: OpfSolverStats;
  readonly validation?: OpfValidation;
  /** Options and defaults used, for the log and the report. */
  readonly notes: readonly string[];
}

export function extractResults(
  net: OpfNetwork,
  ix: IndexMap,
  x: Float64Array,
  solver: OpfSolverStats,
  notes: readonly string[] = [],
): OpfResults {
  const base = net.baseKva;
  const T = net.periods;
  const dt = net.study.dtH;
  const nBus = net.nBus;
  const nBr = nBus - 1;
  const periods: OpfPeriod[] = [];
  const gap = new Float64Array(nBr).fill(-Infinity);
  let maxSim = 0;
  let maxSimFrac = 0;
  const tot = {
    lineLossKwh: 0,
    substationKwh: 0,
    substationKvarh: 0,
    pvKwh: 0,
    pvKvarh: 0,
    batteryKwh: 0,
    batteryKvarh: 0,
    costUsd: 0,
    demandKwh: 0,
  };
  for (let t = 0; t < T; t++) {
    const vSq = (b: number): number => (b === 0 ? net.vRootSqPu[t]! : x[ix.v(b, t)]!);
    const vPu = new Float64Array(nBus);
    for (let b = 0; b < nBus; b++) vPu[b] = Math.sqrt(vSq(b));
    const branchPKw = new Float64Array(nBr);
    const branchQKvar = new Float64Array(nBr);
    const branchLossKw = new Float64Array(nBr);
    const branchCurrentA = new Float64Array(nBr);
    let lossKw = 0;
    for (let e = 0; e < nBr; e++) {
      const P = x[ix.P(e, t)]!;
      const Q = x[ix.Q(e, t)]!;
      const l = x[ix.l(e, t)]!;
      branchPKw[e] = P * base;
      branchQKvar[e] = Q * base;
      branchLossKw[e] = net.rPu[e]! * l * base;
      branchCurrentA[e] = Math.sqrt(Math.max(0, l)) * net.iBaseA[e]!;
      lossKw += branchLossKw[e]!;
      gap[e] = Math.max(gap[e]!, l - (P * P + Q * Q) / vSq(net.parent[e + 1]!));
    }
    let pSubs = net.rootLoadPPu[t]!;
    let qSubs = net.rootLoadQPu[t]!;
    for (let c = net.childStart[0]!; c < net.childStart[1]!; c++) {
      pSubs += x[ix.P(net.childList[c]!, t)]!;
      qSubs += x[ix.Q(net.childList[c]!, t)]!;
    }
    let demand = net.rootLoadPPu[t]!;
    for (let b = 1; b < nBus; b++) demand += net.pLoadPu[t * nBus + b]!;
    const pvKw = new Float64Array(net.nPv);
    const pvKvar = new Float64Array(net.nPv);
    for (let k = 0; k < net.nPv; k++) {
      pvKw[k] = net.pvPPu[t * net.nPv + k]! * base;
      pvKvar[k] = x[ix.qD(k, t)]! * base;
      tot.pvKwh += pvKw[k]! * dt;
      tot.pvKvarh += pvKvar[k]! * dt;
    }
    const nB = net.nBat;
    const [chg, dis, bq, soc] = [
      new Float64Array(nB),
      new Float64Array(nB),
      new Float64Array(nB),
      new Float64Array(nB),
    ];
    for (let k = 0; k < nB; k++) {
      chg[k] = x[ix.Pc(k, t)]! * base;
      dis[k] = x[ix.Pd(k, t)]! * base;
      bq[k] = x[ix.qB(k, t)]! * base;
      soc[k] = x[ix.B(k, t)]! * base;
      const sim = Math.min(chg[k]!, dis[k]!);
      maxSim = Math.max(maxSim, sim);
      maxSimFrac = Math.max(maxSimFrac, sim / (net.batPPu[k]! * base));
      tot.batteryKwh += (dis[k]! - chg[k]!) * dt;
      tot.batteryKvarh += bq[k]! * dt;
    }
    const price = net.priceUsdPerKwh[t]!;
    const costUsd = price * pSubs * base * dt;
    tot.lineLossKwh += lossKw * dt;
    tot.substationKwh += pSubs * base * dt;
    tot.substationKvarh += qSubs * base * dt;
    tot.costUsd += costUsd;
    tot.demandKwh += demand * base * dt;
    periods.push({
      period: t,
      hour: net.hourOfPeriod[t]!,
      vPu,
      branchPKw,
      branchQKvar,
      branchLossKw,
      branchCurrentA,
      pvKw,
      pvKvar,
      batteryChargeKw: chg,
      batteryDischargeKw: dis,
      batteryKvar: bq,
      batterySocKwh: soc,
      substationKw: pSubs * base,
      substationKvar: qSubs * base,
      lossKw,
      demandKw: demand * base,
      priceUsdPerKwh: price,
      costUsd,
    });
  }
  let maxGap = 0;
  for (let e = 0; e < nBr; e++) maxGap = Math.max(maxGap, gap[e]!);
  return {
    feederName: net.feederName,
    status: solver.status,
    message: solver.message,
    objective: solver.objectiveNlp,
    objectiveKind: net.study.objective,
    dtH: dt,
    busNames: net.busNames,
    branchNames: net.branchNames,
    pvNames: net.pvNames,
    pvBuses: Array.from(net.pvBus, (b) => net.busNames[b]!),
    batteryNames: net.batNames,
    batteryBuses: Array.from(net.batBus, (b) => net.busNames[b]!),
    periods,
    totals: tot,
    maxSimultaneousChargeDischargeKw: maxSim,
    maxSimultaneousChargeDischargeFraction: maxSimFrac,
    relaxationGapPu: gap,
    maxRelaxationGapPu: maxGap,
    solver,
    notes,
  };
}

/** The CLI's JSON document (see the schema); `detail` adds every bus, branch and device. */
export function resultsToJson(r: OpfResults, detail = false): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    feeder: r.feederName,
    status: r.status,
    message: r.message,
    objective: r.objective,
    objectiveUnit: r.objectiveKind === 'cost' ? 'USD' : 'kW (sum over periods)',
    totals: r.totals,
    maxSimultaneousChargeDischargeKw: r.maxSimultaneousChargeDischargeKw,
    maxRelaxationGapPu: r.maxRelaxationGapPu,
    validation: r.validation
      ? {
          maxVoltageDiffPu: r.validation.maxVoltageDiffPu,
          maxLossDiffPu: r.validation.maxLossDiffPu,
          maxSubstationDiffPu: r.validation.maxSubstationDiffPu,
          ...(r.validation.error ? { error: r.validation.error } : {}),
        }
      : null,
    solver: {
      status: r.solver.status,
      iterations: r.solver.iterations,
      seconds: r.solver.seconds,
      objectiveNlp: r.solver.objectiveNlp,
    },
    periods: r.periods.map((p) => ({
      hour: p.hour,
      substationKw: p.substationKw,
      substationKvar: p.substationKvar,
      lossKw: p.lossKw,
      priceUsdPerKwh: p.priceUsdPerKwh,
      costUsd: p.costUsd,
      minVoltagePu: Math.min(...p.vPu),
      maxVoltagePu: Math.max(...p.vPu),
    })),
    batteries: r.batteryNames.map((name, k) => ({
      name,
      bus: r.batteryBuses[k],
      socKwh: r.periods.map((p) => p.batterySocKwh[k]),
      chargeKw: r.periods.map((p) => p.batteryChargeKw[k]),
      dischargeKw: r.periods.map((p) => p.batteryDischargeKw[k]),
      kvar: r.periods.map((p) => p.batteryKvar[k]),
    })),
    pv: r.pvNames.map((name, k) => ({
      name,
      bus: r.pvBuses[k],
      kw: r.periods.map((p) => p.pvKw[k]),
      kvar: r.periods.map((p) => p.pvKvar[k]),
    })),
    notes: r.notes,
  };
  if (detail) {
    doc.buses = r.busNames.map((name, b) => ({ name, vPu: r.periods.map((p) => p.vPu[b]) }));
    doc.branches = r.branchNames.map((name, e) => ({
      name,
      pKw: r.periods.map((p) => p.branchPKw[e]),
      qKvar: r.periods.map((p) => p.branchQKvar[e]),
      lossKw: r.periods.map((p) => p.branchLossKw[e]),
      currentA: r.periods.map((p) => p.branchCurrentA[e]),
      relaxationGapPu: r.relaxationGapPu[e],
    }));
  }
  return doc;
}

const csvNum = (v: number): string => (Number.isFinite(v) ? String(v) : '');
const csvText = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV tables: one row per period; per bus and period; per branch and period; per battery and period. */
export function resultsToCsv(r: OpfResults): {
  periods: string;
  buses: string;
  branches: string;
  batteries: string;
  pv: string;
} {
  const lines = (header: string[], rows: (string | number)[][]): string =>
    [
      header.join(','),
      ...rows.map((row) => row.map((c) => (typeof c === 'number' ? csvNum(c) : csvText(c))).join(',')),
    ].join('\n') + '\n';
  const per: (string | number)[][] = [];
  const bus: (string | number)[][] = [];
  const br: (string | number)[][] = [];
  const bat: (string | number)[][] = [];
  const pv: (string | number)[][] = [];
  for (const p of r.periods) {
    per.push([
      p.period + 1,
      p.hour,
      p.substationKw,
      p.substationKvar,
      p.lossKw,
      p.demandKw,
      p.priceUsdPerKwh,
      p.costUsd,
      Math.min(...p.vPu),
      Math.max(...p.vPu),
    ]);
    r.busNames.forEach((name, b) => bus.push([p.period + 1, name, p.vPu[b]!]));
    r.branchNames.forEach((name, e) =>
      br.push([p.period + 1, name, p.branchPKw[e]!, p.branchQKvar[e]!, p.branchLossKw[e]!, p.branchCurrentA[e]!]),
    );
    r.batteryNames.forEach((name, k) =>
      bat.push([
        p.period + 1,
        name,
        r.batteryBuses[k]!,
        p.batteryChargeKw[k]!,
        p.batteryDischargeKw[k]!,
        p.batteryKvar[k]!,
        p.batterySocKwh[k]!,
      ]),
    );
    r.pvNames.forEach((name, k) => pv.push([p.period + 1, name, r.pvBuses[k]!, p.pvKw[k]!, p.pvKvar[k]!]));
  }
  return {
    periods: lines(
      [
        'period',
        'hour',
        'substation_kw',
        'substation_kvar',
        'loss_kw',
        'demand_kw',
        'price_usd_per_kwh',
        'cost_usd',
        'vmin_pu',
        'vmax_pu',
      ],
      per,
    ),
    buses: lines(['period', 'bus', 'v_pu'], bus),
    branches: lines(['period', 'branch', 'p_kw', 'q_kvar', 'loss_kw', 'current_a'], br),
    batteries: lines(['period', 'battery', 'bus', 'charge_kw', 'discharge_kw', 'kvar', 'soc_kwh'], bat),
    pv: lines(['period', 'pv', 'bus', 'p_kw', 'q_kvar'], pv),
  };
}
