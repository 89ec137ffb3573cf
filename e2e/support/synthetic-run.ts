/**
 * A stored run of full 10,000-bus size for timing the renderer's side of "a 10,000-bus run's
 * dashboards open in under 2 s": every series the dashboards read, at the sizes a 10,240-bus
 * (80 × IEEE 123) feeder with 1,360 PV and 2,080 batteries has over 24 periods. The values are
 * smooth made-up curves: what the renderer costs depends on the sizes, not on the numbers. The
 * backend's share (loading the stored run, building the DTO) is timed by bench/cases/runs.bench.ts.
 */
import type { RunDetail, RunSummary, StudySettings } from '../../src-main/contract';

export function syntheticRun(
  id: number,
  scenarioId: number,
  settings: StudySettings,
  sizes = { buses: 10_240, pv: 1_360, batteries: 2_080, periods: 24 },
): { summary: RunSummary; detail: RunDetail } {
  const T = sizes.periods;
  const shape = (t: number) => 0.6 + 0.4 * Math.sin((Math.PI * (t - 6)) / 12);
  const sys = (f: (t: number) => number) => Array.from({ length: T }, (_, t) => f(t));
  const unit = (n: number, f: (u: number, t: number) => number) => {
    const out = new Array<number>(n * T);
    for (let u = 0; u < n; u++) for (let t = 0; t < T; t++) out[u * T + t] = f(u, t);
    return out;
  };
  const busNames = Array.from({ length: sizes.buses }, (_, i) => `b${i}`);
  const pvNames = Array.from({ length: sizes.pv }, (_, i) => `pv${i}`);
  const batteryNames = Array.from({ length: sizes.batteries }, (_, i) => `bat${i}`);
  const summary: RunSummary = {
    id,
    scenarioId,
    kind: 'centralized',
    status: 'solved',
    message: 'synthetic 10,240-bus run (renderer timing)',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    objective: 1234.5,
    iterations: 40,
    seconds: 120,
    areas: null,
    rounds: null,
  };
  const detail: RunDetail = {
    ...summary,
    settings,
    partition: { cuts: [] },
    log: 'synthetic',
    periods: T,
    dtH: 1,
    totals: {
      lineLossKwh: 400,
      substationKwh: 21000,
      substationKvarh: 2500,
      pvKwh: 600,
      pvKvarh: 580,
      batteryKwh: -90,
      batteryKvarh: 770,
      costUsd: 706,
      demandKwh: 21350,
    },
    maxSimultaneousChargeDischargeKw: 0,
    validation: {
      maxVoltageDiffPu: 1e-7,
      maxLossDiffPu: 1e-8,
      maxSubstationDiffPu: 1e-8,
      periods: sys((t) => 1000 * shape(t)).map((p) => ({
        lossKwOpf: p / 50,
        lossKwPf: p / 50,
        substationKwOpf: p,
        substationKwPf: p,
        substationKvarOpf: p / 8,
        substationKvarPf: p / 8,
      })),
    },
    busNames,
    pvNames,
    pvBuses: pvNames.map((_, i) => busNames[(i * 7) % sizes.buses]),
    batteryNames,
    batteryBuses: batteryNames.map((_, i) => busNames[(i * 5) % sizes.buses]),
    batteryLimits: batteryNames.map(() => ({ pRatedKw: 5, energyKwh: 20, socMin: 0.1, socMax: 0.9 })),
    branchNames: [],
    branchFrom: [],
    branchTo: [],
    branchAmpacityA: [],
    series: {
      substationKw: sys((t) => 1000 * shape(t)),
      substationKvar: sys((t) => 120 * shape(t)),
      demandKw: sys((t) => 1050 * shape(t)),
      pvKw: sys((t) => Math.max(0, 300 * Math.sin((Math.PI * (t - 6)) / 12))),
      lossKw: sys((t) => 20 * shape(t) ** 2),
      priceUsdPerKwh: sys((t) => 0.03 + 0.02 * shape(t)),
      costUsd: sys((t) => 30 * shape(t)),
      voltagePu: unit(sizes.buses, (b, t) => 1.03 - 0.03 * (b / sizes.buses) * shape(t)),
      pvUnitKw: unit(sizes.pv, (_, t) => Math.max(0, 0.2 * Math.sin((Math.PI * (t - 6)) / 12))),
      pvUnitKvar: unit(sizes.pv, (u, t) => 0.1 * Math.cos((Math.PI * (t + u)) / 12)),
      batterySocKwh: unit(sizes.batteries, (_, t) => 10 + 6 * Math.sin((Math.PI * t) / 12)),
      batteryChargeKw: unit(sizes.batteries, (_, t) => Math.max(0, 3 * Math.cos((Math.PI * t) / 12))),
      batteryDischargeKw: unit(sizes.batteries, (_, t) => Math.max(0, -3 * Math.cos((Math.PI * t) / 12))),
      batteryKvar: unit(sizes.batteries, (u, t) => Math.sin((Math.PI * (t + u)) / 12)),
    },
    distributed: null,
  };
  return { summary, detail };
}
