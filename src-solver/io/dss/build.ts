/**
 * Element definitions (./script) → the balanced single-phase-equivalent Feeder.
 *
 * Each element's assignments are replayed in order into a state with OpenDSS's defaults, so
 * order-dependent rules hold (a LineCode then r1 overrides; `switch=y` resets r1/x1/r0/x0 and
 * length; `wdg=` selects the winding the next `kV=` applies to; kW then kvar vs kW then pf).
 * One builder per element class (circuit, line codes, lines, transformers, loads, capacitors, PV,
 * storage, load shapes) over a shared `BuildContext` that collects errors, warnings, reduction
 * notes and source locations; `buildFeeder` calls them in a fixed order, so buses are numbered
 * and diagnostics listed as the script meets them.
 *
 * Reduction to the single-phase equivalent (what the OPF solves):
 * - powers: a three-phase source circuit's totals are divided by 3 (per-phase equivalent); a
 *   single-phase source circuit (the reference IEEE 123 case) is already per phase — scale 1;
 * - lines: positive-sequence impedance — r1 + j·x1 when given as sequence data, else
 *   Zs − Zm from the phase matrix (mean diagonal minus mean off-diagonal, OpenDSS's
 *   MakePosSequence), the self impedance for a one-phase matrix; times length in the
 *   impedance's units; shunt capacitance dropped;
 * - transformers (2-winding): (%R1 + %R2) + j·XHL on winding 1's kVA, in ohm referred to
 *   winding 2's kV; bus base voltages follow the winding kV ratio from the source; taps other
 *   than 1 and winding phase shifts are reported, not modelled;
 * - branches between the same two buses on different phases (a bank of single-phase regulators)
 *   become one branch with their mean impedance; on shared phases, the parallel combination;
 * - loads keep their element; the report gives each bus's phase imbalance.
 */
import type { Battery, Branch, BranchKind, Bus, Capacitor, Feeder, Load, Pv, Shape } from '../../model/feeder';
import type { ImportError, ImportIssue, ReductionNote, ReductionReport } from '../types';
import { SourceMap } from '../validation';
import { parseBusRef, parseDssBool, parseDssNumber, parseNumberArray, parseSymMatrix, splitArray } from './lexer';
import type { Assignment, ElementDef, Loc, ScriptResult } from './script';
import { METRES_PER_UNIT as METRES } from './units';

export interface DssBuildOptions {
  /** Per-unit power base, kVA per phase; default 1000. */
  readonly baseKva?: number;
  /** Battery SOC ceiling (OpenDSS has none: it may fill to kWhrated); default 1. */
  readonly storageSocMax?: number;
  /** Feeder name; default the circuit's name. */
  readonly name?: string;
}

interface Complex {
  re: number;
  im: number;
}

function lengthUnit(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === 'none' || v === '') return 'none';
  return v in METRES ? v : null;
}

interface BranchDraft {
  name: string;
  elements: string[];
  kind: BranchKind;
  bus1: string;
  bus2: string;
  nodes1: number[];
  phases: number;
  z: Complex;
  ampacityA?: number;
  /** kV2/kV1 for transformers (base propagation), 1 for lines. */
  ratio: number;
  at: Loc;
}

export interface BuildOutput {
  feeder: Feeder | null;
  errors: ImportError[];
  warnings: ImportIssue[];
  reduction: ReductionReport | null;
  sources: SourceMap;
}

export function buildFeeder(script: ScriptResult, entryFile: string, options: DssBuildOptions = {}): BuildOutput {
  const ctx = new BuildContext(script, entryFile);
  const circuit = readCircuit(ctx);
  if (!circuit)
    return { feeder: null, errors: ctx.errors, warnings: ctx.warnings, reduction: null, sources: ctx.sources };
  const lineCodes = readLineCodes(ctx);
  const drafts = [...buildLines(ctx, circuit, lineCodes), ...buildTransformers(ctx)];
  const merged = mergeParallel(ctx, drafts);

  const buses = new BusTable(ctx.sources);
  buses.touch(circuit.bus, circuit.at);
  for (const d of merged) {
    d.bus1 = buses.touch(d.bus1, d.at);
    d.bus2 = buses.touch(d.bus2, d.at);
  }
  const { loads, largestLoadImbalance } = buildLoads(ctx, circuit, buses);
  const { capacitors, ratings } = buildCapacitors(ctx, circuit, buses);
  const pv = buildPv(ctx, circuit, buses);
  const batteries = buildStorage(ctx, circuit, buses, options.storageSocMax);
  const shapes = buildShapes(ctx);

  const baseKv = baseVoltages(circuit, merged);
  const busList = busesWithBases(ctx, circuit, buses, baseKv);
  rescaleCapacitors(ctx, capacitors, ratings, baseKv);

  const branches: Branch[] = merged.map((d) => {
    ctx.sources.set('branch', d.name, d.at);
    const br: Branch = { name: d.name, from: d.bus1, to: d.bus2, rOhm: d.z.re, xOhm: d.z.im, kind: d.kind };
    return d.ampacityA !== undefined ? { ...br, ampacityA: d.ampacityA } : br;
  });

  const feeder: Feeder = {
    name: options.name ?? script.circuitName!,
    baseKva: options.baseKva ?? 1000,
    substation: { bus: buses.names.get(circuit.bus.toLowerCase())!, vSetPu: circuit.pu },
    buses: busList,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes,
  };
  ctx.sources.set('substation', '', circuit.at);
  const { phases: sourcePhases, powerScale } = circuit;
  const notes = ctx.notes;
  const reduction: ReductionReport | null =
    sourcePhases === 1 && notes.length === 0 ? null : { sourcePhases, powerScale, notes, largestLoadImbalance };
  return { feeder, errors: ctx.errors, warnings: ctx.warnings, reduction, sources: ctx.sources };
}

/** What every element builder shares: the script, the diagnostics and the value readers. */
class BuildContext {
  readonly errors: ImportError[] = [];
  readonly warnings: ImportIssue[] = [];
  readonly notes: ReductionNote[] = [];
  readonly sources: SourceMap;

  constructor(
    readonly script: ScriptResult,
    readonly entryFile: string,
  ) {
    this.sources = new SourceMap({ file: entryFile, line: 1 });
  }

