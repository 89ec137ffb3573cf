/**
 * The base-case power flow of a feeder as it is (no OPF, no placed devices): the voltage profile
 * per phase along the feeder, ANSI C84.1 violations, line overloads against `normamps`,
 * regulator taps and capacitor states per period, substation P/Q.
 *
 * - Three-phase feeder: the unbalanced power flow (src-solver/unbalanced) on the network rebuilt
 *   from the project's scripts — a snapshot at nominal load, or hours 1…N of the loads' own daily
 *   shapes (OpenDSS's daily mode), with regulators and capacitor controls acting as OpenDSS's
 *   static control mode unless frozen. Voltages are line-to-neutral, pu of each bus's base.
 * - Balanced feeder (native, or a balanced equivalent): the balanced power flow (src-solver/pf)
 *   over the study's periods and profiles, one phase shown; its powers are per phase.
 *
 * Pure of the backend's state (runs in a worker thread, basecase-worker.ts).
 */
import type {
  BaseCaseOverload,
  BaseCasePeriod,
  BaseCaseResult,
  BaseCaseViolation,
  FeederModel,
  PhaseLetter,
  StudySettings,
} from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { sampleSeries } from '../../../src-solver/model/feeder';
import { orientFeeder } from '../../../src-solver/model/tree';
import { METRES_PER_UNIT as METRES } from '../../../src-solver/io/dss/units';
import { solvePowerFlow } from '../../../src-solver/pf/powerflow';
import { parseDssNumber } from '../../../src-solver/io/dss/lexer';
import type { ScriptResult } from '../../../src-solver/io/dss/script';
import { solveUnbalanced, type UnbalancedPeriod } from '../../../src-solver/unbalanced/solve';
import type { UNetwork } from '../../../src-solver/unbalanced/model';
import { lineYprim } from '../../../src-solver/unbalanced/ybuild';
import { ansiViolation } from '../../../src-shared/threephase';
import { drawNetwork, networkOrThrow, type FeederScripts } from './network';

export interface BaseCaseInput {
  readonly scenarioId: number;
  readonly feederId: number;
  readonly model: FeederModel;
  readonly mode: 'snapshot' | 'daily';
  readonly controls: boolean;
  readonly study: StudySettings;
  /** Balanced feeders: the feeder. */
  readonly feeder?: Feeder;
  /** Three-phase feeders: the scripts. */
  readonly scripts?: FeederScripts;
}

export type BaseCaseStage = 'importing' | 'solving' | 'summarising';
export type BaseCaseProgressFn = (stage: BaseCaseStage, done: number, total: number) => void;

/** Rows kept in the violation and overload lists (the counts say how many there were). */
export const MAX_ROWS = 2000;

const PHASES: readonly PhaseLetter[] = ['A', 'B', 'C'];

/**
 * Per-node voltages the screen keeps (phases × buses × periods): beyond this the result would be
 * hundreds of MB on its way to the window, so the run is refused before solving, with the way out.
 */
export const MAX_VOLTAGE_VALUES = 4_000_000;

function checkSize(buses: number, rows: number, periods: number): void {
  if (buses * rows * periods > MAX_VOLTAGE_VALUES)
    throw new Error(
      `${periods} periods × ${buses} buses${rows > 1 ? ` × ${rows} phases` : ''} is more than the Power flow screen shows at once ` +
        `(${MAX_VOLTAGE_VALUES.toLocaleString('en-US')} voltages): run fewer periods (Study settings) or a snapshot`,
    );
}

/** OpenDSS's NormAmps of a line whose script gives none. */
export const OPENDSS_DEFAULT_NORMAMPS = 400;

const UNIT_CODES: Record<string, string> = {
  '1': 'mi',
  '2': 'kft',
  '3': 'km',
  '4': 'm',
  '5': 'ft',
  '6': 'in',
  '7': 'cm',
  '8': 'mm',
};

/**
 * Each line's length in km from its script definition: `length` in the line's `units`, else in
 * its LineCode's units. A length with no unit anywhere ('none') is taken as km (the impedances
 * are then per that unit; only the profile's distance axis depends on it).
 */
