/**
 * The three-phase OPF on OpenDSS's IEEE 8500-node feeder: center-tapped 120/240 V service
 * transformers (three windings), split-phase secondaries with their 2-phase loads, triplex lines,
 * regulators and capacitors at the states the power flow's controls reach (OpenDSS's own, see
 * unbalanced/opendss.test.ts). With nothing to decide the OPF reproduces the OpenDSS engine's node
 * voltages; batteries placed at service transformers by the seeded rule (on the two 120 V legs of
 * their secondaries) solve, and the three-phase power flow with their set points reproduces the
 * OPF's voltages.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { importUnbalanced } from '../unbalanced/import';
import type { UNetwork } from '../unbalanced/model';
import { solveUnbalanced } from '../unbalanced/solve';
import { floatingBuses, solveThreePhaseOpf } from './fromNetwork';
import { placeServiceBatteries } from './placement';
import { validateOpf3 } from './validate';

const readFs = (p: string): string => readFileSync(p, 'utf8');
const ref = JSON.parse(readFs(opendssRef('opendss-results', 'ieee8500.json'))) as {
  master: string;
  pre: string[];
  p_subs_kw: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
};

describe('three-phase OPF on the IEEE 8500-node feeder', () => {
  let net: UNetwork;
  beforeAll(() => {
    const out = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
    if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
    net = out.network;
    // taps and capacitor states as OpenDSS's controls set them, then fixed for the OPF
    expect(solveUnbalanced(net, { detail: 'summary' }).periods[0]!.converged).toBe(true);
  }, 120_000);

  it('with nothing to decide: OpenDSS’s node voltages to 1e-6 pu, secondaries included, and its substation power', () => {
    const { network, outcome } = solveThreePhaseOpf(net, { periods: 1, vMinPu: 0.5, vMaxPu: 1.5 }, [], {
      snapshot: true,
    });
    expect(outcome.optimal, outcome.nlp.message).toBe(true);
    const floating = floatingBuses(net);
    const p = outcome.periods[0]!;
    let worst = 0;
    let compared = 0;
    let secondaries = 0;
    for (let i = 0; i < network.nFree; i++) {
      const bus = network.nodeBus[i]!;
      const dss = ref.bus_vmag_pu[bus]?.[String(network.nodePhase[i])];
      if (dss === undefined || floating.has(bus)) continue;
      compared++;
      if (network.nodeVBase[i]! < 200) secondaries++;
      worst = Math.max(worst, Math.abs(p.vPu[i]! - dss));
    }
    expect(compared).toBeGreaterThan(8000);
    expect(secondaries).toBeGreaterThan(2000);
    expect(worst).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKw / ref.p_subs_kw - 1)).toBeLessThan(1e-6);
  }, 300_000);

  it('batteries at service transformers (seeded rule, split-phase secondaries), one hour: solved and validated to 1e-6 pu', () => {
    const units = placeServiceBatteries(net, 15, 5);
    expect(units.every((u) => u.phases.join() === '1,2' && net.buses.get(u.bus)!.kvBaseLN < 0.2)).toBe(true);
    const { network, outcome } = solveThreePhaseOpf(
      net,
      { periods: 1, startHour: 18, priceCentsPerKwh: { intervalH: 1, values: [10] }, vMinPu: 0.9, vMaxPu: 1.1 },
      units,
    );
    expect(outcome.optimal, outcome.nlp.message).toBe(true);
    const v = validateOpf3(net, network, outcome.periods, units);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
  }, 300_000);

  it('the seeded rule: the same seed gives the same sites, every site a distinct center-tapped service; too many asked is an error', () => {
    const a = placeServiceBatteries(net, 15, 50);
    expect(placeServiceBatteries(net, 15, 50)).toEqual(a);
    expect(new Set(a.map((u) => u.bus)).size).toBe(50);
    expect(placeServiceBatteries(net, 16, 50).map((u) => u.bus)).not.toEqual(a.map((u) => u.bus));
    const secondaries = new Set(
      net.transformers
        .filter((x) => x.windings.length === 3 && x.windings[1]!.bus.bus === x.windings[2]!.bus.bus)
        .map((x) => x.windings[1]!.bus.bus),
    );
    expect(a.every((u) => secondaries.has(u.bus))).toBe(true);
    expect(() => placeServiceBatteries(net, 15, secondaries.size + 1)).toThrow(
      /center-tapped service transformers, fewer than/,
    );
  });
});
