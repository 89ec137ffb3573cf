/**
 * The three-phase OPF on OpenDSS's IEEE 123 (regulators at OpenDSS's fixed taps; switches, a
 * delta-delta 4.16/0.48 kV transformer feeding an ungrounded bus, single-phase laterals): with
 * nothing to decide it reproduces the OpenDSS engine's voltages; with 10 PV and 10 batteries
 * placed by the seeded rule it solves, and the three-phase power flow with its set points
 * reproduces its voltages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import { opendssRef, testDataPath } from '../../test-data/index';
import type { Profile } from '../opf/study';
import type { UNetwork } from '../unbalanced/model';
import { floatingBuses, solveThreePhaseOpf } from './fromNetwork';
import { REGION_FREE } from './network';
import { placeUnits } from './placement';
import { validateOpf3 } from './validate';
import { hourlyProfile } from '../testing/opf/ieee123';
import { referenceFeeder } from '../testing/unbalanced/reference';

const readFs = (p: string): string => readFileSync(p, 'utf8');
const ref = JSON.parse(readFs(opendssRef('opendss-results', 'ieee123_fixedtaps.json'))) as {
  master: string;
  pre: string[];
  p_subs_kw: number;
  bus_vmag_pu: Record<string, Record<string, number>>;
};

const load = (): UNetwork => referenceFeeder('ieee123_fixedtaps', readFs, opendssRef);

/** The reference case's hourly profile (headerless `hour,value`: every row counts, from hour 0). */
function profile(rel: string): Profile {
  return hourlyProfile(readFs(testDataPath('ieee123-balanced', rel)));
}

describe('three-phase OPF on IEEE 123', () => {
  it('with nothing to decide: OpenDSS’s node voltages to 1e-6 pu (line-to-neutral, grounded islands) and its substation power', () => {
    const net = load();
    const { network, outcome } = solveThreePhaseOpf(net, { periods: 1, vMinPu: 0.5, vMaxPu: 1.5 }, [], {
      snapshot: true,
    });
    expect(outcome.optimal, outcome.nlp.message).toBe(true);
    const floating = floatingBuses(net);
    expect([...floating]).toEqual(['610']);
    const p = outcome.periods[0]!;
    let worst = 0;
    let compared = 0;
    for (let i = 0; i < network.nFree; i++) {
      const bus = network.nodeBus[i]!;
      const dss = ref.bus_vmag_pu[bus]?.[String(network.nodePhase[i])];
      if (dss === undefined || floating.has(bus)) continue;
      compared++;
      worst = Math.max(worst, Math.abs(p.vPu[i]! - dss));
    }
    expect(compared).toBeGreaterThan(250);
    expect(worst).toBeLessThan(1e-6);
    expect(Math.abs(p.substationKw / ref.p_subs_kw - 1)).toBeLessThan(1e-6);
  });

  it('10 PV and 10 batteries (seeded placement, single- and three-phase), 3 daytime hours: solved and validated to 1e-6 pu', () => {
    const net = load();
    const units = placeUnits(net, 15, 10, 10);
    expect(units.filter((u) => u.phases.length === 3).length).toBeGreaterThan(0);
    expect(units.filter((u) => u.phases.length === 1).length).toBeGreaterThan(0);
    const study = {
      periods: 3,
      startHour: 11,
      loadProfile: profile('profiles/load_shape_24h.csv'),
      pvProfile: profile('profiles/pv_shape_24h.csv'),
      priceCentsPerKwh: loadIeee123().price,
      terminalSoc: 'free' as const,
      vMinPu: 0.95,
      vMaxPu: 1.06,
    };
    const { network, outcome } = solveThreePhaseOpf(net, study, units);
    expect(outcome.optimal, outcome.nlp.message).toBe(true);
    const v = validateOpf3(net, network, outcome.periods, units);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
    // PV inject their forecast; their reactive power stays within the inverter disk.
    outcome.periods.forEach((p, t) => {
      units
        .filter((u) => u.kind === 'pv')
        .forEach((u, k) => {
          const pKw = network.pv[k]!.pPu[t]! * network.baseKva;
          expect(pKw ** 2 + p.pvKvar[k]! ** 2).toBeLessThanOrEqual(u.sRatedKva ** 2 * (1 + 1e-6));
        });
    });
  });

  it('24 hours (the bench case): loads cross OpenDSS’s Vmaxpu within the solve (U5c), solved in one solve, and the power flow reproduces every node to 1e-6 pu', () => {
    // Before (U5c) the loads' regions were fixed per solve and re-decided between solves: the
    // fourth (last allowed) solve ended 'acceptable' with load S85c in its constant-Z region at
    // hour 22 while its voltage (1.028 pu) was below Vmaxpu — the power flow, which has it
    // constant-power there, differed by 1.7e-3 pu at bus 85.
    const net = load();
    const units = placeUnits(net, 15, 10, 10);
    const study = {
      periods: 24,
      loadProfile: profile('profiles/load_shape_24h.csv'),
      pvProfile: profile('profiles/pv_shape_24h.csv'),
      priceCentsPerKwh: loadIeee123().price,
      objective: 'cost' as const,
      vMinPu: 0.95,
      vMaxPu: 1.06,
    };
    const run = solveThreePhaseOpf(net, study, units);
    expect(run.outcome.nlp.status, run.outcome.nlp.message).toBe('solved');
    expect(run.rounds).toBe(1);
    // KKT solves refined only to Ipopt's backward error 1e-10 (OPF3_NLP_DEFAULTS): 41 triangular
    // solve pairs for 37 refined solves; at 1e-14 96 (32 iterations instead of 33, the objective
    // the same to 5e-13)
    const kkt = run.outcome.nlp.timing.kkt;
    expect(kkt.triangularSolves).toBeLessThan(1.5 * kkt.solves);
    const v = validateOpf3(net, run.network, run.outcome.periods, units);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
    // The regions really are decided in the solve: elements above and below Vmaxpu at the
    // solution, S85c among them, on both sides over the day.
    const { ix, net: m } = run.outcome.model;
    const x = run.outcome.nlp.x;
    const k85 = m.loads.findIndex((l) => l.name === 's85c.1');
    const above: number[] = [];
    let free = 0;
    let z = 0;
    for (let t = 0; t < 24; t++) {
      m.loads.forEach((l, k) => {
        if (l.region?.mode[t] !== REGION_FREE) return;
        free++;
        const sv = x[ix.regionS[t * m.loads.length + k]!]!;
        if (sv > 1e-4) {
          z++;
          if (k === k85) above.push(t);
        }
      });
    }
    expect(free).toBeGreaterThan(1000);
    expect(z).toBeGreaterThan(20);
    expect(above.length).toBeGreaterThan(0);
    expect(above.length).toBeLessThan(24);
  }, 120_000);
});
