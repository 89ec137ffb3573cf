import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { importReferenceCsv } from '../io/csv/reference';
import { unwrapImport } from '../io/types';
import { PowerFlowError, PowerFlowInputError, solvePowerFlow, type PowerFlowPeriod } from './powerflow';
import { newtonYbus } from '../testing/pf/newton-ybus';
import { mulberry32 as rng } from '../random';
import { testDataUrl } from '../../test-data/index';

const REF = testDataUrl('ieee123-balanced/');
const read = (rel: string): string => readFileSync(new URL(rel, REF), 'utf8');

/** A two-bus feeder: source bus "s" → line z → bus "b". */
function twoBus(rOhm: number, xOhm: number, extra: Partial<Feeder> = {}): Feeder {
  return {
    name: 'two-bus',
    baseKva: 100,
    substation: { bus: 's', vSetPu: 1.0 },
    buses: [
      { name: 's', vBaseKv: 1 },
      { name: 'b', vBaseKv: 1 },
    ],
    branches: [{ name: 'line', from: 's', to: 'b', rOhm, xOhm, kind: 'line' }],
    loads: [],
    capacitors: [],
    pv: [],
    batteries: [],
    shapes: [],
    ...extra,
  };
}

describe('two-bus feeder against closed-form answers', () => {
  // Z_base = 1² · 1000 / 100 = 10 Ω, so r = 0.2 Ω → 0.02 pu, x = 0.4 Ω → 0.04 pu.
  const r = 0.02;
  const x = 0.04;

  it('constant-power load: |V2|⁴ + (2(rP + xQ) − v0)|V2|² + |z|²|S|² = 0', () => {
    const P = 3; // pu (300 kW on 100 kVA): heavy, so the answer is far from flat
    const Q = 1.5;
    const v0 = 1.05 ** 2;
    const feeder = twoBus(0.2, 0.4, {
      substation: { bus: 's', vSetPu: 1.05 },
      loads: [{ name: 'L', bus: 'b', pKw: P * 100, qKvar: Q * 100 }],
    });
    const [res] = solvePowerFlow(feeder, { periods: 1, tol: 1e-13 }).periods;
    // Closed form (larger root = the stable operating point).
    const a = v0 - 2 * (r * P + x * Q);
    const v2 = (a + Math.sqrt(a * a - 4 * (r * r + x * x) * (P * P + Q * Q))) / 2;
    const l = (P * P + Q * Q) / v2;
    const theta = -Math.atan2(x * P - r * Q, v2 + r * P + x * Q);
    expect(res.vPu[1]).toBeCloseTo(Math.sqrt(v2), 12);
    expect(res.angleRad[1]).toBeCloseTo(theta, 12);
    expect(res.lossKw).toBeCloseTo(r * l * 100, 9);
    expect(res.lossKvar).toBeCloseTo(x * l * 100, 9);
    expect(res.substationKw).toBeCloseTo((P + r * l) * 100, 9);
    expect(res.substationKvar).toBeCloseTo((Q + x * l) * 100, 9);
    expect(res.branchIA[0]).toBeCloseTo(Math.sqrt(l) * (100 / 1), 9); // I_base = 100 kVA / 1 kV = 100 A
    expect(res.vmin).toEqual({ pu: res.vPu[1], bus: 'b' });
    expect(res.vmax).toEqual({ pu: 1.05, bus: 's' });
    expect(res.maxMismatchPu).toBeLessThanOrEqual(1e-13);
  });

  it('capacitor as a constant susceptance: V2 = V0 / (1 + j·b·z)', () => {
    const b = 0.5; // pu: 50 kvar at 1 pu
    const feeder = twoBus(0.2, 0.4, { capacitors: [{ name: 'C', bus: 'b', qKvar: 50 }] });
    const [res] = solvePowerFlow(feeder, { periods: 1, tol: 1e-13 }).periods;
    // The capacitor draws J = j·b·V2, so V2 = V0 − z·j·b·V2 = V0 / (1 + j·b·z), 1 + j b (r + j x) = (1 − b x) + j b r.
    const dr = 1 - b * x;
    const di = b * r;
    const d2 = dr * dr + di * di;
    const v2re = dr / d2;
    const v2im = -di / d2;
    expect(res.vPu[1]).toBeCloseTo(Math.hypot(v2re, v2im), 12);
    expect(res.angleRad[1]).toBeCloseTo(Math.atan2(v2im, v2re), 12);
    // The capacitor injects b·|V2|² and the line absorbs x·l of it.
    const v2 = v2re * v2re + v2im * v2im;
    const l = b * b * v2;
    expect(res.substationKvar).toBeCloseTo((-b * v2 + x * l) * 100, 9);
    expect(res.substationKw).toBeCloseTo(r * l * 100, 9);
  });

  it('a load past the nose of the PV curve fails with the period, iteration and mismatch', () => {
    // Purely resistive line r = 0.02 pu, unity-pf load: v2² − (v0 − 2rP)·v2 + r²P² = 0 has a real
    // root iff v0 − 2rP ≥ 2rP, i.e. P ≤ v0 / (4r) = 12.5 pu.
    const feeder = twoBus(0.2, 0, { loads: [{ name: 'L', bus: 'b', pKw: 100, qKvar: 0 }] });
    const ok = solvePowerFlow(feeder, { periods: 1, loadScale: [12] });
    const a = 1 - 2 * 0.02 * 12;
    expect(ok.periods[0].vPu[1]).toBeCloseTo(Math.sqrt((a + Math.sqrt(a * a - 4 * (0.02 * 12) ** 2)) / 2), 9);
    let caught: unknown;
    try {
      solvePowerFlow(feeder, { periods: 3, loadScale: [1, 2, 13] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PowerFlowError);
    const err = caught as PowerFlowError;
    expect(err.period).toBe(2);
    expect(err.iteration).toBeGreaterThan(0);
    expect(err.bus).toBe('b');
    expect(err.message).toMatch(/period 3 \(hour 2\)/);
    expect(err.message).toMatch(/collapse/);
    if (err.reason === 'maxIterations') expect(err.mismatchPu).toBeGreaterThan(1e-3);
  });
});

describe('random radial feeder with every kind of injection, against Newton–Raphson on Y_bus', () => {
  const rand = rng(42);
  const n = 40;
  const names = Array.from({ length: n }, (_, i) => `b${i}`);
  // Shuffle branch directions and order so the sweep must orient the tree itself.
  const branches = names.slice(1).map((name, k) => {
    const i = k + 1;
    const parent = names[Math.floor(rand() * i)];
    const flip = rand() < 0.5;
    return {
      name: `br${i}`,
      from: flip ? name : parent,
      to: flip ? parent : name,
      rOhm: 0.05 + 0.3 * rand(),
      xOhm: 0.05 + 0.3 * rand(),
      kind: 'line' as const,
    };
  });
  branches.reverse();
  const loadMult = Array.from({ length: 24 }, (_, h) => 0.6 + 0.4 * Math.sin((Math.PI * h) / 24));
  const loadQmult = loadMult.map((m) => 0.9 * m);
  const pvMult = Array.from({ length: 24 }, (_, h) => Math.max(0, Math.sin((Math.PI * (h - 6)) / 12)));
  const feeder: Feeder = {
    name: 'random',
    baseKva: 1000,
    substation: { bus: 'b0', vSetPu: 1.02 },
    buses: names.map((name) => ({ name, vBaseKv: 2.4018 })),
    branches,
    loads: names.slice(1).map((bus, i) => ({
      name: `L${i}`,
      bus,
      pKw: 40 * rand(),
      qKvar: 20 * rand(),
      shape: i % 3 === 0 ? undefined : 'day',
    })),
    capacitors: [
      { name: 'C1', bus: 'b7', qKvar: 60 },
      { name: 'C2', bus: 'b33', qKvar: 30 },
    ],
    pv: [
      { name: 'PV1', bus: 'b5', pRatedKw: 50, sRatedKva: 60, shape: 'sun' },
      { name: 'PV2', bus: 'b21', pRatedKw: 30, sRatedKva: 36, shape: 'sun' },
      { name: 'PV3', bus: 'b21', pRatedKw: 10, sRatedKva: 12 },
    ],
    batteries: ['b9', 'b17', 'b39'].map((bus, i) => ({
      name: `B${i}`,
      bus,
      pRatedKw: 20,
      energyKwh: 80,
      sRatedKva: 24,
      etaCharge: 0.95,
      etaDischarge: 0.95,
      socMin: 0.3,
      socMax: 0.95,
      socInitial: 0.625,
    })),
    shapes: [
      { name: 'day', intervalH: 1, mult: loadMult, qmult: loadQmult },
      { name: 'sun', intervalH: 1, mult: pvMult },
    ],
  };
  const T = 4;
  const startHour = 5;
  const dtH = 2;
  const dispatch = {
    pvKvar: Array.from({ length: T }, () => feeder.pv.map(() => 20 * rand() - 10)),
    batteryKw: Array.from({ length: T }, () => feeder.batteries.map(() => 40 * rand() - 20)),
    batteryKvar: Array.from({ length: T }, () => feeder.batteries.map(() => 10 * rand() - 5)),
    capacitorOn: Array.from({ length: T }, (_, t) => [true, t % 2 === 0]),
  };
  const injections = [{ bus: 'b12', pKw: [5, -5, 10, 0], qKvar: [1, 2, -3, 0] }];
  const result = solvePowerFlow(feeder, { periods: T, startHour, dtH, dispatch, injections });

  /** The same injections, computed here from the raw data for the second method. */
  function newtonPeriod(t: number) {
    const idx = new Map(names.map((b, i) => [b, i]));
    const hour = startHour + t * dtH;
    const p = new Array<number>(n).fill(0);
    const q = new Array<number>(n).fill(0);
    const sh = new Array<number>(n).fill(0);
    for (const l of feeder.loads) {
      p[idx.get(l.bus)!] -= l.pKw * (l.shape ? loadMult[hour] : 1);
      q[idx.get(l.bus)!] -= l.qKvar * (l.shape ? loadQmult[hour] : 1);
    }
    feeder.capacitors.forEach((c, i) => (sh[idx.get(c.bus)!] += dispatch.capacitorOn[t][i] ? c.qKvar : 0));
    feeder.pv.forEach((pv, i) => {
      p[idx.get(pv.bus)!] += pv.pRatedKw * (pv.shape ? pvMult[hour] : 1);
      q[idx.get(pv.bus)!] += dispatch.pvKvar[t][i];
    });
    feeder.batteries.forEach((b, i) => {
      p[idx.get(b.bus)!] += dispatch.batteryKw[t][i];
      q[idx.get(b.bus)!] += dispatch.batteryKvar[t][i];
    });
    p[idx.get('b12')!] += injections[0].pKw[t];
    q[idx.get('b12')!] += injections[0].qKvar[t];
    return { nr: newtonYbus(feeder, { pKw: p, qKvar: q, shuntKvar: sh }, 1.02), p, q, sh };
  }

  it.each([0, 1, 2, 3])('period %i: voltages and angles agree to 1e-9 and the sweep converged to 1e-10 pu', (t) => {
    const pf = result.periods[t];
    const { nr } = newtonPeriod(t);
    expect(pf.hour).toBe(startHour + t * dtH);
    expect(pf.maxMismatchPu).toBeLessThanOrEqual(1e-10);
    expect(pf.iterations).toBeLessThan(20);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(pf.vPu[i] - nr.vPu[i])).toBeLessThan(1e-9);
      expect(Math.abs(pf.angleRad[i] - nr.angleRad[i])).toBeLessThan(1e-9);
    }
  });

  it('Σ bus injections = Σ branch losses, every period', () => {
    for (let t = 0; t < T; t++) {
      const pf = result.periods[t];
      const { p, q, sh } = newtonPeriod(t);
      const injKw = pf.substationKw + p.reduce((a, b) => a + b, 0);
      const injKvar =
        pf.substationKvar + q.reduce((a, b) => a + b, 0) + sh.reduce((a, b, i) => a + b * pf.vPu[i] ** 2, 0);
      expect(injKw).toBeCloseTo(pf.lossKw, 7);
      expect(injKvar).toBeCloseTo(pf.lossKvar, 7);
    }
  });

  it('reports flows leaving the upstream bus, whichever way the branch was written', () => {
    // Every branch's sending end is nearer the substation: its flow minus its loss feeds the rest.
    const pf = result.periods[0];
    expect(result.branchUpstreamBus).toHaveLength(n - 1);
    const upstreamOf = new Map(feeder.branches.map((b, e) => [b.name, result.branchUpstreamBus[e]]));
    for (const b of feeder.branches) expect([b.from, b.to]).toContain(upstreamOf.get(b.name));
    const rootBranches = feeder.branches
      .map((b, e) => [b, e] as const)
      .filter(([b]) => b.from === 'b0' || b.to === 'b0');
    const out = rootBranches.reduce((s, [, e]) => s + pf.branchPKw[e], 0);
    expect(out).toBeCloseTo(pf.substationKw, 9);
  });
});

