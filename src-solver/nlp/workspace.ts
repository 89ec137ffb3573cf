/**
 * A reusable solver workspace for a sequence of solves of problems with the SAME structure
 * (sizes, Jacobian and Hessian sparsity, which rows are inequalities, which variables are fixed)
 * but different values: bounds, constants, objective coefficients, starting point. The ENApp
 * areas (enapp/opf-area.ts) re-solve the same area model every round with new boundary values.
 *
 * What is kept is the expensive, value-independent part of a solve: the augmented KKT system of
 * W&B 2006 eq. (13) (kkt.ts) — its upper-triangle CSC pattern, the slot maps of the Hessian,
 * Jacobian, Σ and δ entries, and the LDLᵀ symbolic analysis (KKT-aware AMD ordering,
 * elimination tree, supernodes, factor storage). On the IEEE 123 area of 6,216 variables × 24
 * periods that setup is 0.3–0.5 s, more than the ten or so warm-started iterations of a round.
 *
 * Use:   const ws = createSolverWorkspace();
 *        solveNlp(p1, options, { workspace: ws });   // builds and keeps the KKT system
 *        solveNlp(p2, options, { workspace: ws });   // same structure: reuses it (setup ≈ 0)
 * A problem whose structure differs (checked entry by entry, O(nnz), microseconds) gets a new
 * KKT system, which then replaces the kept one; results never depend on whether it was reused
 * (the symbolic analysis is a function of the structure only).
 *
 * Only the user's problem uses the workspace; the restoration phase builds its own system.
 */
import type { InternalNlp } from './internalNlp';
import { KktSystem, type KktOptions } from './kkt';

/** The structure a kept KKT system was built for (copies; the problem may reuse its arrays). */
interface StructureKey {
  readonly n: number;
  readonly m: number;
  readonly jRows: Int32Array;
  readonly jCols: Int32Array;
  readonly hRows: Int32Array;
  readonly hCols: Int32Array;
  readonly conOfSlack: Int32Array;
  readonly fixed: Uint8Array;
  /** NlpProblem.constantJacobian (null when absent): it decides the KKT system's partial assembly. */
  readonly constantJacobian: Uint8Array | null;
}

export interface SolverWorkspace {
  /** Solves that reused the kept KKT system / that (re)built it. */
  readonly stats: { reused: number; built: number };
  /** @internal the kept system and the structure it belongs to. */
  kept: { key: StructureKey; kkt: KktSystem; options: KktOptions } | null;
}

/** An empty workspace; the first solve that receives it fills it. */
export function createSolverWorkspace(): SolverWorkspace {
  return { stats: { reused: 0, built: 0 }, kept: null };
}

function keyOf(nlp: InternalNlp): StructureKey {
  return {
    n: nlp.n,
    m: nlp.m,
    jRows: nlp.jRows.slice(),
    jCols: nlp.jCols.slice(),
    hRows: nlp.hRows.slice(),
    hCols: nlp.hCols.slice(),
    conOfSlack: nlp.conOfSlack.slice(),
    fixed: nlp.fixed.slice(),
    constantJacobian: nlp.p.constantJacobian?.slice() ?? null,
  };
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function matches(k: StructureKey, nlp: InternalNlp): boolean {
  return (
    k.n === nlp.n &&
    k.m === nlp.m &&
    sameArray(k.jRows, nlp.jRows) &&
    sameArray(k.jCols, nlp.jCols) &&
    sameArray(k.hRows, nlp.hRows) &&
    sameArray(k.hCols, nlp.hCols) &&
    sameArray(k.conOfSlack, nlp.conOfSlack) &&
    sameArray(k.fixed, nlp.fixed) &&
    (k.constantJacobian === null
      ? nlp.p.constantJacobian === undefined
      : nlp.p.constantJacobian !== undefined && sameArray(k.constantJacobian, nlp.p.constantJacobian))
  );
}

/**
 * The KKT system for `nlp`: the workspace's when the structure matches (its per-solve counters
 * reset), otherwise a new one (kept in the workspace when there is one).
 */
export function kktSystemFor(nlp: InternalNlp, ws: SolverWorkspace | undefined, options: KktOptions = {}): KktSystem {
  if (
    ws?.kept &&
    matches(ws.kept.key, nlp) &&
    ws.kept.options.stablePivotTolerance === options.stablePivotTolerance &&
    ws.kept.options.ordering === options.ordering
  ) {
    ws.stats.reused++;
    const kkt = ws.kept.kkt;
    kkt.invalidateConstants(); // another problem: its constant Jacobian values may differ
    kkt.solveMs = 0;
    kkt.solves = 0;
    kkt.triangularSolves = 0;
    kkt.partialFactorizations = 0;
    kkt.partialShare = 0;
    kkt.lastResidual = 0;
    return kkt;
  }
  const kkt = new KktSystem(nlp, options);
  if (ws) {
    ws.kept = { key: keyOf(nlp), kkt, options };
    ws.stats.built++;
  }
  return kkt;
}
