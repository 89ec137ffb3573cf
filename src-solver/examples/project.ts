/**
 * Example projects: a folder with an `example.json` manifest naming a feeder, its daily
 * profiles, an area partition and a default study (resources/examples/<id>/). This module turns
 * the manifest and the files it names into a Feeder, an OPF Study and the partition. It reads no
 * files: the caller passes `readText(relativePath)` (the CLI and backend read from disk, tests
 * from the repository).
 *
 * Manifest (`example.json`), paths relative to the folder:
 * {
 *   "title": "…", "description": "…",
 *   "feeder": { "format": "reference-csv", "linedata": "feeder/linedata.csv", "powerdata": "feeder/powerdata.csv",
 *               "pvBuses": ["3", …], "batteryBuses": ["3", …],
 *               "substationBus": "1", "vSetPu": 1.03, "baseKva": 1000, "vBaseKv": 2.4018 },
 *   "sources": { "dss": "dss/Master.dss" },            // the same feeder as an OpenDSS script (optional)
 *   "areas": "areas.json",                             // optional
 *   "profiles": { "load": "profiles/load_shape_24h.csv", "pv": "profiles/pv_shape_24h.csv",
 *                 "price": "profiles/price_cents_per_kwh_24h.csv" },   // headerless `hour,value`
 *   "study": { "periods": 24, "dtH": 1, "startHour": 0, "objective": "cost", "vMinPu": 0.95, "vMaxPu": 1.05,
 *              "alpha": 0.001, "terminalSoc": "equal" }
 * }
 * The substation set point belongs to the feeder (`feeder.vSetPu`, 1.03 pu for IEEE 123).
 * `areas.json`: { "cuts": [{ "from": "15", "to": "117", "parentArea": 1, "childArea": 2 }, …] } —
 * `from` is the parent-side bus, `to` the boundary bus (kept by the parent, root of the child).
 */
import type { Feeder, Shape } from '../model/feeder';
import { importProfileCsv, importReferenceCsv } from '../io/csv/reference';
import { formatIssue, type ImportIssue } from '../io/types';
import type { OpfObjective, Study, TerminalSoc } from '../opf/study';

/** A manifest or one of its files is missing, malformed or inconsistent; names the file and field. */
export class ExampleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExampleError';
  }
}

export interface ReferenceCsvFeederEntry {
  readonly format: 'reference-csv';
  readonly linedata: string;
  readonly powerdata: string;
  readonly pvBuses?: readonly string[];
  readonly batteryBuses?: readonly string[];
  readonly substationBus?: string;
  readonly vSetPu?: number;
  readonly baseKva?: number;
  readonly vBaseKv?: number;
  readonly name?: string;
}

export interface ExampleManifest {
  readonly title: string;
  readonly description: string;
  readonly feeder: ReferenceCsvFeederEntry;
  readonly sources?: { readonly dss?: string };
  readonly areas?: string;
  readonly profiles: { readonly load: string; readonly pv: string; readonly price?: string };
  readonly study?: {
    readonly periods?: number;
    readonly dtH?: number;
    readonly startHour?: number;
    readonly objective?: OpfObjective;
    readonly vMinPu?: number;
    readonly vMaxPu?: number;
    readonly alpha?: number;
    readonly terminalSoc?: TerminalSoc;
  };
}

/** One cut of the partition: the branch `from` (parent side) → `to` (boundary bus). */
export interface AreaCut {
  readonly from: string;
  readonly to: string;
  readonly parentArea: number;
  readonly childArea: number;
}

