/**
 * Snapshot and time-series solutions of a three-phase network and their results: node voltages
 * (magnitude in pu of the bus base, angle), line-to-line magnitudes, per-element per-phase
 * currents and powers, losses, substation P/Q (three-phase totals), voltage unbalance factor per
 * bus, regulator taps and capacitor states.
 */
import type { UNetwork } from './model';
import { calcVoltageBases, shapeMultiplier, UnbalancedSystem, type PfOptions } from './powerflow';
import {
  applyNearest,
  controlNodes,
  regulatorSteps,
  sampleControls,
  TimeControls,
  type ControlAction,
} from './controls';

export interface ElementFlow {
  /** `line.name`, `transformer.name`, … */
  readonly element: string;
  /** Per terminal, per conductor: current magnitude (A), power into the element (kW, kvar). */
  readonly terminals: {
    readonly bus: string;
    readonly nodes: readonly number[];
    readonly amps: number[];
    readonly kw: number[];
    readonly kvar: number[];
  }[];
  readonly lossKw: number;
  readonly lossKvar: number;
}

export interface UnbalancedPeriod {
  readonly converged: boolean;
  readonly iterations: number;
  readonly controlIterations: number;
  /** Line-to-neutral |V| in pu of the bus base, per bus and node. */
  readonly nodeVoltagesPu: Record<string, Record<string, number>>;
  readonly nodeAnglesDeg: Record<string, Record<string, number>>;
  /** [v12, v23, v31] (3-phase buses) or [v] for a 2-phase bus, pu of the line-to-line base. */
  readonly lineVoltagesPu: Record<string, number[]>;
  /** Negative- over positive-sequence voltage magnitude, for buses with nodes 1, 2, 3. */
  readonly vuf: Record<string, number>;
  /** Power delivered by the source(s), all phases. */
  readonly substationKw: number;
  readonly substationKvar: number;
  /** Lines, switches, reactors and transformers. */
  readonly lossKw: number;
  readonly lossKvar: number;
  readonly vminPu: number;
  readonly vminBus: string;
  readonly vmaxPu: number;
  readonly vmaxBus: string;
  /** RegControl name → tap position in steps from 1.0. */
  readonly regulatorTaps: Record<string, number>;
  readonly capacitorStates: Record<string, number[]>;
  readonly elements?: ElementFlow[];
}

export interface UnbalancedSolveOptions extends PfOptions {
  /** Periods to solve; none = one snapshot at the loads' nominal values × LoadMult. */
  readonly hours?: number;
  /** Which shape a time series follows (loads' daily= or yearly=). */
  readonly shape?: 'daily' | 'yearly';
  /** Controls act unless the script says ControlMode=OFF or this is false. */
  readonly controls?: boolean;
  /**
   * How they act: 'static' (OpenDSS's default, also in its daily and yearly modes: every period
   * settles, actions in order of delay) or 'time' (`Set ControlMode=Time`: actions wait for their
   * delays, one tap per step, state carried from period to period; ./controls TimeControls).
   * Default: the script's ControlMode (TIME → 'time', else 'static').
   */
  readonly controlMode?: 'static' | 'time';
  /** Include per-element flows (larger output). */
  readonly elementFlows?: boolean;
  /** 'summary': totals, extremes, taps and capacitor states only (no per-bus maps), for long series. */
  readonly detail?: 'full' | 'summary';
  /** Called after each period is solved (progress of a long series). */
  readonly onPeriod?: (done: number, total: number) => void;
}

/** Computes bus voltage bases once (CalcVoltageBases) if not already there. */
export function ensureVoltageBases(net: UNetwork): void {
  if ([...net.buses.values()].some((b) => b.kvBaseLN > 0)) return;
  calcVoltageBases(net);
}

/**
 * How many buses got each voltage base (CalcVoltageBases, computed here if not yet): line-to-line
 * kV, highest first; buses with no base (dead, or no `Set VoltageBases`) count under 0.
 */