  error(at: Loc, message: string): void {
    this.errors.push({ ...at, message });
  }

  warn(at: Loc, message: string): void {
    this.warnings.push({ ...at, message });
  }

  note(note: ReductionNote): void {
    this.notes.push(note);
  }

  byClass(cls: string): ElementDef[] {
    return this.script.elements.filter((e) => e.cls === cls);
  }

  /** The element's last `enabled=` says no. */
  disabled(el: ElementDef): boolean {
    const last = [...el.assignments].reverse().find((a) => a.prop === 'enabled');
    return last !== undefined && parseDssBool(last.value) === false;
  }

  /** The enabled elements of a class, in order; a disabled one is warned about (when met) if `warnDisabled`. */
  *enabled(cls: string, warnDisabled: boolean): Generator<ElementDef> {
    for (const el of this.byClass(cls)) {
      if (!this.disabled(el)) yield el;
      else if (warnDisabled) this.warn(el.at, `${el.cls}.${el.name} is disabled (enabled=no) and left out`);
    }
  }

  num(a: Assignment, el: ElementDef): number {
    const v = parseDssNumber(a.value, a.quoted);
    if (!Number.isFinite(v)) this.error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not a number`);
    return v;
  }

  bool(a: Assignment, el: ElementDef): boolean {
    const v = parseDssBool(a.value);
    if (v === null) this.error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not yes/no`);
    return v ?? false;
  }

  nums(a: Assignment, el: ElementDef): number[] {
    const v = parseNumberArray(a.value);
    if (v) return v;
    // Arrays of RPN expressions are rare; accept a single quoted expression as one value.
    const single = parseDssNumber(a.value, a.quoted);
    if (Number.isFinite(single)) return [single];
    this.error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not a list of numbers`);
    return [];
  }

  /** A phase count: a whole number 1–20 (else an error and 3). */
  phasesOf(a: Assignment, el: ElementDef): number {
    const v = this.num(a, el);
    if (Number.isInteger(v) && v >= 1 && v <= 20) return v;
    if (Number.isFinite(v))
      this.error(a.at, `${el.cls}.${el.name}: phases must be a whole number 1–20, got ${a.value}`);
    return 3;
  }

  /** A phase count for an impedance (`label` = `line.x`/`linecode.x`): a whole number 1–20, else an error and null. */
  impedancePhases(a: Assignment, el: ElementDef, label: string): number | null {
    const n = this.num(a, el);
    if (Number.isInteger(n) && n >= 1 && n <= 20) return n;
    this.error(a.at, `${label}: ${a.prop} must be a whole number 1–20, got ${a.value}`);
    return null;
  }

  /** A device needs its bus: an error naming the element when bus1 was never given. */
  requireBus<T>(el: ElementDef, bus: T | null): bus is T {
    if (bus) return true;
    this.error(el.at, `${el.cls}.${el.name}: bus1 is not given`);
    return false;
  }
}

/** The source circuit (its Vsource) and the power scale it sets for every element. */
interface Circuit {
  readonly bus: string;
  readonly pu: number;
  readonly phases: number;
  /** 1 / phases: a three-phase circuit's totals become per-phase powers. */
  readonly powerScale: number;
  /** The source bus's line-to-neutral base, kV. */
  readonly vlnKv: number;
  readonly at: Loc;
}

function readCircuit(ctx: BuildContext): Circuit | null {
  const source = ctx.script.elements.find((e) => e.cls === 'vsource');
  if (!source || ctx.script.circuitName === null) {
    ctx.error({ file: ctx.entryFile, line: 1 }, 'the script defines no circuit (New Circuit.<name> …)');
    return null;
  }
  let bus = 'sourcebus';
  let baseKv = 115;
  let pu = 1;
  let phases = 3;
  for (const a of source.assignments) {
    if (a.prop === 'bus1') bus = parseBusRef(a.value).bus;
    else if (a.prop === 'basekv') baseKv = ctx.num(a, source);
    else if (a.prop === 'pu') pu = ctx.num(a, source);
    else if (a.prop === 'phases') phases = ctx.phasesOf(a, source);
  }
  if (!(baseKv > 0)) ctx.error(source.at, `Circuit basekv must be positive, got ${baseKv}`);
  if (!Number.isInteger(phases) || phases < 1) {
    ctx.error(source.at, `Circuit phases must be a positive whole number, got ${phases}`);
    phases = 3;
  }
  const vlnKv = phases === 1 ? baseKv : baseKv / Math.sqrt(3);
  return { bus, pu, phases, powerScale: 1 / phases, vlnKv, at: source.at };
}

// ---- Impedances: LineCode and Line ------------------------------------------------------------

interface ZData {
  phases: number;
  sym: boolean;
  r1: number;
  x1: number;
  r0: number;
  x0: number;
  rmatrix: number[] | null;
  xmatrix: number[] | null;
  normamps?: number;
}

interface LineCode {
  readonly z: ZData;
  readonly units: string;
}

const defaultZ = (): ZData => ({
  phases: 3,
  sym: true,
  r1: 0.058,
  x1: 0.1206,
  r0: 0.1784,
  x0: 0.4047,
  rmatrix: null,
  xmatrix: null,
});

/** Applies an impedance property common to Line and LineCode; false when not one of them. */
function applyZ(ctx: BuildContext, z: ZData, a: Assignment, el: ElementDef): boolean {
  switch (a.prop) {
    case 'r1':
    case 'x1':
    case 'r0':
    case 'x0':
      z[a.prop] = ctx.num(a, el);
      z.sym = true;
      return true;
    case 'c1':
    case 'c0':
    case 'b1':
    case 'b0':
      z.sym = true;
      return true;
    case 'rmatrix':
    case 'xmatrix': {
      const m = parseSymMatrix(a.value);
      if (!m)
        ctx.error(
          a.at,
          `${el.cls}.${el.name}: ${a.prop} is not a symmetric matrix (lower triangle rows separated by |)`,
        );
      else if (m.n !== z.phases)
        ctx.error(
          a.at,
          `${el.cls}.${el.name}: ${a.prop} is ${m.n}×${m.n} but the element has ${z.phases} phase${z.phases === 1 ? '' : 's'}`,
        );
      else {
        z[a.prop] = m.values;
        z.sym = false;
      }
      return true;
    }
    case 'cmatrix':
      return true;
    case 'normamps':
      z.normamps = ctx.num(a, el);
      return true;
    default:
      return false;
  }
}

/** Positive-sequence impedance per unit length of a ZData. */
function z1Of(ctx: BuildContext, z: ZData, el: ElementDef): Complex {
  if (z.sym) return { re: z.r1, im: z.x1 };
  if (!z.rmatrix || !z.xmatrix)
    ctx.warn(el.at, `${el.cls}.${el.name}: only one of rmatrix/xmatrix given; the other is taken as 0`);
  const n = z.phases;
  return seqFromMatrix(n, z.rmatrix ?? new Array<number>(n * n).fill(0), z.xmatrix ?? new Array<number>(n * n).fill(0));
}

function readLineCodes(ctx: BuildContext): Map<string, LineCode> {
  const lineCodes = new Map<string, LineCode>();
  for (const el of ctx.byClass('linecode')) {
    const z = defaultZ();
    let units = 'none';
    for (const a of el.assignments) {
      if (a.prop === 'nphases') z.phases = ctx.impedancePhases(a, el, `linecode.${el.name}`) ?? z.phases;
      else if (a.prop === 'units') units = lengthUnitOf(ctx, a, `linecode.${el.name}`) ?? units;
      else applyZ(ctx, z, a, el);
    }
    lineCodes.set(el.name.toLowerCase(), { z, units });
  }
  return lineCodes;
}

function lengthUnitOf(ctx: BuildContext, a: Assignment, label: string): string | null {
  const u = lengthUnit(a.value);
  if (u === null) ctx.error(a.at, `${label}: unknown length unit "${a.value}"`);
  return u;
}

// ---- Branches: lines and switches -------------------------------------------------------------

function buildLines(ctx: BuildContext, circuit: Circuit, lineCodes: ReadonlyMap<string, LineCode>): BranchDraft[] {
  const drafts: BranchDraft[] = [];
  let matrixLines = 0;
  let partialPhaseLines = 0;
  const lines = ctx.script.elements.filter((e) => e.cls === 'line' || e.cls === 'switch');
  for (const el of lines) {
    if (ctx.disabled(el)) {
      ctx.warn(el.at, `${el.cls}.${el.name} is disabled (enabled=no) and left out`);
      continue;
    }
    const line = readLine(ctx, el, lineCodes);
    if (!line) continue;
    const { z, bus1, bus2, factor } = line;
    const zPerLength = z1Of(ctx, z, el);
    if (!z.sym) matrixLines++;
    if (z.phases < circuit.phases) partialPhaseLines++;
    drafts.push({
      name: el.name,
      elements: [`Line.${el.name}`],
      kind: line.isSwitch ? 'switch' : 'line',
      bus1: bus1.bus,
      bus2: bus2.bus,
      nodes1: bus1.nodes.length > 0 ? bus1.nodes.slice(0, z.phases) : range(z.phases),
      phases: z.phases,
      z: { re: zPerLength.re * factor, im: zPerLength.im * factor },
      ampacityA: z.normamps,
      ratio: 1,
      at: el.at,
    });
  }
  const s = (n: number) => (n === 1 ? '' : 's');
  if (matrixLines > 0)
    ctx.note({
      element: 'lines',
      message: `${matrixLines} line${s(matrixLines)} given by phase impedance matrices reduced to positive sequence Z1 = Zs − Zm (mean self minus mean mutual impedance); mutual coupling asymmetry dropped`,
    });
  if (partialPhaseLines > 0)
    ctx.note({
      element: 'lines',
      message: `${partialPhaseLines} line${s(partialPhaseLines)} with fewer phases than the source treated as balanced ${circuit.phases}-phase branches of the same positive-sequence impedance`,
    });
  return drafts;
}

type BusRef = { bus: string; nodes: number[] };

/** One Line or Switch's assignments replayed: its impedance, ends and length factor; null after an error. */
function readLine(
  ctx: BuildContext,
  el: ElementDef,
  lineCodes: ReadonlyMap<string, LineCode>,
): { z: ZData; bus1: BusRef; bus2: BusRef; factor: number; isSwitch: boolean } | null {
  let z = defaultZ();
  let bus1: BusRef | null = null;
  let bus2: BusRef | null = null;
  let length = 1;
  let lineUnits = 'none';
  let codeUnits = 'none';
  let isSwitch = el.cls === 'switch';
  let unsupported: string | null = null;
  const makeSwitch = (): void => {
    Object.assign(z, { r1: 1, x1: 1, r0: 1, x0: 1, sym: true });
    length = 0.001;
  };
  if (isSwitch) makeSwitch();
  for (const a of el.assignments) {
    switch (a.prop) {
      case 'bus1':
        bus1 = parseBusRef(a.value);
        break;
      case 'bus2':
        bus2 = parseBusRef(a.value);
        break;
      case 'length':
        length = ctx.num(a, el);
        break;
      case 'units':
        lineUnits = lengthUnitOf(ctx, a, `line.${el.name}`) ?? lineUnits;
        break;
      case 'phases': {
        const n = ctx.impedancePhases(a, el, `line.${el.name}`);
        if (n === null) break;
        if (!z.sym && n !== z.phases)
          ctx.error(a.at, `line.${el.name}: phases=${n} contradicts its ${z.phases}-phase impedance matrix`);
        else z.phases = n;
        break;
      }
      case 'linecode': {
        const code = lineCodes.get(a.value.toLowerCase());
        if (!code) ctx.error(a.at, `line.${el.name}: LineCode "${a.value}" is not defined`);
        else {
          const keepAmps = z.normamps;
          z = {
            ...code.z,
            rmatrix: code.z.rmatrix && [...code.z.rmatrix],
            xmatrix: code.z.xmatrix && [...code.z.xmatrix],
          };
          if (z.normamps === undefined) z.normamps = keepAmps;
          codeUnits = code.units;
        }
        break;
      }
      case 'switch':
        if (ctx.bool(a, el)) {
          isSwitch = true;
          makeSwitch();
          codeUnits = 'none';
          lineUnits = 'none';
        } else isSwitch = false;
        break;
      case 'geometry':
      case 'spacing':
      case 'wires':
      case 'cncables':
      case 'tscables':
        unsupported = a.prop;
        break;
      default:
        // As OpenDSS does, impedance data given on the line itself resets the length units:
        // r1/x1/…/matrices are then per unit of the line's length as written.
        if (applyZ(ctx, z, a, el) && a.prop !== 'normamps') {
          codeUnits = 'none';
          lineUnits = 'none';
        }
    }
  }
  if (unsupported) {
    ctx.error(
      el.at,
      `line.${el.name}: impedances from line constants (${unsupported}=) are not supported; give a LineCode, rmatrix/xmatrix or r1/x1`,
    );
    return null;
  }
  if (!bus1 || !bus2 || bus1.bus === '' || bus2.bus === '') {
    ctx.error(el.at, `line.${el.name}: ${!bus1 || bus1.bus === '' ? 'bus1' : 'bus2'} is not given`);
    return null;
  }
  if (!(length >= 0)) ctx.error(el.at, `line.${el.name}: length must not be negative, got ${length}`);
  // Impedances are per unit of the LineCode's units (or the line's own when it has none).
  let factor = length;
  if (codeUnits !== 'none' && lineUnits !== 'none') factor = length * (METRES[lineUnits] / METRES[codeUnits]);
  return { z, bus1, bus2, factor, isSwitch };
}

// ---- Transformers (and regulators) ------------------------------------------------------------

interface Winding {
  bus: BusRef | null;
  kv: number;
  kva: number;
  tap: number;
  rPct: number;
  conn: string;
}

function buildTransformers(ctx: BuildContext): BranchDraft[] {
  const regulated = new Map<string, ElementDef>();
  for (const rc of ctx.byClass('regcontrol')) {
    const t = rc.assignments.find((a) => a.prop === 'transformer');
    if (!t) {
      ctx.warn(rc.at, `regcontrol.${rc.name} names no transformer; ignored`);
      continue;
    }
    regulated.set(t.value.toLowerCase(), rc);
  }
  const drafts: BranchDraft[] = [];
  const transformers = ctx.byClass('transformer');
  for (const el of ctx.enabled('transformer', true)) {
    const draft = transformerBranch(ctx, el, regulated.get(el.name.toLowerCase()));
    if (draft) drafts.push(draft);
  }
  for (const [name, rc] of regulated) {
    if (!transformers.some((t) => t.name.toLowerCase() === name))
      ctx.warn(rc.at, `regcontrol.${rc.name} controls transformer "${name}", which is not defined`);
  }
  return drafts;
}

/** A two-winding transformer as a series impedance referred to winding 2; null after an error. */
function transformerBranch(ctx: BuildContext, el: ElementDef, rc: ElementDef | undefined): BranchDraft | null {
  let phases = 3;
  let w = 0;
  const wdg: Winding[] = [0, 1].map(() => ({ bus: null, kv: 12.47, kva: 1000, tap: 1, rPct: 0.2, conn: 'wye' }));
  let xhl = 7;
  let failed = false;
  const perWinding = (a: Assignment, set: (i: number, v: string) => void): void => {
    splitArray(a.value)
      .slice(0, 2)
      .forEach((v, i) => set(i, v));
  };
  const perWindingNum = (a: Assignment, set: (i: number, v: number) => void): void => {
    ctx
      .nums(a, el)
      .slice(0, 2)
      .forEach((v, i) => set(i, v));
  };
  for (const a of el.assignments) {
    const p = a.prop;
    if (p === 'phases') phases = ctx.phasesOf(a, el);
    else if (p === 'windings') {
      const windings = ctx.num(a, el);
      if (windings !== 2) {
        ctx.error(a.at, `transformer.${el.name}: ${windings}-winding transformers are not supported (only 2 windings)`);
        failed = true;
      }
    } else if (p === 'wdg') {
      const v = ctx.num(a, el);
      if (v !== 1 && v !== 2) {
        ctx.error(a.at, `transformer.${el.name}: wdg=${a.value} (only windings 1 and 2 are supported)`);
        failed = true;
      } else w = v - 1;
    } else if (p === 'bus') wdg[w].bus = parseBusRef(a.value);
    else if (p === 'conn') wdg[w].conn = a.value.toLowerCase();
    else if (p === 'kv') wdg[w].kv = ctx.num(a, el);
    else if (p === 'kva') wdg[w].kva = ctx.num(a, el);
    else if (p === 'tap') wdg[w].tap = ctx.num(a, el);
    else if (p === '%r') wdg[w].rPct = ctx.num(a, el);
    else if (p === 'buses') perWinding(a, (i, v) => (wdg[i].bus = parseBusRef(v)));
    else if (p === 'conns') perWinding(a, (i, v) => (wdg[i].conn = v.toLowerCase()));
    else if (p === 'kvs') perWindingNum(a, (i, v) => (wdg[i].kv = v));
    else if (p === 'kvas') perWindingNum(a, (i, v) => (wdg[i].kva = v));
    else if (p === 'taps') perWindingNum(a, (i, v) => (wdg[i].tap = v));
    else if (p === '%rs') perWindingNum(a, (i, v) => (wdg[i].rPct = v));
    else if (p === 'xhl' || p === 'x12') xhl = ctx.num(a, el);
    else if (p === '%loadloss') {
      const v = ctx.num(a, el);
      wdg[0].rPct = v / 2;
      wdg[1].rPct = v / 2;
    } else if (p === 'xfmrcode') {
      ctx.error(a.at, `transformer.${el.name}: XfmrCode is not supported; give the winding data on the transformer`);
      failed = true;
    }
    // normamps: transformer ratings are in kVA; the branch ampacity stays unset.
  }
  if (failed) return null;
  const [w1, w2] = wdg;
  if (!w1.bus || !w2.bus || w1.bus.bus === '' || w2.bus.bus === '') {
    ctx.error(el.at, `transformer.${el.name}: both winding buses are needed (buses=[a b] or wdg=1 bus=a wdg=2 bus=b)`);
    return null;
  }
  if (!(w1.kv > 0) || !(w2.kv > 0) || !(w1.kva > 0)) {
    ctx.error(el.at, `transformer.${el.name}: winding kV and kVA must be positive`);
    return null;
  }
  const zBase2 = (w2.kv * w2.kv * 1000) / w1.kva;
  const z = { re: ((w1.rPct + w2.rPct) / 100) * zBase2, im: (xhl / 100) * zBase2 };
  const tapRatio = w2.tap / w1.tap;
  const element = `Transformer.${el.name}`;
  if (rc) {
    ctx.note({
      element,
      message: `regulator (RegControl.${rc.name}) held at its stated tap ${formatRatio(tapRatio)}; automatic tap changes are not simulated`,
    });
  }
  if (Math.abs(tapRatio - 1) > 1e-12) {
    ctx.note({
      element,
      message: `off-nominal tap ratio ${formatRatio(tapRatio)} is not represented (the model has no tap ratio): voltages beyond it differ by about ${(Math.abs(tapRatio - 1) * 100).toFixed(2)} %`,
      magnitude: Math.abs(tapRatio - 1),
    });
  }
  if (w1.conn.startsWith('d') !== w2.conn.startsWith('d')) {
    ctx.note({
      element,
      message: 'delta–wye 30° phase shift dropped (no effect on balanced voltage magnitudes or flows)',
    });
  }
  return {
    name: el.name,
    elements: [element],
    kind: rc ? 'regulator' : 'transformer',
    bus1: w1.bus.bus,
    bus2: w2.bus.bus,
    nodes1: w1.bus.nodes.length > 0 ? w1.bus.nodes.slice(0, phases) : range(phases),
    phases,
    z,
    ratio: w2.kv / w1.kv,
    at: el.at,
  };
}

// ---- Merge branches joining the same two buses ------------------------------------------------

function mergeParallel(ctx: BuildContext, drafts: readonly BranchDraft[]): BranchDraft[] {
  const groups = new Map<string, BranchDraft[]>();
  for (const d of drafts) {
    const a = d.bus1.toLowerCase();
    const b = d.bus2.toLowerCase();
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  const merged: BranchDraft[] = [];
  for (const list of groups.values()) {
    if (list.length === 1 || list[0].bus1.toLowerCase() === list[0].bus2.toLowerCase()) merged.push(...list);
    else merged.push(mergeGroup(ctx, list));
  }
  return merged;
}

/**
 * Branches between the same two buses: on different phases (a bank of single-phase units) their
 * mean impedance; sharing a phase, their parallel combination.
 */
function mergeGroup(ctx: BuildContext, list: readonly BranchDraft[]): BranchDraft {
  const used = new Set<number>();
  const disjoint = list.every((d) => d.nodes1.every((n) => !used.has(n) && (used.add(n), true)));
  const first = list[0];
  const element = list.map((d) => d.elements[0]).join(', ');
  let z: Complex;
  if (disjoint) {
    z = { re: mean(list.map((d) => d.z.re)), im: mean(list.map((d) => d.z.im)) };
    ctx.note({
      element,
      message: `single-phase branches between ${first.bus1} and ${first.bus2} on phases ${list.map((d) => d.nodes1.join('.')).join(', ')} merged into one balanced branch with their mean impedance`,
    });
  } else {
    let y: Complex = { re: 0, im: 0 };
    for (const d of list) {
      const inv = reciprocal(d.z);
      y = { re: y.re + inv.re, im: y.im + inv.im };
    }
    z = reciprocal(y);
    ctx.note({
      element,
      message: `parallel branches between ${first.bus1} and ${first.bus2} combined into their parallel impedance`,
    });
  }
  const kind: BranchKind = list.some((d) => d.kind === 'regulator')
    ? 'regulator'
    : list.some((d) => d.kind === 'transformer')
      ? 'transformer'
      : list.every((d) => d.kind === 'switch')
        ? 'switch'
        : 'line';
  const amps = list.every((d) => d.ampacityA !== undefined)
    ? disjoint
      ? Math.min(...list.map((d) => d.ampacityA!))
      : list.reduce((s, d) => s + d.ampacityA!, 0)
    : undefined;
  return {
    ...first,
    name: list.map((d) => d.name).join('+'),
    elements: list.flatMap((d) => d.elements),
    kind,
    z,
    ampacityA: amps,
    ratio: mean(list.map((d) => (d.bus1.toLowerCase() === first.bus1.toLowerCase() ? d.ratio : 1 / d.ratio))),
  };
}

// ---- Buses ------------------------------------------------------------------------------------

/** Bus names as first written (case-insensitive keys), in the order they are met. */
class BusTable {
  readonly names = new Map<string, string>();
  constructor(private readonly sources: SourceMap) {}

  touch(name: string, at: Loc): string {
    const k = name.toLowerCase();
    if (!this.names.has(k)) {
      this.names.set(k, name);
      this.sources.set('bus', name, at);
    }
    return this.names.get(k)!;
  }

  /** A device's bus reference; the device may add a bus (one no branch reaches is an island). */
  device(value: string, at: Loc): BusRef {
    const ref = parseBusRef(value);
    return { bus: this.touch(ref.bus, at), nodes: ref.nodes };
  }
}

/** A device's bus (the last bus1=) and its shape (daily=, else yearly=). */
function deviceRefs(el: ElementDef, buses: BusTable): { bus: BusRef | null; daily?: string; shape?: string } {
  let bus: BusRef | null = null;
  let daily: string | undefined;
  let yearly: string | undefined;
  for (const a of el.assignments) {
    if (a.prop === 'bus1') bus = buses.device(a.value, a.at);
    else if (a.prop === 'daily') daily = a.value;
    else if (a.prop === 'yearly') yearly = a.value;
  }
  return { bus, daily, shape: daily ?? yearly };
}

/**
 * An element's numeric properties replayed over their defaults (the last assignment wins);
 * `given[p]` is the index of p's last assignment, undefined when never given.
 */
function numbers<K extends string>(
  ctx: BuildContext,
  el: ElementDef,
  defaults: Readonly<Record<K, number>>,
): { value: Record<K, number>; given: Partial<Record<K, number>> } {
  const value: Record<K, number> = { ...defaults };
  const given: Partial<Record<K, number>> = {};
  el.assignments.forEach((a, i) => {
    if (!Object.hasOwn(defaults, a.prop)) return;
    value[a.prop as K] = ctx.num(a, el);
    given[a.prop as K] = i;
  });
  return { value, given };
}

// ---- Loads ------------------------------------------------------------------------------------

function buildLoads(
  ctx: BuildContext,
  circuit: Circuit,
  buses: BusTable,
): { loads: Load[]; largestLoadImbalance: ReductionReport['largestLoadImbalance'] } {
  const loads: Load[] = [];
  const phaseLoad = new Map<string, number[]>();
  for (const el of ctx.enabled('load', true)) {
    let phases = 3;
    const { bus, daily, shape } = deviceRefs(el, buses);
    let kw = 10;
    let pf = 0.88;
    let kvar = 0;
    let kva = 0;
    let spec: 'kw-pf' | 'kw-kvar' | 'kva-pf' = 'kw-pf';
    let model = 1;
    let conn = 'wye';
    let powerGiven = false;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = ctx.phasesOf(a, el);
          break;
        case 'kw':
          kw = ctx.num(a, el);
          spec = 'kw-pf';
          powerGiven = true;
          break;
        case 'pf':
          pf = ctx.num(a, el);
          if (spec === 'kw-kvar') spec = 'kw-pf';
          break;
        case 'kvar':
          kvar = ctx.num(a, el);
          spec = 'kw-kvar';
          pf = kvar === 0 ? 1 : Math.sign(kvar) * (kw / Math.hypot(kw, kvar));
          break;
        case 'kva':
          kva = ctx.num(a, el);
          spec = 'kva-pf';
          powerGiven = true;
          break;
        case 'model':
          model = ctx.num(a, el);
          break;
        case 'conn':
          conn = a.value.toLowerCase();
          break;
      }
    }
    if (!ctx.requireBus(el, bus)) continue;
    if (spec !== 'kw-kvar' && (!(Math.abs(pf) <= 1) || pf === 0)) {
      ctx.error(el.at, `load.${el.name}: power factor must be in [-1, 0) ∪ (0, 1], got ${pf}`);
      continue;
    }
    let pKw: number;
    let qKvar: number;
    if (spec === 'kw-kvar') [pKw, qKvar] = [kw, kvar];
    else if (spec === 'kw-pf') [pKw, qKvar] = [kw, Math.sign(pf) * kw * Math.sqrt(1 / (pf * pf) - 1)];
    else [pKw, qKvar] = [kva * Math.abs(pf), Math.sign(pf) * kva * Math.sqrt(1 - pf * pf)];
    if (!powerGiven)
      ctx.warn(el.at, `load.${el.name}: no kW or kVA given; OpenDSS's default ${kw} kW at pf ${pf} is used`);
    if (daily === undefined && shape !== undefined)
      ctx.note({
        element: `Load.${el.name}`,
        message: `no daily shape: its yearly shape "${shape}" is used as the daily shape`,
      });
    loads.push({
      name: el.name,
      bus: bus.bus,
      pKw: pKw * circuit.powerScale,
      qKvar: qKvar * circuit.powerScale,
      ...(shape !== undefined ? { shape } : {}),
      dssModel: model,
    });
    ctx.sources.set('load', el.name, el.at);
    // Phase allocation for the imbalance report.
    if (circuit.phases > 1) {
      const nodes = (bus.nodes.length > 0 ? bus.nodes : range(phases)).filter((n) => n >= 1 && n <= circuit.phases);
      const split = conn.startsWith('d') && phases === 1 ? nodes.slice(0, 2) : nodes.slice(0, Math.max(1, phases));
      const per = phaseLoad.get(bus.bus.toLowerCase()) ?? new Array<number>(circuit.phases).fill(0);
      for (const n of split) per[n - 1] += pKw / split.length;
      phaseLoad.set(bus.bus.toLowerCase(), per);
    }
  }
  return { loads, largestLoadImbalance: loadImbalance(ctx, buses, phaseLoad) };
}

