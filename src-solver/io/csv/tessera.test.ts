import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../../model/feeder';
import { importDss } from '../dss/index';
import { unwrapImport } from '../types';
import { readDispatchCsv, readTesseraCsv, writeDispatchCsv, writeTesseraCsv } from './tessera';
import { testDataPath } from '../../../test-data/index';

const readFs = (p: string) => readFileSync(p, 'utf8');
const ieee123 = unwrapImport(
  importDss(testDataPath('ieee123-balanced/dss/Master.dss'), readFs, { storageSocMax: 0.95 }),
).feeder;
const ieee13 = unwrapImport(
  importDss(fileURLToPath(new URL('../../../test-data/dss/ieee13/IEEE13Nodeckt.dss', import.meta.url)), readFs),
).feeder;

/** Every optional field present somewhere, and names that need CSV quoting. */
const awkward: Feeder = {
  name: 'Feeder "A", north',
  baseKva: 500,
  substation: { bus: 'sub 1', vSetPu: 1.05 },
  buses: [
    { name: 'sub 1', vBaseKv: 7.2, x: -1.5, y: 2e-7 },
    { name: 'b,2', vBaseKv: 7.2 },
    { name: 'lv', vBaseKv: 0.24, x: 3 },
  ],
  branches: [
    { name: 'line "one"', from: 'sub 1', to: 'b,2', rOhm: 0.1 + 0.2, xOhm: 1 / 3, kind: 'line', ampacityA: 250 },
    { name: 'xf', from: 'b,2', to: 'lv', rOhm: 0.001, xOhm: 0.004, kind: 'transformer' },
  ],
  loads: [
    { name: 'L1', bus: 'lv', pKw: 12.5, qKvar: -3, shape: 'res', dssModel: 2 },
    { name: 'L2', bus: 'b,2', pKw: 1e-9, qKvar: 0 },
  ],
  capacitors: [{ name: 'C', bus: 'b,2', qKvar: 60 }],
  pv: [
    { name: 'P', bus: 'lv', pRatedKw: 5, sRatedKva: 6, shape: 'sun' },
    { name: 'P2', bus: 'b,2', pRatedKw: 0, sRatedKva: 1 },
  ],
  batteries: [
    {
      name: 'B',
      bus: 'lv',
      pRatedKw: 4,
      energyKwh: 16,
      sRatedKva: 4.8,
      etaCharge: 0.95,
      etaDischarge: 0.9,
      socMin: 0.2,
      socMax: 0.9,
      socInitial: 0.5,
    },
  ],
  shapes: [
    { name: 'res', intervalH: 0.25, mult: [0.1, 0.7, 1], qmult: [0, 0.5, -1] },
    { name: 'sun', intervalH: 1, mult: [0, 1] },
  ],
};

