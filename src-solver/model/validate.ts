/**
 * Feeder validation: every check a Feeder must pass before the per-unit conversion, the power
 * flow or the OPF may use it. All issues are collected (not just the first), each with a code,
 * the element it concerns and a message a planner can act on ("branches l7, l9, l12 form a loop").
 *
 * Checks, in order:
 * - feeder: name, baseKva > 0, substation bus exists, 0.5 ≤ vSetPu ≤ 1.5;
 * - names: no duplicate name within buses, branches, loads, capacitors, pv, batteries, shapes
 *   (names compare case-insensitively, as OpenDSS does);
 * - buses: vBaseKv > 0 and finite; coordinates finite when given;
 * - branches: both ends are known buses and differ; r, x finite and ≥ 0; a line, transformer or
 *   regulator with r = x = 0 is an error (a switch may be ideal); ampacity > 0 when given; a line
 *   or switch joining buses of different base voltage is an error (that takes a transformer);
 * - topology: exactly a tree spanning all buses — each loop is named by its branches, and every
 *   bus not reachable from the substation is named (islands);
 * - devices: on a known bus; finite powers; ratings that agree (inverter kVA ≥ rated kW, 0 < η ≤ 1,
 *   0 ≤ socMin < socMax ≤ 1, socMin ≤ socInitial ≤ socMax); shape references resolve;
 * - shapes: interval > 0, at least one point, finite multipliers, qmult as long as mult.
 */
import type { Feeder } from './feeder';
import { describeLoop, orientFeeder } from './tree';

export type FeederIssueCode =
  | 'badFeeder'
  | 'duplicateName'
  | 'badBus'
  | 'missingBus'
  | 'selfLoop'
  | 'badImpedance'
  | 'badRating'
  | 'baseMismatch'
  | 'notATree'
  | 'island'
  | 'unknownBus'
  | 'unknownShape'
  | 'badValue'
  | 'ratingConflict'
  | 'badShape';

export interface FeederIssue {
  readonly code: FeederIssueCode;
  /** 'error' makes the feeder unusable; 'warning' is worth a look but does not block. */
  readonly severity: 'error' | 'warning';
  /** The element concerned, as `<kind> <name>` (e.g. `branch l12`, `battery Battery3`), or `feeder`. */
  readonly element: string;
  readonly message: string;
}

