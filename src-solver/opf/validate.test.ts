/**
 * The validating AC power flow keeps every branch's current and sending-end power per period
 * (what a run's branch loading is read from). Checked against the closed-form two-bus answer and
 * against the OPF's own branch currents (a second method: √l of the branch-flow model).
 */
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { solveOpf } from './solve';

const V_BASE_KV = 2.4;
const R = 0.5;
const X = 1.0;
const P_KW = 300;
const Q_KVAR = 100;

/**
 * Source (1 pu) — line r + jx — one constant-power load (peak × m). |V₂|² solves
 * |V₂|⁴ + (2(PR + QX) − |V₁|²)|V₂|² + (P² + Q²)|Z|² = 0 (all in volts, ohms, watts per phase);
 * the current is |S| / |V₂|.
 */
function twoBusCurrentA(m: number): { currentA: number; v2Pu: number } {
  const v1 = V_BASE_KV * 1000;
  const p = P_KW * m * 1000;
  const q = Q_KVAR * m * 1000;
  const b = 2 * (p * R + q * X) - v1 * v1;
  const c = (p * p + q * q) * (R * R + X * X);
  const v2sq = (-b + Math.sqrt(b * b - 4 * c)) / 2;
  return { currentA: Math.hypot(p, q) / Math.sqrt(v2sq), v2Pu: Math.sqrt(v2sq) / v1 };
}

function feeder(): Feeder {
  return {
    name: 'two-branch',
    baseKva: 100,
    substation: { bus: 's', vSetPu: 1 },
    buses: [
      { name: 's', vBaseKv: V_BASE_KV },
      { name: 'a', vBaseKv: V_BASE_KV },
      { name: 'b', vBaseKv: V_BASE_KV },
    ],
    // Written child → parent on purpose: the upstream bus is found from the tree, not the label.
    branches: [
      { name: 'l1', from: 'a', to: 's', rOhm: R, xOhm: X, kind: 'line', ampacityA: 200 },
      { name: 'l2', from: 'a', to: 'b', rOhm: 0.2, xOhm: 0.3, kind: 'line' },
    ],
    loads: [{ name: 'ld', bus: 'a', pKw: P_KW, qKvar: Q_KVAR }],
    capacitors: [],
    pv: [],
    batteries: [],
    shapes: [],
  };
}

describe('validation keeps the power flow branch results', () => {
  const out = solveOpf(feeder(), { periods: 2, loadProfile: { intervalH: 1, values: [1, 0.5] } });
  const v = out.results.validation!;

  it('the branch current of a two-bus feeder is the closed-form |S| / |V₂| in every period (1e-8 relative)', () => {
    expect(out.optimal).toBe(true);
    expect(v.branches!.names).toEqual(['l1', 'l2']);
    expect(v.branches!.upstreamBus).toEqual(['s', 'a']);
    [1, 0.5].forEach((m, t) => {
      const exact = twoBusCurrentA(m);
      // l2 feeds no load: no current, no power.
      expect(v.branches!.currentA[t]![1]).toBeLessThan(1e-9);
      expect(Math.abs(v.branches!.currentA[t]![0]! - exact.currentA) / exact.currentA).toBeLessThan(1e-8);
      // Sending-end power = load + r·|I|², x·|I|² (kW, kvar).
      expect(v.branches!.pKw[t]![0]).toBeCloseTo(P_KW * m + (R * exact.currentA ** 2) / 1000, 6);
      expect(v.branches!.qKvar[t]![0]).toBeCloseTo(Q_KVAR * m + (X * exact.currentA ** 2) / 1000, 6);
    });
  });

  it('agrees with the OPF’s own branch currents (√l) to the solver tolerance', () => {
    const r = out.results;
    r.periods.forEach((p, t) => {
      r.branchNames.forEach((name, e) => {
        const k = v.branches!.names.indexOf(name);
        expect(Math.abs(p.branchCurrentA[e]! - v.branches!.currentA[t]![k]!)).toBeLessThan(1e-4);
      });
    });
  });
});
