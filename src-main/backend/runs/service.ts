/**
 * Runs: start a solve off the UI thread, report its progress, cancel it, store it, read it back.
 *
 * Both kinds go through area processes (`spawnArea`: Node child processes under the Node host and
 * CLI, Electron utility processes in the app) driven by the ENApp coordinator: a centralized run is
 * a one-area run of the 'central' area solver (src-solver/enapp/central-area.ts), so cancel
 * (message, then kill after a bounded wait), crash detection and "no process left behind" are the
 * coordinator's, for both kinds.
 *
 * Lifecycle of a run record: saved as 'running' when the solve starts (so it is listed at once);
 * updated once at the end with its status, message, log, stats and series. A failure keeps the
 * record with the specific message ("area central solver stopped: exit code 3"). A record left
 * 'running' by a closed app reads as failed ("interrupted").
 */
import type {
  CommandArg,
  CommandResult,
  Events,
  Placements,
  RunCentralizedDifference,
  RunCoordination,
  RunDetail,
  RunDistributedInfo,
  RunKind,
  RunProgress,
  RunStatus,
  RunSummary,
  StudySettings,
} from '../../contract';
import { runEnapp, type Clock, type EnappHooks, type EnappResult } from '../../../src-solver/enapp/coordinator';
import { PartitionError, solveDistributed, type DistributedOutcome } from '../../../src-solver/enapp/distributed';
import type { CentralAreaSolution } from '../../../src-solver/enapp/central-area';
import type { SpawnArea } from '../../../src-solver/enapp/protocol';
import type { Feeder } from '../../../src-solver/model/feeder';
import { withPlacements } from '../../../src-solver/model/placement';
import { ApiFailure } from '../errors';
import type { Project } from '../store/project';
import { runDistributedThreePhase } from '../threephase/distributed';
import { workerThreePhaseOpf, type RunThreePhaseOpf } from '../threephase/opf-run';
import { compareRuns } from './compare';
import { BRANCH_SERIES } from '../../../src-shared/loading';
import { exportRun } from './export';
import {
  detailOf,
  distributedInfoOf,
  emptyStats,
  fromOpfResults,
  runRound,
  runStatusOf,
  summaryOf,
  toOpfStudy,
  type StoredSettings,
  type StoredStats,
} from './records';

export interface RunServiceOptions {
  /** The open project (throws `noProject` when there is none). */
  readonly project: () => Project;
  readonly spawnArea: SpawnArea;
  readonly emit: <K extends 'run.progress' | 'run.finished' | 'backend.log'>(event: K, payload: Events[K]) => void;
  /** How long an area process gets to exit after a cancel before it is killed, ms. Default 500. */
  readonly graceMs?: number;
  /** Centralized runs on a three-phase feeder (threephase/opf-run.ts; default: a worker thread). */
  readonly runThreePhaseOpf?: RunThreePhaseOpf;
}

interface Job {
  readonly controller: AbortController;
  done: Promise<void>;
}

const ISO = (): string => new Date().toISOString();

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The coordinator's hooks of a distributed run: every round logged and pushed as progress, each area's state as it changes. */
function distributedHooks(
  signal: AbortSignal,
  log: string[],
  progress: (p: Omit<RunProgress, 'runId' | 'kind' | 'elapsedSeconds'>) => void,
): EnappHooks {
  const solvingRound = new Map<number, number>();
  return {
    clock,
    signal,
    onRound: (r) => {
      log.push(
        `round ${r.round}: largest boundary change ${r.maxChangePu.toExponential(2)} pu, ω ${r.omega}, areas ${r.areaStatus.map((st, i) => `${i + 1}:${st}/${r.areaIterations[i]}it/${r.areaSeconds[i]!.toFixed(2)}s`).join(' ')}`,
      );
      progress({ phase: 'solving', round: runRound(r) });
    },
    onAreaProgress: (area, round) => {
      // First iteration of an area in a round: it is solving (one event per area per round).
      if (solvingRound.get(area) === round) return;
      solvingRound.set(area, round);
      progress({ phase: 'solving', area: { id: area, state: 'solving', detail: `round ${round}` } });
    },
    onAreaEvent: (area, state, detail) => {
      if (state !== 'solved') log.push(`area ${area}: ${state} (${detail})`);
      progress({ phase: 'solving', area: { id: area, state, detail } });
    },
  };
}

