/**
 * Validation of a three-phase OPF solution by the independent three-phase power flow
 * (src-solver/unbalanced, OpenDSS's fixed-point current injection): the network with the OPF's
 * set points — every PV and battery phase as a constant-P/Q generator at its dispatched power —
 * is solved per period, and every node voltage compared with the OPF's
 * (docs/spec/unbalanced-opf.md "Start point and validation"; ≤ 1e-6 pu asked).
 */
import type { UGenerator, UNetwork } from '../unbalanced/model';
import { UnbalancedSystem } from '../unbalanced/powerflow';
import { setPeriodInjections } from '../unbalanced/solve';
import { sampleProfile } from '../opf/study';
import type { Opf3UnitSpec } from './fromNetwork';
import type { Opf3Network } from './network';
import type { Opf3Period } from './solve';

export interface Opf3Validation {
  /** Largest |V_pf − V_opf| over nodes and periods, pu, and where. */
  readonly maxDiffPu: number;
  readonly at: string;
  /** Per period: the power flow's substation kW (three-phase total). */
  readonly perPeriodMaxDiffPu: number[];
  readonly converged: boolean;
}

export function validateOpf3(net: UNetwork, opf: Opf3Network, periods: readonly Opf3Period[], units: readonly Opf3UnitSpec[], snapshot = false): Opf3Validation {
  const s = opf.study;
  let maxDiff = 0;
  let at = '';
  let converged = true;
  const perPeriod: number[] = [];
  const pvSpecs = units.filter((u) => u.kind === 'pv');
  const batSpecs = units.filter((u) => u.kind === 'battery');
  periods.forEach((p, t) => {
    const gens: UGenerator[] = [];
    const add = (u: Opf3UnitSpec, kind: UGenerator['kind'], kwTotal: number, kvarTotal: number): void => {
      const kvLn = net.buses.get(u.bus.toLowerCase())!.kvBaseLN;
      for (const ph of u.phases) {
        gens.push({
          kind,
          name: `${u.name}.${ph}`,
          bus: { bus: u.bus.toLowerCase(), nodes: [ph, 0] },
          phases: 1,
          conn: 'wye',
          kv: kvLn,
          kw: kwTotal / u.phases.length,
          kvar: kvarTotal / u.phases.length,
          daily: null,
          yearly: null,
          duty: null,
          at: { file: 'opf3', line: 0 },
        });
      }
    };
    pvSpecs.forEach((u, k) => add(u, 'pvsystem', opf.pv[k]!.pPu[t]! * opf.baseKva, p.pvKvar[k]!));
    batSpecs.forEach((u, k) => add(u, 'storage', p.batteryDischargeKw[k]! - p.batteryChargeKw[k]!, p.batteryKvar[k]!));
    const netT: UNetwork = { ...net, generators: [...net.generators, ...gens] };
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
    for (let i = 0; i < opf.nFree; i++) {
      const v = Math.hypot(sys.vRe[i]!, sys.vIm[i]!) / sys.vbase[i]!;
      const d = Math.abs(v - p.vPu[i]!);
      if (d > worst) worst = d;
      if (d > maxDiff) {
        maxDiff = d;
        at = `${opf.nodeBus[i]}.${opf.nodePhase[i]} (hour ${opf.hourOfPeriod[t]})`;
      }
    }
    perPeriod.push(worst);
  });
  return { maxDiffPu: maxDiff, at, perPeriodMaxDiffPu: perPeriod, converged };
}
