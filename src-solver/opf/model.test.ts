import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { buildOpfModel, type OpfModel } from './model';
import type { Study } from './study';
import { ieee123Feeder, ieee123Price, readIeee123Texts } from '../testing/opf/ieee123';
import { testDataUrl } from '../../test-data/index';
import { mulberry32 } from '../random';

const refDir = testDataUrl('ieee123-balanced/');
const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, refDir), 'utf8'));
const ieee123 = ieee123Feeder(texts);
const price = ieee123Price(texts);

function randomPoint(model: OpfModel, rand: () => number): Float64Array {
  const { n, xL, xU } = model.problem;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Free variables (P, Q, l; qB in the disk mode) in ±0.05 pu keeps every row O(100) at most,
    // so central-difference round-off stays far below the tolerance.
    const lo = Number.isFinite(xL[i]!) ? xL[i]! : -0.05;
    const hi = Number.isFinite(xU[i]!) ? xU[i]! : 0.05;
    x[i] = lo + (hi - lo) * rand();
  }
  return x;
}

/** Compare the exact Jacobian and Hessian with central finite differences at random x and λ. */
function checkDerivatives(model: OpfModel, seed: number): { jac: number; hes: number; grad: number } {
  const p = model.problem;
  const rand = mulberry32(seed);
  const x = randomPoint(model, rand);
  const lambda = new Float64Array(p.m).map(() => 2 * rand() - 1);
  const sigma = 0.7;
  const js = p.jacobianStructure();
  const hs = p.hessianStructure();
  const jv = new Float64Array(js.rows.length);
  const h = 1e-6;
  const gPlus = new Float64Array(p.m);
  const gMinus = new Float64Array(p.m);
  // Lagrangian gradient σ∇f + Jᵀλ from the exact first derivatives.
  const lagGrad = (xx: Float64Array): Float64Array => {
    const gr = new Float64Array(p.n);
    p.evalGradF(xx, gr);
    for (let i = 0; i < p.n; i++) gr[i]! *= sigma;
    p.evalJacobian(xx, jv);
    for (let k = 0; k < jv.length; k++) gr[js.cols[k]!]! += lambda[js.rows[k]!]! * jv[k]!;
    return gr;
  };
  // Dense exact J and H (the test case is small).
  p.evalJacobian(x, jv);
  const J = new Map<number, number>();
  for (let k = 0; k < jv.length; k++)
    J.set(js.rows[k]! * p.n + js.cols[k]!, (J.get(js.rows[k]! * p.n + js.cols[k]!) ?? 0) + jv[k]!);
  const hv = new Float64Array(hs.rows.length);
  p.evalHessian(x, sigma, lambda, hv);
  const H = new Map<number, number>();
  for (let k = 0; k < hv.length; k++) {
    const [r, c] = [hs.rows[k]!, hs.cols[k]!];
    H.set(r * p.n + c, (H.get(r * p.n + c) ?? 0) + hv[k]!);
    if (r !== c) H.set(c * p.n + r, (H.get(c * p.n + r) ?? 0) + hv[k]!);
  }
  const grad = new Float64Array(p.n);
  p.evalGradF(x, grad);
  let jacErr = 0;
  let hesErr = 0;
  let gradErr = 0;
  const xp = Float64Array.from(x);
  for (let c = 0; c < p.n; c++) {
    xp[c] = x[c]! + h;
    p.evalG(xp, gPlus);
    const fPlus = p.evalF(xp);
    const lgPlus = lagGrad(xp);
    xp[c] = x[c]! - h;
    p.evalG(xp, gMinus);
    const fMinus = p.evalF(xp);
    const lgMinus = lagGrad(xp);
    xp[c] = x[c]!;
    gradErr = Math.max(gradErr, Math.abs((fPlus - fMinus) / (2 * h) - grad[c]!));
    for (let r = 0; r < p.m; r++) {
      const fd = (gPlus[r]! - gMinus[r]!) / (2 * h);
      const ej = Math.abs(fd - (J.get(r * p.n + c) ?? 0)) / Math.max(1, Math.abs(fd));
      jacErr = Math.max(jacErr, ej);
    }
    for (let r = 0; r < p.n; r++) {
      const fd = (lgPlus[r]! - lgMinus[r]!) / (2 * h);
      hesErr = Math.max(hesErr, Math.abs(fd - (H.get(r * p.n + c) ?? 0)) / Math.max(1, Math.abs(fd)));
    }
  }
  return { jac: jacErr, hes: hesErr, grad: gradErr };
}

function checkStructure(model: OpfModel): void {
  const p = model.problem;
  const js = p.jacobianStructure();
  const hs = p.hessianStructure();
  const seen = new Set<number>();
  for (let k = 0; k < js.rows.length; k++) {
    expect(js.rows[k]).toBeGreaterThanOrEqual(0);
    expect(js.rows[k]).toBeLessThan(p.m);
    expect(js.cols[k]).toBeLessThan(p.n);
    const key = js.rows[k]! * p.n + js.cols[k]!;
    expect(seen.has(key)).toBe(false);
    seen.add(key);
  }
  seen.clear();
  for (let k = 0; k < hs.rows.length; k++) {
    expect(hs.rows[k]! >= hs.cols[k]!).toBe(true);
    const key = hs.rows[k]! * p.n + hs.cols[k]!;
    expect(seen.has(key)).toBe(false);
    seen.add(key);
  }
}

