/**
 * The per-phase exchanged values (phase-exchange.ts) in the coordinator's flat vector: every
 * entry in exactly one Anderson group (per period the voltage side of every boundary, one group of
 * the current side over all periods), a lossless round trip, and the convergence measures.
 */
import { describe, expect, it } from 'vitest';
import { exchangeLayout, type BoundaryState } from './coordinator';
import {
  phaseChange,
  phaseFromOutputs,
  phaseGroups,
  phaseLength,
  phasePowerInput,
  phasePriceChange,
  phaseVoltageInput,
  readPhase,
  withFreshSensitivity,
  writePhase,
  type DrawSensitivity,
  type PhasePowerWithSensitivity,
  type PhaseState,
} from './phase-exchange';

const T = 2;
function boundary(nodes: number, seed: number, prices = true): BoundaryState {
  const a = (k: number) => Array.from({ length: T * nodes }, (_, j) => seed + 10 * k + j);
  const phase: PhaseState = {
    nodes,
    vRe: a(0),
    vIm: a(1),
    p: a(2),
    q: a(3),
    ...(prices ? { priceP: a(4), priceQ: a(5), priceVRe: a(6), priceVIm: a(7) } : {}),
  };
  return { vSqPu: [], pPu: [], qPu: [], phase };
}

describe('per-phase boundary values in the exchanged vector', () => {
  it('groups: per period V, Q and their prices of every boundary, one group of P, π_P; each entry once', () => {
    const x = [boundary(3, 0), boundary(2, 100)];
    const len = phaseLength(x);
    expect(len).toBe(8 * T * 5);
    const { groups, priceEntries } = phaseGroups(x, 0);
    expect(groups.length).toBe(T + 1);
    const seen = new Uint8Array(len);
    for (const g of groups) for (const i of g) seen[i]!++;
    expect([...seen].every((c) => c === 1)).toBe(true);
    // per period: 6 kinds (V re, im, π_V re, im, Q, π_Q) × (3 + 2) nodes; the energy group: 2 kinds × T × 5
    expect(groups.slice(0, T).map((g) => g.length)).toEqual([30, 30]);
    expect(groups[T]!.length).toBe(2 * T * 5);
    expect(priceEntries.length).toBe(4);
    // the coordinator's layout puts them after the (empty) balanced part
    const layout = exchangeLayout(x);
    expect(layout.T).toBe(0);
    expect(layout.groups.length).toBe(T + 1);
    expect(layout.phasePrices.length).toBe(4);
    // energyPerPeriod (on the round-1 states): P and π_P per period too, no horizon group
    const y = x.map((b) => ({ ...b, phase: { ...b.phase!, energyPerPeriod: true } }));
    const per = phaseGroups(y, 0).groups;
    expect(per.map((g) => g.length)).toEqual([40, 40]);
    const seenY = new Uint8Array(len);
    for (const g of per) for (const i of g) seenY[i]!++;
    expect([...seenY].every((c) => c === 1)).toBe(true);
    // each period's group holds only that period's entries: the first boundary's P (its 5th kind after
    // vRe, vIm, priceVRe, priceVIm; 3 nodes × T each) of node 0 at t = 1 is in group 1, not 0
    const pAt = 4 * T * 3 + 1 * 3 + 0;
    expect(per[1]!.includes(pAt)).toBe(true);
    expect(per[0]!.includes(pAt)).toBe(false);
    // mixing one flagged with one unflagged boundary keeps the horizon group
    expect(phaseGroups([y[0]!, x[1]!], 0).groups.length).toBe(T + 1);
  });

  it('write then read is the identity; values only (published mode) without prices', () => {
    for (const prices of [true, false]) {
      const x = [boundary(3, 0, prices), boundary(1, 50, prices)];
      const f = new Float64Array(phaseLength(x) + 3);
      writePhase(x, f, 3);
      const back = readPhase(
        f,
        x.map((b) => ({ ...b, phase: { ...b.phase!, vRe: b.phase!.vRe.map(() => 0) } })),
        3,
      );
      expect(back.map((b) => b.phase)).toEqual(x.map((b) => b.phase));
    }
  });

  it('change: complex |ΔV| and |ΔS| per node; prices relative to the largest of their kind', () => {
    const a = [boundary(1, 0)];
    const b = [boundary(1, 0)];
    b[0]!.phase!.vRe[1]! += 3e-4;
    b[0]!.phase!.vIm[1]! += 4e-4;
    b[0]!.phase!.q[0]! -= 2e-3;
    const c = phaseChange(b, a);
    expect(c.dv).toBeCloseTo(5e-4, 12);
    expect(c.di).toBeCloseTo(2e-3, 12);
    b[0]!.phase!.priceVRe![0]! += 1;
    // largest |π_V| of b: hypot(61 … , 71 …) at j = 1
    const scale = Math.hypot(61, 71);
    expect(phasePriceChange(b, a)).toBeCloseTo(1 / scale, 12);
  });
});

describe('a child’s draw sensitivity beside the exchanged values', () => {
  const sens = (v: number): DrawSensitivity => ({
    v0Re: [v],
    v0Im: [v],
    p0: [v],
    q0: [v],
    dS: [v, v, v, v],
    adjVRe: [v],
    adjVIm: [v],
  });
  it('is taken from the child’s side, is not in the flat vector, reaches the parent, and the accelerated next state carries the round’s (not the previous one’s)', () => {
    const old = boundary(3, 0).phase!;
    const child: PhasePowerWithSensitivity = { nodes: 3, p: old.p, q: old.q, sens: sens(7) };
    const parent = { nodes: 3, vRe: old.vRe, vIm: old.vIm };
    const fresh = phaseFromOutputs(parent, child, { ...old, sens: sens(1) }, true);
    expect(fresh.sens!.dS).toEqual([7, 7, 7, 7]);
    const x = [{ vSqPu: [], pPu: [], qPu: [], phase: { ...old, sens: sens(1) } }];
    // the flat vector has the values and prices only
    expect(phaseLength(x)).toBe(8 * T * 3);
    const f = new Float64Array(phaseLength(x));
    writePhase(x, f, 0);
    // the coordinator rebuilds the next state from the previous one (readPhase), then takes the round's sensitivity
    const next = withFreshSensitivity(readPhase(f, x, 0), [{ phase: fresh }]);
    expect(next[0]!.phase!.sens!.dS).toEqual([7, 7, 7, 7]);
    expect((phasePowerInput(next[0]!.phase!) as PhasePowerWithSensitivity).sens!.p0).toEqual([7]);
    // without one in the round's outputs the state is left as it is
    expect(withFreshSensitivity(x, [{ phase: old }])[0]).toBe(x[0]);
    // the parent's curvature in the draw: from the parent's side, carried to the child's input like the sensitivity
    const curved = phaseFromOutputs(
      { ...parent, curvP: [1, 2, 3, 4, 5, 6], curvQ: [6, 5, 4, 3, 2, 1] },
      child,
      old,
      true,
    );
    expect(curved.curvP).toEqual([1, 2, 3, 4, 5, 6]);
    const nextC = withFreshSensitivity(readPhase(f, x, 0), [{ phase: curved }]);
    expect(phaseVoltageInput(nextC[0]!.phase!).curvQ).toEqual([6, 5, 4, 3, 2, 1]);
    // the exchanged draw goes down with the prices (the centre of the child's proximal term)
    expect(phaseVoltageInput(nextC[0]!.phase!).drawP).toEqual(nextC[0]!.phase!.p);
  });
});
