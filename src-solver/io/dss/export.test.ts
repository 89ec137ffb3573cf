import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../../model/feeder';
import { unwrapImport } from '../types';
import { DssExportError, exportDss } from './export';
import { importDss, importDssFiles } from './index';
import { testDataPath } from '../../../test-data/index';

const readFs = (p: string) => readFileSync(p, 'utf8');
const ieee123 = unwrapImport(
  importDss(testDataPath('ieee123-balanced/dss/Master.dss'), readFs, { storageSocMax: 0.95 }),
).feeder;
const ieee13 = unwrapImport(
  importDss(fileURLToPath(new URL('../../../test-data/dss/ieee13/IEEE13Nodeckt.dss', import.meta.url)), readFs),
).feeder;

/** Re-import an exported script set from memory. */
function reimport(files: Record<string, string>, options = {}) {
  const inMemory = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/x/${k}`, v]));
  return unwrapImport(importDssFiles('/x/Master.dss', inMemory, options));
}

/** Deep equality with numbers compared to 1e-12 relative (percent impedances and kV ratios round). */
function expectClose(actual: unknown, expected: unknown, path = 'feeder'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
  } else if (Array.isArray(expected)) {
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected))
      expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else expect(actual, path).toEqual(expected);
}

describe('exportDss', () => {
  it('re-imports the IEEE 123 case to the same model, devices and shapes included', () => {
    const back = reimport(exportDss(ieee123), { storageSocMax: 0.95 });
    expect(back.warnings).toEqual([]);
    expect(back.feeder).toEqual(ieee123);
  });

  it('re-imports the reduced IEEE 13 feeder (transformers, regulator, switch, coordinates, three bases)', () => {
    const files = exportDss(ieee13);
    expect(files['BusCoords.csv']).toContain('634, 400, 250');
    const back = reimport(files);
    // The merged regulator keeps its kind through a disabled RegControl.
    expect(back.feeder.branches.find((b) => b.kind === 'regulator')!.name).toBe('Reg1+Reg2+Reg3');
    expectClose(back.feeder, ieee13);
  });

  it('writes each controlled device as a Load with its own mult/qmult dispatch shape', () => {
    const feeder: Feeder = {
      ...ieee123,
      pv: ieee123.pv.slice(0, 2),
      batteries: ieee123.batteries.slice(0, 1),
    };
    const pv0 = feeder.pv[0];
    const b0 = feeder.batteries[0];
    const T = 3;
    const files = exportDss(feeder, {
      periods: T,
      intervalH: 1,
      pvKvar: { [pv0.name]: [0.5, -1, 2] },
      batteryKw: { [b0.name]: [-2, 0, 3] },
      batteryKvar: { [b0.name]: [1, 1, -1] },
    });
    const dispatch = files['Dispatch.dss'];
    const shapeLine = (name: string) => dispatch.split('\n').find((l) => l.startsWith(`New LoadShape.${name} `))!;
    // PV: P = rating × PVShape at hours 0..2 (all 0 at night), Q as dispatched; signs flipped (load).
    expect(shapeLine(`dispatch_pv_${pv0.name}`)).toBe(
      `New LoadShape.dispatch_pv_${pv0.name} npts=3 interval=1 mult=[0 0 0] qmult=[-0.5 1 -2]`,
    );
    // Undispatched PV: Q = 0.
    expect(shapeLine(`dispatch_pv_${feeder.pv[1].name}`)).toContain('qmult=[0 0 0]');
    expect(shapeLine(`dispatch_battery_${b0.name}`)).toBe(
      `New LoadShape.dispatch_battery_${b0.name} npts=3 interval=1 mult=[2 0 -3] qmult=[-1 -1 1]`,
    );
    expect(dispatch).toContain(`New Load.battery_${b0.name} bus1=${b0.bus} phases=1 kV=2.4018 kW=1 kvar=1 model=1`);
    expect(files['Master.dss']).toContain('Redirect Dispatch.dss');
    expect(files['Master.dss']).not.toMatch(/^Redirect (PVSystems|Storage)\.dss/m);
    expect(files['Master.dss']).toContain('Set mode=daily stepsize=3600s number=3');
    // The dispatch script reads back: the device loads carry exactly those shapes.
    const back = reimport(files).feeder;
    expect(back.pv).toEqual([]);
    const load = back.loads.find((l) => l.name === `battery_${b0.name}`)!;
    expect(load).toMatchObject({ pKw: 1, qKvar: 1, shape: `dispatch_battery_${b0.name}` });
    expect(back.shapes.find((s) => s.name === load.shape)).toEqual({
      name: load.shape,
      intervalH: 1,
      mult: [2, 0, -3],
      qmult: [-1, -1, 1],
    });
  });

  it('samples a PV shape at each period’s start hour: half-hour periods repeat hourly points', () => {
    const shape = { name: 'sun', intervalH: 1, mult: [0, 0.25, 0.5, 1] };
    const pv = { ...ieee123.pv[0], shape: 'sun', pRatedKw: 100 };
    const feeder: Feeder = { ...ieee123, shapes: [...ieee123.shapes, shape], pv: [pv], batteries: [] };
    const files = exportDss(feeder, { periods: 8, intervalH: 0.5 });
    const line = files['Dispatch.dss'].split('\n').find((l) => l.startsWith(`New LoadShape.dispatch_pv_${pv.name} `))!;
    // hours 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5 → points 0, 0, 1, 1, 2, 2, 3, 3 (negative: injection as load)
    expect(line).toContain('interval=0.5 mult=[0 0 -25 -25 -50 -50 -100 -100]');
    expect(() => exportDss({ ...feeder, pv: [{ ...pv, shape: 'moon' }] }, { periods: 2, intervalH: 1 })).toThrow(
      /shape "moon" is not defined/,
    );
  });

  it('refuses names OpenDSS cannot hold and dispatch of the wrong length', () => {
    const bad: Feeder = { ...ieee13, buses: ieee13.buses.map((b, i) => (i === 1 ? { ...b, name: 'a.b' } : b)) };
    expect(() => exportDss(bad)).toThrow(DssExportError);
    expect(() => exportDss(ieee123, { periods: 2, intervalH: 1, pvKvar: { [ieee123.pv[0].name]: [1] } })).toThrow(
      /has 1 values for 2 periods/,
    );
  });
});
