/**
 * The OpenDSS command level: runs a script (with its Redirect/Compile includes) into a plain
 * record of element definitions, each an ordered list of property assignments, plus the
 * circuit-wide settings Tessera uses (voltage bases, bus coordinates). Nothing is interpreted
 * electrically here — that is ./build — so property order semantics (`switch=y` resetting
 * impedances, `wdg=` selecting a winding, `like=`) replay exactly as OpenDSS applies them.
 *
 * Commands: New, Edit, More/M/~, Select, Redirect, Compile, Clear/ClearAll, Set (VoltageBases,
 * DataPath; other options accepted), BusCoords, LatLongCoords, `Class.name.property=value`.
 * Harmless commands (Solve, CalcVoltageBases, Show, Plot, Export, …) are accepted; commands that
 * change the network in ways Tessera does not model (Open, Close, Disable, BatchEdit, …) are
 * listed as ignored; anything unknown is an error. Abbreviated command names resolve as in
 * OpenDSS (first command in its list with that prefix).
 */
import type { IgnoredElement, ImportError, ImportIssue } from '../types';
import { DssSyntaxError, parseNumberArray, splitArray, stripComment, tokenizeParams, type Param } from './lexer';
import { dirnamePath, joinPath } from './path';
import { CLASS_PROPERTIES, nextPositionalProperty, resolveProperty } from './properties';

export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface Assignment {
  /** Canonical lower-case property name. */
  readonly prop: string;
  readonly value: string;
  readonly quoted: boolean;
  readonly at: Loc;
  /** Numbers read from a file named by this assignment (LoadShape csvfile= / mult=(file=…)). */
  readonly fileValues?: { readonly columns: readonly (readonly number[])[] };
}

export interface ElementDef {
  /** Lower-case class ('line', 'load', …; the circuit's source is class 'vsource', name 'source'). */
  readonly cls: string;
  /** Name as first written. */
  readonly name: string;
  readonly at: Loc;
  readonly assignments: Assignment[];
}

export interface ScriptResult {
  circuitName: string | null;
  /** Definition order, all modelled classes. */
  readonly elements: ElementDef[];
  /** Line-to-line kV of `Set VoltageBases`. */
  voltageBasesKv: number[];
  readonly coords: Map<string, { x: number; y: number; at: Loc }>;
  readonly ignored: IgnoredElement[];
  readonly errors: ImportError[];
  readonly warnings: ImportIssue[];
  /** `Set name=value` options as written (lower-case names, last one wins): controlmode, loadmult, … */
  readonly options: Map<string, string>;
  /**
   * Unbalanced mode: each `Solve` command with the script's state at that point (how many
   * elements existed, how many assignments each had, the options and voltage bases then), so a
   * solve's effect on taps and capacitor states can be replayed in order (../../unbalanced/import).
   */
  readonly solves?: ScriptSolve[];
}

export interface ScriptSolve {
  readonly at: Loc;
  readonly elementCount: number;
  readonly assignmentCounts: ReadonlyMap<ElementDef, number>;
  readonly options: ReadonlyMap<string, string>;
  readonly voltageBasesKv: readonly number[];
}

export interface ScriptOptions {
  /**
   * Read for the three-phase model (../../unbalanced): keeps XfmrCode, Reactor, CapControl,
   * Generator; records Open/Close (as `@open`/`@close` assignments), Disable/Enable and BatchEdit;
   * an element class that changes the network and is not modelled is an error, not a warning.
   * Without it the script is read exactly as the balanced importer always has.
   */
  readonly unbalanced?: boolean;
  /** Command lines run after the entry script, as if appended to it (e.g. a results file's `pre`). */
  readonly extraLines?: readonly string[];
  /**
   * A fixed cap on the lines read in all, replacing the default budget (`lineBudget`): a caller
   * reading a trusted local file may raise it, a service reading untrusted input may lower it.
   */
  readonly maxTotalLines?: number;
}