export class RunService {
  private readonly active = new Map<number, Job>();
  private threePhaseRunner: RunThreePhaseOpf | undefined;

  constructor(private readonly options: RunServiceOptions) {}

  /** Ids of runs being solved now. */
  activeRuns(): number[] {
    return [...this.active.keys()];
  }

  /**
   * `variant` runs the scenario with other placements or study settings (a siting study's verified
   * configuration on one of its days), stored as a normal run of that scenario, named `name`.
   */
  start(
    arg: CommandArg<'runs.start'>,
    variant?: { readonly placements: Placements; readonly study: StudySettings; readonly name: string },
  ): RunSummary {
    const project = this.options.project();
    const scenario = project.getScenario(arg.scenarioId);
    const base = project.getFeeder(scenario.feederId);
    const scripts = project.feederScripts(scenario.feederId);
    const threePhase = scripts?.model === 'three-phase';
    if (arg.kind === 'distributed' && scenario.partition.cuts.length === 0)
      throw new ApiFailure(
        'invalidArgument',
        'runs.start: a distributed run needs areas: cut the feeder into areas first',
      );
    const settings: StoredSettings = {
      study: variant?.study ?? scenario.study,
      placements: variant?.placements ?? scenario.placements,
      partition: scenario.partition,
      scenarioName: scenario.name,
      feederName: base.name,
    };
    const id = project.saveRun({
      scenarioId: scenario.id,
      kind: arg.kind,
      status: 'running',
      settings,
      stats: emptyStats('solving', settings),
      log: '',
    });
    if (variant) project.setRunName(id, variant.name);
    const job: Job = { controller: new AbortController(), done: Promise.resolve() };
    this.active.set(id, job);
    if (threePhase) {
      job.done = this.executeThreePhase(
        project,
        id,
        arg.kind,
        arg.coordination ?? 'exact',
        { entry: scripts.entry, files: scripts.files },
        settings,
        job.controller.signal,
      )
        .catch((err: unknown) => this.failUnexpectedly(project, id, settings, err))
        .finally(() => this.active.delete(id));
      return summaryOf(project.loadRun(id, []).run, true);
    }
    const feeder = withPlacements(base, settings.placements);
    job.done = this.execute(project, id, arg.kind, arg.coordination ?? 'exact', feeder, settings, job.controller.signal)
      .catch((err: unknown) => this.failUnexpectedly(project, id, settings, err))
      .finally(() => this.active.delete(id));
    return summaryOf(project.loadRun(id, []).run, true);
  }

  /** Resolves once the run has ended and its processes are gone. A finished run: nothing to do. */
  async cancel(arg: CommandArg<'runs.cancel'>): Promise<null> {
    const job = this.active.get(arg.runId);
    if (!job) {
      this.options.project().loadRun(arg.runId, []); // notFound for an unknown id
      return null;
    }
    job.controller.abort();
    await job.done;
    return null;
  }

  /** Wait for a run to end (tests, CLI). */
  async wait(runId: number): Promise<void> {
    await this.active.get(runId)?.done;
  }

  list(arg: CommandArg<'runs.list'>): RunSummary[] {
    const project = this.options.project();
    project.getScenario(arg.scenarioId);
    const names = project.runNames();
    return project
      .listRuns(arg.scenarioId)
      .map((r) => ({ ...summaryOf(r, this.active.has(r.id)), name: names.get(r.id) ?? '' }));
  }