describe('Tessera CSV', () => {
  it.each([
    ['IEEE 123 (from OpenDSS)', ieee123],
    ['IEEE 13 (reduced)', ieee13],
    ['awkward names and every optional field', awkward],
  ])('round-trips %s deep-equal', (_name, feeder) => {
    const files = writeTesseraCsv(feeder);
    const back = unwrapImport(readTesseraCsv(files)).feeder;
    expect(back).toEqual(feeder);
    // Same text when written again (stable format).
    expect(writeTesseraCsv(back)).toEqual(files);
  });

  it('writes the documented tables', () => {
    const files = writeTesseraCsv(awkward);
    expect(Object.keys(files).sort()).toEqual([
      'batteries.csv',
      'branches.csv',
      'buses.csv',
      'capacitors.csv',
      'feeder.csv',
      'loads.csv',
      'pv.csv',
      'shapes.csv',
    ]);
    expect(files['feeder.csv']).toBe(
      'format,name,base_kva,substation_bus,v_set_pu\ntessera-csv-1,"Feeder ""A"", north",500,sub 1,1.05\n',
    );
    expect(files['shapes.csv'].split('\n')[1]).toBe('res,0.25,1,0.1,0');
    expect(files['branches.csv'].split('\n')[1]).toBe(
      '"line ""one""",sub 1,"b,2",0.30000000000000004,0.3333333333333333,line,250',
    );
  });

  it('reads a folder with only the required files', () => {
    const files = writeTesseraCsv(awkward);
    const minimal = {
      'feeder.csv': files['feeder.csv'],
      'buses.csv': files['buses.csv'],
      'branches.csv': files['branches.csv'],
    };
    const f = unwrapImport(readTesseraCsv(minimal)).feeder;
    expect([f.loads, f.pv, f.batteries, f.capacitors, f.shapes]).toEqual([[], [], [], [], []]);
  });

  it('names file, row and column of every error', () => {
    const files = writeTesseraCsv(awkward);
    const bad = (name: string, from: string, to: string) => {
      const out = readTesseraCsv({ ...files, [name]: files[name].replace(from, to) }, 'proj');
      expect(out.ok).toBe(false);
      return out.ok ? [] : out.errors;
    };
    expect(bad('loads.csv', '12.5', 'x12')).toEqual([
      { file: 'proj/loads.csv', line: 2, column: 3, message: 'row 2, column "p_kw": "x12" is not a number' },
    ]);
    expect(bad('branches.csv', 'transformer', 'pipe')[0]).toMatchObject({
      file: 'proj/branches.csv',
      line: 3,
      column: 6,
    });
    expect(bad('buses.csv', 'name,v_base_kv', 'name,vbase')[0].message).toBe(
      'missing column "v_base_kv" (header: name,vbase,x,y)',
    );
    expect(bad('shapes.csv', 'res,0.25,2,', 'res,0.25,3,')[0]).toMatchObject({
      line: 3,
      column: 3,
      message: 'row 3, column "point": expected point 2 of shape "res", got 3',
    });
    expect(bad('feeder.csv', 'tessera-csv-1', 'tessera-csv-9')[0].message).toContain(
      'is not a format this version reads',
    );
    expect(bad('capacitors.csv', 'C,"b,2"', 'C,nowhere')[0]).toMatchObject({
      file: 'proj/capacitors.csv',
      line: 2,
      message: 'capacitor C: is on bus "nowhere", which is not a bus of the feeder',
    });
    expect(bad('buses.csv', '"b,2",7.2,,\n', '"b,2",7.2,,\n"b,2",7.2,,\n')[0]).toMatchObject({
      file: 'proj/buses.csv',
      line: 3,
      message: expect.stringContaining('more than one bus'),
    });
    const missing = readTesseraCsv({ 'feeder.csv': files['feeder.csv'] });
    expect(missing.ok || missing.errors.map((e) => e.message)).toEqual([
      'buses.csv is missing (it is required)',
      'branches.csv is missing (it is required)',
    ]);
  });
});

describe('dispatch.csv', () => {
  it('round-trips a dispatch and names bad rows', () => {
    const d = {
      periods: 3,
      intervalH: 0.5,
      pvKvar: { P: [1, -2.5, 0] },
      batteryKw: { B: [-4, 0, 4] },
      batteryKvar: { B: [0.1, 0.2, 0.3] },
    };
    const text = writeDispatchCsv(d);
    expect(text.split('\n')[1]).toBe('1,0.5,pv,P,,1');
    const back = readDispatchCsv(text);
    expect(back).toEqual({ ok: true, dispatch: d });
    const bad = readDispatchCsv(text.replace('2,0.5,battery,B', '2,0.5,boat,B'));
    expect(bad.ok || bad.errors[0]).toMatchObject({
      line: 6,
      column: 3,
      message: 'row 6, column "device": "boat" is not pv or battery',
    });
    const gap = readDispatchCsv(
      text
        .split('\n')
        .filter((l) => !l.startsWith('2,0.5,pv'))
        .join('\n'),
    );
    expect(gap.ok || gap.errors[0].message).toBe('pv P has no row for period 2');
  });
});