/** Classes the three-phase model adds to MODELLED_CLASSES. */
const UNBALANCED_CLASSES = new Set([
  'xfmrcode',
  'reactor',
  'capcontrol',
  'generator',
  'wiredata',
  'cndata',
  'tsdata',
  'linegeometry',
  'linespacing',
]);
/** Protection devices: no effect on a power flow while closed (accepted and listed as ignored). */
const PROTECTION_CLASSES = new Set(['fuse', 'recloser', 'relay']);
/** Line-constants data: read by the line-constants module when it is wired in. */
export const LINE_CONSTANTS_CLASSES = new Set([
  'linegeometry',
  'wiredata',
  'cndata',
  'tsdata',
  'linespacing',
  'cnline',
]);

export type ReadFile = (path: string) => string;

/** Classes whose definitions are kept for ./build. */
export const MODELLED_CLASSES = new Set([
  'vsource',
  'circuit',
  'line',
  'switch',
  'linecode',
  'load',
  'capacitor',
  'pvsystem',
  'storage',
  'transformer',
  'regcontrol',
  'loadshape',
]);

/** Classes that change the network's electrical behaviour: ignoring them earns a warning too. */
const ELECTRICAL_CLASSES = new Set([
  'generator',
  'reactor',
  'isource',
  'fault',
  'xfmrcode',
  'linegeometry',
  'autotrans',
  'upfc',
  'vccs',
  'gictransformer',
  'windgen',
  'indmach012',
  'gicline',
  'gicsource',
  'storagecontroller',
  'capcontrol',
  'invcontrol',
  'expcontrol',
  'swtcontrol',
  'fuse',
  'recloser',
  'relay',
  'genDispatcher'.toLowerCase(),
]);

/** Classes OpenDSS knows (so `New Monitor.m1 …` is "ignored", not "unknown class"). */
const KNOWN_CLASSES = new Set([
  ...MODELLED_CLASSES,
  ...ELECTRICAL_CLASSES,
  'monitor',
  'energymeter',
  'sensor',
  'spectrum',
  'growthshape',
  'tcc_curve',
  'xycurve',
  'tshape',
  'priceshape',
  'wiredata',
  'cndata',
  'tsdata',
  'linespacing',
  'esPVLcontrol'.toLowerCase(),
  'pvsystem2',
  'storage2',
  'invcontrol2',
  'storagecontroller2',
  'generic5',
  'dynamicexp',
  'fmonitor',
  'vsconverter',
  'loadshape',
  'reduceckt',
  'equivalent',
  'gencontroller',
  'pycontrol',
  'cnline',
]);