export function lineLengthsKm(script: ScriptResult): Map<string, number> {
  const codeUnits = new Map<string, string>();
  for (const el of script.elements) {
    if (el.cls !== 'linecode') continue;
    for (const a of el.assignments) if (a.prop === 'units') codeUnits.set(el.name.toLowerCase(), a.value.toLowerCase());
  }
  const out = new Map<string, number>();
  for (const el of script.elements) {
    if (el.cls !== 'line') continue;
    let length = 1;
    let units: string | null = null;
    let code: string | null = null;
    for (const a of el.assignments) {
      if (a.prop === 'length') length = parseDssNumber(a.value, a.quoted);
      else if (a.prop === 'units') units = a.value.toLowerCase();
      else if (a.prop === 'linecode') code = a.value.toLowerCase();
    }
    let u = units ?? (code !== null ? (codeUnits.get(code) ?? null) : null) ?? 'none';
    u = UNIT_CODES[u] ?? u;
    const km = Number.isFinite(length) ? (length * (METRES[u] ?? 1000)) / 1000 : 0;
    out.set(el.name.toLowerCase(), Math.abs(km));
  }
  return out;
}

/** Bus order (breadth-first from the substation), parent edges and distances along the drawn feeder. */
function layout(feeder: Feeder, branchKm: (branchIndex: number) => number) {
  const tree = orientFeeder(feeder);
  const order = Array.from(tree.order.slice(0, tree.names.length - tree.unreachable.length));
  const seen = new Set(order);
  // Buses the tree did not reach (islands, open ends) keep their place after the reached ones.
  for (let i = 0; i < tree.names.length; i++) if (!seen.has(i)) order.push(i);
  const pos = new Map<number, number>();
  order.forEach((b, k) => pos.set(b, k));
  const distance = new Float64Array(tree.names.length);
  const edges: [number, number][] = [];
  for (const b of order) {
    const p = tree.parent[b];
    if (p < 0) continue;
    distance[b] = distance[p] + branchKm(tree.parentBranch[b]);
    edges.push([pos.get(p)!, pos.get(b)!]);
  }
  return { buses: order.map((b) => tree.names[b]), distance: order.map((b) => distance[b]), edges };
}

export function runBaseCase(input: BaseCaseInput, progress: BaseCaseProgressFn = () => {}): BaseCaseResult {
  const started = Date.now();
  if (input.model === 'three-phase') return threePhaseBaseCase(input, progress, started);
  return balancedBaseCase(input, progress, started);
}