/** Each load bus's phase imbalance as a note; the largest for the report. */
function loadImbalance(
  ctx: BuildContext,
  buses: BusTable,
  phaseLoad: ReadonlyMap<string, number[]>,
): ReductionReport['largestLoadImbalance'] {
  let largest: ReductionReport['largestLoadImbalance'] = null;
  for (const [k, per] of phaseLoad) {
    const avg = per.reduce((s, v) => s + v, 0) / per.length;
    if (!(avg > 0)) continue;
    const dev = Math.max(...per.map((v) => Math.abs(v - avg))) / avg;
    if (dev > 1e-9) {
      ctx.note({
        element: `bus ${buses.names.get(k)}`,
        message: `load phase imbalance ${(dev * 100).toFixed(1)} %: phases ${per.map((v) => v.toFixed(1)).join(' / ')} kW replaced by ${avg.toFixed(2)} kW on each phase`,
        magnitude: dev,
      });
    }
    if (!largest || dev > largest.fraction) largest = { bus: buses.names.get(k)!, fraction: dev };
  }
  return largest;
}

// ---- Capacitors -------------------------------------------------------------------------------

/** A capacitor's rated line-to-neutral kV, kept to rescale its kvar to its bus's base. */
interface CapacitorRating {
  readonly cap: number;
  readonly kvLn: number;
  readonly name: string;
}