export function busVoltageBases(net: UNetwork): { kv: number; buses: number }[] {
  ensureVoltageBases(net);
  const counts = new Map<number, number>();
  for (const b of net.buses.values()) {
    if (b.nodes.length === 0) continue;
    const ll = b.kvBaseLN * Math.sqrt(3);
    // Report the listed value the base came from (√3 round trip), else the base itself.
    const kv = net.voltageBasesKv.find((v) => Math.abs(v - ll) <= 1e-9 * v) ?? Number(ll.toPrecision(6));
    counts.set(kv, (counts.get(kv) ?? 0) + 1);
  }
  return [...counts].map(([kv, buses]) => ({ kv, buses })).sort((a, b) => b.kv - a.kv);
}

export function solveUnbalanced(
  net: UNetwork,
  options: UnbalancedSolveOptions = {},
): { periods: UnbalancedPeriod[]; system: UnbalancedSystem } {
  const sys = new UnbalancedSystem(net);
  if (![...net.buses.values()].some((b) => b.kvBaseLN > 0)) calcVoltageBases(net, sys);
  sys.setBases();
  const controls = options.controls !== false && net.controlMode !== 'off';
  const periods: UnbalancedPeriod[] = [];
  const count = options.hours ?? 0;
  const hoursList = count > 0 ? Array.from({ length: count }, (_, h) => h + 1) : [null];
  let warm = false;
  const timed =
    controls && (options.controlMode ?? (net.controlMode === 'time' ? 'time' : 'static')) === 'time'
      ? new TimeControls()
      : null;
  for (const hour of hoursList) {
    setPeriodInjections(net, sys, hour, options.shape ?? 'daily');
    const tol = options.tolerance ?? 1e-11;
    let iterations = 0;
    let controlIterations = 1;
    if (!controls) iterations = sys.solve(options, warm);
    else if (timed) {
      // OpenDSS moves time on before each solve of a series (the first period is hour 1).
      if (hour !== null) timed.advance(3600);
      const decide = { ...options, tolerance: Math.max(tol, DECIDE_TOLERANCE) };
      iterations = sys.solve(decide, warm);
      for (let round = 0; round < 50 && iterations >= 0; round++) {
        if (!timed.round(net, sys)) break;
        controlIterations++;
        const it = sys.solve(decide, true);
        iterations = it < 0 ? -1 : iterations + it;
      }
      if (iterations >= 0 && tol < decide.tolerance) {
        const it = sys.solve(options, true);
        iterations = it < 0 ? -1 : iterations + it;
      }
    } else {
      const r = settleControls(net, sys, options, warm);
      iterations = r.iterations;
      controlIterations = r.controlIterations;
      if (iterations >= 0 && tol < r.tolerance) {
        const it = sys.solve(options, true);
        iterations = it < 0 ? -1 : iterations + it;
      }
    }
    warm = iterations >= 0;
    periods.push(
      periodResult(
        net,
        sys,
        iterations,
        controlIterations,
        options.elementFlows === true,
        options.detail !== 'summary',
      ),
    );
    options.onPeriod?.(periods.length, hoursList.length);
  }
  return { periods, system: sys };
}

/** Tolerance (pu) at which control decisions are taken, as OpenDSS decides on a converged solution. */
const DECIDE_TOLERANCE = 1e-8;
/** Below this iteration change (pu) a control round may decide early, when the decision is firm. */
const SCREEN_TOLERANCE = 1e-4;
/** A screened decision must hold with the solution moved ± this many times its last iteration step. */
const SCREEN_MARGIN = 20;

/**
 * OpenDSS's static control mode for one period: solve, let the controls with the shortest delay
 * act, solve again, until no control wants to act (at most 50 rounds).
 *
 * Speed without changing any decision: a round's solve offers each iterate whose change is below
 * SCREEN_TOLERANCE to a firmness test, which samples the controls there and with the voltages
 * moved ±SCREEN_MARGIN × the last iteration's change (the direction the error lies in for a
 * linearly converging iteration, ≥ 10× its size). When the three samples agree (same controls,
 * same steps) the decision is the one a converged solution gives and the round stops iterating;
 * otherwise (a control near its band edge or a rounding boundary) it iterates on, at worst to
 * DECIDE_TOLERANCE, and decides there as before. Rounds start from the previous round's voltages;
 * the period's final state is then solved to the requested tolerance by the caller.
 */
