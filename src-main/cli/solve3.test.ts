/**
 * `tessera solve` on three-phase OpenDSS feeders: the three-phase OPF with PV and batteries on
 * single- and three-phase buses, its JSON and per-phase CSV, the binding limit of an infeasible
 * study, and `--export-dss`: the exported script set, read back through the importer and the
 * daily three-phase power flow (src-solver/unbalanced, which reproduces the OpenDSS engine's
 * voltages, opendss.test.ts), gives the OPF's node voltages per period.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opendssRef, testDataPath } from '../../test-data/index';
import { importUnbalanced } from '../../src-solver/unbalanced/import';
import { solveUnbalanced } from '../../src-solver/unbalanced/solve';
import { floatingBuses } from '../../src-solver/opf3/fromNetwork';
import { main } from './main';
import { captureIo } from './test-support';

interface Doc {
  status: string;
  phases: number;
  objective: number;
  bindingLimit?: string;
  validation: { maxVoltageDiffPu: number; at: string; opfPu: number; powerFlowPu: number; converged: boolean };
  exportDss: { master: string; maxVoltageDiffPu: number };
  periods: {
    hour: number;
    substationKw: number;
    nodeVoltagesPu: Record<string, Record<string, number>>;
    nodeAnglesDeg: Record<string, Record<string, number>>;
  }[];
  pv: {
    name: string;
    bus: string;
    phases: number[];
    kw: number[];
    kvar: number[];
    perPhase: Record<string, { kw: number[]; kvar: number[] }>;
  }[];
  batteries: {
    name: string;
    bus: string;
    phases: number[];
    socKwh: number[];
    chargeKw: number[];
    dischargeKw: number[];
    kvar: number[];
    kwhRated: number;
  }[];
}

const readFs = (p: string): string => readFileSync(p, 'utf8');
const price = testDataPath('ieee123-balanced/profiles/comed_hourly_prices_2023-11-10.csv');

/**
 * The exported Master.dss, read by the importer and solved by the daily power flow (controls as the
 * script says: off), against the OPF's node voltages of every period (line-to-line on ungrounded
 * islands). Returns the largest difference, pu.
 */
function readBack(master: string, doc: Doc): { worst: number; compared: number } {
  const back = importUnbalanced(master, readFs);
  if (!back.ok) throw new Error(back.errors.map((e) => e.message).join('; '));
  expect(back.network.controlMode).toBe('off');
  const pf = solveUnbalanced(back.network, { hours: doc.periods.length }).periods;
  const floating = floatingBuses(back.network);
  let worst = 0;
  let compared = 0;
  doc.periods.forEach((p, t) => {
    expect(pf[t]!.converged).toBe(true);
    for (const [bus, nodes] of Object.entries(p.nodeVoltagesPu)) {
      const ph = Object.keys(nodes).filter((n) => Number(n) >= 1 && Number(n) <= 3);
      for (const n of Object.keys(nodes)) {
        if (floating.has(bus)) {
          if (!ph.includes(n) || ph.length < 2) continue;
          const m = ph[(ph.indexOf(n) + 1) % ph.length]!;
          const c = (
            v: Record<string, Record<string, number>>,
            a: Record<string, Record<string, number>>,
            k: string,
          ): [number, number] => [
            v[bus]![k]! * Math.cos((a[bus]![k]! * Math.PI) / 180),
            v[bus]![k]! * Math.sin((a[bus]![k]! * Math.PI) / 180),
          ];
          const [a1, a2] = [c(p.nodeVoltagesPu, p.nodeAnglesDeg, n), c(p.nodeVoltagesPu, p.nodeAnglesDeg, m)];
          const [b1, b2] = [
            c(pf[t]!.nodeVoltagesPu, pf[t]!.nodeAnglesDeg, n),
            c(pf[t]!.nodeVoltagesPu, pf[t]!.nodeAnglesDeg, m),
          ];
          worst = Math.max(
            worst,
            Math.abs(Math.hypot(a1[0] - a2[0], a1[1] - a2[1]) - Math.hypot(b1[0] - b2[0], b1[1] - b2[1])),
          );
        } else {
          worst = Math.max(worst, Math.abs(pf[t]!.nodeVoltagesPu[bus]![n]! - nodes[n]!));
        }
        compared++;
      }
    }
  });
  return { worst, compared };
}

