/**
 * A large, sparse, chain-structured NLP for speed measurements (an optimal-control-like
 * discretization, the shape of a multi-period OPF's time coupling):
 *
 *     min  Σ_t (x_t − 1)² + 0.1 u_t²
 *     s.t. x_{t+1} − x_t − h (u_t − sin x_t) = 0        t = 0 … T−1   (equalities)
 *          x_t + u_t ≤ 1.5                               t = 0 … T−1   (inequalities → slacks)
 *          x_0 = 0 (fixed variable), −1 ≤ u_t ≤ 1
 *
 * Variables: x_0..x_T then u_0..u_{T−1} (n = 2T + 1), constraints m = 2T.
 */
import type { NlpProblem } from '../../nlp/problem';

export function chainProblem(T: number, h = 0.1): NlpProblem {
  const n = 2 * T + 1;
  const m = 2 * T;
  const X = (t: number): number => t;
  const U = (t: number): number => T + 1 + t;
  const xL = new Float64Array(n).fill(-Infinity);
  const xU = new Float64Array(n).fill(Infinity);
  xL[X(0)] = 0;
  xU[X(0)] = 0;
  for (let t = 0; t < T; t++) {
    xL[U(t)] = -1;
    xU[U(t)] = 1;
  }
  const gL = new Float64Array(m);
  const gU = new Float64Array(m);
  for (let t = 0; t < T; t++) {
    gL[T + t] = -Infinity;
    gU[T + t] = 1.5;
  }
  // Jacobian: dynamics row t: x_{t+1} (1), x_t (−1 + h cos x_t), u_t (−h); inequality row: x_t, u_t.
  const jr = new Int32Array(5 * T);
  const jc = new Int32Array(5 * T);
  for (let t = 0; t < T; t++) {
    jr[5 * t] = t;
    jc[5 * t] = X(t + 1);
    jr[5 * t + 1] = t;
    jc[5 * t + 1] = X(t);
    jr[5 * t + 2] = t;
    jc[5 * t + 2] = U(t);
    jr[5 * t + 3] = T + t;
    jc[5 * t + 3] = X(t);
    jr[5 * t + 4] = T + t;
    jc[5 * t + 4] = U(t);
  }
  // Hessian: diagonal only (x_t: 2σ − h λ_t sin x_t; u_t: 0.2σ).
  const hr = new Int32Array(n);
  for (let j = 0; j < n; j++) hr[j] = j;
  return {
    n,
    m,
    xL,
    xU,
    gL,
    gU,
    x0: new Float64Array(n),
    jacobianStructure: () => ({ rows: jr, cols: jc }),
    hessianStructure: () => ({ rows: hr, cols: hr }),
    evalF(x) {
      let f = 0;
      for (let t = 0; t <= T; t++) f += (x[X(t)] - 1) ** 2;
      for (let t = 0; t < T; t++) f += 0.1 * x[U(t)] ** 2;
      return f;
    },
    evalGradF(x, o) {
      for (let t = 0; t <= T; t++) o[X(t)] = 2 * (x[X(t)] - 1);
      for (let t = 0; t < T; t++) o[U(t)] = 0.2 * x[U(t)];
    },
    evalG(x, o) {
      for (let t = 0; t < T; t++) {
        o[t] = x[X(t + 1)] - x[X(t)] - h * (x[U(t)] - Math.sin(x[X(t)]));
        o[T + t] = x[X(t)] + x[U(t)];
      }
    },
    evalJacobian(x, o) {
      for (let t = 0; t < T; t++) {
        o[5 * t] = 1;
        o[5 * t + 1] = -1 + h * Math.cos(x[X(t)]);
        o[5 * t + 2] = -h;
        o[5 * t + 3] = 1;
        o[5 * t + 4] = 1;
      }
    },
    evalHessian(x, s, l, o) {
      for (let t = 0; t <= T; t++) o[X(t)] = 2 * s - (t < T ? h * l[t] * Math.sin(x[X(t)]) : 0);
      for (let t = 0; t < T; t++) o[U(t)] = 0.2 * s;
    },
  };
}
