/**
 * Finite-difference derivative checker for problem authors (Ipopt's `derivative_test
 * second-order`, written independently).
 *
 * Compares, at a point x (default: x0 moved slightly off any bound),
 *   ∇f            against central differences of f,
 *   the Jacobian  against central differences of g (column by column),
 *   the Hessian of the Lagrangian σ∇²f + Σλ_i∇²g_i (σ = 1, λ pseudo-random in [-1,1])
 *                 against central differences of ∇f·σ + Jᵀλ,
 * with step h_j = step·max(1, |x_j|) (default step 1e-6 ≈ ε^{1/3}: central-difference error
 * O(h²) balanced with round-off O(ε/h)). An entry is flagged when
 *     |analytic − fd| > tol · max(1, |analytic|, |fd|)        (default tol 1e-4, Ipopt's derivative_test_tol)
 * Entries that are nonzero in the finite differences but absent from the declared structure are
 * flagged too ("missing from structure") — the commonest mistake in hand-written models.
 * Duplicated structure entries are summed before comparison, as the solver does.
 *
 * Cost: 2n evaluations of f, g and ∇f, plus dense n×m and n×n work — meant for small and medium
 * problems; `maxColumns` limits the columns checked (evenly spread) for large ones.
 */
import type { NlpProblem } from './problem';

export interface DerivativeCheckOptions {
  /** Relative step; default 1e-6. */
  step?: number;
  /** Relative tolerance; default 1e-4. */
  tol?: number;
  /** Check at most this many columns (variables), evenly spread; default all. */
  maxColumns?: number;
  /** Report at most this many offending entries; default 20. */
  maxReported?: number;
}

export interface DerivativeError {
  kind: 'gradient' | 'jacobian' | 'hessian';
  row: number;
  col: number;
  analytic: number;
  finiteDifference: number;
  relError: number;
  missingFromStructure: boolean;
}

export interface DerivativeCheckResult {
  ok: boolean;
  /** The largest relative error found (null when everything matched exactly). */
  worst: DerivativeError | null;
  errors: DerivativeError[];
  report: string;
}

