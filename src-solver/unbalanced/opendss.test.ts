/**
 * The three-phase import and power flow against the real OpenDSS engine's answers
 * (test-data/opendss-feeders/opendss-results, DSS C-API 0.14.5, tolerance 1e-10): every node
 * voltage, line-to-line voltage, the source's P and Q and the losses, with the same taps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { importUnbalanced } from './import';
import type { UNetwork } from './model';
import { regulatorSteps } from './controls';
import { solveUnbalanced } from './solve';

interface Reference {
  master: string;
  pre: string[];
  p_subs_kw: number;
  q_subs_kvar: number;
  loss_kw: number;
  loss_kvar: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
  bus_vll_pu: Record<string, number[]>;
  regcontrol_taps?: Record<string, number>;
  capacitor_states?: Record<string, number[]>;
}

const readFs = (p: string) => readFileSync(p, 'utf8');
const reference = (name: string): Reference =>
  JSON.parse(readFs(opendssRef('opendss-results', `${name}.json`))) as Reference;

function load(ref: Reference): UNetwork {
  const out = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return out.network;
}

/** Sets every regulator to OpenDSS's final tap and every capacitor to its state, controls off. */
function freezeAt(net: UNetwork, ref: Reference): void {
  for (const [name, step] of Object.entries(ref.regcontrol_taps ?? {})) {
    const rc = net.regControls.find((r) => r.name === name);
    if (!rc) throw new Error(`no RegControl ${name}`);
    const xf = net.transformers.find((t) => t.name === rc.transformer)!;
    const w = xf.windings[rc.tapWinding - 1];
    w.tap = 1 + step * ((w.maxTap - w.minTap) / w.numTaps);
  }
  for (const [name, states] of Object.entries(ref.capacitor_states ?? {})) {
    const cap = net.capacitors.find((c) => c.name === name);
    if (!cap) throw new Error(`no Capacitor ${name}`);
    cap.states = [...states];
  }
  net.controlMode = 'off';
}

function compare(name: string, ref: Reference, net: UNetwork) {
  const { periods } = solveUnbalanced(net);
  const p = periods[0];
  expect(p.converged).toBe(true);
  let worst = 0;
  let worstAt = '';
  let nodes = 0;
  for (const [bus, byNode] of Object.entries(ref.bus_vmag_pu)) {
    for (const [node, v] of Object.entries(byNode)) {
      const mine = p.nodeVoltagesPu[bus]?.[node];
      expect(mine, `${name}: node ${bus}.${node} missing`).toBeDefined();
      const d = Math.abs(mine - v);
      nodes++;
      if (d > worst) {
        worst = d;
        worstAt = `${bus}.${node}`;
      }
    }
  }
  let worstLl = 0;
  for (const [bus, vs] of Object.entries(ref.bus_vll_pu)) {
    const mine = p.lineVoltagesPu[bus];
    expect(mine, `${name}: line voltages of ${bus} missing`).toBeDefined();
    expect(mine.length).toBe(vs.length);
    vs.forEach((v, k) => (worstLl = Math.max(worstLl, Math.abs(mine[k] - v))));
  }
  expect(nodes).toBeGreaterThan(0);
  expect(worst, `${name}: worst node voltage difference at ${worstAt}`).toBeLessThan(1e-7);
  expect(worstLl).toBeLessThan(1e-7);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  expect(rel(p.substationKw, ref.p_subs_kw)).toBeLessThan(1e-7);
  expect(rel(p.substationKvar, ref.q_subs_kvar)).toBeLessThan(1e-6);
  expect(rel(p.lossKw, ref.loss_kw)).toBeLessThan(1e-6);
  expect(rel(p.lossKvar, ref.loss_kvar)).toBeLessThan(1e-6);
  return { worst, worstAt, p };
}

