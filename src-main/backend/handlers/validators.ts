/**
 * Argument validation for the project, import, scenario, partition and placement commands.
 * Everything that crosses IPC is untrusted: wrong types, NaN, infinities, negative ratings,
 * unknown keys and out-of-range options are rejected here with `invalidArgument` and a message
 * naming the field ("scenarios.update: patch.study.vMinPu must be a finite number, got NaN").
 * Ids that do not exist are the handlers' business (`notFound`), since only the store knows.
 */
import type {
  BatteryPlacement,
  BulkPlacementRule,
  CommandArg,
  CutBranch,
  ImportFile,
  Partition,
  Placements,
  PhaseLetter,
  PvPlacement,
  StudySettings,
} from '../../contract';
import { ApiFailure } from '../errors';

type Obj = Record<string, unknown>;

class Check {
  constructor(readonly command: string) {}

  fail(path: string, what: string, got: unknown): never {
    throw new ApiFailure('invalidArgument', `${this.command}: ${path} ${what}, got ${describe(got)}`);
  }

  object(v: unknown, path: string, allowed: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object', v);
    for (const key of Object.keys(v as Obj)) {
      if (!allowed.includes(key))
        throw new ApiFailure('invalidArgument', `${this.command}: ${path} has an unknown field "${key}"`);
    }
    return v as Obj;
  }

  string(v: unknown, path: string, opts: { nonEmpty?: boolean; max?: number } = {}): string {
    if (typeof v !== 'string') this.fail(path, 'must be a string', v);
    if (opts.nonEmpty && (v as string).trim() === '') this.fail(path, 'must not be empty', v);
    if ((v as string).length > (opts.max ?? 10_000))
      this.fail(path, `must be at most ${opts.max ?? 10_000} characters`, `${(v as string).length} characters`);
    return v as string;
  }

  number(
    v: unknown,
    path: string,
    opts: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean } = {},
  ): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'must be a finite number', v);
    const n = v as number;
    if (opts.integer && !Number.isInteger(n)) this.fail(path, 'must be an integer', n);
    if (opts.min !== undefined && (opts.minExclusive ? n <= opts.min : n < opts.min))
      this.fail(path, `must be ${opts.minExclusive ? '>' : '≥'} ${opts.min}`, n);
    if (opts.max !== undefined && n > opts.max) this.fail(path, `must be ≤ ${opts.max}`, n);
    return n;
  }

  id(v: unknown, path: string): number {
    return this.number(v, path, { min: 1, integer: true, max: Number.MAX_SAFE_INTEGER });
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, 'must be true or false', v);
    return v as boolean;
  }

  oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
    if (typeof v !== 'string' || !options.includes(v as T))
      this.fail(path, `must be one of ${options.map((o) => `'${o}'`).join(', ')}`, v);
    return v as T;
  }

  array(v: unknown, path: string, max = 100_000): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array', v);
    if ((v as unknown[]).length > max)
      this.fail(path, `must have at most ${max} entries`, `${(v as unknown[]).length} entries`);
    return v as unknown[];
  }

  numbers(v: unknown, path: string, opts: { min?: number; minLength: number }): number[] {
    const a = this.array(v, path, 10_000);
    if (a.length < opts.minLength) this.fail(path, `must have at least ${opts.minLength} values`, `${a.length}`);
    return a.map((x, i) => this.number(x, `${path}[${i}]`, { min: opts.min }));
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : String(v);
}

// ---------------------------------------------------------------------------------------------

const STUDY_FIELDS: readonly (keyof StudySettings)[] = [
  'periods',
  'startHour',
  'dtH',
  'objective',
  'terminalSoc',
  'batteryLimit',
  'relax',
  'vMinPu',
  'vMaxPu',
  'currentLimits',
  'alpha',
  'tolerance',
  'boundaryTolerancePu',
  'loadShape',
  'pvShape',
  'priceCentsPerKwh',
];

