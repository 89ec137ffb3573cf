/**
 * The solver on classic problems with answers derived by hand or published (HS071 with Ipopt's
 * documented multipliers), and on every way a solve can end.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivatives, solveNlp, type NlpProblem, type StepRecord } from './index';
import { denseProblem, hs071, stationarity } from '../testing/nlp/problems';

const rosenbrock = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 0,
    x0: [-1.2, 1],
    f: (x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
    grad: (x, o) => {
      o[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
      o[1] = 200 * (x[1] - x[0] ** 2);
    },
    hess: (x, s, _l, H) => {
      H[0] = s * (1200 * x[0] ** 2 - 400 * x[1] + 2);
      H[2] = s * -400 * x[0];
      H[3] = s * 200;
    },
  });

/** min x1² + x2² s.t. x1 + x2 = 1: x* = (½, ½), λ* = −1 (∇f + λ∇g = 0). */
const eqQp = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 1,
    gL: [1],
    gU: [1],
    x0: [3, -7],
    f: (x) => x[0] ** 2 + x[1] ** 2,
    grad: (x, o) => {
      o[0] = 2 * x[0];
      o[1] = 2 * x[1];
    },
    g: (x, o) => {
      o[0] = x[0] + x[1];
    },
    jac: (_x, o) => {
      o[0] = 1;
      o[1] = 1;
    },
    hess: (_x, s, _l, H) => {
      H[0] = 2 * s;
      H[3] = 2 * s;
    },
  });

/** LP: min −x1 − x2 s.t. x1 + 2x2 ≤ 4, 3x1 + x2 ≤ 6, x ≥ 0 → vertex (1.6, 1.2), f* = −2.8, λ* = (0.4, 0.2). */
const lp = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 2,
    xL: [0, 0],
    gL: [-Infinity, -Infinity],
    gU: [4, 6],
    x0: [0, 0],
    f: (x) => -x[0] - x[1],
    grad: (_x, o) => {
      o[0] = -1;
      o[1] = -1;
    },
    g: (x, o) => {
      o[0] = x[0] + 2 * x[1];
      o[1] = 3 * x[0] + x[1];
    },
    jac: (_x, o) => {
      o[0] = 1;
      o[1] = 2;
      o[2] = 3;
      o[3] = 1;
    },
    hess: () => {},
  });

/** Bounds only: min (x1−3)² + (x2+1)², 0 ≤ x ≤ 2 → x* = (2, 0), f* = 2, zU1 = 2, zL2 = 2. */
const boxed = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 0,
    xL: [0, 0],
    xU: [2, 2],
    x0: [1, 1],
    f: (x) => (x[0] - 3) ** 2 + (x[1] + 1) ** 2,
    grad: (x, o) => {
      o[0] = 2 * (x[0] - 3);
      o[1] = 2 * (x[1] + 1);
    },
    hess: (_x, s, _l, H) => {
      H[0] = 2 * s;
      H[3] = 2 * s;
    },
  });

/** Equality only, nonconvex: min x1 + x2 s.t. x1² + x2² = 2 → x* = (−1, −1), f* = −2, λ* = ½. */
const circle = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 1,
    gL: [2],
    gU: [2],
    x0: [-0.5, -2],
    f: (x) => x[0] + x[1],
    grad: (_x, o) => {
      o[0] = 1;
      o[1] = 1;
    },
    g: (x, o) => {
      o[0] = x[0] ** 2 + x[1] ** 2;
    },
    jac: (x, o) => {
      o[0] = 2 * x[0];
      o[1] = 2 * x[1];
    },
    hess: (_x, _s, l, H) => {
      H[0] = 2 * l[0];
      H[3] = 2 * l[0];
    },
  });

/** Infeasible: x1² + x2² ≤ 1 and x1 + x2 ≥ 3 (the disk reaches x1 + x2 = √2 at most). */
const infeasible = (): NlpProblem =>
  denseProblem({
    n: 2,
    m: 2,
    gL: [-Infinity, 3],
    gU: [1, Infinity],
    x0: [0.2, 0.1],
    f: (x) => x[0] ** 2 + x[1] ** 2,
    grad: (x, o) => {
      o[0] = 2 * x[0];
      o[1] = 2 * x[1];
    },
    g: (x, o) => {
      o[0] = x[0] ** 2 + x[1] ** 2;
      o[1] = x[0] + x[1];
    },
    jac: (x, o) => {
      o[0] = 2 * x[0];
      o[1] = 2 * x[1];
      o[2] = 1;
      o[3] = 1;
    },
    hess: (_x, s, l, H) => {
      H[0] = 2 * s + 2 * l[0];
      H[3] = 2 * s + 2 * l[0];
    },
  });