/** Thrown by `assertValidFeeder` with every error found. */
export class FeederValidationError extends Error {
  constructor(readonly issues: readonly FeederIssue[]) {
    super(
      `The feeder is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `- ${i.element}: ${i.message}`).join('\n'),
    );
    this.name = 'FeederValidationError';
  }
}

/** Relative tolerance for "same base voltage" across a line or switch. */
const BASE_KV_RELATIVE_TOLERANCE = 1e-6;
/** At most this many names are spelled out in one island / loop message. */
const MAX_NAMES_LISTED = 20;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const key = (name: string): string => name.toLowerCase();
/** A number for a message: 6 significant digits (1.66667, not 1.6666666666666665). */
const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

function listNames(names: readonly string[]): string {
  if (names.length <= MAX_NAMES_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_NAMES_LISTED).join(', ')} and ${names.length - MAX_NAMES_LISTED} more`;
}

/** All issues of a feeder, errors and warnings; an empty list means valid. */
export function validateFeeder(feeder: Feeder): FeederIssue[] {
  const issues: FeederIssue[] = [];
  const error = (code: FeederIssueCode, element: string, message: string): void => {
    issues.push({ code, severity: 'error', element, message });
  };
  const warn = (code: FeederIssueCode, element: string, message: string): void => {
    issues.push({ code, severity: 'warning', element, message });
  };

  // Feeder-level values.
  if (typeof feeder.name !== 'string' || feeder.name.trim() === '')
    error('badFeeder', 'feeder', 'the feeder has no name');
  if (!isFiniteNumber(feeder.baseKva) || feeder.baseKva <= 0) {
    error('badFeeder', 'feeder', `base power must be a positive number of kVA, got ${String(feeder.baseKva)}`);
  }

  // Duplicate names within each kind.
  const checkDuplicates = (kind: string, items: readonly { readonly name: string }[]): void => {
    const seen = new Map<string, number>();
    for (const item of items) {
      if (typeof item.name !== 'string' || item.name === '') {
        error('badValue', kind, `a ${kind} has an empty name`);
        continue;
      }
      const k = key(item.name);
      const count = (seen.get(k) ?? 0) + 1;
      seen.set(k, count);
      if (count === 2)
        error('duplicateName', `${kind} ${item.name}`, `the name "${item.name}" is used by more than one ${kind}`);
    }
  };
  checkDuplicates('bus', feeder.buses);
  checkDuplicates('branch', feeder.branches);
  checkDuplicates('load', feeder.loads);
  checkDuplicates('capacitor', feeder.capacitors);
  checkDuplicates('pv', feeder.pv);
  checkDuplicates('battery', feeder.batteries);
  checkDuplicates('shape', feeder.shapes);

  // Buses.
  const busIndex = new Map<string, number>();
  feeder.buses.forEach((bus, i) => {
    if (!busIndex.has(key(bus.name))) busIndex.set(key(bus.name), i);
    if (!isFiniteNumber(bus.vBaseKv) || bus.vBaseKv <= 0) {
      error('badBus', `bus ${bus.name}`, `base voltage must be a positive number of kV, got ${String(bus.vBaseKv)}`);
    }
    if ((bus.x !== undefined && !isFiniteNumber(bus.x)) || (bus.y !== undefined && !isFiniteNumber(bus.y))) {
      error('badBus', `bus ${bus.name}`, 'coordinates must be finite numbers');
    }
  });
  const busOf = (name: string): number | undefined => (typeof name === 'string' ? busIndex.get(key(name)) : undefined);

  // Substation.
  const sub = feeder.substation;
  const subIndex = sub ? busOf(sub.bus) : undefined;
  if (!sub || subIndex === undefined) {
    error('unknownBus', 'substation', `the substation bus "${sub?.bus ?? ''}" is not a bus of the feeder`);
  }
  if (!sub || !isFiniteNumber(sub.vSetPu) || sub.vSetPu < 0.5 || sub.vSetPu > 1.5) {
    error('badValue', 'substation', `voltage set point must be between 0.5 and 1.5 pu, got ${String(sub?.vSetPu)}`);
  }

  // Branches.
  const usableBranch: boolean[] = [];
  for (const br of feeder.branches) {
    const el = `branch ${br.name}`;
    const f = busOf(br.from);
    const t = busOf(br.to);
    let usable = true;
    if (f === undefined) {
      error('missingBus', el, `from-bus "${br.from}" is not a bus of the feeder`);
      usable = false;
    }
    if (t === undefined) {
      error('missingBus', el, `to-bus "${br.to}" is not a bus of the feeder`);
      usable = false;
    }
    if (f !== undefined && f === t) {
      error('selfLoop', el, `connects bus "${br.from}" to itself`);
      usable = false;
    }
    if (!isFiniteNumber(br.rOhm) || !isFiniteNumber(br.xOhm)) {
      error(
        'badImpedance',
        el,
        `impedance is missing or not a number (r = ${String(br.rOhm)} ohm, x = ${String(br.xOhm)} ohm)`,
      );
    } else if (br.rOhm < 0 || br.xOhm < 0) {
      error('badImpedance', el, `impedance must not be negative (r = ${br.rOhm} ohm, x = ${br.xOhm} ohm)`);
    } else if (br.rOhm === 0 && br.xOhm === 0 && br.kind !== 'switch') {
      error(
        'badImpedance',
        el,
        `a ${br.kind} needs a non-zero impedance (r = x = 0); model an ideal connection as a switch`,
      );
    }
    if (br.ampacityA !== undefined && (!isFiniteNumber(br.ampacityA) || br.ampacityA <= 0)) {
      error('badRating', el, `ampacity must be a positive number of A, got ${String(br.ampacityA)}`);
    }
    if (!['line', 'switch', 'transformer', 'regulator'].includes(br.kind)) {
      error('badValue', el, `unknown branch kind "${String(br.kind)}"`);
    }
    if (usable && (br.kind === 'line' || br.kind === 'switch')) {
      const vf = feeder.buses[f!].vBaseKv;
      const vt = feeder.buses[t!].vBaseKv;
      if (
        isFiniteNumber(vf) &&
        isFiniteNumber(vt) &&
        Math.abs(vf - vt) > BASE_KV_RELATIVE_TOLERANCE * Math.max(vf, vt)
      ) {
        error(
          'baseMismatch',
          el,
          `a ${br.kind} joins buses of different base voltage (${br.from}: ${vf} kV, ${br.to}: ${vt} kV); that takes a transformer`,
        );
      }
    }
    usableBranch.push(usable);
  }

  checkTopology(feeder, busOf, usableBranch, subIndex, error);

  // Shapes.
  const shapeNames = new Set<string>();
  for (const s of feeder.shapes) {
    shapeNames.add(key(s.name));
    const el = `shape ${s.name}`;
    if (!isFiniteNumber(s.intervalH) || s.intervalH <= 0)
      error('badShape', el, `interval must be a positive number of hours, got ${String(s.intervalH)}`);
    if (!Array.isArray(s.mult) || s.mult.length === 0) error('badShape', el, 'has no points');
    else if (!s.mult.every(isFiniteNumber)) error('badShape', el, 'mult holds a value that is not a finite number');
    if (s.qmult !== undefined) {
      if (!Array.isArray(s.qmult) || s.qmult.length !== s.mult?.length) {
        error('badShape', el, `qmult has ${s.qmult?.length ?? 0} points but mult has ${s.mult?.length ?? 0}`);
      } else if (!s.qmult.every(isFiniteNumber))
        error('badShape', el, 'qmult holds a value that is not a finite number');
    }
  }
  const checkShape = (el: string, shape: string | undefined): void => {
    if (shape !== undefined && !shapeNames.has(key(shape)))
      error('unknownShape', el, `refers to shape "${shape}", which is not defined`);
  };
  const checkBus = (el: string, bus: string): void => {
    if (busOf(bus) === undefined) error('unknownBus', el, `is on bus "${bus}", which is not a bus of the feeder`);
  };
  const checkFinite = (el: string, what: string, v: number): boolean => {
    if (isFiniteNumber(v)) return true;
    error('badValue', el, `${what} must be a finite number, got ${String(v)}`);
    return false;
  };

  for (const load of feeder.loads) {
    const el = `load ${load.name}`;
    checkBus(el, load.bus);
    checkFinite(el, 'kW', load.pKw);
    checkFinite(el, 'kvar', load.qKvar);
    checkShape(el, load.shape);
  }
  for (const cap of feeder.capacitors) {
    const el = `capacitor ${cap.name}`;
    checkBus(el, cap.bus);
    if (checkFinite(el, 'kvar', cap.qKvar) && cap.qKvar < 0) {
      warn('badValue', el, `negative rating ${cap.qKvar} kvar: it absorbs reactive power (a reactor)`);
    }
  }
  for (const pv of feeder.pv) {
    const el = `pv ${pv.name}`;
    checkBus(el, pv.bus);
    const okP = checkFinite(el, 'rated kW', pv.pRatedKw);
    const okS = checkFinite(el, 'inverter kVA', pv.sRatedKva);
    if (okP && pv.pRatedKw < 0) error('badRating', el, `rated power must not be negative, got ${pv.pRatedKw} kW`);
    if (okS && pv.sRatedKva <= 0) error('badRating', el, `inverter rating must be positive, got ${pv.sRatedKva} kVA`);
    if (okP && okS && pv.sRatedKva < pv.pRatedKw) {
      error(
        'ratingConflict',
        el,
        `inverter rating ${fmt(pv.sRatedKva)} kVA is below the rated power ${fmt(pv.pRatedKw)} kW`,
      );
    }
    checkShape(el, pv.shape);
  }
  for (const b of feeder.batteries) {
    const el = `battery ${b.name}`;
    checkBus(el, b.bus);
    const okP = checkFinite(el, 'rated kW', b.pRatedKw);
    const okS = checkFinite(el, 'inverter kVA', b.sRatedKva);
    const okE = checkFinite(el, 'energy kWh', b.energyKwh);
    if (okP && b.pRatedKw <= 0) error('badRating', el, `power rating must be positive, got ${b.pRatedKw} kW`);
    if (okE && b.energyKwh <= 0) error('badRating', el, `energy rating must be positive, got ${b.energyKwh} kWh`);
    if (okP && okS && b.sRatedKva < b.pRatedKw) {
      error(
        'ratingConflict',
        el,
        `inverter rating ${fmt(b.sRatedKva)} kVA is below the power rating ${fmt(b.pRatedKw)} kW`,
      );
    }
    for (const [what, eta] of [
      ['charging efficiency', b.etaCharge],
      ['discharging efficiency', b.etaDischarge],
    ] as const) {
      if (checkFinite(el, what, eta) && (eta <= 0 || eta > 1))
        error('badRating', el, `${what} must be in (0, 1], got ${eta}`);
    }
    const okSoc =
      checkFinite(el, 'minimum SOC', b.socMin) &&
      checkFinite(el, 'maximum SOC', b.socMax) &&
      checkFinite(el, 'initial SOC', b.socInitial);
    if (okSoc) {
      if (b.socMin < 0 || b.socMax > 1 || b.socMin >= b.socMax) {
        error('ratingConflict', el, `SOC limits must satisfy 0 ≤ min < max ≤ 1, got min ${b.socMin}, max ${b.socMax}`);
      } else if (b.socInitial < b.socMin || b.socInitial > b.socMax) {
        error('ratingConflict', el, `initial SOC ${b.socInitial} is outside the limits [${b.socMin}, ${b.socMax}]`);
      }
    }
  }
  return issues;
}

/**
 * Tree check (model/tree.ts, the tolerant core, over the usable branches with their ends spelled
 * as the buses are): each loop is named by its branches (the branch closing it, in feeder order,
 * after the path between its ends); buses not connected to the substation, one message per island.
 */
function checkTopology(
  feeder: Feeder,
  busOf: (name: string) => number | undefined,
  usableBranch: readonly boolean[],
  subIndex: number | undefined,
  error: (code: FeederIssueCode, element: string, message: string) => void,
): void {
  const kept = feeder.branches.flatMap((_, b) => (usableBranch[b] ? [b] : []));
  const spelled = (name: string): string => feeder.buses[busOf(name)!].name;
  const o = orientFeeder({
    ...feeder,
    substation: { ...feeder.substation, bus: subIndex === undefined ? '' : feeder.buses[subIndex].name },
    branches: kept.map((b) => {
      const br = feeder.branches[b];
      return { ...br, from: spelled(br.from), to: spelled(br.to) };
    }),
  });
  for (const cycle of o.cycles) {
    const loop = [...cycle.path, cycle.branch].map((k) => feeder.branches[kept[k]].name);
    error(
      'notATree',
      `branch ${feeder.branches[kept[cycle.branch]].name}`,
      `the feeder is not radial: ${describeLoop(loop)} (open one of them, e.g. as a switch left out of the model)`,
    );
  }
  if (subIndex === undefined) return;
  for (const island of o.islands) {
    const names = island.map((i) => feeder.buses[i].name);
    error(
      'island',
      `bus ${names[0]}`,
      `${names.length === 1 ? 'bus' : `${names.length} buses`} ${listNames(names)} ${names.length === 1 ? 'is' : 'are'} not connected to the substation bus ${feeder.substation.bus}`,
    );
  }
}

/** Throws FeederValidationError listing every error (warnings do not throw). */
export function assertValidFeeder(feeder: Feeder): void {
  const errors = validateFeeder(feeder).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new FeederValidationError(errors);
}
