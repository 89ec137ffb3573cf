/**
 * What `tessera solve --distributed` does the same on balanced and three-phase feeders, said once
 * and parameterised by the area kind: where the cuts come from (`--areas FILE`, `--auto-areas K`,
 * the project's), the rounds printed as they happen with Ctrl-C cancelling every area process, the
 * closing line and the comparison with the centralized solve, the JSON's `distributed` object
 * (its common fields; each kind adds its own) and the exit tail (JSON written, status → exit code).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock, EnappHooks, EnappResult, RoundRecord } from '../../src-solver/enapp/coordinator';
import { PartitionError, type Coordination } from '../../src-solver/enapp/distributed';
import type { CutBranch } from '../../src-solver/enapp/partition';
import { CliError, type CliIo } from './types';

/** How the CLI prints and records the rounds of one kind of area (balanced 'opf', three-phase 'opf3'). */
export interface AreaKindCli {
  /** The round table's column titles after "max change pu". */
  readonly roundHeader: string;
  /** Those columns for one round. */
  readonly roundColumns: (r: RoundRecord) => string;
  /** One `residualsPerRound` entry's kind-specific fields. */
  readonly residuals: (r: RoundRecord) => Record<string, number | null>;
}

export const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
export const e2 = (v: number): string => v.toExponential(2);

/** Parse a cuts file: CSV with columns cutFromBus,boundaryBus (the reference connections.csv) or from,to; or JSON [{from,to}]. */
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

export interface CutsOptions {
  /** File of cuts (`parseCutsFile`). */
  readonly areas?: string;
  /** Suggest this many areas (2..). */
  readonly autoAreas?: number;
  /** Cuts of the project, used when neither of the above is given. */
  readonly projectCuts?: readonly CutBranch[];
}

