/**
 * Why an OPF solve takes the iterations it takes: collects the interior-point solver's step
 * records (SolveHooks.onStep, nlp/types.ts) and names, in OPF terms, the bounds that cut the
 * steps — which kind of variable (spec symbols: v, qD, qB, Pc, Pd, B, …), which side, which
 * period — per barrier parameter μ. Used by the contiguous-year bench case and the long-horizon
 * diagnosis in docs/siting.md; it reads the steps only, so the solve is the same with or without it.
 */
import type { StepBlocking, StepRecord } from '../nlp/types';
import type { IndexMap } from './index-map';

/** One barrier parameter's iterations. */
export interface MuPhase {
  readonly mu: number;
  /** Iterations at this μ. */
  steps: number;
  /** Of those, iterations whose primal step the fraction to the boundary cut below 1. */
  cut: number;
  /** Distinct periods whose bounds cut a primal step. */
  periodsBlocking: number;
  /** Largest δ_w and the factorizations of the inertia correction. */
  maxDeltaW: number;
  factorizations: number;
  /** Iterations whose per-period shift started from δ_w^last (the step before was full and raised θ). */
  held: number;
}

export interface StepDiagnosis {
  readonly steps: number;
  /** Iterations whose primal step was cut below 1, by the bound that cut it ("qD upper", "v lower", …). */
  readonly primalBlockedBy: Readonly<Record<string, number>>;
  /** The same for the bound multipliers' step. */
  readonly dualBlockedBy: Readonly<Record<string, number>>;
  /** Per μ, in the order the solve visited them. */
  readonly phases: readonly MuPhase[];
}

export interface StepDiagnosisCollector {
  /** Pass as SolveHooks.onStep. */
  readonly onStep: (s: StepRecord) => void;
  summary(): StepDiagnosis;
}

export function createStepDiagnosis(ix: IndexMap): StepDiagnosisCollector {
  const primal: Record<string, number> = {};
  const dual: Record<string, number> = {};
  const phases: MuPhase[] = [];
  let periods = new Set<number>();
  let steps = 0;
  const where = (b: StepBlocking): { label: string; period: number } => {
    if (b.variable !== null) {
      const v = ix.variable(b.variable);
      return { label: `${v.kind} ${b.bound}`, period: v.period };
    }
    const row = b.row ?? -1;
    const period = Math.floor(row / ix.consPerPeriod);
    return { label: `row ${b.bound}`, period: period < ix.periods ? period : -1 };
  };
  return {
    onStep(s: StepRecord): void {
      steps++;
      let phase = phases[phases.length - 1];
      if (!phase || phase.mu !== s.mu) {
        if (phase) phase.periodsBlocking = periods.size;
        periods = new Set();
        phase = { mu: s.mu, steps: 0, cut: 0, periodsBlocking: 0, maxDeltaW: 0, factorizations: 0, held: 0 };
        phases.push(phase);
      }
      phase.steps++;
      phase.maxDeltaW = Math.max(phase.maxDeltaW, s.deltaW);
      phase.factorizations += s.factorizations;
      if (s.shiftHeld) phase.held++;
      if (s.primalBlocking && s.alphaPrimalMax < 1) {
        const w = where(s.primalBlocking);
        primal[w.label] = (primal[w.label] ?? 0) + 1;
        phase.cut++;
        periods.add(w.period);
      }
      if (s.dualBlocking && s.alphaDualMax < 1) {
        const w = where(s.dualBlocking);
        dual[w.label] = (dual[w.label] ?? 0) + 1;
      }
    },
    summary(): StepDiagnosis {
      const last = phases[phases.length - 1];
      if (last) last.periodsBlocking = periods.size;
      return {
        steps,
        primalBlockedBy: { ...primal },
        dualBlockedBy: { ...dual },
        phases: phases.map((p) => ({ ...p })),
      };
    },
  };
}
