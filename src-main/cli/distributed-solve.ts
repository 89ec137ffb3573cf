/**
 * `tessera solve <project> --distributed [--areas FILE | --auto-areas K]` — the spatially
 * distributed OPF (src-solver/enapp/distributed.ts): one Node child process per area, per-round
 * convergence printed as it happens, then the side-by-side comparison with the centralized solve
 * of the same study (solved here too, in this process). With `--json`, the merged result in the
 * centralized solve's JSON shape plus a "distributed" object. Ctrl-C cancels: every area process
 * is stopped before exit. Exit status: 0 converged, 1 not converged / failed / cancelled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeAreaTransport } from '../backend/jobs/node-area-transport';
import type { Clock, RoundRecord } from '../../src-solver/enapp/coordinator';
import { PartitionError, solveDistributed, type Coordination } from '../../src-solver/enapp/distributed';
import { checkPartition, suggestPartition, type CutBranch } from '../../src-solver/enapp/partition';
import type { Feeder } from '../../src-solver/model/feeder';
import { resultsToJson } from '../../src-solver/opf/results';
import { solveOpf } from '../../src-solver/opf/solve';
import type { Study } from '../../src-solver/opf/study';
import { CliError, type CliIo } from './types';

export interface DistributedCliOptions {
  /** File of cuts: CSV with columns cutFromBus,boundaryBus (the reference connections.csv) or from,to; or JSON [{from,to}]. */
  readonly areas?: string;
  /** Suggest this many areas (2..). */
  readonly autoAreas?: number;
  /** Cuts of the project, used when neither of the above is given. */
  readonly projectCuts?: readonly CutBranch[];
  readonly tolerancePu?: number;
  readonly maxRounds?: number;
  /** Write JSON to this file ("-" = stdout). */
  readonly json?: string;
  /** Default 'exact' (see enapp/distributed.ts Coordination). */
  readonly coordination?: Coordination;
}

/** Parse a cuts file (see DistributedCliOptions.areas). */
export function parseCutsFile(text: string, file: string): CutBranch[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const raw = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(raw) || raw.some((c) => typeof c?.from !== 'string' || typeof c?.to !== 'string'))
      throw new CliError(`${file}: expected a JSON list of {"from": bus, "to": bus}`);
    return raw.map((c: { from: string; to: string }) => ({ from: c.from, to: c.to }));
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',').map((h) => h.trim());
  const fromCol = header.findIndex((h) => h === 'cutFromBus' || h === 'from');
  const toCol = header.findIndex((h) => h === 'boundaryBus' || h === 'to');
  if (fromCol < 0 || toCol < 0)
    throw new CliError(`${file}:1: expected a header with cutFromBus,boundaryBus (or from,to)`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (!cells[fromCol] || !cells[toCol]) throw new CliError(`${file}:${i + 2}: missing bus name`);
    return { from: cells[fromCol]!, to: cells[toCol]! };
  });
}

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
const e2 = (v: number): string => v.toExponential(2);

