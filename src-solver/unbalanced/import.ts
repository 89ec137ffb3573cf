/**
 * OpenDSS script → the multi-phase network model (./model), element by element as OpenDSS's own
 * property semantics define them (property order matters: `wdg=` selects a winding, `switch=y`
 * resets a line's impedances, `LineCode=` copies phases and matrices, a load's last-given
 * kW/kvar/pf/kVA/xfkVA decides how its power is specified).
 *
 * The script level (Redirect/Compile, New/Edit/~, Like=, Open/Close, BatchEdit, Set) is the
 * shared reader in ../io/dss/script (run in its `unbalanced` mode); this file interprets the
 * element definitions electrically. Line impedances from conductor geometry (LineGeometry,
 * WireData, CNData, TSData, LineSpacing) come from a line-constants routine passed in as
 * `options.lineConstants`; without it such a line is an error naming it.
 *
 * Every number is checked (finite, and not absurd: |x| ≤ 1e12), every reference resolved; a
 * problem is an error at file:line naming the element, never a silent drop.
 */
import type { IgnoredElement, ImportError, ImportIssue } from '../io/types';
import { parseBusRef, parseDssBool, parseDssNumber, parseSymMatrix, splitArray } from '../io/dss/lexer';
import {
  runScript,
  type Assignment,
  type ElementDef,
  type Loc,
  type ReadFile,
  type ScriptResult,
  type ScriptSolve,
} from '../io/dss/script';
import { cinverse, ckron, cleading, cmatrix, type CMatrix } from './cmatrix';
import { createLineConstantsHook } from './geometryDss';
import { solveUnbalanced } from './solve';
import type {
  Conn,
  LoadModel,
  SourceLoc,
  Terminal,
  UBus,
  UCapacitor,
  UCapControl,
  UGenerator,
  ULine,
  ULoad,
  ULoadShape,
  UNetwork,
  URegControl,
  UShunt,
  UTransformer,
  UVsource,
  UWinding,
} from './model';

/** Series impedance and shunt capacitance of a line from its geometry (the line-constants module's job). */
export interface LineConstantsResult {
  readonly phases: number;
  /** Ohms per `unitsMetres` of length, phases×phases. */
  readonly z: CMatrix;
  /** nF per `unitsMetres` of length, phases×phases. */
  readonly cNf: CMatrix;
  /** Length of the unit the matrices are given per, metres (0: per the line's own length unit). */
  readonly unitsMetres: number;
}
export type LineConstantsHook = (
  line: ElementDef,
  script: ScriptResult,
  frequencyHz: number,
) => LineConstantsResult | { error: string };

export interface UnbalancedImportOptions {
  /** Commands run after the entry script (e.g. `Transformer.Reg1.Taps=[1.0 1.0625]`, `Set ControlMode=OFF`). */
  readonly extraLines?: readonly string[];
  /** Impedances from LineGeometry/WireData/…; absent: such lines are an error. */
  readonly lineConstants?: LineConstantsHook;
}

export interface ClassReport {
  readonly imported: number;
  readonly approximated: { readonly element: string; readonly what: string }[];
  readonly ignored: number;
}

export interface UnbalancedImportReport {
  readonly classes: Record<string, ClassReport>;
  /** Σ load kW / kvar at nominal (after allocation), as OpenDSS would use them. */
  readonly loadKw: number;
  readonly loadKvar: number;
  readonly voltageBasesKv: number[];
  readonly ignored: readonly IgnoredElement[];
}

export type UnbalancedImportOutcome =
  | {
      readonly ok: true;
      readonly network: UNetwork;
      readonly report: UnbalancedImportReport;
      readonly warnings: readonly ImportIssue[];
      readonly script: ScriptResult;
    }
  | { readonly ok: false; readonly errors: readonly ImportError[]; readonly warnings: readonly ImportIssue[] };

const METRES: Record<string, number> = {
  mi: 1609.344,
  kft: 304.8,
  km: 1000,
  m: 1,
  ft: 0.3048,
  in: 0.0254,
  cm: 0.01,
  mm: 0.001,
};

function lengthUnit(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === 'none' || v === '0') return 'none';
  if (v === 'meter' || v === 'metre' || v === 'me') return 'm';
  if (v in METRES) return v;
  const byNumber: Record<string, string> = {
    '1': 'mi',
    '2': 'kft',
    '3': 'km',
    '4': 'm',
    '5': 'ft',
    '6': 'in',
    '7': 'cm',
    '8': 'mm',
  };
  return byNumber[v] ?? null;
}

/** OpenDSS's predefined `default` load shape (24 hourly points), used by loads with no yearly shape. */
export const DEFAULT_LOADSHAPE = [
  0.677, 0.6256, 0.6087, 0.5833, 0.58028, 0.6025, 0.657, 0.7477, 0.832, 0.88, 0.94, 0.989, 0.985, 0.98, 0.9898, 0.999,
  1, 0.958, 0.936, 0.913, 0.876, 0.876, 0.828, 0.756,
];

const LIMIT = 1e12;

/** Line impedances from LineGeometry/WireData/CNData/TSData/LineSpacing (./geometryDss). */
const defaultLineConstants: LineConstantsHook = createLineConstantsHook();

/** Runs the script and builds the network. Voltage bases are computed by the caller's solver (./powerflow). */
export function importUnbalanced(
  entryPath: string,
  readFile: ReadFile,
  options: UnbalancedImportOptions = {},
): UnbalancedImportOutcome {
  const script = runScript(entryPath, readFile, { unbalanced: true, extraLines: options.extraLines });
  if (script.errors.length > 0) return { ok: false, errors: script.errors, warnings: script.warnings };
  const out = buildNetwork(script, entryPath, options);
  if (out.ok && (script.solves?.length ?? 0) > 0) replaySolves(script, entryPath, options, out);
  return out;
}

/** Assignments that set a transformer's taps or a capacitor's steps explicitly. */
const TAP_PROPS = new Set(['tap', 'taps', 'xfmrcode', 'like']);
const CAP_PROPS = new Set(['states', '@open', '@close', 'numsteps', 'like']);

/**
 * `Solve` in the script: OpenDSS solves the circuit as it stands at that line, and the taps its
 * regulators reach and the steps its capacitor controls switch stay for what follows (IEEE 13's
 * master ends with `Solve`, so a daily run after it starts from the full-load taps). Each
 * snapshot-mode solve is replayed in order on the network as defined up to that line (static
 * control mode unless ControlMode=OFF then); its taps and capacitor states carry forward to the
 * next solve and to the imported network, except where the script sets them again afterwards
 * (`Transformer.Reg1.Taps=[…]`, `Capacitor.C1.states=[…]`, Open/Close). A solve in a time mode
 * (Set Mode=Daily/Yearly/…) is listed as ignored by the script reader: `tessera pf --hours` runs
 * the series.
 */
