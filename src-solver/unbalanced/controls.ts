/**
 * Regulator and capacitor controls in OpenDSS's static control mode.
 *
 * After a converged power flow every control samples the solution:
 * - RegControl: the controlled winding's voltage at the PT phase over `ptratio`, plus the
 *   line-drop compensator (R + jX)·I/CTprim with I the winding's phase current into the
 *   terminal; outside vreg ± band/2 it wants round((vreg − V)·ptratio / Vbase / step) steps.
 * - CapControl: kvar, voltage or current at the monitored element's terminal against its ON/OFF
 *   settings (kvar with the voltage override Vmin/Vmax).
 * Of the controls wanting to act, those with the shortest delay act (OpenDSS's "nearest actions"
 * with time frozen); a regulator moves 70 % of the way but at least one step and at most
 * maxtapchange steps, clamped to its tap range. The caller re-solves and samples again until no
 * control wants to act.
 */
import type { UNetwork, UTransformer } from './model';
import type { StampOwner, UnbalancedSystem } from './powerflow';
import { windingConductors, windingVbase } from './ybuild';

const nameMaps = new WeakMap<readonly { readonly name: string }[], Map<string, unknown>>();

/** The first element of a model list with that name (a map cached per list, rebuilt on a miss). */
function byName<T extends { readonly name: string }>(list: readonly T[], name: string): T | undefined {
  let m = nameMaps.get(list) as Map<string, T> | undefined;
  let hit = m?.get(name);
  if (hit === undefined) {
    m = new Map();
    for (const e of list) if (!m.has(e.name)) m.set(e.name, e);
    nameMaps.set(list, m);
    hit = m.get(name);
  }
  return hit;
}

export function tapIncrement(xf: UTransformer, w: number): number {
  const wd = xf.windings[w];
  return wd.numTaps > 0 ? (wd.maxTap - wd.minTap) / wd.numTaps : 0;
}

/** Each RegControl's present tap position, in steps from the middle of the range (OpenDSS's TapNum). */
export function regulatorSteps(net: UNetwork): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rc of net.regControls) {
    const xf = net.transformers.find((t) => t.name === rc.transformer);
    if (!xf) continue;
    const w = xf.windings[rc.tapWinding - 1];
    const inc = tapIncrement(xf, rc.tapWinding - 1);
    const step = inc > 0 ? Math.round((w.tap - (w.maxTap + w.minTap) / 2) / inc) : 0;
    out[rc.name] = step === 0 ? 0 : step; // no −0 in the JSON
  }
  return out;
}

export interface ControlAction {
  readonly delay: number;
  /** What the action does (`regcontrol.<name> ±steps`, `capcontrol.<name> on|off`): equal keys, equal action. */
  readonly key: string;
  /** The control (`regcontrol.<name>`, `capcontrol.<name>`). */
  readonly control: string;
  /** Static mode's action: a regulator's 70 % (at least one, at most maxtapchange) steps, a capacitor's switch. */
  readonly apply: () => void;
  /** Regulators: the whole change wanted, in steps (signed), and one step toward it (time mode). */
  readonly tap?: { readonly steps: number; readonly tapDelay: number; readonly stepOnce: () => void };
}

/**
 * OpenDSS's time control mode (`Set ControlMode=Time`; Solution.pas TIMEDRIVEN, ControlQueue
 * DoActions, RegControl/CapControl Sample and DoPendingAction): a control that wants to act at a
 * sample is armed with an action due `delay` seconds later; each control round executes the
 * actions due by now. A regulator's action moves one tap toward what it wants at that moment and,
 * while more is wanted, re-arms `tapDelay` later; a capacitor switches. A control whose quantity is
 * back inside its band (or settings) at a sample is disarmed. Time and the armed actions carry
 * over from period to period (one hour per period): with the default delays (15 s, 2 s) a
 * regulator out of band in hour h moves one step at the start of hour h + 1, and in a snapshot
 * (time 0, nothing due yet) nothing moves. Not modelled: a capacitor's dead time before
 * reclosing, inverse-time regulator delays.
 */
export class TimeControls {
  /** Simulation time, seconds. */
  private t = 0;
  private readonly queue: { due: number; control: string }[] = [];
  /** Armed controls → the action their latest sample wants (regulators: remaining steps). */
  private readonly armed = new Map<string, { action: ControlAction; remaining: number }>();

