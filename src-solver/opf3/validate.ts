/**
 * Validation of a three-phase OPF solution by the independent three-phase power flow
 * (src-solver/unbalanced, OpenDSS's fixed-point current injection): the network with the OPF's
 * set points — every PV and battery phase as a constant-power element at its dispatched power —
 * is solved per period, and every node voltage compared with the OPF's (line-to-line on buses of
 * ungrounded islands, whose node-to-ground voltages only anti-float admittances fix)
 * (docs/spec/unbalanced-opf.md "Start point and validation"; ≤ 1e-6 pu asked).
 */
import type { ULoad, UNetwork } from '../unbalanced/model';
import { UnbalancedSystem } from '../unbalanced/powerflow';
import { setPeriodInjections } from '../unbalanced/solve';
import { sampleProfile } from '../opf/study';
import { floatingBuses, type Opf3UnitSpec } from './fromNetwork';
import type { Opf3Network } from './network';
import type { Opf3Period } from './solve';

export interface Opf3Validation {
  /** Largest |V_pf − V_opf| over nodes and periods, pu, and where. */
  readonly maxDiffPu: number;
  readonly at: string;
  /** The two values compared there, pu (line-to-line, in pu of the line-to-neutral base, on ungrounded islands): side by side. */
  readonly atOpfPu: number;
  readonly atPowerFlowPu: number;
  /** Per period: the power flow's substation kW (three-phase total). */
  readonly perPeriodMaxDiffPu: number[];
  readonly converged: boolean;
}

export function validateOpf3(
  net: UNetwork,
  opf: Opf3Network,
  periods: readonly Opf3Period[],
  units: readonly Opf3UnitSpec[],
  snapshot = false,
): Opf3Validation {
  const s = opf.study;
  let maxDiff = 0;
  let at = '';
  let atOpfPu = Number.NaN;
  let atPowerFlowPu = Number.NaN;
  let converged = true;
  const perPeriod: number[] = [];
  const pvSpecs = units.filter((u) => u.kind === 'pv');
  const batSpecs = units.filter((u) => u.kind === 'battery');
  const floating = floatingBuses(net);
  // next phase node (1→2→3→1) on the same bus, for the line-to-line comparison
  const nextPhase = new Int32Array(opf.nFree).fill(-1);
  for (let i = 0; i < opf.nFree; i++) {
    if (!floating.has(opf.nodeBus[i]!) || opf.nodePhase[i]! > 3) continue;
    for (const step of [1, 2]) {
      const want = ((opf.nodePhase[i]! - 1 + step) % 3) + 1;
      const j = opf.nodeBus.findIndex((b, k) => k < opf.nFree && b === opf.nodeBus[i] && opf.nodePhase[k] === want);
      if (j >= 0) {
        nextPhase[i] = j;
        break;
      }
    }
  }
  periods.forEach((p, t) => {
    // The units as the OPF has them: constant-power elements at any voltage — OpenDSS loads of
    // model 1 with status=fixed and Vminpu 0.5 / Vmaxpu 2 (as the export writes them), not
    // generators, which the power flow (as OpenDSS) turns into a constant impedance above 1.1 pu.
    const unitLoads: ULoad[] = [];
    const add = (u: Opf3UnitSpec, kwTotal: number, kvarTotal: number): void => {
      const kvLn = net.buses.get(u.bus.toLowerCase())!.kvBaseLN;
      const load = (name: string, nodes: number[], conn: 'wye' | 'delta', kv: number, share: number): ULoad => ({
        name,
        bus: { bus: u.bus.toLowerCase(), nodes },
        phases: 1,
        conn,
        kv,
        kw: -kwTotal * share,
        kvar: -kvarTotal * share,
        model: 1,
        vminpu: 0.5,
        vmaxpu: 2,
        vlowpu: 0.1,
        cvrWatts: 1,
        cvrVars: 2,
        zipv: null,
        fixed: true,
        daily: null,
        yearly: null,
        duty: null,
        at: { file: 'opf3', line: 0 },
      });
      // a line-to-line unit: one element between its two phases
      if (u.connection === 'delta') unitLoads.push(load(u.name, [...u.phases], 'delta', kvLn * Math.sqrt(3), 1));
      else
        for (const ph of u.phases) unitLoads.push(load(`${u.name}.${ph}`, [ph, 0], 'wye', kvLn, 1 / u.phases.length));
    };
    pvSpecs.forEach((u, k) => add(u, opf.pv[k]!.pPu[t]! * opf.baseKva, p.pvKvar[k]!));
    batSpecs.forEach((u, k) => add(u, p.batteryDischargeKw[k]! - p.batteryChargeKw[k]!, p.batteryKvar[k]!));
    const netT: UNetwork = { ...net, loads: [...net.loads, ...unitLoads] };
    const sys = new UnbalancedSystem(netT);
    sys.setBases();
    setPeriodInjections(netT, sys, snapshot ? null : opf.hourOfPeriod[t]! + 1, 'daily');
    if (s.loadProfile) {
      const m = sampleProfile(s.loadProfile, opf.hourOfPeriod[t]!);
      net.loads.forEach((l, k) => {
        if (!l.fixed) sys.setInjection(k, l.kw * net.loadMult * m, l.kvar * net.loadMult * m);
      });
    }
    if (sys.solve() < 0) converged = false;
    let worst = 0;
    const opfRe = (i: number): number => p.vPu[i]! * Math.cos((p.angleDeg[i]! * Math.PI) / 180);
    const opfIm = (i: number): number => p.vPu[i]! * Math.sin((p.angleDeg[i]! * Math.PI) / 180);
    for (let i = 0; i < opf.nFree; i++) {
      let pfV: number;
      let opfV: number;
      if (floating.has(opf.nodeBus[i]!)) {
        // node-to-ground voltages of an ungrounded island are not physical: compare the voltage
        // from this node to the bus's next phase node (line-to-line), in pu of the LN base
        const j = nextPhase[i]!;
        if (j < 0) continue;
        pfV = Math.hypot(
          sys.vRe[i]! / sys.vbase[i]! - sys.vRe[j]! / sys.vbase[j]!,
          sys.vIm[i]! / sys.vbase[i]! - sys.vIm[j]! / sys.vbase[j]!,
        );
        opfV = Math.hypot(opfRe(i) - opfRe(j), opfIm(i) - opfIm(j));
      } else {
        pfV = Math.hypot(sys.vRe[i]!, sys.vIm[i]!) / sys.vbase[i]!;
        opfV = p.vPu[i]!;
      }
      const d = Math.abs(pfV - opfV);
      if (d > worst) worst = d;
      if (d > maxDiff || at === '') {
        atOpfPu = opfV;
        atPowerFlowPu = pfV;
        maxDiff = d;
        at = `${opf.nodeBus[i]}.${opf.nodePhase[i]} (hour ${opf.hourOfPeriod[t]})`;
      }
    }
    perPeriod.push(worst);
  });
  return { maxDiffPu: maxDiff, at, atOpfPu, atPowerFlowPu, perPeriodMaxDiffPu: perPeriod, converged };
}