/** A (partial) study: each field given is checked; cross-field checks need the merged study. */
export function checkStudyFields(c: Check, v: unknown, path: string): Partial<StudySettings> {
  const o = c.object(v, path, STUDY_FIELDS);
  const out: Record<string, unknown> = {};
  const p = (k: string) => `${path}.${k}`;
  if (o.periods !== undefined) out.periods = c.number(o.periods, p('periods'), { min: 1, max: 8760, integer: true });
  if (o.startHour !== undefined)
    out.startHour = c.number(o.startHour, p('startHour'), { min: 0, max: 8759, integer: true });
  if (o.dtH !== undefined) out.dtH = c.number(o.dtH, p('dtH'), { min: 0, minExclusive: true, max: 24 });
  if (o.objective !== undefined) out.objective = c.oneOf(o.objective, p('objective'), ['cost', 'loss'] as const);
  if (o.terminalSoc !== undefined)
    out.terminalSoc = c.oneOf(o.terminalSoc, p('terminalSoc'), ['equal', 'soft', 'free'] as const);
  if (o.batteryLimit !== undefined)
    out.batteryLimit = c.oneOf(o.batteryLimit, p('batteryLimit'), ['box', 'disk'] as const);
  if (o.relax !== undefined) out.relax = c.boolean(o.relax, p('relax'));
  if (o.currentLimits !== undefined) out.currentLimits = c.boolean(o.currentLimits, p('currentLimits'));
  if (o.vMinPu !== undefined) out.vMinPu = c.number(o.vMinPu, p('vMinPu'), { min: 0.5, max: 1.5 });
  if (o.vMaxPu !== undefined) out.vMaxPu = c.number(o.vMaxPu, p('vMaxPu'), { min: 0.5, max: 1.5 });
  if (o.alpha !== undefined) out.alpha = c.number(o.alpha, p('alpha'), { min: 0 });
  if (o.tolerance !== undefined)
    out.tolerance = c.number(o.tolerance, p('tolerance'), { min: 0, minExclusive: true, max: 1 });
  if (o.boundaryTolerancePu !== undefined)
    out.boundaryTolerancePu = c.number(o.boundaryTolerancePu, p('boundaryTolerancePu'), {
      min: 0,
      minExclusive: true,
      max: 1,
    });
  if (o.loadShape !== undefined) out.loadShape = c.numbers(o.loadShape, p('loadShape'), { min: 0, minLength: 24 });
  if (o.pvShape !== undefined) out.pvShape = c.numbers(o.pvShape, p('pvShape'), { min: 0, minLength: 24 });
  if (o.priceCentsPerKwh !== undefined)
    out.priceCentsPerKwh = c.numbers(o.priceCentsPerKwh, p('priceCentsPerKwh'), { minLength: 24 });
  return out as Partial<StudySettings>;
}

/** Cross-field rules of a complete study (after merging a patch). */
export function studyProblems(s: StudySettings): string[] {
  const out: string[] = [];
  if (s.vMinPu >= s.vMaxPu) out.push(`vMinPu (${s.vMinPu}) must be below vMaxPu (${s.vMaxPu})`);
  return out;
}

/** Optional phases of a unit on a three-phase feeder: distinct 'A' | 'B' | 'C', one or more. */
function checkPhases(c: Check, v: unknown, path: string): { phases?: PhaseLetter[] } {
  if (v === undefined) return {};
  const list = c.array(v, path, 3).map((x, i) => {
    if (x !== 'A' && x !== 'B' && x !== 'C') c.fail(`${path}[${i}]`, "must be 'A', 'B' or 'C'", x);
    return x;
  });
  if (list.length === 0) c.fail(path, "must name at least one phase (or be left out for the bus's phases)", v);
  if (new Set(list).size !== list.length) c.fail(path, 'names a phase twice', v);
  return { phases: (['A', 'B', 'C'] as const).filter((p) => list.includes(p)) };
}

/** Optional notes on a unit (what its import assumed), kept as they are: at most 20 strings. */
function checkNotes(c: Check, v: unknown, path: string): { notes?: string[] } {
  if (v === undefined) return {};
  return { notes: c.array(v, path, 20).map((x, i) => c.string(x, `${path}[${i}]`, { max: 2000 })) };
}

