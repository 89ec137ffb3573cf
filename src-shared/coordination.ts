/**
 * How a distributed run was coordinated, in words and numbers, for the Solver view and the PDF
 * report (one source, so both say the same): the coordination mode (exact / published), rounds,
 * the critical path in CPU seconds (Σ over rounds of the slowest area's CPU time: the run's time
 * with one core per area), the wall time, and — for the published mode, whose fixed point is not
 * the centralized optimum — its measured difference from a centralized run of the same problem,
 * or a plain statement that there is none to measure against.
 */
import type { RunCoordination, RunDistributedInfo } from '../src-main/contract';
import { formatPercent, formatSeconds } from './format';

export const COORDINATION_TEXT: Readonly<Record<RunCoordination, string>> = {
  exact: 'exact (boundary values and prices exchanged: converges to the centralized optimum)',
  published: 'published (the source papers’ value-only exchange: not the centralized optimum)',
};

/** The run's coordination; runs stored before the modes existed were exact. */
export function coordinationOf(d: Pick<RunDistributedInfo, 'coordination'>): RunCoordination {
  return d.coordination ?? 'exact';
}

/** Σ over rounds of the slowest area's CPU seconds, from the stored value or the rounds; null when not measured. */
export function criticalPathCpuSeconds(
  d: Pick<RunDistributedInfo, 'criticalPathCpuSeconds' | 'rounds'>,
): number | null {
  if (typeof d.criticalPathCpuSeconds === 'number') return d.criticalPathCpuSeconds;
  if (d.rounds.length === 0) return null;
  let sum = 0;
  for (const r of d.rounds) {
    const cpu = r.areaCpuSeconds;
    if (!cpu || cpu.length === 0 || cpu.some((c) => typeof c !== 'number' || !Number.isFinite(c))) return null;
    sum += Math.max(...cpu);
  }
  return sum;
}

/**
 * The published mode's difference from the centralized answer, as a sentence: measured against a
 * centralized run when there is one, otherwise a statement that it is not the centralized optimum
 * and how to measure it. Null for the exact mode.
 */
export function publishedDifferenceText(d: RunDistributedInfo): string | null {
  if (coordinationOf(d) !== 'published') return null;
  const c = d.centralizedDifference;
  if (c)
    return `Published coordination differs from the centralized run #${c.runId} by up to ${formatPercent(c.maxRelDiff)} (${c.quantity}).`;
  return 'Published coordination does not reach the centralized optimum; run the same scenario centralized to measure the difference.';
}

/** Label/value pairs: mode, rounds, critical path (CPU), wall time, and the published difference. */
export function coordinationFacts(d: RunDistributedInfo): [string, string][] {
  const crit = criticalPathCpuSeconds(d);
  const rows: [string, string][] = [
    ['Coordination', COORDINATION_TEXT[coordinationOf(d)]],
    ['Areas / rounds', `${d.areas.length} / ${d.rounds.length}${d.converged ? '' : ' (not converged)'}`],
    [
      'Critical path (CPU)',
      crit === null
        ? 'not measured'
        : `${formatSeconds(crit)} (Σ over rounds of the slowest area’s CPU time: one core per area)`,
    ],
    ['Wall time', formatSeconds(d.wallSeconds)],
  ];
  const diff = publishedDifferenceText(d);
  if (diff) rows.push(['Difference from centralized', diff]);
  return rows;
}

/** A three-phase run's boundary values per phase, as the Solver view and the report list them. */
export interface PhaseBoundaryRow {
  readonly bus: string;
  /** "2 → 1": the child area below the boundary, and its parent. */
  readonly areas: string;
  readonly phase: string;
  /** Over the run's hours: the node voltage the parent gives the child, pu, and the child's draw, kW and kvar. */
  readonly vPu: readonly [number, number];
  readonly pKw: readonly [number, number];
  readonly qKvar: readonly [number, number];
}

const range = (v: readonly number[]): [number, number] => [Math.min(...v), Math.max(...v)];

/** One row per boundary bus and phase (empty for a balanced run): min and max over the hours. */
export function phaseBoundaryRows(d: Pick<RunDistributedInfo, 'phaseBoundaries'>): PhaseBoundaryRow[] {
  return (d.phaseBoundaries ?? []).flatMap((b) =>
    b.phases.map((phase, j) => ({
      bus: b.bus,
      areas: `${b.childArea} → ${b.parentArea}`,
      phase,
      vPu: range(b.vPu[j] ?? []),
      pKw: range(b.pKw[j] ?? []),
      qKvar: range(b.qKvar[j] ?? []),
    })),
  );
}

/** "a – b" with the digits given, or the one value when both ends agree at that precision. */
export function formatRange([lo, hi]: readonly [number, number], digits: number): string {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return '–';
  const a = lo.toFixed(digits);
  const b = hi.toFixed(digits);
  return a === b ? a : `${a} – ${b}`;
}
