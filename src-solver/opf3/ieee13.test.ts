/**
 * The three-phase OPF on IEEE 13 (OpenDSS's model, regulators at OpenDSS's fixed taps):
 * with nothing to decide and no binding limit, the OPF is a power flow — its node voltages equal
 * the three-phase power flow's and the OpenDSS engine's (test-data/opendss-feeders/opendss-results)
 * and its substation power equals OpenDSS's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { importUnbalanced } from '../unbalanced/import';
import type { UNetwork } from '../unbalanced/model';
import { solveUnbalanced } from '../unbalanced/solve';
import { opf3FromNetwork } from './fromNetwork';
import { solveOpf3 } from './solve';

interface Reference {
  master: string;
  pre: string[];
  p_subs_kw: number;
  q_subs_kvar: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
}

const readFs = (p: string): string => readFileSync(p, 'utf8');
const reference = (name: string): Reference => JSON.parse(readFs(opendssRef('opendss-results', `${name}.json`))) as Reference;

function load(ref: Reference): UNetwork {
  const out = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return out.network;
}

describe('three-phase OPF with nothing to decide = the power flow = OpenDSS', () => {
  it('IEEE 13 (fixed taps; wye and delta loads of models 1, 2, 5; delta-wye transformer; single-phase regulators)', () => {
    const ref = reference('ieee13_fixedtaps');
    const net = load(ref);
    const pf = solveUnbalanced(net, { controls: false }).periods[0]!;
    const opfNet = opf3FromNetwork(net, { periods: 1, vMinPu: 0.5, vMaxPu: 1.5, objective: 'cost' }, [], { snapshot: true });
    const out = solveOpf3(opfNet);
    expect(out.optimal, out.nlp.message).toBe(true);
    const p = out.periods[0]!;
    let worstPf = 0;
    let worstDss = 0;
    let compared = 0;
    for (let i = 0; i < opfNet.nFree; i++) {
      const bus = opfNet.nodeBus[i]!;
      const node = String(opfNet.nodePhase[i]);
      const dss = ref.bus_vmag_pu[bus]?.[node];
      if (dss === undefined) continue;
      compared++;
      worstPf = Math.max(worstPf, Math.abs(p.vPu[i]! - pf.nodeVoltagesPu[bus]![node]!));
      worstDss = Math.max(worstDss, Math.abs(p.vPu[i]! - dss));
    }
    expect(compared).toBeGreaterThan(30);
    expect(worstPf).toBeLessThan(1e-6);
    expect(worstDss).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKw / ref.p_subs_kw - 1)).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKvar / ref.q_subs_kvar - 1)).toBeLessThan(1e-6);
    // The cost objective is price × substation energy (flat 1 ¢/kWh, one hour).
    expect(Math.abs(out.objective / (0.01 * ref.p_subs_kw) - 1)).toBeLessThan(1e-6);
  });
});