function checkPv(c: Check, v: unknown, path: string): PvPlacement {
  const o = c.object(v, path, ['name', 'bus', 'pRatedKw', 'sRatedKva', 'phases', 'notes']);
  const pv = {
    name: c.string(o.name, `${path}.name`, { nonEmpty: true, max: 200 }),
    bus: c.string(o.bus, `${path}.bus`, { nonEmpty: true, max: 200 }),
    pRatedKw: c.number(o.pRatedKw, `${path}.pRatedKw`, { min: 0 }),
    sRatedKva: c.number(o.sRatedKva, `${path}.sRatedKva`, { min: 0 }),
    ...checkPhases(c, o.phases, `${path}.phases`),
    ...checkNotes(c, o.notes, `${path}.notes`),
  };
  if (pv.sRatedKva < pv.pRatedKw) c.fail(`${path}.sRatedKva`, `must be ≥ pRatedKw (${pv.pRatedKw})`, pv.sRatedKva);
  return pv;
}

function checkBattery(c: Check, v: unknown, path: string): BatteryPlacement {
  const o = c.object(v, path, [
    'name',
    'bus',
    'pRatedKw',
    'energyKwh',
    'sRatedKva',
    'etaCharge',
    'etaDischarge',
    'socMin',
    'socMax',
    'socInitial',
    'phases',
    'notes',
  ]);
  const q = (k: string) => `${path}.${k}`;
  const b = {
    name: c.string(o.name, q('name'), { nonEmpty: true, max: 200 }),
    bus: c.string(o.bus, q('bus'), { nonEmpty: true, max: 200 }),
    pRatedKw: c.number(o.pRatedKw, q('pRatedKw'), { min: 0 }),
    energyKwh: c.number(o.energyKwh, q('energyKwh'), { min: 0 }),
    sRatedKva: c.number(o.sRatedKva, q('sRatedKva'), { min: 0 }),
    etaCharge: c.number(o.etaCharge, q('etaCharge'), { min: 0, minExclusive: true, max: 1 }),
    etaDischarge: c.number(o.etaDischarge, q('etaDischarge'), { min: 0, minExclusive: true, max: 1 }),
    socMin: c.number(o.socMin, q('socMin'), { min: 0, max: 1 }),
    socMax: c.number(o.socMax, q('socMax'), { min: 0, max: 1 }),
    socInitial: c.number(o.socInitial, q('socInitial'), { min: 0, max: 1 }),
    ...checkPhases(c, o.phases, q('phases')),
    ...checkNotes(c, o.notes, q('notes')),
  };
  if (b.sRatedKva < b.pRatedKw) c.fail(q('sRatedKva'), `must be ≥ pRatedKw (${b.pRatedKw})`, b.sRatedKva);
  if (b.socMin >= b.socMax) c.fail(q('socMin'), `must be below socMax (${b.socMax})`, b.socMin);
  if (b.socInitial < b.socMin || b.socInitial > b.socMax)
    c.fail(q('socInitial'), `must be within [socMin, socMax] = [${b.socMin}, ${b.socMax}]`, b.socInitial);
  return b;
}

function checkPlacements(c: Check, v: unknown, path: string): Placements {
  const o = c.object(v, path, ['pv', 'batteries']);
  const pv = c.array(o.pv, `${path}.pv`).map((x, i) => checkPv(c, x, `${path}.pv[${i}]`));
  const batteries = c
    .array(o.batteries, `${path}.batteries`)
    .map((x, i) => checkBattery(c, x, `${path}.batteries[${i}]`));
  for (const [list, kind] of [
    [pv, 'pv'],
    [batteries, 'batteries'],
  ] as const) {
    const seen = new Set<string>();
    for (const d of list) {
      if (seen.has(d.name.toLowerCase()))
        throw new ApiFailure('invalidArgument', `${c.command}: ${path}.${kind} has two devices named "${d.name}"`);
      seen.add(d.name.toLowerCase());
    }
  }
  return { pv, batteries };
}

function checkCuts(c: Check, v: unknown, path: string): CutBranch[] {
  return c.array(v, path, 10_000).map((x, i) => {
    const o = c.object(x, `${path}[${i}]`, ['from', 'to']);
    return {
      from: c.string(o.from, `${path}[${i}].from`, { nonEmpty: true, max: 200 }),
      to: c.string(o.to, `${path}[${i}].to`, { nonEmpty: true, max: 200 }),
    };
  });
}

