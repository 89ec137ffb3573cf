import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../../model/feeder';
import { validateFeeder } from '../../model/validate';
import { IEEE123_BATTERY_BUSES, IEEE123_PV_BUSES, importReferenceCsv } from '../csv/reference';
import { unwrapImport, type ImportOutcome } from '../types';
import { importDss, importDssFiles } from './index';
import { testDataPath } from '../../../test-data/index';

const refDir = testDataPath('ieee123-balanced/');
const ieee13 = fileURLToPath(new URL('../../../test-data/dss/ieee13/IEEE13Nodeckt.dss', import.meta.url));
const readFs = (p: string) => readFileSync(p, 'utf8');

const errorsOf = (out: ImportOutcome) => (out.ok ? [] : out.errors);
const ok = (out: ImportOutcome) => {
  if (!out.ok)
    throw new Error(`import failed:\n${out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n')}`);
  return out;
};

/** The network part of a feeder, for DSS-vs-CSV equality: what both sources carry. */
function network(f: Feeder) {
  return {
    substation: f.substation,
    baseKva: f.baseKva,
    buses: [...f.buses].sort((a, b) => Number(a.name) - Number(b.name)),
    branches: f.branches,
    loads: f.loads.map(({ name, bus, pKw, qKvar }) => ({ name, bus, pKw, qKvar })),
    capacitors: f.capacitors,
  };
}

describe('IEEE 123 balanced: DSS import reproduces the CSV tables', () => {
  const fromDss = unwrapImport(importDss(`${refDir}dss/Master.dss`, readFs, { storageSocMax: 0.95 }));
  const fromCsv = unwrapImport(
    importReferenceCsv(readFs(`${refDir}csv/linedata.csv`), readFs(`${refDir}csv/powerdata.csv`), {
      pvBuses: IEEE123_PV_BUSES,
      batteryBuses: IEEE123_BATTERY_BUSES,
    }),
  );

  it('gives identical buses, branches (ohm), loads and capacitors', () => {
    expect(fromDss.warnings).toEqual([]);
    expect(fromDss.ignored).toEqual([]);
    expect(fromDss.reduction).toBeNull();
    expect(network(fromDss.feeder)).toEqual(network(fromCsv.feeder));
  });

  it('places the same PV and batteries with the README ratings', () => {
    const d = fromDss.feeder;
    const c = fromCsv.feeder;
    expect(d.pv.map((p) => p.bus)).toEqual(c.pv.map((p) => p.bus));
    expect(d.batteries.map((b) => b.bus)).toEqual(c.batteries.map((b) => b.bus));
    d.pv.forEach((p, i) => {
      expect(p.pRatedKw).toBeCloseTo(c.pv[i].pRatedKw, 9);
      expect(p.sRatedKva).toBeCloseTo(c.pv[i].sRatedKva, 4);
      expect(p.shape).toBe('PVShape');
    });
    d.batteries.forEach((b, i) => {
      const r = c.batteries[i];
      expect([b.pRatedKw, b.etaCharge, b.etaDischarge, b.socMin, b.socMax, b.socInitial]).toEqual([
        r.pRatedKw,
        r.etaCharge,
        r.etaDischarge,
        r.socMin,
        r.socMax,
        r.socInitial,
      ]);
      expect(b.energyKwh).toBeCloseTo(r.energyKwh, 9);
      expect(b.sRatedKva).toBeCloseTo(r.sRatedKva, 4);
    });
    expect(d.shapes.map((s) => [s.name, s.mult.length, s.intervalH])).toEqual([
      ['LoadShape', 24, 1],
      ['PVShape', 24, 1],
    ]);
    expect(d.loads.every((l) => l.shape === 'LoadShape' && l.dssModel === 1)).toBe(true);
  });
});