function threePhaseBaseCase(input: BaseCaseInput, progress: BaseCaseProgressFn, started: number): BaseCaseResult {
  if (!input.scripts) throw new Error('a three-phase feeder needs its scripts');
  progress('importing', 0, 1);
  const { network: net, outcome } = networkOrThrow(input.scripts);
  const drawn = drawNetwork(net);
  const lengths = lineLengthsKm(outcome.script);
  const f = drawn.feeder;
  const lay = layout(f, (k) => {
    const br = f.branches[k];
    if (br.kind !== 'line' && br.kind !== 'switch') return 0;
    const parts = br.name.split('+').map((n) => lengths.get(n.toLowerCase()) ?? 0);
    return Math.min(...parts);
  });
  const hours = input.mode === 'daily' ? input.study.periods : undefined;
  const total = hours ?? 1;
  checkSize(lay.buses.length, 3, total);
  progress('solving', 0, total);
  const { periods } = solveUnbalanced(net, {
    ...(hours === undefined ? {} : { hours }),
    controls: input.controls,
    onPeriod: (done, all) => progress('solving', done, all),
  });
  const currents = lineCurrentCalculator(net);
  progress('summarising', total, total);
  // A line's rating is its `normamps`, or OpenDSS's default 400 A where the script gives none
  // (OpenDSS checks overloads against that default too); such rows say so.
  const normAmps = new Map<string, { amps: number; defaulted: boolean }>();
  for (const l of net.lines) {
    const given = l.normAmps !== undefined && l.normAmps > 0;
    normAmps.set(`line.${l.name}`.toLowerCase(), {
      amps: given ? l.normAmps! : OPENDSS_DEFAULT_NORMAMPS,
      defaulted: !given,
    });
  }
  const violations: BaseCaseViolation[] = [];
  const overloads: BaseCaseOverload[] = [];
  const out: BaseCasePeriod[] = periods.map((p, k) => {
    const hour = hours === undefined ? 0 : k + 1;
    const vPu = PHASES.map((_, ph) =>
      lay.buses.map((bus) => {
        const v = p.nodeVoltagesPu[bus]?.[String(ph + 1)];
        return v === undefined || !(net.buses.get(bus)!.kvBaseLN > 0) ? null : v;
      }),
    );
    vPu.forEach((row, ph) =>
      row.forEach((v, b) => {
        // A node at (near) zero is de-energised (behind an open switch), not a low voltage.
        if (v === null || v < 0.05) return;
        const x = ansiViolation(v);
        if (x) violations.push({ bus: lay.buses[b], phase: PHASES[ph], hour, vPu: v, ...x });
      }),
    );
    for (const line of currents(p)) {
      const r = normAmps.get(`line.${line.name}`);
      if (r === undefined) continue;
      const rating = r.amps;
      line.nodes.forEach((node, c) => {
        if (node < 1 || node > 3) return;
        const amps = line.amps[c]!;
        if (amps > rating)
          overloads.push({
            element: `line.${line.name}`,
            phase: PHASES[node - 1],
            hour,
            amps,
            normAmps: rating,
            loadingPct: (100 * amps) / rating,
            ...(r.defaulted ? { defaultRating: true } : {}),
          });
      });
    }
    return {
      hour,
      converged: p.converged,
      iterations: p.iterations,
      substationKw: p.substationKw,
      substationKvar: p.substationKvar,
      lossKw: p.lossKw,
      lossKvar: p.lossKvar,
      vPu,
      regulatorTaps: p.regulatorTaps,
      capacitorStates: p.capacitorStates,
      vufMax: Object.entries(p.vuf).reduce<{ value: number; bus: string } | null>(
        (m, [bus, value]) => (m === null || value > m.value ? { value, bus } : m),
        null,
      ),
    };
  });
  return finish(
    input,
    lay,
    'km',
    lay.buses.map((b) => drawn.busPhases[b] ?? ''),
    out,
    violations,
    overloads,
    [...normAmps.values()].filter((r) => !r.defaulted).length,
    started,
  );
}

/**
 * Each closed line's conductor currents (A; the larger of its two ends) at a solved period, from
 * the node voltages and the line's primitive admittance (the π model the power flow stamps):
 * I = Yprim·[V₁; V₂]. Lines with an open conductor (open switches) are left out. Yprims are
 * built once; a period costs O(lines · phases²).
 */
export function lineCurrentCalculator(
  net: UNetwork,
): (p: UnbalancedPeriod) => { name: string; nodes: readonly number[]; amps: number[] }[] {
  const lines = net.lines
    .filter((l) => !l.open.some((t) => t.some(Boolean)))
    .map((l) => ({
      line: l,
      y: lineYprim(l),
      base1: (net.buses.get(l.bus1.bus)?.kvBaseLN ?? 0) * 1000,
      base2: (net.buses.get(l.bus2.bus)?.kvBaseLN ?? 0) * 1000,
    }));
  return (p) =>
    lines.map(({ line, y, base1, base2 }) => {
      const n = line.phases;
      const vr = new Float64Array(2 * n),
        vi = new Float64Array(2 * n);
      const put = (k: number, bus: string, node: number, base: number) => {
        if (node === 0) return;
        const m = (p.nodeVoltagesPu[bus]?.[node] ?? 0) * base;
        const a = ((p.nodeAnglesDeg[bus]?.[node] ?? 0) * Math.PI) / 180;
        vr[k] = m * Math.cos(a);
        vi[k] = m * Math.sin(a);
      };
      for (let k = 0; k < n; k++) {
        put(k, line.bus1.bus, line.bus1.nodes[k] ?? 0, base1);
        put(n + k, line.bus2.bus, line.bus2.nodes[k] ?? 0, base2);
      }
      const amps: number[] = [];
      for (let k = 0; k < n; k++) {
        let best = 0;
        for (const row of [k, n + k]) {
          let ir = 0,
            ii = 0;
          for (let j = 0; j < 2 * n; j++) {
            const gr = y.re[row * 2 * n + j]!,
              gi = y.im[row * 2 * n + j]!;
            ir += gr * vr[j]! - gi * vi[j]!;
            ii += gr * vi[j]! + gi * vr[j]!;
          }
          best = Math.max(best, Math.hypot(ir, ii));
        }
        amps.push(best);
      }
      return { name: line.name, nodes: line.bus1.nodes.slice(0, n), amps };
    });
}