/** f = x − log(x) with no declared bound: minimum at x = 1, f = 1; NaN for x ≤ 0. */
const logBarrierLike = (x0: number): NlpProblem =>
  denseProblem({
    n: 1,
    m: 0,
    x0: [x0],
    f: (x) => x[0] - Math.log(x[0]),
    grad: (x, o) => {
      o[0] = 1 - 1 / x[0];
    },
    hess: (x, s, _l, H) => {
      H[0] = s / (x[0] * x[0]);
    },
  });

describe('solveNlp on problems with known optima', () => {
  it("HS071: f* = 17.0140172891563 and Ipopt's documented multipliers", () => {
    const p = hs071();
    const r = solveNlp(p);
    expect(r.status).toBe('solved');
    expect(r.objective).toBeCloseTo(17.0140172891563, 7);
    const xs = [1, 4.74299963, 3.82114998, 1.37940829];
    xs.forEach((v, j) => expect(r.x[j]).toBeCloseTo(v, 6));
    // Ipopt's HS071 example output: lambda = (−0.552294, 0.161469), z_L[0] = 1.087871
    expect(r.lambda[0]).toBeCloseTo(-0.552294, 5);
    expect(r.lambda[1]).toBeCloseTo(0.161469, 5);
    expect(r.zL[0]).toBeCloseTo(1.087871, 5);
    expect(stationarity(p, r)).toBeLessThan(1e-7);
    expect(r.iterations).toBeLessThanOrEqual(10); // Ipopt 3.x: 8 iterations
  });

  it('Rosenbrock from (−1.2, 1): x* = (1, 1)', () => {
    const r = solveNlp(rosenbrock());
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(1, 7);
    expect(r.x[1]).toBeCloseTo(1, 7);
    expect(r.objective).toBeLessThan(1e-14);
  });

  it('equality-constrained QP: x* = (½, ½), λ* = −1', () => {
    const r = solveNlp(eqQp());
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(0.5, 9);
    expect(r.lambda[0]).toBeCloseTo(-1, 8);
    expect(r.iterations).toBeLessThanOrEqual(2); // a QP with equality constraints only: one Newton step
  });

  it('LP: vertex (1.6, 1.2), f* = −2.8, λ* = (0.4, 0.2)', () => {
    const p = lp();
    const r = solveNlp(p);
    expect(r.status).toBe('solved');
    expect(r.objective).toBeCloseTo(-2.8, 7);
    expect(r.x[0]).toBeCloseTo(1.6, 7);
    expect(r.x[1]).toBeCloseTo(1.2, 7);
    expect(r.lambda[0]).toBeCloseTo(0.4, 6);
    expect(r.lambda[1]).toBeCloseTo(0.2, 6);
    expect(stationarity(p, r)).toBeLessThan(1e-7);
  });

  it('a model-supplied objective scale (nlpObjScale) solves to the same optimum, reported unscaled', () => {
    for (const scale of [0.5, 10]) {
      const p = lp();
      const r = solveNlp(p, { nlpObjScale: scale });
      expect(r.status).toBe('solved');
      expect(r.objective).toBeCloseTo(-2.8, 7);
      expect(r.x[0]).toBeCloseTo(1.6, 7);
      expect(r.x[1]).toBeCloseTo(1.2, 7);
      expect(r.lambda[0]).toBeCloseTo(0.4, 6);
      expect(r.lambda[1]).toBeCloseTo(0.2, 6);
      expect(stationarity(p, r)).toBeLessThan(1e-7);
    }
    // …and is applied: the scaled dual infeasibility at the start (HS071, ∇f ≠ 0) follows the factor
    const inf0 = (scale: number): number => solveNlp(hs071(), { nlpObjScale: scale, history: true }).history![0]!.infDu;
    expect(inf0(10) / inf0(0.5)).toBeGreaterThan(3);
    const bad = solveNlp(lp(), { nlpObjScale: 0 });
    expect(bad.status).toBe('invalidProblem');
    expect(bad.message).toMatch(/nlpObjScale = 0/);
  });

  it('bounds only: x* = (2, 0), zU1 = zL2 = 2', () => {
    const r = solveNlp(boxed());
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(2, 7);
    expect(r.x[1]).toBeCloseTo(0, 7);
    expect(r.zU[0]).toBeCloseTo(2, 6);
    expect(r.zL[1]).toBeCloseTo(2, 6);
    expect(r.zL[0]).toBeLessThan(1e-6);
  });

  it('equality only (nonconvex): x* = (−1, −1), λ* = ½', () => {
    const r = solveNlp(circle());
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(-1, 8);
    expect(r.x[1]).toBeCloseTo(-1, 8);
    expect(r.lambda[0]).toBeCloseTo(0.5, 8);
  });

  it('fixed variables are parameters: HS071 with x4 fixed at 1.5', () => {
    const base = hs071();
    const p: NlpProblem = {
      ...base,
      xL: Float64Array.from([1, 1, 1, 1.5]),
      xU: Float64Array.from([5, 5, 5, 1.5]),
      evalF: base.evalF,
      evalGradF: base.evalGradF,
      evalG: base.evalG,
      evalJacobian: base.evalJacobian,
      evalHessian: base.evalHessian,
      jacobianStructure: base.jacobianStructure,
      hessianStructure: base.hessianStructure,
    };
    const r = solveNlp(p);
    expect(r.status).toBe('solved');
    expect(r.x[3]).toBe(1.5);
    // KKT of the reduced problem in (x1, x2, x3) holds (the fixed component is excluded).
    const g = new Float64Array(4);
    p.evalGradF(r.x, g);
    const jv = new Float64Array(8);
    p.evalJacobian(r.x, jv);
    for (let j = 0; j < 3; j++) {
      const res = g[j] + jv[j] * r.lambda[0] + jv[4 + j] * r.lambda[1] - r.zL[j] + r.zU[j];
      expect(Math.abs(res)).toBeLessThan(1e-7);
    }
    expect(r.g[1]).toBeCloseTo(40, 5); // x2 = 5 sits on its bound: the 1e-8 bound relaxation, undone at the end, moves g by ~5e-7
  });

  it('adaptive μ strategy solves HS071 and the LP', () => {
    const a = solveNlp(hs071(), { muStrategy: 'adaptive' });
    expect(a.status).toBe('solved');
    expect(a.objective).toBeCloseTo(17.0140172891563, 7);
    const b = solveNlp(lp(), { muStrategy: 'adaptive' });
    expect(b.status).toBe('solved');
    expect(b.objective).toBeCloseTo(-2.8, 7);
  });

  it('warm start from the solution with small μ converges in fewer iterations', () => {
    const cold = solveNlp(hs071());
    const warm = solveNlp(
      hs071(),
      { muInit: 1e-7, boundPush: 1e-9, boundFrac: 1e-9 },
      { warmStart: { x: cold.x, lambda: cold.lambda, zL: cold.zL, zU: cold.zU } },
    );
    expect(warm.status).toBe('solved');
    expect(warm.objective).toBeCloseTo(17.0140172891563, 7);
    expect(warm.iterations).toBeLessThan(cold.iterations);
  });
});