describe('three-phase power flow = OpenDSS with the same taps', () => {
  it("IEEE 13: the master's `Solve` is replayed at import — the regulators already sit at OpenDSS's snapshot taps before any solve of ours", () => {
    const ref = reference('ieee13');
    const net = load(ref);
    expect(regulatorSteps(net)).toEqual(ref.regcontrol_taps);
  });

  it('IEEE 13 (fixed taps, wye/delta loads of models 1, 2, 5, delta-wye substation, single-phase regulators)', () => {
    const ref = reference('ieee13_fixedtaps');
    const { p } = compare('ieee13', ref, load(ref));
    expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
  });

  it('IEEE 34 (fixed taps, two regulator banks, 24.9/4.16 kV transformer)', () => {
    const ref = reference('ieee34_fixedtaps');
    compare('ieee34', ref, load(ref));
  });

  it('IEEE 37 (delta system, open-delta regulators at the taps OpenDSS chose)', () => {
    const ref = reference('ieee37');
    const net = load(ref);
    freezeAt(net, ref);
    compare('ieee37', ref, net);
  });

  it('IEEE 123 (fixed taps, switches, single-phase laterals)', () => {
    const ref = reference('ieee123_fixedtaps');
    const { p } = compare('ieee123', ref, load(ref));
    expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
  });

  it('8500-node feeder, line-code version (center-tapped service transformers, XfmrCode, reactor, 120/240 V loads): RegControls and CapControls acting reach OpenDSS’s taps, then its voltages', () => {
    const ref = reference('ieee8500');
    const { p } = compare('ieee8500', ref, load(ref));
    expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
    expect(p.capacitorStates).toEqual(ref.capacitor_states);
    expect(Object.keys(p.nodeVoltagesPu).length).toBeGreaterThan(4800);
  }, 120_000);

  for (const name of ['ieee13', 'ieee34', 'ieee123', 'ieee37']) {
    it(`${name} with regulators acting (OpenDSS's static control mode): the same tap positions and capacitor states, then the same voltages`, () => {
      const ref = reference(name);
      const { p } = compare(name, ref, load(ref));
      expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
      if (ref.capacitor_states) expect(p.capacitorStates).toEqual(ref.capacitor_states);
    });
  }

  for (const name of ['4bus-yy-bal', '4bus-dy-bal']) {
    it(`Kersting's 4-node case ${name}: lines from LineGeometry + WireData (Set EarthModel=Carson) through the line-constants module`, () => {
      const ref = reference(name);
      compare(name, ref, load(ref));
    });
  }

  it('8500-node feeder, geometry version (primary lines from LineGeometry/WireData, Deri earth): taps, capacitors, P, Q, losses and every energized node as OpenDSS', () => {
    const ref = reference('ieee8500_geometry');
    const { periods } = solveUnbalanced(load(ref));
    const p = periods[0];
    expect(p.converged).toBe(true);
    expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
    expect(p.capacitorStates).toEqual(ref.capacitor_states);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    expect(rel(p.substationKw, ref.p_subs_kw)).toBeLessThan(1e-7);
    expect(rel(p.substationKvar, ref.q_subs_kvar)).toBeLessThan(1e-6);
    expect(rel(p.lossKw, ref.loss_kw)).toBeLessThan(1e-6);
    // Buses with a node OpenDSS finds below 0.1 pu are joined to the rest only through line
    // capacitance (the reference's README: 30 such nodes float near 0.03–0.06 pu); how they float
    // is the power flow's business, not the line constants': checked apart below.
    let worst = 0;
    let energized = 0;
    for (const [bus, byNode] of Object.entries(ref.bus_vmag_pu)) {
      if (Object.values(byNode).some((v) => v < 0.1)) continue;
      energized++;
      for (const [node, v] of Object.entries(byNode))
        worst = Math.max(worst, Math.abs(p.nodeVoltagesPu[bus][node] - v));
    }
    expect(energized).toBeGreaterThan(4800);
    expect(worst).toBeLessThan(1e-7); // measured 3e-10
    // Buses with one floating and one energized node: the base comes from the bus's
    // first-referenced node (CalcVoltageBases), here the energized one, so the energized node
    // reads ~1 pu as in OpenDSS, not ~26 pu on a 0.48 kV base picked from the floating node.
    let mixed = 0;
    let worstEnergized = 0;
    let worstFloatingRel = 0;
    for (const [bus, byNode] of Object.entries(ref.bus_vmag_pu)) {
      const vs = Object.values(byNode);
      if (!(vs.some((v) => v < 0.1) && vs.some((v) => v > 0.5))) continue;
      mixed++;
      for (const [node, v] of Object.entries(byNode)) {
        const d = Math.abs(p.nodeVoltagesPu[bus][node] - v);
        if (v < 0.1) worstFloatingRel = Math.max(worstFloatingRel, d / v);
        else worstEnergized = Math.max(worstEnergized, d);
      }
    }
    expect(mixed).toBeGreaterThanOrEqual(10);
    expect(worstEnergized).toBeLessThan(1e-7);
    // Floating nodes on the same base as OpenDSS's: within 0.1 % of its value (measured 3e-4
    // relative; how they float is the line-capacitance model's business, see above).
    expect(worstFloatingRel).toBeLessThan(1e-3);
  }, 120_000);
});

