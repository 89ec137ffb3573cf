import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { BATTERY_DEFAULTS, BatterySpecError, batteryFromSpec, parseBatterySpec, withBatteries } from './battery';

const tiny: Feeder = {
  name: 'tiny',
  baseKva: 100,
  substation: { bus: 's', vSetPu: 1 },
  buses: [
    { name: 's', vBaseKv: 2.4 },
    { name: 'a', vBaseKv: 2.4 },
  ],
  branches: [{ name: 'sa', from: 's', to: 'a', rOhm: 0.1, xOhm: 0.1, kind: 'line' }],
  loads: [{ name: 'la', bus: 'a', pKw: 10, qKvar: 2 }],
  capacitors: [],
  pv: [],
  batteries: [
    {
      name: 'new-a',
      bus: 'a',
      pRatedKw: 1,
      energyKwh: 4,
      sRatedKva: 1.2,
      etaCharge: 0.95,
      etaDischarge: 0.95,
      socMin: 0.3,
      socMax: 0.95,
      socInitial: 0.625,
    },
  ],
  shapes: [],
};

describe('battery specs (tessera solve --battery)', () => {
  it('parses BUS:KW:KWH with the bundled example defaults', () => {
    const s = parseBatterySpec('65:100:400');
    expect(s).toEqual({ bus: '65', kw: 100, kwh: 400 });
    const b = batteryFromSpec(s, 'x');
    expect(b.sRatedKva).toBeCloseTo(120, 12);
    expect([b.socMin, b.socMax, b.socInitial, b.etaCharge, b.etaDischarge]).toEqual([0.3, 0.95, 0.625, 0.95, 0.95]);
    expect(BATTERY_DEFAULTS.inverterKvaPerKw).toBe(1.2);
  });

  it('takes KVA and PHASES, and an empty KVA for the default', () => {
    expect(parseBatterySpec('65:100:400:150:1')).toEqual({ bus: '65', kw: 100, kwh: 400, kva: 150, phases: 1 });
    expect(parseBatterySpec('65:100:400::1')).toEqual({ bus: '65', kw: 100, kwh: 400, phases: 1 });
  });

  it('refuses malformed specs with the field named', () => {
    expect(() => parseBatterySpec('65:100')).toThrow(/expected BUS:KW:KWH/);
    expect(() => parseBatterySpec('65:abc:400')).toThrow(/KW must be a positive number \(got "abc"\)/);
    expect(() => parseBatterySpec('65:100:-4')).toThrow(/KWH must be a positive number/);
    expect(() => parseBatterySpec('65:100:400:90')).toThrow(/KVA 90 is below KW 100/);
    expect(() => parseBatterySpec('65:100:400:120:4')).toThrow(/PHASES must be 1, 2 or 3/);
    expect(() => parseBatterySpec(':100:400')).toThrow(BatterySpecError);
  });

  it('clamps the default initial SOC into a narrower window and refuses an empty window', () => {
    expect(batteryFromSpec({ bus: 'a', kw: 1, kwh: 4 }, 'x', { socMax: 0.5 }).socInitial).toBe(0.5);
    expect(() => batteryFromSpec({ bus: 'a', kw: 1, kwh: 4 }, 'x', { socMax: 0.2 })).toThrow(/0 ≤ min < max ≤ 1/);
  });

  it('adds batteries with unique names; unknown and root buses are named errors', () => {
    const f = withBatteries(tiny, [
      { bus: 'a', kw: 5, kwh: 20 },
      { bus: 'a', kw: 2, kwh: 8 },
    ]);
    expect(f.batteries.map((b) => b.name)).toEqual(['new-a', 'new-a-2', 'new-a-3']);
    expect(f.batteries[1]!.pRatedKw).toBe(5);
    expect(() => withBatteries(tiny, [{ bus: 'zz', kw: 1, kwh: 4 }])).toThrow(/no such bus/);
    expect(() => withBatteries(tiny, [{ bus: 's', kw: 1, kwh: 4 }])).toThrow(/substation \(root\) bus/);
    expect(withBatteries(tiny, [])).toBe(tiny);
  });
});
