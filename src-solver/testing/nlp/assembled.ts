/**
 * A KKT system's values at the problem's start point, for tests of the factorization: λ = 1 (the
 * curvature of the nonlinear rows), Σ = 10 on every w (W + Σ ≻ 0), δ_w = 0, δ_c = 1e-8.
 */
import type { InternalNlp } from '../../nlp/internalNlp';
import type { KktSystem } from '../../nlp/kkt';

export function assembleAtStart(kkt: KktSystem, nlp: InternalNlp): void {
  const p = nlp.p;
  const jac = new Float64Array(nlp.jRows.length);
  p.evalJacobian(p.x0, jac);
  const hess = new Float64Array(nlp.hRows.length);
  p.evalHessian(p.x0, 1, new Float64Array(p.m).fill(1), hess);
  kkt.assemble(hess, jac, new Float64Array(nlp.nw).fill(10), 0, 1e-8);
}