/** The `mult=(…)`/`qmult=(…)` arrays of a LoadShape line of the exported script. */
function shapeOf(master: string, name: string): { mult: number[]; qmult: number[] } {
  const line = readFs(master)
    .split('\n')
    .find((l) => l.toLowerCase().startsWith(`new loadshape.${name.toLowerCase()} `));
  if (!line) throw new Error(`no LoadShape.${name}`);
  const arr = (key: string): number[] =>
    new RegExp(`\\b${key}=\\(([^)]*)\\)`).exec(line)![1]!.trim().split(/\s+/).map(Number);
  return { mult: arr('mult'), qmult: line.includes('qmult=') ? arr('qmult') : [] };
}

describe('tessera solve on a three-phase feeder: the three-phase OPF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-solve3-'));
  const ieee13 = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');

  it('IEEE 13 with PV and batteries on single- and three-phase buses: solved, validated, per-phase JSON/CSV, and the OpenDSS export reproduces its voltages', async () => {
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        ieee13,
        '--hours',
        '24',
        '--price',
        price,
        '--vmax',
        '1.08',
        '--battery',
        '675:300:900',
        '--battery',
        '652.1:100:300',
        '--battery',
        '611.3:50:150:60',
        '--battery',
        '684:60:180',
        '--pv',
        '671.1.2.3:400',
        '--pv',
        '675.2:150',
        '--json',
        'ieee13.json',
        '--csv',
        'ieee13-csv',
        '--export-dss',
        'ieee13-dss',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/three-phase OPF, cost objective, 24 periods from hour 0 — solved/);
    const doc = JSON.parse(readFs(join(dir, 'ieee13.json'))) as Doc;
    expect(doc.status).toBe('solved');
    expect(doc.validation.converged).toBe(true);
    expect(doc.validation.maxVoltageDiffPu).toBeLessThan(1e-6);
    // side by side: the OPF's and the power flow's voltage where they differ most
    expect(Math.abs(doc.validation.opfPu - doc.validation.powerFlowPu)).toBe(doc.validation.maxVoltageDiffPu);
    const [vb, vn] = doc.validation.at.split(' ')[0]!.split('.');
    const vh = Number(/hour (\d+)/.exec(doc.validation.at)![1]);
    expect(doc.validation.opfPu).toBe(doc.periods[vh]!.nodeVoltagesPu[vb!]![vn!]);
    expect(io.out).toMatch(
      /power-flow validation: max \|ΔV\| \S+ pu at \S+ \(hour \d+\): OPF \d\.\d{9}, power flow \d\.\d{9} pu/,
    );
    expect(doc.periods).toHaveLength(24);
    // no PV profile in the study: the bundled example's PV shape, zero at night
    expect((doc as Doc & { study: { pvShape: string } }).study.pvShape).toBe('bundled ieee123 PV shape');
    expect(doc.pv[0]!.kw[0]).toBe(0);
    expect(Math.max(...doc.pv[0]!.kw)).toBeCloseTo(400, 6);
    expect(doc.batteries.map((b) => [b.bus, b.phases])).toEqual([
      ['675', [1, 2, 3]],
      ['652', [1]],
      ['611', [3]],
      ['684', [1, 3]],
    ]);
    // 684 has phases a and c: without a suffix the unit is single-phase line-to-line between them
    const ll = doc.batteries[3]! as Doc['batteries'][number] & {
      connection: string;
      perPhase: Record<string, { kw: number[] }>;
    };
    expect(ll.connection).toBe('line-to-line');
    expect(Object.keys(ll.perPhase)).toEqual(['1-3']);
    expect(doc.pv.map((b) => [b.bus, b.phases])).toEqual([
      ['671', [1, 2, 3]],
      ['675', [2]],
    ]);
    // Per-phase dispatch: a three-phase unit's phases carry a third each.
    const pv3 = doc.pv[0]!;
    expect(Object.keys(pv3.perPhase)).toEqual(['1', '2', '3']);
    pv3.kw.forEach((kw, t) => expect(pv3.perPhase['2']!.kw[t]! * 3).toBeCloseTo(kw, 9));
    // The batteries do something and keep their windows; 'equal' terminal SOC (start 62.5 %).
    for (const b of doc.batteries) {
      expect(Math.min(...b.socKwh)).toBeGreaterThanOrEqual(0.3 * b.kwhRated - 1e-6);
      expect(Math.max(...b.socKwh)).toBeLessThanOrEqual(0.95 * b.kwhRated + 1e-6);
      expect(b.socKwh.at(-1)!).toBeCloseTo(0.625 * b.kwhRated, 4);
      expect(Math.max(...b.dischargeKw)).toBeGreaterThan(1);
    }
    // Per-phase CSV: every node of every period, and every unit phase of every period.
    const nodes = readFs(join(dir, 'ieee13-csv', 'opf3-node-voltages.csv'))
      .trim()
      .split('\n');
    expect(nodes[0]).toBe('period,hour,bus,node,v_pu,angle_deg,limited');
    const row = nodes.find((l) => l.startsWith('5,5,611,3,'))!.split(',');
    expect(Number(row[4])).toBe(doc.periods[5]!.nodeVoltagesPu['611']!['3']);
    const units = readFs(join(dir, 'ieee13-csv', 'opf3-units.csv'))
      .trim()
      .split('\n');
    expect(units).toHaveLength(1 + 24 * (3 + 1 + 1 + 1 + 3 + 1));

    // The export: one daily shape per unit (kW taken = −injection, kvar taken), daily mode for T.
    const master = join(dir, 'ieee13-dss', 'Master.dss');
    const text = readFs(master);
    expect(text).toMatch(/^Set mode=daily stepsize=1h number=24$/m);
    expect(text).toMatch(/^Set ControlMode=OFF$/m);
    expect(text).toMatch(/^Edit Transformer\.reg1 wdg=2 tap=[\d.]+$/m);
    expect(text).toMatch(/^New Load\.tessera_battery_bat_684 bus1=684\.1\.3 phases=1 conn=delta kV=4\.16 /m);
    const sh = shapeOf(master, 'tessera_battery_bat_652');
    sh.mult.forEach((kw, t) => expect(kw).toBe(doc.batteries[1]!.chargeKw[t]! - doc.batteries[1]!.dischargeKw[t]!));
    sh.qmult.forEach((kvar, t) => expect(kvar).toBe(-doc.batteries[1]!.kvar[t]!));
    expect(shapeOf(master, 'tessera_pv_pv_675').mult.map((x) => 0 - x)).toEqual(doc.pv[1]!.kw);
    // … and read back by the importer and the daily three-phase power flow: the OPF's voltages.
    const { worst, compared } = readBack(master, doc);
    expect(compared).toBeGreaterThan(24 * 40);
    expect(worst).toBeLessThan(1e-6);
    expect(doc.exportDss.maxVoltageDiffPu).toBeLessThan(1e-6);
  }, 300_000);

  it('IEEE 123 with batteries on single- and three-phase buses, loads on their own daily shapes from hour 10: the export reproduces the OPF per period', async () => {
    // IEEE 123 with a daily shape on every load (the bundled example's load shape), so the export's
    // resampling of the loads' own shapes at the OPF's hours (start hour 10) is exercised.
    const ref = JSON.parse(readFs(opendssRef('opendss-results', 'ieee123_fixedtaps.json'))) as { master: string };
    const shape = readFs(testDataPath('ieee123-balanced/profiles/load_shape_24h.csv'))
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    const wrapper = join(dir, 'ieee123-shaped.dss');
    writeFileSync(
      wrapper,
      `Redirect "${opendssRef(ref.master)}"\nNew LoadShape.day npts=24 interval=1 mult=(${shape.join(' ')})\nBatchEdit Load..* daily=day\n`,
    );
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        wrapper,
        '--hours',
        '3',
        '--start',
        '10',
        '--price',
        price,
        '--vmax',
        '1.1',
        '--terminal',
        'free',
        '--battery',
        '67:150:450',
        '--battery',
        '76.1.2.3:90:270',
        '--battery',
        '1.2:40:120',
        '--battery',
        '104.3:40:120',
        '--battery',
        '10.1:30:90',
        '--pv',
        '60:100',
        '--pv',
        '111.1:30',
        '--json',
        'ieee123.json',
        '--export-dss',
        'ieee123-dss',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(readFs(join(dir, 'ieee123.json'))) as Doc;
    expect(doc.periods.map((p) => p.hour)).toEqual([10, 11, 12]);
    expect(doc.batteries.map((b) => b.phases.length)).toEqual([3, 3, 1, 1, 1]);
    expect(doc.validation.maxVoltageDiffPu).toBeLessThan(1e-6);
    const master = join(dir, 'ieee123-dss', 'Master.dss');
    const { worst, compared } = readBack(master, doc);
    expect(compared).toBeGreaterThan(3 * 250);
    expect(worst).toBeLessThan(1e-6);
    // The loads' shape resampled at the hours the OPF solved (OpenDSS daily hours 11–13 of the
    // feeder's own shape): OpenDSS's daily solutions 1–3 of the export are those hours.
    expect(shapeOf(master, 'tessera_shape_1').mult).toEqual([shape[10], shape[11], shape[12]]);
    expect(readFs(master)).toMatch(/^Edit Load\.s1a daily=tessera_shape_1$/m);
  }, 300_000);

  it('--year-day: loads, PV and price from the year of profiles; the export carries the study load profile and reproduces the OPF', async () => {
    const io = captureIo(dir);
    const args = [
      'solve',
      ieee13,
      '--year-day',
      '200',
      '--vmax',
      '1.08',
      '--battery',
      '675:300:900',
      '--battery',
      '652.1:100:300',
      '--pv',
      '675.2:150',
    ];
    const code = await main([...args, '--json', 'day.json', '--export-dss', 'day-dss'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(readFs(join(dir, 'day.json'))) as Doc & { study: { pvShape: string } };
    expect(doc.study.pvShape).toBe('study');
    const master = join(dir, 'day-dss', 'Master.dss');
    // every load on the study's profile, resampled at the solved hours: one shared shape
    expect(readFs(master).match(/^Edit Load\.\S+ daily=tessera_shape_1$/gm)).toHaveLength(15);
    const { worst } = readBack(master, doc);
    expect(worst).toBeLessThan(1e-6);
  }, 300_000);

  it('taps and capacitors: set by the controls as the OpenDSS engine sets them, or kept as the script has them (--controls-off)', async () => {
    const ref = JSON.parse(readFs(opendssRef('opendss-results', 'ieee13.json'))) as {
      regcontrol_taps: Record<string, number>;
      capacitor_states: Record<string, number[]>;
    };
    const on = captureIo(dir);
    expect(await main(['solve', ieee13, '--hours', '1', '--vmax', '1.08', '--json', '-'], on)).toBe(0);
    const a = JSON.parse(on.out) as {
      controls: { fixedFrom: string; regulatorTaps: Record<string, number>; capacitorStates: Record<string, number[]> };
    };
    expect(a.controls.fixedFrom).toBe('snapshot power flow with controls');
    expect(a.controls.regulatorTaps).toEqual(ref.regcontrol_taps);
    expect(a.controls.capacitorStates).toEqual(ref.capacitor_states);
    const off = captureIo(dir);
    expect(
      await main(
        ['solve', ieee13, '--hours', '1', '--vmax', '1.2', '--vmin', '0.8', '--controls-off', '--json', '-'],
        off,
      ),
    ).toBe(0);
    const b = JSON.parse(off.out) as typeof a;
    expect(b.controls.fixedFrom).toBe('script');
    // The script's own `Solve` (line 149) moves the taps, as in OpenDSS; --controls-off keeps them
    // where that solve left them rather than starting from the scripted 1.0.
    expect(Object.values(ref.regcontrol_taps).some((t) => t !== 0)).toBe(true);
    expect(b.controls.regulatorTaps).toEqual(ref.regcontrol_taps);
  }, 300_000);

  it('an impossible voltage limit: exit 1, the binding limit named by bus, phase and hour', async () => {
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        ieee13,
        '--hours',
        '2',
        '--start',
        '10',
        '--vmax',
        '1.0',
        '--battery',
        '675:300:900',
        '--json',
        'bad.json',
        '--export-dss',
        'bad-dss',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.err).toMatch(/--export-dss bad-dss: nothing written \(the OPF has no solution to export\)/);
    expect(existsSync(join(dir, 'bad-dss'))).toBe(false);
    expect(io.err).toMatch(/not optimal \(infeasible\): voltage upper limit 1 pu at bus \S+ phase [abc] \(hour 1[01]/);
    const doc = JSON.parse(readFs(join(dir, 'bad.json'))) as Doc;
    expect(doc.status).toBe('infeasible');
    expect(doc.bindingLimit).toMatch(/^voltage upper limit 1 pu at bus/);
  }, 300_000);

  it('--vuf-max and --current-limits add their rows (U6d), (U6e); bad values are refused', async () => {
    const wrapper = join(dir, 'ieee13-rated.dss');
    writeFileSync(wrapper, `Redirect "${ieee13}"\nEdit Line.650632 normamps=600 emergamps=700\n`);
    const io = captureIo(dir);
    expect(
      await main(
        [
          'solve',
          wrapper,
          '--hours',
          '2',
          '--vmax',
          '1.08',
          '--vuf-max',
          '3',
          '--current-limits',
          'emergency',
          '--battery',
          '675:300:900',
          '--json',
          'lim.json',
        ],
        io,
      ),
    ).toBe(0);
    const doc = JSON.parse(readFs(join(dir, 'lim.json'))) as {
      study: { vufMaxPct: number; currentLimits: string; limitRows: { vuf: number; current: number } };
    };
    expect(doc.study.vufMaxPct).toBe(3);
    expect(doc.study.currentLimits).toBe('emergency');
    // 650632 is three-phase and its code mtx601 has shunt capacitance: both ends, three conductors
    expect(doc.study.limitRows.current).toBe(6);
    expect(doc.study.limitRows.vuf).toBeGreaterThan(5);
    for (const [args, message] of [
      [['--vuf-max', '0'], /--vuf-max must be a percentage in \(0, 100\)/],
      [['--current-limits=sometimes'], /--current-limits must be one of normal, emergency, off/],
    ] as const) {
      const bad = captureIo(dir);
      expect(await main(['solve', ieee13, '--hours', '1', ...args], bad)).toBe(2);
      expect(bad.err).toMatch(message);
    }
    const balanced = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--vuf-max', '2'], balanced)).toBe(2);
    expect(balanced.err).toMatch(/--vuf-max applies to a three-phase OpenDSS feeder/);
  }, 300_000);

  it('refuses unit texts it cannot place, naming the text and the reason (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--battery', '611.1:50:150'], /--battery 611\.1:50:150: bus 611 has no phase 1 \(it has 3\)/],
      [['--battery', '684.2.3:50:150'], /--battery 684\.2\.3:50:150: bus 684 has no phase 2 \(it has 1\.3\)/],
      [['--pv', '675.1.1:50'], /--pv 675\.1\.1:50: phase repeated in "675\.1\.1"/],
      [['--pv', 'nowhere:50'], /--pv nowhere:50: the feeder IEEE13Nodeckt has no bus "nowhere"/i],
      [['--battery', '675:50'], /expected BUS\[\.PHASES\]:KW:KWH\[:KVA\]/],
      [['--pv', '675.4:50'], /phase "4" must be 1, 2 or 3/],
      [['--battery', '675:50:100:40'], /KVA 40 is below KW 50/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo(dir);
      expect(await main(['solve', ieee13, '--hours', '1', ...args], io)).toBe(2);
      expect(io.err).toMatch(message);
    }
  }, 300_000);
});
