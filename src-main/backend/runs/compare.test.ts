/**
 * Comparisons from two RunDetails, against values worked out by hand for tiny literal runs
 * (2 periods, 2 buses, 1 battery).
 */
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../contract';
import { DEFAULT_STUDY } from '../store/defaults';
import { batteryCycles, compareRuns, minVoltagePu, peakSubstationKw } from './compare';

function run(over: Partial<RunDetail> & { id: number; scenarioId: number; series: RunDetail['series'] }): RunDetail {
  return {
    kind: 'centralized',
    status: 'solved',
    message: '',
    startedAt: '',
    finishedAt: '',
    objective: 10,
    iterations: 5,
    seconds: 1,
    areas: null,
    rounds: null,
    settings: { ...DEFAULT_STUDY, periods: 2 },
    partition: { cuts: [] },
    log: '',
    periods: 2,
    dtH: 1,
    totals: {
      lineLossKwh: 2,
      substationKwh: 100,
      substationKvarh: 10,
      pvKwh: 0,
      pvKvarh: 0,
      batteryKwh: -1,
      batteryKvarh: 0,
      costUsd: 5,
      demandKwh: 97,
    },
    maxSimultaneousChargeDischargeKw: 0,
    validation: null,
    busNames: ['sub', 'b2'],
    pvNames: [],
    pvBuses: [],
    batteryNames: ['bat'],
    batteryBuses: ['b2'],
    batteryLimits: [{ pRatedKw: 10, energyKwh: 40, socMin: 0.1, socMax: 0.9 }],
    branchNames: [],
    branchFrom: [],
    branchTo: [],
    branchAmpacityA: [],
    distributed: null,
    ...over,
  };
}

const A = run({
  id: 1,
  scenarioId: 7,
  series: {
    substationKw: [40, 60],
    substationKvar: [5, 5],
    lossKw: [1, 1],
    voltagePu: [1, 1, 0.99, 0.97],
    batteryDischargeKw: [0, 16],
    batterySocKwh: [20, 4],
  },
});

describe('key figures', () => {
  it('peak demand, minimum voltage, battery cycles (16 kWh discharged / 32 kWh usable = 0.5)', () => {
    expect(peakSubstationKw(A)).toBe(60);
    expect(minVoltagePu(A)).toBe(0.97);
    expect(batteryCycles(A)).toBe(0.5);
    expect(batteryCycles({ ...A, batteryLimits: [] })).toBe(0);
  });
});

describe('compareRuns', () => {
  it('scenario mode (different scenarios): the what-if rows, b − a and relative difference', () => {
    const B = run({
      id: 2,
      scenarioId: 8,
      totals: { ...A.totals!, costUsd: 4, lineLossKwh: 2.5 },
      series: {
        substationKw: [50, 50],
        substationKvar: [5, 5],
        lossKw: [1, 1.5],
        voltagePu: [1, 1, 0.98, 0.98],
        batteryDischargeKw: [8, 8],
        batterySocKwh: [12, 4],
      },
    });
    const c = compareRuns(A, B);
    expect(c.mode).toBe('scenario');
    const by = Object.fromEntries(c.rows.map((r) => [r.quantity, r]));
    expect(by['Energy cost']).toMatchObject({ a: 5, b: 4, diff: -1, relDiff: 0.2 });
    expect(by['Line losses']).toMatchObject({ a: 2, b: 2.5, diff: 0.5, relDiff: 0.25 });
    expect(by['Peak substation demand']).toMatchObject({ a: 60, b: 50, diff: -10 });
    expect(by['Minimum voltage']!.b).toBe(0.98);
    expect(by['Battery cycling (equivalent full cycles)']).toMatchObject({ a: 0.5, b: 0.5, diff: 0 });
    expect(c.maxRelDiff).toBe(0.25);
    expect([c.a.id, c.b.id]).toEqual([1, 2]);
    expect(c.a).not.toHaveProperty('series');
  });

  it('a total near zero differs absolutely: −1e-6 kWh against 0 is not a 100 % difference', () => {
    const idle = (id: number, batteryKwh: number) =>
      run({ id, scenarioId: 7, series: A.series, totals: { ...A.totals!, batteryKwh } });
    const c = compareRuns(idle(4, -1e-6), idle(5, 0));
    const net = c.rows.find((r) => r.quantity === 'Battery net discharge')!;
    expect(net.diff).toBe(1e-6);
    expect(net.relDiff).toBe(1e-6);
    expect(c.maxRelDiff).toBeLessThan(1e-5);
  });

  it('method mode (same scenario): totals, then the largest differences and where they are', () => {
    const B = run({
      id: 3,
      scenarioId: 7,
      kind: 'distributed',
      series: {
        substationKw: [40, 61],
        substationKvar: [5, 4],
        lossKw: [1, 1],
        voltagePu: [1, 1, 0.99, 0.975],
        batteryDischargeKw: [0, 16],
        batterySocKwh: [20, 4.5],
      },
    });
    const c = compareRuns(A, B);
    expect(c.mode).toBe('method');
    const q = c.rows.map((r) => r.quantity);
    expect(q).toContain('Largest voltage difference (bus b2, period 2)');
    expect(q).toContain('Largest substation power difference (period 2)');
    expect(q).toContain('Largest battery SOC difference (bat, period 2)');
    const v = c.rows.find((r) => r.quantity.startsWith('Largest voltage'))!;
    expect(v.diff).toBeCloseTo(0.005, 15);
    expect(c.rows.find((r) => r.quantity === 'Energy cost')!.diff).toBe(0);
  });

  it('refuses runs without results or with different horizons', () => {
    expect(() => compareRuns(A, run({ id: 4, scenarioId: 7, totals: null, status: 'infeasible', series: {} }))).toThrow(
      /run 4 .*no results .*infeasible/,
    );
    expect(() => compareRuns(A, run({ id: 5, scenarioId: 7, periods: 3, series: {} }))).toThrow(/different horizons/);
  });
});
