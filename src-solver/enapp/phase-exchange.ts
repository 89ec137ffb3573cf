/**
 * The per-phase part of the exchanged boundary values (three-phase areas, protocol.ts
 * PhaseVoltage / PhasePower; docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase
 * boundary values"), for the coordinator: copying, forwarding, the convergence measure, the
 * relaxation and the flat layout of its Anderson acceleration.
 *
 * Convergence: per exchanged node and period the complex differences |V' − V| and |S' − S| in pu
 * (S = P + jQ the power the child draws there; |ΔV| bounds the change of the magnitude and, over
 * the magnitude, of the angle). Prices: the complex difference relative to the largest magnitude
 * of its kind ((π_P, π_Q), (π_e, π_f)) over the boundaries.
 *
 * Anderson groups (coordinator.ts exchangeLayout), as the balanced exchange's: per period t the
 * boundary voltages, reactive powers and their prices (V, Q, π_V, π_Q) of every three-phase
 * boundary — a boundary's phases together, coupled by the lines' mutual impedances —, and one group
 * of the active powers and their prices (P, π_P) over all periods, which batteries couple.
 */
import type { PhasePower, PhaseVoltage } from './protocol';

/**
 * A child's draw linearised in its root voltage (opf3-sensitivity.ts), carried beside the values
 * (not exchanged by the acceleration: the latest is used). `dS` per period the 2n × 2n block
 * ∂(P_k, Q_k)/∂(e_j, f_j), index t·4n² + (2k + a)·2n + 2j + b; `adjVRe`, `adjVIm` = −Jᵀπ_S, the
 * part of the child's voltage price that its draw's price makes (index t·n + j): the parent that
 * models the draw as S + J ΔV adds the child's price plus this, so that its optimum is unchanged at
 * a fixed point (ΔV = 0 there, and the two J terms cancel in its stationarity).
 */
export interface DrawSensitivity {
  /** The voltage the child used (given + its root slack) and its draw there, index t·n + k: the linearisation point. */
  readonly v0Re: readonly number[];
  readonly v0Im: readonly number[];
  readonly p0: readonly number[];
  readonly q0: readonly number[];
  readonly dS: readonly number[];
  readonly adjVRe: readonly number[];
  readonly adjVIm: readonly number[];
}

/** A child's per-phase side with its draw's sensitivity (opf3-area.ts, exact coordination with `drawSensitivity`). */
export interface PhasePowerWithSensitivity extends PhasePower {
  readonly sens?: DrawSensitivity;
  /** The boundary's exchanged voltage, index t·n + k: the centre of the parent's proximal term (opf3-area.ts Opf3AreaSpec.voltageProxFactor). */
  readonly vRe?: readonly number[];
  readonly vIm?: readonly number[];
}

/**
 * The parent → child inputs with the boundary's current (exchanged) draw, index t·n + k: the centre
 * of the child's proximal term on its draw (opf3-area.ts Opf3AreaSpec.proxFactor).
 */
export interface PhaseVoltageWithDraw extends PhaseVoltage {
  readonly drawP?: readonly number[];
  readonly drawQ?: readonly number[];
  /**
   * The parent's curvature in the draw, index t·n + k: ∂π_P/∂P and ∂π_Q/∂Q at node k (its KKT
   * sensitivity, opf3-area.ts Opf3AreaSpec.priceCurvature) — the child's proximal weights.
   */
  readonly curvP?: readonly number[];
  readonly curvQ?: readonly number[];
}

/** The per-phase boundary values of one boundary (BoundaryState.phase), index t·nodes + k. */
export interface PhaseState {
  readonly nodes: number;
  readonly vRe: number[];
  readonly vIm: number[];
  readonly p: number[];
  readonly q: number[];
  readonly priceP?: number[];
  readonly priceQ?: number[];
  readonly priceVRe?: number[];
  readonly priceVIm?: number[];
  /** The child's latest draw sensitivity (not accelerated, not part of the convergence test). */
  readonly sens?: DrawSensitivity;
  /**
   * Anderson groups (read from the round-1 states that fix the layout): true puts the active powers
   * and their prices per period too, beside V, Q and their prices, instead of one group over all
   * periods (phaseGroups).
   */
  readonly energyPerPeriod?: boolean;
  /** The parent's latest curvature in the draw (PhaseVoltageWithDraw; not accelerated, not tested). */
  readonly curvP?: readonly number[];
  readonly curvQ?: readonly number[];
}

const KINDS = ['vRe', 'vIm', 'priceVRe', 'priceVIm', 'p', 'q', 'priceP', 'priceQ'] as const;
type Kind = (typeof KINDS)[number];
/** Kinds grouped per period (the rest, P and π_P, form one group over all periods). */
const PER_PERIOD: ReadonlySet<Kind> = new Set(['vRe', 'vIm', 'priceVRe', 'priceVIm', 'q', 'priceQ']);

