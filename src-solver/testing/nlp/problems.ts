/**
 * Small NLPs with known optima for the solver's tests and benchmarks, written by hand (dense
 * helpers; exact first and second derivatives). Each names where its optimum comes from.
 */
import type { NlpProblem } from '../../nlp/problem';
import type { SolveResult } from '../../nlp/types';

export interface DenseSpec {
  n: number;
  m: number;
  xL?: number[];
  xU?: number[];
  gL?: number[];
  gU?: number[];
  x0: number[];
  f: (x: Float64Array) => number;
  grad: (x: Float64Array, out: Float64Array) => void;
  g?: (x: Float64Array, out: Float64Array) => void;
  /** Dense m×n Jacobian, row-major. */
  jac?: (x: Float64Array, out: Float64Array) => void;
  /** Dense lower triangle of σ∇²f + Σλ∇²g, row-major n×n (only r ≥ c read). */
  hess: (x: Float64Array, sigma: number, lambda: Float64Array, out: Float64Array) => void;
}

/** Wrap dense callbacks as an NlpProblem with dense structures. */
export function denseProblem(s: DenseSpec): NlpProblem {
  const { n, m } = s;
  const jr = new Int32Array(n * m);
  const jc = new Int32Array(n * m);
  for (let i = 0, k = 0; i < m; i++)
    for (let j = 0; j < n; j++, k++) {
      jr[k] = i;
      jc[k] = j;
    }
  const nh = (n * (n + 1)) / 2;
  const hr = new Int32Array(nh);
  const hc = new Int32Array(nh);
  for (let r = 0, k = 0; r < n; r++)
    for (let c = 0; c <= r; c++, k++) {
      hr[k] = r;
      hc[k] = c;
    }
  const hd = new Float64Array(n * n);
  return {
    n,
    m,
    xL: Float64Array.from(s.xL ?? new Array(n).fill(-Infinity)),
    xU: Float64Array.from(s.xU ?? new Array(n).fill(Infinity)),
    gL: Float64Array.from(s.gL ?? []),
    gU: Float64Array.from(s.gU ?? []),
    x0: Float64Array.from(s.x0),
    jacobianStructure: () => ({ rows: jr, cols: jc }),
    hessianStructure: () => ({ rows: hr, cols: hc }),
    evalF: s.f,
    evalGradF: s.grad,
    evalG: (x, out) => s.g?.(x, out),
    evalJacobian: (x, out) => s.jac?.(x, out),
    evalHessian: (x, sigma, lambda, out) => {
      hd.fill(0);
      s.hess(x, sigma, lambda, hd);
      for (let r = 0, k = 0; r < n; r++) for (let c = 0; c <= r; c++, k++) out[k] = hd[r * n + c];
    },
  };
}

/** HS071 (Hock & Schittkowski no. 71; Ipopt's tutorial problem): f* = 17.0140172891563. */
export function hs071(): NlpProblem {
  return denseProblem({
    n: 4,
    m: 2,
    xL: [1, 1, 1, 1],
    xU: [5, 5, 5, 5],
    gL: [25, 40],
    gU: [Infinity, 40],
    x0: [1, 5, 5, 1],
    f: (x) => x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2],
    grad: (x, o) => {
      o[0] = x[3] * (2 * x[0] + x[1] + x[2]);
      o[1] = x[0] * x[3];
      o[2] = x[0] * x[3] + 1;
      o[3] = x[0] * (x[0] + x[1] + x[2]);
    },
    g: (x, o) => {
      o[0] = x[0] * x[1] * x[2] * x[3];
      o[1] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + x[3] * x[3];
    },
    jac: (x, o) => {
      o[0] = x[1] * x[2] * x[3];
      o[1] = x[0] * x[2] * x[3];
      o[2] = x[0] * x[1] * x[3];
      o[3] = x[0] * x[1] * x[2];
      o[4] = 2 * x[0];
      o[5] = 2 * x[1];
      o[6] = 2 * x[2];
      o[7] = 2 * x[3];
    },
    hess: (x, s, l, H) => {
      const n = 4;
      H[0 * n + 0] = s * 2 * x[3] + l[1] * 2;
      H[1 * n + 0] = s * x[3] + l[0] * x[2] * x[3];
      H[1 * n + 1] = l[1] * 2;
      H[2 * n + 0] = s * x[3] + l[0] * x[1] * x[3];
      H[2 * n + 1] = l[0] * x[0] * x[3];
      H[2 * n + 2] = l[1] * 2;
      H[3 * n + 0] = s * (2 * x[0] + x[1] + x[2]) + l[0] * x[1] * x[2];
      H[3 * n + 1] = s * x[0] + l[0] * x[0] * x[2];
      H[3 * n + 2] = s * x[0] + l[0] * x[0] * x[1];
      H[3 * n + 3] = l[1] * 2;
    },
  });
}

/** ‖∇f + Jᵀλ − zL + zU‖∞ computed from the problem's callbacks (independent of the solver's internals). */
export function stationarity(p: NlpProblem, r: SolveResult): number {
  const g = new Float64Array(p.n);
  p.evalGradF(r.x, g);
  const js = p.jacobianStructure();
  const jv = new Float64Array(js.rows.length);
  p.evalJacobian(r.x, jv);
  for (let k = 0; k < jv.length; k++) g[js.cols[k]] += jv[k] * r.lambda[js.rows[k]];
  let mx = 0;
  for (let j = 0; j < p.n; j++) mx = Math.max(mx, Math.abs(g[j] - r.zL[j] + r.zU[j]));
  return mx;
}
