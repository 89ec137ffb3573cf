/**
 * An in-memory double of the backend's project commands, for working on the UI without the Node
 * host: with TESSERA_E2E_MOCK=1 the fixture routes the page's WebSocket here (Playwright
 * `routeWebSocket`) instead of to the Node host. In-memory, test-only, deliberately small: a
 * CSV-pair reader, a minimal OpenDSS reader (Line/Load/Capacitor/PVSystem/Storage, Redirect),
 * the solver's own partition check and suggestion (enapp/partition.ts), a seeded bulk rule. The specs run unchanged against the real
 * backend, which is what CI uses.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type {
  BatteryPlacement,
  Commands,
  CutBranch,
  ImportFile,
  ImportIssueDto,
  ImportPreview,
  ProjectSummary,
  Scenario,
  StudySettings,
} from '../../src-main/contract';
import type { Bus, Feeder } from '../../src-solver/model/feeder';
import { checkPartition, suggestPartition } from '../../src-solver/enapp/partition';
import { feederCounts } from '../../src-solver/model/counts';
import { mulberry32 } from '../../src-solver/random';
import { testDataUrl } from '../../test-data/index';

const REF = testDataUrl('ieee123-balanced/');

type Handler<K extends keyof Commands> = (arg: Commands[K]['arg']) => Commands[K]['result'];

interface ProjectState {
  path: string;
  name: string;
  feeders: { id: number; feeder: Feeder; source: string; importedAt: string }[];
  scenarios: Scenario[];
}

class MockError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function profile(file: string): number[] {
  return readFileSync(new URL(`profiles/${file}`, REF), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => Number(l.split(',').at(-1)!.replace(/"/g, '')))
    .filter((v) => Number.isFinite(v));
}

function defaultStudy(): StudySettings {
  return {
    periods: 24,
    startHour: 0,
    dtH: 1,
    objective: 'cost',
    terminalSoc: 'equal',
    batteryLimit: 'box',
    relax: false,
    vMinPu: 0.95,
    vMaxPu: 1.05,
    currentLimits: false,
    alpha: 0.001,
    tolerance: 1e-8,
    boundaryTolerancePu: 1e-4,
    loadShape: profile('load_shape_24h.csv'),
    pvShape: profile('pv_shape_24h.csv'),
    priceCentsPerKwh: profile('comed_hourly_prices_2023-11-10.csv'),
  };
}

/** linedata.csv (fbus,tbus,R,X) + powerdata.csv (bus,P_L,Q_L,Q_C,…) → Feeder, errors at file:line. */
export function readCsvPair(
  lineText: string,
  powerText: string,
  lineFile = 'linedata.csv',
  powerFile = 'powerdata.csv',
) {
  const errors: ImportIssueDto[] = [];
  const buses = new Map<string, Bus>();
  const addBus = (name: string) => buses.has(name) || buses.set(name, { name, vBaseKv: 2.4018 });
  const branches: Feeder['branches'][number][] = [];
  lineText.split(/\r?\n/).forEach((raw, i) => {
    if (i === 0 || !raw.trim()) return;
    const f = raw.split(',').map((s) => s.trim());
    const r = Number(f[2]);
    const x = Number(f[3]);
    if (f.length < 4 || !f[0] || !f[1] || !Number.isFinite(r) || !Number.isFinite(x)) {
      errors.push({ file: lineFile, line: i + 1, message: `expected fbus,tbus,R,X with numbers, got "${raw}"` });
      return;
    }
    addBus(f[0]);
    addBus(f[1]);
    branches.push({ name: `l${branches.length + 1}`, from: f[0], to: f[1], rOhm: r, xOhm: x, kind: 'line' });
  });
  const loads: Feeder['loads'][number][] = [];
  const capacitors: Feeder['capacitors'][number][] = [];
  powerText.split(/\r?\n/).forEach((raw, i) => {
    if (i === 0 || !raw.trim()) return;
    const f = raw.split(',').map((s) => s.trim());
    const p = Number(f[1]);
    const q = Number(f[2]);
    const qc = Number(f[3] ?? 0);
    if (!f[0] || !Number.isFinite(p) || !Number.isFinite(q)) {
      errors.push({ file: powerFile, line: i + 1, message: `expected bus,P_L,Q_L,Q_C with numbers, got "${raw}"` });
      return;
    }
    addBus(f[0]);
    if (p || q) loads.push({ name: `load_${f[0]}`, bus: f[0], pKw: p, qKvar: q });
    if (qc) capacitors.push({ name: `cap_${f[0]}`, bus: f[0], qKvar: qc });
  });
  const feeder: Feeder = {
    name: 'csv-feeder',
    baseKva: 1000,
    substation: { bus: buses.has('1') ? '1' : [...buses.keys()][0], vSetPu: 1.03 },
    buses: [...buses.values()],
    branches,
    loads,
    capacitors,
    pv: [],
    batteries: [],
    shapes: [],
  };
  return { feeder, errors };
}