/** OpenDSS executive commands in OpenDSS's order (for abbreviation), the ones we act on first. */
const COMMANDS = [
  'new',
  'edit',
  'more',
  'm',
  '~',
  'select',
  'save',
  'show',
  'solve',
  'enable',
  'disable',
  'plot',
  'reset',
  'compile',
  'set',
  'dump',
  'open',
  'close',
  '//',
  'redirect',
  'help',
  'quit',
  '?',
  'next',
  'panel',
  'sample',
  'clear',
  'about',
  'calcvoltagebases',
  'setkvbase',
  'buildy',
  'get',
  'init',
  'fileedit',
  'export',
  'totals',
  'capacity',
  'classes',
  'userclasses',
  'zsc',
  'zsc10',
  'zscrefresh',
  'ysc',
  'puvoltages',
  'varvalues',
  'varnames',
  'buscoords',
  'makebuslist',
  'makeposseq',
  'reduce',
  'interpolate',
  'alignfile',
  'top',
  'rotate',
  'vdiffs',
  'summary',
  'distribute',
  'di_plot',
  'comparecases',
  'yearlycurves',
  'cd',
  'visualize',
  'closedi',
  'doscmd',
  'estimate',
  'reconductor',
  '_initsnap',
  '_solvenocontrol',
  '_samplecontrols',
  '_docontrolactions',
  '_showcontrolqueue',
  '_solvedirect',
  '_solvepflow',
  'addbusmarker',
  'uuids',
  'setloadandgenkv',
  'cvrtloadshapes',
  'nodediff',
  'rephase',
  'setbusxy',
  'updatestorage',
  'obfuscate',
  'latlongcoords',
  'batchedit',
  'pstcalc',
  'variable',
  'reprocessbuses',
  'clearbusmarkers',
  'relcalc',
  'var',
  'cleanup',
  'finishtimestep',
  'nodelist',
  'newactor',
  'clearall',
  'wait',
  'solveall',
  'calcincmatrix',
  'calcincmatrix_o',
  'refine_busLevels',
  'calclaplacian',
  'connect',
  'disconnect',
  'remove',
  'abort',
  'calcv',
];
/** Commands with no effect on the imported model. */
const HARMLESS = new Set([
  'solve',
  'show',
  'plot',
  'export',
  'help',
  'quit',
  '?',
  'next',
  'panel',
  'sample',
  'about',
  'calcvoltagebases',
  'calcv',
  'buildy',
  'get',
  'init',
  'fileedit',
  'totals',
  'capacity',
  'classes',
  'userclasses',
  'zsc',
  'zsc10',
  'zscrefresh',
  'ysc',
  'puvoltages',
  'varvalues',
  'varnames',
  'makebuslist',
  'summary',
  'visualize',
  'closedi',
  'yearlycurves',
  'di_plot',
  'comparecases',
  'dump',
  'save',
  'reset',
  'top',
  'uuids',
  'cleanup',
  'finishtimestep',
  'nodelist',
  'wait',
  'solveall',
  'calcincmatrix',
  'calcincmatrix_o',
  'refine_buslevels',
  'calclaplacian',
  'addbusmarker',
  'clearbusmarkers',
  'pstcalc',
  'relcalc',
  'vdiffs',
  'nodediff',
  'variable',
  'var',
  'abort',
  'estimate',
  'reprocessbuses',
  'updatestorage',
  'setloadandgenkv',
  'alignfile',
]);

function resolveCommand(word: string): string | null {
  const w = word.toLowerCase();
  if (COMMANDS.includes(w)) return w;
  return COMMANDS.find((c) => c.startsWith(w)) ?? null;
}

/** Runaway guards: include depth, and total lines read (a fuzzed or self-including script). */
const MAX_INCLUDE_DEPTH = 32;
/** Lines any script may read in all, however small its files (the budget's floor). */
export const MIN_LINE_BUDGET = 2_000_000;
/** Times each distinct line may be read on average (a shapes file redirected from several scripts). */
export const READS_PER_LINE = 4;

/**
 * The lines a script may read in all, given the lines of the distinct files read so far: a
 * genuine feeder reads each file about once, whatever its size (a 1,000,000-bus feeder is a few
 * million lines), while a runaway — a file that redirects itself, or a fan-out of redirects that
 * reads the same lines again and again — reads far more lines than its files hold. The floor
 * keeps small scripts' old cap.
 */
export function lineBudget(distinctLines: number): number {
  return Math.max(MIN_LINE_BUDGET, READS_PER_LINE * distinctLines);
}

