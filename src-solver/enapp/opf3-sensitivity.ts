/**
 * A child area's draw as a function of its root voltage, to first order (docs/spec/mpopf-formulation.md
 * "Three-phase feeders: per-phase boundary values", the consistency rounds): the derivative of the
 * power S_k = P_k + j Q_k it draws at each root node k with respect to the root voltage
 * V_j = e_j + j f_j it is given, from the KKT conditions at its optimum (parametric sensitivity in
 * the manner of sIPOPT: Pirnay, López-Negrete, Biegler, Math. Prog. Comp. 4, 2012).
 *
 * The given voltage enters the child's NLP only as the right-hand side of its pin rows
 * (opf3/model.ts pinRow: V_pin − σ⁺ + σ⁻ = given). At a solution (x, λ, zL, zU) the active set is
 * read off the multipliers (strict complementarity: a bound is active when its multiplier exceeds
 * the distance to it): variables at a bound do not move, inequality rows at a bound are equalities,
 * the other inequality rows are dropped. Differentiating the remaining KKT conditions
 *
 *     ┌ W   Aᵀ ┐ ┌ dx ┐   ┌ 0  ┐       W = ∇²L(x, λ) (σ_f = 1), A = the active rows' Jacobian,
 *     └ A   0  ┘ └ dλ ┘ = └ e_r ┘
 *
 * for a unit change of pin row r's right-hand side. (The barrier form, Σ = z/(x − x_L) on every
 * bound, met pivots that cancel to zero between Σ ~ 1e12 and the admittances; the active-set form
 * is its limit μ → 0.) One LDLᵀ of K₀ = K + diag(δ I, −δ I) (quasi-definite, any pivot order) with
 * every solve refined against K, and one solve per given voltage part (2 per root node and period),
 * give dx, and dS = dV conj(I) + V conj(dI) with the root currents I linear in x (opf3-area.ts
 * sourceCurrents); dλ of the pin rows gives the derivative of the voltage price π_V = −λ_pin.
 * Batteries couple the hours, so the full derivative couples them too; what is kept is each
 * period's block (the draw at t over the voltage at t): 2n × 2n per period for n root nodes.
 */
import type { NlpProblem } from '../nlp/problem';
import type { Opf3Model } from '../opf3/model';
import { patternFromTriplets } from '../sparse/csc';
import { LdlSolver } from '../sparse/ldl';
import { sourceCurrents } from './opf3-currents';

/** Regularization of the factored K₀ only (both blocks); the solves are refined against K. */
const DELTA_REG = 1e-6;

/** The factorized KKT matrix of a problem at a solution: dx for a unit change of rows' right-hand sides. */
export interface KktAtSolution {
  /** (dx, dλ) — n then m entries — for d(right-hand side of row r) = 1 (an equality row's gL = gU, or an active bound). */
  solveRow(r: number): Float64Array;
}

/** Factor the KKT matrix of `problem` at its solution (see the file comment); an Error when it is singular or a solve does not converge. */
export function kktAtSolution(
  problem: NlpProblem,
  sol: {
    readonly x: Float64Array;
    readonly lambda: Float64Array;
    readonly zL: Float64Array;
    readonly zU: Float64Array;
  },
): KktAtSolution {
  const { n, m, xL, xU, gL, gU } = problem;
  const { x, lambda, zL, zU } = sol;
  const jac = problem.jacobianStructure();
  const hes = problem.hessianStructure();
  // The active set at the solution (strict complementarity: a multiplier above the distance to
  // its bound): a variable at a bound does not move; an inequality row at a bound is an equality
  // row, one off its bounds is dropped (its multiplier stays 0).
  const fixed = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (xL[i]! >= xU[i]! || zL[i]! > x[i]! - xL[i]! || zU[i]! > xU[i]! - x[i]!) fixed[i] = 1;
  const g = new Float64Array(m);
  problem.evalG(x, g);
  const dropped = new Uint8Array(m);
  for (let r = 0; r < m; r++)
    if (gL[r]! < gU[r]! && !(lambda[r]! > gU[r]! - g[r]! || -lambda[r]! > g[r]! - gL[r]!)) dropped[r] = 1;
  const nh = hes.rows.length;
  const nj = jac.rows.length;
  const dim = n + m;
  const rows = new Int32Array(dim + nh + nj);
  const cols = new Int32Array(dim + nh + nj);
  for (let i = 0; i < dim; i++) rows[i] = cols[i] = i;
  for (let k = 0; k < nh; k++) {
    rows[dim + k] = hes.rows[k]!;
    cols[dim + k] = hes.cols[k]!;
  }
  for (let k = 0; k < nj; k++) {
    rows[dim + nh + k] = jac.cols[k]!;
    cols[dim + nh + k] = n + jac.rows[k]!;
  }
  const { pattern, map } = patternFromTriplets(dim, rows, cols);
  const values = new Float64Array(pattern.colPtr[dim]!);
  const hv = new Float64Array(nh);
  problem.evalHessian(x, 1, lambda, hv);
  const jv = new Float64Array(nj);
  problem.evalJacobian(x, jv);
  for (let i = 0; i < n; i++) if (fixed[i]) values[map[i]!]! += 1;
  for (let r = 0; r < m; r++) if (dropped[r]) values[map[n + r]!]! -= 1;
  for (let k = 0; k < nh; k++) {
    if (fixed[hes.rows[k]!] || fixed[hes.cols[k]!]) continue;
    values[map[dim + k]!]! += hv[k]!;
  }
  for (let k = 0; k < nj; k++) {
    if (fixed[jac.cols[k]!] || dropped[jac.rows[k]!]) continue;
    values[map[dim + nh + k]!]! += jv[k]!;
  }
  // Factor K₀ = K + diag(δ I, −δ I) (quasi-definite: 1×1 pivots in AMD's order), refine against K (nlp/kkt.ts's AMD path).
  const k0 = values.slice();
  for (let i = 0; i < n; i++) if (!fixed[i]) k0[map[i]!]! += DELTA_REG;
  for (let r = 0; r < m; r++) k0[map[n + r]!]! -= DELTA_REG;
  const ldl = new LdlSolver(pattern, { pivotTolerance: 0 });
  const f = ldl.factor(k0);
  if (!f.ok) throw new Error(`the KKT matrix at the solution is singular (${f.zero} zero pivots)`);
  const b = new Float64Array(dim);
  const out = new Float64Array(dim);
  return {
    solveRow(r: number): Float64Array {
      b.fill(0);
      b[n + r] = 1;
      const residual = ldl.solveRefined(values, b, out, 20);
      if (!(residual < 1e-8))
        throw new Error(`the KKT solve at the solution did not converge (backward error ${residual.toExponential(1)})`);
      return out.slice();
    },
  };
}

