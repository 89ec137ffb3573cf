/**
 * `tessera solve <three-phase feeder> --distributed --areas FILE` — the distributed three-phase
 * OPF with per-phase boundary values (src-solver/enapp/distributed3.ts): one Node child process
 * per area, per-round convergence printed as it happens, then the side-by-side comparison with the
 * centralized three-phase OPF of the same network (solved here too, in this process) and the
 * validation of the merged dispatch by the three-phase power flow. With `--json`, the three-phase
 * solve's JSON shape plus a "distributed" object as the balanced feeder's. Ctrl-C cancels: every
 * area process is stopped before exit. Exit status: 0 converged, 1 not converged / failed /
 * cancelled. `--auto-areas` is refused for three-phase feeders (no suggestion yet).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeAreaTransport } from '../backend/jobs/node-area-transport';
import type { Clock, RoundRecord } from '../../src-solver/enapp/coordinator';
import { PartitionError, type Coordination } from '../../src-solver/enapp/distributed';
import { solveDistributed3 } from '../../src-solver/enapp/distributed3';
import { checkPartition3 } from '../../src-solver/enapp/partition3';
import type { CutBranch } from '../../src-solver/enapp/partition';
import type { Study } from '../../src-solver/opf/study';
import { looseRegions, opf3FromNetwork, type Opf3UnitSpec } from '../../src-solver/opf3/fromNetwork';
import type { Opf3LimitOptions } from '../../src-solver/opf3/limits';
import { solveOpf3 } from '../../src-solver/opf3/solve';
import type { UNetwork } from '../../src-solver/unbalanced/model';
import { parseCutsFile } from './distributed-solve';
import { periodJson, unitsJson } from './solve3';
import { CliError, type CliIo } from './types';

export interface ThreePhaseDistributedOptions {
  /** File of cuts (distributed-solve.ts parseCutsFile). */
  readonly areas?: string;
  readonly autoAreas?: number;
  readonly tolerancePu?: number;
  readonly maxRounds?: number;
  readonly coordination?: Coordination;
}

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
const e2 = (v: number): string => v.toExponential(2);