type WithPhase = { readonly phase?: PhaseState };

export function copyPhase(p: PhaseState): PhaseState {
  const out: { -readonly [K in keyof PhaseState]?: PhaseState[K] } = { nodes: p.nodes };
  for (const k of KINDS) if (p[k]) out[k] = [...p[k]];
  if (p.sens) out.sens = p.sens;
  if (p.curvP && p.curvQ) {
    out.curvP = p.curvP;
    out.curvQ = p.curvQ;
  }
  return out as PhaseState;
}

/**
 * The next states with the latest draw sensitivities of `fresh` (the round's outputs): the
 * acceleration (coordinator.ts unflatten) rebuilds the next states from the previous ones.
 */
export function withFreshSensitivity<S extends WithPhase>(next: readonly S[], fresh: readonly WithPhase[]): S[] {
  return next.map((b, i) => {
    const f = fresh[i]?.phase;
    if (!b.phase || !f || !(f.sens || (f.curvP && f.curvQ))) return b;
    return {
      ...b,
      phase: {
        ...b.phase,
        ...(f.sens ? { sens: f.sens } : {}),
        ...(f.curvP && f.curvQ ? { curvP: f.curvP, curvQ: f.curvQ } : {}),
      },
    };
  });
}

/** The kinds present in every three-phase boundary (values always; prices where exchanged). */
function kindsOf(x: readonly WithPhase[]): Kind[] {
  const ph = x.filter((b) => b.phase).map((b) => b.phase!);
  return KINDS.filter((k) => ph.length > 0 && ph.every((p) => p[k] !== undefined));
}

/** The per-phase entries' length in the flat exchanged vector. */
export function phaseLength(x: readonly WithPhase[]): number {
  const K = kindsOf(x).length;
  return x.reduce((s, b) => s + (b.phase ? K * b.phase.vRe.length : 0), 0);
}

/** Anderson groups of the per-phase entries (placed from `offset`), and each price kind's entries (for scaling). */
export function phaseGroups(x: readonly WithPhase[], offset: number): { groups: number[][]; priceEntries: number[][] } {
  const kinds = kindsOf(x);
  const T = Math.max(0, ...x.map((b) => (b.phase ? b.phase.vRe.length / b.phase.nodes : 0)));
  const phases = x.filter((b) => b.phase);
  const allPerPeriod = phases.length > 0 && phases.every((b) => b.phase!.energyPerPeriod === true);
  const perPeriod: number[][] = Array.from({ length: T }, () => []);
  const energy: number[] = [];
  const priceEntries = new Map<Kind, number[]>();
  let at = offset;
  for (const b of x) {
    if (!b.phase) continue;
    const len = b.phase.vRe.length;
    const n = b.phase.nodes;
    for (const k of kinds) {
      for (let j = 0; j < len; j++) {
        if (allPerPeriod || PER_PERIOD.has(k)) perPeriod[Math.floor(j / n)]!.push(at + j);
        else energy.push(at + j);
        if (k.startsWith('price')) {
          const list = priceEntries.get(k) ?? [];
          list.push(at + j);
          priceEntries.set(k, list);
        }
      }
      at += len;
    }
  }
  return { groups: [...perPeriod, energy].filter((g) => g.length > 0), priceEntries: [...priceEntries.values()] };
}

export function writePhase(x: readonly WithPhase[], out: Float64Array, offset: number): void {
  const kinds = kindsOf(x);
  let at = offset;
  for (const b of x) {
    if (!b.phase) continue;
    for (const k of kinds) {
      const a = b.phase[k]!;
      for (let j = 0; j < a.length; j++) out[at + j] = a[j]!;
      at += a.length;
    }
  }
}

/** The states of `like` with their per-phase values read from `f` (layout of writePhase). */
export function readPhase<S extends WithPhase>(f: Float64Array, like: readonly S[], offset: number): S[] {
  const kinds = kindsOf(like);
  let at = offset;
  return like.map((b) => {
    if (!b.phase) return b;
    const p = copyPhase(b.phase) as { -readonly [K in Kind]?: number[] } & { nodes: number };
    for (const k of kinds) {
      const a = p[k]!;
      for (let j = 0; j < a.length; j++) a[j] = f[at + j]!;
      at += a.length;
    }
    return { ...b, phase: p as PhaseState };
  });
}