describe('IEEE 13-node feeder (three-phase, unbalanced) → balanced equivalent', () => {
  const out = ok(importDss(ieee13, readFs));
  const f = out.feeder;
  const branch = (name: string) => f.branches.find((b) => b.name === name)!;
  const bus = (name: string) => f.buses.find((b) => b.name.toLowerCase() === name.toLowerCase())!;

  it('reads the whole script: 16 buses, 15 branches, 15 loads, 2 capacitors, coordinates', () => {
    expect([f.buses.length, f.branches.length, f.loads.length, f.capacitors.length]).toEqual([16, 15, 15, 2]);
    expect(f.name).toBe('IEEE13Nodeckt');
    expect(f.substation).toEqual({ bus: 'SourceBus', vSetPu: 1.0001 });
    expect(validateFeeder(f)).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(bus('634')).toMatchObject({ x: 400, y: 250 });
  });

  it('reduces matrix lines to Z1 = Zs − Zm times length in the line code units (hand computed)', () => {
    // mtx601: Zs = (0.3465+0.3375+0.3414)/3, Zm = (0.1560+0.1580+0.1535)/3 ohm/mi; 2000 ft = 2000/5280 mi.
    const mi = 2000 / 5280;
    expect(branch('650632').rOhm).toBeCloseTo(((0.3465 + 0.3375 + 0.3414) / 3 - (0.156 + 0.158 + 0.1535) / 3) * mi, 12);
    expect(branch('650632').xOhm).toBeCloseTo(
      ((1.0179 + 1.0478 + 1.0348) / 3 - (0.5017 + 0.4236 + 0.3849) / 3) * mi,
      12,
    );
    // mtx603, 2-phase: Zs − Zm = (1.3238+1.3294)/2 − 0.2066, 500 ft.
    expect(branch('632645').rOhm).toBeCloseTo(((1.3238 + 1.3294) / 2 - 0.2066) * (500 / 5280), 12);
    // mtx605, 1-phase: the self impedance, 300 ft.
    expect(branch('684611').xOhm).toBeCloseTo(1.3475 * (300 / 5280), 12);
  });

  it('turns transformers into series impedances on the secondary base and propagates base voltages', () => {
    // XFM1: %R 0.55 + 0.55, XHL 2 % on 500 kVA; referred to 0.48 kV: Z_base = 0.48² · 1000 / 500 = 0.4608 ohm.
    expect(branch('XFM1')).toMatchObject({ from: '633', to: '634', kind: 'transformer' });
    expect(branch('XFM1').rOhm).toBeCloseTo(0.011 * 0.4608, 14);
    expect(branch('XFM1').xOhm).toBeCloseTo(0.02 * 0.4608, 14);
    // Sub: XHL = 8/1000 %, %r = 0.5/1000 % per winding (RPN), 5000 kVA at 4.16 kV.
    const zSub = (4.16 * 4.16 * 1000) / 5000;
    expect(branch('Sub').rOhm).toBeCloseTo(0.00001 * zSub, 15);
    expect(branch('Sub').xOhm).toBeCloseTo(0.00008 * zSub, 15);
    expect(bus('SourceBus').vBaseKv).toBeCloseTo(115 / Math.sqrt(3), 10);
    expect(bus('650').vBaseKv).toBeCloseTo(4.16 / Math.sqrt(3), 10);
    expect(bus('634').vBaseKv).toBeCloseTo(0.48 / Math.sqrt(3), 10);
    expect(bus('611').vBaseKv).toBeCloseTo(4.16 / Math.sqrt(3), 10);
  });

  it('merges the three single-phase regulators into one regulator branch, and keeps the switch', () => {
    const reg = branch('Reg1+Reg2+Reg3');
    // %LoadLoss 0.01 → R = 0.01 %, XHL 0.01 % on 1666 kVA at 2.4 kV.
    const z = (2.4 * 2.4 * 1000) / 1666;
    expect(reg).toMatchObject({ from: '650', to: 'RG60', kind: 'regulator' });
    expect(reg.rOhm).toBeCloseTo(0.0001 * z, 15);
    expect(reg.xOhm).toBeCloseTo(0.0001 * z, 15);
    // switch=y sets length 0.001, then r1=1e-4, x1=0.
    expect(branch('671692')).toMatchObject({ kind: 'switch', xOhm: 0 });
    expect(branch('671692').rOhm).toBeCloseTo(1e-7, 18);
  });

  it('divides three-phase totals by 3 and reports phase imbalance', () => {
    expect(f.loads.find((l) => l.name === '671')).toMatchObject({ pKw: 385, qKvar: 220, dssModel: 1 });
    expect(f.loads.find((l) => l.name === '634a')!.pKw).toBeCloseTo(160 / 3, 12);
    const total = f.loads.reduce((s, l) => s + l.pKw, 0);
    expect(total).toBeCloseTo(3466 / 3, 9); // published total 3466 kW
    expect(f.capacitors.find((c) => c.name === 'Cap1')!.qKvar).toBeCloseTo(200, 9);
    // Cap2: 100 kvar at 2.4 kV on a 4.16/√3 kV bus: (2.40178/2.4)² × 100/3.
    expect(f.capacitors.find((c) => c.name === 'Cap2')!.qKvar).toBeCloseTo(
      ((4.16 / Math.sqrt(3) / 2.4) ** 2 * 100) / 3,
      9,
    );
    const r = out.reduction!;
    expect(r.sourcePhases).toBe(3);
    expect(r.powerScale).toBeCloseTo(1 / 3, 15);
    // Bus 634: 160/120/120 kW → mean 133.3, largest deviation 26.7 → 20 %.
    expect(r.notes.find((n) => n.element === 'bus 634')!.magnitude).toBeCloseTo(0.2, 12);
    // Bus 645: all 170 kW on one phase → deviation 113.3 / 56.7 = 200 %.
    expect(r.largestLoadImbalance!.fraction).toBeCloseTo(2, 12);
    expect(
      r.notes.some((n) => n.element.startsWith('Transformer.Reg1') && /held at its stated tap 1/.test(n.message)),
    ).toBe(true);
  });
});