/** A minimal OpenDSS reader: enough for the reference case and for located errors. */
export function readDss(files: readonly ImportFile[]) {
  const byName = new Map(files.map((f) => [f.name.split('/').at(-1)!.toLowerCase(), f]));
  const errors: ImportIssueDto[] = [];
  const warnings: ImportIssueDto[] = [];
  const ignored: { file: string; line: number; element: string }[] = [];
  const buses = new Map<string, Bus>();
  const branches: Feeder['branches'][number][] = [];
  const loads: Feeder['loads'][number][] = [];
  const capacitors: Feeder['capacitors'][number][] = [];
  const pv: Feeder['pv'][number][] = [];
  const batteries: Feeder['batteries'][number][] = [];
  let name = 'dss-feeder';
  let sub = '';
  let vSet = 1;
  const bus = (s: string) => {
    const b = s.split('.')[0];
    if (!buses.has(b)) buses.set(b, { name: b, vBaseKv: 2.4018 });
    return b;
  };
  const run = (fname: string, depth: number) => {
    const f = byName.get(fname.toLowerCase());
    if (!f || f.text === undefined) {
      errors.push({ file: fname, line: 0, message: `file ${fname} was not among the chosen files` });
      return;
    }
    f.text.split(/\r?\n/).forEach((raw, i) => {
      const line = i + 1;
      const text = raw.replace(/!.*$/, '').trim();
      if (!text) return;
      const [verb, ...rest] = text.split(/\s+/);
      const v = verb.toLowerCase();
      if (v === 'clear' || v === 'calcvoltagebases' || v === 'set') return;
      if (v === 'redirect' || v === 'compile') {
        if (depth > 8) errors.push({ file: f.name, line, message: 'Redirect nested too deeply' });
        else run(rest[0], depth + 1);
        return;
      }
      if (v === 'solve' || v === 'show' || v === 'export' || v === 'plot') {
        ignored.push({ file: f.name, line, element: `command ${verb}` });
        return;
      }
      if (v !== 'new') {
        errors.push({ file: f.name, line, column: 1, message: `unknown command "${verb}"` });
        return;
      }
      const el = (rest[0] ?? '').replace(/"/g, '');
      const m = /^([A-Za-z]+)\.(.+)$/.exec(el);
      if (!m) {
        errors.push({
          file: f.name,
          line,
          column: text.indexOf(rest[0] ?? '') + 1,
          message: `expected Class.name after New, got "${rest[0] ?? ''}"`,
        });
        return;
      }
      if (m[1].toLowerCase() === 'loadshape') return;
      const props = new Map<string, string>();
      for (const tok of rest.slice(1)) {
        const eq = tok.indexOf('=');
        if (eq <= 0) {
          errors.push({
            file: f.name,
            line,
            column: raw.indexOf(tok) + 1,
            message: `expected property=value, got "${tok}"`,
          });
          return;
        }
        props.set(tok.slice(0, eq).toLowerCase(), tok.slice(eq + 1));
      }
      const n = (k: string, d = 0) => {
        const s = props.get(k);
        if (s === undefined) return d;
        const val = Number(s);
        if (!Number.isFinite(val))
          errors.push({ file: f.name, line, column: raw.indexOf(`${k}=`) + 1, message: `${k}=${s} is not a number` });
        return val;
      };
      const cls = m[1].toLowerCase();
      const id = m[2];
      if (cls === 'circuit') {
        name = id;
        sub = bus(props.get('bus1') ?? 'sourcebus');
        vSet = n('pu', 1);
      } else if (cls === 'line') {
        branches.push({
          name: id,
          from: bus(props.get('bus1') ?? ''),
          to: bus(props.get('bus2') ?? ''),
          rOhm: n('r1'),
          xOhm: n('x1'),
          kind: 'line',
        });
      } else if (cls === 'load')
        loads.push({ name: id, bus: bus(props.get('bus1') ?? ''), pKw: n('kw'), qKvar: n('kvar') });
      else if (cls === 'capacitor') capacitors.push({ name: id, bus: bus(props.get('bus1') ?? ''), qKvar: n('kvar') });
      else if (cls === 'pvsystem')
        pv.push({ name: id, bus: bus(props.get('bus1') ?? ''), pRatedKw: n('pmpp'), sRatedKva: n('kva') });
      else if (cls === 'storage') {
        const p = n('kwrated');
        batteries.push({
          name: id,
          bus: bus(props.get('bus1') ?? ''),
          pRatedKw: p,
          energyKwh: n('kwhrated'),
          sRatedKva: n('kva', p),
          etaCharge: 0.95,
          etaDischarge: 0.95,
          socMin: 0.1,
          socMax: 0.9,
          socInitial: n('%stored', 62.5) / 100,
        });
      } else if (cls === 'loadshape') return;
      else ignored.push({ file: f.name, line, element: `${m[1]}.${id}` });
    });
  };
  const master =
    files.find((f) => /(^|\/)master\.dss$/i.test(f.name)) ?? files.find((f) => f.name.toLowerCase().endsWith('.dss'));
  if (!master) errors.push({ file: '(none)', line: 0, message: 'no .dss file was chosen' });
  else run(master.name.split('/').at(-1)!, 0);
  const feeder: Feeder = {
    name,
    baseKva: 1000,
    substation: { bus: sub || '1', vSetPu: vSet },
    buses: [...buses.values()],
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes: [],
  };
  return { feeder, errors, warnings, ignored };
}

export class MockBackend {
  private projects = new Map<string, ProjectState>();
  private current: ProjectState | null = null;
  private recent: { path: string; name: string; openedAt: string }[] = [];
  private previews = new Map<string, { feeder: Feeder; source: string }>();
  private nextId = 1;

  private summary(p: ProjectState): ProjectSummary {
    return {
      path: p.path,
      name: p.name,
      schemaVersion: 2,
      feeders: p.feeders.map(({ id, feeder, source, importedAt }) => ({
        id,
        name: feeder.name,
        ...feederCounts(feeder),
        source,
        importedAt,
      })),
      scenarios: p.scenarios.map((s) => ({
        id: s.id,
        feederId: s.feederId,
        name: s.name,
        updatedAt: s.updatedAt,
        pvCount: s.placements.pv.length,
        batteryCount: s.placements.batteries.length,
        areaCount: s.partition.cuts.length + 1,
      })),
    };
  }
  private open(p: ProjectState): ProjectSummary {
    this.current = p;
    this.recent = [
      { path: p.path, name: p.name, openedAt: new Date().toISOString() },
      ...this.recent.filter((r) => r.path !== p.path),
    ];
    return this.summary(p);
  }
  private cur(): ProjectState {
    if (!this.current) throw new MockError('noProject', 'No project is open.');
    return this.current;
  }
  private addFeeder(p: ProjectState, feeder: Feeder, source: string, cuts: CutBranch[] = []) {
    const id = this.nextId++;
    p.feeders.push({ id, feeder, source, importedAt: new Date().toISOString() });
    p.scenarios.push({
      id: this.nextId++,
      feederId: id,
      name: 'Base case',
      study: defaultStudy(),
      placements: {
        pv: feeder.pv.map(({ name, bus, pRatedKw, sRatedKva }) => ({ name, bus, pRatedKw, sRatedKva })),
        batteries: feeder.batteries.map((b) => ({ ...b })),
      },
      partition: { cuts },
      updatedAt: new Date().toISOString(),
    });
  }
  private scenario(id: number): Scenario {
    const s = this.cur().scenarios.find((x) => x.id === id);
    if (!s) throw new MockError('notFound', `No scenario ${id}.`);
    return s;
  }
  private feeder(id: number): Feeder {
    const f = this.cur().feeders.find((x) => x.id === id);
    if (!f) throw new MockError('notFound', `No feeder ${id}.`);
    return f.feeder;
  }

  readonly handlers: { [K in keyof Commands]?: Handler<K> } = {
    'app.info': () => ({
      solver: { name: 'tessera-solver', version: 'mock' },
      host: 'node-host',
      examples: [
        { id: 'ieee123', title: 'IEEE 123-bus feeder (balanced), 17 PV and 26 batteries', description: 'mock' },
      ],
    }),
    'projects.recent': () => this.recent,
    'projects.current': () => (this.current ? this.summary(this.current) : null),
    'projects.create': ({ name }) => {
      const p: ProjectState = { path: `/mock/${name}.tessera`, name, feeders: [], scenarios: [] };
      this.projects.set(p.path, p);
      return this.open(p);
    },
    'projects.open': ({ path }) => {
      const p = this.projects.get(path);
      if (!p) throw new MockError('notFound', `No project at ${path}.`);
      return this.open(p);
    },
    'projects.openExample': () => {
      const path = '/mock/examples/ieee123.tessera';
      let p = this.projects.get(path);
      if (!p) {
        p = { path, name: 'IEEE 123 example', feeders: [], scenarios: [] };
        const { feeder } = readCsvPair(
          readFileSync(new URL('csv/linedata.csv', REF), 'utf8'),
          readFileSync(new URL('csv/powerdata.csv', REF), 'utf8'),
        );
        this.addFeeder(p, { ...feeder, name: 'ieee123-balanced' }, 'CSV: linedata.csv + powerdata.csv', [
          { from: '15', to: '117' },
          { from: '20', to: '118' },
          { from: '62', to: '125' },
        ]);
        this.projects.set(path, p);
      }
      return this.open(p);
    },
    'projects.openDialog': () => null,
    'import.cancel': () => null,
    'projects.saveAsDialog': () => null,
    'projects.close': () => {
      this.current = null;
      return null;
    },
    'import.preview': ({ files }) => {
      const csv = files.filter((f) => f.name.toLowerCase().endsWith('.csv'));
      const line = csv.find((f) => /linedata/i.test(f.name));
      const power = csv.find((f) => /powerdata/i.test(f.name));
      let r: {
        feeder: Feeder;
        errors: ImportIssueDto[];
        warnings: ImportIssueDto[];
        ignored: ImportPreview['ignored'];
      };
      let format: ImportPreview['format'];
      if (line && power) {
        const c = readCsvPair(line.text ?? '', power.text ?? '', line.name, power.name);
        r = { ...c, warnings: [], ignored: [] };
        format = 'csv-pair';
      } else {
        r = readDss(files);
        format = 'dss';
      }
      const token = `t${this.nextId++}`;
      this.previews.set(token, {
        feeder: r.feeder,
        source: format === 'dss' ? 'OpenDSS: Master.dss' : 'CSV: linedata.csv + powerdata.csv',
      });
      const f = r.feeder;
      return {
        token,
        ok: r.errors.length === 0,
        format,
        feederName: f.name,
        counts: feederCounts(f),
        errors: r.errors,
        warnings: r.warnings,
        ignored: r.ignored,
        reduction: [],
        feeder: r.errors.length ? null : f,
      };
    },
    'import.commit': ({ token, name }) => {
      const pv = this.previews.get(token);
      if (!pv) throw new MockError('notFound', 'The preview expired; choose the files again.');
      const p = this.cur();
      this.addFeeder(p, { ...pv.feeder, name: name ?? pv.feeder.name }, pv.source);
      return this.summary(p);
    },
    'feeders.get': ({ id }) => this.feeder(id),
    'scenarios.get': ({ id }) => this.scenario(id),
    'scenarios.update': ({ id, patch }) => {
      const p = this.cur();
      const s = { ...this.scenario(id), ...patch, updatedAt: new Date().toISOString() };
      p.scenarios = p.scenarios.map((x) => (x.id === id ? s : x));
      return s;
    },
    'scenarios.duplicate': ({ id, name }) => {
      const s = { ...this.scenario(id), id: this.nextId++, name: name ?? `${this.scenario(id).name} (copy)` };
      this.cur().scenarios.push(s);
      return s;
    },
    'partition.check': ({ feederId, cuts }) => checkPartition(this.feeder(feederId), cuts),
    'partition.suggest': ({ feederId, k }) => {
      try {
        return suggestPartition(this.feeder(feederId), k);
      } catch (err) {
        throw new MockError('cannotPartition', (err as Error).message);
      }
    },
    'placements.bulk': ({ scenarioId, rule }) => {
      const s = this.scenario(scenarioId);
      const f = this.feeder(s.feederId);
      const peak = new Map<string, number>();
      for (const l of f.loads) peak.set(l.bus, (peak.get(l.bus) ?? 0) + l.pKw);
      const loadBuses = [...peak.keys()].filter((b) => peak.get(b)! > 0);
      const rand = mulberry32(rule.seed);
      for (let i = loadBuses.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [loadBuses[i], loadBuses[j]] = [loadBuses[j], loadBuses[i]];
      }
      const chosen = loadBuses.slice(0, Math.round(rule.fractionOfLoadBuses * loadBuses.length));
      const pl = s.placements;
      let next;
      if (rule.kind === 'battery') {
        const made: BatteryPlacement[] = chosen.map((bus) => {
          const p = rule.powerFractionOfPeakLoad * peak.get(bus)!;
          return {
            name: `bulk_bat_${bus}`,
            bus,
            pRatedKw: p,
            energyKwh: p * (rule.energyHours ?? 4),
            sRatedKva: p * rule.inverterRatio,
            etaCharge: 0.95,
            etaDischarge: 0.95,
            socMin: 0.1,
            socMax: 0.9,
            socInitial: 0.625,
          };
        });
        next = { ...pl, batteries: rule.replace ? made : [...pl.batteries, ...made] };
      } else {
        const made = chosen.map((bus) => {
          const p = rule.powerFractionOfPeakLoad * peak.get(bus)!;
          return { name: `bulk_pv_${bus}`, bus, pRatedKw: p, sRatedKva: p * rule.inverterRatio };
        });
        next = { ...pl, pv: rule.replace ? made : [...pl.pv, ...made] };
      }
      return this.handlers['scenarios.update']!({ id: scenarioId, patch: { placements: next } });
    },
  };

  handle(
    command: string,
    arg: unknown,
  ): { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } } {
    const h = (this.handlers as Record<string, ((a: unknown) => unknown) | undefined>)[command];
    if (!h) return { ok: false, error: { code: 'unknownCommand', message: `Unknown command: ${command}` } };
    try {
      return { ok: true, value: h(arg) };
    } catch (e) {
      return {
        ok: false,
        error: { code: e instanceof MockError ? e.code : 'internal', message: (e as Error).message },
      };
    }
  }
}

/** One mock per worker process: state survives page reloads, like the real store does. */
let shared: MockBackend | null = null;
export function mockBackend(): MockBackend {
  return (shared ??= new MockBackend());
}

export async function routeToMock(page: Page): Promise<void> {
  const backend = mockBackend();
  await page.routeWebSocket(/\/ws$/, (ws) => {
    ws.onMessage((data) => {
      const req = JSON.parse(String(data)) as { id: number; command: string; arg: unknown };
      ws.send(JSON.stringify({ kind: 'reply', id: req.id, result: backend.handle(req.command, req.arg) }));
    });
  });
}