export async function runDistributedSolve(
  feeder: Feeder,
  study: Study,
  o: DistributedCliOptions,
  io: CliIo,
): Promise<number> {
  const periods = study.periods ?? 24;
  let cuts: CutBranch[];
  let how: string;
  if (o.areas !== undefined && o.autoAreas !== undefined) throw new CliError('give --areas or --auto-areas, not both');
  if (o.areas !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, o.areas), 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${o.areas}: ${(e as Error).message}`);
    }
    cuts = parseCutsFile(text, o.areas);
    how = `from ${o.areas}`;
  } else if (o.autoAreas !== undefined) {
    try {
      cuts = suggestPartition(feeder, o.autoAreas, periods).cuts;
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    how = `suggested for ${o.autoAreas} areas`;
  } else if (o.projectCuts && o.projectCuts.length > 0) {
    cuts = o.projectCuts.map((c) => ({ from: c.from, to: c.to }));
    how = "the project's areas";
  } else
    throw new CliError('--distributed needs areas: --areas FILE or --auto-areas K (the feeder has none of its own)');

  const check = checkPartition(feeder, cuts, periods);
  if (!check.ok) throw new CliError(`invalid areas: ${check.errors.join('; ')}`);

  const quiet = o.json === '-';
  const say = (text: string): void => {
    if (!quiet) io.stdout(text);
  };
  const coordination = o.coordination ?? 'exact';
  say(
    `\n${feeder.name}: distributed OPF (${coordination} coordination), ${cuts.length + 1} areas (${how}: cuts ${cuts.map((c) => `${c.from}–${c.to}`).join(', ')}), T = ${periods}\n`,
  );

  const t0 = performance.now();
  const central = solveOpf(feeder, study, {}, { now: () => performance.now() });
  const centralSeconds = (performance.now() - t0) / 1000;
  say(
    `  centralized: ${central.results.status}, ${central.results.solver.iterations} iterations, ${centralSeconds.toFixed(2)} s\n`,
  );

  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  say('  round  max change pu   ΔV pu      ΔP pu      ΔQ pu     ω    wall s  area CPU s (iterations)\n');
  let out;
  try {
    out = await solveDistributed(
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
      {
        clock,
        signal: controller.signal,
        onRound: (r: RoundRecord) =>
          say(
            `  ${String(r.round).padStart(5)}  ${e2(r.maxChangePu).padStart(13)}  ${e2(r.maxChangeVPu)}  ${e2(r.maxChangePPu)}  ${e2(r.maxChangeQPu)}  ${r.omega.toFixed(1)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ${r.areaCpuSeconds.map((s, i) => `${s.toFixed(2)} (${r.areaIterations[i]})`).join(', ')}\n`,
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
  const { enapp } = out;
  say(
    `  ${enapp.status}: ${enapp.message}; wall ${enapp.wallSeconds.toFixed(2)} s${enapp.criticalPathCpuSeconds !== null ? `; critical path ${enapp.criticalPathCpuSeconds.toFixed(2)} CPU s (Σ over rounds of the slowest area's CPU time)` : ''}${enapp.dampingFromRound !== null ? `; damping ω = 0.5 used from round ${enapp.dampingFromRound}` : ''}\n`,
  );
  if (coordination === 'published')
    say(
      "  published coordination: the papers' value-only exchange, not the centralized optimum; its difference follows\n",
    );
  if (out.comparison) {
    say('\n  quantity            unit     centralized   distributed   rel. diff\n');
    for (const r of out.comparison.rows)
      say(
        `  ${r.quantity.padEnd(18)}  ${r.unit.padEnd(9)}${r.centralized.toFixed(3).padStart(12)}  ${r.distributed.toFixed(3).padStart(12)}  ${e2(r.relDiff).padStart(10)}${r.determined ? '' : '  (split of a shared bus: not unique)'}\n`,
      );
    say(`  largest difference: ${e2(out.comparison.maxRelDiff)} (${out.comparison.maxRelDiffQuantity})\n`);
  }
  if (o.json !== undefined) {
    const areaSeconds = enapp.rounds.map((r) => r.areaSeconds);
    const doc = {
      ...(out.results ? resultsToJson(out.results) : { status: enapp.status, message: enapp.message }),
      distributed: {
        areas: out.plan.areas.map((a) => ({
          id: a.id,
          name: a.name,
          parent: a.parent,
          rootBus: out.plan.check.areas.find((x) => x.id === a.id)!.rootBus,
          buses: out.plan.check.areas.find((x) => x.id === a.id)!.buses.length,
        })),
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
          pPu: r.maxChangePPu,
          qPu: r.maxChangeQPu,
          priceRel: r.maxChangePriceRel,
          omega: r.omega,
        })),
        andersonRestarts: enapp.andersonRestarts,
        areaSeconds,
        areaCpuSeconds: enapp.rounds.map((r) => r.areaCpuSeconds),
        criticalPathCpuSeconds: enapp.criticalPathCpuSeconds,
        coordination,
        areaIterations: enapp.rounds.map((r) => r.areaIterations),
        boundaries: enapp.boundaries.map((b, i) => ({
          bus: out.plan.boundaries[i]!.bus,
          vPu: b.vSqPu.map(Math.sqrt),
          pPu: b.pPu,
          qPu: b.qPu,
        })),
        dampingFromRound: enapp.dampingFromRound,
        restarts: enapp.restarts,
        wallSeconds: enapp.wallSeconds,
        centralizedSeconds: centralSeconds,
        comparison: out.comparison ?? null,
      },
    };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (o.json === '-') io.stdout(text);
    else {
      writeFileSync(resolve(io.cwd, o.json), text);
      say(`  wrote ${o.json}\n`);
    }
  }
  if (enapp.status !== 'converged') {
    io.stderr(`tessera solve: distributed solve ${enapp.status}: ${enapp.message}\n`);
    return 1;
  }
  return 0;
}