function checkPartitionArg(c: Check, v: unknown, path: string): Partition {
  const o = c.object(v, path, ['cuts']);
  return { cuts: checkCuts(c, o.cuts, `${path}.cuts`) };
}

function checkRule(c: Check, v: unknown, path: string): BulkPlacementRule {
  const o = c.object(v, path, [
    'kind',
    'fractionOfLoadBuses',
    'powerFractionOfPeakLoad',
    'energyHours',
    'inverterRatio',
    'seed',
    'replace',
  ]);
  const q = (k: string) => `${path}.${k}`;
  return {
    kind: c.oneOf(o.kind, q('kind'), ['battery', 'pv'] as const),
    fractionOfLoadBuses: c.number(o.fractionOfLoadBuses, q('fractionOfLoadBuses'), { min: 0, max: 1 }),
    powerFractionOfPeakLoad: c.number(o.powerFractionOfPeakLoad, q('powerFractionOfPeakLoad'), {
      min: 0,
      minExclusive: true,
      max: 100,
    }),
    ...(o.energyHours === undefined
      ? {}
      : { energyHours: c.number(o.energyHours, q('energyHours'), { min: 0, minExclusive: true, max: 1000 }) }),
    inverterRatio: c.number(o.inverterRatio, q('inverterRatio'), { min: 1, max: 10 }),
    seed: c.number(o.seed, q('seed'), { integer: true, min: -(2 ** 31), max: 2 ** 32 }),
    replace: c.boolean(o.replace, q('replace')),
  };
}

function checkFile(c: Check, v: unknown, path: string): ImportFile {
  const o = c.object(v, path, ['name', 'text', 'base64']);
  const name = c.string(o.name, `${path}.name`, { nonEmpty: true, max: 1000 });
  if ((o.text === undefined) === (o.base64 === undefined))
    throw new ApiFailure('invalidArgument', `${c.command}: ${path} must have exactly one of text or base64`);
  if (o.text !== undefined) return { name, text: c.string(o.text, `${path}.text`, { max: 200_000_000 }) };
  return { name, base64: c.string(o.base64, `${path}.base64`, { max: 300_000_000 }) };
}