function settleControls(
  net: UNetwork,
  sys: UnbalancedSystem,
  options: PfOptions,
  warm: boolean,
): { iterations: number; controlIterations: number; tolerance: number } {
  const tol = options.tolerance ?? 1e-11;
  const decide = { ...options, tolerance: Math.max(tol, DECIDE_TOLERANCE) };
  const keyOf = (actions: readonly ControlAction[]) =>
    actions
      .map((a) => a.key)
      .sort()
      .join('|');
  let reached = decide.tolerance;
  // The perturbation moves only what the controls read.
  const nodes = controlNodes(net, sys);
  const firm = {
    below: Math.max(tol, SCREEN_TOLERANCE),
    test: () => {
      const key = keyOf(sampleControls(net, sys));
      const ok = [-SCREEN_MARGIN, SCREEN_MARGIN].every(
        (s) => sys.withPerturbation(s, () => keyOf(sampleControls(net, sys)), nodes) === key,
      );
      if (ok) reached = firm.below;
      return ok;
    },
  };
  let iterations = sys.solve(decide, warm, firm);
  let controlIterations = 1;
  for (let round = 0; round < 50 && iterations >= 0; round++) {
    if (!applyNearest(sampleControls(net, sys))) break;
    controlIterations++;
    reached = decide.tolerance;
    const it = sys.solve(decide, true, firm);
    if (it < 0) return { iterations: -1, controlIterations, tolerance: reached };
    iterations += it;
  }
  return { iterations, controlIterations, tolerance: reached };
}

/** Loads and generators at a period's level: nominal × LoadMult × shape (status=fixed: nominal). */
export function setPeriodInjections(
  net: UNetwork,
  sys: UnbalancedSystem,
  hour: number | null,
  mode: 'daily' | 'yearly',
): void {
  const nl = net.loads.length;
  net.loads.forEach((l, k) => {
    let p = l.kw,
      q = l.kvar;
    if (!l.fixed) {
      p *= net.loadMult;
      q *= net.loadMult;
      if (hour !== null) {
        const name = mode === 'daily' ? l.daily : (l.yearly ?? l.daily);
        const shape = name ? net.loadShapes.get(name) : undefined;
        if (shape) {
          const m = shapeMultiplier(shape, hour);
          if (shape.useActual) {
            p = m.p;
            q = m.q ?? (l.kw === 0 ? 0 : (m.p * l.kvar) / l.kw);
          } else {
            p *= m.p;
            q *= m.q ?? m.p;
          }
        }
      }
    }
    sys.setInjection(k, p, q);
  });
  net.generators.forEach((g, k) => {
    let p = g.kw,
      q = g.kvar;
    if (hour !== null) {
      const name = mode === 'daily' ? g.daily : (g.yearly ?? g.daily);
      const shape = name ? net.loadShapes.get(name) : undefined;
      if (shape) {
        const m = shapeMultiplier(shape, hour);
        p = shape.useActual ? m.p : p * m.p;
        q = shape.useActual ? (m.q ?? 0) : q * (m.q ?? m.p);
      }
    }
    // A generator injects: a negative load.
    sys.setInjection(nl + k, -p, -q);
  });
}

