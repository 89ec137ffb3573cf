/**
 * The Tessera CSV format: a feeder as a folder of small CSV tables (documented in
 * docs/tessera-csv.md). Writing then reading gives back a deep-equal Feeder.
 *
 *   feeder.csv      format,name,base_kva,substation_bus,v_set_pu        (one row)
 *   buses.csv       name,v_base_kv,x,y
 *   branches.csv    name,from,to,r_ohm,x_ohm,kind,ampacity_a
 *   loads.csv       name,bus,p_kw,q_kvar,shape,dss_model
 *   capacitors.csv  name,bus,q_kvar
 *   pv.csv          name,bus,p_rated_kw,s_rated_kva,shape
 *   batteries.csv   name,bus,p_rated_kw,energy_kwh,s_rated_kva,eta_charge,eta_discharge,soc_min,soc_max,soc_initial
 *   shapes.csv      shape,interval_h,point,mult,qmult                  (one row per point)
 *
 * feeder.csv, buses.csv and branches.csv are required; the others may be absent (no such
 * elements). An empty cell is an absent optional value. Numbers are written with JavaScript's
 * shortest round-trip form, so values survive exactly.
 */
import type { Battery, Branch, BranchKind, Bus, Capacitor, Feeder, Load, Pv, Shape } from '../../model/feeder';
import type { Dispatch } from '../dispatch';
import type { ImportError, ImportIssue, ImportOutcome } from '../types';
import { SourceMap, locatedValidation } from '../validation';
import { CsvColumns, CsvSyntaxError, csvLine, parseCsvTable, type CsvTable } from './csv';

export const TESSERA_CSV_FORMAT = 'tessera-csv-1';

export const TESSERA_CSV_FILES = [
  'feeder.csv',
  'buses.csv',
  'branches.csv',
  'loads.csv',
  'capacitors.csv',
  'pv.csv',
  'batteries.csv',
  'shapes.csv',
] as const;

const COLUMNS = {
  'feeder.csv': ['format', 'name', 'base_kva', 'substation_bus', 'v_set_pu'],
  'buses.csv': ['name', 'v_base_kv', 'x', 'y'],
  'branches.csv': ['name', 'from', 'to', 'r_ohm', 'x_ohm', 'kind', 'ampacity_a'],
  'loads.csv': ['name', 'bus', 'p_kw', 'q_kvar', 'shape', 'dss_model'],
  'capacitors.csv': ['name', 'bus', 'q_kvar'],
  'pv.csv': ['name', 'bus', 'p_rated_kw', 's_rated_kva', 'shape'],
  'batteries.csv': [
    'name',
    'bus',
    'p_rated_kw',
    'energy_kwh',
    's_rated_kva',
    'eta_charge',
    'eta_discharge',
    'soc_min',
    'soc_max',
    'soc_initial',
  ],
  'shapes.csv': ['shape', 'interval_h', 'point', 'mult', 'qmult'],
} as const;

const table = (file: keyof typeof COLUMNS, rows: (string | number | undefined)[][]): string =>
  [csvLine([...COLUMNS[file]]), ...rows.map(csvLine)].join('\n') + '\n';

/** The feeder as file name → CSV text (all eight files, header-only when empty). */
export function writeTesseraCsv(feeder: Feeder): Record<string, string> {
  return {
    'feeder.csv': table('feeder.csv', [
      [TESSERA_CSV_FORMAT, feeder.name, feeder.baseKva, feeder.substation.bus, feeder.substation.vSetPu],
    ]),
    'buses.csv': table(
      'buses.csv',
      feeder.buses.map((b) => [b.name, b.vBaseKv, b.x, b.y]),
    ),
    'branches.csv': table(
      'branches.csv',
      feeder.branches.map((b) => [b.name, b.from, b.to, b.rOhm, b.xOhm, b.kind, b.ampacityA]),
    ),
    'loads.csv': table(
      'loads.csv',
      feeder.loads.map((l) => [l.name, l.bus, l.pKw, l.qKvar, l.shape, l.dssModel]),
    ),
    'capacitors.csv': table(
      'capacitors.csv',
      feeder.capacitors.map((c) => [c.name, c.bus, c.qKvar]),
    ),
    'pv.csv': table(
      'pv.csv',
      feeder.pv.map((p) => [p.name, p.bus, p.pRatedKw, p.sRatedKva, p.shape]),
    ),
    'batteries.csv': table(
      'batteries.csv',
      feeder.batteries.map((b) => [
        b.name,
        b.bus,
        b.pRatedKw,
        b.energyKwh,
        b.sRatedKva,
        b.etaCharge,
        b.etaDischarge,
        b.socMin,
        b.socMax,
        b.socInitial,
      ]),
    ),
    'shapes.csv': table(
      'shapes.csv',
      feeder.shapes.flatMap((s) => s.mult.map((m, i) => [s.name, s.intervalH, i + 1, m, s.qmult?.[i]])),
    ),
  };
}