describe('OPF model: exact derivatives (finite-difference check, IEEE 123, T = 3)', () => {
  const cases: [string, Study][] = [
    ['cost, box, equal terminal, exact', { periods: 3, startHour: 10, objective: 'cost', priceCentsPerKwh: price }],
    [
      'loss, disk, soft terminal, relaxed, current limits',
      {
        periods: 3,
        startHour: 11,
        objective: 'loss',
        batteryLimit: 'disk',
        terminalSoc: 'soft',
        relax: true,
        currentLimits: true,
      },
    ],
  ];
  for (const [name, study] of cases) {
    it(name, () => {
      const model = buildOpfModel(ieee123, study);
      checkStructure(model);
      const err = checkDerivatives(model, 12345);
      // Central differences with h = 1e-6 on quadratics are exact up to round-off (~1e-9).
      expect(err.grad).toBeLessThan(1e-7);
      expect(err.jac).toBeLessThan(1e-7);
      expect(err.hes).toBeLessThan(1e-7);
    });
  }
});

describe('OPF model: sizes, bounds and the power-flow starting point', () => {
  it('has the documented sizes on IEEE 123', () => {
    const model = buildOpfModel(ieee123, { periods: 24, batteryLimit: 'disk' });
    // 127 branches × 4 + 17 PV + 26 batteries × 4 per period; rows: 127 × 4 + 26 SOC + 26 disk, + 26 terminal.
    expect(model.problem.n).toBe(24 * (127 * 4 + 17 + 26 * 4));
    expect(model.problem.m).toBe(24 * (127 * 4 + 26 + 26) + 26);
  });

  it('starts at the no-control power flow: every equality row holds to round-off', () => {
    const model = buildOpfModel(ieee123, { periods: 24, priceCentsPerKwh: price });
    const p = model.problem;
    const g = new Float64Array(p.m);
    p.evalG(p.x0, g);
    let worst = 0;
    for (let r = 0; r < p.m; r++) if (p.gL[r] === p.gU[r]) worst = Math.max(worst, Math.abs(g[r]! - p.gL[r]!));
    expect(worst).toBeLessThan(1e-12);
    // Hand check of the head of the feeder in the peak hour (19): P_subs ≈ loads − PV(0) + losses.
    const ix = model.ix;
    const pSubs = p.x0[ix.P(0, 19)]!;
    const loadPu = (1163.2 * 1) / 1000; // Σ P_L at load multiplier 1.0, PV shape 0 at hour 19
    expect(pSubs).toBeGreaterThan(loadPu);
    expect(pSubs).toBeLessThan(loadPu * 1.1);
  });

  it('writes spec (3) with the hand-derived numbers on a two-bus feeder', () => {
    const feeder: Feeder = {
      name: 'two-bus',
      baseKva: 100,
      substation: { bus: 'a', vSetPu: 1 },
      buses: [
        { name: 'a', vBaseKv: 1 },
        { name: 'b', vBaseKv: 1 },
      ],
      // z_base = 1² · 1000 / 100 = 10 ohm → r = 0.01, x = 0.02 pu
      branches: [{ name: 'ab', from: 'a', to: 'b', rOhm: 0.1, xOhm: 0.2, kind: 'line' }],
      loads: [{ name: 'lb', bus: 'b', pKw: 50, qKvar: 20 }],
      capacitors: [{ name: 'cb', bus: 'b', qKvar: 10 }],
      pv: [],
      batteries: [],
      shapes: [],
    };
    const model = buildOpfModel(feeder, { periods: 1, objective: 'loss' });
    const p = model.problem;
    const ix = model.ix;
    const x = new Float64Array(p.n);
    x[ix.P(0, 0)] = 0.5;
    x[ix.Q(0, 0)] = 0.1;
    x[ix.l(0, 0)] = 0.3;
    x[ix.v(1, 0)] = 0.98;
    const g = new Float64Array(p.m);
    p.evalG(x, g);
    // (1): −(0.5 − 0.01·0.3) + 0.5 = 0.003
    expect(g[ix.realBalance(0, 0)]).toBeCloseTo(0.003, 14);
    // (2): −(0.1 − 0.02·0.3) + 0.2 − 0.1·0.98 = 0.008
    expect(g[ix.reactiveBalance(0, 0)]).toBeCloseTo(0.008, 14);
    // (3): 0.98 − 1 + 2(0.005 + 0.002) − (0.0001 + 0.0004)·0.3 = −0.00615
    expect(g[ix.kvl(0, 0)]).toBeCloseTo(-0.00615, 14);
    // (4): 0.3·1 − 0.25 − 0.01 = 0.04
    expect(g[ix.branchPower(0, 0)]).toBeCloseTo(0.04, 14);
    // loss objective r l = 0.003 pu, reported in kW: × 100 kVA = 0.3
    expect(p.evalF(x)).toBeCloseTo(0.3, 12);
  });
});