function buildCapacitors(
  ctx: BuildContext,
  circuit: Circuit,
  buses: BusTable,
): { capacitors: Capacitor[]; ratings: CapacitorRating[] } {
  const capacitors: Capacitor[] = [];
  const ratings: CapacitorRating[] = [];
  for (const el of ctx.enabled('capacitor', false)) {
    let phases = 3;
    let bus: BusRef | null = null;
    let series = false;
    let kvarSteps = [1200];
    let states: number[] | null = null;
    let kv = 12.47;
    let conn = 'wye';
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = ctx.phasesOf(a, el);
          break;
        case 'bus1':
          bus = buses.device(a.value, a.at);
          break;
        case 'bus2': {
          const ref = parseBusRef(a.value);
          series =
            !(ref.nodes.length > 0 && ref.nodes.every((n) => n === 0)) &&
            ref.bus.toLowerCase() !== bus?.bus.toLowerCase();
          break;
        }
        case 'kvar':
          kvarSteps = ctx.nums(a, el);
          break;
        case 'kv':
          kv = ctx.num(a, el);
          break;
        case 'states':
          states = ctx.nums(a, el);
          break;
        case 'conn':
          conn = a.value.toLowerCase();
          break;
      }
    }
    if (!ctx.requireBus(el, bus)) continue;
    if (series) {
      ctx.error(el.at, `capacitor.${el.name}: series capacitors (bus2 set) are not supported`);
      continue;
    }
    const total = kvarSteps.reduce((s, v, i) => s + (states && states[i] === 0 ? 0 : v), 0);
    // Rated kV: line-to-line for a multi-phase or delta unit, as given for one wye phase.
    const kvLn = phases > 1 || conn.startsWith('d') ? kv / Math.sqrt(3) : kv;
    ratings.push({ cap: capacitors.length, kvLn, name: el.name });
    capacitors.push({ name: el.name, bus: bus.bus, qKvar: total * circuit.powerScale });
    ctx.sources.set('capacitor', el.name, el.at);
  }
  return { capacitors, ratings };
}