/** A small script set exercising every syntax form. */
const files: Record<string, string> = {
  '/f/Master.dss': [
    'Clear',
    '! comment line',
    '// another comment',
    '/* block',
    'New Line.never bus1=x bus2=y',
    '*/',
    'New Circuit.demo basekv=12.47 pu=1.02 phases=3',
    '~ bus1=src  ! the source bus',
    'Redirect sub/lines.dss',
    'Compile codes/shapes.dss',
    'Redirect loads.dss', // resolved against codes/ after Compile, as OpenDSS does
    'Edit Line.l2 length=2',
    'Line.l3.r1=0.4',
    'Set VoltageBases=[12.47] mode=daily',
    'BusCoords ../xy.csv', // also relative to codes/ (the Compile moved there)
    'New Monitor.m1 element=Line.l1 terminal=1',
    'New Generator.g1 bus1=b kW=10',
    'Solve',
    'calcv',
  ].join('\n'),
  '/f/sub/lines.dss': [
    'New LineCode.c3 nphases=3 r1=0.3 x1=0.6 r0=0.9 x0=1.8 units=kft normamps=300',
    'New Line.l1 src a LineCode=c3 Length=500 units=ft', // positional bus1, bus2
    'New "Line.l2" bus1=a.1.2.3 bus2=b ph=3 r1=(0.1 2 *) x1=0.4 units=mi len=0.5',
    'New Line.l3 like=l2 bus1=b bus2=c',
    'New l4 bus1=c bus2=d switch=yes', // class defaults to the previous one (Line)
    'New Transformer.t1 phases=3 windings=2 buses=[d, e] conns=[wye wye] kVs=[12.47 4.16] kVAs=[500 500] XHL=5 %Rs=[1 1]',
  ].join('\n'),
  '/f/codes/shapes.dss': [
    'New LoadShape.day npts=4 interval=1 mult=[0.5 1 1.5 1] qmult=(1 1 1 1)',
    'New LoadShape.csv interval=0.5 csvfile=shape.csv',
    'New LoadShape.ff npts=3 mult=(file=ff.txt)',
  ].join('\n'),
  '/f/codes/shape.csv': '0.1\n0.2\n0.3\n',
  '/f/codes/ff.txt': '1, 9\n2, 9\n3, 9\n4, 9\n',
  '/f/codes/loads.dss': [
    'New Load.la bus1=a kW=300 pf=0.8 daily=day',
    'New Load.lb bus1=b kVA=150 pf=-0.6',
    'New Load.lc bus1=e phases=3 kW=90 kvar=30 model=2',
    'New Capacitor.cb bus1=b kvar=[150 150] kv=12.47',
    'New PVSystem.p1 bus1=c kV=12.47 Pmpp=30 kVA=36 daily=csv',
    'New Storage.s1 bus1=e kWrated=15 kWhrated=60 kVA=18 %stored=50 %reserve=10 %EffCharge=96 %EffDischarge=94',
  ].join('\n'),
  '/f/xy.csv': 'src, 0, 0\na, 1, 0\nb 2 0\n',
};

