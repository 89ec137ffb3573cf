import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTestData, testDataUrl } from '../../test-data/index';
import { daysHorizon, testYear } from '../testing/siting/year';
import { ieee123Feeder, readIeee123Texts } from '../testing/opf/ieee123';
import { ECONOMICS_DEFAULTS } from './economics';
import { balancedPartSolver, type Horizon, type PartOutcome, type PartSolver } from './evaluate';
import { yearStretchStudy } from './profiles';
import {
  loadBuses,
  runSitingStudy,
  screenedCombinations,
  singleSiteConfigs,
  SitingCancelled,
  SitingError,
  sweepStudy,
  type SitingInput,
} from './study';

const dir = testDataUrl('ieee123-balanced/');
const feeder = ieee123Feeder(readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8')));
const year = testYear((n) => readTestData('year-profiles', n));

describe('siting study on balanced IEEE 123', () => {
  it('every load bus a candidate, one 4-hour battery: the first-ranked site is the best of the exhaustive sweep, same savings to 1e-6', async () => {
    const horizon = daysHorizon(year, 2);
    const candidates = loadBuses(feeder);
    expect(candidates).toHaveLength(85);
    const input: SitingInput = {
      feeder,
      candidates,
      sizes: [{ kw: 60, kwh: 240 }],
      count: 1,
      economics: ECONOMICS_DEFAULTS,
      horizon,
    };
    const solver = balancedPartSolver(feeder, {}, horizon);
    const progress: number[] = [];
    const study = await runSitingStudy(input, solver, { onProgress: (p) => progress.push(p.done) });
    const sweep = await sweepStudy(input, singleSiteConfigs(candidates, input.sizes), solver);
    expect(sweep.ranked).toHaveLength(85);
    expect(sweep.ranked.every((r) => r.feasible)).toBe(true);
    const best = study.ranked[0]!;
    expect(best.sites).toEqual(sweep.ranked[0]!.sites);
    expect(Math.abs(best.savingsUsd - sweep.ranked[0]!.savingsUsd)).toBeLessThanOrEqual(
      1e-6 * Math.abs(sweep.ranked[0]!.savingsUsd),
    );
    expect(study.baseline.objective).toBe(sweep.baseline.objective);
    // The study verified 10 of the 85 sites; each verified line equals that site's sweep line.
    expect(study.configurationsVerified).toBe(11);
    for (const r of study.ranked) {
      const s = sweep.ranked.find((x) => x.sites[0]!.bus === r.sites[0]!.bus)!;
      expect(r.annualSavingsUsd).toBe(s.annualSavingsUsd);
    }
    // A battery saves money; the screen's estimate is the right order of magnitude.
    expect(best.annualSavingsUsd).toBeGreaterThan(0);
    expect(Math.abs(best.screenedAnnualValueUsd! / best.annualSavingsUsd - 1)).toBeLessThan(0.1);
    expect(best.solveArgs).toBe(`--battery ${best.sites[0]!.bus}:60:240:72:3`);
    expect(best.verification.maxValidationDiffPu).toBeLessThan(1e-5);
    expect(progress.at(-1)).toBe(11);
    expect(study.marginalValue).toHaveLength(85);
    expect(study.sensitivity.map((s) => s.case)).toEqual([
      'capital cost −20 %',
      'capital cost +20 %',
      'energy price −20 %',
      'energy price +20 %',
    ]);
  }, 900_000);
});

describe('siting study with K = 3 sites on balanced IEEE 123', () => {
  it('the greedy answer is within 1 % of the best of the sweep over every combination of its screened top-10 lists', async () => {
    // A shorter horizon keeps it fast (the bench runs the 12 representative days): the 12 hours
    // from 08:00 of the year's highest-price day, with eight candidates spread over the feeder
    // and batteries large enough (3 × 240 kW on a ~3.5 MW feeder) for the sites to interact.
    let peakHour = 0;
    year.priceUsdPerMwh.forEach((v, h) => void (v > year.priceUsdPerMwh[peakHour]! && (peakHour = h)));
    const start = Math.floor(peakHour / 24) * 24 + 8;
    const horizon: Horizon = {
      kind: 'contiguous',
      parts: [{ label: `hours ${start}–${start + 11}`, weight: 1, study: yearStretchStudy(year, start, 12) }],
      annualFactor: 8760 / 12,
      description: '12 h',
    };
    const candidates = loadBuses(feeder).filter((_, k) => k % 11 === 0);
    expect(candidates).toHaveLength(8);
    const input: SitingInput = {
      feeder,
      candidates,
      sizes: [{ kw: 240, kwh: 960 }],
      count: 3,
      economics: ECONOMICS_DEFAULTS,
      horizon,
    };
    const solver = balancedPartSolver(feeder, {}, horizon);
    const study = await runSitingStudy(input, solver);
    expect(study.screened).toHaveLength(3);
    expect(study.screened.map((l) => l.length)).toEqual([8, 7, 6]);
    const best = study.ranked[0]!;
    expect(best.sites).toHaveLength(3);
    expect(new Set(best.sites.map((s) => s.bus)).size).toBe(3);
    const configs = screenedCombinations(study, 10);
    expect(configs).toHaveLength(56); // every 3 of the 8 candidates: the lists hold all of them
    const sweep = await sweepStudy(input, configs, solver);
    expect(sweep.ranked.every((r) => r.feasible)).toBe(true);
    const top = sweep.ranked[0]!;
    expect(top.annualSavingsUsd).toBeGreaterThan(0);
    expect(top.annualSavingsUsd - best.annualSavingsUsd).toBeLessThanOrEqual(0.01 * top.annualSavingsUsd);
    // The study's own line is one of the sweep's, with the same verified value.
    const same = sweep.ranked.find((r) => screenKey(r.sites) === screenKey(best.sites))!;
    expect(Math.abs(same.annualSavingsUsd - best.annualSavingsUsd)).toBeLessThanOrEqual(
      1e-6 * Math.abs(best.annualSavingsUsd),
    );
  }, 900_000);
});

const screenKey = (sites: readonly { bus: string }[]): string =>
  sites
    .map((s) => s.bus)
    .sort()
    .join('|');

/** A stand-in OPF for the input checks: value proportional to kW, bus "bad" infeasible. */
const stub: PartSolver = (specs) => {
  const bad = specs.some((s) => s.bus === '5');
  const out: PartOutcome = {
    optimal: !bad,
    status: bad ? 'infeasible' : 'solved',
    message: bad
      ? 'Converged to a point of local infeasibility. Binding: voltage upper limit 1.05 pu at bus 5 (hour 13).'
      : 'ok',
    objective: 100 - specs.reduce((s, b) => s + b.kw * 0.1, 0),
    energyCostUsd: 100,
    lineLossKwh: 10,
    peakKw: 500,
    voltageLimitHours: 0,
    validationMaxVoltageDiffPu: 0,
    iterations: 1,
    seconds: 0,
    lmpUsdPerKwh: new Float64Array(24 * feeder.buses.length).fill(0.05),
    qlmpUsdPerKvarh: new Float64Array(24 * feeder.buses.length),
    busNames: feeder.buses.map((b) => b.name),
  };
  return Promise.resolve(out);
};

describe('siting study: bad input is a clear message', () => {
  const horizon: Horizon = {
    kind: 'representative-days',
    parts: [{ label: 'day 1', weight: 365, study: { periods: 24 } }],
    annualFactor: 1,
    description: '',
  };
  const base: SitingInput = {
    feeder,
    candidates: ['10', '5'],
    sizes: [{ kw: 10, kwh: 40 }],
    count: 1,
    economics: ECONOMICS_DEFAULTS,
    horizon,
  };

  it('no candidate, unknown or root bus, K larger than the candidates, empty sizes', async () => {
    await expect(runSitingStudy({ ...base, candidates: [] }, stub)).rejects.toThrow(/no candidate bus/);
    await expect(runSitingStudy({ ...base, candidates: ['10', 'nowhere'] }, stub)).rejects.toThrow(
      /not in the feeder \S+: nowhere/,
    );
    await expect(runSitingStudy({ ...base, candidates: ['1'] }, stub)).rejects.toThrow(/substation \(root\) bus/);
    await expect(runSitingStudy({ ...base, count: 3 }, stub)).rejects.toThrow(
      /3 sites asked for but only 2 candidate buses/,
    );
    await expect(runSitingStudy({ ...base, sizes: [] }, stub)).rejects.toThrow(/no battery size/);
    await expect(runSitingStudy({ ...base, sizes: [{ kw: 10, kwh: 40, kva: 5 }] }, stub)).rejects.toThrow(
      /inverter kVA 5 is below its 10 kW/,
    );
  });

  it('refuses a horizon whose memory estimate exceeds the machine, before any solve', async () => {
    let solves = 0;
    const counting: PartSolver = (s, p, l) => (solves++, stub(s, p, l));
    const yearLong: Horizon = {
      kind: 'contiguous',
      parts: [{ label: 'year', weight: 1, study: { periods: 8760 } }],
      annualFactor: 1,
      description: '',
    };
    await expect(
      runSitingStudy({ ...base, horizon: yearLong, memoryLimitBytes: 2 * 1024 ** 3 }, counting),
    ).rejects.toThrow(/one OPF over 8760 periods of 128 buses needs about 5\.0 GB, and 2\.0 GB are available/);
    expect(solves).toBe(0);
  });

  it('names an infeasible candidate with its binding limit and ranks it last', async () => {
    const r = await runSitingStudy(base, stub);
    const last = r.ranked.at(-1)!;
    expect(last.sites[0]!.bus).toBe('5');
    expect(last.feasible).toBe(false);
    expect(last.failure).toMatch(/day 1: infeasible — .*voltage upper limit 1\.05 pu at bus 5/);
    expect(r.ranked[0]!.feasible).toBe(true);
  });

  it('says so when the feeder has no feasible baseline, and stops on cancel', async () => {
    const failing: PartSolver = (s, p, l) => stub([{ bus: '5', kw: 1, kwh: 4 }, ...s], p, l);
    await expect(runSitingStudy(base, failing)).rejects.toThrow(SitingError);
    await expect(runSitingStudy(base, failing)).rejects.toThrow(
      /no feasible OPF, so there is no baseline .* voltage upper limit/,
    );
    const signal = { aborted: false };
    const p = runSitingStudy(base, stub, { signal, onProgress: (q) => void (q.done >= 1 && (signal.aborted = true)) });
    await expect(p).rejects.toThrow(SitingCancelled);
  });
});