/** A capacitor's kvar is at its rated kV; at 1 pu of its bus's base it scales by (base / rated)². */
function rescaleCapacitors(
  ctx: BuildContext,
  capacitors: Capacitor[],
  ratings: readonly CapacitorRating[],
  baseKv: ReadonlyMap<string, number>,
): void {
  for (const c of ratings) {
    const v = baseKv.get(capacitors[c.cap].bus.toLowerCase());
    if (v === undefined) continue;
    const scale = (v / c.kvLn) ** 2;
    if (Math.abs(scale - 1) > 1e-12) {
      const cap = capacitors[c.cap];
      capacitors[c.cap] = { ...cap, qKvar: cap.qKvar * scale };
      if (Math.abs(scale - 1) > 1e-3)
        ctx.note({
          element: `Capacitor.${c.name}`,
          message: `rated at ${c.kvLn.toFixed(4)} kV line-to-neutral on a ${v.toFixed(4)} kV base: rating at 1 pu scaled by ${scale.toFixed(4)}`,
          magnitude: Math.abs(scale - 1),
        });
    }
  }
}

// ---- PV ---------------------------------------------------------------------------------------

function buildPv(ctx: BuildContext, circuit: Circuit, buses: BusTable): Pv[] {
  const pv: Pv[] = [];
  for (const el of ctx.enabled('pvsystem', false)) {
    const { bus, shape } = deviceRefs(el, buses);
    const { value, given } = numbers(ctx, el, { pmpp: 500, kva: 500, irradiance: 1, '%pmpp': 100 });
    if (!ctx.requireBus(el, bus)) continue;
    const element = `PVSystem.${el.name}`;
    const first = ctx.notes.length;
    const { irradiance } = value;
    if (given.kva === undefined)
      ctx.note({ element, message: `no kVA given: OpenDSS's default inverter rating ${value.kva} kVA used` });
    if (irradiance !== 1)
      ctx.note({
        element,
        message: `irradiance=${irradiance}: Tessera's PV output is Pmpp × its shape; the base irradiance is not applied`,
        magnitude: Math.abs(1 - irradiance),
      });
    if (value['%pmpp'] !== 100) ctx.note({ element, message: `%Pmpp=${value['%pmpp']} (output cap) is not modelled` });
    // The unit carries its own notes, so a placement made from it shows them.
    const notes = ctx.notes.slice(first).map((n) => n.message);
    pv.push({
      name: el.name,
      bus: bus.bus,
      pRatedKw: value.pmpp * circuit.powerScale,
      sRatedKva: value.kva * circuit.powerScale,
      ...(shape !== undefined ? { shape } : {}),
      ...(notes.length > 0 ? { notes } : {}),
    });
    ctx.sources.set('pv', el.name, el.at);
  }
  return pv;
}