/** Branch-flow residuals of spec (1)–(4) at a power-flow solution, in pu (largest absolute). */
function branchFlowResiduals(feeder: Feeder, res: PowerFlowPeriod, upstream: readonly string[]): number {
  const s = feeder.baseKva;
  const idx = new Map(feeder.buses.map((b, i) => [b.name, i]));
  const n = feeder.buses.length;
  const sumP = new Float64Array(n); // Σ_k P_jk − (P_ij − r l_ij) per bus, then + loads
  const sumQ = new Float64Array(n);
  let worst = 0;
  feeder.branches.forEach((br, e) => {
    const i = idx.get(upstream[e])!;
    const j = idx.get(br.from === upstream[e] ? br.to : br.from)!;
    const zb = (feeder.buses[j].vBaseKv ** 2 * 1000) / s;
    const r = br.rOhm / zb;
    const x = br.xOhm / zb;
    const P = res.branchPKw[e] / s;
    const Q = res.branchQKvar[e] / s;
    const l = (res.branchIA[e] / (s / feeder.buses[j].vBaseKv)) ** 2;
    const vi = res.vPu[i] ** 2;
    const vj = res.vPu[j] ** 2;
    worst = Math.max(worst, Math.abs(vj - (vi - 2 * (r * P + x * Q) + (r * r + x * x) * l))); // spec (3)
    worst = Math.max(worst, Math.abs(l * vi - (P * P + Q * Q))); // spec (4)
    sumP[i] += P;
    sumQ[i] += Q;
    sumP[j] -= P - r * l;
    sumQ[j] -= Q - x * l;
  });
  for (const l of feeder.loads) {
    sumP[idx.get(l.bus)!] += l.pKw / s;
    sumQ[idx.get(l.bus)!] += l.qKvar / s;
  }
  for (const c of feeder.capacitors) sumQ[idx.get(c.bus)!] -= (c.qKvar / s) * res.vPu[idx.get(c.bus)!] ** 2;
  const root = idx.get(feeder.substation.bus)!;
  for (let j = 0; j < n; j++) if (j !== root) worst = Math.max(worst, Math.abs(sumP[j]), Math.abs(sumQ[j])); // spec (1), (2)
  return worst;
}

