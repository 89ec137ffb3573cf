/**
 * What a planner reads off a run, computed once for the dashboards and the PDF report:
 * per-battery figures (size, cycles, throughput, arbitrage value), voltages against ANSI C84.1
 * ranges, the signed comparison of a study case against its baseline with a headline sentence.
 * Pure ECMAScript over the contract's RunDetail / RunComparison.
 */
import type { ComparisonRow, RunComparison, RunDetail, RunSummary } from '../src-main/contract';
import { formatInUnit, formatNumber, formatSignedInUnit, formatSignedPercent, plural } from './format';
import { periodLabels, unitSeries } from './charts';
import type { Feeder } from '../src-solver/model/feeder';
import type { FeederTree } from './topology';

// ---------------------------------------------------------------------------------------------
// Batteries

export interface BatteryFigures {
  readonly name: string;
  readonly bus: string;
  readonly pRatedKw: number;
  readonly energyKwh: number;
  /** Equivalent full cycles: discharged energy / usable energy (socMax − socMin)·E. */
  readonly cycles: number;
  /** Energy discharged over the horizon, kWh. */
  readonly dischargedKwh: number;
  /** Energy charged over the horizon, kWh. */
  readonly chargedKwh: number;
  /** Σ_t price_t · (discharge − charge)_t · Δt, USD: what the battery's energy shifting is worth at the study's prices. */
  readonly arbitrageUsd: number;
}