// ---- Storage ----------------------------------------------------------------------------------

function buildStorage(ctx: BuildContext, circuit: Circuit, buses: BusTable, storageSocMax?: number): Battery[] {
  const batteries: Battery[] = [];
  const storage = ctx.byClass('storage');
  if (storage.length > 0 && storageSocMax === undefined) {
    ctx.warn(
      storage[0].at,
      `batteries may charge to 100 % of kWhrated (socMax = 1): OpenDSS has no SOC ceiling; give the storageSocMax import option (CLI --soc-max) to set one`,
    );
  }
  const scale = circuit.powerScale;
  for (const el of ctx.enabled('storage', false)) {
    const { bus } = deviceRefs(el, buses);
    const { value: v, given } = numbers(ctx, el, {
      kwrated: 25,
      kwhrated: 50,
      kva: 0,
      '%stored': 100,
      kwhstored: 0,
      '%reserve': 20,
      '%effcharge': 90,
      '%effdischarge': 90,
    });
    if (!ctx.requireBus(el, bus)) continue;
    // The later of %stored and kWhstored sets the initial charge.
    const byKwh = given.kwhstored !== undefined && given.kwhstored > (given['%stored'] ?? -1);
    batteries.push({
      name: el.name,
      bus: bus.bus,
      pRatedKw: v.kwrated * scale,
      energyKwh: v.kwhrated * scale,
      sRatedKva: (given.kva !== undefined ? v.kva : v.kwrated) * scale,
      etaCharge: v['%effcharge'] / 100,
      etaDischarge: v['%effdischarge'] / 100,
      socMin: v['%reserve'] / 100,
      socMax: storageSocMax ?? 1,
      socInitial: byKwh ? v.kwhstored / v.kwhrated : v['%stored'] / 100,
    });
    ctx.sources.set('battery', el.name, el.at);
  }
  return batteries;
}

