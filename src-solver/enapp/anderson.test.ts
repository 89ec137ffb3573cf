/**
 * Anderson acceleration (anderson.ts) against independent references: its least squares against
 * the normal equations solved by Cramer's rule, its iteration on linear fixed-point maps whose
 * solution is known in closed form, and the coordinator's grouping of the exchanged vector.
 */
import { describe, expect, it } from 'vitest';
import { GroupedAnderson, leastSquares } from './anderson';
import { exchangeLayout, type BoundaryState } from './coordinator';

describe('leastSquares', () => {
  it('matches the normal equations (2 columns, Cramer) and drops a dependent column', () => {
    const a = Float64Array.from([1, 2, 0, 1]);
    const b = Float64Array.from([0, 1, 1, 3]);
    const y = Float64Array.from([1, 0, 2, 1]);
    const aa = a.reduce((s, v) => s + v * v, 0);
    const bb = b.reduce((s, v) => s + v * v, 0);
    const ab = a.reduce((s, v, k) => s + v * b[k]!, 0);
    const ay = a.reduce((s, v, k) => s + v * y[k]!, 0);
    const by = b.reduce((s, v, k) => s + v * y[k]!, 0);
    const det = aa * bb - ab * ab;
    const ga = (ay * bb - ab * by) / det;
    const gb = (aa * by - ab * ay) / det;
    const { gamma, used } = leastSquares([a, b], y);
    const byCol = new Map(used.map((c, j) => [c, gamma[j]!]));
    expect(byCol.get(0)!).toBeCloseTo(ga, 12);
    expect(byCol.get(1)!).toBeCloseTo(gb, 12);
    // A column that is twice another: the older one (index 0) is dropped.
    const dep = leastSquares([a.map((v) => 2 * v), a], y);
    expect(dep.used).toEqual([1]);
    expect(dep.gamma[0]!).toBeCloseTo(ay / aa, 12);
  });
});

/** x ← G(x) = A x + c with A = ρ·(rotation by θ) per 2-block: the slow, rotating mode the issue describes. */
function rotating(n: number, rho: number, theta: number) {
  const c = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const G = (x: Float64Array): Float64Array => {
    const g = new Float64Array(n);
    for (let i = 0; i < n; i += 2) {
      g[i] = rho * (Math.cos(theta) * x[i]! - Math.sin(theta) * x[i + 1]!) + c[i]!;
      g[i + 1] = rho * (Math.sin(theta) * x[i]! + Math.cos(theta) * x[i + 1]!) + c[i + 1]!;
    }
    return g;
  };
  // Fixed point: (I − A) x* = c, per block (2×2 solve).
  const star = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const [m11, m12, m21, m22] = [
      1 - rho * Math.cos(theta),
      rho * Math.sin(theta),
      -rho * Math.sin(theta),
      1 - rho * Math.cos(theta),
    ];
    const det = m11 * m22 - m12 * m21;
    star[i] = (m22 * c[i]! - m12 * c[i + 1]!) / det;
    star[i + 1] = (m11 * c[i + 1]! - m21 * c[i]!) / det;
  }
  return { G, star };
}

const dist = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('GroupedAnderson', () => {
  it('reaches the fixed point of a slowly rotating linear map in far fewer steps than the plain iteration', () => {
    const n = 8;
    const { G, star } = rotating(n, 0.95, Math.PI / 2);
    const steps = (accelerate: boolean) => {
      const acc = new GroupedAnderson([Array.from({ length: n }, (_, i) => i)], new Float64Array(n).fill(1));
      let x: Float64Array = new Float64Array(n);
      for (let k = 1; k <= 500; k++) {
        const g = G(x);
        if (dist(g, x) < 1e-10) return { k, x };
        x = accelerate ? acc.step(x, g, 1, k >= 2).x : g;
      }
      return { k: Infinity, x };
    };
    const plain = steps(false);
    const fast = steps(true);
    expect(plain.k).toBeGreaterThan(300);
    expect(fast.k).toBeLessThan(15);
    expect(dist(fast.x, star)).toBeLessThan(1e-8);
  });

  it('groups are independent: two decoupled maps in two groups each converge as alone', () => {
    const a = rotating(4, 0.9, 1.0);
    const b = rotating(4, 0.5, 0.3);
    const G = (x: Float64Array) => Float64Array.from([...a.G(x.subarray(0, 4)), ...b.G(x.subarray(4))]);
    const acc = new GroupedAnderson(
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
      new Float64Array(8).fill(1),
    );
    let x: Float64Array = new Float64Array(8);
    let k = 1;
    for (; k < 50 && dist(G(x), x) >= 1e-10; k++) x = acc.step(x, G(x), 1, k >= 2).x;
    expect(k).toBeLessThan(20);
    expect(dist(x, Float64Array.from([...a.star, ...b.star]))).toBeLessThan(1e-8);
  });

  it('safeguard: a residual that grows more than 2× restarts the history and takes the damped step', () => {
    const acc = new GroupedAnderson([[0, 1]], Float64Array.from([1, 1]));
    acc.step(Float64Array.from([0, 0]), Float64Array.from([1, 1]), 1, false); // residual 1
    const s = acc.step(Float64Array.from([1, 1]), Float64Array.from([4, 1]), 0.8, true); // residual 3 > 2 × 1
    expect(s.restarted).toBe(true);
    expect(s.columns).toBe(0);
    expect(Array.from(s.x)).toEqual([1 + 0.4 * 3, 1]);
    // The history starts again from the restart point: one column, i.e. the secant step — the root
    // of the line through (x, f) = (1, 3) and (2.2, 0.3): 1 + 3 / 2.25.
    const t = acc.step(s.x, Float64Array.from([2.5, 1]), 0.8, true);
    expect(t.restarted).toBe(false);
    expect(t.columns).toBe(1);
    expect(t.x[0]).toBeCloseTo(1 + 3 / 2.25, 12);
  });
});

describe('exchangeLayout', () => {
  it('per period v, Q, π_Q, π_v of every boundary; one group of P, π_P of every boundary and period', () => {
    const T = 3;
    const b = (): BoundaryState => ({
      vSqPu: [1, 1, 1],
      pPu: [0, 0, 0],
      qPu: [0, 0, 0],
      pricePPerPu: [1, 1, 1],
      priceQPerPu: [0, 0, 0],
      priceVPerPu: [0, 0, 0],
    });
    const { kinds, groups } = exchangeLayout([b(), b()]);
    expect(kinds).toEqual(['vSqPu', 'pPu', 'qPu', 'pricePPerPu', 'priceQPerPu', 'priceVPerPu']);
    expect(groups.length).toBe(T + 1);
    const kindOf = (i: number) => kinds[i % 6];
    const periodOf = (i: number) => Math.floor(i / 6) % T;
    for (let t = 0; t < T; t++) {
      expect(groups[t]!.length).toBe(2 * 4);
      expect(new Set(groups[t]!.map(kindOf))).toEqual(new Set(['vSqPu', 'qPu', 'priceQPerPu', 'priceVPerPu']));
      expect(groups[t]!.every((i) => periodOf(i) === t)).toBe(true);
    }
    expect(groups[T]!.length).toBe(2 * T * 2);
    expect(new Set(groups[T]!.map(kindOf))).toEqual(new Set(['pPu', 'pricePPerPu']));
    // A partition of every component.
    expect(groups.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * T * 6 }, (_, i) => i));
  });
});