const BRANCH_KINDS: readonly BranchKind[] = ['line', 'switch', 'transformer', 'regulator'];

/**
 * Reads the tables. `files` maps a bare file name (`buses.csv`) to its text, or returns
 * undefined for an absent file; `folder` prefixes the names in messages.
 */
export function readTesseraCsv(
  files: Readonly<Record<string, string>> | ((name: string) => string | undefined),
  folder = '',
): ImportOutcome {
  const get = typeof files === 'function' ? files : (n: string) => files[n];
  const errors: ImportError[] = [];
  const warnings: ImportIssue[] = [];
  const label = (n: string) => (folder ? `${folder.replace(/[\\/]+$/, '')}/${n}` : n);
  const sources = new SourceMap({ file: label('feeder.csv'), line: 1 });

  const load = (name: keyof typeof COLUMNS, required: boolean): { t: CsvTable; c: CsvColumns } | null => {
    const text = get(name);
    if (text === undefined) {
      if (required) errors.push({ file: label(name), line: 0, message: `${name} is missing (it is required)` });
      return null;
    }
    try {
      const t = parseCsvTable(text, label(name));
      const c = new CsvColumns(t, errors);
      const mandatory = COLUMNS[name].filter(
        (col) => !['x', 'y', 'ampacity_a', 'shape', 'dss_model', 'qmult'].includes(col),
      );
      return c.require(mandatory) ? { t, c } : null;
    } catch (e) {
      if (e instanceof CsvSyntaxError) {
        errors.push(e.issue);
        return null;
      }
      throw e;
    }
  };

  const feederT = load('feeder.csv', true);
  const busT = load('buses.csv', true);
  const branchT = load('branches.csv', true);
  const loadT = load('loads.csv', false);
  const capT = load('capacitors.csv', false);
  const pvT = load('pv.csv', false);
  const batT = load('batteries.csv', false);
  const shapeT = load('shapes.csv', false);
  if (!feederT || !busT || !branchT || errors.length > 0) return { ok: false, errors, warnings };

  const at = (t: CsvTable, line: number) => ({ file: t.file, line });
  const optionalText = (c: CsvColumns, row: CsvTable['rows'][number], col: string): string | undefined => {
    const v = c.text(row, col);
    return v === '' ? undefined : v;
  };

  if (feederT.t.rows.length !== 1) {
    errors.push({
      file: feederT.t.file,
      line: 2,
      message: `feeder.csv must have exactly one data row, found ${feederT.t.rows.length}`,
    });
    return { ok: false, errors, warnings };
  }
  const fr = feederT.t.rows[0];
  const format = feederT.c.text(fr, 'format');
  if (format !== TESSERA_CSV_FORMAT)
    feederT.c.fail(fr, 'format', `"${format}" is not a format this version reads (expected ${TESSERA_CSV_FORMAT})`);
  const name = feederT.c.requiredText(fr, 'name');
  const baseKva = feederT.c.number(fr, 'base_kva');
  const substationBus = feederT.c.requiredText(fr, 'substation_bus');
  const vSetPu = feederT.c.number(fr, 'v_set_pu');
  sources.set('substation', '', at(feederT.t, fr.line));

  const buses: Bus[] = busT.t.rows.map((r) => {
    const b: Bus = { name: busT.c.requiredText(r, 'name'), vBaseKv: busT.c.number(r, 'v_base_kv') };
    const x = busT.c.optionalNumber(r, 'x');
    const y = busT.c.optionalNumber(r, 'y');
    sources.set('bus', b.name, at(busT.t, r.line));
    return { ...b, ...(x !== undefined ? { x } : {}), ...(y !== undefined ? { y } : {}) };
  });
  const branches: Branch[] = branchT.t.rows.map((r) => {
    const c = branchT.c;
    const kindText = c.requiredText(r, 'kind').toLowerCase();
    if (kindText !== '' && !(BRANCH_KINDS as readonly string[]).includes(kindText))
      c.fail(r, 'kind', `"${kindText}" is not one of ${BRANCH_KINDS.join(', ')}`);
    const kind = kindText as BranchKind;
    const b: Branch = {
      name: c.requiredText(r, 'name'),
      from: c.requiredText(r, 'from'),
      to: c.requiredText(r, 'to'),
      rOhm: c.number(r, 'r_ohm'),
      xOhm: c.number(r, 'x_ohm'),
      kind,
    };
    const amps = c.optionalNumber(r, 'ampacity_a');
    sources.set('branch', b.name, at(branchT.t, r.line));
    return amps !== undefined ? { ...b, ampacityA: amps } : b;
  });
  const loads: Load[] = (loadT?.t.rows ?? []).map((r) => {
    const c = loadT!.c;
    const l: Load = {
      name: c.requiredText(r, 'name'),
      bus: c.requiredText(r, 'bus'),
      pKw: c.number(r, 'p_kw'),
      qKvar: c.number(r, 'q_kvar'),
    };
    const shape = optionalText(c, r, 'shape');
    const model = c.optionalNumber(r, 'dss_model');
    sources.set('load', l.name, at(loadT!.t, r.line));
    return { ...l, ...(shape !== undefined ? { shape } : {}), ...(model !== undefined ? { dssModel: model } : {}) };
  });
  const capacitors: Capacitor[] = (capT?.t.rows ?? []).map((r) => {
    const c = capT!.c;
    const cap: Capacitor = {
      name: c.requiredText(r, 'name'),
      bus: c.requiredText(r, 'bus'),
      qKvar: c.number(r, 'q_kvar'),
    };
    sources.set('capacitor', cap.name, at(capT!.t, r.line));
    return cap;
  });
  const pv: Pv[] = (pvT?.t.rows ?? []).map((r) => {
    const c = pvT!.c;
    const p: Pv = {
      name: c.requiredText(r, 'name'),
      bus: c.requiredText(r, 'bus'),
      pRatedKw: c.number(r, 'p_rated_kw'),
      sRatedKva: c.number(r, 's_rated_kva'),
    };
    const shape = optionalText(c, r, 'shape');
    sources.set('pv', p.name, at(pvT!.t, r.line));
    return shape !== undefined ? { ...p, shape } : p;
  });
  const batteries: Battery[] = (batT?.t.rows ?? []).map((r) => {
    const c = batT!.c;
    const b: Battery = {
      name: c.requiredText(r, 'name'),
      bus: c.requiredText(r, 'bus'),
      pRatedKw: c.number(r, 'p_rated_kw'),
      energyKwh: c.number(r, 'energy_kwh'),
      sRatedKva: c.number(r, 's_rated_kva'),
      etaCharge: c.number(r, 'eta_charge'),
      etaDischarge: c.number(r, 'eta_discharge'),
      socMin: c.number(r, 'soc_min'),
      socMax: c.number(r, 'soc_max'),
      socInitial: c.number(r, 'soc_initial'),
    };
    sources.set('battery', b.name, at(batT!.t, r.line));
    return b;
  });

  // Shapes: rows grouped by name in order of first appearance; points 1..n consecutive.
  const shapes: Shape[] = [];
  const shapeIndex = new Map<
    string,
    { shape: { name: string; intervalH: number; mult: number[]; qmult: (number | undefined)[] }; line: number }
  >();
  for (const r of shapeT?.t.rows ?? []) {
    const c = shapeT!.c;
    const sName = c.requiredText(r, 'shape');
    const interval = c.number(r, 'interval_h');
    const point = c.number(r, 'point');
    const mult = c.number(r, 'mult');
    const qmult = c.optionalNumber(r, 'qmult');
    let entry = shapeIndex.get(sName.toLowerCase());
    if (!entry) {
      entry = { shape: { name: sName, intervalH: interval, mult: [], qmult: [] }, line: r.line };
      shapeIndex.set(sName.toLowerCase(), entry);
      sources.set('shape', sName, at(shapeT!.t, r.line));
    } else if (interval !== entry.shape.intervalH)
      c.fail(r, 'interval_h', `shape "${sName}" changes interval (${entry.shape.intervalH} h before)`);
    if (point !== entry.shape.mult.length + 1)
      c.fail(r, 'point', `expected point ${entry.shape.mult.length + 1} of shape "${sName}", got ${point}`);
    entry.shape.mult.push(mult);
    entry.shape.qmult.push(qmult);
  }
  for (const { shape, line } of shapeIndex.values()) {
    const given = shape.qmult.filter((q) => q !== undefined).length;
    if (given > 0 && given < shape.mult.length)
      errors.push({
        file: shapeT!.t.file,
        line,
        message: `shape "${shape.name}": qmult is given for ${given} of ${shape.mult.length} points (all or none)`,
      });
    shapes.push(
      given > 0
        ? { name: shape.name, intervalH: shape.intervalH, mult: shape.mult, qmult: shape.qmult as number[] }
        : { name: shape.name, intervalH: shape.intervalH, mult: shape.mult },
    );
  }
  if (errors.length > 0) return { ok: false, errors, warnings };

  const feeder: Feeder = {
    name,
    baseKva,
    substation: { bus: substationBus, vSetPu },
    buses,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes,
  };
  const checked = locatedValidation(feeder, sources);
  if (checked.errors.length > 0)
    return { ok: false, errors: checked.errors, warnings: [...warnings, ...checked.warnings] };
  return { ok: true, feeder, warnings: [...warnings, ...checked.warnings], ignored: [], reduction: null };
}

