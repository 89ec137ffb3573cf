/** Test fixture: a solved centralized run with no results, for tests to fill in what they check. */
import type { RunDetail } from '../../src-main/contract';

export function emptyRunDetail(over: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 1,
    scenarioId: 1,
    kind: 'centralized',
    status: 'solved',
    message: '',
    startedAt: '',
    finishedAt: null,
    objective: null,
    iterations: null,
    seconds: null,
    areas: null,
    rounds: null,
    settings: { startHour: 0, vMinPu: 0.95, vMaxPu: 1.05 } as RunDetail['settings'],
    partition: { cuts: [] },
    log: '',
    periods: 1,
    dtH: 1,
    totals: null,
    maxSimultaneousChargeDischargeKw: null,
    validation: null,
    busNames: [],
    pvNames: [],
    pvBuses: [],
    batteryNames: [],
    batteryBuses: [],
    batteryLimits: [],
    series: {},
    distributed: null,
    ...over,
  };
}
