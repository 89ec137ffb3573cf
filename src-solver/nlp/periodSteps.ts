/**
 * Per-period step lengths (SolveOptions.stepLengths = 'per-period') for a multi-period problem
 * that carries NlpProblem.periods.
 *
 * W&B's fraction to the boundary (eq. 15) takes one α for the whole primal step and one α_z for
 * the bound multipliers. On a problem of T periods that interact only through a few variables
 * (the OPF: the battery SOC chain), one period whose bound is close cuts the step of every other
 * period, and over a long horizon "the periods take turns" cutting it. Here every variable gets a
 * class:
 *
 *   coupled (class T)  a variable of no period, or one that appears in a row (Jacobian) or a
 *                      Hessian entry whose variables span more than one period (or touch one of
 *                      no period): these share ONE step;
 *   period t (0…T−1)   every other variable of period t (a slack: its row's period).
 *
 * Each class k gets its own fraction to the boundary α_k (primal) and α_z,k (bound multipliers);
 * the step taken is Δ̃w = diag(α_cls(j)) Δw, then backtracked as a whole (ipm.ts lineSearch).
 * A row whose variables are all of one class moves with that class's α: its linearization is
 * kept exactly (residual (1 − α_k) c_i). Only rows that mix a coupled variable with per-period
 * ones (a battery's power at its bus's balance) see a mixed step.
 */
import type { InternalNlp } from './internalNlp';
import type { PeriodHint } from './problem';
import type { ClassSteps } from './stepPass';

export interface StepClasses {
  /** Number of classes K = periods + 1; class K − 1 is "coupled". */
  readonly count: number;
  /** Class of every internal variable w (length nw). */
  readonly ofVar: Int32Array;
  /** Class of every row (its λ step; length m): coupled for a coupling row, else its period. */
  readonly ofRow: Int32Array;
  /** Diagnostics: coupled variables, coupling rows, rows mixing a coupled variable with per-period ones. */
  readonly coupledVars: number;
  readonly couplingRows: number;
  readonly mixedRows: number;
}

/** The classes of `nlp` from the hint, or a string saying why there are none. */
export function stepClasses(nlp: InternalNlp, hint: PeriodHint | undefined): StepClasses | string {
  if (!hint) return 'the problem gives no period hint (NlpProblem.periods)';
  const { n, m, nw, jRows, jCols, hRows, hCols, conOfSlack } = nlp;
  const T = hint.count;
  if (!(Number.isInteger(T) && T >= 1)) return `periods.count = ${T} is not a positive integer`;
  if (hint.ofVar.length !== n || hint.ofCon.length !== m) return 'the period hint has the wrong length';
  const C = T; // the coupled class
  const per = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const t = hint.ofVar[j];
    if (!(t >= -1 && t < T)) return `periods.ofVar[${j}] = ${t} is outside [−1, ${T})`;
    per[j] = t < 0 ? C : t;
  }
  // The period of each row's variables: −2 none yet, C when they span periods or one is of none.
  const rowPer = new Int32Array(m).fill(-2);
  for (let k = 0; k < jRows.length; k++) {
    const i = jRows[k];
    const t = per[jCols[k]];
    const r = rowPer[i];
    if (r === -2) rowPer[i] = t;
    else if (r !== t) rowPer[i] = C;
  }
  const ofVar = new Int32Array(nw);
  ofVar.set(per);
  // variables of coupling rows
  for (let k = 0; k < jRows.length; k++) if (rowPer[jRows[k]] === C) ofVar[jCols[k]] = C;
  // variables joined by the Hessian across periods
  for (let k = 0; k < hRows.length; k++) {
    if (per[hRows[k]] !== per[hCols[k]]) {
      ofVar[hRows[k]] = C;
      ofVar[hCols[k]] = C;
    }
  }
  const ofRow = new Int32Array(m);
  let couplingRows = 0;
  let mixedRows = 0;
  for (let i = 0; i < m; i++) {
    const r = rowPer[i];
    if (r === C) couplingRows++;
    // a row without variables takes its hinted period
    ofRow[i] = r === -2 ? (hint.ofCon[i] >= 0 && hint.ofCon[i] < T ? hint.ofCon[i] : C) : r;
  }
  for (let s = 0; s < conOfSlack.length; s++) ofVar[n + s] = ofRow[conOfSlack[s]];
  const seenMixed = new Uint8Array(m);
  for (let k = 0; k < jRows.length; k++) {
    const i = jRows[k];
    if (ofRow[i] !== C && ofVar[jCols[k]] === C && !seenMixed[i]) {
      seenMixed[i] = 1;
      mixedRows++;
    }
  }
  let coupledVars = 0;
  for (let j = 0; j < nw; j++) if (ofVar[j] === C) coupledVars++;
  return { count: T + 1, ofVar, ofRow, coupledVars, couplingRows, mixedRows };
}

/**
 * How the coupled class's step is formed: 'own' from its own variables' fractions to the
 * boundary; 'min' also not above any period's (the coupled variables then never outrun a period).
 */
export type CoupledStep = 'own' | 'min';

/** Applies the coupled-class rule to the per-class fractions (in place). */
export function combineCoupled(steps: ClassSteps, rule: CoupledStep): void {
  if (rule === 'own') return;
  const C = steps.alphaPr.length - 1;
  let pr = steps.alphaPr[C];
  let du = steps.alphaDu[C];
  for (let k = 0; k < C; k++) {
    if (steps.alphaPr[k] < pr) pr = steps.alphaPr[k];
    if (steps.alphaDu[k] < du) du = steps.alphaDu[k];
  }
  steps.alphaPr[C] = pr;
  steps.alphaDu[C] = du;
}