export async function runThreePhaseDistributed(
  unet: UNetwork,
  study: Study,
  units: readonly Opf3UnitSpec[],
  limits: Opf3LimitOptions,
  o: ThreePhaseDistributedOptions,
  out: { readonly json?: string; readonly pvShape: string },
  io: CliIo,
): Promise<number> {
  if (o.autoAreas !== undefined)
    throw new CliError(
      '--auto-areas is not available for a three-phase feeder yet: give its cuts with --areas FILE (lines parent bus first, e.g. 632,670)',
    );
  if (o.areas === undefined)
    throw new CliError('--distributed needs areas: --areas FILE (cuts at lines, parent bus first)');
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, o.areas), 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${o.areas}: ${(e as Error).message}`);
  }
  const cuts: CutBranch[] = parseCutsFile(text, o.areas);
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
    `\n${unet.name}: distributed three-phase OPF (${coordination} coordination, per-phase boundary values), ${cuts.length + 1} areas (cuts ${cuts.map((c) => `${c.from}–${c.to}`).join(', ')}), T = ${T}\n`,
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

  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  say('  round  max change pu   |ΔV| pu    |ΔI| pu   price rel  ω    wall s  area CPU s (iterations)\n');
  let res;
  try {
    res = await solveDistributed3(
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
      {
        clock,
        signal: controller.signal,
        onRound: (r: RoundRecord) =>
          say(
            `  ${String(r.round).padStart(5)}  ${e2(r.maxChangePu).padStart(13)}  ${e2(r.maxChangeVPu)}  ${e2(r.maxChangeSPu ?? 0)}  ${e2(r.maxChangePriceRel)}  ${r.omega.toFixed(1)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ${r.areaCpuSeconds.map((s, i) => `${s.toFixed(2)} (${r.areaIterations[i]})`).join(', ')}\n`,
          ),
        onAreaEvent: (area, event, detail) =>
          event === 'restarted' && io.stderr(`tessera solve: area ${area} restarted: ${detail}\n`),
      },
    );
  } catch (e) {
    if (e instanceof PartitionError) throw new CliError(e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const { enapp } = res;
  say(
    `  ${enapp.status}: ${enapp.message}; wall ${enapp.wallSeconds.toFixed(2)} s${enapp.criticalPathCpuSeconds !== null ? `; critical path ${enapp.criticalPathCpuSeconds.toFixed(2)} CPU s (Σ over rounds of the slowest area's CPU time; centralized ${centralCpuSeconds.toFixed(2)} CPU s)` : ''}\n`,
  );
  if (coordination === 'published')
    say('  published coordination: values only, not the centralized optimum; its difference follows\n');
  if (res.comparison) {
    say('\n  quantity            unit     centralized   distributed   rel. diff\n');
    for (const r of res.comparison.rows)
      say(
        `  ${r.quantity.padEnd(18)}  ${r.unit.padEnd(9)}${r.centralized.toFixed(3).padStart(12)}  ${r.distributed.toFixed(3).padStart(12)}  ${e2(r.relDiff).padStart(10)}\n`,
      );
    say(
      `  largest difference: ${e2(res.comparison.maxRelDiff)} (${res.comparison.maxRelDiffQuantity}); node voltages: ${e2(res.comparison.maxVoltageDiffPu)} pu at ${res.comparison.maxVoltageDiffAt}\n`,
    );
  }
  const v = res.validation;
  if (v)
    say(
      `  power-flow validation of the merged dispatch: max |ΔV| ${e2(v.maxDiffPu)} pu at ${v.at}${v.converged ? '' : ' (a period did not converge)'}\n`,
    );
  if (out.json !== undefined) {
    const view = res.periods ? { network: net, outcome: { periods: res.periods } } : null;
    const s = net.study;
    const doc = {
      status: enapp.status === 'converged' ? 'solved' : enapp.status,
      feeder: unet.name,
      phases: 3,
      objectiveKind: s.objective,
      objective: res.objective,
      study: {
        periods: s.periods,
        startHour: s.startHour,
        vMinPu: s.vMinPu,
        vMaxPu: s.vMaxPu,
        terminalSoc: s.terminalSoc,
        batteryLimit: s.batteryLimit,
        pvShape: out.pvShape,
      },
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
      distributed: {
        coordination,
        areas: check.areas.map((a) => ({ id: a.id, rootBus: a.rootBus, parent: a.parentArea, buses: a.own.length })),
        cuts,
        rounds: enapp.rounds.length,
        converged: enapp.status === 'converged',
        status: enapp.status,
        message: enapp.message,
        maxBoundaryChangePu: enapp.rounds.at(-1)?.maxChangePu ?? null,
        residualsPerRound: enapp.rounds.map((r) => ({
          round: r.round,
          maxChangePu: r.maxChangePu,
          vPu: r.maxChangeVPu,
          iPu: r.maxChangeSPu ?? null,
          priceRel: r.maxChangePriceRel,
          omega: r.omega,
        })),
        andersonRestarts: enapp.andersonRestarts,
        areaSeconds: enapp.rounds.map((r) => r.areaSeconds),
        areaCpuSeconds: enapp.rounds.map((r) => r.areaCpuSeconds),
        areaIterations: enapp.rounds.map((r) => r.areaIterations),
        criticalPathCpuSeconds: enapp.criticalPathCpuSeconds,
        restarts: enapp.restarts,
        wallSeconds: enapp.wallSeconds,
        centralizedSeconds: centralSeconds,
        centralizedCpuSeconds: centralCpuSeconds,
        centralizedObjective: central.optimal ? central.objective : null,
        comparison: res.comparison ?? null,
      },
    };
    const textOut = `${JSON.stringify(doc, null, 2)}\n`;
    if (out.json === '-') io.stdout(textOut);
    else {
      writeFileSync(resolve(io.cwd, out.json), textOut);
      say(`  wrote ${out.json}\n`);
    }
  }
  if (enapp.status !== 'converged') {
    io.stderr(`tessera solve: distributed solve ${enapp.status}: ${enapp.message}\n`);
    return 1;
  }
  return 0;
}