export function batteryFigures(run: RunDetail): BatteryFigures[] {
  const price = run.series.priceUsdPerKwh ?? [];
  return run.batteryNames.map((name, i) => {
    const c = unitSeries(run, 'batteryChargeKw', i);
    const d = unitSeries(run, 'batteryDischargeKw', i);
    const lim = run.batteryLimits[i]!;
    let charged = 0;
    let discharged = 0;
    let value = 0;
    for (let t = 0; t < run.periods; t++) {
      charged += c[t]! * run.dtH;
      discharged += d[t]! * run.dtH;
      value += (price[t] ?? 0) * (d[t]! - c[t]!) * run.dtH;
    }
    const usable = lim.energyKwh * (lim.socMax - lim.socMin);
    return {
      name,
      bus: run.batteryBuses[i]!,
      pRatedKw: lim.pRatedKw,
      energyKwh: lim.energyKwh,
      cycles: usable > 0 ? discharged / usable : 0,
      dischargedKwh: discharged,
      chargedKwh: charged,
      arbitrageUsd: value,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Voltages against ANSI C84.1

/** ANSI C84.1 service voltage ranges, per unit of nominal. */
export const ANSI_RANGE_A = { min: 0.95, max: 1.05 } as const;
export const ANSI_RANGE_B = { min: 0.917, max: 1.058 } as const;

export interface VoltageViolation {
  readonly bus: string;
  /** 'B' when outside Range B too (worse), else 'A'. */
  readonly range: 'A' | 'B';
  /** Periods outside Range A. */
  readonly hours: number;
  /** Periods outside Range B (a subset of `hours`). */
  readonly hoursB: number;
  /** The worst voltage and the period label where it occurs. */
  readonly worstPu: number;
  readonly worstAt: string;
}

/** Buses with any period outside ANSI Range A, worst first. */
export function voltageViolations(run: RunDetail): VoltageViolation[] {
  const v = run.series.voltagePu;
  if (!v) return [];
  const T = run.periods;
  const labels = periodLabels(run);
  const out: VoltageViolation[] = [];
  run.busNames.forEach((bus, i) => {
    let hours = 0;
    let hoursB = 0;
    let worst = 1;
    let worstT = -1;
    let outsideB = false;
    for (let t = 0; t < T; t++) {
      const x = v[i * T + t]!;
      if (x < ANSI_RANGE_A.min - 1e-9 || x > ANSI_RANGE_A.max + 1e-9) {
        hours++;
        if (Math.abs(x - 1) > Math.abs(worst - 1)) {
          worst = x;
          worstT = t;
        }
        if (x < ANSI_RANGE_B.min - 1e-9 || x > ANSI_RANGE_B.max + 1e-9) {
          outsideB = true;
          hoursB++;
        }
      }
    }
    if (hours > 0)
      out.push({ bus, range: outsideB ? 'B' : 'A', hours, hoursB, worstPu: worst, worstAt: labels[worstT]! });
  });
  return out.sort((a, b) => Math.abs(b.worstPu - 1) - Math.abs(a.worstPu - 1) || b.hours - a.hours);
}

/** The study's voltage limits against ANSI Range A, in plain words (null when they are Range A or tighter). */
export function relaxedVoltageLimits(settings: RunDetail['settings']): string | null {
  const lo = settings.vMinPu < ANSI_RANGE_A.min - 1e-9;
  const hi = settings.vMaxPu > ANSI_RANGE_A.max + 1e-9;
  if (!lo && !hi) return null;
  return `The study allows ${settings.vMinPu}–${settings.vMaxPu} pu, wider than ANSI C84.1 Range A (${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu)${lo ? `: voltages down to ${settings.vMinPu} pu count as acceptable` : ''}${hi ? `${lo ? ' and' : ':'} voltages up to ${settings.vMaxPu} pu count as acceptable` : ''}.`;
}

// ---------------------------------------------------------------------------------------------
// Comparisons: the baseline is A, differences are B − A with their sign

/**
 * Which of two runs is the baseline (A). Same scenario: the centralized run (the reference
 * method). Two scenarios: the one the planner compares against (`against`).
 */
export function baselineFirst<T extends Pick<RunSummary, 'id' | 'scenarioId' | 'kind'>>(opened: T, against: T): [T, T] {
  if (opened.scenarioId === against.scenarioId)
    return opened.kind === 'centralized' || against.kind !== 'centralized' ? [opened, against] : [against, opened];
  return [against, opened];
}

/** (B − A) / |A| as a signed fraction, or null when A is zero. */
export function signedRelative(row: Pick<ComparisonRow, 'a' | 'b'>): number | null {
  if (!(Math.abs(row.a) > 1e-12)) return null;
  return (row.b - row.a) / Math.abs(row.a);
}

/** "−$37.12 (−5.2 %)": the signed difference with its signed percentage. */
export function formatChange(row: Pick<ComparisonRow, 'a' | 'b' | 'unit'>): string {
  const rel = signedRelative(row);
  return `${formatSignedInUnit(row.b - row.a, row.unit)}${rel === null ? '' : ` (${formatSignedPercent(rel)})`}`;
}

const find = (cmp: RunComparison, quantity: string) => cmp.rows.find((r) => r.quantity === quantity);

/**
 * One or two sentences a manager can read: what B does against A, in money, peak, losses and
 * voltage. E.g. “250 kW battery at 114” saves $37.12 (−5.2 %) over the 24 h against “No storage”
 * but raises the substation peak by 207.0 kW (+16.0 %).
 */
export function comparisonHeadline(cmp: RunComparison, nameA: string, nameB: string, hours: number): string {
  if (cmp.mode === 'method') {
    return `The distributed solve agrees with the centralized one to within ${formatNumber(cmp.maxRelDiff * 100, 3)} % on every compared quantity.`;
  }
  const good: string[] = [];
  const bad: string[] = [];
  const cost = find(cmp, 'Energy cost');
  if (cost && Math.abs(cost.diff) >= 0.005) {
    const rel = signedRelative(cost);
    const pct = rel === null ? '' : ` (${formatSignedPercent(rel)})`;
    (cost.diff < 0 ? good : bad).push(
      `${cost.diff < 0 ? 'saves' : 'costs'} ${formatInUnit(Math.abs(cost.diff), 'USD')}${cost.diff < 0 ? '' : ' more'}${pct} over the ${hours} h`,
    );
  }
  const peak = find(cmp, 'Peak substation demand');
  if (peak && Math.abs(peak.diff) >= 0.05) {
    const rel = signedRelative(peak);
    (peak.diff < 0 ? good : bad).push(
      `${peak.diff < 0 ? 'lowers' : 'raises'} the substation peak by ${formatInUnit(Math.abs(peak.diff), 'kW')}${rel === null ? '' : ` (${formatSignedPercent(rel)})`}`,
    );
  }
  const loss = find(cmp, 'Line losses');
  if (loss && Math.abs(loss.diff) >= 0.05) {
    const rel = signedRelative(loss);
    (loss.diff < 0 ? good : bad).push(
      `${loss.diff < 0 ? 'cuts' : 'adds'} ${formatInUnit(Math.abs(loss.diff), 'kWh')} of line losses${rel === null ? '' : ` (${formatSignedPercent(rel)})`}`,
    );
  }
  const vmin = find(cmp, 'Minimum voltage');
  if (vmin && Math.abs(vmin.diff) >= 0.0005)
    (vmin.diff > 0 ? good : bad).push(
      `${vmin.diff > 0 ? 'raises' : 'lowers'} the lowest voltage to ${formatInUnit(vmin.b, 'pu')}`,
    );
  const subject = `“${nameB}”`;
  const against = `against “${nameA}”`;
  if (good.length === 0 && bad.length === 0)
    return `${subject} changes cost, peak, losses and voltages by less than the report's rounding ${against}.`;
  const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
  if (good.length && bad.length) return `${subject} ${list(good)} ${against}, but ${list(bad)}.`;
  return `${subject} ${list(good.length ? good : bad)} ${against}.`;
}

/** "26 batteries, 1,234 kW / 4,936 kWh" or "no battery". */
export function batterySummary(run: Pick<RunDetail, 'batteryLimits'>): string {
  const n = run.batteryLimits.length;
  if (n === 0) return 'no battery';
  const kw = run.batteryLimits.reduce((s, b) => s + b.pRatedKw, 0);
  const kwh = run.batteryLimits.reduce((s, b) => s + b.energyKwh, 0);
  return `${plural(n, 'battery', 'batteries')}, ${formatNumber(kw, 0)} kW / ${formatNumber(kwh, 0)} kWh`;
}

// ---------------------------------------------------------------------------------------------
// Voltage profile along the feeder

/**
 * Electrical distance of every bus from the substation: Σ |r + jx| (Ω) of the branches on its
 * path (tree order), NaN for buses the substation does not reach. Feeders carry impedances, not
 * line lengths, so this is the distance a voltage-drop profile is drawn against.
 */
export function electricalDistanceOhm(feeder: Pick<Feeder, 'branches'>, tree: FeederTree): Float64Array {
  const n = tree.names.length;
  const d = new Float64Array(n).fill(Number.NaN);
  for (let k = 0; k < n; k++) {
    const i = tree.order[k]!;
    const p = tree.parent[i]!;
    if (p < 0) {
      d[i] = 0;
      continue;
    }
    const br = feeder.branches[tree.parentBranch[i]!]!;
    d[i] = d[p]! + Math.hypot(br.rOhm, br.xOhm);
  }
  return d;
}