function balancedBaseCase(input: BaseCaseInput, progress: BaseCaseProgressFn, started: number): BaseCaseResult {
  const f = input.feeder;
  if (!f) throw new Error('a balanced feeder is needed');
  const s = input.study;
  const T = input.mode === 'daily' ? s.periods : 1;
  checkSize(f.buses.length, 1, T);
  progress('solving', 0, T);
  const at = (values: readonly number[], t: number) => sampleSeries(values, 1, s.startHour + t * s.dtH);
  const res = solvePowerFlow(f, {
    periods: T,
    dtH: s.dtH,
    startHour: s.startHour,
    loadScale: Array.from({ length: T }, (_, t) => (input.mode === 'daily' ? at(s.loadShape, t) : 1)),
    pvScale: Array.from({ length: T }, (_, t) => (input.mode === 'daily' ? at(s.pvShape, t) : 1)),
  });
  progress('summarising', T, T);
  // A balanced feeder has no line lengths: its distance is electrical, Σ|Z| from the substation
  // (as the run dashboards' profile).
  const lay = layout(f, (k) => Math.hypot(f.branches[k].rOhm, f.branches[k].xOhm));
  const idx = new Map(res.busNames.map((b, i) => [b, i]));
  const violations: BaseCaseViolation[] = [];
  const overloads: BaseCaseOverload[] = [];
  const rated = f.branches.filter((b) => b.ampacityA !== undefined && b.ampacityA > 0).length;
  const out: BaseCasePeriod[] = res.periods.map((p, t) => {
    const hour = input.mode === 'daily' ? t + 1 : 0;
    const row = lay.buses.map((b) => p.vPu[idx.get(b)!]);
    row.forEach((v, b) => {
      const x = ansiViolation(v);
      if (x) violations.push({ bus: lay.buses[b], phase: null, hour, vPu: v, ...x });
    });
    f.branches.forEach((br, e) => {
      if (!(br.ampacityA && br.ampacityA > 0)) return;
      const amps = p.branchIA[e];
      if (amps > br.ampacityA)
        overloads.push({
          element: br.name,
          phase: null,
          hour,
          amps,
          normAmps: br.ampacityA,
          loadingPct: (100 * amps) / br.ampacityA,
        });
    });
    return {
      hour,
      converged: true,
      iterations: p.iterations,
      substationKw: p.substationKw,
      substationKvar: p.substationKvar,
      lossKw: p.lossKw,
      lossKvar: p.lossKvar,
      vPu: [row],
      regulatorTaps: {},
      capacitorStates: {},
      vufMax: null,
    };
  });
  return finish(
    input,
    lay,
    'Ω',
    lay.buses.map(() => ''),
    out,
    violations,
    overloads,
    rated,
    started,
  );
}

function finish(
  input: BaseCaseInput,
  lay: { buses: string[]; distance: number[]; edges: [number, number][] },
  distanceUnit: 'km' | 'Ω',
  busPhases: string[],
  periods: BaseCasePeriod[],
  violations: BaseCaseViolation[],
  overloads: BaseCaseOverload[],
  ratedBranches: number,
  started: number,
): BaseCaseResult {
  // Worst first: how far past its limit, then the hour.
  const past = (v: BaseCaseViolation) => Math.abs(v.vPu - v.limitPu) + (v.range === 'B' ? 1 : 0);
  violations.sort((a, b) => past(b) - past(a) || a.hour - b.hour);
  overloads.sort((a, b) => b.loadingPct - a.loadingPct || a.hour - b.hour);
  return {
    scenarioId: input.scenarioId,
    feederId: input.feederId,
    model: input.model,
    mode: input.mode,
    controls: input.model === 'three-phase' ? input.controls : false,
    buses: lay.buses,
    distance: lay.distance,
    distanceUnit,
    busPhases,
    edges: lay.edges,
    periods,
    violations: violations.slice(0, MAX_ROWS),
    violationCount: violations.length,
    overloads: overloads.slice(0, MAX_ROWS),
    overloadCount: overloads.length,
    ratedBranches,
    elapsedSeconds: (Date.now() - started) / 1000,
  };
}