function periodResult(
  net: UNetwork,
  sys: UnbalancedSystem,
  iterations: number,
  controlIterations: number,
  flows: boolean,
  full: boolean,
): UnbalancedPeriod {
  const nodeVoltagesPu: Record<string, Record<string, number>> = {};
  const nodeAnglesDeg: Record<string, Record<string, number>> = {};
  const lineVoltagesPu: Record<string, number[]> = {};
  const vuf: Record<string, number> = {};
  let vmin = Infinity,
    vmax = -Infinity,
    vminBus = '',
    vmaxBus = '';
  if (!full) {
    // Extremes straight from the node arrays (no per-bus maps).
    const { bus, node } = sys.nodes;
    const baseV = sys.nodeBaseV;
    for (let i = 0; i < sys.nodes.count; i++) {
      if (node[i] > 3 || !sys.live[i]) continue;
      if (!(baseV[i] > 0)) continue;
      const m = Math.sqrt(sys.vRe[i] * sys.vRe[i] + sys.vIm[i] * sys.vIm[i]) / baseV[i];
      if (m > 0 && m < vmin) {
        vmin = m;
        vminBus = `${bus[i]}.${node[i]}`;
      }
      if (m > vmax) {
        vmax = m;
        vmaxBus = `${bus[i]}.${node[i]}`;
      }
    }
  }
  for (const b of full ? net.buses.values() : []) {
    if (b.nodes.length === 0) continue;
    const base = b.kvBaseLN * 1000;
    const mags: Record<string, number> = {};
    const angs: Record<string, number> = {};
    for (const n of b.nodes) {
      const [vr, vi] = sys.v(b.name, n);
      const m = base > 0 ? Math.hypot(vr, vi) / base : 0;
      mags[n] = m;
      angs[n] = (Math.atan2(vi, vr) * 180) / Math.PI;
      if (n <= 3 && base > 0 && m > 0) {
        if (m < vmin) {
          vmin = m;
          vminBus = `${b.name}.${n}`;
        }
        if (m > vmax) {
          vmax = m;
          vmaxBus = `${b.name}.${n}`;
        }
      }
    }
    if (!full) continue;
    nodeVoltagesPu[b.name] = mags;
    nodeAnglesDeg[b.name] = angs;
    const ph = b.nodes.filter((n) => n >= 1 && n <= 3);
    const ll = base * Math.sqrt(3);
    const diff = (x: number, y: number) => {
      const [ar, ai] = sys.v(b.name, x);
      const [br, bi] = sys.v(b.name, y);
      return ll > 0 ? Math.hypot(ar - br, ai - bi) / ll : 0;
    };
    if (ph.length === 3) {
      lineVoltagesPu[b.name] = [diff(1, 2), diff(2, 3), diff(3, 1)];
      const [ar, ai] = sys.v(b.name, 1),
        [br, bi] = sys.v(b.name, 2),
        [cr, ci] = sys.v(b.name, 3);
      // a = 1∠120°: V1 = (Va + a Vb + a² Vc)/3, V2 = (Va + a² Vb + a Vc)/3.
      const c = -0.5,
        s = Math.sqrt(3) / 2;
      const rot = (x: number, y: number, sin: number): [number, number] => [x * c - y * sin, x * sin + y * c];
      const [b1r, b1i] = rot(br, bi, s),
        [c1r, c1i] = rot(cr, ci, -s);
      const [b2r, b2i] = rot(br, bi, -s),
        [c2r, c2i] = rot(cr, ci, s);
      const v1 = Math.hypot(ar + b1r + c1r, ai + b1i + c1i),
        v2 = Math.hypot(ar + b2r + c2r, ai + b2i + c2i);
      vuf[b.name] = v1 > 0 ? v2 / v1 : 0;
    } else if (ph.length === 2) lineVoltagesPu[b.name] = [diff(ph[0], ph[1])];
  }
  let subP = 0,
    subQ = 0,
    lossP = 0,
    lossQ = 0;
  const elements: ElementFlow[] = [];
  for (const o of sys.owners) {
    if (o.kind === 'vsource') {
      // Power into the network at bus 1 = −(power into the source element's bus-1 conductors).
      const n = o.stamp.idx.length / 2;
      const { re, im } = sys.elementCurrents(o);
      // Source terminal current toward the network: Ysrc·E − Y·V (Norton): the element's Yprim·V is
      // the current into the element; the source's own injection adds Ysrc·E.
      let p = 0,
        q = 0;
      const vs = net.vsources.find((v) => v.name === o.name)!;
      const e = sourceEmf(vs);
      for (let i = 0; i < n; i++) {
        const g = o.stamp.idx[i];
        if (g < 0) continue;
        let ir = -re[i],
          ii = -im[i];
        for (let j = 0; j < n; j++) {
          const yr = o.stamp.y.re[i * o.stamp.y.n + j],
            yi = o.stamp.y.im[i * o.stamp.y.n + j];
          ir += yr * e.re[j] - yi * e.im[j];
          ii += yr * e.im[j] + yi * e.re[j];
        }
        p += sys.vRe[g] * ir + sys.vIm[g] * ii;
        q += sys.vIm[g] * ir - sys.vRe[g] * ii;
      }
      subP += p;
      subQ += q;
      continue;
    }
    if (o.kind === 'line' || o.kind === 'transformer') {
      const [p, q] = sys.elementPower(o);
      lossP += p;
      lossQ += q;
      if (flows) elements.push(elementFlow(net, sys, o));
    }
  }
  const regulatorTaps: Record<string, number> = regulatorSteps(net);
  const capacitorStates: Record<string, number[]> = {};
  for (const c of net.capacitors) capacitorStates[c.name] = [...c.states];
  return {
    converged: iterations >= 0,
    iterations: Math.max(iterations, 0),
    controlIterations,
    nodeVoltagesPu,
    nodeAnglesDeg,
    lineVoltagesPu,
    vuf,
    substationKw: subP / 1000,
    substationKvar: subQ / 1000,
    lossKw: lossP / 1000,
    lossKvar: lossQ / 1000,
    vminPu: vmin,
    vminBus,
    vmaxPu: vmax,
    vmaxBus,
    regulatorTaps,
    capacitorStates,
    ...(flows ? { elements } : {}),
  };
}

