import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTestData, testDataUrl } from '../../test-data/index';
import { testYear } from '../testing/siting/year';
import { ieee123Feeder, readIeee123Texts } from '../testing/opf/ieee123';
import { solveOpf } from '../opf/solve';
import type { Study } from '../opf/study';
import { annuityFactor, ECONOMICS_DEFAULTS, sizeCost, valuate } from './economics';
import { solvePart, type Horizon } from './evaluate';
import { dayStudy, representativeDays } from './profiles';
import { arbitrageValue } from './screen';
import { screenValues } from './study';

const unit = { hours: 4, etaCharge: 0.95, etaDischarge: 0.95, socMin: 0.3, socMax: 0.95, socInitial: 0.625 };

describe('screening LP (battery arbitrage against a price series)', () => {
  it('two periods, cheap then dear: charge 1 kW, discharge what returns the SOC (hand-computed)', () => {
    // Pc = 1 kW in period 1 stores 0.95 kWh; Pd / 0.95 = 0.95 gives Pd = 0.9025 kW in period 2.
    const r = arbitrageValue([0.1, 0.5], 1, unit, 0);
    expect(r.ok).toBe(true);
    expect(r.valueUsdPerKw).toBeCloseTo(0.5 * 0.9025 - 0.1, 6);
    expect(r.chargeKw[0]).toBeCloseTo(1, 6);
    expect(r.dischargeKw[1]).toBeCloseTo(0.9025, 6);
    // With the battery-loss weight α the value drops by α((1 − ηc)·1 + (1/ηd − 1)·0.9025).
    const a = arbitrageValue([0.1, 0.5], 1, unit, 0.01);
    expect(a.valueUsdPerKw).toBeCloseTo(0.35125 - 0.01 * (0.05 + 0.0475), 6);
  });

  it('a flat price earns nothing (round-trip losses), the SOC window binds a long spread', () => {
    expect(arbitrageValue([0.2, 0.2, 0.2], 1, unit, 0).valueUsdPerKw).toBeCloseTo(0, 7);
    // 6 cheap hours then 6 dear: the energy moved is limited by the SOC window
    // (from 2.5 kWh up to 3.8 and down to 1.2), not by the 1 kW power.
    const p = [...Array(6).fill(0.1), ...Array(6).fill(0.5), ...Array(6).fill(0.1)];
    const r = arbitrageValue(p, 1, unit, 0);
    const dis = r.dischargeKw.reduce((s, v) => s + v, 0);
    expect(dis).toBeGreaterThan(2.4);
    expect(dis).toBeLessThan(4 * (0.95 - 0.3) * 0.95 + 1e-6 + 1.3 * 0.95);
  });
});

describe('economics', () => {
  it('annuity factor is the discounted sum; 7 % over 15 years is 9.1079', () => {
    let s = 0;
    for (let y = 1; y <= 15; y++) s += 1.07 ** -y;
    expect(annuityFactor(0.07, 15)).toBeCloseTo(s, 12);
    expect(annuityFactor(0.07, 15)).toBeCloseTo(9.1079, 4);
    expect(annuityFactor(0, 10)).toBe(10);
  });
  it('net benefit, payback and NPV of a 100 kW / 400 kWh battery', () => {
    const c = sizeCost(ECONOMICS_DEFAULTS, 100, 400);
    expect(c.capexUsd).toBe(100 * 250 + 400 * 300);
    const v = valuate(ECONOMICS_DEFAULTS, [{ kw: 100, kwh: 400 }], 20000);
    expect(v.netBenefitUsd).toBeCloseTo(20000 - 145000 / annuityFactor(0.07, 15), 6);
    expect(v.simplePaybackYears).toBeCloseTo(7.25, 12);
    expect(v.npvUsd).toBeCloseTo(-145000 + 20000 * annuityFactor(0.07, 15), 6);
    expect(valuate(ECONOMICS_DEFAULTS, [{ kw: 1, kwh: 4 }], -5).simplePaybackYears).toBeNull();
  });
});

describe('locational marginal prices from the OPF multipliers', () => {
  it('match the objective change of a finite load step at the bus (IEEE 123, 6 h)', () => {
    const dir = testDataUrl('ieee123-balanced/');
    const feeder = ieee123Feeder(readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8')));
    const price = { intervalH: 1, values: [2, 3, 8, 12, 5, 2] };
    const part: Study = {
      periods: 6,
      dtH: 1,
      startHour: 0,
      loadProfile: { intervalH: 1, values: [0.6, 0.7, 0.9, 1, 0.8, 0.6] },
      pvProfile: { intervalH: 1, values: [0, 0.3, 0.8, 0.6, 0.1, 0] },
      priceCentsPerKwh: price,
    };
    const horizon: Horizon = {
      kind: 'contiguous',
      parts: [{ label: 'six hours', weight: 1, study: part }],
      annualFactor: 1,
      description: '',
    };
    const out = solvePart(feeder, {}, horizon, {}, [], 0, true);
    expect(out.optimal).toBe(true);
    const names = out.busNames!;
    for (const bus of ['114', '65', '30']) {
      const load = feeder.loads.find((l) => l.bus === bus)!;
      const step = (dp: number): number =>
        solveOpf(
          { ...feeder, loads: feeder.loads.map((l) => (l === load ? { ...l, pKw: l.pKw + dp } : l)) },
          { ...part, objective: 'cost' },
          { validate: false },
        ).results.objective;
      const d = 0.5;
      const fd = (step(d) - step(-d)) / (2 * d);
      const b = names.indexOf(bus);
      let predicted = 0;
      for (let t = 0; t < 6; t++) predicted += out.lmpUsdPerKwh![t * names.length + b]! * part.loadProfile!.values[t]!;
      expect(Math.abs(predicted - fd) / Math.abs(fd)).toBeLessThan(2e-3);
      // A loss-free feeder would price every bus at the substation price; the LMP differs.
      expect(predicted).toBeGreaterThan(0);
    }
  });
});

describe('marginal value of storage per bus (the map)', () => {
  it('equals the objective change of adding a 1 kW / 4 kWh battery at the bus and re-solving (IEEE 123, two real days)', () => {
    const dir = testDataUrl('ieee123-balanced/');
    const feeder = ieee123Feeder(readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8')));
    const year = testYear((n) => readTestData('year-profiles', n));
    const days = representativeDays(year, 12, 1);
    // The first medoid (a mild day, ~0.05 USD per kW) and the fifth (a price-spike day, ~12 USD).
    for (const day of [days[0]!.day, days[4]!.day]) {
      const horizon: Horizon = {
        kind: 'contiguous',
        parts: [{ label: `day ${day}`, weight: 1, study: dayStudy(year, day) }],
        annualFactor: 1,
        description: '',
      };
      const base = solvePart(feeder, {}, horizon, {}, [], 0, true);
      expect(base.optimal).toBe(true);
      const buses = ['85', '30', '4'];
      const value = screenValues({ candidates: buses, horizon }, { parts: [base] }, 4, 1.2);
      const fd = buses.map(
        (bus) =>
          base.objective -
          solvePart(feeder, {}, horizon, {}, [{ bus, kw: 1, kwh: 4, kva: 1.2, phases: 3 }], 0, false).objective,
      );
      buses.forEach((bus, k) => expect(Math.abs(value.get(bus)! / fd[k]! - 1)).toBeLessThan(1e-3));
      // The buses differ by far more than that tolerance: the map is not one feeder-wide price.
      expect(Math.max(...fd) / Math.min(...fd) - 1).toBeGreaterThan(0.03);
    }
  }, 120_000);
});