/**
 * dispatch.csv — one row per device and period:
 *   `period,interval_h,device,name,p_kw,q_kvar`
 * `device` is `pv` or `battery`; `period` runs 1..T. For a battery `p_kw` is the net real power
 * (> 0 discharging); for PV `p_kw` is empty (its output is the forecast, rating × shape).
 * `q_kvar` > 0 injects.
 */
export function writeDispatchCsv(dispatch: Dispatch): string {
  const rows: (string | number | undefined)[][] = [];
  const T = dispatch.periods;
  for (const [name, q] of Object.entries(dispatch.pvKvar ?? {}))
    for (let t = 0; t < T; t++) rows.push([t + 1, dispatch.intervalH, 'pv', name, undefined, q[t]]);
  const batteries = new Set([...Object.keys(dispatch.batteryKw ?? {}), ...Object.keys(dispatch.batteryKvar ?? {})]);
  for (const name of batteries) {
    for (let t = 0; t < T; t++)
      rows.push([
        t + 1,
        dispatch.intervalH,
        'battery',
        name,
        dispatch.batteryKw?.[name]?.[t] ?? 0,
        dispatch.batteryKvar?.[name]?.[t] ?? 0,
      ]);
  }
  return (
    [csvLine(['period', 'interval_h', 'device', 'name', 'p_kw', 'q_kvar']), ...rows.map(csvLine)].join('\n') + '\n'
  );
}

