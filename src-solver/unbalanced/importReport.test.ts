/**
 * The three-phase import report (issue 14): per class what was imported, approximated and
 * ignored — disabled elements named with their place — and the voltage bases the buses got.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { importUnbalanced } from './import';
import { busVoltageBases } from './solve';

const files = (map: Record<string, string>) => (p: string) => {
  const t = map[p];
  if (t === undefined) throw new Error('no such file');
  return t;
};

describe('three-phase import report', () => {
  it('names every disabled element at its file and line, and counts it as ignored in its class', () => {
    const out = importUnbalanced(
      '/m.dss',
      files({
        '/m.dss': `New Circuit.t basekv=12.47 phases=3 bus1=src
New Line.l1 bus1=src bus2=b2 phases=3 length=1
New Line.l2 bus1=b2 bus2=b3 phases=3 length=1 enabled=no
New Load.a bus1=b2 kv=12.47 kw=100
New Load.b bus1=b2 kv=12.47 kw=100
Disable Load.b
`,
      }),
    );
    if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
    expect(out.report.classes.line).toMatchObject({ imported: 1, ignored: 1 });
    expect(out.report.classes.load).toMatchObject({ imported: 1, ignored: 1 });
    expect(out.report.ignored).toEqual(
      expect.arrayContaining([
        { file: '/m.dss', line: 3, element: 'line.l2 (disabled)' },
        { file: '/m.dss', line: 5, element: 'load.b (disabled)' },
      ]),
    );
  });

  it('tells how many buses got each base: IEEE 13 has its source bus at 115 kV, bus 634 behind XFM1 at 0.48 kV and the other 14 at 4.16 kV', () => {
    const out = importUnbalanced(opendssRef('feeders/13Bus/IEEE13Nodeckt.dss'), (p) => readFileSync(p, 'utf8'));
    if (!out.ok) throw new Error('import');
    expect(busVoltageBases(out.network)).toEqual([
      { kv: 115, buses: 1 },
      { kv: 4.16, buses: 14 },
      { kv: 0.48, buses: 1 },
    ]);
    expect(out.network.buses.size).toBe(16);
  });
});
