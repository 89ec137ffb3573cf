/** A three-phase run's stored per-phase series → what the screens draw (network colouring, heat map, unit table). */
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../src-main/contract';
import { busVoltage } from '../../../src-shared/basecase';
import { phaseHeatMap, runPhaseVoltages, unitPhaseRows } from './runVoltages';

// Two periods; bus "632" three-phase, "611" phase C only; a single-phase battery on B of "675"
// (charging 30 kW then discharging 45 kW) and a three-phase PV at "632" (90 kW in period 2).
const run = {
  periods: 2,
  dtH: 1,
  settings: { startHour: 6 },
  batteryNames: ['b1'],
  batteryBuses: ['675'],
  pvNames: ['pv1'],
  pvBuses: ['632'],
  series: {
    // node-major [node, T]
    nodeVoltagePu: [1.01, 1.02, 0.99, 0.98, 1.03, 1.04, 0.94, 0.96],
    batteryChargeKw: [30, 0],
    batteryDischargeKw: [0, 45],
    batteryPhaseKw: [-30, 45],
    batterySocKwh: [300, 250],
    pvUnitKw: [0, 90],
    pvPhaseKw: [0, 30],
  },
  threePhase: {
    nodeBuses: ['632', '632', '632', '611'],
    nodePhases: ['A', 'B', 'C', 'C'],
    pvPhases: [['A', 'B', 'C']],
    batteryPhases: [['B']],
    validation: { maxDiffPu: 1e-9, at: '611.3 (hour 7)', perPeriodMaxDiffPu: [1e-9, 1e-10], converged: true },
    regulatorTaps: {},
    rounds: 1,
  },
} as unknown as RunDetail;

describe('three-phase run views', () => {
  it('node voltages become per-phase bus rows per period, hours numbered as the base case (start + t + 1)', () => {
    const v = runPhaseVoltages(run)!;
    expect(v.buses).toEqual(['632', '611']);
    expect(v.periods.map((p) => p.hour)).toEqual([7, 8]);
    expect(v.periods[1]!.vPu).toEqual([
      [1.02, null],
      [0.98, null],
      [1.04, 0.96],
    ]);
    // worst phase on the graph: 611 has only C; 632 at period 1 is A (1.01) vs B (0.99) vs C (1.03) → C
    expect(busVoltage(v, 0, 1, 'worst')).toEqual({ vPu: 0.94, phase: 'C' });
    expect(busVoltage(v, 0, 0, 'worst')).toEqual({ vPu: 1.03, phase: 'C' });
    expect(busVoltage(v, 0, 1, 'A')).toBeNull();
  });

  it('the heat map of a phase lists the buses having it, farthest from 1 pu first', () => {
    const v = runPhaseVoltages(run)!;
    expect(phaseHeatMap(v, 'C', 10).rows).toEqual([
      { bus: '611', values: [0.94, 0.96] },
      { bus: '632', values: [1.03, 1.04] },
    ]);
    expect(phaseHeatMap(v, 'A', 10)).toEqual({ rows: [{ bus: '632', values: [1.01, 1.02] }], total: 1 });
    expect(phaseHeatMap(v, 'C', 1)).toEqual({ rows: [{ bus: '611', values: [0.94, 0.96] }], total: 2 });
  });

  it('unit rows: three-phase totals and per-phase power with the unit phases', () => {
    expect(unitPhaseRows(run, 0)).toEqual([
      { kind: 'battery', name: 'b1', bus: '675', phases: ['B'], totalKw: -30, perPhaseKw: -30, socKwh: 300 },
      { kind: 'pv', name: 'pv1', bus: '632', phases: ['A', 'B', 'C'], totalKw: 0, perPhaseKw: 0, socKwh: null },
    ]);
    expect(unitPhaseRows(run, 1)[1]).toMatchObject({ totalKw: 90, perPhaseKw: 30 });
  });

  it('a balanced run has no per-phase view', () => {
    expect(runPhaseVoltages({ ...run, threePhase: null })).toBeNull();
    expect(unitPhaseRows({ ...run, threePhase: null }, 0)).toEqual([]);
  });
});