describe('IEEE 123 (balanced) at peak load, no PV or batteries', () => {
  const feeder = unwrapImport(importReferenceCsv(read('csv/linedata.csv'), read('csv/powerdata.csv'))).feeder;
  const result = solvePowerFlow(feeder, { periods: 1, loadScale: [1] });
  const pf = result.periods[0];

  it('agrees with Newton–Raphson on Y_bus: voltages, angles, substation power, losses, V_min', () => {
    const n = feeder.buses.length;
    const idx = new Map(feeder.buses.map((b, i) => [b.name, i]));
    const p = new Array<number>(n).fill(0);
    const q = new Array<number>(n).fill(0);
    const sh = new Array<number>(n).fill(0);
    for (const l of feeder.loads) {
      p[idx.get(l.bus)!] -= l.pKw;
      q[idx.get(l.bus)!] -= l.qKvar;
    }
    for (const c of feeder.capacitors) sh[idx.get(c.bus)!] += c.qKvar;
    const nr = newtonYbus(feeder, { pKw: p, qKvar: q, shuntKvar: sh }, 1.03, 1e-10);
    let dv = 0;
    let da = 0;
    for (let i = 0; i < n; i++) {
      dv = Math.max(dv, Math.abs(pf.vPu[i] - nr.vPu[i]));
      da = Math.max(da, Math.abs(pf.angleRad[i] - nr.angleRad[i]));
    }
    expect(dv).toBeLessThan(1e-9);
    expect(da).toBeLessThan(1e-9);
    // Energy balance: the source delivers the loads, minus what the capacitors inject at the
    // Newton voltages, plus the sweep's series losses Σ r|I|² (Newton's own r|ΔV/z|² would be
    // ill-conditioned on the 1e-6 Ω stubs).
    const loadKw = feeder.loads.reduce((a, l) => a + l.pKw, 0);
    const loadKvar = feeder.loads.reduce((a, l) => a + l.qKvar, 0);
    const capKvar = feeder.capacitors.reduce((a, c) => a + c.qKvar * nr.vPu[idx.get(c.bus)!] ** 2, 0);
    expect(pf.substationKw - loadKw).toBeCloseTo(pf.lossKw, 6); // 1e-9 pu of 1000 kVA
    expect(pf.substationKvar - loadKvar + capKvar).toBeCloseTo(pf.lossKvar, 6);
    const nrMin = nr.vPu.reduce((m, v, i) => (v < nr.vPu[m] ? i : m), 0);
    expect(pf.vmin.bus).toBe(feeder.buses[nrMin].name);
    expect(pf.vmin.pu).toBeCloseTo(nr.vPu[nrMin], 9);
    // Printed for the record (the figures the CLI reports).
    console.log(
      `IEEE 123 peak: substation ${pf.substationKw.toFixed(4)} kW ${pf.substationKvar.toFixed(4)} kvar, ` +
        `losses ${pf.lossKw.toFixed(4)} kW ${pf.lossKvar.toFixed(4)} kvar, vmin ${pf.vmin.pu.toFixed(6)} pu at ${pf.vmin.bus}, ` +
        `${pf.iterations} sweeps (Newton ${nr.iterations}), mismatch ${pf.maxMismatchPu.toExponential(2)}`,
    );
  });

  it('converges near the nose: 4.4 × peak load (V_min ≈ 0.57 pu) within the default iterations, as Newton does', () => {
    // At 4.5 × peak neither method finds a solution from a flat start (the nose lies between).
    const n = feeder.buses.length;
    const idx = new Map(feeder.buses.map((b, i) => [b.name, i]));
    const p = new Array<number>(n).fill(0);
    const q = new Array<number>(n).fill(0);
    const sh = new Array<number>(n).fill(0);
    for (const l of feeder.loads) {
      p[idx.get(l.bus)!] -= 4.4 * l.pKw;
      q[idx.get(l.bus)!] -= 4.4 * l.qKvar;
    }
    for (const c of feeder.capacitors) sh[idx.get(c.bus)!] += c.qKvar;
    const nr = newtonYbus(feeder, { pKw: p, qKvar: q, shuntKvar: sh }, 1.03, 1e-10);
    const heavy = solvePowerFlow(feeder, { periods: 1, loadScale: [4.4] }).periods[0];
    expect(heavy.vmin.pu).toBeLessThan(0.6);
    for (let i = 0; i < n; i++) expect(Math.abs(heavy.vPu[i] - nr.vPu[i])).toBeLessThan(1e-8);
    expect(() => solvePowerFlow(feeder, { periods: 1, loadScale: [4.5] })).toThrow(PowerFlowError);
  });

  it('satisfies the branch-flow model of the OPF, spec (1)–(4) with equality, to 1e-9 pu', () => {
    expect(pf.maxMismatchPu).toBeLessThanOrEqual(1e-10);
    expect(branchFlowResiduals(feeder, pf, result.branchUpstreamBus)).toBeLessThan(1e-9);
  });

  it('sits inside the voltage limits the study uses', () => {
    expect(pf.vmin.pu).toBeGreaterThan(0.95);
    expect(pf.vmax.pu).toBeCloseTo(1.03, 12);
  });
});