/** Largest |V' − V| and |S' − S| (complex, pu) over the three-phase boundaries. */
export function phaseChange(out: readonly WithPhase[], x: readonly WithPhase[]): { dv: number; di: number } {
  let dv = 0;
  let di = 0;
  out.forEach((o, i) => {
    const a = o.phase;
    const b = x[i]!.phase;
    if (!a || !b) return;
    for (let j = 0; j < a.vRe.length; j++) {
      dv = Math.max(dv, Math.hypot(a.vRe[j]! - b.vRe[j]!, a.vIm[j]! - b.vIm[j]!));
      di = Math.max(di, Math.hypot(a.p[j]! - b.p[j]!, a.q[j]! - b.q[j]!));
    }
  });
  return { dv, di };
}

/** Largest price change (complex), relative to the largest price magnitude of its kind (π_I, π_V). */
export function phasePriceChange(out: readonly WithPhase[], x: readonly WithPhase[]): number {
  let worst = 0;
  for (const [re, im] of [
    ['priceP', 'priceQ'],
    ['priceVRe', 'priceVIm'],
  ] as const) {
    let scale = 0;
    for (const o of out) {
      const p = o.phase;
      if (p?.[re] && p[im])
        for (let j = 0; j < p[re].length; j++) scale = Math.max(scale, Math.hypot(p[re][j]!, p[im][j]!));
    }
    if (!(scale > 0)) continue;
    out.forEach((o, i) => {
      const p = o.phase;
      const q = x[i]!.phase;
      if (!p?.[re] || !p[im] || !q?.[re] || !q[im]) return;
      for (let j = 0; j < p[re].length; j++)
        worst = Math.max(worst, Math.hypot(p[re][j]! - q[re][j]!, p[im][j]! - q[im][j]!) / scale);
    });
  }
  return worst;
}

/** x + ω (x' − x) for every per-phase value and price. */
export function mixPhase(old: PhaseState, o: PhaseState, omega: number): PhaseState {
  const out: { -readonly [K in keyof PhaseState]?: PhaseState[K] } = { nodes: o.nodes };
  for (const k of KINDS) {
    const a = old[k];
    const b = o[k];
    out[k] = a && b ? a.map((v, j) => v + omega * (b[j]! - v)) : b ? [...b] : a ? [...a] : undefined;
    if (out[k] === undefined) delete out[k];
  }
  const sens = o.sens ?? old.sens;
  if (sens) out.sens = sens;
  const curv = o.curvP ? o : old;
  if (curv.curvP && curv.curvQ) {
    out.curvP = curv.curvP;
    out.curvQ = curv.curvQ;
  }
  return out as PhaseState;
}

/**
 * A boundary's per-phase state from its two sides' outputs (the parent's voltages, the child's
 * currents); prices from the areas when exchanged, else the old ones.
 */
export function phaseFromOutputs(
  parentSide: PhaseVoltageWithDraw,
  childSide: PhasePower,
  old: PhaseState | undefined,
  prices: boolean,
): PhaseState {
  const pick = (fresh: readonly number[] | undefined, kept: number[] | undefined) =>
    prices && fresh ? [...fresh] : kept ? [...kept] : undefined;
  const out: { -readonly [K in keyof PhaseState]?: PhaseState[K] } = {
    nodes: parentSide.nodes,
    vRe: [...parentSide.vRe],
    vIm: [...parentSide.vIm],
    p: [...childSide.p],
    q: [...childSide.q],
    priceP: pick(parentSide.priceP, old?.priceP),
    priceQ: pick(parentSide.priceQ, old?.priceQ),
    priceVRe: pick(childSide.priceVRe, old?.priceVRe),
    priceVIm: pick(childSide.priceVIm, old?.priceVIm),
  };
  for (const k of KINDS) if (out[k] === undefined) delete out[k];
  const sens = (childSide as PhasePowerWithSensitivity).sens;
  if (sens) out.sens = sens;
  if (parentSide.curvP && parentSide.curvQ) {
    out.curvP = [...parentSide.curvP];
    out.curvQ = [...parentSide.curvQ];
  }
  return out as PhaseState;
}

/** The parent → child inputs of a three-phase boundary. */
export function phaseVoltageInput(p: PhaseState): PhaseVoltageWithDraw {
  return {
    nodes: p.nodes,
    vRe: p.vRe,
    vIm: p.vIm,
    ...(p.priceP && p.priceQ ? { priceP: p.priceP, priceQ: p.priceQ, drawP: p.p, drawQ: p.q } : {}),
    ...(p.curvP && p.curvQ ? { curvP: p.curvP, curvQ: p.curvQ } : {}),
  };
}

/** The child → parent inputs of a three-phase boundary. */
export function phasePowerInput(p: PhaseState): PhasePowerWithSensitivity {
  return {
    nodes: p.nodes,
    p: p.p,
    q: p.q,
    ...(p.priceVRe && p.priceVIm ? { priceVRe: p.priceVRe, priceVIm: p.priceVIm, vRe: p.vRe, vIm: p.vIm } : {}),
    ...(p.sens ? { sens: p.sens } : {}),
  };
}
