/**
 * Comparisons of two stored runs, computed from their RunDetails (the numbers the dashboards show):
 *
 *   'method'   — the same scenario solved two ways (centralized vs distributed): the totals side
 *                by side, then the largest per-bus / per-period differences (voltage, substation
 *                power, battery SOC), each row naming where it occurs;
 *   'scenario' — two scenarios (e.g. a BESS siting what-if): cost, losses, peak substation demand,
 *                minimum voltage, battery cycling, then the other totals.
 *
 * Each row: a, b, diff = b − a, relDiff = |b − a| / max(|a|, 1 unit) (enapp/distributed.ts).
 */
import type { ComparisonRow, RunComparison, RunDetail } from '../../contract';
import { relativeDifference } from '../../../src-solver/enapp/distributed';
import { ApiFailure } from '../errors';

function row(quantity: string, unit: string, a: number, b: number): ComparisonRow {
  return { quantity, unit, a, b, diff: b - a, relDiff: relativeDifference(a, b) };
}

function need(r: RunDetail, which: string): NonNullable<RunDetail['totals']> {
  if (!r.totals)
    throw new ApiFailure(
      'notSolved',
      `runs.compare: run ${r.id} (${which}) has no results (${r.status}: ${r.message})`,
    );
  return r.totals;
}

const max = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const min = (xs: readonly number[]): number => xs.reduce((m, x) => Math.min(m, x), Infinity);
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** Peak substation demand, kW. */
export function peakSubstationKw(r: RunDetail): number {
  return max(r.series.substationKw ?? []);
}

/** Lowest bus voltage over buses and periods, pu. */
export function minVoltagePu(r: RunDetail): number {
  return min(r.series.voltagePu ?? []);
}

/**
 * Equivalent full cycles of the battery fleet over the horizon: energy discharged / usable
 * capacity, Σ_k Σ_t Pd_k,t Δt / Σ_k E_k (socMax − socMin). 0 without batteries.
 */
export function batteryCycles(r: RunDetail): number {
  const usable = sum(r.batteryLimits.map((b) => b.energyKwh * (b.socMax - b.socMin)));
  if (!(usable > 0)) return 0;
  return (sum(r.series.batteryDischargeKw ?? []) * r.dtH) / usable;
}

/** Largest |b − a| of a per-unit series over units and periods, with where it occurs. */
function largestDiff(
  a: RunDetail,
  b: RunDetail,
  series: string,
  names: readonly string[],
  namesB: readonly string[],
): { a: number; b: number; where: string } | null {
  const sa = a.series[series];
  const sb = b.series[series];
  if (!sa || !sb || names.length === 0) return null;
  const T = a.periods;
  const indexB = new Map(namesB.map((n, i) => [n, i]));
  let best: { a: number; b: number; where: string } | null = null;
  let bestAbs = -1;
  names.forEach((name, u) => {
    const w = indexB.get(name);
    if (w === undefined) return;
    for (let t = 0; t < T; t++) {
      const x = sa[u * T + t]!;
      const y = sb[w * T + t]!;
      if (Math.abs(y - x) > bestAbs) {
        bestAbs = Math.abs(y - x);
        best = { a: x, b: y, where: `${name}, period ${t + 1}` };
      }
    }
  });
  return best;
}

function largestSystemDiff(a: RunDetail, b: RunDetail, series: string): { a: number; b: number; t: number } | null {
  const sa = a.series[series];
  const sb = b.series[series];
  if (!sa || !sb) return null;
  let t = -1;
  let bestAbs = -1;
  for (let k = 0; k < Math.min(sa.length, sb.length); k++) {
    if (Math.abs(sb[k]! - sa[k]!) > bestAbs) {
      bestAbs = Math.abs(sb[k]! - sa[k]!);
      t = k;
    }
  }
  return t < 0 ? null : { a: sa[t]!, b: sb[t]!, t };
}

function totalsRows(ta: NonNullable<RunDetail['totals']>, tb: NonNullable<RunDetail['totals']>): ComparisonRow[] {
  return [
    row('Energy cost', 'USD', ta.costUsd, tb.costUsd),
    row('Line losses', 'kWh', ta.lineLossKwh, tb.lineLossKwh),
    row('Substation energy', 'kWh', ta.substationKwh, tb.substationKwh),
    row('Substation reactive energy', 'kvarh', ta.substationKvarh, tb.substationKvarh),
    row('PV energy', 'kWh', ta.pvKwh, tb.pvKwh),
    row('PV reactive energy', 'kvarh', ta.pvKvarh, tb.pvKvarh),
    row('Battery net discharge', 'kWh', ta.batteryKwh, tb.batteryKwh),
    row('Battery reactive energy', 'kvarh', ta.batteryKvarh, tb.batteryKvarh),
    row('Demand', 'kWh', ta.demandKwh, tb.demandKwh),
  ];
}

export function compareRuns(a: RunDetail, b: RunDetail): RunComparison {
  const ta = need(a, 'a');
  const tb = need(b, 'b');
  if (a.periods !== b.periods)
    throw new ApiFailure(
      'invalidArgument',
      `runs.compare: the runs have different horizons (${a.periods} and ${b.periods} periods)`,
    );
  const mode: RunComparison['mode'] = a.scenarioId === b.scenarioId ? 'method' : 'scenario';
  const rows: ComparisonRow[] = [];
  if (mode === 'scenario') {
    rows.push(
      row('Energy cost', 'USD', ta.costUsd, tb.costUsd),
      row('Line losses', 'kWh', ta.lineLossKwh, tb.lineLossKwh),
      row('Peak substation demand', 'kW', peakSubstationKw(a), peakSubstationKw(b)),
      row('Minimum voltage', 'pu', minVoltagePu(a), minVoltagePu(b)),
      row('Battery cycling (equivalent full cycles)', 'cycles', batteryCycles(a), batteryCycles(b)),
      ...totalsRows(ta, tb).slice(2),
    );
  } else {
    rows.push(...totalsRows(ta, tb));
    if (a.objective !== null && b.objective !== null)
      rows.push(row('Objective', a.settings.objective === 'cost' ? 'USD' : 'kW', a.objective, b.objective));
    const v = largestDiff(a, b, 'voltagePu', a.busNames, b.busNames);
    if (v) rows.push(row(`Largest voltage difference (bus ${v.where})`, 'pu', v.a, v.b));
    const p = largestSystemDiff(a, b, 'substationKw');
    if (p) rows.push(row(`Largest substation power difference (period ${p.t + 1})`, 'kW', p.a, p.b));
    const q = largestSystemDiff(a, b, 'substationKvar');
    if (q) rows.push(row(`Largest substation reactive power difference (period ${q.t + 1})`, 'kvar', q.a, q.b));
    const l = largestSystemDiff(a, b, 'lossKw');
    if (l) rows.push(row(`Largest loss difference (period ${l.t + 1})`, 'kW', l.a, l.b));
    const s = largestDiff(a, b, 'batterySocKwh', a.batteryNames, b.batteryNames);
    if (s) rows.push(row(`Largest battery SOC difference (${s.where})`, 'kWh', s.a, s.b));
  }
  const strip = ({
    id,
    scenarioId,
    kind,
    status,
    message,
    startedAt,
    finishedAt,
    objective,
    iterations,
    seconds,
    areas,
    rounds,
  }: RunDetail) => ({
    id,
    scenarioId,
    kind,
    status,
    message,
    startedAt,
    finishedAt,
    objective,
    iterations,
    seconds,
    areas,
    rounds,
  });
  return { a: strip(a), b: strip(b), mode, rows, maxRelDiff: max(rows.map((r) => r.relDiff)) };
}