export function readDispatchCsv(
  text: string,
  file = 'dispatch.csv',
): { ok: true; dispatch: Dispatch } | { ok: false; errors: ImportError[] } {
  const errors: ImportError[] = [];
  let t: CsvTable;
  try {
    t = parseCsvTable(text, file);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, errors: [e.issue] };
    throw e;
  }
  const c = new CsvColumns(t, errors);
  if (!c.require(['period', 'interval_h', 'device', 'name', 'q_kvar'])) return { ok: false, errors };
  const pvKvar: Record<string, number[]> = {};
  const batteryKw: Record<string, number[]> = {};
  const batteryKvar: Record<string, number[]> = {};
  let intervalH = NaN;
  let periods = 0;
  for (const r of t.rows) {
    const period = c.number(r, 'period');
    const interval = c.number(r, 'interval_h');
    const device = c.requiredText(r, 'device').toLowerCase();
    const name = c.requiredText(r, 'name');
    const q = c.number(r, 'q_kvar');
    if (!Number.isInteger(period) || period < 1) {
      c.fail(r, 'period', `"${c.text(r, 'period')}" is not a period number 1, 2, …`);
      continue;
    }
    if (Number.isNaN(intervalH)) intervalH = interval;
    else if (interval !== intervalH)
      c.fail(r, 'interval_h', `interval ${interval} h differs from ${intervalH} h above`);
    periods = Math.max(periods, period);
    if (device === 'pv') (pvKvar[name] ??= [])[period - 1] = q;
    else if (device === 'battery') {
      (batteryKw[name] ??= [])[period - 1] = c.number(r, 'p_kw');
      (batteryKvar[name] ??= [])[period - 1] = q;
    } else c.fail(r, 'device', `"${device}" is not pv or battery`);
  }
  for (const [what, table] of [
    ['pv', pvKvar],
    ['battery', batteryKvar],
  ] as const) {
    for (const [name, v] of Object.entries(table)) {
      const missing = Array.from({ length: periods }, (_, i) => i + 1).filter((p) => v[p - 1] === undefined);
      if (missing.length > 0)
        errors.push({
          file,
          line: 1,
          message: `${what} ${name} has no row for period${missing.length === 1 ? '' : 's'} ${missing.slice(0, 10).join(', ')}`,
        });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    dispatch: { periods, intervalH: Number.isNaN(intervalH) ? 1 : intervalH, pvKvar, batteryKw, batteryKvar },
  };
}