// ---- Shapes -----------------------------------------------------------------------------------

function buildShapes(ctx: BuildContext): Shape[] {
  const shapes: Shape[] = [];
  for (const el of ctx.byClass('loadshape')) {
    const shape = readShape(ctx, el);
    if (!shape) continue;
    shapes.push(shape);
    ctx.sources.set('shape', el.name, el.at);
  }
  return shapes;
}

function readShape(ctx: BuildContext, el: ElementDef): Shape | null {
  let npts = 0;
  let intervalH = 1;
  let mult: number[] | null = null;
  let qmult: number[] | null = null;
  for (const a of el.assignments) {
    switch (a.prop) {
      case 'npts':
        npts = ctx.num(a, el);
        break;
      case 'interval':
        intervalH = ctx.num(a, el);
        break;
      case 'sinterval':
        intervalH = ctx.num(a, el) / 3600;
        break;
      case 'minterval':
        intervalH = ctx.num(a, el) / 60;
        break;
      case 'mult':
      case 'pmult':
        mult = a.fileValues ? [...a.fileValues.columns[0]] : ctx.nums(a, el);
        break;
      case 'qmult':
        qmult = a.fileValues ? [...a.fileValues.columns[0]] : ctx.nums(a, el);
        break;
      case 'csvfile':
        mult = [...(a.fileValues?.columns[0] ?? [])];
        break;
      case 'pqcsvfile':
        mult = [...(a.fileValues?.columns[0] ?? [])];
        qmult = a.fileValues?.columns[1] ? [...a.fileValues.columns[1]] : null;
        break;
      case 'hour':
        ctx.error(
          a.at,
          `loadshape.${el.name}: irregular shapes (hour=) are not supported; give interval= and regular points`,
        );
        break;
      case 'useactual':
        if (ctx.bool(a, el))
          ctx.error(a.at, `loadshape.${el.name}: useactual=yes (values in kW, not multipliers) is not supported`);
        break;
    }
  }
  if (intervalH === 0) ctx.error(el.at, `loadshape.${el.name}: interval=0 (irregular shape) is not supported`);
  if (!mult) {
    ctx.error(el.at, `loadshape.${el.name}: has no mult values`);
    return null;
  }
  if (npts > 0 && npts < mult.length) mult = mult.slice(0, npts);
  if (npts > 0 && npts > mult.length)
    ctx.warn(el.at, `loadshape.${el.name}: npts=${npts} but only ${mult.length} values given; using ${mult.length}`);
  if (qmult && qmult.length !== mult.length) {
    if (qmult.length > mult.length) qmult = qmult.slice(0, mult.length);
    else {
      ctx.error(el.at, `loadshape.${el.name}: qmult has ${qmult.length} values but mult has ${mult.length}`);
      return null;
    }
  }
  return qmult ? { name: el.name, intervalH, mult, qmult } : { name: el.name, intervalH, mult };
}

