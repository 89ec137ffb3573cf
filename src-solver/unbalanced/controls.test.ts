/**
 * The firmness test of the static control loop (./solve settleControls) moves only the nodes
 * `controlNodes` lists: what the controls sample must be the same as with every node moved.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { controlNodes, sampleControls } from './controls';
import { importUnbalanced } from './import';
import { UnbalancedSystem } from './powerflow';
import { setPeriodInjections } from './solve';

const master = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');
// Taps back at 0 (the master's closing Solve would set them) and a voltage-type and a kvar-type
// capacitor control on lines, so regulators (with line-drop compensation) and capacitors sample.
const reader = (p: string) => {
  const text = readFileSync(p, 'utf8');
  return p === master ? text.replace(/^Solve\s*$/m, '') : text;
};
const extraLines = [
  'New CapControl.ccv Capacitor=Cap1 Element=Line.692675 Terminal=1 Type=Voltage ON=118 OFF=126 PTratio=20',
  'New CapControl.cck Capacitor=Cap2 Element=Line.632645 Terminal=1 Type=kvar ON=150 OFF=-200',
];

/** The kvar into Line.632645 at its terminal 1 (what the kvar-type control reads). */
function sampleKvar(sys: UnbalancedSystem): number {
  const owner = sys.owner('line', '632645')!;
  const { re, im } = sys.elementCurrents(owner);
  let q = 0;
  const nc = owner.stamp.idx.length / 2;
  for (let k = 0; k < nc; k++) {
    const g = owner.stamp.idx[k];
    if (g < 0) continue;
    q += sys.vIm[g] * re[k] - sys.vRe[g] * im[k];
  }
  return q / 1000;
}

describe('control sampling under a perturbation', () => {
  it('is the same whether only controlNodes or every node is moved', () => {
    const out = importUnbalanced(master, reader, { extraLines });
    if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
    const net = out.network;
    expect(net.capControls.length).toBe(2);
    const sys = new UnbalancedSystem(net);
    sys.setBases();
    setPeriodInjections(net, sys, null, 'daily');
    // A loose solve: its last step is large enough for the scales below to change decisions.
    expect(sys.solve({ tolerance: 1e-3 })).toBeGreaterThan(0);
    // Each capacitor control just past its OFF setting, so a small move flips it.
    const ccv = net.capControls.find((c) => c.name === 'ccv')!;
    const [vr, vi] = sys.v('692', 1);
    const vOff = Math.hypot(vr, vi) / ccv.ptratio - 1e-6;
    Object.assign(ccv, { offSetting: vOff, onSetting: vOff - 1 });
    const cck = net.capControls.find((c) => c.name === 'cck')!;
    const kvar = sampleKvar(sys);
    Object.assign(cck, { offSetting: kvar + 1e-6, onSetting: kvar + 1 + 1e-6 });
    const nodes = controlNodes(net, sys);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.length).toBeLessThan(sys.nodes.count);
    const keys = () =>
      sampleControls(net, sys)
        .map((a) => a.key)
        .sort()
        .join('|');
    const at0 = keys();
    expect(at0).toContain('capcontrol.ccv off');
    expect(at0).toContain('capcontrol.cck off');
    const changed = new Set<string>();
    for (const s of [-1e5, -1e3, -20, 20, 1e3, 1e5]) {
      const subset = sys.withPerturbation(s, keys, nodes);
      const all = sys.withPerturbation(s, keys);
      expect(subset, `scale ${s}`).toBe(all);
      // Which controls' decisions the move changed.
      const before = new Set(at0.split('|')),
        after = new Set(all.split('|'));
      for (const k of [...before, ...after]) if (before.has(k) !== after.has(k)) changed.add(k.split(' ')[0]);
      // Restored exactly.
      expect(keys()).toBe(at0);
    }
    // The perturbations did reach the decisions of regulators and of both capacitor controls.
    expect([...changed].some((c) => c.startsWith('regcontrol.'))).toBe(true);
    expect(changed.has('capcontrol.ccv')).toBe(true);
    expect(changed.has('capcontrol.cck')).toBe(true);
  });
});