describe('OpenDSS syntax forms', () => {
  const out = ok(importDssFiles('/f/Master.dss', files));
  const f = out.feeder;
  const br = (n: string) => f.branches.find((b) => b.name === n)!;

  it('defines the circuit with ~ continuation, skipping comments and block comments', () => {
    expect(f.name).toBe('demo');
    expect(f.substation).toEqual({ bus: 'src', vSetPu: 1.02 });
    expect(f.buses.map((b) => b.name)).toEqual(['src', 'a', 'b', 'c', 'd', 'e']);
  });

  it('applies positional values, abbreviations, units and length conversions, RPN, like=, Edit and property form', () => {
    // l1: c3 is 0.3 + j0.6 ohm/kft; 500 ft = 0.5 kft.
    expect(br('l1')).toEqual({ name: 'l1', from: 'src', to: 'a', rOhm: 0.15, xOhm: 0.3, kind: 'line', ampacityA: 300 });
    // l2: r1 = 0.2 ohm/mi (RPN), edited length 2 (its own units, mi).
    expect(br('l2').rOhm).toBeCloseTo(0.4, 14);
    expect(br('l2').xOhm).toBeCloseTo(0.8, 14);
    // l3: like l2 (length 0.5 at the time), then r1 set through Line.l3.r1=0.4.
    expect(br('l3').rOhm).toBeCloseTo(0.2, 14);
    expect(br('l3').xOhm).toBeCloseTo(0.2, 14);
    expect(br('l4')).toMatchObject({ kind: 'switch', rOhm: 0.001, xOhm: 0.001 });
    // t1: (1+1) % + j5 % on 500 kVA at 4.16 kV.
    const z = (4.16 * 4.16 * 1000) / 500;
    expect(br('t1').rOhm).toBeCloseTo(0.02 * z, 12);
    expect(br('t1').xOhm).toBeCloseTo(0.05 * z, 12);
    expect(f.buses.find((b) => b.name === 'e')!.vBaseKv).toBeCloseTo(4.16 / Math.sqrt(3), 12);
  });

  it('reads loads as kW/pf, kVA/pf and kW/kvar (per phase), devices and shapes from files', () => {
    const load = (n: string) => f.loads.find((l) => l.name === n)!;
    expect(load('la').pKw).toBeCloseTo(100, 12);
    expect(load('la').qKvar).toBeCloseTo(75, 12); // 300 kW at pf 0.8 → 225 kvar, / 3
    expect(load('la').shape).toBe('day');
    expect(load('lb').pKw).toBeCloseTo(30, 12); // 150 kVA × 0.6 / 3
    expect(load('lb').qKvar).toBeCloseTo(-40, 12); // leading
    expect(load('lc')).toMatchObject({ pKw: 30, qKvar: 10, dssModel: 2 });
    expect(f.capacitors[0].qKvar).toBeCloseTo(100, 9);
    expect(f.pv[0]).toEqual({ name: 'p1', bus: 'c', pRatedKw: 10, sRatedKva: 12, shape: 'csv' });
    expect(f.batteries[0]).toEqual({
      name: 's1',
      bus: 'e',
      pRatedKw: 5,
      energyKwh: 20,
      sRatedKva: 6,
      etaCharge: 0.96,
      etaDischarge: 0.94,
      socMin: 0.1,
      socMax: 1,
      socInitial: 0.5,
    });
    expect(f.shapes).toEqual([
      { name: 'day', intervalH: 1, mult: [0.5, 1, 1.5, 1], qmult: [1, 1, 1, 1] },
      { name: 'csv', intervalH: 0.5, mult: [0.1, 0.2, 0.3] },
      { name: 'ff', intervalH: 1, mult: [1, 2, 3] },
    ]);
  });

  it('reads bus coordinates relative to the including file and lists ignored elements with file:line', () => {
    expect(f.buses.find((b) => b.name === 'b')).toMatchObject({ x: 2, y: 0 });
    expect(f.buses.find((b) => b.name === 'c')!.x).toBeUndefined();
    expect(out.ignored).toEqual([
      { file: '/f/Master.dss', line: 16, element: 'monitor.m1' },
      { file: '/f/Master.dss', line: 17, element: 'generator.g1' },
    ]);
    expect(out.warnings.map((w) => [w.line, w.message])).toEqual([
      [17, 'generator.g1 is not modelled by Tessera and is left out (it affects the network)'],
      [
        6,
        'batteries may charge to 100 % of kWhrated (socMax = 1): OpenDSS has no SOC ceiling; give the storageSocMax import option (CLI --soc-max) to set one',
      ],
      [
        7,
        'base voltage of 1 bus (e) is not in Set VoltageBases; Tessera uses the base reached through the transformer ratios',
      ],
    ]);
  });

  it('reads LatLongCoords as latitude, longitude', () => {
    const o = ok(
      importDssFiles('/m.dss', {
        '/m.dss': 'New Circuit.c bus1=s\nNew Line.l s t\nLatLongCoords ll.csv',
        '/ll.csv': 's, 41.8, -87.6\nt, 41.9, -87.5',
      }),
    );
    expect(o.feeder.buses[0]).toMatchObject({ x: -87.6, y: 41.8 });
  });
});

