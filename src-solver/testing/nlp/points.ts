/**
 * Random iterates for the solver's piece-by-piece tests (pieces.test.ts, periodSteps.test.ts).
 */
import type { InternalNlp } from '../../nlp/internalNlp';
import type { Iterate } from '../../nlp/iterate';

/**
 * A random strictly interior point of `nlp` into `it`: each w_j inside its bounds (within [−3, 3]
 * where unbounded; fixed variables at their value), bound multipliers in [10⁻³, 1] where bounded;
 * then the functions and derivatives evaluated there (at the λ already in `it`).
 */
export function randomInteriorPoint(nlp: InternalNlp, it: Iterate, r: () => number): void {
  const { nw, n, wL, wU, hasL, hasU } = nlp;
  for (let j = 0; j < nw; j++) {
    const lo = hasL[j] ? wL[j] : -3;
    const hi = hasU[j] ? wU[j] : 3;
    it.w[j] = j < n && nlp.fixed[j] ? nlp.p.xL[j] : lo + (hi - lo) * (0.05 + 0.9 * r());
    it.zL[j] = hasL[j] ? 10 ** (-3 * r()) : 0;
    it.zU[j] = hasU[j] ? 10 ** (-3 * r()) : 0;
  }
  it.evalFunctions();
  it.evalDerivatives();
}