function replaySolves(
  script: ScriptResult,
  entryPath: string,
  options: UnbalancedImportOptions,
  out: Extract<UnbalancedImportOutcome, { ok: true }>,
): void {
  const taps = new Map<string, number[]>();
  const caps = new Map<string, number[]>();
  let last: ScriptSolve | null = null;
  const setSince = (since: ScriptSolve | null, el: ElementDef, props: Set<string>) =>
    el.assignments.slice(since ? (since.assignmentCounts.get(el) ?? 0) : 0).some((a) => props.has(a.prop));
  const carry = (net: UNetwork, view: ScriptResult, since: ScriptSolve | null) => {
    const byKey = new Map(view.elements.map((e) => [`${e.cls}.${e.name.toLowerCase()}`, e]));
    for (const xf of net.transformers) {
      const t = taps.get(xf.name);
      const el = byKey.get(`transformer.${xf.name}`);
      if (!t || !el || setSince(since, el, TAP_PROPS)) continue;
      xf.windings.forEach((w, k) => (w.tap = t[k] ?? w.tap));
    }
    for (const c of net.capacitors) {
      const st = caps.get(c.name);
      const el = byKey.get(`capacitor.${c.name}`);
      if (!st || !el || setSince(since, el, CAP_PROPS) || st.length !== c.states.length) continue;
      c.states = [...st];
    }
  };
  for (const sv of script.solves ?? []) {
    const mode = (sv.options.get('mode') ?? 'snapshot').trim().toLowerCase();
    const controlMode = (sv.options.get('controlmode') ?? 'static').trim().toLowerCase();
    if (!mode.startsWith('s') || controlMode.startsWith('of')) continue;
    const elements = script.elements
      .slice(0, sv.elementCount)
      .map((e) => ({ ...e, assignments: e.assignments.slice(0, sv.assignmentCounts.get(e) ?? 0) }));
    const view: ScriptResult = {
      ...script,
      elements,
      options: new Map(sv.options),
      voltageBasesKv: [...sv.voltageBasesKv],
      solves: [],
    };
    const then = buildNetwork(view, entryPath, options);
    if (!then.ok) continue;
    carry(then.network, view, last);
    let solved = false;
    try {
      solved = solveUnbalanced(then.network, { tolerance: 1e-8 }).periods[0].converged;
    } catch (e) {
      (out.warnings as ImportIssue[]).push({
        file: sv.at.file,
        line: sv.at.line,
        message: `Solve: ${e instanceof Error ? e.message : String(e)}; taps and capacitor states left as the script sets them`,
      });
      continue;
    }
    if (!solved) {
      (out.warnings as ImportIssue[]).push({
        file: sv.at.file,
        line: sv.at.line,
        message: 'Solve: the power flow did not converge; taps and capacitor states left as the script sets them',
      });
      continue;
    }
    for (const xf of then.network.transformers)
      taps.set(
        xf.name,
        xf.windings.map((w) => w.tap),
      );
    for (const c of then.network.capacitors) caps.set(c.name, [...c.states]);
    last = sv;
    out.report.classes.solve = {
      imported: (out.report.classes.solve?.imported ?? 0) + 1,
      approximated: [],
      ignored: 0,
    };
  }
  if (last) carry(out.network, script, last);
}

