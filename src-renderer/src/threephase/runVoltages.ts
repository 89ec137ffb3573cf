/**
 * A three-phase OPF run's per-phase results in the shapes the screens draw: node voltages as
 * per-phase bus voltages per period (the network colouring and hover of the base case,
 * basecase/VoltageOverlay.tsx), a per-phase heat map (buses × periods for one phase), and each
 * unit's power per phase.
 */
import type { PhaseLetter, RunDetail } from '../../../src-main/contract';
import type { PhaseVoltages } from '../../../src-shared/basecase';

const PHASES: readonly PhaseLetter[] = ['A', 'B', 'C'];

/**
 * Period t's hour as the base case numbers it (OpenDSS daily mode: the first hourly solution is
 * hour 1): the OPF's period t covers [startHour + t·Δt, +Δt) and uses the loads' shape at its end.
 */
export const runHour = (run: Pick<RunDetail, 'settings' | 'dtH'>, t: number): number =>
  run.settings.startHour + t * run.dtH + 1;

/** The run's node voltages as per-phase bus voltages ([A, B, C][bus], null where the bus lacks the phase). */
export function runPhaseVoltages(run: RunDetail): PhaseVoltages | null {
  const tp = run.threePhase;
  const v = run.series.nodeVoltagePu;
  if (!tp || !v) return null;
  const T = run.periods;
  const buses = [...new Set(tp.nodeBuses)];
  const index = new Map(buses.map((b, i) => [b, i]));
  const periods = Array.from({ length: T }, (_, t) => {
    const rows = PHASES.map(() => new Array<number | null>(buses.length).fill(null));
    tp.nodeBuses.forEach((bus, k) => {
      rows[PHASES.indexOf(tp.nodePhases[k]!)]![index.get(bus)!] = v[k * T + t]!;
    });
    return { hour: runHour(run, t), vPu: rows };
  });
  return { buses, periods };
}

/** One phase's heat map: buses having the phase × periods, worst first (farthest from 1 pu), at most `limit` rows. */
export function phaseHeatMap(
  pv: PhaseVoltages,
  phase: PhaseLetter,
  limit: number,
): { rows: { bus: string; values: number[] }[]; total: number } {
  const k = PHASES.indexOf(phase);
  const rows: { bus: string; values: number[]; dev: number }[] = [];
  pv.buses.forEach((bus, i) => {
    const values: number[] = [];
    let dev = 0;
    for (const p of pv.periods) {
      const x = p.vPu[k]?.[i];
      if (x === null || x === undefined) return;
      values.push(x);
      dev = Math.max(dev, Math.abs(x - 1));
    }
    rows.push({ bus, values, dev });
  });
  rows.sort((a, b) => b.dev - a.dev);
  return { rows: rows.slice(0, limit).map(({ bus, values }) => ({ bus, values })), total: rows.length };
}

export interface UnitPhaseRow {
  readonly kind: 'battery' | 'pv';
  readonly name: string;
  readonly bus: string;
  readonly phases: readonly PhaseLetter[];
  /** Three-phase total at the period, kW (battery: discharge − charge). */
  readonly totalKw: number;
  /** Per phase of the unit, kW (three-phase units are dispatched balanced). */
  readonly perPhaseKw: number;
  readonly socKwh: number | null;
}

export function unitPhaseRows(run: RunDetail, t: number): UnitPhaseRow[] {
  const tp = run.threePhase;
  if (!tp) return [];
  const T = run.periods;
  const s = run.series;
  const at = (name: string, u: number): number => s[name]?.[u * T + t] ?? NaN;
  return [
    ...run.batteryNames.map((name, u) => ({
      kind: 'battery' as const,
      name,
      bus: run.batteryBuses[u]!,
      phases: tp.batteryPhases[u] ?? [],
      totalKw: at('batteryDischargeKw', u) - at('batteryChargeKw', u),
      perPhaseKw: at('batteryPhaseKw', u),
      socKwh: at('batterySocKwh', u),
    })),
    ...run.pvNames.map((name, u) => ({
      kind: 'pv' as const,
      name,
      bus: run.pvBuses[u]!,
      phases: tp.pvPhases[u] ?? [],
      totalKw: at('pvUnitKw', u),
      perPhaseKw: at('pvPhaseKw', u),
      socKwh: null,
    })),
  ];
}