/** The cuts to solve with and how they were chosen; `suggest` is the kind's suggestion (its errors become the CLI's). */
export function chooseCuts(
  o: CutsOptions,
  io: CliIo,
  suggest: (k: number) => CutBranch[],
): { cuts: CutBranch[]; how: string } {
  if (o.areas !== undefined && o.autoAreas !== undefined) throw new CliError('give --areas or --auto-areas, not both');
  if (o.areas !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, o.areas), 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${o.areas}: ${(e as Error).message}`);
    }
    return { cuts: parseCutsFile(text, o.areas), how: `from ${o.areas}` };
  }
  if (o.autoAreas !== undefined) {
    try {
      return { cuts: suggest(o.autoAreas), how: `suggested for ${o.autoAreas} areas` };
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (o.projectCuts && o.projectCuts.length > 0)
    return { cuts: o.projectCuts.map((c) => ({ from: c.from, to: c.to })), how: "the project's areas" };
  throw new CliError('--distributed needs areas: --areas FILE or --auto-areas K (the feeder has none of its own)');
}

export const cutList = (cuts: readonly CutBranch[]): string => cuts.map((c) => `${c.from}–${c.to}`).join(', ');

/**
 * Run the coordinator (`solve` with the hooks given) printing a row per round; Ctrl-C aborts it
 * (every area process is stopped before it returns); a partition the solver refuses is a CLI error.
 */
export async function coordinate<T>(
  kind: AreaKindCli,
  say: (text: string) => void,
  io: CliIo,
  solve: (hooks: EnappHooks) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  say(`  round  max change pu${kind.roundHeader}  ω    wall s  area CPU s (iterations)\n`);
  try {
    return await solve({
      clock,
      signal: controller.signal,
      onRound: (r: RoundRecord) =>
        say(
          `  ${String(r.round).padStart(5)}  ${e2(r.maxChangePu).padStart(13)}${kind.roundColumns(r)}  ${r.omega.toFixed(1)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ${r.areaCpuSeconds.map((s, i) => `${s.toFixed(2)} (${r.areaIterations[i]})`).join(', ')}\n`,
        ),
      onAreaEvent: (area, event, detail) =>
        event === 'restarted' && io.stderr(`tessera solve: area ${area} restarted: ${detail}\n`),
    });
  } catch (e) {
    if (e instanceof PartitionError) throw new CliError(e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The closing line: status, message, wall time, the critical path (and what it is set against). */
export function sayOutcome(
  enapp: EnappResult,
  coordination: Coordination,
  say: (text: string) => void,
  extra: { readonly centralizedCpuSeconds?: number; readonly dampingFromRound?: number | null } = {},
): void {
  const crit = enapp.criticalPathCpuSeconds;
  say(
    `  ${enapp.status}: ${enapp.message}; wall ${enapp.wallSeconds.toFixed(2)} s${crit !== null ? `; critical path ${crit.toFixed(2)} CPU s (Σ over rounds of the slowest area's CPU time${extra.centralizedCpuSeconds !== undefined ? `; centralized ${extra.centralizedCpuSeconds.toFixed(2)} CPU s` : ''})` : ''}${extra.dampingFromRound != null ? `; damping ω = 0.5 used from round ${extra.dampingFromRound}` : ''}\n`,
  );
  if (coordination === 'published')
    say(
      "  published coordination: the papers' value-only exchange, not the centralized optimum; its difference follows\n",
    );
}

/** The side-by-side table of the distributed and the centralized solve. */
export function sayComparison(
  comparison: {
    readonly rows: readonly {
      quantity: string;
      unit: string;
      centralized: number;
      distributed: number;
      relDiff: number;
      determined?: boolean;
    }[];
    readonly maxRelDiff: number;
    readonly maxRelDiffQuantity: string;
  },
  say: (text: string) => void,
  more = '',
): void {
  say('\n  quantity            unit     centralized   distributed   rel. diff\n');
  for (const r of comparison.rows)
    say(
      `  ${r.quantity.padEnd(18)}  ${r.unit.padEnd(9)}${r.centralized.toFixed(3).padStart(12)}  ${r.distributed.toFixed(3).padStart(12)}  ${e2(r.relDiff).padStart(10)}${r.determined === false ? '  (split of a shared bus: not unique)' : ''}\n`,
    );
  say(`  largest difference: ${e2(comparison.maxRelDiff)} (${comparison.maxRelDiffQuantity})${more}\n`);
}

/** The JSON's `distributed` object: the fields every kind has, then the kind's own (`extra`). */
export function distributedJson(
  enapp: EnappResult,
  kind: AreaKindCli,
  common: {
    readonly coordination: Coordination;
    readonly areas: readonly unknown[];
    readonly cuts: readonly CutBranch[];
    readonly centralizedSeconds: number;
    readonly comparison: unknown;
  },
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    coordination: common.coordination,
    areas: common.areas,
    cuts: common.cuts,
    rounds: enapp.rounds.length,
    converged: enapp.status === 'converged',
    status: enapp.status,
    message: enapp.message,
    maxBoundaryChangePu: enapp.rounds.at(-1)?.maxChangePu ?? null,
    residualsPerRound: enapp.rounds.map((r) => ({
      round: r.round,
      maxChangePu: r.maxChangePu,
      ...kind.residuals(r),
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
    centralizedSeconds: common.centralizedSeconds,
    comparison: common.comparison ?? null,
    ...extra,
  };
}

/** Write the JSON (`-`: stdout) when asked, then the exit status: 0 converged, 1 otherwise (said on stderr). */
export function finishDistributed(
  doc: unknown,
  json: string | undefined,
  enapp: EnappResult,
  io: CliIo,
  say: (text: string) => void,
): number {
  if (json !== undefined) {
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (json === '-') io.stdout(text);
    else {
      writeFileSync(resolve(io.cwd, json), text);
      say(`  wrote ${json}\n`);
    }
  }
  if (enapp.status !== 'converged') {
    io.stderr(`tessera solve: distributed solve ${enapp.status}: ${enapp.message}\n`);
    return 1;
  }
  return 0;
}