export function buildNetwork(
  script: ScriptResult,
  entryFile: string,
  options: UnbalancedImportOptions = {},
): UnbalancedImportOutcome {
  const errors: ImportError[] = [];
  const warnings: ImportIssue[] = [...script.warnings];
  const classes: Record<
    string,
    { imported: number; approximated: { element: string; what: string }[]; ignored: number }
  > = {};
  const count = (cls: string) => (classes[cls] ??= { imported: 0, approximated: [], ignored: 0 });
  const error = (at: Loc, message: string): void =>
    void errors.push({ file: at.file, line: at.line, column: at.column, message });
  const label = (el: ElementDef) => `${el.cls}.${el.name}`;
  const cut = (v: string) => (v.length > 60 ? `${v.slice(0, 60)}…` : v);
  const locOf = (el: ElementDef): SourceLoc => ({ file: el.at.file, line: el.at.line });

  const num = (a: Assignment, el: ElementDef): number => {
    const v = parseDssNumber(a.value, a.quoted);
    if (!Number.isFinite(v)) {
      error(a.at, `${label(el)}: ${a.prop}="${cut(a.value)}" is not a number`);
      return NaN;
    }
    if (Math.abs(v) > LIMIT) {
      error(a.at, `${label(el)}: ${a.prop}=${cut(a.value)} is out of any sensible range`);
      return NaN;
    }
    return v;
  };
  const nums = (a: Assignment, el: ElementDef): number[] => {
    const items = splitArray(a.value);
    const out: number[] = [];
    for (const item of items) {
      const v = parseDssNumber(item, false);
      if (!Number.isFinite(v) || Math.abs(v) > LIMIT) {
        error(a.at, `${label(el)}: ${a.prop}="${cut(a.value)}" is not a list of numbers`);
        return [];
      }
      out.push(v);
    }
    return out;
  };
  const bool = (a: Assignment, el: ElementDef): boolean => {
    const v = parseDssBool(a.value);
    if (v === null) error(a.at, `${label(el)}: ${a.prop}="${cut(a.value)}" is not yes/no`);
    return v ?? false;
  };
  const int = (a: Assignment, el: ElementDef, lo: number, hi: number): number | null => {
    const v = num(a, el);
    if (Number.isNaN(v)) return null;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      error(a.at, `${label(el)}: ${a.prop} must be a whole number ${lo}–${hi}, got ${cut(a.value)}`);
      return null;
    }
    return v;
  };
  const matrix = (a: Assignment, el: ElementDef, n: number): number[] | null => {
    const m = parseSymMatrix(a.value);
    if (!m || m.values.some((v) => !Number.isFinite(v) || Math.abs(v) > LIMIT)) {
      error(a.at, `${label(el)}: ${a.prop} is not a symmetric matrix (lower triangle rows separated by |)`);
      return null;
    }
    if (m.n !== n) {
      error(a.at, `${label(el)}: ${a.prop} is ${m.n}×${m.n} but the element has ${n} phase${n === 1 ? '' : 's'}`);
      return null;
    }
    return m.values;
  };
  const conn = (a: Assignment, el: ElementDef): Conn => {
    const v = a.value.trim().toLowerCase();
    if (v.startsWith('w') || v.startsWith('y') || v === 'ln') return 'wye';
    if (v.startsWith('d') || v === 'll') return 'delta';
    error(a.at, `${label(el)}: ${a.prop}="${cut(a.value)}" is neither wye nor delta`);
    return 'wye';
  };
  const disabled = (el: ElementDef): boolean => {
    const last = [...el.assignments].reverse().find((a) => a.prop === 'enabled');
    return last !== undefined && parseDssBool(last.value) === false;
  };
  const byClass = (cls: string) => script.elements.filter((e) => e.cls === cls);
  /** Disabled elements (`enabled=no`, Disable): counted as ignored and named in the report. */
  const disabledList: IgnoredElement[] = [];
  const skipDisabled = (el: ElementDef, cls: string) => {
    count(cls).ignored++;
    disabledList.push({ file: el.at.file, line: el.at.line, element: `${el.cls}.${el.name} (disabled)` });
  };

  // Frequency: Set DefaultBaseFrequency (60 Hz unless told).
  const freqOpt = script.options.get('defaultbasefrequency') ?? script.options.get('basefrequency');
  const frequencyHz = freqOpt !== undefined && Number(freqOpt) > 0 ? Number(freqOpt) : 60;
  const omega = 2 * Math.PI * frequencyHz;

  /** A terminal: conductor k takes the k-th node given, else its default (k+1 for phases, 0 beyond). */
  const terminal = (spec: string, nconds: number, nphases: number): Terminal => {
    const { bus, nodes } = parseBusRef(spec);
    const out: number[] = [];
    for (let k = 0; k < nconds; k++) out.push(k < nodes.length ? nodes[k] : k < nphases ? k + 1 : 0);
    return { bus: bus.toLowerCase(), nodes: out };
  };
  const groundOf = (t: Terminal, nconds: number): Terminal => ({
    bus: t.bus,
    nodes: new Array<number>(nconds).fill(0),
  });

  const buses = new Map<string, UBus>();
  // OpenDSS numbers a bus's nodes in the order elements reference them (elements in the order
  // they were created, conductors in terminal order); CalcVoltageBases reads the first one.
  const created = new Map(script.elements.map((e, k) => [e, k]));
  const firstRef = new Map<string, number>();
  const useBus = (t: Terminal, el: ElementDef): void => {
    if (t.bus === '') return;
    let b = buses.get(t.bus);
    if (!b) {
      b = { name: t.bus, nodes: [], kvBaseLN: 0 };
      buses.set(t.bus, b);
    }
    for (const n of t.nodes) if (n > 0 && !b.nodes.includes(n)) b.nodes.push(n);
    const order = created.get(el) ?? Infinity;
    const node = t.nodes.find((n) => n > 0);
    if (node !== undefined && !(order >= (firstRef.get(t.bus) ?? Infinity))) {
      firstRef.set(t.bus, order);
      b.refNode = node;
    }
  };

  // ---- Load shapes ------------------------------------------------------------------------------
  const loadShapes = new Map<string, ULoadShape>();
  loadShapes.set('default', {
    name: 'default',
    mult: DEFAULT_LOADSHAPE,
    qmult: null,
    intervalHours: 1,
    hours: null,
    useActual: false,
  });
  for (const el of byClass('loadshape')) {
    let npts = 0;
    let interval = 1;
    let mult: number[] | null = null;
    let qmult: number[] | null = null;
    let hours: number[] | null = null;
    let useActual = false;
    for (const a of el.assignments) {
      const fromFile = a.fileValues?.columns;
      switch (a.prop) {
        case 'npts':
          npts = int(a, el, 0, 10_000_000) ?? 0;
          break;
        case 'interval':
          interval = num(a, el);
          break;
        case 'sinterval':
          interval = num(a, el) / 3600;
          break;
        case 'minterval':
          interval = num(a, el) / 60;
          break;
        case 'mult':
        case 'pmult':
          mult = fromFile ? [...fromFile[0]] : nums(a, el);
          break;
        case 'qmult':
          qmult = fromFile ? [...fromFile[0]] : nums(a, el);
          break;
        case 'hour':
          hours = fromFile ? [...fromFile[0]] : nums(a, el);
          interval = 0;
          break;
        case 'csvfile':
        case 'pqcsvfile':
          if (fromFile) {
            if (a.prop === 'pqcsvfile') {
              mult = [...(fromFile[0] ?? [])];
              qmult = fromFile[1] ? [...fromFile[1]] : null;
            } else if (interval === 0 && fromFile.length >= 2) {
              hours = [...fromFile[0]];
              mult = [...fromFile[1]];
            } else mult = [...(fromFile[0] ?? [])];
          }
          break;
        case 'useactual':
          useActual = bool(a, el);
          break;
        default:
          break;
      }
    }
    if (!mult) {
      error(el.at, `${label(el)}: no multipliers (mult=, csvfile=)`);
      continue;
    }
    if (npts > 0 && npts < mult.length) mult = mult.slice(0, npts);
    if (npts > 0 && qmult && npts < qmult.length) qmult = qmult.slice(0, npts);
    if (!(interval >= 0)) error(el.at, `${label(el)}: the interval must not be negative`);
    loadShapes.set(el.name.toLowerCase(), {
      name: el.name.toLowerCase(),
      mult,
      qmult,
      intervalHours: interval,
      hours,
      useActual,
    });
    count('loadshape').imported++;
  }
  const shapeRef = (a: Assignment, el: ElementDef): string | null => {
    const v = a.value.trim().toLowerCase();
    if (v === '' || v === 'none') return null;
    if (!loadShapes.has(v)) {
      error(a.at, `${label(el)}: ${a.prop}=${cut(a.value)} names no LoadShape`);
      return null;
    }
    return v;
  };

  // ---- Source ---------------------------------------------------------------------------------------
  const vsources: UVsource[] = [];
  const src = script.elements.find((e) => e.cls === 'vsource');
  if (!src || script.circuitName === null) {
    error({ file: entryFile, line: 1 }, 'the script defines no circuit (New Circuit.<name> …)');
    return { ok: false, errors, warnings };
  }
  {
    let bus1 = 'sourcebus';
    let bus2: string | null = null;
    let baseKv = 115;
    let pu = 1;
    let angle = 0;
    let phases = 3;
    let mvasc3 = 2000;
    let mvasc1 = 2100;
    let x1r1 = 4;
    let x0r0 = 3;
    let isc3 = 10000;
    let isc1 = 10500;
    let r1 = 1.65,
      x1 = 6.6,
      r0 = 1.9,
      x0 = 5.7;
    let spec: 'mvasc' | 'isc' | 'ohms' = 'mvasc';
    for (const a of src.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus1 = a.value;
          break;
        case 'bus2':
          bus2 = a.value;
          break;
        case 'basekv':
          baseKv = num(a, src);
          break;
        case 'pu':
          pu = num(a, src);
          break;
        case 'angle':
          angle = num(a, src);
          break;
        case 'phases':
          phases = int(a, src, 1, 20) ?? 3;
          break;
        case 'mvasc3':
          mvasc3 = num(a, src);
          spec = 'mvasc';
          break;
        case 'mvasc1':
          mvasc1 = num(a, src);
          spec = 'mvasc';
          break;
        case 'x1r1':
          x1r1 = num(a, src);
          break;
        case 'x0r0':
          x0r0 = num(a, src);
          break;
        case 'isc3':
          isc3 = num(a, src);
          spec = 'isc';
          break;
        case 'isc1':
          isc1 = num(a, src);
          spec = 'isc';
          break;
        case 'r1':
          r1 = num(a, src);
          spec = 'ohms';
          break;
        case 'x1':
          x1 = num(a, src);
          spec = 'ohms';
          break;
        case 'r0':
          r0 = num(a, src);
          spec = 'ohms';
          break;
        case 'x0':
          x0 = num(a, src);
          spec = 'ohms';
          break;
        case 'z1':
        case 'z0': {
          const v = nums(a, src);
          if (v.length === 2) {
            if (a.prop === 'z1') [r1, x1] = v;
            else [r0, x0] = v;
            spec = 'ohms';
          } else error(a.at, `Vsource.source: ${a.prop} must be [R X]`);
          break;
        }
        case 'frequency':
        case 'basefreq':
        case 'enabled':
        case 'like':
        case 'spectrum':
          break;
        case 'yearly':
        case 'daily':
        case 'duty':
          break;
        default:
          error(a.at, `Vsource.source: ${a.prop}= is not supported by the three-phase model`);
      }
    }
    if (!(baseKv > 0)) error(src.at, `Circuit basekv must be positive, got ${baseKv}`);
    if (spec !== 'ohms') {
      // Positive sequence from the three-phase level; zero sequence so that |2Z1 + Z0| meets the
      // single-phase level (OpenDSS's definition: MVAsc1 = kV² / ((2Z1 + Z0)/3)).
      const z1 = spec === 'mvasc' ? (baseKv * baseKv) / mvasc3 : (baseKv * 1000) / Math.sqrt(3) / isc3;
      r1 = z1 / Math.sqrt(1 + x1r1 * x1r1);
      x1 = r1 * x1r1;
      const target = spec === 'mvasc' ? (3 * baseKv * baseKv) / mvasc1 : (Math.sqrt(3) * baseKv * 1000) / isc1;
      const qa = 1 + x0r0 * x0r0;
      const qb = 4 * (r1 + x1 * x0r0);
      const qc = 4 * (r1 * r1 + x1 * x1) - target * target;
      r0 = (-qb + Math.sqrt(Math.max(0, qb * qb - 4 * qa * qc))) / (2 * qa);
      x0 = r0 * x0r0;
    }
    const z = cmatrix(phases);
    const zsr = (2 * r1 + r0) / 3,
      zsi = (2 * x1 + x0) / 3,
      zmr = (r0 - r1) / 3,
      zmi = (x0 - x1) / 3;
    for (let i = 0; i < phases; i++) {
      for (let j = 0; j < phases; j++) {
        z.re[i * phases + j] = i === j ? zsr : zmr;
        z.im[i * phases + j] = i === j ? zsi : zmi;
      }
    }
    const t1 = terminal(bus1, phases, phases);
    const t2 = bus2 === null ? groundOf(t1, phases) : terminal(bus2, phases, phases);
    useBus(t1, src);
    useBus(t2, src);
    vsources.push({ name: 'source', bus1: t1, bus2: t2, phases, baseKv, pu, angleDeg: angle, z });
    count('vsource').imported++;
  }

  // ---- Line codes ---------------------------------------------------------------------------------------
  interface ZState {
    phases: number;
    sym: boolean;
    r1: number;
    x1: number;
    r0: number;
    x0: number;
    c1: number;
    c0: number;
    r: number[] | null;
    x: number[] | null;
    c: number[] | null;
    units: string;
    normAmps?: number;
    emergAmps?: number;
    kron: boolean;
    neutral: number;
  }
  /** Matrices from the sequence values (as OpenDSS recomputes them whenever r1…c0 change). */
  const fromSeq = (z: ZState): void => {
    const n = z.phases;
    const zsr = (2 * z.r1 + z.r0) / 3,
      zsi = (2 * z.x1 + z.x0) / 3,
      zmr = (z.r0 - z.r1) / 3,
      zmi = (z.x0 - z.x1) / 3;
    const cs = (2 * z.c1 + z.c0) / 3,
      cmu = (z.c0 - z.c1) / 3;
    z.r = [];
    z.x = [];
    z.c = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        z.r.push(i === j ? zsr : zmr);
        z.x.push(i === j ? zsi : zmi);
        z.c.push(i === j ? cs : cmu);
      }
    }
  };
  const defaultZ = (phases = 3): ZState => {
    const z: ZState = {
      phases,
      sym: true,
      r1: 0.058,
      x1: 0.1206,
      r0: 0.1784,
      x0: 0.4047,
      c1: 3.4,
      c0: 1.6,
      r: null,
      x: null,
      c: null,
      units: 'none',
      kron: false,
      neutral: 0,
    };
    fromSeq(z);
    return z;
  };
  const cloneZ = (z: ZState): ZState => ({ ...z, r: z.r && [...z.r], x: z.x && [...z.x], c: z.c && [...z.c] });
  /**
   * Impedance properties common to Line and LineCode; false when `a` is not one of them. A matrix
   * replaces only itself: a code giving rmatrix/xmatrix but no cmatrix keeps the default
   * capacitance (c1 = 3.4, c0 = 1.6 nF per unit length), as in OpenDSS.
   */
  const applyZ = (z: ZState, a: Assignment, el: ElementDef): boolean => {
    switch (a.prop) {
      case 'r1':
      case 'x1':
      case 'r0':
      case 'x0':
      case 'c1':
      case 'c0':
        z[a.prop] = num(a, el);
        z.sym = true;
        fromSeq(z);
        return true;
      case 'b1':
      case 'b0':
        // µS per unit length → nF: C = B / ω.
        z[a.prop === 'b1' ? 'c1' : 'c0'] = ((num(a, el) * 1e-6) / omega) * 1e9;
        z.sym = true;
        fromSeq(z);
        return true;
      case 'rmatrix':
      case 'xmatrix':
      case 'cmatrix': {
        const m = matrix(a, el, z.phases);
        if (m) {
          z[a.prop.charAt(0) as 'r' | 'x' | 'c'] = m;
          z.sym = false;
        }
        return true;
      }
      case 'normamps':
        z.normAmps = num(a, el);
        return true;
      case 'emergamps':
        z.emergAmps = num(a, el);
        return true;
      default:
        return false;
    }
  };
  /** Per-unit-length Z (ohm) and C (nF) matrices of a state. */
  const zMatrices = (z: ZState): { zm: CMatrix; cm: CMatrix } => {
    const n = z.phases;
    const zm = cmatrix(n);
    const cm = cmatrix(n);
    for (let k = 0; k < n * n; k++) {
      zm.re[k] = z.r?.[k] ?? 0;
      zm.im[k] = z.x?.[k] ?? 0;
      cm.re[k] = z.c?.[k] ?? 0;
    }
    return { zm, cm };
  };
  const lineCodes = new Map<string, { z: ZState; el: ElementDef }>();
  for (const el of byClass('linecode')) {
    const z = defaultZ();
    for (const a of el.assignments) {
      if (a.prop === 'nphases') {
        const n = int(a, el, 1, 20);
        if (n !== null)
          Object.assign(z, { ...defaultZ(n), units: z.units, normAmps: z.normAmps, emergAmps: z.emergAmps });
      } else if (a.prop === 'units') {
        const u = lengthUnit(a.value);
        if (u === null) error(a.at, `${label(el)}: unknown length unit "${cut(a.value)}"`);
        else z.units = u;
      } else if (a.prop === 'kron') z.kron = bool(a, el);
      else if (a.prop === 'neutral') z.neutral = int(a, el, 1, 20) ?? 0;
      else if (
        [
          'basefreq',
          'faultrate',
          'pctperm',
          'repair',
          'rg',
          'xg',
          'rho',
          'like',
          'seasons',
          'ratings',
          'linetype',
        ].includes(a.prop)
      ) {
        /* no power-flow effect (Rg/Xg/rho concern line constants, given here as matrices) */
      } else if (!applyZ(z, a, el)) error(a.at, `${label(el)}: ${a.prop}= is not supported`);
    }
    if (z.kron && !z.sym && z.phases > 1) {
      // Reduce the neutral (the last conductor, or `neutral=`) out of the matrices.
      const { zm, cm } = zMatrices(z);
      const nn = z.neutral > 0 ? z.neutral - 1 : z.phases - 1;
      const order = [...Array(z.phases).keys()].filter((i) => i !== nn).concat([nn]);
      const perm = (m: CMatrix): CMatrix => {
        const o = cmatrix(m.n);
        for (let i = 0; i < m.n; i++)
          for (let j = 0; j < m.n; j++) {
            o.re[i * m.n + j] = m.re[order[i] * m.n + order[j]];
            o.im[i * m.n + j] = m.im[order[i] * m.n + order[j]];
          }
        return o;
      };
      const zr = ckron(perm(zm), z.phases - 1);
      // Capacitance: reduce the potential-coefficient matrix (C⁻¹), as for a grounded neutral.
      let cr: CMatrix;
      try {
        const pinv = cinverse(perm(cm));
        cr = cinverse(cleading(pinv, z.phases - 1));
      } catch {
        cr = cleading(perm(cm), z.phases - 1);
      }
      z.phases -= 1;
      z.r = Array.from(zr.re);
      z.x = Array.from(zr.im);
      z.c = Array.from(cr.re);
      count('linecode').approximated.push({ element: label(el), what: 'neutral Kron-reduced (grounded at both ends)' });
    }
    lineCodes.set(el.name.toLowerCase(), { z, el });
    count('linecode').imported++;
  }

  // ---- Lines, switches -------------------------------------------------------------------------------------
  const lines: ULine[] = [];
  const lineByName = new Map<string, ULine>();
  for (const el of script.elements.filter((e) => e.cls === 'line' || e.cls === 'switch')) {
    if (disabled(el)) {
      skipDisabled(el, 'line');
      continue;
    }
    let z = defaultZ();
    let bus1: string | null = null;
    let bus2: string | null = null;
    let length = 1;
    let lineUnits = 'none';
    let isSwitch = el.cls === 'switch';
    let geometry: string | null = null;
    let phasesGiven: number | null = null;
    const opens: { cmd: string; terminal: number; conductor: number }[] = [];
    const setSwitch = () => {
      Object.assign(z, { r1: 1, x1: 1, r0: 1, x0: 1, c1: 1.1, c0: 1, sym: true, units: 'none' });
      fromSeq(z);
      length = 0.001;
      lineUnits = 'none';
    };
    if (isSwitch) setSwitch();
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus1 = a.value;
          break;
        case 'bus2':
          bus2 = a.value;
          break;
        case 'length':
          length = num(a, el);
          break;
        case 'units': {
          const u = lengthUnit(a.value);
          if (u === null) error(a.at, `${label(el)}: unknown length unit "${cut(a.value)}"`);
          else lineUnits = u;
          break;
        }
        case 'phases': {
          const n = int(a, el, 1, 20);
          if (n !== null) {
            phasesGiven = n;
            if (z.sym) {
              z.phases = n;
              fromSeq(z);
            }
          }
          break;
        }
        case 'linecode': {
          const code = lineCodes.get(a.value.trim().toLowerCase());
          if (!code) error(a.at, `${label(el)}: LineCode "${cut(a.value)}" is not defined`);
          else {
            const keepAmps = z.normAmps;
            const keepEmerg = z.emergAmps;
            z = cloneZ(code.z);
            if (z.normAmps === undefined) z.normAmps = keepAmps;
            if (z.emergAmps === undefined) z.emergAmps = keepEmerg;
            phasesGiven = null;
          }
          break;
        }
        case 'switch':
          if (bool(a, el)) {
            isSwitch = true;
            setSwitch();
          } else isSwitch = false;
          break;
        case 'geometry':
        case 'spacing':
        case 'wires':
        case 'cncables':
        case 'tscables':
          geometry = a.prop;
          break;
        case '@open':
        case '@close': {
          const [t, c] = a.value.split(' ').map(Number);
          opens.push({ cmd: a.prop, terminal: t, conductor: c });
          break;
        }
        case 'faultrate':
        case 'pctperm':
        case 'repair':
        case 'basefreq':
        case 'enabled':
        case 'like':
        case 'seasons':
        case 'ratings':
        case 'linetype':
        case 'rg':
        case 'xg':
        case 'rho':
        case 'earthmodel':
          break;
        default:
          // Impedances written on the line itself are per unit of the line's own length.
          if (applyZ(z, a, el)) {
            if (a.prop !== 'normamps' && a.prop !== 'emergamps') z.units = 'none';
          } else error(a.at, `${label(el)}: ${a.prop}= is not supported`);
      }
    }
    if (!bus1 || !bus2) {
      error(el.at, `${label(el)}: ${!bus1 ? 'bus1' : 'bus2'} is not given`);
      continue;
    }
    if (!(length >= 0)) {
      error(el.at, `${label(el)}: length must not be negative, got ${length}`);
      continue;
    }
    let zm: CMatrix;
    let cm: CMatrix;
    let factor: number;
    if (geometry) {
      const hook = options.lineConstants ?? defaultLineConstants;
      if (!hook) {
        error(
          el.at,
          `${label(el)}: LineGeometry not supported yet (impedances from ${geometry}= need the line-constants module); give a LineCode or matrices`,
        );
        continue;
      }
      const lc = hook(el, script, frequencyHz);
      if ('error' in lc) {
        error(el.at, `${label(el)}: ${lc.error}`);
        continue;
      }
      z.phases = lc.phases;
      if (z.normAmps === undefined && 'normAmps' in lc && typeof lc.normAmps === 'number' && lc.normAmps > 0)
        z.normAmps = lc.normAmps;
      zm = lc.z;
      cm = lc.cNf;
      factor = lc.unitsMetres > 0 && lineUnits !== 'none' ? (length * METRES[lineUnits]) / lc.unitsMetres : length;
    } else {
      if (!z.sym && phasesGiven !== null && phasesGiven !== z.phases) {
        if (phasesGiven < z.phases) {
          count('line').approximated.push({
            element: label(el),
            what: `phases=${phasesGiven} on a ${z.phases}-phase matrix: its first ${phasesGiven}×${phasesGiven} block is used`,
          });
          const { zm: full, cm: cfull } = zMatrices(z);
          const zz = cleading(full, phasesGiven);
          const cc = cleading(cfull, phasesGiven);
          z.phases = phasesGiven;
          z.r = Array.from(zz.re);
          z.x = Array.from(zz.im);
          z.c = Array.from(cc.re);
        } else {
          error(el.at, `${label(el)}: phases=${phasesGiven} but its impedance matrix has ${z.phases} phases`);
          continue;
        }
      }
      ({ zm, cm } = zMatrices(z));
      factor = length;
      if (z.units !== 'none' && lineUnits !== 'none') factor = length * (METRES[lineUnits] / METRES[z.units]);
    }
    const n = z.phases;
    const zl = cmatrix(n);
    const ys = cmatrix(n);
    for (let k = 0; k < n * n; k++) {
      zl.re[k] = zm.re[k] * factor;
      zl.im[k] = zm.im[k] * factor;
      ys.im[k] = omega * cm.re[k] * 1e-9 * factor;
    }
    const t1 = terminal(bus1, n, n);
    const t2 = terminal(bus2, n, n);
    useBus(t1, el);
    useBus(t2, el);
    const open = [new Array<boolean>(n).fill(false), new Array<boolean>(n).fill(false)];
    for (const o of opens) {
      const terms = o.terminal >= 1 && o.terminal <= 2 ? [o.terminal - 1] : [0, 1];
      for (const t of terms)
        for (let c = 0; c < n; c++) if (o.conductor === 0 || o.conductor === c + 1) open[t][c] = o.cmd === '@open';
    }
    const line: ULine = {
      kind: isSwitch ? 'switch' : 'line',
      name: el.name.toLowerCase(),
      bus1: t1,
      bus2: t2,
      phases: n,
      z: zl,
      yShunt: ys,
      normAmps: z.normAmps,
      ...(z.emergAmps !== undefined ? { emergAmps: z.emergAmps } : {}),
      open,
      at: locOf(el),
    };
    lines.push(line);
    lineByName.set(line.name, line);
    count(isSwitch ? 'switch' : 'line').imported++;
  }

  // ---- Reactors ------------------------------------------------------------------------------------------
  const shunts: UShunt[] = [];
  for (const el of byClass('reactor')) {
    if (disabled(el)) {
      skipDisabled(el, 'reactor');
      continue;
    }
    let bus1: string | null = null;
    let bus2: string | null = null;
    let phases = 3;
    let kvar = 1200;
    let kv = 12.47;
    let cn: Conn = 'wye';
    let r: number | null = null;
    let x: number | null = null;
    let rp: number | null = null;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus1 = a.value;
          break;
        case 'bus2':
          bus2 = a.value;
          break;
        case 'phases':
          phases = int(a, el, 1, 20) ?? 3;
          break;
        case 'kvar':
          kvar = num(a, el);
          r = null;
          x = null;
          break;
        case 'kv':
          kv = num(a, el);
          break;
        case 'conn':
          cn = conn(a, el);
          break;
        case 'r':
          r = num(a, el);
          break;
        case 'x':
          x = num(a, el);
          break;
        case 'rp':
          rp = num(a, el);
          break;
        case 'lmh':
          x = num(a, el) * 1e-3 * omega;
          break;
        case 'normamps':
        case 'emergamps':
        case 'faultrate':
        case 'pctperm':
        case 'repair':
        case 'basefreq':
        case 'enabled':
        case 'like':
        case 'parallel':
          break;
        default:
          error(a.at, `${label(el)}: ${a.prop}= is not supported by the three-phase model`);
      }
    }
    if (!bus1) {
      error(el.at, `${label(el)}: bus1 is not given`);
      continue;
    }
    if (r === null && x === null) {
      // Specified by kvar at kV: per-phase reactance.
      const vph = cn === 'delta' ? kv : phases > 1 ? kv / Math.sqrt(3) : kv;
      x = (vph * vph * 1000) / (kvar / phases);
      r = 0;
    }
    const rr = r ?? 0;
    const xx = x ?? 0;
    if (rr === 0 && xx === 0) {
      error(el.at, `${label(el)}: zero impedance`);
      continue;
    }
    const den = rr * rr + xx * xx;
    let g = rr / den;
    const b = -xx / den;
    if (rp !== null && rp > 0) g += 1 / rp;
    const t1 = terminal(bus1, phases, phases);
    useBus(t1, el);
    if (bus2 !== null) {
      const t2 = terminal(bus2, phases, phases);
      useBus(t2, el);
      const zl = cmatrix(phases);
      for (let i = 0; i < phases; i++) {
        zl.re[i * phases + i] = rr;
        zl.im[i * phases + i] = xx;
      }
      const line: ULine = {
        kind: 'reactor',
        name: el.name.toLowerCase(),
        bus1: t1,
        bus2: t2,
        phases,
        z: zl,
        yShunt: cmatrix(phases),
        open: [new Array<boolean>(phases).fill(false), new Array<boolean>(phases).fill(false)],
        at: locOf(el),
      };
      lines.push(line);
    } else {
      shunts.push({
        name: el.name.toLowerCase(),
        bus: terminal(bus1, cn === 'wye' ? phases + 1 : phases, phases),
        phases,
        conn: cn,
        g,
        b,
        at: locOf(el),
      });
    }
    count('reactor').imported++;
  }

  // ---- Transformers (XfmrCode first) ------------------------------------------------------------------
  interface WState {
    bus: string | null;
    conn: Conn;
    kv: number;
    kva: number;
    rPu: number;
    tap: number;
    minTap: number;
    maxTap: number;
    numTaps: number;
  }
  interface XState {
    phases: number;
    windings: WState[];
    xsc: number[];
    imag: number;
    nll: number;
    ppm: number;
    active: number;
    bank?: string;
  }
  const defaultWinding = (): WState => ({
    bus: null,
    conn: 'wye',
    kv: 12.47,
    kva: 1000,
    rPu: 0.002,
    tap: 1,
    minTap: 0.9,
    maxTap: 1.1,
    numTaps: 32,
  });
  const defaultX = (): XState => ({
    phases: 3,
    windings: [defaultWinding(), defaultWinding()],
    xsc: [0.07, 0.35, 0.3],
    imag: 0,
    nll: 0,
    ppm: 1e-6,
    active: 0,
  });
  const xfmrCodes = new Map<string, XState>();
  const applyX = (s: XState, a: Assignment, el: ElementDef, allowBus: boolean): void => {
    const w = s.windings[s.active];
    const perWinding = <K extends keyof WState>(key: K, values: WState[K][]) =>
      values.forEach((v, i) => {
        if (s.windings[i]) s.windings[i][key] = v;
      });
    switch (a.prop) {
      case 'phases':
        s.phases = int(a, el, 1, 20) ?? s.phases;
        break;
      case 'windings': {
        const n = int(a, el, 2, 20);
        if (n !== null) {
          s.windings = Array.from({ length: n }, defaultWinding);
          s.xsc =
            n === 2
              ? [s.xsc[0]]
              : n === 3
                ? [s.xsc[0], s.xsc[1] ?? 0.35, s.xsc[2] ?? 0.3]
                : new Array<number>((n * (n - 1)) / 2).fill(0.3);
          s.active = 0;
        }
        break;
      }
      case 'wdg': {
        const n = int(a, el, 1, s.windings.length);
        if (n !== null) s.active = n - 1;
        break;
      }
      case 'bus':
        if (allowBus) w.bus = a.value;
        break;
      case 'conn':
        w.conn = conn(a, el);
        break;
      case 'kv':
        w.kv = num(a, el);
        break;
      case 'kva':
        w.kva = num(a, el);
        break;
      case 'tap':
        w.tap = num(a, el);
        break;
      case '%r':
        w.rPu = num(a, el) / 100;
        break;
      case 'maxtap':
        w.maxTap = num(a, el);
        break;
      case 'mintap':
        w.minTap = num(a, el);
        break;
      case 'numtaps':
        w.numTaps = int(a, el, 0, 10000) ?? w.numTaps;
        break;
      case 'buses':
        if (allowBus) perWinding('bus', splitArray(a.value));
        break;
      case 'conns':
        perWinding(
          'conn',
          splitArray(a.value).map((v) => conn({ ...a, value: v }, el)),
        );
        break;
      case 'kvs':
        perWinding('kv', nums(a, el));
        break;
      case 'kvas':
        perWinding('kva', nums(a, el));
        break;
      case 'taps':
        perWinding('tap', nums(a, el));
        break;
      case '%rs':
        perWinding(
          'rPu',
          nums(a, el).map((v) => v / 100),
        );
        break;
      case 'xhl':
      case 'x12':
        s.xsc[0] = num(a, el) / 100;
        break;
      case 'xht':
      case 'x13':
        s.xsc[1] = num(a, el) / 100;
        break;
      case 'xlt':
      case 'x23':
        s.xsc[2] = num(a, el) / 100;
        break;
      case 'xscarray':
        nums(a, el).forEach((v, i) => {
          if (i < s.xsc.length) s.xsc[i] = v / 100;
        });
        break;
      case '%loadloss': {
        const v = num(a, el) / 200;
        s.windings[0].rPu = v;
        if (s.windings[1]) s.windings[1].rPu = v;
        break;
      }
      case '%noloadloss':
        s.nll = num(a, el);
        break;
      case '%imag':
        s.imag = num(a, el);
        break;
      case 'ppm_antifloat':
        s.ppm = num(a, el) * 1e-6;
        break;
      case 'bank':
        s.bank = a.value.toLowerCase();
        break;
      case 'xfmrcode': {
        const code = xfmrCodes.get(a.value.trim().toLowerCase());
        if (!code) error(a.at, `${label(el)}: XfmrCode "${cut(a.value)}" is not defined`);
        else {
          s.phases = code.phases;
          s.windings = code.windings.map((cw, i) => ({ ...cw, bus: s.windings[i]?.bus ?? null }));
          s.xsc = [...code.xsc];
          s.imag = code.imag;
          s.nll = code.nll;
          s.ppm = code.ppm;
          s.active = 0;
        }
        break;
      }
      case 'rneut':
      case 'xneut':
        if (num(a, el) >= 0)
          count('transformer').approximated.push({
            element: label(el),
            what: `${a.prop} ignored (neutrals taken as connected to the node named in the bus)`,
          });
        break;
      case 'thermal':
      case 'n':
      case 'm':
      case 'flrise':
      case 'hsrise':
      case 'normhkva':
      case 'emerghkva':
      case 'sub':
      case 'subname':
      case 'xrconst':
      case 'leadlag':
      case 'wdgcurrents':
      case 'core':
      case 'rdcohms':
      case 'seasons':
      case 'ratings':
      case 'normamps':
      case 'emergamps':
      case 'faultrate':
      case 'pctperm':
      case 'repair':
      case 'basefreq':
      case 'enabled':
      case 'like':
        break;
      default:
        error(a.at, `${label(el)}: ${a.prop}= is not supported by the three-phase model`);
    }
  };
  for (const el of byClass('xfmrcode')) {
    const s = defaultX();
    for (const a of el.assignments) applyX(s, a, el, false);
    xfmrCodes.set(el.name.toLowerCase(), s);
    count('xfmrcode').imported++;
  }
  const transformers: UTransformer[] = [];
  const xfByName = new Map<string, UTransformer>();
  for (const el of byClass('transformer')) {
    if (disabled(el)) {
      skipDisabled(el, 'transformer');
      continue;
    }
    const s = defaultX();
    for (const a of el.assignments) applyX(s, a, el, true);
    const missing = s.windings.findIndex((w) => w.bus === null);
    if (missing >= 0) {
      error(el.at, `${label(el)}: winding ${missing + 1} has no bus`);
      continue;
    }
    if (s.windings.some((w) => !(w.kv > 0) || !(w.kva > 0))) {
      error(el.at, `${label(el)}: every winding needs a positive kV and kVA`);
      continue;
    }
    const nc = s.phases + 1;
    const windings: UWinding[] = s.windings.map((w) => {
      const t = terminal(w.bus!, nc, s.phases);
      useBus(t, el);
      return {
        bus: t,
        conn: w.conn,
        kv: w.kv,
        kva: w.kva,
        rPu: w.rPu,
        tap: w.tap,
        minTap: w.minTap,
        maxTap: w.maxTap,
        numTaps: w.numTaps,
      };
    });
    // Delta direction (OpenDSS, ANSI): a delta high-voltage winding leads… the low side lags by 30°.
    let deltaDirection: 1 | -1 = 1;
    if (windings[0].conn !== windings[1].conn) {
      const hv = windings[0].kv >= windings[1].kv ? 0 : 1;
      deltaDirection = windings[hv].conn === 'delta' ? -1 : 1;
    }
    const xf: UTransformer = {
      name: el.name.toLowerCase(),
      phases: s.phases,
      windings,
      xsc: s.xsc,
      imagPct: s.imag,
      noLoadLossPct: s.nll,
      ppmFloat: s.ppm,
      deltaDirection,
      bank: s.bank,
      at: locOf(el),
    };
    transformers.push(xf);
    xfByName.set(xf.name, xf);
    count('transformer').imported++;
  }

  // ---- Loads ------------------------------------------------------------------------------------------
  const loads: ULoad[] = [];
  let loadKw = 0;
  let loadKvar = 0;
  for (const el of byClass('load')) {
    if (disabled(el)) {
      skipDisabled(el, 'load');
      continue;
    }
    let phases = 3;
    let bus: string | null = null;
    let kv = 12.47;
    let kw = 10;
    let kvar = 0;
    let pf = 0.88;
    let kva = 0;
    let xfkva = 0;
    let alloc = 0.5;
    let kwh = 0;
    let kwhdays = 30;
    let cfactor = 4;
    let spec: 0 | 1 | 2 | 3 | 4 = 0;
    let model: LoadModel = 1;
    let cn: Conn = 'wye';
    let vminpu = 0.95,
      vmaxpu = 1.05,
      vlowpu = 0.5;
    let cvrWatts = 1,
      cvrVars = 2;
    let zipv: number[] | null = null;
    let fixed = false;
    let daily: string | null = null,
      yearly: string | null = 'default',
      duty: string | null = null;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = int(a, el, 1, 20) ?? phases;
          break;
        case 'bus1':
          bus = a.value;
          break;
        case 'kv':
          kv = num(a, el);
          break;
        case 'kw':
          kw = num(a, el);
          if (spec !== 1) spec = 0;
          break;
        case 'kvar':
          kvar = num(a, el);
          spec = 1;
          break;
        case 'pf':
          pf = num(a, el);
          if (spec === 1) spec = 0;
          break;
        case 'kva':
          kva = num(a, el);
          spec = 2;
          break;
        case 'xfkva':
          xfkva = num(a, el);
          spec = 3;
          break;
        case 'allocationfactor':
          alloc = num(a, el);
          spec = 3;
          break;
        case 'kwh':
          kwh = num(a, el);
          spec = 4;
          break;
        case 'kwhdays':
          kwhdays = num(a, el);
          break;
        case 'cfactor':
          cfactor = num(a, el);
          break;
        case 'model': {
          const m = int(a, el, 1, 8);
          if (m !== null) model = m as LoadModel;
          break;
        }
        case 'conn':
          cn = conn(a, el);
          break;
        case 'vminpu':
          vminpu = num(a, el);
          break;
        case 'vmaxpu':
          vmaxpu = num(a, el);
          break;
        case 'vlowpu':
          vlowpu = num(a, el);
          break;
        case 'cvrwatts':
          cvrWatts = num(a, el);
          break;
        case 'cvrvars':
          cvrVars = num(a, el);
          break;
        case 'zipv': {
          const v = nums(a, el);
          if (v.length !== 7) error(a.at, `${label(el)}: ZIPV needs 7 values, got ${v.length}`);
          else zipv = v;
          break;
        }
        case 'status': {
          const v = a.value.trim().toLowerCase();
          fixed = v.startsWith('f');
          break;
        }
        case 'daily':
          daily = shapeRef(a, el);
          break;
        case 'yearly':
          yearly = shapeRef(a, el);
          break;
        case 'duty':
          duty = shapeRef(a, el);
          break;
        case 'growth':
        case 'rneut':
        case 'xneut':
        case 'class':
        case 'vminnorm':
        case 'vminemerg':
        case '%mean':
        case '%stddev':
        case 'cvrcurve':
        case 'numcust':
        case '%seriesrl':
        case 'relweight':
        case 'puxharm':
        case 'xrharm':
        case 'spectrum':
        case 'basefreq':
        case 'enabled':
        case 'like':
          break;
        default:
          error(a.at, `${label(el)}: ${a.prop}= is not supported by the three-phase model`);
      }
    }
    if (!bus) {
      error(el.at, `${label(el)}: bus1 is not given`);
      continue;
    }
    if (!(kv > 0)) {
      error(el.at, `${label(el)}: kV must be positive`);
      continue;
    }
    if (model === 8 && !zipv) {
      error(el.at, `${label(el)}: model=8 needs ZIPV=[…7 values]`);
      continue;
    }
    const q = (p: number) => {
      const v = p * Math.sqrt(Math.max(0, 1 / (pf * pf) - 1));
      return pf < 0 ? -v : v;
    };
    if (spec === 0) kvar = q(kw);
    else if (spec === 2 || spec === 3) {
      const s = spec === 2 ? kva : alloc * xfkva;
      kw = s * Math.abs(pf);
      kvar = q(kw);
    } else if (spec === 4) {
      kw = (kwh / (kwhdays * 24)) * cfactor;
      kvar = q(kw);
      count('load').approximated.push({
        element: label(el),
        what: `kW from kWh=${kwh} over ${kwhdays} days × Cfactor ${cfactor} = ${kw.toFixed(3)} kW`,
      });
    }
    const nc = cn === 'wye' ? phases + 1 : phases === 1 || phases === 2 ? phases + 1 : phases;
    const t = terminal(bus, nc, phases);
    useBus(t, el);
    loads.push({
      name: el.name.toLowerCase(),
      bus: t,
      phases,
      conn: cn,
      kv,
      kw,
      kvar,
      model,
      vminpu,
      vmaxpu,
      vlowpu,
      cvrWatts,
      cvrVars,
      zipv,
      fixed,
      daily,
      yearly,
      duty,
      at: locOf(el),
    });
    loadKw += kw;
    loadKvar += kvar;
    count('load').imported++;
  }

  // ---- Capacitors --------------------------------------------------------------------------------------
  const capacitors: UCapacitor[] = [];
  for (const el of byClass('capacitor')) {
    if (disabled(el)) {
      skipDisabled(el, 'capacitor');
      continue;
    }
    let bus1: string | null = null;
    let bus2: string | null = null;
    let phases = 3;
    let kvar = [1200];
    let kv = 12.47;
    let cn: Conn = 'wye';
    let states: number[] | null = null;
    let opened = false;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus1 = a.value;
          break;
        case 'bus2':
          bus2 = a.value;
          break;
        case 'phases':
          phases = int(a, el, 1, 20) ?? phases;
          break;
        case 'kvar':
          kvar = nums(a, el);
          break;
        case 'kv':
          kv = num(a, el);
          break;
        case 'conn':
          cn = conn(a, el);
          break;
        case 'numsteps': {
          const n = int(a, el, 1, 1000);
          if (n !== null && n !== kvar.length) kvar = new Array<number>(n).fill(kvar.reduce((x, y) => x + y, 0) / n);
          break;
        }
        case 'states':
          states = nums(a, el).map((v) => (v ? 1 : 0));
          break;
        case '@open':
          opened = true;
          break;
        case '@close':
          opened = false;
          break;
        case 'normamps':
        case 'emergamps':
        case 'faultrate':
        case 'pctperm':
        case 'repair':
        case 'basefreq':
        case 'enabled':
        case 'like':
        case 'harm':
          break;
        default:
          error(a.at, `${label(el)}: ${a.prop}= is not supported by the three-phase model`);
      }
    }
    if (!bus1) {
      error(el.at, `${label(el)}: bus1 is not given`);
      continue;
    }
    const t1 = terminal(bus1, phases, phases);
    const t2 = bus2 === null ? groundOf(t1, phases) : terminal(bus2, phases, phases);
    useBus(t1, el);
    useBus(t2, el);
    const st = kvar.map((_, i) => (opened ? 0 : (states?.[i] ?? 1)));
    capacitors.push({
      name: el.name.toLowerCase(),
      bus1: t1,
      bus2: t2,
      phases,
      conn: cn,
      kv,
      kvarSteps: kvar,
      states: st,
      at: locOf(el),
    });
    count('capacitor').imported++;
  }

  // ---- PV, storage, generators (PQ injections) --------------------------------------------------------
  const generators: UGenerator[] = [];
  for (const el of script.elements.filter(
    (e) => e.cls === 'pvsystem' || e.cls === 'storage' || e.cls === 'generator',
  )) {
    if (disabled(el)) {
      skipDisabled(el, el.cls);
      continue;
    }
    let phases = 3;
    let bus: string | null = null;
    let kv = 12.47;
    let cn: Conn = 'wye';
    let kw = el.cls === 'generator' ? 1000 : 0;
    let pf = el.cls === 'generator' ? 0.8 : 1;
    let kvar: number | null = null;
    let pmpp = 500;
    let irradiance = 1;
    let state = 'idling';
    let daily: string | null = null,
      yearly: string | null = null,
      duty: string | null = null;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = int(a, el, 1, 20) ?? phases;
          break;
        case 'bus1':
          bus = a.value;
          break;
        case 'kv':
          kv = num(a, el);
          break;
        case 'conn':
          cn = conn(a, el);
          break;
        case 'kw':
          kw = num(a, el);
          break;
        case 'pf':
          pf = num(a, el);
          kvar = null;
          break;
        case 'kvar':
          kvar = num(a, el);
          break;
        case 'pmpp':
          pmpp = num(a, el);
          break;
        case 'irradiance':
          irradiance = num(a, el);
          break;
        case 'state':
          state = a.value.trim().toLowerCase();
          break;
        case 'daily':
          daily = shapeRef(a, el);
          break;
        case 'yearly':
          yearly = shapeRef(a, el);
          break;
        case 'duty':
          duty = shapeRef(a, el);
          break;
        default:
          break; // ratings, inverter curves, controls: not part of a PQ injection
      }
    }
    if (!bus) {
      error(el.at, `${label(el)}: bus1 is not given`);
      continue;
    }
    let p = kw;
    if (el.cls === 'pvsystem') p = pmpp * irradiance;
    if (el.cls === 'storage') p = state.startsWith('d') ? Math.abs(kw) : state.startsWith('c') ? -Math.abs(kw) : 0;
    const qv = kvar ?? (pf === 0 ? 0 : Math.sign(pf) * Math.abs(p) * Math.sqrt(Math.max(0, 1 / (pf * pf) - 1)));
    const t = terminal(bus, cn === 'wye' ? phases + 1 : phases, phases);
    useBus(t, el);
    generators.push({
      kind: el.cls as UGenerator['kind'],
      name: el.name.toLowerCase(),
      bus: t,
      phases,
      conn: cn,
      kv,
      kw: p,
      kvar: qv,
      daily,
      yearly,
      duty,
      at: locOf(el),
    });
    count(el.cls).imported++;
    count(el.cls).approximated.push({
      element: label(el),
      what: 'a constant-power injection at its present output (no inverter limits or controls)',
    });
  }

  // ---- Controls ----------------------------------------------------------------------------------------
  const regControls: URegControl[] = [];
  for (const el of byClass('regcontrol')) {
    let transformer = '';
    let winding = 1;
    let vreg = 120,
      band = 3,
      ptratio = 60,
      ctprim = 300,
      r = 0,
      x = 0,
      ptphase = 1,
      maxTapChange = 16,
      delay = 15,
      tapDelay = 2;
    let tapWinding: number | null = null;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'transformer':
          transformer = a.value.trim().toLowerCase();
          break;
        case 'winding':
          winding = int(a, el, 1, 20) ?? 1;
          break;
        case 'vreg':
          vreg = num(a, el);
          break;
        case 'band':
          band = num(a, el);
          break;
        case 'ptratio':
          ptratio = num(a, el);
          break;
        case 'ctprim':
          ctprim = num(a, el);
          break;
        case 'r':
          r = num(a, el);
          break;
        case 'x':
          x = num(a, el);
          break;
        case 'ptphase': {
          const v = a.value.trim().toLowerCase();
          ptphase = v === 'max' || v === 'min' ? 1 : (int(a, el, 1, 20) ?? 1);
          if (v === 'max' || v === 'min')
            count('regcontrol').approximated.push({ element: label(el), what: `PTphase=${v} read as phase 1` });
          break;
        }
        case 'maxtapchange':
          maxTapChange = int(a, el, 0, 1000) ?? maxTapChange;
          break;
        case 'delay':
          delay = num(a, el);
          break;
        case 'tapdelay':
          tapDelay = num(a, el);
          break;
        case 'tapwinding':
          tapWinding = int(a, el, 1, 20);
          break;
        default:
          break; // delays, reverse settings, logging: no effect on a static solution
      }
    }
    const xf = xfByName.get(transformer);
    if (!xf) {
      error(el.at, `${label(el)}: transformer "${transformer}" is not defined`);
      continue;
    }
    if (winding > xf.windings.length) {
      error(el.at, `${label(el)}: winding ${winding} but ${transformer} has ${xf.windings.length}`);
      continue;
    }
    regControls.push({
      name: el.name.toLowerCase(),
      transformer,
      winding,
      vreg,
      band,
      ptratio,
      ctprim,
      r,
      x,
      ptphase,
      maxTapChange,
      tapWinding: tapWinding ?? winding,
      delay,
      tapDelay,
      enabled: !disabled(el),
      at: locOf(el),
    });
    count('regcontrol').imported++;
  }
  const capControls: UCapControl[] = [];
  for (const el of byClass('capcontrol')) {
    let capacitor = '';
    let element = '';
    let term = 1;
    let type: UCapControl['type'] = 'current';
    let ptratio = 60,
      ctratio = 60,
      on = 300,
      off = 200,
      vmin = 115,
      vmax = 126;
    let voltOverride = false;
    let ptPhase = 1,
      ctPhase = 1,
      delay = 15,
      delayOff = 15;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'capacitor':
          capacitor = a.value.trim().toLowerCase();
          break;
        case 'element':
          element = a.value.trim().toLowerCase();
          break;
        case 'terminal':
          term = int(a, el, 1, 20) ?? 1;
          break;
        case 'type': {
          const v = a.value.trim().toLowerCase();
          type = v.startsWith('v')
            ? 'voltage'
            : v.startsWith('k')
              ? 'kvar'
              : v.startsWith('c')
                ? 'current'
                : v.startsWith('p')
                  ? 'pf'
                  : v.startsWith('t')
                    ? 'time'
                    : type;
          break;
        }
        case 'ptratio':
          ptratio = num(a, el);
          break;
        case 'ctratio':
          ctratio = num(a, el);
          break;
        case 'onsetting':
          on = num(a, el);
          break;
        case 'offsetting':
          off = num(a, el);
          break;
        case 'voltoverride':
          voltOverride = bool(a, el);
          break;
        case 'vmin':
          vmin = num(a, el);
          break;
        case 'vmax':
          vmax = num(a, el);
          break;
        case 'ptphase':
          ptPhase = Number(a.value) || 1;
          break;
        case 'ctphase':
          ctPhase = Number(a.value) || 1;
          break;
        case 'delay':
          delay = num(a, el);
          break;
        case 'delayoff':
          delayOff = num(a, el);
          break;
        default:
          break;
      }
    }
    if (type === 'pf' || type === 'time')
      count('capcontrol').approximated.push({
        element: label(el),
        what: `type=${type} is not simulated: the capacitor keeps its state`,
      });
    if (!capacitors.some((c) => c.name === capacitor)) {
      error(el.at, `${label(el)}: capacitor "${capacitor}" is not defined`);
      continue;
    }
    capControls.push({
      name: el.name.toLowerCase(),
      capacitor,
      element,
      terminal: term,
      type,
      ptratio,
      ctratio,
      onSetting: on,
      offSetting: off,
      voltOverride,
      vmin,
      vmax,
      ptPhase,
      ctPhase,
      delay,
      delayOff,
      enabled: !disabled(el),
      at: locOf(el),
    });
    count('capcontrol').imported++;
  }

  // Bus coordinates.
  for (const [name, c] of script.coords) {
    const b = buses.get(name);
    if (b) {
      b.x = c.x;
      b.y = c.y;
    }
  }
  for (const b of buses.values()) b.nodes.sort((x, y) => x - y);
  for (const ig of script.ignored) {
    const cls = ig.element.startsWith('command') ? 'commands' : ig.element.split('.')[0].toLowerCase();
    count(cls).ignored++;
  }

  if (errors.length > 0) return { ok: false, errors, warnings };
  const cm = (script.options.get('controlmode') ?? 'static').trim().toLowerCase();
  const controlMode: UNetwork['controlMode'] = cm.startsWith('of')
    ? 'off'
    : cm.startsWith('t')
      ? 'time'
      : cm.startsWith('e')
        ? 'event'
        : 'static';
  const lm = Number(script.options.get('loadmult') ?? 1);
  const network: UNetwork = {
    name: script.circuitName ?? 'circuit',
    frequencyHz,
    buses,
    vsources,
    lines,
    transformers,
    loads,
    generators,
    capacitors,
    shunts,
    regControls,
    capControls,
    loadShapes,
    voltageBasesKv: [...script.voltageBasesKv],
    controlMode,
    loadMult: Number.isFinite(lm) && lm >= 0 ? lm : 1,
  };
  void lineByName;
  return {
    ok: true,
    network,
    warnings,
    script,
    report: {
      classes,
      loadKw,
      loadKvar,
      voltageBasesKv: [...script.voltageBasesKv],
      ignored: [...script.ignored, ...disabledList],
    },
  };
}