const EXAMPLE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/** The validators of this module's commands, keyed like contract.ts's Commands. */
export const projectValidators = {
  'projects.recent': (arg: unknown): null => noArg('projects.recent', arg),
  'projects.create': (arg: unknown): CommandArg<'projects.create'> => {
    const c = new Check('projects.create');
    const o = c.object(arg, 'argument', ['name', 'path']);
    return {
      name: c.string(o.name, 'name', { nonEmpty: true, max: 200 }),
      ...(o.path === undefined ? {} : { path: c.string(o.path, 'path', { nonEmpty: true, max: 4096 }) }),
    };
  },
  'projects.open': (arg: unknown): CommandArg<'projects.open'> => {
    const c = new Check('projects.open');
    const o = c.object(arg, 'argument', ['path']);
    return { path: c.string(o.path, 'path', { nonEmpty: true, max: 4096 }) };
  },
  'projects.openExample': (arg: unknown): CommandArg<'projects.openExample'> => {
    const c = new Check('projects.openExample');
    const o = c.object(arg, 'argument', ['id']);
    const id = c.string(o.id, 'id', { nonEmpty: true, max: 64 });
    if (!EXAMPLE_ID.test(id)) c.fail('id', 'must be an example folder name (letters, digits, - and _)', id);
    return { id };
  },
  'projects.current': (arg: unknown): null => noArg('projects.current', arg),
  'projects.saveAs': (arg: unknown): CommandArg<'projects.saveAs'> => {
    const c = new Check('projects.saveAs');
    const o = c.object(arg, 'argument', ['path', 'overwrite']);
    return {
      path: c.string(o.path, 'path', { nonEmpty: true, max: 4096 }),
      ...(o.overwrite === undefined ? {} : { overwrite: c.boolean(o.overwrite, 'overwrite') }),
    };
  },
  'projects.openDialog': (arg: unknown): null => noArg('projects.openDialog', arg),
  'projects.saveAsDialog': (arg: unknown): null => noArg('projects.saveAsDialog', arg),
  'projects.close': (arg: unknown): CommandArg<'projects.close'> => {
    if (arg === null || arg === undefined) return null;
    const c = new Check('projects.close');
    const o = c.object(arg, 'argument', ['confirm']);
    return o.confirm === undefined ? {} : { confirm: c.boolean(o.confirm, 'confirm') };
  },
  'projects.setLogo': (arg: unknown): CommandArg<'projects.setLogo'> => {
    if (arg === null) return null;
    const c = new Check('projects.setLogo');
    const o = c.object(arg, 'argument', ['base64']);
    // Up to 16 MB of base64: larger files get the logo's own size message (1 MB), not a length error.
    const base64 = c.string(o.base64, 'base64', { nonEmpty: true, max: 16 * 1024 * 1024 });
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0)
      c.fail('base64', 'must be base64 text', `${base64.slice(0, 20)}…`);
    return { base64 };
  },
  'projects.logoDialog': (arg: unknown): null => noArg('projects.logoDialog', arg),
  'projects.logo': (arg: unknown): null => noArg('projects.logo', arg),
  'projects.update': (arg: unknown): CommandArg<'projects.update'> => {
    const c = new Check('projects.update');
    const o = c.object(arg, 'argument', ['name', 'author', 'organisation']);
    return {
      ...(o.name === undefined ? {} : { name: c.string(o.name, 'name', { nonEmpty: true, max: 200 }).trim() }),
      ...(o.author === undefined ? {} : { author: c.string(o.author, 'author', { max: 200 }).trim() }),
      ...(o.organisation === undefined
        ? {}
        : { organisation: c.string(o.organisation, 'organisation', { max: 200 }).trim() }),
    };
  },
  'import.cancel': (arg: unknown): CommandArg<'import.cancel'> => {
    const c = new Check('import.cancel');
    const o = c.object(arg, 'argument', ['requestId']);
    return { requestId: c.string(o.requestId, 'requestId', { nonEmpty: true, max: 100 }) };
  },
  'import.preview': (arg: unknown): CommandArg<'import.preview'> => {
    const c = new Check('import.preview');
    const o = c.object(arg, 'argument', ['files', 'format', 'requestId', 'entry']);
    const files = c.array(o.files, 'files', 5000).map((f, i) => checkFile(c, f, `files[${i}]`));
    if (files.length === 0) c.fail('files', 'must hold at least one file', 'an empty list');
    return {
      files,
      ...(o.requestId === undefined
        ? {}
        : { requestId: c.string(o.requestId, 'requestId', { nonEmpty: true, max: 100 }) }),
      ...(o.entry === undefined ? {} : { entry: c.string(o.entry, 'entry', { nonEmpty: true, max: 4096 }) }),
      ...(o.format === undefined
        ? {}
        : { format: c.oneOf(o.format, 'format', ['auto', 'dss', 'csv-pair', 'tessera-csv'] as const) }),
    };
  },
  'import.commit': (arg: unknown): CommandArg<'import.commit'> => {
    const c = new Check('import.commit');
    const o = c.object(arg, 'argument', ['token', 'name', 'model', 'requestId']);
    return {
      token: c.string(o.token, 'token', { nonEmpty: true, max: 100 }),
      ...(o.model === undefined
        ? {}
        : { model: c.oneOf(o.model, 'model', ['three-phase', 'balanced-equivalent'] as const) }),
      ...(o.name === undefined ? {} : { name: c.string(o.name, 'name', { nonEmpty: true, max: 200 }) }),
      ...(o.requestId === undefined
        ? {}
        : { requestId: c.string(o.requestId, 'requestId', { nonEmpty: true, max: 100 }) }),
    };
  },
  'feeders.get': (arg: unknown): CommandArg<'feeders.get'> => {
    const c = new Check('feeders.get');
    return { id: c.id(c.object(arg, 'argument', ['id']).id, 'id') };
  },
  'feeders.delete': (arg: unknown): CommandArg<'feeders.delete'> => confirmed('feeders.delete', arg),
  'feeders.phases': (arg: unknown): CommandArg<'feeders.phases'> => {
    const c = new Check('feeders.phases');
    return { id: c.id(c.object(arg, 'argument', ['id']).id, 'id') };
  },
  'basecase.run': (arg: unknown): CommandArg<'basecase.run'> => {
    const c = new Check('basecase.run');
    const o = c.object(arg, 'argument', ['scenarioId', 'mode', 'controls', 'requestId']);
    return {
      scenarioId: c.id(o.scenarioId, 'scenarioId'),
      mode: c.oneOf(o.mode, 'mode', ['snapshot', 'daily'] as const),
      ...(o.controls === undefined ? {} : { controls: c.boolean(o.controls, 'controls') }),
      ...(o.requestId === undefined
        ? {}
        : { requestId: c.string(o.requestId, 'requestId', { nonEmpty: true, max: 100 }) }),
    };
  },
  'basecase.cancel': (arg: unknown): CommandArg<'basecase.cancel'> => {
    const c = new Check('basecase.cancel');
    const o = c.object(arg, 'argument', ['requestId']);
    return { requestId: c.string(o.requestId, 'requestId', { nonEmpty: true, max: 100 }) };
  },
  'scenarios.get': (arg: unknown): CommandArg<'scenarios.get'> => {
    const c = new Check('scenarios.get');
    return { id: c.id(c.object(arg, 'argument', ['id']).id, 'id') };
  },
  'scenarios.update': (arg: unknown): CommandArg<'scenarios.update'> => {
    const c = new Check('scenarios.update');
    const o = c.object(arg, 'argument', ['id', 'patch']);
    const p = c.object(o.patch, 'patch', ['name', 'study', 'placements', 'partition']);
    const patch: Record<string, unknown> = {};
    if (p.name !== undefined) patch.name = c.string(p.name, 'patch.name', { nonEmpty: true, max: 200 });
    if (p.study !== undefined) patch.study = checkStudyFields(c, p.study, 'patch.study');
    if (p.placements !== undefined) patch.placements = checkPlacements(c, p.placements, 'patch.placements');
    if (p.partition !== undefined) patch.partition = checkPartitionArg(c, p.partition, 'patch.partition');
    // A study patch may be partial; the handler merges it over the stored settings.
    return { id: c.id(o.id, 'id'), patch: patch as CommandArg<'scenarios.update'>['patch'] };
  },
  'scenarios.duplicate': (arg: unknown): CommandArg<'scenarios.duplicate'> => {
    const c = new Check('scenarios.duplicate');
    const o = c.object(arg, 'argument', ['id', 'name']);
    return {
      id: c.id(o.id, 'id'),
      ...(o.name === undefined ? {} : { name: c.string(o.name, 'name', { nonEmpty: true, max: 200 }) }),
    };
  },
  'scenarios.delete': (arg: unknown): CommandArg<'scenarios.delete'> => confirmed('scenarios.delete', arg),
  'partition.check': (arg: unknown): CommandArg<'partition.check'> => {
    const c = new Check('partition.check');
    const o = c.object(arg, 'argument', ['feederId', 'cuts']);
    return { feederId: c.id(o.feederId, 'feederId'), cuts: checkCuts(c, o.cuts, 'cuts') };
  },
  'partition.suggest': (arg: unknown): CommandArg<'partition.suggest'> => {
    const c = new Check('partition.suggest');
    const o = c.object(arg, 'argument', ['feederId', 'k']);
    return { feederId: c.id(o.feederId, 'feederId'), k: c.number(o.k, 'k', { integer: true, min: 1, max: 256 }) };
  },
  'placements.bulk': (arg: unknown): CommandArg<'placements.bulk'> => {
    const c = new Check('placements.bulk');
    const o = c.object(arg, 'argument', ['scenarioId', 'rule']);
    return { scenarioId: c.id(o.scenarioId, 'scenarioId'), rule: checkRule(c, o.rule, 'rule') };
  },
};

function noArg(command: string, arg: unknown): null {
  if (arg !== null && arg !== undefined) throw new ApiFailure('invalidArgument', `${command} takes no argument`);
  return null;
}

function confirmed(command: string, arg: unknown): { id: number; confirm: boolean } {
  const c = new Check(command);
  const o = c.object(arg, 'argument', ['id', 'confirm']);
  const id = c.id(o.id, 'id');
  const confirm = c.boolean(o.confirm, 'confirm');
  if (!confirm)
    throw new ApiFailure('invalidArgument', `${command}: deleting needs confirm: true (ask the user first)`);
  return { id, confirm };
}