/**
 * The draw's sensitivity of a child area (model with pinned sources) at its solution: per period t
 * the 2n × 2n block ∂(P_k, Q_k)/∂(e_j, f_j), index t·4n² + (2k + a)·2n + 2j + b (a: 0 P, 1 Q; b: 0 e,
 * 1 f) — and, same layout, of its voltage price ∂(πe_k, πf_k)/∂(e_j, f_j) (the Hessian of its optimal
 * value in its root voltage).
 */
export function drawSensitivity(
  model: Opf3Model,
  sol: {
    readonly x: Float64Array;
    readonly lambda: Float64Array;
    readonly zL: Float64Array;
    readonly zU: Float64Array;
  },
): { dS: Float64Array; dPriceV: Float64Array } {
  const { net, ix } = model;
  const n = net.nSlack;
  const T = net.periods;
  if (!(n > 0 && ix.pinRow.length === T * n)) throw new Error('draw sensitivity: the model has no pinned source nodes');
  const kkt = kktAtSolution(model.problem, sol);
  const x = sol.x;
  const cur = sourceCurrents(model, x);
  const out = new Float64Array(T * 4 * n * n);
  const dPriceV = new Float64Array(T * 4 * n * n);
  const nVar = model.problem.n;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < n; j++) {
      for (let b = 0; b < 2; b++) {
        const dxl = kkt.solveRow(ix.pinRow[t * n + j]! + b);
        const dx = dxl.subarray(0, nVar);
        const dI = sourceCurrents(model, dx);
        for (let k = 0; k < n; k++) {
          const q = t * n + k;
          const e = x[ix.pinVar[q]!]!;
          const f = x[ix.pinVar[q]! + 1]!;
          const de = dx[ix.pinVar[q]!]!;
          const df = dx[ix.pinVar[q]! + 1]!;
          // P = e Ir + f Ii, Q = f Ir − e Ii
          const dP = de * cur.re[q]! + e * dI.re[q]! + df * cur.im[q]! + f * dI.im[q]!;
          const dQ = df * cur.re[q]! + f * dI.re[q]! - de * cur.im[q]! - e * dI.im[q]!;
          out[t * 4 * n * n + 2 * k * 2 * n + 2 * j + b] = dP;
          out[t * 4 * n * n + (2 * k + 1) * 2 * n + 2 * j + b] = dQ;
          // π_V = −λ(pin rows) = ∂φ/∂V (φ the child's optimal value): its derivative is φ's Hessian
          dPriceV[t * 4 * n * n + 2 * k * 2 * n + 2 * j + b] = -dxl[nVar + ix.pinRow[q]!]!;
          dPriceV[t * 4 * n * n + (2 * k + 1) * 2 * n + 2 * j + b] = -dxl[nVar + ix.pinRow[q]! + 1]!;
        }
      }
    }
  }
  return { dS: out, dPriceV };
}