  /** runs.get: every series but the per-branch ones; `withBranches` (exports, the report) adds them. */
  get(arg: CommandArg<'runs.get'>, withBranches = false): RunDetail {
    const project = this.options.project();
    const loaded = project.loadRun(arg.runId);
    if (!withBranches) for (const name of BRANCH_SERIES) delete loaded.series[name];
    const detail: RunDetail = {
      ...detailOf(loaded, this.active.has(arg.runId)),
      name: project.runNames().get(arg.runId) ?? '',
    };
    const d = detail.distributed;
    if (d?.coordination !== 'published' || !detail.totals) return detail;
    return { ...detail, distributed: { ...d, centralizedDifference: this.centralizedDifference(project, detail) } };
  }

  /**
   * A published-mode run against the newest solved centralized run of the same scenario whose
   * study settings and placements are the run's own (the same problem solved centrally): the
   * largest relative difference of runs.compare's rows. Null when there is no such run.
   */
  private centralizedDifference(project: Project, run: RunDetail): RunCentralizedDifference | null {
    const own = project.loadRun(run.id, []).run.settings as StoredSettings;
    const key = (s: StoredSettings) => JSON.stringify([s.study, s.placements]);
    const candidates = project
      .listRuns(run.scenarioId)
      .filter(
        (r) =>
          r.kind === 'centralized' &&
          (r.status === 'solved' || r.status === 'acceptable') &&
          key(r.settings as StoredSettings) === key(own),
      )
      .sort((a, b) => b.id - a.id);
    const central = candidates[0];
    if (!central) return null;
    const cmp = compareRuns(detailOf(project.loadRun(central.id), this.active.has(central.id)), run);
    let worst = cmp.rows[0];
    for (const r of cmp.rows) if (worst && r.relDiff > worst.relDiff) worst = r;
    return worst ? { runId: central.id, maxRelDiff: worst.relDiff, quantity: worst.quantity } : null;
  }

  branchSeries(arg: CommandArg<'runs.branchSeries'>): CommandResult<'runs.branchSeries'> {
    const { series } = detailOf(this.options.project().loadRun(arg.runId, BRANCH_SERIES), false);
    return { series };
  }

  rename(arg: CommandArg<'runs.rename'>): RunSummary {
    const project = this.options.project();
    project.setRunName(arg.runId, arg.name);
    const run = project.loadRun(arg.runId, []).run;
    return { ...summaryOf(run, this.active.has(arg.runId)), name: arg.name };
  }

  async delete(arg: CommandArg<'runs.delete'>): Promise<null> {
    if (this.active.has(arg.runId)) await this.cancel({ runId: arg.runId });
    this.options.project().deleteRun(arg.runId);
    return null;
  }

  compare(arg: CommandArg<'runs.compare'>): CommandResult<'runs.compare'> {
    return compareRuns(this.get({ runId: arg.a }), this.get({ runId: arg.b }));
  }

  export(arg: CommandArg<'runs.export'>): CommandResult<'runs.export'> {
    return exportRun(this.get({ runId: arg.runId }, true), arg.format);
  }

  /** Cancel every run (backend shutdown); resolves when all processes are gone. */
  async closeAll(): Promise<void> {
    for (const job of this.active.values()) job.controller.abort();
    await Promise.all([...this.active.values()].map((j) => j.done));
  }

  // --- the job ----------------------------------------------------------------------------------

  /** A bug or a store error while running: keep the record as failed with the message, if the project is still open. */
  private failUnexpectedly(project: Project, id: number, settings: StoredSettings, err: unknown): void {
    const message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    this.options.emit('backend.log', { level: 'error', message: `run ${id}: ${message}` });
    try {
      project.updateRun(id, { status: 'failed', stats: emptyStats(message, settings), finishedAt: ISO() });
      this.options.emit('run.finished', summaryOf(project.loadRun(id, []).run, false));
    } catch {
      // The project was closed meanwhile: the record reads as interrupted when it is reopened.
    }
  }

