/**
 * `tessera solve <project> --distributed [--areas FILE | --auto-areas K]` — the spatially
 * distributed OPF (src-solver/enapp/distributed.ts): one Node child process per area, per-round
 * convergence printed as it happens, then the side-by-side comparison with the centralized solve
 * of the same study (solved here too, in this process). With `--json`, the merged result in the
 * centralized solve's JSON shape plus a "distributed" object. Ctrl-C cancels: every area process
 * is stopped before exit. Exit status: 0 converged, 1 not converged / failed / cancelled. What the
 * three-phase feeder's run (distributed-solve3.ts) shares with it is in distributed-common.ts.
 */
import { nodeAreaTransport } from '../backend/jobs/node-area-transport';
import { solveDistributed, type Coordination } from '../../src-solver/enapp/distributed';
import { checkPartition, suggestPartition } from '../../src-solver/enapp/partition';
import type { Feeder } from '../../src-solver/model/feeder';
import { resultsToJson } from '../../src-solver/opf/results';
import { solveOpf } from '../../src-solver/opf/solve';
import type { Study } from '../../src-solver/opf/study';
import {
  chooseCuts,
  coordinate,
  cutList,
  distributedJson,
  e2,
  finishDistributed,
  sayComparison,
  sayOutcome,
  type AreaKindCli,
  type CutsOptions,
} from './distributed-common';
import { CliError, type CliIo } from './types';

export { parseCutsFile } from './distributed-common';

export interface DistributedCliOptions extends CutsOptions {
  readonly tolerancePu?: number;
  readonly maxRounds?: number;
  /** Write JSON to this file ("-" = stdout). */
  readonly json?: string;
  /** Default 'exact' (see enapp/distributed.ts Coordination). */
  readonly coordination?: Coordination;
}

/** Balanced areas exchange v, P and Q at each boundary bus. */
const BALANCED: AreaKindCli = {
  roundHeader: '   ΔV pu      ΔP pu      ΔQ pu   ',
  roundColumns: (r) => `  ${e2(r.maxChangeVPu)}  ${e2(r.maxChangePPu)}  ${e2(r.maxChangeQPu)}`,
  residuals: (r) => ({ vPu: r.maxChangeVPu, pPu: r.maxChangePPu, qPu: r.maxChangeQPu }),
};

export async function runDistributedSolve(
  feeder: Feeder,
  study: Study,
  o: DistributedCliOptions,
  io: CliIo,
): Promise<number> {
  const periods = study.periods ?? 24;
  const { cuts, how } = chooseCuts(o, io, (k) => suggestPartition(feeder, k, periods).cuts);
  const check = checkPartition(feeder, cuts, periods);
  if (!check.ok) throw new CliError(`invalid areas: ${check.errors.join('; ')}`);

  const quiet = o.json === '-';
  const say = (text: string): void => {
    if (!quiet) io.stdout(text);
  };
  const coordination = o.coordination ?? 'exact';
  say(
    `\n${feeder.name}: distributed OPF (${coordination} coordination), ${cuts.length + 1} areas (${how}: cuts ${cutList(cuts)}), T = ${periods}\n`,
  );

  const t0 = performance.now();
  const central = solveOpf(feeder, study, {}, { now: () => performance.now() });
  const centralSeconds = (performance.now() - t0) / 1000;
  say(
    `  centralized: ${central.results.status}, ${central.results.solver.iterations} iterations, ${centralSeconds.toFixed(2)} s\n`,
  );

  const out = await coordinate(BALANCED, say, io, (hooks) =>
    solveDistributed(
      feeder,
      study,
      cuts,
      nodeAreaTransport(),
      {
        centralized: central.results,
        coordination,
        ...(o.tolerancePu !== undefined ? { tolerancePu: o.tolerancePu } : {}),
        ...(o.maxRounds !== undefined ? { maxRounds: o.maxRounds } : {}),
      },
      hooks,
    ),
  );
  const { enapp } = out;
  sayOutcome(enapp, coordination, say, { dampingFromRound: enapp.dampingFromRound });
  if (out.comparison) sayComparison(out.comparison, say);
  const doc = {
    ...(out.results ? resultsToJson(out.results) : { status: enapp.status, message: enapp.message }),
    distributed: distributedJson(
      enapp,
      BALANCED,
      {
        coordination,
        areas: out.plan.areas.map((a) => ({
          id: a.id,
          name: a.name,
          parent: a.parent,
          rootBus: out.plan.check.areas.find((x) => x.id === a.id)!.rootBus,
          buses: out.plan.check.areas.find((x) => x.id === a.id)!.buses.length,
        })),
        cuts,
        centralizedSeconds: centralSeconds,
        comparison: out.comparison,
      },
      {
        boundaries: enapp.boundaries.map((b, i) => ({
          bus: out.plan.boundaries[i]!.bus,
          vPu: b.vSqPu.map(Math.sqrt),
          pPu: b.pPu,
          qPu: b.qPu,
        })),
        dampingFromRound: enapp.dampingFromRound,
      },
    ),
  };
  return finishDistributed(doc, o.json, enapp, io, say);
}
