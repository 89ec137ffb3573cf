import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFeeder } from '../../model/validate';
import { unwrapImport } from '../types';
import { IEEE123_BATTERY_BUSES, IEEE123_PV_BUSES, importProfileCsv, importReferenceCsv } from './reference';
import { testDataUrl } from '../../../test-data/index';

const ref = (p: string) => readFileSync(testDataUrl(`ieee123-balanced/${p}`), 'utf8');

describe('importReferenceCsv (IEEE 123 balanced)', () => {
  const linedata = ref('csv/linedata.csv');
  const powerdata = ref('csv/powerdata.csv');

  it('reads the published case: 128 buses, 127 branches, 85 loads, 4 capacitors', () => {
    const { feeder, warnings } = unwrapImport(importReferenceCsv(linedata, powerdata));
    expect(feeder.buses).toHaveLength(128);
    expect(feeder.branches).toHaveLength(127);
    expect(feeder.loads).toHaveLength(85);
    expect(feeder.capacitors.map((c) => [c.bus, c.qKvar])).toEqual([
      ['85', 200],
      ['90', 50],
      ['92', 50],
      ['94', 50],
    ]);
    expect(feeder.substation).toEqual({ bus: '1', vSetPu: 1.03 });
    expect(feeder.baseKva).toBe(1000);
    expect(feeder.buses.every((b) => b.vBaseKv === 2.4018)).toBe(true);
    expect(warnings).toEqual([]);
    expect(validateFeeder(feeder)).toEqual([]);
    // Spot values straight from the files.
    expect(feeder.branches[1]).toEqual({ name: 'l2', from: '2', to: '3', rOhm: 0.0232, xOhm: 0.0475, kind: 'line' });
    expect(feeder.loads.find((l) => l.bus === '50')).toEqual({ name: 'L50', bus: '50', pKw: 70, qKvar: 50 });
    // Totals summed independently (awk over powerdata.csv): 1163.197 kW, 640.012 kvar.
    expect(feeder.loads.reduce((s, l) => s + l.pKw, 0)).toBeCloseTo(1163.197, 9);
    expect(feeder.loads.reduce((s, l) => s + l.qKvar, 0)).toBeCloseTo(640.012, 9);
  });

  it('a pair without a bus "1" is fed at its one root (the bus no line runs to), said in a warning', () => {
    const lines = 'fbus,tbus,R,X\nc0_2,c0_3,0.1,0.2\nc0_1,c0_2,0.1,0.2\n';
    const power = 'bus,P_L,Q_L,Q_C,P_der\nc0_3,10,5,0,0\nc0_1,0,0,0,0\nc0_2,20,10,0,0\n';
    const { feeder, warnings } = unwrapImport(importReferenceCsv(lines, power));
    expect(feeder.substation.bus).toBe('c0_1');
    expect(warnings).toEqual([
      {
        file: 'powerdata.csv',
        line: 3,
        message:
          'no bus "1" (the substation by convention): the substation is bus "c0_1", the only bus no line runs to',
      },
    ]);
    // Two roots (two separate trees): no guess; the substation error as before.
    const twoRoots = importReferenceCsv('fbus,tbus,R,X\nc0_2,c0_3,0.1,0.2\n', power);
    expect(twoRoots.ok).toBe(false);
    expect(!twoRoots.ok && twoRoots.errors.map((e) => e.message)).toContain(
      'substation: the substation bus "1" is not a bus of the feeder',
    );
  });

  it('places DER only where asked, rated at P_der with the spec ratios', () => {
    const { feeder } = unwrapImport(
      importReferenceCsv(linedata, powerdata, { pvBuses: IEEE123_PV_BUSES, batteryBuses: IEEE123_BATTERY_BUSES }),
    );
    expect(feeder.pv).toHaveLength(17);
    expect(feeder.batteries).toHaveLength(26);
    // Bus 3: peak load 13.33 kW → P_der = 0.35 × 13.33 = 4.6655 kW (README), S = 1.2 P, E = 4 h × P.
    expect(feeder.pv[0]).toEqual({ name: 'PV3', bus: '3', pRatedKw: 4.6655, sRatedKva: 1.2 * 4.6655 });
    const b = feeder.batteries[0];
    expect(b.energyKwh).toBeCloseTo(18.662, 12);
    expect([b.etaCharge, b.etaDischarge, b.socMin, b.socMax, b.socInitial]).toEqual([0.95, 0.95, 0.3, 0.95, 0.625]);
  });

  it('names file, row and column of a bad cell', () => {
    const bad = linedata.replace('3,4,0.0441,0.0447', '3,4,abc,0.0447');
    const out = importReferenceCsv(bad, powerdata);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.errors).toEqual([
      { file: 'linedata.csv', line: 4, column: 3, message: 'row 4, column "R": "abc" is not a number' },
    ]);
  });

  it('reports a branch to a bus not in powerdata, a missing column, and a loop', () => {
    const out1 = importReferenceCsv(`${linedata.trimEnd()}\n3,999,1,1\n`, powerdata);
    expect(out1.ok || out1.errors[0]).toMatchObject({ file: 'linedata.csv', line: 129, column: 2 });
    const out2 = importReferenceCsv(linedata.replace('fbus,tbus,R,X', 'fbus,tbus,R'), powerdata);
    expect(out2.ok || out2.errors[0].message).toBe('missing column "X" (header: fbus,tbus,R)');
    const out3 = importReferenceCsv(`${linedata.trimEnd()}\n4,6,1,1\n`, powerdata);
    expect(out3.ok || out3.errors[0]).toMatchObject({ file: 'linedata.csv', line: 129 });
    expect(out3.ok || out3.errors[0].message).toMatch(
      /^branch l128: the feeder is not radial: branches .* form a loop/,
    );
  });
});