  private async execute(
    project: Project,
    id: number,
    kind: RunKind,
    coordination: RunCoordination,
    feeder: Feeder,
    settings: StoredSettings,
    signal: AbortSignal,
  ): Promise<void> {
    const t0 = performance.now();
    const elapsedSeconds = (): number => (performance.now() - t0) / 1000;
    const progress = (p: Omit<RunProgress, 'runId' | 'kind' | 'elapsedSeconds'>): void =>
      this.options.emit('run.progress', { runId: id, kind, elapsedSeconds: elapsedSeconds(), ...p });
    const log: string[] = [
      `${kind} run${kind === 'distributed' ? ` (${coordination} coordination)` : ''} of scenario "${settings.scenarioName}" on feeder ${feeder.name}, started ${ISO()}`,
    ];
    progress({ phase: 'building' });

    let outcome: { status: RunStatus; stats: StoredStats; series?: Parameters<Project['updateRun']>[2] };
    if (kind === 'centralized') {
      const { study, nlp } = toOpfStudy(settings.study);
      const res = await runEnapp(
        [{ id: 1, name: 'central', parent: null, kind: 'central', spec: { feeder, study, options: { nlp } } }],
        [],
        [],
        this.options.spawnArea,
        // One area, no boundaries: the first round is the answer. A crashed solve is not retried
        // (an out-of-memory kill would only repeat).
        { maxRounds: 1, restartOnce: false, graceMs: this.options.graceMs ?? 500 },
        {
          clock,
          signal,
          onAreaProgress: (_area, _round, iter, objective, infPr, extra) =>
            progress({
              phase: 'solving',
              iteration: { iter, objective, infPr, infDu: extra?.infDu ?? NaN, lgMu: extra?.lgMu ?? NaN },
            }),
          onAreaEvent: (area, state, detail) => {
            log.push(`area ${area}: ${state} (${detail})`);
            progress({ phase: 'solving', area: { id: area, state, detail } });
          },
        },
      );
      outcome = this.centralOutcome(res, settings, log, feeder);
    } else {
      const { study, nlp } = toOpfStudy(settings.study);
      let out: DistributedOutcome | string;
      try {
        out = await solveDistributed(
          feeder,
          study,
          settings.partition.cuts,
          this.options.spawnArea,
          { nlp, tolerancePu: settings.study.boundaryTolerancePu, graceMs: this.options.graceMs ?? 500, coordination },
          distributedHooks(signal, log, progress),
        );
      } catch (err) {
        if (!(err instanceof PartitionError)) throw err;
        out = err.message;
      }
      outcome = this.distributedOutcome(out, settings, coordination, feeder);
    }
    progress({ phase: 'saving' });
    log.push(`${outcome.status}: ${outcome.stats.message}`, `finished ${ISO()} after ${elapsedSeconds().toFixed(2)} s`);
    project.updateRun(
      id,
      { status: outcome.status, stats: outcome.stats, log: log.join('\n'), finishedAt: ISO() },
      outcome.series ?? {},
    );
    this.options.emit('run.finished', summaryOf(project.loadRun(id, []).run, false));
  }

