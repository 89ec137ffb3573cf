/**
 * `tessera solve <three-phase feeder> --distributed [--areas FILE | --auto-areas K]` — the
 * distributed three-phase OPF with per-phase boundary values (src-solver/enapp/distributed3.ts):
 * one Node child process per area, per-round convergence printed as it happens, then the
 * side-by-side comparison with the centralized three-phase OPF of the same network (solved here
 * too, in this process) and the validation of the merged dispatch by the three-phase power flow.
 * With `--json`, the three-phase solve's JSON shape plus the "distributed" object of the balanced
 * feeder's (distributed-common.ts) with the per-phase boundary values. `--auto-areas K` suggests
 * K areas cut at lines (partition3.ts `suggestPartition3`). Ctrl-C cancels: every area process is
 * stopped before exit. Exit status: 0 converged, 1 not converged / failed / cancelled.
 */
import { nodeAreaTransport } from '../backend/jobs/node-area-transport';
import { phaseBoundaries } from '../backend/threephase/distributed';
import type { Coordination } from '../../src-solver/enapp/distributed';
import { solveDistributed3, withConsistencyRounds } from '../../src-solver/enapp/distributed3';
import { checkPartition3, suggestPartition3 } from '../../src-solver/enapp/partition3';
import type { Study } from '../../src-solver/opf/study';
import { looseRegions, opf3FromNetwork, type Opf3UnitSpec } from '../../src-solver/opf3/fromNetwork';
import type { Opf3LimitOptions } from '../../src-solver/opf3/limits';
import { solveOpf3 } from '../../src-solver/opf3/solve';
import type { UNetwork } from '../../src-solver/unbalanced/model';
import * as common from './distributed-common';
import { periodJson, studyJson, unitsJson } from './solve3';
import { CliError, type CliIo } from './types';

export interface ThreePhaseDistributedOptions extends common.CutsOptions {
  readonly tolerancePu?: number;
  readonly maxRounds?: number;
  readonly coordination?: Coordination;
}

/** Three-phase areas exchange per-phase node voltages and currents (and their prices, exact mode). */
const THREE_PHASE: common.AreaKindCli = {
  roundHeader: '   |ΔV| pu    |ΔI| pu   price rel',
  roundColumns: (r) =>
    `  ${common.e2(r.maxChangeVPu)}  ${common.e2(r.maxChangeSPu ?? 0)}  ${common.e2(r.maxChangePriceRel)}`,
  residuals: (r) => ({ vPu: r.maxChangeVPu, iPu: r.maxChangeSPu ?? null }),
};

export async function runThreePhaseDistributed(
  unet: UNetwork,
  study: Study,
  units: readonly Opf3UnitSpec[],
  limits: Opf3LimitOptions,
  o: ThreePhaseDistributedOptions,
  out: { readonly json?: string; readonly pvShape: string },
  io: CliIo,
): Promise<number> {
  const { cuts, how } = common.chooseCuts(o, io, (k) => suggestPartition3(unet, k, units).cuts);
  const check = checkPartition3(unet, cuts);
  if (!check.ok) throw new CliError(`invalid areas: ${check.errors.join('; ')}`);

  const quiet = out.json === '-';
  const say = (s: string): void => {
    if (!quiet) io.stdout(s);
  };
  const coordination = o.coordination ?? 'exact';
  // The area split cuts a Norton-source network ((U7'), opf3-split.ts); its optimum is the default
  // (U7'') form's (opf3/ieee13.test.ts), and the centralized solve beside it uses the same network.
  const net = opf3FromNetwork(unet, study, units, { limits, sourceModel: 'norton' });
  const T = net.periods;
  say(
    `\n${unet.name}: distributed three-phase OPF (${coordination} coordination, per-phase boundary values), ${cuts.length + 1} areas (${how}: cuts ${common.cutList(cuts)}), T = ${T}\n`,
  );
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const central = solveOpf3(net);
  const cpu = process.cpuUsage(cpu0);
  const centralSeconds = (performance.now() - t0) / 1000;
  const centralCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const loose = central.optimal ? looseRegions(central.model, central.nlp.x).size : 0;
  say(
    `  centralized: ${central.nlp.status}, ${central.nlp.iterations} iterations, ${centralSeconds.toFixed(2)} s (${centralCpuSeconds.toFixed(2)} CPU s)${loose > 0 ? `; ${loose} load region(s) loose (the centralized solve would hold them and solve again)` : ''}\n`,
  );

  const res = await common.coordinate(THREE_PHASE, say, io, (hooks) =>
    solveDistributed3(
      unet,
      net,
      units,
      cuts,
      nodeAreaTransport(),
      {
        coordination,
        ...(central.optimal ? { centralized: { objective: central.objective, periods: central.periods } } : {}),
        ...(o.tolerancePu !== undefined ? { tolerancePu: o.tolerancePu } : {}),
        ...(o.maxRounds !== undefined ? { maxRounds: o.maxRounds } : {}),
      },
      hooks,
    ),
  );
  const { enapp } = res;
  // the price rounds and the consistency rounds after them, reported as one list (rounds, CPU, wall)
  const all = withConsistencyRounds(res);
  common.sayOutcome(all, coordination, say, { centralizedCpuSeconds: centralCpuSeconds });
  if (res.polish)
    say(
      `  of the ${all.rounds.length} rounds, the last ${all.consistencyRounds} were consistency rounds (values only, at the last prices): ${res.polish.status}\n`,
    );
  if (res.comparison)
    common.sayComparison(
      res.comparison,
      say,
      `; node voltages: ${common.e2(res.comparison.maxVoltageDiffPu)} pu at ${res.comparison.maxVoltageDiffAt}`,
    );
  const v = res.validation;
  if (v)
    say(
      `  power-flow validation of the merged dispatch: max |ΔV| ${common.e2(v.maxDiffPu)} pu at ${v.at}${v.converged ? '' : ' (a period did not converge)'}\n`,
    );
  const view = res.periods ? { network: net, outcome: { periods: res.periods } } : null;
  const s = net.study;
  const doc = {
    status: enapp.status === 'converged' ? 'solved' : enapp.status,
    feeder: unet.name,
    phases: 3,
    objectiveKind: s.objective,
    objective: res.objective,
    study: studyJson(s, out.pvShape),
    validation: v
      ? {
          maxVoltageDiffPu: v.maxDiffPu,
          at: v.at,
          opfPu: v.atOpfPu,
          powerFlowPu: v.atPowerFlowPu,
          converged: v.converged,
          perPeriodMaxDiffPu: v.perPeriodMaxDiffPu,
        }
      : null,
    ...(view ? { periods: view.outcome.periods.map((_, t) => periodJson(view, t)), ...unitsJson(view, units) } : {}),
    distributed: common.distributedJson(
      all,
      THREE_PHASE,
      {
        coordination,
        areas: check.areas.map((a) => ({ id: a.id, rootBus: a.rootBus, parent: a.parentArea, buses: a.own.length })),
        cuts,
        centralizedSeconds: centralSeconds,
        comparison: res.comparison,
      },
      {
        boundaries: phaseBoundaries(res.plan, all),
        consistencyRounds: all.consistencyRounds,
        consistencyStatus: res.polish?.status ?? null,
        centralizedCpuSeconds: centralCpuSeconds,
        centralizedObjective: central.optimal ? central.objective : null,
      },
    ),
  };
  return common.finishDistributed(doc, out.json, enapp, io, say);
}