describe('solveNlp ends every other way with a clear status', () => {
  it('infeasible problem → infeasible', () => {
    const r = solveNlp(infeasible());
    expect(r.status).toBe('infeasible');
    expect(r.message).toMatch(/infeasib/i);
    // the returned point minimizes the violation locally: on the segment x1 = x2, near the disk's edge
    expect(r.x[0]).toBeCloseTo(r.x[1], 3);
  });

  it('unbounded problem → unbounded', () => {
    const p = denseProblem({
      n: 2,
      m: 1,
      xL: [0, -Infinity],
      gL: [0],
      gU: [Infinity],
      x0: [1, 0],
      f: (x) => -x[0] - x[1],
      grad: (_x, o) => {
        o[0] = -1;
        o[1] = -1;
      },
      g: (x, o) => {
        o[0] = x[0] - x[1];
      },
      jac: (_x, o) => {
        o[0] = 1;
        o[1] = -1;
      },
      hess: () => {},
    });
    const r = solveNlp(p);
    expect(r.status).toBe('unbounded');
    expect(r.message).toMatch(/unbounded/);
  });

  it('NaN at a trial point is handled by cutting the step back', () => {
    // Newton from x = 10: step −(1 − 1/10)·100 = −90 lands at x = −80 where log is NaN.
    let nanSeen = 0;
    const base = logBarrierLike(10);
    const p: NlpProblem = {
      ...base,
      evalF: (x) => {
        const v = base.evalF(x);
        if (Number.isNaN(v)) nanSeen++;
        return v;
      },
    };
    const r = solveNlp(p);
    expect(nanSeen).toBeGreaterThan(0);
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(1, 8);
    expect(r.objective).toBeCloseTo(1, 12);
  });

  it('a line search that fails at an acceptable point stops there (acceptable), not in restoration', () => {
    // min (x−1)² + (y−1)² on the circle x² + y² = 2: x* = (1, 1). Every point within 1e-3 of x*
    // evaluates NaN, so once the iterates get that close every trial step is cut to α_min.
    const circle = denseProblem({
      n: 2,
      m: 1,
      gL: [2],
      gU: [2],
      x0: [1.6, 0.2],
      f: (x) => (x[0] - 1) ** 2 + (x[1] - 1) ** 2,
      grad: (x, o) => {
        o[0] = 2 * (x[0] - 1);
        o[1] = 2 * (x[1] - 1);
      },
      g: (x, o) => {
        o[0] = x[0] ** 2 + x[1] ** 2;
      },
      jac: (x, o) => {
        o[0] = 2 * x[0];
        o[1] = 2 * x[1];
      },
      hess: (_x, s, l, H) => {
        H[0] = 2 * s + 2 * l[0];
        H[3] = 2 * s + 2 * l[0];
      },
    });
    const p: NlpProblem = { ...circle, evalF: (x) => (Math.hypot(x[0] - 1, x[1] - 1) < 1e-3 ? NaN : circle.evalF(x)) };
    const loose = {
      acceptableTol: 1e-1,
      acceptableDualInfTol: 1e-1,
      acceptableConstrViolTol: 1e-1,
      acceptableComplInfTol: 1e-1,
      acceptableIter: 0,
    };
    const r = solveNlp(p, { tol: 1e-12, ...loose });
    expect(r.status).toBe('acceptable');
    expect(r.message).toMatch(/restoration phase was called at an acceptable point/i);
    expect(Math.hypot(r.x[0] - 1, r.x[1] - 1)).toBeLessThan(1e-2);
    expect(Math.hypot(r.x[0] - 1, r.x[1] - 1)).toBeGreaterThanOrEqual(1e-3);
    // With the acceptable level out of reach the same failure goes to the restoration phase.
    const strict = solveNlp(p, { tol: 1e-12, acceptableIter: 0 });
    expect(strict.status).not.toBe('acceptable');
  });

  it('NaN at the start → invalidProblem with a message naming the culprit', () => {
    const r = solveNlp(logBarrierLike(-1));
    expect(r.status).toBe('invalidProblem');
    expect(r.message).toMatch(/objective.*not finite/);
    const p = {
      ...eqQp(),
      evalG: (_x: Float64Array, o: Float64Array) => {
        o[0] = NaN;
      },
      conNames: ['balance'],
    };
    const r2 = solveNlp(p);
    expect(r2.status).toBe('invalidProblem');
    expect(r2.message).toMatch(/balance/);
  });

  it('inconsistent bounds → invalidProblem', () => {
    const p = { ...boxed(), xL: Float64Array.from([3, 0]) };
    const r = solveNlp(p);
    expect(r.status).toBe('invalidProblem');
    expect(r.message).toMatch(/x\[0\]/);
  });

  it('abort signal → cancelled', () => {
    const signal = { aborted: false };
    let k = 0;
    const r = solveNlp(
      rosenbrock(),
      {},
      {
        signal,
        onIteration: () => {
          if (++k === 3) signal.aborted = true;
        },
      },
    );
    expect(r.status).toBe('cancelled');
    expect(r.iterations).toBe(2);
  });

  it("onIteration returning false → cancelled, with Ipopt's columns", () => {
    const seen: number[] = [];
    const r = solveNlp(
      hs071(),
      {},
      {
        onIteration: (rec) => {
          seen.push(rec.iter);
          expect(Object.keys(rec).sort()).toEqual(
            [
              'alphaDu',
              'alphaPr',
              'dNorm',
              'elapsedS',
              'infDu',
              'infPr',
              'iter',
              'lgMu',
              'lgRg',
              'ls',
              'objective',
              'restoration',
            ].sort(),
          );
          return rec.iter < 2;
        },
      },
    );
    expect(r.status).toBe('cancelled');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('maxIter → maxIterations; maxSeconds with an injected clock → maxTime', () => {
    const r = solveNlp(rosenbrock(), { maxIter: 3 });
    expect(r.status).toBe('maxIterations');
    expect(r.iterations).toBe(3);
    let t = 0;
    const r2 = solveNlp(rosenbrock(), { maxSeconds: 5 }, { now: () => (t += 1000) });
    expect(r2.status).toBe('maxTime');
  });

  it('onStep names the bound that cuts each step, in the user’s terms, and leaves the solve unchanged', () => {
    // The LP: x ≥ 0 are its only variable bounds, g ≤ (4, 6) its only row bounds (slacks inside).
    const steps: StepRecord[] = [];
    const r = solveNlp(lp(), { history: true }, { onStep: (s) => steps.push(s) });
    const plain = solveNlp(lp());
    expect(r.status).toBe('solved');
    expect(Array.from(r.x)).toEqual(Array.from(plain.x));
    expect(r.iterations).toBe(plain.iterations);
    expect(steps.length).toBe(r.iterations);
    let cut = 0;
    steps.forEach((s, k) => {
      expect(s.iter).toBe(k);
      expect(s.factorizations).toBeGreaterThanOrEqual(1);
      const next = r.history![k + 1]!;
      // A step taken without backtracking is the fraction-to-the-boundary step itself.
      if (next.ls === 1) expect(next.alphaPr).toBeCloseTo(s.alphaPrimalMax, 14);
      expect(next.alphaDu).toBeCloseTo(s.alphaDualMax, 14);
      if (s.alphaPrimalMax < 1) {
        cut++;
        const b = s.primalBlocking!;
        if (b.variable !== null) {
          expect([0, 1]).toContain(b.variable);
          expect(b.bound).toBe('lower');
        } else {
          expect([0, 1]).toContain(b.row);
          expect(b.bound).toBe('upper');
        }
      } else expect(s.primalBlocking).toBeNull();
    });
    expect(cut).toBeGreaterThan(0);
  });

  it('history and the iteration log follow the run', () => {
    const lines: string[] = [];
    const r = solveNlp(hs071(), { history: true, printLevel: 1 }, { log: (l) => lines.push(l) });
    expect(r.history!.length).toBe(r.iterations + 1);
    expect(r.history![0].iter).toBe(0);
    expect(r.history![r.iterations].infPr).toBeLessThan(1e-8);
    expect(lines[0]).toMatch(
      /iter\s+objective\s+inf_pr\s+inf_du\s+lg\(mu\)\s+\|\|d\|\|\s+lg\(rg\)\s+alpha_du\s+alpha_pr\s+ls/,
    );
    expect(lines.length).toBe(r.iterations + 3);
  });
});

describe('checkDerivatives', () => {
  it('passes on correct derivatives', () => {
    const c = checkDerivatives(hs071());
    expect(c.ok).toBe(true);
    expect(c.worst).toBeNull();
  });
  it('finds a wrong gradient entry, a wrong Hessian entry and a Jacobian entry missing from the structure', () => {
    const base = hs071();
    const wrongGrad: NlpProblem = {
      ...base,
      evalGradF: (x, o) => {
        base.evalGradF(x, o);
        o[2] += 0.5;
      },
    };
    const c1 = checkDerivatives(wrongGrad);
    expect(c1.ok).toBe(false);
    expect(c1.errors.some((e) => e.kind === 'gradient' && e.col === 2)).toBe(true);
    const wrongHess: NlpProblem = {
      ...base,
      evalHessian: (x, s, l, o) => {
        base.evalHessian(x, s, l, o);
        o[0] *= 2;
      },
    };
    const c2 = checkDerivatives(wrongHess);
    expect(c2.errors.some((e) => e.kind === 'hessian' && e.row === 0 && e.col === 0)).toBe(true);
    // drop the Jacobian entry (1, 3) from the structure
    const js = base.jacobianStructure();
    const keep = [0, 1, 2, 3, 4, 5, 6];
    const missing: NlpProblem = {
      ...base,
      jacobianStructure: () => ({
        rows: Int32Array.from(keep.map((k) => js.rows[k])),
        cols: Int32Array.from(keep.map((k) => js.cols[k])),
      }),
      evalJacobian: (x, o) => {
        const full = new Float64Array(8);
        base.evalJacobian(x, full);
        keep.forEach((k, t) => (o[t] = full[k]));
      },
    };
    const c3 = checkDerivatives(missing);
    const e = c3.errors.find((d) => d.kind === 'jacobian' && d.row === 1 && d.col === 3);
    expect(e?.missingFromStructure).toBe(true);
    expect(c3.report).toMatch(/missing from the declared structure/);
  });
});
