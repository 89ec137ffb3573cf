/**
 * Branch loading of a run, for the dashboards and the PDF report: every branch's current and
 * power per period come from the run's validating AC power flow; loading is current ÷ the
 * branch's normal rating (OpenDSS normamps, CSV ampacity_a), stored only for the branches that
 * have a rating (RunDetail's `branchLoadingPct`, rated branches in branch order). A branch the
 * feeder does not rate has no loading — never shown as 0 %. Pure ECMAScript over RunDetail.
 */
import type { RunDetail } from '../src-main/contract';
import { periodLabels } from './charts';

/** The per-branch series of RunDetail: sent by `runs.branchSeries`, not by `runs.get`. */
export const BRANCH_SERIES: readonly string[] = ['branchCurrentA', 'branchPKw', 'branchQKvar', 'branchLoadingPct'];

type Branches = Pick<RunDetail, 'branchNames' | 'branchFrom' | 'branchTo' | 'branchAmpacityA' | 'series' | 'periods'>;

/** Indices (into `branchNames`) of the branches with a rating, in the order of `branchLoadingPct`'s rows. */
export function ratedBranches(run: Pick<RunDetail, 'branchNames' | 'branchAmpacityA'>): number[] {
  const out: number[] = [];
  for (let e = 0; e < run.branchNames.length; e++) if (typeof run.branchAmpacityA[e] === 'number') out.push(e);
  return out;
}

/** Branch `e`'s values of a per-branch series ('branchCurrentA', 'branchPKw', 'branchQKvar'), or null when the run has none. */
export function branchSeries(
  run: Branches,
  name: 'branchCurrentA' | 'branchPKw' | 'branchQKvar',
  e: number,
): number[] | null {
  const s = run.series[name];
  const T = run.periods;
  if (!s || s.length < (e + 1) * T) return null;
  return s.slice(e * T, (e + 1) * T);
}

/** Branch `e`'s loading per period, %, or null when the branch has no rating (or the run kept no branch results). */
export function branchLoading(run: Branches, e: number): number[] | null {
  const row = ratedBranches(run).indexOf(e);
  const s = run.series.branchLoadingPct;
  const T = run.periods;
  if (row < 0 || !s || s.length < (row + 1) * T) return null;
  return s.slice(row * T, (row + 1) * T);
}

/** Index of the branch between two buses (either order), or -1. */
export function branchBetween(run: Pick<RunDetail, 'branchFrom' | 'branchTo'>, a: string, b: string): number {
  for (let e = 0; e < run.branchFrom.length; e++) {
    if ((run.branchFrom[e] === a && run.branchTo[e] === b) || (run.branchFrom[e] === b && run.branchTo[e] === a))
      return e;
  }
  return -1;
}

/** Index of the branch that feeds `bus` (its far end is the bus), or -1 (the substation). */
export function supplyBranch(run: Pick<RunDetail, 'branchTo'>, bus: string): number {
  return run.branchTo.indexOf(bus);
}

export interface BranchLoadingRow {
  readonly index: number;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly ampacityA: number;
  /** Highest loading over the horizon, %, its current, A, and the period label where it occurs. */
  readonly peakPct: number;
  readonly peakA: number;
  readonly peakAt: string;
  /** Index of the period of the peak. */
  readonly peakPeriod: number;
  /** Periods above 100 % of the rating. */
  readonly hoursOver: number;
}

/** Every rated branch with its peak loading, most loaded first. */
export function branchLoadingRows(run: Branches & Pick<RunDetail, 'dtH' | 'settings'>): BranchLoadingRow[] {
  const labels = periodLabels(run);
  const rows: BranchLoadingRow[] = [];
  for (const e of ratedBranches(run)) {
    const pct = branchLoading(run, e);
    const amps = branchSeries(run, 'branchCurrentA', e);
    if (!pct || !amps) continue;
    let k = 0;
    let over = 0;
    for (let t = 0; t < pct.length; t++) {
      if (pct[t]! > pct[k]!) k = t;
      if (pct[t]! > 100 + 1e-9) over++;
    }
    rows.push({
      index: e,
      name: run.branchNames[e]!,
      from: run.branchFrom[e]!,
      to: run.branchTo[e]!,
      ampacityA: run.branchAmpacityA[e]!,
      peakPct: pct[k]!,
      peakA: amps[k]!,
      peakAt: labels[k]!,
      peakPeriod: k,
      hoursOver: over,
    });
  }
  return rows.sort((a, b) => b.peakPct - a.peakPct || b.hoursOver - a.hoursOver);
}

/** The rated branches loaded above 100 % of their rating in any period, most loaded first. */
export function branchOverloads(run: Branches & Pick<RunDetail, 'dtH' | 'settings'>): BranchLoadingRow[] {
  return branchLoadingRows(run).filter((r) => r.hoursOver > 0);
}

/** What the run can say about branch loading, in plain words. */
export function loadingSummary(run: Branches & Pick<RunDetail, 'dtH' | 'settings'>): string {
  if (run.branchNames.length === 0)
    return 'This run kept no branch results (it was solved before Tessera stored them): solve it again to see branch loading.';
  const rated = ratedBranches(run).length;
  if (rated === 0)
    return `The feeder gives no branch rating (OpenDSS normamps, CSV ampacity_a), so loading cannot be computed; every branch's current is in its details and the CSV export.`;
  const over = branchOverloads(run);
  const unrated = run.branchNames.length - rated;
  const tail =
    unrated > 0 ? ` ${unrated} of ${run.branchNames.length} branches have no rating and are not checked.` : '';
  if (over.length === 0) {
    const top = branchLoadingRows(run)[0];
    return `Every rated branch stays within its rating${top ? `; the most loaded is ${top.name} at ${top.peakPct.toFixed(1)} % (${top.peakAt})` : ''}.${tail}`;
  }
  return `${over.length} branch${over.length === 1 ? '' : 'es'} above ${over.length === 1 ? 'its' : 'their'} rating; the worst is ${over[0]!.name} at ${over[0]!.peakPct.toFixed(1)} % (${over[0]!.peakAt}).${tail}`;
}