describe('24-hour daily series = OpenDSS daily mode', () => {
  interface Hour {
    control_iterations: number;
    p_subs_kw: number;
    bus_vmag_pu: Record<string, Record<string, number>>;
    regcontrol_taps: Record<string, number>;
    capacitor_states: Record<string, number[]>;
  }
  const daily = (name: string) => {
    const ref = JSON.parse(readFs(opendssRef('opendss-results', `${name}_daily.json`))) as { hours: Hour[] };
    const out = importUnbalanced(opendssRef('daily', `${name}-daily.dss`), readFs);
    if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
    const { periods } = solveUnbalanced(out.network, { hours: 24, shape: 'daily' });
    return { ref: ref.hours, periods };
  };
  // Those runs used OpenDSS's default convergence tolerance (1e-4 per iteration, not the 1e-10 of
  // the snapshots), so agreement is to ~1e-5 pu, not 1e-9.
  const worstDiff = (p: { nodeVoltagesPu: Record<string, Record<string, number>> }, h: Hour) => {
    let worst = 0;
    for (const [bus, nodes] of Object.entries(h.bus_vmag_pu))
      for (const [n, v] of Object.entries(nodes)) worst = Math.max(worst, Math.abs(p.nodeVoltagesPu[bus][n] - v));
    return worst;
  };

  it('IEEE 123: every hour the same taps and capacitor states, voltages within 5e-5 pu', () => {
    const { ref, periods } = daily('ieee123');
    expect(periods).toHaveLength(24);
    periods.forEach((p, h) => {
      expect(p.regulatorTaps, `hour ${h}`).toEqual(ref[h].regcontrol_taps);
      expect(p.capacitorStates).toEqual(ref[h].capacitor_states);
      expect(worstDiff(p, ref[h])).toBeLessThan(5e-5);
      expect(Math.abs(p.substationKw / ref[h].p_subs_kw - 1)).toBeLessThan(1e-4);
    });
  });

  it("IEEE 13: every hour the same taps, after as many control rounds, and voltages within 5e-5 pu — the master's closing `Solve` (full load) sets the taps the day starts from", () => {
    const { ref, periods } = daily('ieee13');
    expect(periods).toHaveLength(24);
    periods.forEach((p, h) => {
      expect(p.regulatorTaps, `hour ${h}`).toEqual(ref[h].regcontrol_taps);
      expect(p.capacitorStates).toEqual(ref[h].capacitor_states);
      expect(p.controlIterations, `hour ${h}`).toBe(ref[h].control_iterations);
      expect(worstDiff(p, ref[h])).toBeLessThan(5e-5);
    });
  });
});