export function runScript(entryPath: string, readFile: ReadFile, scriptOptions: ScriptOptions = {}): ScriptResult {
  const unbalanced = scriptOptions.unbalanced === true;
  const result: ScriptResult = {
    circuitName: null,
    elements: [],
    voltageBasesKv: [],
    coords: new Map(),
    ignored: [],
    errors: [],
    warnings: [],
    options: new Map(),
    ...(unbalanced ? { solves: [] } : {}),
  };
  // Line-constants classes are kept as soon as their properties are known (properties.ts), so the
  // line-constants routine finds their definitions in the result.
  const isModelled = (cls: string): boolean =>
    MODELLED_CLASSES.has(cls) ||
    (unbalanced && (UNBALANCED_CLASSES.has(cls) || (LINE_CONSTANTS_CLASSES.has(cls) && cls in CLASS_PROPERTIES)));
  /** Lower-case `class.name` → definition. */
  const byKey = new Map<string, ElementDef>();
  let active: ElementDef | null = null;
  /** Active element is ignored (e.g. a Monitor): `~` lines continue it silently. */
  let activeIgnored = false;
  let lastClass = 'line';
  let currentDir = dirnamePath(entryPath);
  let totalLines = 0;
  /** Lines of the distinct script files read so far (each path counted once). */
  let distinctLines = 0;
  const counted = new Set<string>();
  /** Set by a runaway (include depth, line count): everything stops. */
  let aborted = false;

  const error = (at: Loc, message: string): void =>
    void result.errors.push({ file: at.file, line: at.line, column: at.column, message });
  const warn = (at: Loc, message: string): void =>
    void result.warnings.push({ file: at.file, line: at.line, column: at.column, message });

  const readText = (path: string, at: Loc | null, what: string): string | null => {
    try {
      return readFile(path);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (at) error(at, `cannot read ${what} "${path}": ${why}`);
      else result.errors.push({ file: path, line: 0, message: `cannot read ${what}: ${why}` });
      return null;
    }
  };

  /** Reads a numeric file: one record per line, values split on commas/blanks; comment lines skipped. */
  const readNumberColumns = (path: string, at: Loc, header: boolean): number[][] | null => {
    const text = readText(path, at, 'shape file');
    if (text === null) return null;
    const columns: number[][] = [];
    let skip = header;
    let row = 0;
    for (const raw of text.split(/\r?\n/)) {
      row++;
      const line = stripComment(raw).trim();
      if (line === '') continue;
      if (skip) {
        skip = false;
        continue;
      }
      const values = parseNumberArray(line);
      if (!values || values.length === 0) {
        error(at, `${path}:${row}: "${raw.trim()}" is not a row of numbers`);
        return null;
      }
      values.forEach((v, i) => (columns[i] ??= []).push(v));
    }
    return columns;
  };

  /** `mult=(file=x.csv col=2 header=yes)` and friends → the numbers, or undefined when not a file form. */
  const fileFormValues = (value: string, at: Loc): { columns: number[][] } | null | undefined => {
    const m = /^\s*(file|sngfile|dblfile)\s*=/i.exec(value);
    if (!m) return undefined;
    if (m[1].toLowerCase() !== 'file') {
      error(at, `binary shape files (${m[1]}=) are not supported: use file= or csvfile= with text values`);
      return null;
    }
    let opts: Param[];
    try {
      opts = tokenizeParams(value);
    } catch {
      error(at, `cannot read the file form "${value}"`);
      return null;
    }
    const get = (k: string) => opts.find((o) => o.name.toLowerCase() === k)?.value;
    const file = get('file') ?? '';
    const col = Number(get('col') ?? get('column') ?? 1);
    const header =
      (get('header') ?? 'no').toLowerCase().startsWith('y') || (get('header') ?? '').toLowerCase().startsWith('t');
    const columns = readNumberColumns(joinPath(currentDir, file), at, header);
    if (!columns) return null;
    const picked = columns[Math.max(0, (Number.isInteger(col) ? col : 1) - 1)];
    if (!picked) {
      error(at, `${file} has no column ${col}`);
      return null;
    }
    return { columns: [picked] };
  };

  const defineOrEdit = (cls: string, name: string, at: Loc, isNew: boolean): ElementDef | null => {
    const key = `${cls}.${name.toLowerCase()}`;
    const existing = byKey.get(key);
    if (isNew) {
      if (existing) {
        warn(
          at,
          `${cls}.${name} is defined again (first at ${existing.at.file}:${existing.at.line}); the new definition replaces it`,
        );
        const i = result.elements.indexOf(existing);
        if (i >= 0) result.elements.splice(i, 1);
      }
      const def: ElementDef = { cls, name, at, assignments: [] };
      byKey.set(key, def);
      result.elements.push(def);
      return def;
    }
    if (!existing) {
      error(at, `${cls}.${name} is not defined (Edit before New?)`);
      return null;
    }
    return existing;
  };

  /** Applies `name=value` / positional parameters to an element, per OpenDSS rules. */
  const applyParams = (def: ElementDef, params: Param[], file: string, line: number): void => {
    const cls = def.cls === 'circuit' ? 'vsource' : def.cls;
    let previous: string | null = null;
    for (const p of params) {
      const at: Loc = { file, line, column: p.column };
      let prop: string | null;
      if (p.name === '') {
        prop = nextPositionalProperty(cls, previous);
        if (prop === null) {
          warn(at, `${def.cls}.${def.name}: positional value "${p.value}" has no property to go to; ignored`);
          continue;
        }
      } else {
        prop = resolveProperty(cls, p.name);
        if (prop === null) {
          warn(at, `${def.cls}.${def.name}: unknown property "${p.name}"; ignored`);
          continue;
        }
      }
      previous = prop;
      if (prop === 'like') {
        const other = byKey.get(`${def.cls}.${p.value.toLowerCase()}`);
        if (!other) error(at, `${def.cls}.${def.name}: like=${p.value} names an element not defined before`);
        else if (other !== def) def.assignments.push(...other.assignments);
        continue;
      }
      let fileValues: Assignment['fileValues'];
      if (cls === 'loadshape') {
        if (prop === 'csvfile' || prop === 'pqcsvfile') {
          const cols = readNumberColumns(joinPath(currentDir, p.value), at, false);
          if (!cols) continue;
          fileValues = { columns: cols };
        } else if (prop === 'sngfile' || prop === 'dblfile') {
          error(at, `binary shape files (${prop}=) are not supported: use csvfile= with text values`);
          continue;
        } else if (prop === 'mult' || prop === 'qmult' || prop === 'pmult' || prop === 'hour') {
          const fv = fileFormValues(p.value, at);
          if (fv === null) continue;
          fileValues = fv;
        }
      }
      def.assignments.push({ prop, value: p.value, quoted: p.quoted, at, fileValues });
    }
  };

  /** `Line.l1` → class and name; class defaults to the last one used. */
  const splitObject = (spec: string): { cls: string; name: string } => {
    const dot = spec.indexOf('.');
    if (dot < 0) return { cls: lastClass, name: spec };
    return { cls: spec.slice(0, dot).toLowerCase(), name: spec.slice(dot + 1) };
  };

  const newOrEdit = (params: Param[], file: string, line: number, isNew: boolean): void => {
    const first = params[0];
    if (!first || (first.name !== '' && first.name.toLowerCase() !== 'object')) {
      error(
        { file, line, column: first?.column },
        `${isNew ? 'New' : 'Edit'} needs an object name first, like Line.l1`,
      );
      return;
    }
    const { cls, name } = splitObject(first.value);
    const at: Loc = { file, line, column: first.column };
    if (name === '') {
      error(at, `"${first.value}" has no element name after the class`);
      return;
    }
    if (!/^[a-z_][a-z0-9_]*$/i.test(cls)) {
      error(at, `"${first.value}" is not a Class.name object`);
      return;
    }
    lastClass = cls;
    const modelledCls = cls === 'circuit' ? 'vsource' : cls;
    const elementName = cls === 'circuit' ? 'source' : name;
    if (cls === 'circuit') {
      if (!isNew) {
        error(at, 'Edit Circuit is not supported: edit Vsource.source');
        return;
      }
      result.circuitName = name;
    } else if (!isModelled(cls) || (cls === 'vsource' && name.toLowerCase() !== 'source')) {
      if (!KNOWN_CLASSES.has(cls)) {
        error(at, `unknown element class "${cls}"`);
        active = null;
        activeIgnored = true;
        return;
      }
      if (isNew) {
        result.ignored.push({ file, line, element: `${cls}.${name}` });
        if (
          unbalanced &&
          (cls === 'vsource' ||
            (ELECTRICAL_CLASSES.has(cls) && !PROTECTION_CLASSES.has(cls) && !LINE_CONSTANTS_CLASSES.has(cls)))
        ) {
          error(at, `${cls}.${name}: the class ${cls} is not supported by the three-phase model`);
        } else if (!unbalanced && (ELECTRICAL_CLASSES.has(cls) || cls === 'vsource'))
          warn(at, `${cls}.${name} is not modelled by Tessera and is left out (it affects the network)`);
      }
      active = null;
      activeIgnored = true;
      return;
    }
    const def = defineOrEdit(modelledCls, elementName, at, isNew);
    active = def;
    activeIgnored = false;
    if (def) applyParams(def, params.slice(1), file, line);
  };

  const runFile = (path: string, depth: number, from: Loc | null): void => {
    if (aborted) return;
    if (depth > MAX_INCLUDE_DEPTH) {
      error(
        from ?? { file: path, line: 0 },
        `includes nested deeper than ${MAX_INCLUDE_DEPTH} (does a file redirect to itself?)`,
      );
      aborted = true;
      return;
    }
    const text = readText(path, from, 'script');
    if (text === null) return;
    const lines = text.split(/\r\n|\n|\r/);
    if (!counted.has(path)) {
      counted.add(path);
      distinctLines += lines.length;
    }
    // Checked per line against the budget as it is now: files redirected from this one raise it.
    const budget = () => scriptOptions.maxTotalLines ?? lineBudget(distinctLines);
    let inBlockComment = false;
    for (let k = 0; k < lines.length; k++) {
      if (aborted) return;
      if (++totalLines > budget()) {
        error(
          { file: path, line: k + 1 },
          `more than ${budget()} lines read in all (${distinctLines} lines in the ${counted.size} files read: ` +
            'do the scripts redirect the same files again and again?); stopping',
        );
        aborted = true;
        return;
      }
      const lineNo = k + 1;
      let raw = lines[k];
      if (k === 0 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
      if (inBlockComment) {
        const end = raw.indexOf('*/');
        if (end < 0) continue;
        inBlockComment = false;
        raw = raw.slice(end + 2);
      }
      const lead = raw.length - raw.trimStart().length;
      if (raw.trimStart().startsWith('/*')) {
        const end = raw.indexOf('*/', lead + 2);
        if (end < 0) {
          inBlockComment = true;
          continue;
        }
        raw = ' '.repeat(end + 2) + raw.slice(end + 2);
      }
      const text1 = stripComment(raw);
      if (text1.trim() === '') continue;
      try {
        executeLine(text1, path, lineNo, depth);
      } catch (e) {
        if (e instanceof DssSyntaxError) error({ file: path, line: lineNo, column: e.column }, e.message);
        else throw e;
      }
      if (result.errors.length > 1000) {
        aborted = true;
        return;
      }
    }
    if (inBlockComment)
      warn({ file: path, line: lines.length }, 'a /* block comment is not closed before the end of the file');
  };

  const include = (params: Param[], file: string, line: number, depth: number, compile: boolean): void => {
    const target = params[0]?.value ?? '';
    if (target === '') {
      error({ file, line }, `${compile ? 'Compile' : 'Redirect'} needs a file name`);
      return;
    }
    const path = joinPath(currentDir, target);
    const saved = currentDir;
    currentDir = dirnamePath(path);
    runFile(path, depth + 1, { file, line, column: params[0].column });
    if (!compile) currentDir = saved;
  };

  const readCoords = (params: Param[], file: string, line: number, latLong: boolean): void => {
    const target = params[0]?.value ?? '';
    const at: Loc = { file, line, column: params[0]?.column };
    if (target === '') {
      error(at, `${latLong ? 'LatLongCoords' : 'BusCoords'} needs a file name`);
      return;
    }
    const path = joinPath(currentDir, target);
    const text = readText(path, at, 'coordinate file');
    if (text === null) return;
    text.split(/\r\n|\n|\r/).forEach((rawLine, k) => {
      const l = stripComment(rawLine).trim();
      if (l === '') return;
      const cells = splitArray(l);
      const a = Number(cells[1]);
      const b = Number(cells[2]);
      if (cells.length < 3 || !Number.isFinite(a) || !Number.isFinite(b) || cells[1] === '' || cells[2] === '') {
        if (k > 0 || cells.length < 3) warn({ file: path, line: k + 1 }, `not a "bus, x, y" row: "${l}"`);
        return;
      }
      const bus = cells[0].split('.')[0];
      // LatLongCoords rows are bus, latitude, longitude: x = longitude, y = latitude.
      result.coords.set(
        bus.toLowerCase(),
        latLong ? { x: b, y: a, at: { file: path, line: k + 1 } } : { x: a, y: b, at: { file: path, line: k + 1 } },
      );
    });
  };

  const setOptions = (params: Param[], file: string, line: number): void => {
    for (const p of params) {
      const at: Loc = { file, line, column: p.column };
      const name = p.name.toLowerCase();
      if ('voltagebases'.startsWith(name) && name.length >= 2) {
        const values = parseNumberArray(p.value);
        if (!values || values.length === 0 || values.some((v) => !(v > 0)))
          error(at, `VoltageBases must be a list of positive kV values, got "${p.value}"`);
        else result.voltageBasesKv = values;
      } else if (name === 'datapath') {
        currentDir = joinPath(currentDir, p.value);
      } else if (name === '') {
        warn(at, `Set: "${p.value}" has no option name; ignored`);
      } else {
        result.options.set(name, p.value);
      }
      // Every other option (mode, number, stepsize, controlmode, …) concerns a solution, not the model.
    }
  };

  /** Open/Close/Disable/Enable/BatchEdit for the three-phase model. */
  function networkCommand(cmd: string, params: Param[], file: string, line: number): void {
    const at: Loc = { file, line, column: params[0]?.column };
    const spec = params[0]?.value ?? '';
    if (spec === '') {
      error(at, `${cmd} needs an element, like Line.l1`);
      return;
    }
    if (cmd === 'batchedit') {
      const dot = spec.indexOf('.');
      const cls = (dot < 0 ? spec : spec.slice(0, dot)).toLowerCase();
      const pattern = dot < 0 ? '.*' : spec.slice(dot + 1);
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${pattern})$`, 'i');
      } catch {
        error(at, `BatchEdit: "${pattern.slice(0, 80)}" is not a valid pattern`);
        return;
      }
      if (!isModelled(cls)) {
        if (KNOWN_CLASSES.has(cls)) result.ignored.push({ file, line, element: `command BatchEdit ${spec}` });
        else error(at, `BatchEdit: unknown element class "${cls}"`);
        return;
      }
      for (const def of result.elements)
        if (def.cls === cls && re.test(def.name)) applyParams(def, params.slice(1), file, line);
      return;
    }
    const { cls, name } = splitObject(spec);
    const def = byKey.get(`${cls}.${name.toLowerCase()}`);
    if (!def) {
      if (KNOWN_CLASSES.has(cls) && !isModelled(cls))
        result.ignored.push({ file, line, element: `command ${cmd} ${spec}` });
      else error(at, `${cmd}: ${spec} is not defined`);
      return;
    }
    if (cmd === 'disable' || cmd === 'enable') {
      def.assignments.push({ prop: 'enabled', value: cmd === 'enable' ? 'yes' : 'no', quoted: false, at });
      return;
    }
    const terminal = params[1]?.value ?? '0';
    const conductor = params[2]?.value ?? '0';
    def.assignments.push({ prop: `@${cmd}`, value: `${terminal} ${conductor}`, quoted: false, at });
  }

  function executeLine(text: string, file: string, line: number, depth: number): void {
    const trimmed = text.trimStart();
    const offset = text.length - trimmed.length;
    let word: string;
    let rest: string;
    let restOffset: number;
    if (trimmed.startsWith('~')) {
      word = '~';
      rest = trimmed.slice(1);
      restOffset = offset + 1;
    } else {
      const m = /^[^\s=,]+/.exec(trimmed);
      word = m ? m[0] : trimmed.charAt(0);
      rest = trimmed.slice(word.length);
      restOffset = offset + word.length;
      // `Class.name.property=value` sets one property of an element.
      if (/^\s*=/.test(rest) && word.includes('.')) {
        const dot = word.lastIndexOf('.');
        const objectSpec = word.slice(0, dot);
        const params = tokenizeParams(`${objectSpec} ${word.slice(dot + 1)}${rest}`, offset - 0);
        newOrEdit(params, file, line, false);
        return;
      }
    }
    const params = tokenizeParams(rest, restOffset);
    const cmd = resolveCommand(word);
    const at: Loc = { file, line, column: offset + 1 };
    switch (cmd) {
      case 'new':
        newOrEdit(params, file, line, true);
        return;
      case 'edit':
        newOrEdit(params, file, line, false);
        return;
      case 'more':
      case 'm':
      case '~':
        if (active) applyParams(active, params, file, line);
        else if (!activeIgnored) error(at, 'a continuation (~) line with no element before it');
        return;
      case 'select': {
        const spec = params[0]?.value ?? '';
        const { cls, name } = splitObject(spec);
        active =
          byKey.get(`${cls === 'circuit' ? 'vsource' : cls}.${(cls === 'circuit' ? 'source' : name).toLowerCase()}`) ??
          null;
        activeIgnored = active === null;
        return;
      }
      case 'redirect':
        include(params, file, line, depth, false);
        return;
      case 'compile':
        include(params, file, line, depth, true);
        return;
      case 'clear':
      case 'clearall':
        byKey.clear();
        result.elements.length = 0;
        result.coords.clear();
        result.voltageBasesKv = [];
        result.circuitName = null;
        result.solves?.splice(0);
        active = null;
        return;
      case 'solve':
        if (unbalanced && !(result.options.get('mode') ?? 'snapshot').trim().toLowerCase().startsWith('s')) {
          result.ignored.push({
            file,
            line,
            element: `command ${word} (Set Mode=${result.options.get('mode')}: the series runs with pf --hours)`,
          });
          return;
        }
        result.solves?.push({
          at,
          elementCount: result.elements.length,
          assignmentCounts: new Map(result.elements.map((e) => [e, e.assignments.length])),
          options: new Map(result.options),
          voltageBasesKv: [...result.voltageBasesKv],
        });
        return;
      case 'set':
        setOptions(params, file, line);
        return;
      case 'buscoords':
        readCoords(params, file, line, false);
        return;
      case 'latlongcoords':
        readCoords(params, file, line, true);
        return;
      case 'cd':
        currentDir = joinPath(currentDir, params[0]?.value ?? '');
        return;
      case '//':
        return;
      case 'open':
      case 'close':
      case 'disable':
      case 'enable':
      case 'batchedit':
        if (unbalanced) {
          networkCommand(cmd, params, file, line);
          return;
        }
        result.ignored.push({ file, line, element: `command ${word}${params[0] ? ` ${params[0].value}` : ''}` });
        warn(at, `command "${word}" changes the circuit in a way Tessera does not model; ignored`);
        return;
      case null:
        error(at, `unknown command "${word}"`);
        return;
      default:
        if (HARMLESS.has(cmd)) return;
        result.ignored.push({ file, line, element: `command ${word}${params[0] ? ` ${params[0].value}` : ''}` });
        warn(at, `command "${word}" changes the circuit in a way Tessera does not model; ignored`);
    }
  }

  runFile(entryPath, 0, null);
  (scriptOptions.extraLines ?? []).forEach((text, k) => {
    if (aborted) return;
    try {
      executeLine(stripComment(text), '<commands>', k + 1, 0);
    } catch (e) {
      if (e instanceof DssSyntaxError) error({ file: '<commands>', line: k + 1, column: e.column }, e.message);
      else throw e;
    }
  });
  return result;
}

/** Property names of a modelled class (for tests and docs). */
export function modelledProperties(cls: string): readonly string[] {
  return CLASS_PROPERTIES[cls] ?? [];
}