  /** Moves time on (one period). */
  advance(seconds: number): void {
    this.t += seconds;
  }

  /** One control round after a converged solve: sample, arm or disarm, do the actions due. True when one acted. */
  round(net: UNetwork, sys: UnbalancedSystem): boolean {
    const wanted = new Map(sampleControls(net, sys).map((a) => [a.control, a]));
    for (const name of [...this.armed.keys()]) {
      if (wanted.has(name)) continue;
      this.armed.delete(name);
      const k = this.queue.findIndex((q) => q.control === name);
      if (k >= 0) this.queue.splice(k, 1);
    }
    for (const [name, action] of wanted) {
      const prior = this.armed.get(name);
      const remaining = action.tap ? Math.abs(action.tap.steps) : 1;
      if (prior) {
        prior.action = action;
        prior.remaining = remaining;
        continue;
      }
      this.armed.set(name, { action, remaining });
      this.queue.push({ due: this.t + action.delay, control: name });
    }
    let acted = false;
    for (;;) {
      let k = -1;
      for (let i = 0; i < this.queue.length; i++)
        if (this.queue[i].due <= this.t && (k < 0 || this.queue[i].due < this.queue[k].due)) k = i;
      if (k < 0) break;
      const { control } = this.queue.splice(k, 1)[0];
      const entry = this.armed.get(control);
      if (!entry) continue;
      acted = true;
      const tap = entry.action.tap;
      if (!tap) {
        entry.action.apply();
        this.armed.delete(control);
        continue;
      }
      tap.stepOnce();
      entry.remaining--;
      if (entry.remaining > 0) this.queue.push({ due: this.t + tap.tapDelay, control });
      else this.armed.delete(control);
    }
    return acted;
  }
}

/** One round of control actions; true when something changed (the caller solves again). */
export function applyControls(net: UNetwork, sys: UnbalancedSystem): boolean {
  return applyNearest(sampleControls(net, sys));
}

/** Applies the actions with the shortest delay (OpenDSS's static mode); false when there are none. */
export function applyNearest(actions: readonly ControlAction[]): boolean {
  if (actions.length === 0) return false;
  const first = Math.min(...actions.map((a) => a.delay));
  for (const a of actions) if (a.delay === first) a.apply();
  return true;
}

/**
 * The nodes `sampleControls` reads (sorted, once each): the terminals of every element a control
 * monitors — regulators' transformers, capacitor controls' elements — so a caller can move just
 * those to see what the controls would do at nearby voltages.
 */
export function controlNodes(net: UNetwork, sys: UnbalancedSystem): Int32Array {
  const nodes = new Set<number>();
  const add = (o: StampOwner | undefined) => {
    if (o) for (const g of o.stamp.idx) if (g >= 0) nodes.add(g);
  };
  for (const rc of net.regControls) add(sys.owner('transformer', rc.transformer));
  for (const cc of net.capControls) {
    const [cls, name] = [cc.element.split('.')[0], cc.element.split('.').slice(1).join('.')];
    add(sys.owner(cls as StampOwner['kind'], name));
  }
  return Int32Array.from([...nodes].sort((a, b) => a - b));
}

