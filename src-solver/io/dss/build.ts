/**
 * Element definitions (./script) → the balanced single-phase-equivalent Feeder.
 *
 * Each element's assignments are replayed in order into a state with OpenDSS's defaults, so
 * order-dependent rules hold (a LineCode then r1 overrides; `switch=y` resets r1/x1/r0/x0 and
 * length; `wdg=` selects the winding the next `kV=` applies to; kW then kvar vs kW then pf).
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

/** Metres per unit of OpenDSS length units. */
const METRES: Record<string, number> = {
  mi: 1609.344,
  kft: 304.8,
  km: 1000,
  m: 1,
  me: 1,
  ft: 0.3048,
  in: 0.0254,
  cm: 0.01,
  mm: 0.001,
};

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
  const errors: ImportError[] = [];
  const warnings: ImportIssue[] = [];
  const notes: ReductionNote[] = [];
  const sources = new SourceMap({ file: entryFile, line: 1 });
  const error = (at: Loc, message: string): void => void errors.push({ ...at, message });
  const warn = (at: Loc, message: string): void => void warnings.push({ ...at, message });

  const num = (a: Assignment, el: ElementDef): number => {
    const v = parseDssNumber(a.value, a.quoted);
    if (!Number.isFinite(v)) error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not a number`);
    return v;
  };
  const bool = (a: Assignment, el: ElementDef): boolean => {
    const v = parseDssBool(a.value);
    if (v === null) error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not yes/no`);
    return v ?? false;
  };
  const nums = (a: Assignment, el: ElementDef): number[] => {
    const v = parseNumberArray(a.value);
    if (!v) {
      // Arrays of RPN expressions are rare; accept a single quoted expression as one value.
      const single = parseDssNumber(a.value, a.quoted);
      if (Number.isFinite(single)) return [single];
      error(a.at, `${el.cls}.${el.name}: ${a.prop}="${a.value}" is not a list of numbers`);
      return [];
    }
    return v;
  };

  /** A phase count: a whole number 1–20 (else an error and 3). */
  const phasesOf = (a: Assignment, el: ElementDef): number => {
    const v = num(a, el);
    if (Number.isInteger(v) && v >= 1 && v <= 20) return v;
    if (Number.isFinite(v)) error(a.at, `${el.cls}.${el.name}: phases must be a whole number 1–20, got ${a.value}`);
    return 3;
  };
  const byClass = (cls: string) => script.elements.filter((e) => e.cls === cls);
  const disabled = (el: ElementDef): boolean => {
    const last = [...el.assignments].reverse().find((a) => a.prop === 'enabled');
    return last !== undefined && parseDssBool(last.value) === false;
  };

  // ---- Source (circuit) -------------------------------------------------------------------
  const source = script.elements.find((e) => e.cls === 'vsource');
  if (!source || script.circuitName === null) {
    error({ file: entryFile, line: 1 }, 'the script defines no circuit (New Circuit.<name> …)');
    return { feeder: null, errors, warnings, reduction: null, sources };
  }
  let sourceBus = 'sourcebus';
  let sourceBaseKv = 115;
  let sourcePu = 1;
  let sourcePhases = 3;
  for (const a of source.assignments) {
    if (a.prop === 'bus1') sourceBus = parseBusRef(a.value).bus;
    else if (a.prop === 'basekv') sourceBaseKv = num(a, source);
    else if (a.prop === 'pu') sourcePu = num(a, source);
    else if (a.prop === 'phases') sourcePhases = phasesOf(a, source);
  }
  if (!(sourceBaseKv > 0)) error(source.at, `Circuit basekv must be positive, got ${sourceBaseKv}`);
  if (!Number.isInteger(sourcePhases) || sourcePhases < 1) {
    error(source.at, `Circuit phases must be a positive whole number, got ${sourcePhases}`);
    sourcePhases = 3;
  }
  const powerScale = 1 / sourcePhases;
  const sourceVlnKv = sourcePhases === 1 ? sourceBaseKv : sourceBaseKv / Math.sqrt(3);

  // ---- LineCodes ----------------------------------------------------------------------------
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
  const applyZ = (z: ZData, a: Assignment, el: ElementDef): boolean => {
    switch (a.prop) {
      case 'r1':
      case 'x1':
      case 'r0':
      case 'x0':
        z[a.prop] = num(a, el);
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
          error(a.at, `${el.cls}.${el.name}: ${a.prop} is not a symmetric matrix (lower triangle rows separated by |)`);
        else if (m.n !== z.phases)
          error(
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
        z.normamps = num(a, el);
        return true;
      default:
        return false;
    }
  };
  const lineCodes = new Map<string, { z: ZData; units: string }>();
  for (const el of byClass('linecode')) {
    const z = defaultZ();
    let units = 'none';
    for (const a of el.assignments) {
      if (a.prop === 'nphases') {
        const n = num(a, el);
        if (!Number.isInteger(n) || n < 1 || n > 20)
          error(a.at, `linecode.${el.name}: nphases must be a whole number 1–20, got ${a.value}`);
        else z.phases = n;
      } else if (a.prop === 'units') {
        const u = lengthUnit(a.value);
        if (u === null) error(a.at, `linecode.${el.name}: unknown length unit "${a.value}"`);
        else units = u;
      } else applyZ(z, a, el);
    }
    lineCodes.set(el.name.toLowerCase(), { z, units });
  }

  /** Positive-sequence impedance per unit length of a ZData. */
  const z1Of = (z: ZData, el: ElementDef): Complex => {
    if (z.sym || !z.rmatrix || !z.xmatrix) {
      if (!z.sym && (!z.rmatrix || !z.xmatrix))
        warn(el.at, `${el.cls}.${el.name}: only one of rmatrix/xmatrix given; the other is taken as 0`);
      if (!z.sym) {
        const n = z.phases;
        const r = z.rmatrix ?? new Array<number>(n * n).fill(0);
        const x = z.xmatrix ?? new Array<number>(n * n).fill(0);
        return seqFromMatrix(n, r, x);
      }
      return { re: z.r1, im: z.x1 };
    }
    return seqFromMatrix(z.phases, z.rmatrix, z.xmatrix);
  };

  // ---- Branches: lines and switches ---------------------------------------------------------
  const drafts: BranchDraft[] = [];
  let matrixLines = 0;
  let partialPhaseLines = 0;
  for (const el of script.elements.filter((e) => e.cls === 'line' || e.cls === 'switch')) {
    if (disabled(el)) {
      warn(el.at, `${el.cls}.${el.name} is disabled (enabled=no) and left out`);
      continue;
    }
    let z = defaultZ();
    let bus1: { bus: string; nodes: number[] } | null = null;
    let bus2: { bus: string; nodes: number[] } | null = null;
    let length = 1;
    let lineUnits = 'none';
    let codeUnits = 'none';
    let isSwitch = el.cls === 'switch';
    let unsupported: string | null = null;
    if (isSwitch) {
      Object.assign(z, { r1: 1, x1: 1, r0: 1, x0: 1, sym: true });
      length = 0.001;
    }
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus1 = parseBusRef(a.value);
          break;
        case 'bus2':
          bus2 = parseBusRef(a.value);
          break;
        case 'length':
          length = num(a, el);
          break;
        case 'units': {
          const u = lengthUnit(a.value);
          if (u === null) error(a.at, `line.${el.name}: unknown length unit "${a.value}"`);
          else lineUnits = u;
          break;
        }
        case 'phases': {
          const n = num(a, el);
          if (!Number.isInteger(n) || n < 1 || n > 20)
            error(a.at, `line.${el.name}: phases must be a whole number 1–20, got ${a.value}`);
          else if (!z.sym && n !== z.phases)
            error(a.at, `line.${el.name}: phases=${n} contradicts its ${z.phases}-phase impedance matrix`);
          else z.phases = n;
          break;
        }
        case 'linecode': {
          const code = lineCodes.get(a.value.toLowerCase());
          if (!code) error(a.at, `line.${el.name}: LineCode "${a.value}" is not defined`);
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
          if (bool(a, el)) {
            isSwitch = true;
            Object.assign(z, { r1: 1, x1: 1, r0: 1, x0: 1, sym: true });
            length = 0.001;
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
          if (applyZ(z, a, el) && a.prop !== 'normamps') {
            codeUnits = 'none';
            lineUnits = 'none';
          }
      }
    }
    if (unsupported) {
      error(
        el.at,
        `line.${el.name}: impedances from line constants (${unsupported}=) are not supported; give a LineCode, rmatrix/xmatrix or r1/x1`,
      );
      continue;
    }
    if (!bus1 || !bus2 || bus1.bus === '' || bus2.bus === '') {
      error(el.at, `line.${el.name}: ${!bus1 || bus1.bus === '' ? 'bus1' : 'bus2'} is not given`);
      continue;
    }
    if (!(length >= 0)) error(el.at, `line.${el.name}: length must not be negative, got ${length}`);
    // Impedances are per unit of the LineCode's units (or the line's own when it has none).
    let factor = length;
    if (codeUnits !== 'none' && lineUnits !== 'none') factor = length * (METRES[lineUnits] / METRES[codeUnits]);
    const zPerLength = z1Of(z, el);
    if (!z.sym) matrixLines++;
    if (z.phases < sourcePhases) partialPhaseLines++;
    drafts.push({
      name: el.name,
      elements: [`Line.${el.name}`],
      kind: isSwitch ? 'switch' : 'line',
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
  if (matrixLines > 0)
    notes.push({
      element: 'lines',
      message: `${matrixLines} line${matrixLines === 1 ? '' : 's'} given by phase impedance matrices reduced to positive sequence Z1 = Zs − Zm (mean self minus mean mutual impedance); mutual coupling asymmetry dropped`,
    });
  if (partialPhaseLines > 0)
    notes.push({
      element: 'lines',
      message: `${partialPhaseLines} line${partialPhaseLines === 1 ? '' : 's'} with fewer phases than the source treated as balanced ${sourcePhases}-phase branches of the same positive-sequence impedance`,
    });

  // ---- Transformers (and regulators) ----------------------------------------------------------
  const regulated = new Map<string, ElementDef>();
  for (const rc of byClass('regcontrol')) {
    const t = rc.assignments.find((a) => a.prop === 'transformer');
    if (!t) {
      warn(rc.at, `regcontrol.${rc.name} names no transformer; ignored`);
      continue;
    }
    regulated.set(t.value.toLowerCase(), rc);
  }
  for (const el of byClass('transformer')) {
    if (disabled(el)) {
      warn(el.at, `transformer.${el.name} is disabled (enabled=no) and left out`);
      continue;
    }
    let phases = 3;
    let windings = 2;
    let w = 0;
    const wdg = [0, 1].map(() => ({
      bus: null as { bus: string; nodes: number[] } | null,
      kv: 12.47,
      kva: 1000,
      tap: 1,
      rPct: 0.2,
      conn: 'wye',
    }));
    let xhl = 7;
    let failed = false;
    const perWinding = (a: Assignment, set: (i: number, v: string) => void): void => {
      const items = splitArray(a.value);
      items.slice(0, 2).forEach((v, i) => set(i, v));
    };
    for (const a of el.assignments) {
      const p = a.prop;
      if (p === 'phases') phases = phasesOf(a, el);
      else if (p === 'windings') {
        windings = num(a, el);
        if (windings !== 2) {
          error(a.at, `transformer.${el.name}: ${windings}-winding transformers are not supported (only 2 windings)`);
          failed = true;
        }
      } else if (p === 'wdg') {
        const v = num(a, el);
        if (v !== 1 && v !== 2) {
          error(a.at, `transformer.${el.name}: wdg=${a.value} (only windings 1 and 2 are supported)`);
          failed = true;
        } else w = v - 1;
      } else if (p === 'bus') wdg[w].bus = parseBusRef(a.value);
      else if (p === 'conn') wdg[w].conn = a.value.toLowerCase();
      else if (p === 'kv') wdg[w].kv = num(a, el);
      else if (p === 'kva') wdg[w].kva = num(a, el);
      else if (p === 'tap') wdg[w].tap = num(a, el);
      else if (p === '%r') wdg[w].rPct = num(a, el);
      else if (p === 'buses') perWinding(a, (i, v) => (wdg[i].bus = parseBusRef(v)));
      else if (p === 'conns') perWinding(a, (i, v) => (wdg[i].conn = v.toLowerCase()));
      else if (p === 'kvs')
        nums(a, el)
          .slice(0, 2)
          .forEach((v, i) => (wdg[i].kv = v));
      else if (p === 'kvas')
        nums(a, el)
          .slice(0, 2)
          .forEach((v, i) => (wdg[i].kva = v));
      else if (p === 'taps')
        nums(a, el)
          .slice(0, 2)
          .forEach((v, i) => (wdg[i].tap = v));
      else if (p === '%rs')
        nums(a, el)
          .slice(0, 2)
          .forEach((v, i) => (wdg[i].rPct = v));
      else if (p === 'xhl' || p === 'x12') xhl = num(a, el);
      else if (p === '%loadloss') {
        const v = num(a, el);
        wdg[0].rPct = v / 2;
        wdg[1].rPct = v / 2;
      } else if (p === 'xfmrcode') {
        error(a.at, `transformer.${el.name}: XfmrCode is not supported; give the winding data on the transformer`);
        failed = true;
      } else if (p === 'normamps') {
        // Transformer ratings are in kVA; the branch ampacity stays unset.
      }
    }
    if (failed) continue;
    const [w1, w2] = wdg;
    if (!w1.bus || !w2.bus || w1.bus.bus === '' || w2.bus.bus === '') {
      error(el.at, `transformer.${el.name}: both winding buses are needed (buses=[a b] or wdg=1 bus=a wdg=2 bus=b)`);
      continue;
    }
    if (!(w1.kv > 0) || !(w2.kv > 0) || !(w1.kva > 0)) {
      error(el.at, `transformer.${el.name}: winding kV and kVA must be positive`);
      continue;
    }
    const zBase2 = (w2.kv * w2.kv * 1000) / w1.kva;
    const z = { re: ((w1.rPct + w2.rPct) / 100) * zBase2, im: (xhl / 100) * zBase2 };
    const rc = regulated.get(el.name.toLowerCase());
    const tapRatio = w2.tap / w1.tap;
    if (rc) {
      notes.push({
        element: `Transformer.${el.name}`,
        message: `regulator (RegControl.${rc.name}) held at its stated tap ${formatRatio(tapRatio)}; automatic tap changes are not simulated`,
      });
    }
    if (Math.abs(tapRatio - 1) > 1e-12) {
      notes.push({
        element: `Transformer.${el.name}`,
        message: `off-nominal tap ratio ${formatRatio(tapRatio)} is not represented (the model has no tap ratio): voltages beyond it differ by about ${(Math.abs(tapRatio - 1) * 100).toFixed(2)} %`,
        magnitude: Math.abs(tapRatio - 1),
      });
    }
    if (w1.conn.startsWith('d') !== w2.conn.startsWith('d')) {
      notes.push({
        element: `Transformer.${el.name}`,
        message: 'delta–wye 30° phase shift dropped (no effect on balanced voltage magnitudes or flows)',
      });
    }
    drafts.push({
      name: el.name,
      elements: [`Transformer.${el.name}`],
      kind: rc ? 'regulator' : 'transformer',
      bus1: w1.bus.bus,
      bus2: w2.bus.bus,
      nodes1: w1.bus.nodes.length > 0 ? w1.bus.nodes.slice(0, phases) : range(phases),
      phases,
      z,
      ratio: w2.kv / w1.kv,
      at: el.at,
    });
  }
  for (const [name, rc] of regulated) {
    if (!byClass('transformer').some((t) => t.name.toLowerCase() === name))
      warn(rc.at, `regcontrol.${rc.name} controls transformer "${name}", which is not defined`);
  }

  // ---- Merge branches joining the same two buses ---------------------------------------------
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
    if (list.length === 1 || list[0].bus1.toLowerCase() === list[0].bus2.toLowerCase()) {
      merged.push(...list);
      continue;
    }
    const used = new Set<number>();
    const disjoint = list.every((d) => d.nodes1.every((n) => !used.has(n) && (used.add(n), true)));
    const first = list[0];
    let z: Complex;
    if (disjoint) {
      z = { re: mean(list.map((d) => d.z.re)), im: mean(list.map((d) => d.z.im)) };
      notes.push({
        element: list.map((d) => d.elements[0]).join(', '),
        message: `single-phase branches between ${first.bus1} and ${first.bus2} on phases ${list.map((d) => d.nodes1.join('.')).join(', ')} merged into one balanced branch with their mean impedance`,
      });
    } else {
      let y: Complex = { re: 0, im: 0 };
      for (const d of list) {
        const inv = reciprocal(d.z);
        y = { re: y.re + inv.re, im: y.im + inv.im };
      }
      z = reciprocal(y);
      notes.push({
        element: list.map((d) => d.elements[0]).join(', '),
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
    merged.push({
      ...first,
      name: list.map((d) => d.name).join('+'),
      elements: list.flatMap((d) => d.elements),
      kind,
      z,
      ampacityA: amps,
      ratio: mean(list.map((d) => (d.bus1.toLowerCase() === first.bus1.toLowerCase() ? d.ratio : 1 / d.ratio))),
    });
  }

  // ---- Buses, base voltages ------------------------------------------------------------------
  const busNames = new Map<string, string>();
  const busAt = new Map<string, Loc>();
  const touch = (name: string, at: Loc): string => {
    const k = name.toLowerCase();
    if (!busNames.has(k)) {
      busNames.set(k, name);
      busAt.set(k, at);
      sources.set('bus', name, at);
    }
    return busNames.get(k)!;
  };
  touch(sourceBus, source.at);
  for (const d of merged) {
    d.bus1 = touch(d.bus1, d.at);
    d.bus2 = touch(d.bus2, d.at);
  }
  // Devices may add buses (a device on a bus no branch reaches is an island).
  const deviceBus = (value: string, at: Loc): { bus: string; nodes: number[] } => {
    const ref = parseBusRef(value);
    return { bus: touch(ref.bus, at), nodes: ref.nodes };
  };

  // ---- Loads ----------------------------------------------------------------------------------
  const loads: Load[] = [];
  const phaseLoad = new Map<string, number[]>();
  for (const el of byClass('load')) {
    if (disabled(el)) {
      warn(el.at, `load.${el.name} is disabled (enabled=no) and left out`);
      continue;
    }
    let phases = 3;
    let bus: { bus: string; nodes: number[] } | null = null;
    let kw = 10;
    let pf = 0.88;
    let kvar = 0;
    let kva = 0;
    let spec: 'kw-pf' | 'kw-kvar' | 'kva-pf' = 'kw-pf';
    let model = 1;
    let daily: string | undefined;
    let yearly: string | undefined;
    let conn = 'wye';
    let powerGiven = false;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = phasesOf(a, el);
          break;
        case 'bus1':
          bus = deviceBus(a.value, a.at);
          break;
        case 'kw':
          kw = num(a, el);
          spec = 'kw-pf';
          powerGiven = true;
          break;
        case 'pf':
          pf = num(a, el);
          if (spec === 'kw-kvar') spec = 'kw-pf';
          break;
        case 'kvar':
          kvar = num(a, el);
          spec = 'kw-kvar';
          pf = kvar === 0 ? 1 : Math.sign(kvar) * (kw / Math.hypot(kw, kvar));
          break;
        case 'kva':
          kva = num(a, el);
          spec = 'kva-pf';
          powerGiven = true;
          break;
        case 'model':
          model = num(a, el);
          break;
        case 'daily':
          daily = a.value;
          break;
        case 'yearly':
          yearly = a.value;
          break;
        case 'conn':
          conn = a.value.toLowerCase();
          break;
      }
    }
    if (!bus) {
      error(el.at, `load.${el.name}: bus1 is not given`);
      continue;
    }
    if (spec !== 'kw-kvar' && (!(Math.abs(pf) <= 1) || pf === 0)) {
      error(el.at, `load.${el.name}: power factor must be in [-1, 0) ∪ (0, 1], got ${pf}`);
      continue;
    }
    let pKw: number;
    let qKvar: number;
    if (spec === 'kw-kvar') [pKw, qKvar] = [kw, kvar];
    else if (spec === 'kw-pf') [pKw, qKvar] = [kw, Math.sign(pf) * kw * Math.sqrt(1 / (pf * pf) - 1)];
    else [pKw, qKvar] = [kva * Math.abs(pf), Math.sign(pf) * kva * Math.sqrt(1 - pf * pf)];
    if (!powerGiven) warn(el.at, `load.${el.name}: no kW or kVA given; OpenDSS's default ${kw} kW at pf ${pf} is used`);
    const shape = daily ?? yearly;
    if (daily === undefined && yearly !== undefined)
      notes.push({
        element: `Load.${el.name}`,
        message: `no daily shape: its yearly shape "${yearly}" is used as the daily shape`,
      });
    const load: Load = {
      name: el.name,
      bus: bus.bus,
      pKw: pKw * powerScale,
      qKvar: qKvar * powerScale,
      ...(shape !== undefined ? { shape } : {}),
      dssModel: model,
    };
    loads.push(load);
    sources.set('load', el.name, el.at);
    // Phase allocation for the imbalance report.
    if (sourcePhases > 1) {
      const nodes = (bus.nodes.length > 0 ? bus.nodes : range(phases)).filter((n) => n >= 1 && n <= sourcePhases);
      const split = conn.startsWith('d') && phases === 1 ? nodes.slice(0, 2) : nodes.slice(0, Math.max(1, phases));
      const per = phaseLoad.get(bus.bus.toLowerCase()) ?? new Array<number>(sourcePhases).fill(0);
      for (const n of split) per[n - 1] += pKw / split.length;
      phaseLoad.set(bus.bus.toLowerCase(), per);
    }
  }
  let largestLoadImbalance: ReductionReport['largestLoadImbalance'] = null;
  for (const [k, per] of phaseLoad) {
    const avg = per.reduce((s, v) => s + v, 0) / per.length;
    if (!(avg > 0)) continue;
    const dev = Math.max(...per.map((v) => Math.abs(v - avg))) / avg;
    if (dev > 1e-9) {
      notes.push({
        element: `bus ${busNames.get(k)}`,
        message: `load phase imbalance ${(dev * 100).toFixed(1)} %: phases ${per.map((v) => v.toFixed(1)).join(' / ')} kW replaced by ${avg.toFixed(2)} kW on each phase`,
        magnitude: dev,
      });
    }
    if (!largestLoadImbalance || dev > largestLoadImbalance.fraction)
      largestLoadImbalance = { bus: busNames.get(k)!, fraction: dev };
  }

  // ---- Capacitors -----------------------------------------------------------------------------
  const capacitors: Capacitor[] = [];
  const busBaseLater: { cap: number; kvLn: number; at: Loc; name: string }[] = [];
  for (const el of byClass('capacitor')) {
    if (disabled(el)) continue;
    let phases = 3;
    let bus: { bus: string; nodes: number[] } | null = null;
    let series = false;
    let kvarSteps = [1200];
    let states: number[] | null = null;
    let kv = 12.47;
    let conn = 'wye';
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'phases':
          phases = phasesOf(a, el);
          break;
        case 'bus1':
          bus = deviceBus(a.value, a.at);
          break;
        case 'bus2': {
          const ref = parseBusRef(a.value);
          series =
            !(ref.nodes.length > 0 && ref.nodes.every((n) => n === 0)) &&
            ref.bus.toLowerCase() !== bus?.bus.toLowerCase();
          break;
        }
        case 'kvar':
          kvarSteps = nums(a, el);
          break;
        case 'kv':
          kv = num(a, el);
          break;
        case 'states':
          states = nums(a, el);
          break;
        case 'conn':
          conn = a.value.toLowerCase();
          break;
      }
    }
    if (!bus) {
      error(el.at, `capacitor.${el.name}: bus1 is not given`);
      continue;
    }
    if (series) {
      error(el.at, `capacitor.${el.name}: series capacitors (bus2 set) are not supported`);
      continue;
    }
    const total = kvarSteps.reduce((s, v, i) => s + (states && states[i] === 0 ? 0 : v), 0);
    // Rated kV: line-to-line for a multi-phase or delta unit, as given for one wye phase.
    const kvLn = phases > 1 || conn.startsWith('d') ? kv / Math.sqrt(3) : kv;
    busBaseLater.push({ cap: capacitors.length, kvLn, at: el.at, name: el.name });
    capacitors.push({ name: el.name, bus: bus.bus, qKvar: total * powerScale });
    sources.set('capacitor', el.name, el.at);
  }

  // ---- PV -------------------------------------------------------------------------------------
  const pv: Pv[] = [];
  for (const el of byClass('pvsystem')) {
    if (disabled(el)) continue;
    let bus: { bus: string; nodes: number[] } | null = null;
    let pmpp = 500;
    let kva = 500;
    let kvaGiven = false;
    let irradiance = 1;
    let pctPmpp = 100;
    let daily: string | undefined;
    let yearly: string | undefined;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus = deviceBus(a.value, a.at);
          break;
        case 'pmpp':
          pmpp = num(a, el);
          break;
        case 'kva':
          kva = num(a, el);
          kvaGiven = true;
          break;
        case 'irradiance':
          irradiance = num(a, el);
          break;
        case '%pmpp':
          pctPmpp = num(a, el);
          break;
        case 'daily':
          daily = a.value;
          break;
        case 'yearly':
          yearly = a.value;
          break;
      }
    }
    if (!bus) {
      error(el.at, `pvsystem.${el.name}: bus1 is not given`);
      continue;
    }
    if (!kvaGiven)
      notes.push({
        element: `PVSystem.${el.name}`,
        message: `no kVA given: OpenDSS's default inverter rating ${kva} kVA used`,
      });
    if (irradiance !== 1)
      notes.push({
        element: `PVSystem.${el.name}`,
        message: `irradiance=${irradiance}: Tessera's PV output is Pmpp × its shape; the base irradiance is not applied`,
        magnitude: Math.abs(1 - irradiance),
      });
    if (pctPmpp !== 100)
      notes.push({ element: `PVSystem.${el.name}`, message: `%Pmpp=${pctPmpp} (output cap) is not modelled` });
    const shape = daily ?? yearly;
    pv.push({
      name: el.name,
      bus: bus.bus,
      pRatedKw: pmpp * powerScale,
      sRatedKva: kva * powerScale,
      ...(shape !== undefined ? { shape } : {}),
    });
    sources.set('pv', el.name, el.at);
  }

  // ---- Storage --------------------------------------------------------------------------------
  const batteries: Battery[] = [];
  const socMax = options.storageSocMax ?? 1;
  const storage = byClass('storage');
  if (storage.length > 0 && options.storageSocMax === undefined) {
    warn(
      storage[0].at,
      `batteries may charge to 100 % of kWhrated (socMax = 1): OpenDSS has no SOC ceiling; give the storageSocMax import option (CLI --soc-max) to set one`,
    );
  }
  for (const el of byClass('storage')) {
    if (disabled(el)) continue;
    let bus: { bus: string; nodes: number[] } | null = null;
    let kwRated = 25;
    let kwhRated = 50;
    let kva: number | null = null;
    let stored = 100;
    let kwhStored: number | null = null;
    let reserve = 20;
    let effCharge = 90;
    let effDischarge = 90;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'bus1':
          bus = deviceBus(a.value, a.at);
          break;
        case 'kwrated':
          kwRated = num(a, el);
          break;
        case 'kwhrated':
          kwhRated = num(a, el);
          break;
        case 'kva':
          kva = num(a, el);
          break;
        case '%stored':
          stored = num(a, el);
          kwhStored = null;
          break;
        case 'kwhstored':
          kwhStored = num(a, el);
          break;
        case '%reserve':
          reserve = num(a, el);
          break;
        case '%effcharge':
          effCharge = num(a, el);
          break;
        case '%effdischarge':
          effDischarge = num(a, el);
          break;
      }
    }
    if (!bus) {
      error(el.at, `storage.${el.name}: bus1 is not given`);
      continue;
    }
    const initial = kwhStored !== null ? kwhStored / kwhRated : stored / 100;
    batteries.push({
      name: el.name,
      bus: bus.bus,
      pRatedKw: kwRated * powerScale,
      energyKwh: kwhRated * powerScale,
      sRatedKva: (kva ?? kwRated) * powerScale,
      etaCharge: effCharge / 100,
      etaDischarge: effDischarge / 100,
      socMin: reserve / 100,
      socMax,
      socInitial: initial,
    });
    sources.set('battery', el.name, el.at);
  }

  // ---- Shapes ---------------------------------------------------------------------------------
  const shapes: Shape[] = [];
  for (const el of byClass('loadshape')) {
    let npts = 0;
    let intervalH = 1;
    let mult: number[] | null = null;
    let qmult: number[] | null = null;
    for (const a of el.assignments) {
      switch (a.prop) {
        case 'npts':
          npts = num(a, el);
          break;
        case 'interval':
          intervalH = num(a, el);
          break;
        case 'sinterval':
          intervalH = num(a, el) / 3600;
          break;
        case 'minterval':
          intervalH = num(a, el) / 60;
          break;
        case 'mult':
        case 'pmult':
          mult = a.fileValues ? [...a.fileValues.columns[0]] : nums(a, el);
          break;
        case 'qmult':
          qmult = a.fileValues ? [...a.fileValues.columns[0]] : nums(a, el);
          break;
        case 'csvfile':
          mult = [...(a.fileValues?.columns[0] ?? [])];
          break;
        case 'pqcsvfile':
          mult = [...(a.fileValues?.columns[0] ?? [])];
          qmult = a.fileValues?.columns[1] ? [...a.fileValues.columns[1]] : null;
          break;
        case 'hour':
          error(
            a.at,
            `loadshape.${el.name}: irregular shapes (hour=) are not supported; give interval= and regular points`,
          );
          break;
        case 'useactual':
          if (bool(a, el))
            error(a.at, `loadshape.${el.name}: useactual=yes (values in kW, not multipliers) is not supported`);
          break;
      }
    }
    if (intervalH === 0) error(el.at, `loadshape.${el.name}: interval=0 (irregular shape) is not supported`);
    if (!mult) {
      error(el.at, `loadshape.${el.name}: has no mult values`);
      continue;
    }
    if (npts > 0 && npts < mult.length) mult = mult.slice(0, npts);
    if (npts > 0 && npts > mult.length)
      warn(el.at, `loadshape.${el.name}: npts=${npts} but only ${mult.length} values given; using ${mult.length}`);
    if (qmult && qmult.length !== mult.length) {
      if (qmult.length > mult.length) qmult = qmult.slice(0, mult.length);
      else {
        error(el.at, `loadshape.${el.name}: qmult has ${qmult.length} values but mult has ${mult.length}`);
        continue;
      }
    }
    shapes.push(qmult ? { name: el.name, intervalH, mult, qmult } : { name: el.name, intervalH, mult });
    sources.set('shape', el.name, el.at);
  }

  // ---- Base voltages: from the source through the tree, transformers scale by their ratio ----
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
  const queue = [sourceBus.toLowerCase()];
  baseKv.set(queue[0], sourceVlnKv);
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const { to, ratio } of adjacency.get(u) ?? []) {
      if (baseKv.has(to)) continue;
      baseKv.set(to, ratio === 1 ? baseKv.get(u)! : baseKv.get(u)! * ratio);
      queue.push(to);
    }
  }
  const buses: Bus[] = [];
  const offBase: string[] = [];
  for (const [k, name] of busNames) {
    const v = baseKv.get(k) ?? sourceVlnKv;
    const c = script.coords.get(k);
    buses.push(c ? { name, vBaseKv: v, x: c.x, y: c.y } : { name, vBaseKv: v });
    if (script.voltageBasesKv.length > 0 && baseKv.has(k)) {
      const ll = v * Math.sqrt(3);
      if (!script.voltageBasesKv.some((b) => Math.abs(b - ll) <= 0.01 * b)) offBase.push(name);
    }
  }
  if (offBase.length > 0)
    warn(
      script.elements[0]?.at ?? { file: entryFile, line: 1 },
      `base voltage of ${offBase.length} bus${offBase.length === 1 ? '' : 'es'} (${offBase.slice(0, 5).join(', ')}${offBase.length > 5 ? ', …' : ''}) is not in Set VoltageBases; Tessera uses the base reached through the transformer ratios`,
    );
  for (const c of busBaseLater) {
    const v = baseKv.get(capacitors[c.cap].bus.toLowerCase());
    if (v === undefined) continue;
    const scale = (v / c.kvLn) ** 2;
    if (Math.abs(scale - 1) > 1e-12) {
      const cap = capacitors[c.cap];
      capacitors[c.cap] = { ...cap, qKvar: cap.qKvar * scale };
      if (Math.abs(scale - 1) > 1e-3)
        notes.push({
          element: `Capacitor.${c.name}`,
          message: `rated at ${c.kvLn.toFixed(4)} kV line-to-neutral on a ${v.toFixed(4)} kV base: rating at 1 pu scaled by ${scale.toFixed(4)}`,
          magnitude: Math.abs(scale - 1),
        });
    }
  }

  const branches: Branch[] = merged.map((d) => {
    sources.set('branch', d.name, d.at);
    const br: Branch = { name: d.name, from: d.bus1, to: d.bus2, rOhm: d.z.re, xOhm: d.z.im, kind: d.kind };
    return d.ampacityA !== undefined ? { ...br, ampacityA: d.ampacityA } : br;
  });

  const feeder: Feeder = {
    name: options.name ?? script.circuitName,
    baseKva: options.baseKva ?? 1000,
    substation: { bus: busNames.get(sourceBus.toLowerCase())!, vSetPu: sourcePu },
    buses,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes,
  };
  sources.set('substation', '', source.at);
  const reduction: ReductionReport | null =
    sourcePhases === 1 && notes.length === 0 ? null : { sourcePhases, powerScale, notes, largestLoadImbalance };
  return { feeder, errors, warnings, reduction, sources };
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