describe('OpenDSS import errors name file and line', () => {
  const run = (master: string, extra: Record<string, string> = {}) =>
    errorsOf(importDssFiles('/e/Master.dss', { '/e/Master.dss': master, ...extra }));
  const base = 'New Circuit.c bus1=s basekv=12.47\nNew Line.l1 bus1=s bus2=a\n';

  it.each([
    ['unknown command', `${base}Frobnicate now`, 3, 'unknown command "Frobnicate"'],
    ['missing redirect file', `${base}Redirect nope.dss`, 3, 'cannot read script "/e/nope.dss"'],
    ['unclosed bracket', `${base}New Load.x bus1=a kW=[1 2`, 3, 'unclosed ['],
    ['edit of an undefined element', `${base}Edit Line.zz r1=1`, 3, 'line.zz is not defined'],
    ['bad number', `${base}New Load.x bus1=a kW=lots`, 3, 'kW="lots" is not a number'.toLowerCase()],
    ['undefined line code', `${base}New Line.l2 bus1=a bus2=b linecode=nope`, 3, 'LineCode "nope" is not defined'],
    ['unknown class', `${base}New Widget.w bus1=a`, 3, 'unknown element class "widget"'],
    [
      '3-winding transformer',
      `${base}New Transformer.t windings=3 buses=[a b c]`,
      3,
      '3-winding transformers are not supported',
    ],
    ['continuation with nothing before it', `~ kW=3\n${base}`, 1, 'continuation (~) line with no element'],
    [
      'line constants',
      `${base}New Line.g bus1=a bus2=b geometry=geo`,
      3,
      'line constants (geometry=) are not supported',
    ],
    ['binary shape file', `${base}New LoadShape.s npts=2 sngfile=a.sng`, 3, 'binary shape files'],
    ['a loop', `${base}New Line.l2 bus1=a bus2=b\nNew Line.l3 bus1=b bus2=s`, 4, 'branches l2, l1, l3 form a loop'],
    ['an island', `${base}New Line.l2 bus1=x bus2=y`, 3, 'buses x, y are not connected to the substation bus s'],
    ['a device on a bus nothing reaches', `${base}New Load.x bus1=zz kW=1`, 3, 'bus zz is not connected'],
    ['a bad pf', `${base}New Load.x bus1=a kW=1 pf=1.5`, 3, 'power factor must be in'],
    [
      'a ratings conflict',
      `${base}New PVSystem.p bus1=a Pmpp=10 kVA=5`,
      3,
      'inverter rating 1.66667 kVA is below the rated power 3.33333 kW',
    ],
    ['no circuit', 'New Line.l1 bus1=s bus2=a', 1, 'the script defines no circuit'],
  ])('%s', (_what, master, line, message) => {
    const errs = run(master);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0].file).toBe('/e/Master.dss');
    expect(errs[0].line).toBe(line);
    expect(errs[0].message.toLowerCase()).toContain(message.toLowerCase());
  });

  it('stops a file that redirects to itself', () => {
    const errs = run(`${base}Redirect Master.dss`);
    expect(errs.some((e) => /nested deeper than 32/.test(e.message))).toBe(true);
  });

  it('locates errors in included files by their own path and line', () => {
    const errs = run(`${base}Redirect sub/x.dss`, { '/e/sub/x.dss': '\n\nNew Load.q bus1=a kW=abc' });
    expect(errs[0]).toMatchObject({ file: '/e/sub/x.dss', line: 3 });
  });
});