/** What every control wants to do at the present solution (nothing is changed). */
export function sampleControls(net: UNetwork, sys: UnbalancedSystem): ControlAction[] {
  const actions: ControlAction[] = [];
  for (const rc of net.regControls) {
    if (!rc.enabled || rc.maxTapChange === 0) continue;
    const xf = byName(net.transformers, rc.transformer);
    const owner = sys.owner('transformer', rc.transformer);
    if (!xf || !owner) continue;
    const w = rc.winding - 1;
    const p = Math.min(rc.ptphase, xf.phases) - 1;
    const [ca, cb] = windingConductors(xf, w, p);
    const node = (k: number): [number, number] => {
      const g = owner.stamp.idx[k];
      return g >= 0 ? [sys.vRe[g], sys.vIm[g]] : [0, 0];
    };
    const [ar, ai] = node(ca);
    const [br, bi] = node(cb);
    let vr = (ar - br) / rc.ptratio;
    let vi = (ai - bi) / rc.ptratio;
    if (rc.r !== 0 || rc.x !== 0) {
      const { re, im } = sys.elementCurrents(owner);
      const k = w * (xf.phases + 1) + p;
      const ir = re[k] / rc.ctprim,
        ii = im[k] / rc.ctprim;
      vr += rc.r * ir - rc.x * ii;
      vi += rc.r * ii + rc.x * ir;
    }
    const vact = Math.hypot(vr, vi);
    if (Math.abs(rc.vreg - vact) <= rc.band / 2) continue;
    const tw = rc.tapWinding - 1;
    const inc = tapIncrement(xf, tw);
    if (inc <= 0) continue;
    const boost = ((rc.vreg - vact) * rc.ptratio) / windingVbase(xf, w);
    let pending = Math.round(boost / inc) * inc;
    if (tw !== w) pending = -pending;
    if (pending === 0) continue;
    const wd = xf.windings[tw];
    if ((pending > 0 && !(wd.tap < wd.maxTap)) || (pending < 0 && !(wd.tap > wd.minTap))) continue;
    let steps = Math.trunc((0.7 * Math.abs(pending)) / inc + 1e-9);
    if (steps === 0) steps = 1;
    if (steps > rc.maxTapChange) steps = rc.maxTapChange;
    const move = (n: number) => {
      const next = wd.tap + Math.sign(pending) * n * inc;
      wd.tap = Math.min(wd.maxTap, Math.max(wd.minTap, next));
      sys.updateTransformer(xf);
    };
    actions.push({
      delay: rc.delay,
      key: `regcontrol.${rc.name} ${Math.sign(pending) * steps}`,
      control: `regcontrol.${rc.name}`,
      apply: () => move(steps),
      tap: { steps: Math.round(pending / inc), tapDelay: rc.tapDelay ?? 2, stepOnce: () => move(1) },
    });
  }
  for (const cc of net.capControls) {
    if (!cc.enabled || cc.type === 'pf' || cc.type === 'time') continue;
    const cap = byName(net.capacitors, cc.capacitor);
    const [cls, name] = [cc.element.split('.')[0], cc.element.split('.').slice(1).join('.')];
    const owner = sys.owner(cls as StampOwner['kind'], name);
    if (!cap || !owner) continue;
    const { re, im } = sys.elementCurrents(owner);
    const nTerm = cls === 'transformer' ? byName(net.transformers, name)!.windings.length : 2;
    const nc = owner.stamp.idx.length / nTerm;
    const base = (cc.terminal - 1) * nc;
    const volt = (k: number): [number, number] => {
      const g = owner.stamp.idx[base + k];
      return g >= 0 ? [sys.vRe[g], sys.vIm[g]] : [0, 0];
    };
    const on = cap.states.some((s) => s === 1);
    let wantOn = false,
      wantOff = false;
    const [pvr, pvi] = volt(Math.max(0, Math.min(nc, cc.ptPhase) - 1));
    const vpt = Math.hypot(pvr, pvi) / cc.ptratio;
    if (cc.type === 'kvar') {
      let q = 0;
      for (let k = 0; k < nc; k++) {
        const [vr, vi] = volt(k);
        q += vi * re[base + k] - vr * im[base + k];
      }
      q /= 1000;
      if (q > cc.onSetting) wantOn = true;
      else if (q < cc.offSetting) wantOff = true;
      if (cc.voltOverride) {
        if (vpt < cc.vmin) wantOn = true;
        if (vpt > cc.vmax) wantOff = true;
      }
    } else if (cc.type === 'voltage') {
      if (vpt < cc.onSetting) wantOn = true;
      else if (vpt > cc.offSetting) wantOff = true;
    } else if (cc.type === 'current') {
      const k = Math.max(0, Math.min(nc, cc.ctPhase) - 1);
      const amps = Math.hypot(re[base + k], im[base + k]) / cc.ctratio;
      if (amps > cc.onSetting) wantOn = true;
      else if (amps < cc.offSetting) wantOff = true;
    }
    if (wantOn && !on) {
      actions.push({
        delay: cc.delay,
        key: `capcontrol.${cc.name} on`,
        control: `capcontrol.${cc.name}`,
        apply: () => {
          cap.states = cap.states.map(() => 1);
          sys.updateCapacitor(cap.name);
        },
      });
    } else if (wantOff && on) {
      actions.push({
        delay: cc.delayOff,
        key: `capcontrol.${cc.name} off`,
        control: `capcontrol.${cc.name}`,
        apply: () => {
          cap.states = cap.states.map(() => 0);
          sys.updateCapacitor(cap.name);
        },
      });
    }
  }
  return actions;
}