export function checkDerivatives(
  p: NlpProblem,
  x?: Float64Array,
  opts: DerivativeCheckOptions = {},
): DerivativeCheckResult {
  const n = p.n;
  const m = p.m;
  const step = opts.step ?? 1e-6;
  const tol = opts.tol ?? 1e-4;
  const maxReported = opts.maxReported ?? 20;
  const x0 = x ? Float64Array.from(x) : defaultPoint(p);
  const errors: DerivativeError[] = [];
  let worst: DerivativeError | null = null;
  let count = 0;
  const record = (e: DerivativeError): void => {
    count++;
    if (!worst || e.relError > worst.relError) worst = e;
    if (errors.length < maxReported) errors.push(e);
  };
  const compare = (
    kind: DerivativeError['kind'],
    row: number,
    col: number,
    a: number,
    fd: number,
    inStructure: boolean,
  ): void => {
    const scale = Math.max(1, Math.abs(a), Math.abs(fd));
    const rel = Math.abs(a - fd) / scale;
    if (!(rel <= tol))
      record({
        kind,
        row,
        col,
        analytic: a,
        finiteDifference: fd,
        relError: Number.isNaN(rel) ? Infinity : rel,
        missingFromStructure: !inStructure,
      });
  };

  // Analytic values, densified (duplicates summed).
  const grad = new Float64Array(n);
  p.evalGradF(x0, grad);
  const js = p.jacobianStructure();
  const jv = new Float64Array(js.rows.length);
  p.evalJacobian(x0, jv);
  const jac = new Map<number, number>();
  for (let k = 0; k < jv.length; k++) {
    const key = js.rows[k] * n + js.cols[k];
    jac.set(key, (jac.get(key) ?? 0) + jv[k]);
  }
  const lambda = new Float64Array(m);
  for (let i = 0; i < m; i++) lambda[i] = Math.sin(1.7 * i + 0.3);
  const hs = p.hessianStructure();
  const hv = new Float64Array(hs.rows.length);
  p.evalHessian(x0, 1, lambda, hv);
  const hess = new Map<number, number>();
  for (let k = 0; k < hv.length; k++) {
    const r = Math.max(hs.rows[k], hs.cols[k]);
    const c = Math.min(hs.rows[k], hs.cols[k]);
    hess.set(r * n + c, (hess.get(r * n + c) ?? 0) + hv[k]);
  }

  const cols = chooseColumns(n, opts.maxColumns);
  const xp = Float64Array.from(x0);
  const gp = new Float64Array(m);
  const gm = new Float64Array(m);
  const lgP = new Float64Array(n);
  const lgM = new Float64Array(n);
  const tmp = new Float64Array(jv.length);
  const gradLag = (xx: Float64Array, out: Float64Array): void => {
    p.evalGradF(xx, out);
    p.evalJacobian(xx, tmp);
    for (let k = 0; k < tmp.length; k++) out[js.cols[k]] += lambda[js.rows[k]] * tmp[k];
  };
  for (const j of cols) {
    const h = step * Math.max(1, Math.abs(x0[j]));
    xp[j] = x0[j] + h;
    const fP = p.evalF(xp);
    p.evalG(xp, gp);
    gradLag(xp, lgP);
    xp[j] = x0[j] - h;
    const fM = p.evalF(xp);
    p.evalG(xp, gm);
    gradLag(xp, lgM);
    xp[j] = x0[j];
    compare('gradient', 0, j, grad[j], (fP - fM) / (2 * h), true);
    for (let i = 0; i < m; i++) {
      const fd = (gp[i] - gm[i]) / (2 * h);
      const key = i * n + j;
      const inS = jac.has(key);
      compare('jacobian', i, j, jac.get(key) ?? 0, fd, inS);
    }
    for (let r = 0; r < n; r++) {
      const fd = (lgP[r] - lgM[r]) / (2 * h);
      const hi = Math.max(r, j);
      const lo = Math.min(r, j);
      const key = hi * n + lo;
      compare('hessian', r, j, hess.get(key) ?? 0, fd, hess.has(key));
    }
  }
  const lines = [
    `Derivative check at ${cols.length} of ${n} columns (step ${step}, tol ${tol}): ${count === 0 ? 'all derivatives match' : `${count} entries differ`}.`,
  ];
  for (const e of errors) {
    const who =
      e.kind === 'gradient'
        ? `∂f/∂${vn(p, e.col)}`
        : e.kind === 'jacobian'
          ? `∂${cn(p, e.row)}/∂${vn(p, e.col)}`
          : `∂²L/∂${vn(p, e.row)}∂${vn(p, e.col)}`;
    lines.push(
      `  ${who}: analytic ${e.analytic.toExponential(6)}, finite difference ${e.finiteDifference.toExponential(6)}, rel. error ${e.relError.toExponential(2)}${e.missingFromStructure ? ' (missing from the declared structure)' : ''}`,
    );
  }
  return { ok: count === 0, worst, errors, report: lines.join('\n') };
}

function vn(p: NlpProblem, j: number): string {
  return p.varNames?.[j] ?? `x[${j}]`;
}
function cn(p: NlpProblem, i: number): string {
  return p.conNames?.[i] ?? `g[${i}]`;
}

function chooseColumns(n: number, max?: number): number[] {
  if (!max || max >= n) return Array.from({ length: n }, (_, j) => j);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.floor((k * n) / max));
  return out;
}

/** x0, moved off its bounds by 1e-3·max(1,|bound|) so that finite differences stay in the domain where possible. */
function defaultPoint(p: NlpProblem): Float64Array {
  const x = Float64Array.from(p.x0);
  for (let j = 0; j < p.n; j++) {
    const lo = p.xL[j];
    const hi = p.xU[j];
    if (lo === hi) continue;
    const d = 1e-3 * Math.max(1, Math.abs(x[j]));
    if (x[j] - d < lo) x[j] = Math.min(lo + d, (lo + hi) / 2);
    if (x[j] + d > hi) x[j] = Math.max(hi - d, (lo + hi) / 2);
  }
  return x;
}
