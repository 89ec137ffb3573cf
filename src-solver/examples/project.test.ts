import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFeeder } from '../model/validate';
import { solvePowerFlow } from '../pf/powerflow';
import { ExampleError, loadExampleProject, parseExampleManifest } from './project';
import { testDataUrl } from '../../test-data/index';

const EXAMPLE = new URL('../../resources/examples/ieee123/', import.meta.url);
const REF = testDataUrl('ieee123-balanced/');
const readExample = (rel: string): string => readFileSync(new URL(rel, EXAMPLE), 'utf8');
const readRef = (rel: string): string => readFileSync(new URL(rel, REF), 'utf8');

/** `key=value` pairs of each `New <Class>.<name> …` line of an OpenDSS file. */
function dssElements(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const line of text.split('\n')) {
    const m = /^New\s+"?\w+\.([^\s"]+)"?\s+(.*)$/i.exec(line.trim());
    if (!m) continue;
    out.set(m[1], Object.fromEntries([...m[2].matchAll(/(\S+?)=(\S+)/g)].map((p) => [p[1].toLowerCase(), p[2]])));
  }
  return out;
}

describe('the bundled IEEE 123 example project', () => {
  const project = loadExampleProject(readExample('example.json'), readExample);
  const { feeder } = project;

  it('is a valid feeder with the reference network, loads and capacitors', () => {
    expect(validateFeeder(feeder).filter((i) => i.severity === 'error')).toEqual([]);
    expect(feeder.buses).toHaveLength(128);
    expect(feeder.branches).toHaveLength(127);
    expect(feeder.loads).toHaveLength(85);
    expect(feeder.substation).toEqual({ bus: '1', vSetPu: 1.03 });
    expect(feeder.baseKva).toBe(1000);
    const loads = dssElements(readRef('dss/Loads.dss'));
    expect(feeder.loads.map((l) => [l.bus, l.pKw, l.qKvar])).toEqual(
      [...loads.values()].map((l) => [l.bus1.split('.')[0], Number(l.kw), Number(l.kvar)]),
    );
  });

  it('places the 17 PV and 26 batteries of the reference OpenDSS script, with its ratings', () => {
    const pv = dssElements(readRef('dss/PVSystem.dss'));
    expect(feeder.pv.map((p) => [p.bus, p.pRatedKw, p.sRatedKva, p.shape])).toEqual(
      [...pv.values()].map((p) => [p.bus1.split('.')[0], Number(p.pmpp), expect.closeTo(Number(p.kva), 9), 'PVShape']),
    );
    const st = dssElements(readRef('dss/Storage.dss'));
    expect(
      feeder.batteries.map((b) => [b.bus, b.pRatedKw, b.energyKwh, b.sRatedKva, b.socInitial, b.socMin, b.etaCharge]),
    ).toEqual(
      [...st.values()].map((s) => [
        s.bus1.split('.')[0],
        Number(s.kwrated),
        expect.closeTo(Number(s.kwhrated), 9),
        expect.closeTo(Number(s.kva), 9),
        Number(s['%stored']) / 100,
        Number(s['%reserve']) / 100,
        Number(s['%effcharge']) / 100,
      ]),
    );
  });

  it('carries the daily load, PV and price shapes of the reference data', () => {
    // LoadShapes.dss: line 1 LoadShape, line 2 PVShape, each `mult=[…]`.
    const [loadMult, pvMult] = readRef('dss/LoadShapes.dss')
      .split('\n')
      .slice(0, 2)
      .map((line) => /mult=\[([^\]]*)\]/.exec(line)![1].trim().split(/\s+/).map(Number));
    expect(project.loadShape).toEqual(loadMult);
    expect(project.pvShape).toEqual(pvMult);
    expect(feeder.shapes.map((s) => s.name)).toEqual(['LoadShape', 'PVShape']);
    const comed = readRef('profiles/comed_hourly_prices_2023-11-10.csv')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => Number(l.split(',').at(-1)));
    expect(project.priceCentsPerKwh).toEqual(comed);
    expect(project.study.priceCentsPerKwh).toEqual({ intervalH: 1, values: comed });
  });

  it('has the default study of the issue: T = 24, Δt = 1 h, cost, 0.95–1.05 pu, α = 0.001, terminal SOC = initial', () => {
    expect(project.study).toMatchObject({
      periods: 24,
      dtH: 1,
      startHour: 0,
      objective: 'cost',
      vMinPu: 0.95,
      vMaxPu: 1.05,
      alpha: 0.001,
      terminalSoc: 'equal',
    });
  });

  it('cuts into the 4 areas of the reference partition (areas4/areaN_powerdata.csv)', () => {
    expect(project.cuts).toEqual([
      { from: '15', to: '117', parentArea: 1, childArea: 2 },
      { from: '20', to: '118', parentArea: 1, childArea: 3 },
      { from: '62', to: '125', parentArea: 2, childArea: 4 },
    ]);
    // Remove the cut branches; each child area is the component holding its boundary bus, and a
    // parent area also keeps the boundary buses of its cuts.
    const cutKey = new Set(project.cuts.map((c) => `${c.from}-${c.to}`));
    const adj = new Map<string, string[]>(feeder.buses.map((b) => [b.name, []]));
    for (const br of feeder.branches) {
      if (cutKey.has(`${br.from}-${br.to}`) || cutKey.has(`${br.to}-${br.from}`)) continue;
      adj.get(br.from)!.push(br.to);
      adj.get(br.to)!.push(br.from);
    }
    const component = (start: string): Set<string> => {
      const seen = new Set([start]);
      const stack = [start];
      while (stack.length) {
        for (const w of adj.get(stack.pop()!)!) {
          if (seen.has(w)) continue;
          seen.add(w);
          stack.push(w);
        }
      }
      return seen;
    };
    const roots = new Map<number, string>([
      [1, feeder.substation.bus],
      ...project.cuts.map((c) => [c.childArea, c.to] as [number, string]),
    ]);
    for (const [area, root] of roots) {
      const buses = component(root);
      for (const c of project.cuts) if (c.parentArea === area) buses.add(c.to);
      const expected = readRef(`areas4/area${area}_powerdata.csv`)
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0].trim())
        .filter((b) => b !== '');
      expect([...buses].sort()).toEqual([...expected].sort());
    }
  });

  it('solves a 24-hour power flow with its own shapes inside the voltage limits', () => {
    const res = solvePowerFlow(feeder, { periods: 24 });
    for (const p of res.periods) {
      expect(p.vmin.pu).toBeGreaterThan(0.95);
      expect(p.vmax.pu).toBeLessThan(1.05);
      expect(p.maxMismatchPu).toBeLessThanOrEqual(1e-10);
    }
    // Hour 12: PV at full output (shape 1.0) offsets part of the load.
    const pvKw = feeder.pv.reduce((s, p) => s + p.pRatedKw, 0);
    const loadKw = feeder.loads.reduce((s, l) => s + l.pKw, 0) * project.loadShape[12];
    expect(res.periods[12].substationKw - (loadKw - pvKw)).toBeCloseTo(res.periods[12].lossKw, 6);
  });
});

describe('manifest errors name the file and field', () => {
  const good = JSON.parse(readExample('example.json')) as Record<string, unknown>;
  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{', /example.json: not valid JSON/],
    ['no title', { ...good, title: '' }, /"title" must be a non-empty string/],
    ['an unknown feeder format', { ...good, feeder: { format: 'xlsx' } }, /unsupported "format" "xlsx"/],
    ['a bad objective', { ...good, study: { objective: 'profit' } }, /"objective" must be "cost" or "loss"/],
  ])('%s', (_what, manifest, message) => {
    const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    expect(() => parseExampleManifest(text)).toThrow(message);
  });

  it('a cut that is not a branch', () => {
    const bad = (rel: string) =>
      rel === 'areas.json'
        ? JSON.stringify({ cuts: [{ from: '15', to: '60', parentArea: 1, childArea: 2 }] })
        : readExample(rel);
    expect(() => loadExampleProject(readExample('example.json'), bad)).toThrow(ExampleError);
    expect(() => loadExampleProject(readExample('example.json'), bad)).toThrow(/no branch joins buses "15" and "60"/);
  });
});