  /**
   * A run on a three-phase feeder, validated by the three-phase power flow: centralized, the
   * three-phase OPF in a worker thread; distributed, its areas in the area processes with per-phase
   * boundary values (threephase/distributed.ts).
   */
  private async executeThreePhase(
    project: Project,
    id: number,
    kind: RunKind,
    coordination: RunCoordination,
    scripts: { entry: string; files: Readonly<Record<string, string>> },
    settings: StoredSettings,
    signal: AbortSignal,
  ): Promise<void> {
    const t0 = performance.now();
    const elapsedSeconds = (): number => (performance.now() - t0) / 1000;
    const progress = (p: Omit<RunProgress, 'runId' | 'kind' | 'elapsedSeconds'>): void =>
      this.options.emit('run.progress', { runId: id, kind, elapsedSeconds: elapsedSeconds(), ...p });
    const log: string[] = [
      `${kind} three-phase run${kind === 'distributed' ? ` (${coordination} coordination)` : ''} of scenario "${settings.scenarioName}" on feeder ${settings.feederName}, started ${ISO()}`,
    ];
    progress({ phase: 'building' });
    const runOpf = (this.threePhaseRunner ??= this.options.runThreePhaseOpf ?? workerThreePhaseOpf());
    let status: RunStatus;
    let stats: StoredStats;
    let series: Parameters<Project['updateRun']>[2] = {};
    try {
      const input = { scripts, study: settings.study, placements: settings.placements };
      const out =
        kind === 'distributed'
          ? await runDistributedThreePhase(
              {
                ...input,
                cuts: settings.partition.cuts,
                coordination,
                tolerancePu: settings.study.boundaryTolerancePu,
                graceMs: this.options.graceMs ?? 500,
              },
              settings,
              this.options.spawnArea,
              distributedHooks(signal, log, progress),
            )
          : await runOpf(
              input,
              {
                stage: (stage) => progress({ phase: stage }),
                iteration: (r) =>
                  progress({
                    phase: 'solving',
                    iteration: { iter: r.iter, objective: r.objective, infPr: r.infPr, infDu: r.infDu, lgMu: r.lgMu },
                  }),
              },
              signal,
            );
      if (out === 'cancelled') {
        status = 'cancelled';
        stats = emptyStats('cancelled by the user', settings);
      } else {
        log.push(...out.log);
        status = out.status;
        stats = out.stats;
        series = out.series;
      }
    } catch (err) {
      // Bad input (a unit on a phase its bus lacks, an unsupported load model…): a failed run with the reason.
      status = 'failed';
      stats = emptyStats(`three-phase OPF: ${err instanceof Error ? err.message : String(err)}`, settings);
    }
    progress({ phase: 'saving' });
    log.push(`${status}: ${stats.message}`, `finished ${ISO()} after ${elapsedSeconds().toFixed(2)} s`);
    project.updateRun(id, { status, stats, log: log.join('\n'), finishedAt: ISO() }, series);
    this.options.emit('run.finished', summaryOf(project.loadRun(id, []).run, false));
  }

  private distributedOutcome(
    out: DistributedOutcome | string,
    settings: StoredSettings,
    coordination: RunCoordination,
    feeder: Feeder,
  ) {
    if (typeof out === 'string') return { status: 'failed' as const, stats: emptyStats(out, settings) };
    const { enapp, plan, results } = out;
    if (enapp.status === 'cancelled')
      return { status: 'cancelled' as const, stats: emptyStats('cancelled by the user', settings) };
    const info: RunDistributedInfo = distributedInfoOf(
      enapp,
      plan.check.areas.map((a) => ({ id: a.id, rootBus: a.rootBus, buses: a.buses.length })),
      coordination,
    );
    // An area whose problem has no solution: the study is infeasible (binding limit, hour and area in the message), not a failure.
    if (enapp.status === 'infeasible')
      return { status: 'infeasible' as const, stats: { ...emptyStats(enapp.message, settings), distributed: info } };
    if (enapp.status === 'failed' || !results)
      return { status: 'failed' as const, stats: { ...emptyStats(enapp.message, settings), distributed: info } };
    // Not converged within the round limit: keep the last merged dispatch, marked notConverged.
    const status: RunStatus = enapp.status === 'converged' ? 'solved' : 'notConverged';
    const { stats, series } = fromOpfResults(results, settings.placements, info, feeder);
    return { status, stats: { ...stats, seconds: enapp.wallSeconds }, series };
  }

  private centralOutcome(res: EnappResult, settings: StoredSettings, log: string[], feeder: Feeder) {
    if (res.status === 'cancelled')
      return { status: 'cancelled' as const, stats: emptyStats('cancelled by the user', settings) };
    if (res.status !== 'converged') return { status: 'failed' as const, stats: emptyStats(res.message, settings) };
    const solution = res.areaSolutions[0] as CentralAreaSolution;
    log.push(solution.log);
    const r = solution.results;
    const status = runStatusOf(r.status);
    if (status !== 'solved' && status !== 'acceptable') {
      return {
        status,
        stats: {
          ...emptyStats(r.message, settings),
          objective: null,
          iterations: r.solver.iterations,
          seconds: r.solver.seconds,
          notes: r.notes,
        },
      };
    }
    const { stats, series } = fromOpfResults(r, settings.placements, null, feeder);
    return { status, stats, series };
  }
}