describe('more OpenDSS forms', () => {
  it('Clear forgets earlier definitions; Edit Vsource.source, Select + ~, Set DataPath, Switch class, single quotes, tap report', () => {
    const files = {
      '/g/Master.dss': [
        'New Circuit.old bus1=zz',
        'New Line.gone zz yy',
        'Clear',
        "New Circuit.g bus1='s' basekv=12.47",
        'Edit Vsource.source pu=1.04',
        'Set DataPath=parts',
        'Redirect net.dss', // resolved in parts/
        'Select Line.l1',
        '~ length=2',
      ].join('\n'),
      '/g/parts/net.dss': [
        'New Line.l1 bus1=s bus2=a r1=0.5 x1=0.25',
        'New Switch.sw1 bus1=a bus2=b',
        'New Transformer.t buses=[b c] kVs=[12.47 12.47] kVAs=[100 100] XHL=2',
        "Transformer.t.Taps=['1' '1.05']",
      ].join('\n'),
    };
    const out = ok(importDssFiles('/g/Master.dss', files));
    const f = out.feeder;
    expect(f.name).toBe('g');
    expect(f.substation).toEqual({ bus: 's', vSetPu: 1.04 });
    expect(f.buses.map((b) => b.name)).toEqual(['s', 'a', 'b', 'c']);
    expect(f.branches.find((b) => b.name === 'l1')).toMatchObject({ rOhm: 1, xOhm: 0.5 });
    expect(f.branches.find((b) => b.name === 'sw1')).toMatchObject({ kind: 'switch', rOhm: 0.001, xOhm: 0.001 });
    const tap = out.reduction!.notes.find((n) => n.element === 'Transformer.t')!;
    expect(tap.magnitude).toBeCloseTo(0.05, 12);
    expect(tap.message).toContain('off-nominal tap ratio 1.05');
  });

  it('warns about unknown properties and positional values past the end, and keeps going', () => {
    const out = ok(importDssFiles('/h.dss', { '/h.dss': 'New Circuit.h bus1=s\nNew Line.l1 s a frobness=3' }));
    expect(out.warnings).toEqual([
      { file: '/h.dss', line: 2, column: 17, message: 'line.l1: unknown property "frobness"; ignored' },
    ]);
  });
});

describe('length units as OpenDSS applies them', () => {
  it('converts a line code per kft for a length in ft, and resets units when impedance is set on the line', () => {
    const master = [
      'New Circuit.u bus1=s',
      'New LineCode.k nphases=3 r1=1 x1=2 units=kft',
      'New Line.a s a linecode=k length=500 units=ft', // 0.5 kft → 0.5 + j1
      'New Line.b a b linecode=k length=500 units=ft r1=0.1', // r1 on the line resets units: 500 × (0.1 + j2)
      'New Line.c b c r1=0.2 x1=0.3 length=2 units=mi', // own units: 2 × (0.2 + j0.3)
    ].join('\n');
    const f = ok(importDssFiles('/u.dss', { '/u.dss': master })).feeder;
    const z = (n: string) => {
      const b = f.branches.find((x) => x.name === n)!;
      return [b.rOhm, b.xOhm];
    };
    expect(z('a')[0]).toBeCloseTo(0.5, 12);
    expect(z('a')[1]).toBeCloseTo(1, 12);
    expect(z('b')[0]).toBeCloseTo(50, 12);
    expect(z('b')[1]).toBeCloseTo(1000, 12);
    expect(z('c')[0]).toBeCloseTo(0.4, 12);
    expect(z('c')[1]).toBeCloseTo(0.6, 12);
  });
});