export interface ExampleProject {
  readonly title: string;
  readonly description: string;
  readonly feeder: Feeder;
  /** The default study, in the OPF's terms (shapes of loads and PV are on the feeder). */
  readonly study: Study;
  readonly cuts: readonly AreaCut[];
  /** The daily shapes as plain hourly arrays (load and PV multipliers, price in cents/kWh). */
  readonly loadShape: readonly number[];
  readonly pvShape: readonly number[];
  readonly priceCentsPerKwh: readonly number[] | null;
  /** Importer warnings, as `file:line: message`. */
  readonly warnings: readonly string[];
  /** The same warnings as the importer reports them (file, line, message). */
  readonly importWarnings: readonly ImportIssue[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(obj: Record<string, unknown>, key: string, where: string, optional = false): string | undefined {
  const v = obj[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new ExampleError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function num(obj: Record<string, unknown>, key: string, where: string): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ExampleError(`${where}: "${key}" must be a number`);
  return v;
}

function strList(obj: Record<string, unknown>, key: string, where: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw new ExampleError(`${where}: "${key}" must be a list of bus names`);
  return v as string[];
}

/** Parse and check `example.json`; errors name the file and the field. */
export function parseExampleManifest(text: string, file = 'example.json'): ExampleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ExampleError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new ExampleError(`${file}: expected an object`);
  const title = str(raw, 'title', file)!;
  const description = str(raw, 'description', file)!;
  const f = raw.feeder;
  if (!isObject(f)) throw new ExampleError(`${file}: "feeder" must be an object`);
  const fw = `${file} feeder`;
  if (f.format !== 'reference-csv')
    throw new ExampleError(`${fw}: unsupported "format" ${JSON.stringify(f.format)} (expected "reference-csv")`);
  const feeder: ReferenceCsvFeederEntry = {
    format: 'reference-csv',
    linedata: str(f, 'linedata', fw)!,
    powerdata: str(f, 'powerdata', fw)!,
    pvBuses: strList(f, 'pvBuses', fw),
    batteryBuses: strList(f, 'batteryBuses', fw),
    substationBus: str(f, 'substationBus', fw, true),
    vSetPu: num(f, 'vSetPu', fw),
    baseKva: num(f, 'baseKva', fw),
    vBaseKv: num(f, 'vBaseKv', fw),
    name: str(f, 'name', fw, true),
  };
  const p = raw.profiles;
  if (!isObject(p)) throw new ExampleError(`${file}: "profiles" must be an object`);
  const profiles = {
    load: str(p, 'load', `${file} profiles`)!,
    pv: str(p, 'pv', `${file} profiles`)!,
    price: str(p, 'price', `${file} profiles`, true),
  };
  let study: ExampleManifest['study'];
  if (raw.study !== undefined) {
    const s = raw.study;
    if (!isObject(s)) throw new ExampleError(`${file}: "study" must be an object`);
    const sw = `${file} study`;
    const objective = s.objective;
    if (objective !== undefined && objective !== 'cost' && objective !== 'loss')
      throw new ExampleError(`${sw}: "objective" must be "cost" or "loss"`);
    const terminalSoc = s.terminalSoc;
    if (terminalSoc !== undefined && terminalSoc !== 'equal' && terminalSoc !== 'soft' && terminalSoc !== 'free') {
      throw new ExampleError(`${sw}: "terminalSoc" must be "equal", "soft" or "free"`);
    }
    study = {
      periods: num(s, 'periods', sw),
      dtH: num(s, 'dtH', sw),
      startHour: num(s, 'startHour', sw),
      objective,
      vMinPu: num(s, 'vMinPu', sw),
      vMaxPu: num(s, 'vMaxPu', sw),
      alpha: num(s, 'alpha', sw),
      terminalSoc,
    };
  }
  const sources = isObject(raw.sources) ? { dss: str(raw.sources, 'dss', `${file} sources`, true) } : undefined;
  return { title, description, feeder, sources, areas: str(raw, 'areas', file, true), profiles, study };
}

function readProfile(readText: (path: string) => string, path: string, name: string): Shape {
  const out = importProfileCsv(readText(path), name, path);
  if (!out.ok) throw new ExampleError(out.errors.map(formatIssue).join('\n'));
  return out.shape;
}

function parseCuts(text: string, file: string, feeder: Feeder): AreaCut[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ExampleError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw) || !Array.isArray(raw.cuts)) throw new ExampleError(`${file}: expected { "cuts": [...] }`);
  const edges = new Set(feeder.branches.flatMap((b) => [`${b.from}\u0000${b.to}`, `${b.to}\u0000${b.from}`]));
  return raw.cuts.map((c: unknown, i: number) => {
    const w = `${file} cuts[${i}]`;
    if (!isObject(c)) throw new ExampleError(`${w}: expected an object`);
    const from = str(c, 'from', w)!;
    const to = str(c, 'to', w)!;
    const parentArea = num(c, 'parentArea', w);
    const childArea = num(c, 'childArea', w);
    if (
      !Number.isInteger(parentArea) ||
      !Number.isInteger(childArea) ||
      parentArea! < 1 ||
      childArea! < 1 ||
      parentArea === childArea
    ) {
      throw new ExampleError(`${w}: "parentArea" and "childArea" must be distinct positive integers`);
    }
    if (!edges.has(`${from}\u0000${to}`)) throw new ExampleError(`${w}: no branch joins buses "${from}" and "${to}"`);
    return { from, to, parentArea: parentArea!, childArea: childArea! };
  });
}

/** Build the example's feeder, study and partition from its manifest and files. */
export function loadExampleProject(manifestText: string, readText: (relativePath: string) => string): ExampleProject {
  const m = parseExampleManifest(manifestText);
  const loadShape = readProfile(readText, m.profiles.load, 'LoadShape');
  const pvShape = readProfile(readText, m.profiles.pv, 'PVShape');
  const price = m.profiles.price ? readProfile(readText, m.profiles.price, 'price') : null;
  const f = m.feeder;
  const imported = importReferenceCsv(readText(f.linedata), readText(f.powerdata), {
    name: f.name,
    substationBus: f.substationBus,
    vSetPu: f.vSetPu,
    baseKva: f.baseKva,
    vBaseKv: f.vBaseKv,
    pvBuses: f.pvBuses,
    batteryBuses: f.batteryBuses,
    linedataFile: f.linedata,
    powerdataFile: f.powerdata,
    loadShape,
    pvShape,
  });
  if (!imported.ok) throw new ExampleError(imported.errors.map(formatIssue).join('\n'));
  const feeder = imported.feeder;
  const cuts = m.areas ? parseCuts(readText(m.areas), m.areas, feeder) : [];
  const s = m.study ?? {};
  // Only the settings the manifest gives (a spread of it then overrides defaults and nothing else).
  const given = {
    periods: s.periods,
    dtH: s.dtH,
    startHour: s.startHour,
    objective: s.objective,
    vMinPu: s.vMinPu,
    vMaxPu: s.vMaxPu,
    alpha: s.alpha,
    terminalSoc: s.terminalSoc,
  };
  const study: Study = {
    ...(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<typeof given>),
    ...(price ? { priceCentsPerKwh: { intervalH: price.intervalH, values: price.mult } } : {}),
  };
  return {
    title: m.title,
    description: m.description,
    feeder,
    study,
    cuts,
    loadShape: loadShape.mult,
    pvShape: pvShape.mult,
    priceCentsPerKwh: price ? price.mult : null,
    warnings: imported.warnings.map(formatIssue),
    importWarnings: imported.warnings,
  };
}
