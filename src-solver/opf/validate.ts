/**
 * Validation by power flow (spec "Validation by power flow"): the OPF's control set points —
 * PV reactive power q_D, battery net output Pd − Pc and reactive power qB — are fed to the
 * independent exact AC power flow of the same feeder (src-solver/pf), and the OPF's voltages,
 * losses and substation power are compared with the power flow's, period by period. With the
 * exact branch-flow model (4) both solve the same physics, so they agree to the solver tolerance;
 * with the relaxation they differ where the relaxation is not exact. The power flow's branch
 * currents and flows are kept (`branches`): a run's branch loading is read from them.
 */
import type { Feeder } from '../model/feeder';
import { solvePowerFlow, type PfInjection, type PowerFlowStudy } from '../pf/powerflow';
import type { AreaOptions, OpfNetwork } from './network';
import type { OpfResults, OpfValidation } from './results';
import { sampleProfile } from './study';

export function validateWithPowerFlow(
  feeder: Feeder,
  net: OpfNetwork,
  r: OpfResults,
  area: AreaOptions = {},
): OpfValidation {
  const s = net.study;
  const T = net.periods;
  const base = net.baseKva;
  const hours = Array.from(net.hourOfPeriod);
  const injections: PfInjection[] = (area.extraLoadsPu ?? []).map((el) => ({
    bus: el.bus,
    pKw: el.p.slice(0, T).map((p) => -p * base),
    qKvar: el.q.slice(0, T).map((q) => -q * base),
  }));
  const study: PowerFlowStudy = {
    periods: T,
    dtH: s.dtH,
    startHour: s.startHour,
    ...(s.loadProfile ? { loadScale: hours.map((h) => sampleProfile(s.loadProfile!, h)) } : {}),
    ...(s.pvProfile ? { pvScale: hours.map((h) => sampleProfile(s.pvProfile!, h)) } : {}),
    dispatch: {
      pvKvar: r.periods.map((p) => Array.from(p.pvKvar)),
      batteryKw: r.periods.map((p) => Array.from(p.batteryDischargeKw, (d, k) => d - p.batteryChargeKw[k]!)),
      batteryKvar: r.periods.map((p) => Array.from(p.batteryKvar)),
    },
    ...(injections.length ? { injections } : {}),
    vSourcePu: Array.from(net.vRootSqPu, (v) => Math.sqrt(v)),
  };
  let pf;
  try {
    pf = solvePowerFlow(feeder, study);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      maxVoltageDiffPu: NaN,
      maxLossDiffPu: NaN,
      maxSubstationDiffPu: NaN,
      periods: [],
      error: `power flow failed: ${message}`,
    };
  }
  const pfBus = new Map(pf.busNames.map((n, i) => [n, i]));
  const busMap = net.busNames.map((n) => pfBus.get(n)!);
  let maxV = 0;
  let maxLoss = 0;
  let maxSub = 0;
  const periods = r.periods.map((p, t) => {
    const q = pf.periods[t]!;
    for (let b = 0; b < net.nBus; b++) maxV = Math.max(maxV, Math.abs(p.vPu[b]! - q.vPu[busMap[b]!]!));
    maxLoss = Math.max(maxLoss, Math.abs(p.lossKw - q.lossKw) / base);
    maxSub = Math.max(
      maxSub,
      Math.abs(p.substationKw - q.substationKw) / base,
      Math.abs(p.substationKvar - q.substationKvar) / base,
    );
    return {
      lossKwOpf: p.lossKw,
      lossKwPf: q.lossKw,
      substationKwOpf: p.substationKw,
      substationKwPf: q.substationKw,
      substationKvarOpf: p.substationKvar,
      substationKvarPf: q.substationKvar,
    };
  });
  const branches = {
    names: pf.branchNames,
    upstreamBus: pf.branchUpstreamBus,
    currentA: pf.periods.map((q) => q.branchIA),
    pKw: pf.periods.map((q) => q.branchPKw),
    qKvar: pf.periods.map((q) => q.branchQKvar),
  };
  return { maxVoltageDiffPu: maxV, maxLossDiffPu: maxLoss, maxSubstationDiffPu: maxSub, periods, branches };
}
