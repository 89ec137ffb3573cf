/**
 * IEEE 37 — a 4.8 kV delta system of underground cables, ungrounded below its substation
 * transformer, with open-delta regulators: the three-phase OPF with nothing to decide is the
 * three-phase power flow. The island's cable capacitance to ground makes its common-mode voltage
 * physical, so the common-mode anchor (U6b) must not be added there (with it, line-to-line
 * voltages were off by 4e-3 pu at the regulators' output bus 799r).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { importUnbalanced } from '../unbalanced/import';
import { solveUnbalanced } from '../unbalanced/solve';
import { chargedIslandBuses, floatingBuses, opf3FromNetwork } from './fromNetwork';
import { solveOpf3 } from './solve';
import { validateOpf3 } from './validate';

describe('three-phase OPF on IEEE 37 (ungrounded delta cables)', () => {
  it('with nothing to decide equals the power flow to 1e-6 pu (line-to-line), the anchor left out where cables ground the island', () => {
    const out = importUnbalanced(opendssRef('feeders/37Bus/ieee37.dss'), (p) => readFileSync(p, 'utf8'));
    if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('; '));
    const net = out.network;
    solveUnbalanced(net, { controls: true }); // the regulators' taps, as OpenDSS sets them
    const floating = floatingBuses(net);
    const charged = chargedIslandBuses(net, floating);
    expect(floating.has('799r')).toBe(true);
    expect(charged.has('799r')).toBe(true);
    // 70 % load keeps every load above its Vminpu (below it OpenDSS and the power flow switch the
    // load to constant impedance; the OPF keeps its model there, spec (U5)).
    const study = { periods: 1, vMinPu: 0.9, vMaxPu: 1.1, loadProfile: { intervalH: 24, values: [0.7] } };
    const opf = opf3FromNetwork(net, study, [], {});
    expect(opf.limits!.lineToLine.length).toBeGreaterThan(100);
    const r = solveOpf3(opf);
    expect(r.optimal, r.nlp.message).toBe(true);
    const v = validateOpf3(net, opf, r.periods, []);
    expect(v.converged).toBe(true);
    expect(v.maxDiffPu, v.at).toBeLessThan(1e-6);
  });
});