describe('importProfileCsv', () => {
  it('reads the 24 h load shape', () => {
    const out = importProfileCsv(ref('profiles/load_shape_24h.csv'), 'load');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.shape.mult).toHaveLength(24);
    expect(out.shape.mult[0]).toBe(0.71);
    expect(out.shape.mult[19]).toBe(1);
  });
  it('rejects hours out of order', () => {
    const out = importProfileCsv('0,1\n2,1\n', 'x');
    expect(out.ok).toBe(false);
  });
});

describe('importProfileCsv: market exports with timestamps', () => {
  it('reads the ComEd hourly price export (header, quoted timestamps, value last) as 24 hourly values', () => {
    const text = ref('profiles/comed_hourly_prices_2023-11-10.csv');
    const out = importProfileCsv(text, 'price');
    expect(out.ok || out.errors).toBe(true);
    if (!out.ok) return;
    // Independently: the last field of every line after the header.
    const expected = text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => Number(l.split(',').at(-1)));
    expect(expected).toHaveLength(24);
    expect(out.shape.mult).toEqual(expected);
    expect(out.shape.intervalH).toBe(1);
  });

  it('reads ISO timestamps with a header, and names the row where the hours jump', () => {
    const ok = importProfileCsv('timestamp,value\n2023-01-01T00:00,-2.1\n2023-01-01T01:00,3.5\n', 'p');
    expect(ok.ok && ok.shape.mult).toEqual([-2.1, 3.5]);
    const gap = importProfileCsv('"2023-11-10 00:00:00",1.6\n"2023-11-10 02:00:00",1.7\n', 'p', 'prices.csv');
    expect(gap.ok).toBe(false);
    if (gap.ok) return;
    expect(gap.errors[0]).toMatchObject({ file: 'prices.csv', line: 2, column: 1 });
    expect(gap.errors[0]!.message).toBe(
      'row 2: 2023-11-10 02:00:00 is 2 h after the previous row; an hourly profile needs rows 1 h apart',
    );
  });
});

describe('formatIssue', () => {
  it('names file:line:col, and the file alone for an issue about the whole file (never ":0")', async () => {
    const { formatIssue } = await import('../types');
    expect(formatIssue({ file: 'Lines.dss', line: 12, column: 5, message: 'bad' })).toBe('Lines.dss:12:5: bad');
    expect(formatIssue({ file: 'Master.dss', line: 0, message: 'no circuit' })).toBe('Master.dss: no circuit');
  });
});