function sourceEmf(vs: UNetwork['vsources'][number]): { re: Float64Array; im: Float64Array } {
  const n = vs.phases;
  const vmag = n === 1 ? vs.baseKv * vs.pu * 1000 : (vs.baseKv * vs.pu * 1000) / 2 / Math.sin(Math.PI / n);
  const re = new Float64Array(n),
    im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = ((vs.angleDeg - (i * 360) / n) * Math.PI) / 180;
    re[i] = vmag * Math.cos(a);
    im[i] = vmag * Math.sin(a);
  }
  return { re, im };
}

function elementFlow(net: UNetwork, sys: UnbalancedSystem, o: UnbalancedSystem['owners'][number]): ElementFlow {
  const { re, im } = sys.elementCurrents(o);
  const terms: { bus: string; nodes: number[] }[] = [];
  if (o.kind === 'line') {
    const l = net.lines.find((x) => x.name === o.name)!;
    terms.push({ bus: l.bus1.bus, nodes: [...l.bus1.nodes] }, { bus: l.bus2.bus, nodes: [...l.bus2.nodes] });
  } else {
    const xf = net.transformers.find((x) => x.name === o.name)!;
    for (const w of xf.windings) terms.push({ bus: w.bus.bus, nodes: [...w.bus.nodes] });
  }
  let k = 0;
  let lp = 0,
    lq = 0;
  const terminals = terms.map((t) => {
    const amps: number[] = [],
      kw: number[] = [],
      kvar: number[] = [];
    for (let c = 0; c < t.nodes.length; c++, k++) {
      const g = o.stamp.idx[k];
      const vr = g >= 0 ? sys.vRe[g] : 0,
        vi = g >= 0 ? sys.vIm[g] : 0;
      amps.push(Math.hypot(re[k], im[k]));
      const p = (vr * re[k] + vi * im[k]) / 1000,
        q = (vi * re[k] - vr * im[k]) / 1000;
      kw.push(p);
      kvar.push(q);
      lp += p;
      lq += q;
    }
    return { ...t, amps, kw, kvar };
  });
  return { element: `${o.kind}.${o.name}`, terminals, lossKw: lp, lossKvar: lq };
}