describe('input errors name what is wrong', () => {
  const base = twoBus(0.2, 0.4, { loads: [{ name: 'L', bus: 'b', pKw: 10, qKvar: 5 }] });

  it.each<[string, Partial<Feeder>, RegExp]>([
    [
      'a loop',
      {
        buses: [...base.buses, { name: 'c', vBaseKv: 1 }],
        branches: [
          ...base.branches,
          { name: 'x1', from: 'b', to: 'c', rOhm: 1, xOhm: 1, kind: 'line' },
          { name: 'x2', from: 'c', to: 's', rOhm: 1, xOhm: 1, kind: 'line' },
        ],
      },
      /loop/,
    ],
    [
      'an island',
      {
        buses: [...base.buses, { name: 'c', vBaseKv: 1 }, { name: 'd', vBaseKv: 1 }],
        branches: [...base.branches, { name: 'x1', from: 'c', to: 'd', rOhm: 1, xOhm: 1, kind: 'line' }],
      },
      /closes a loop|not connected/,
    ],
    ['an unknown bus', { loads: [{ name: 'L', bus: 'zz', pKw: 1, qKvar: 0 }] }, /load "L": unknown bus "zz"/],
    ['an unknown shape', { loads: [{ name: 'L', bus: 'b', pKw: 1, qKvar: 0, shape: 'nope' }] }, /unknown shape "nope"/],
  ])('%s', (_what, patch, message) => {
    expect(() => solvePowerFlow({ ...base, ...patch }, { periods: 1 })).toThrow(message);
  });

  it('a dispatch table of the wrong size', () => {
    const f = {
      ...base,
      batteries: [
        {
          ...({} as Feeder['batteries'][number]),
          name: 'B',
          bus: 'b',
          pRatedKw: 1,
          energyKwh: 4,
          sRatedKva: 1.2,
          etaCharge: 1,
          etaDischarge: 1,
          socMin: 0,
          socMax: 1,
          socInitial: 0.5,
        },
      ],
    };
    expect(() => solvePowerFlow(f, { periods: 2, dispatch: { batteryKw: [[1]] } })).toThrow(PowerFlowInputError);
    expect(() => solvePowerFlow(f, { periods: 1, dispatch: { batteryKw: [[1, 2]] } })).toThrow(
      /batteryKw\[0\] has 2 values; the feeder has 1/,
    );
  });
});