// ---- Base voltages: from the source through the branches, transformers scale by their ratio ---

function baseVoltages(circuit: Circuit, merged: readonly BranchDraft[]): Map<string, number> {
  const baseKv = new Map<string, number>();
  const adjacency = new Map<string, { to: string; ratio: number }[]>();
  const link = (a: string, b: string, ratio: number): void => {
    const k = a.toLowerCase();
    const list = adjacency.get(k);
    if (list) list.push({ to: b.toLowerCase(), ratio });
    else adjacency.set(k, [{ to: b.toLowerCase(), ratio }]);
  };
  for (const d of merged) {
    link(d.bus1, d.bus2, d.ratio);
    link(d.bus2, d.bus1, 1 / d.ratio);
  }
  const queue = [circuit.bus.toLowerCase()];
  baseKv.set(queue[0], circuit.vlnKv);
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const { to, ratio } of adjacency.get(u) ?? []) {
      if (baseKv.has(to)) continue;
      baseKv.set(to, ratio === 1 ? baseKv.get(u)! : baseKv.get(u)! * ratio);
      queue.push(to);
    }
  }
  return baseKv;
}

/** The feeder's buses with their bases (the source's where none reached); a warning for bases off Set VoltageBases. */
function busesWithBases(
  ctx: BuildContext,
  circuit: Circuit,
  table: BusTable,
  baseKv: ReadonlyMap<string, number>,
): Bus[] {
  const { script } = ctx;
  const buses: Bus[] = [];
  const offBase: string[] = [];
  for (const [k, name] of table.names) {
    const v = baseKv.get(k) ?? circuit.vlnKv;
    const c = script.coords.get(k);
    buses.push(c ? { name, vBaseKv: v, x: c.x, y: c.y } : { name, vBaseKv: v });
    if (script.voltageBasesKv.length > 0 && baseKv.has(k)) {
      const ll = v * Math.sqrt(3);
      if (!script.voltageBasesKv.some((b) => Math.abs(b - ll) <= 0.01 * b)) offBase.push(name);
    }
  }
  if (offBase.length > 0)
    ctx.warn(
      script.elements[0]?.at ?? { file: ctx.entryFile, line: 1 },
      `base voltage of ${offBase.length} bus${offBase.length === 1 ? '' : 'es'} (${offBase.slice(0, 5).join(', ')}${offBase.length > 5 ? ', …' : ''}) is not in Set VoltageBases; Tessera uses the base reached through the transformer ratios`,
    );
  return buses;
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(0, Math.floor(n)) }, (_, i) => i + 1);
}

function mean(v: number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

function reciprocal(z: Complex): Complex {
  const d = z.re * z.re + z.im * z.im;
  return d === 0 ? { re: Infinity, im: 0 } : { re: z.re / d, im: -z.im / d };
}

function formatRatio(r: number): string {
  return Number(r.toFixed(6)).toString();
}

/** Positive-sequence impedance of an n×n phase matrix (row-major): mean self − mean mutual. */
export function seqFromMatrix(n: number, r: readonly number[], x: readonly number[]): Complex {
  if (n === 1) return { re: r[0], im: x[0] };
  let rs = 0;
  let xs = 0;
  let rm = 0;
  let xm = 0;
  for (let i = 0; i < n; i++) {
    rs += r[i * n + i];
    xs += x[i * n + i];
    for (let j = i + 1; j < n; j++) {
      rm += r[i * n + j];
      xm += x[i * n + j];
    }
  }
  const pairs = (n * (n - 1)) / 2;
  return { re: rs / n - rm / pairs, im: xs / n - xm / pairs };
}
