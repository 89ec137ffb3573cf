/**
 * Siting studies in the app: start one on a scenario (its feeder with its placements, its study
 * limits and α), run it in a pool of solver processes (jobs/siting-pool.ts, one per core) with
 * live progress ('siting.progress': configurations done / planned, best so far), cancel it, and
 * keep settings and report in the project (table siting_studies). The horizon is representative
 * days of the bundled year (resources/year-profiles). On a three-phase feeder (the project keeps
 * its OpenDSS scripts) the study runs on the three-phase OPF with per-phase candidates
 * (src-solver/siting/threephase.ts); the scenario's PV and batteries are dispatched in every run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type {
  CommandArg,
  Events,
  Placements,
  RunSummary,
  SitingSettings,
  SitingStatus,
  SitingStudyDetail,
  SitingStudySummary,
  StudySettings,
} from '../../contract';
import { withPlacements } from '../../../src-solver/model/placement';
import type { Feeder } from '../../../src-solver/model/feeder';
import type { Study } from '../../../src-solver/opf/study';
import { withBatteries } from '../../../src-solver/siting/battery';
import { ECONOMICS_DEFAULTS } from '../../../src-solver/siting/economics';
import type { Horizon, PartSolver } from '../../../src-solver/siting/evaluate';
import {
  dayStudy,
  loadYearProfiles,
  ProfileError,
  representativeDayLabel,
  representativeDays,
  type YearProfiles,
} from '../../../src-solver/siting/profiles';
import {
  balancedTarget,
  candidateOf,
  loadBuses,
  runSitingStudy,
  SitingCancelled,
  type SiteEntry,
  type SitingInput,
  type SitingReport,
  type SitingTarget,
} from '../../../src-solver/siting/study';
import { parseCandidate, threePhaseCandidates, threePhaseTarget } from '../../../src-solver/siting/threephase';
import { threePhaseNetworkOf } from '../../../src-solver/worker/siting-worker';
import { ApiFailure } from '../errors';
import { createSitingPool, createThreePhaseSitingPool, type SpawnSitingWorker } from '../jobs/siting-pool';
import { unitsOf } from '../threephase/opf';
import { toOpfStudy } from '../runs/records';
import type { Project, SitingStudyRecord } from '../store/project';

export interface SitingServiceOptions {
  readonly project: () => Project;
  /** Folder of the bundled year (resources/year-profiles). */
  readonly yearDir: string;
  readonly emit: <K extends 'siting.progress' | 'siting.finished'>(event: K, payload: Events[K]) => void;
  /** Solver processes; default one per core. */
  readonly workers?: number;
  /** Starts one solver process (Electron: a utility process); default a Node child process. */
  readonly spawnWorker?: SpawnSitingWorker;
  /** Where OPFs run; default a pool of `spawnWorker` processes. */
  readonly makeSolver?: (
    feeder: Feeder,
    study: Study,
    horizon: Horizon,
  ) => { solve: PartSolver; size: number; close(): void };
  /** Memory the solver processes may use in all, bytes; default 80 % of the machine's (as `tessera site`). */
  readonly memoryBytes?: number;
  /** Starts a normal run of a scenario with other placements/study (RunService.start's variant). */
  readonly startRun?: (
    scenarioId: number,
    variant: { placements: Placements; study: StudySettings; name: string },
  ) => RunSummary;
}

/** Default sizes as `tessera site`: 4-hour batteries at 5, 10, 20, 30 % of the peak load. */
function defaultSizes(feeder: Feeder): { kw: number; kwh: number }[] {
  return defaultSizesOf(feeder.loads.reduce((s, l) => s + l.pKw, 0));
}

function defaultSizesOf(peak: number): { kw: number; kwh: number }[] {
  const kws = [0.05, 0.1, 0.2, 0.3].map((f) => Math.max(5, Math.round((f * peak) / 5) * 5));
  return [...new Set(kws)].map((kw) => ({ kw, kwh: 4 * kw }));
}

/** A site for summaries and progress: its bus, with the phase suffix on three-phase feeders (`675.1`). */
const siteBrief = (s: SiteEntry): { bus: string; kw: number; kwh: number } => ({
  bus: candidateOf(s),
  kw: s.kw,
  kwh: s.kwh,
});

const LETTERS = ['A', 'B', 'C'] as const;

const YEAR_ROLES = ['load', 'pv', 'price'] as const;

/**
 * The planner's year of a study's settings (`profiles`), checked; a clear error names the file —
 * as the planner chose it (`files`: `price file "prices.csv" line 101: …`), else by its role and
 * the year's name (`price (my year).csv line 101: …`) — and the line.
 */
export function yearOfSettings(p: NonNullable<SitingSettings['profiles']>): YearProfiles {
  const text: Record<string, string> = { 'load.csv': p.load, 'pv.csv': p.pv, 'price.csv': p.price };
  try {
    return loadYearProfiles(Object.keys(text), (n) => text[n]!, p.year === undefined ? {} : { year: p.year });
  } catch (e) {
    if (!(e instanceof ProfileError)) throw e;
    const role = YEAR_ROLES.find((r) => e.message.startsWith(`${r}.csv`));
    if (!role) throw e;
    const file = p.files?.[role];
    const label = file ? `${role} file "${file}"` : `${role} (${p.name}).csv`;
    throw new ProfileError(label + e.message.slice(`${role}.csv`.length));
  }
}

/** Settings as lists show them: the planner's profile texts left out (their name kept). */
function listedSettings(s: SitingSettings): SitingSettings {
  if (!s.profiles) return s;
  const { name, files, year } = s.profiles;
  return {
    ...s,
    profiles: {
      name,
      ...(files ? { files } : {}),
      ...(year !== undefined ? { year } : {}),
      load: '',
      pv: '',
      price: '',
    },
  };
}

function summaryOf(r: SitingStudyRecord): SitingStudySummary {
  const report = r.report as SitingReport | null;
  const first = report?.ranked[0];
  return {
    id: r.id,
    scenarioId: r.scenarioId,
    status: r.status as SitingStatus,
    settings: listedSettings(r.settings as SitingSettings),
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    best: first && first.feasible ? { sites: first.sites.map(siteBrief), netBenefitUsd: first.netBenefitUsd } : null,
  };
}

export class SitingService {
  private readonly active = new Map<number, { signal: { aborted: boolean }; done: Promise<void>; close: () => void }>();

  constructor(private readonly options: SitingServiceOptions) {}

  start(arg: CommandArg<'siting.start'>): SitingStudySummary {
    const project = this.options.project();
    const scenario = project.getScenario(arg.scenarioId);
    const feeder = withPlacements(project.getFeeder(scenario.feederId), scenario.placements);
    const { study } = toOpfStudy(scenario.study);
    const s = arg.settings;
    // A three-phase feeder: its scripts, the network with taps and capacitors as its runs set them,
    // per-phase candidates (docs/siting.md "Three-phase").
    const scripts = project.feederScripts(scenario.feederId);
    const three = scripts?.model === 'three-phase' ? { entry: scripts.entry, files: scripts.files } : null;
    let net: ReturnType<typeof threePhaseNetworkOf> | null = null;
    if (three) {
      try {
        net = threePhaseNetworkOf(three);
      } catch (e) {
        throw new ApiFailure('invalidArgument', `siting.start: ${(e as Error).message}`);
      }
      if (s.phases === 2)
        throw new ApiFailure(
          'invalidArgument',
          'siting.start: on a three-phase feeder a battery is single-phase (phases 1) or three-phase (phases 3)',
        );
    }
    const target: SitingTarget = net ? threePhaseTarget(net) : balancedTarget(feeder);
    const year = this.yearOf(s);
    const days = representativeDays(year, s.days, 1);
    const horizon: Horizon = {
      kind: 'representative-days',
      parts: days.map((d) => ({
        label: representativeDayLabel(year, d),
        weight: d.weight,
        study: dayStudy(year, d.day),
        rerun: `--year-day ${d.day + 1}`,
      })),
      annualFactor: 1,
      description: `${s.days} representative days of ${s.profiles ? `the planner's year "${s.profiles.name}" (${year.year})` : 'the bundled 2023 ERCOT/DFW year'}`,
    };
    const baseStudy: Study = { ...study, objective: 'cost' };
    let candidates: string[];
    if (net) {
      const pool = threePhaseCandidates(net, { threePhaseUnits: s.phases === 3 }).filter(
        (c) => (parseCandidate(c)!.phases.length === 3) === (s.phases === 3),
      );
      candidates =
        s.candidates === 'all'
          ? pool
          : s.candidates.flatMap((c) => {
              // a bus picked on the graph stands for its candidates (its phases, or its three-phase unit)
              const mine = pool.filter((x) => parseCandidate(x)!.bus === c.toLowerCase());
              return parseCandidate(c) === null && mine.length > 0 ? mine : [c.toLowerCase()];
            });
    } else candidates = s.candidates === 'all' ? loadBuses(feeder) : [...s.candidates];
    // single-phase units: ladders of a third of the peak load
    const sizes = s.sizes
      ? [...s.sizes]
      : net
        ? defaultSizesOf((net.loads.reduce((a, l) => a + l.kw, 0) * net.loadMult) / (s.phases === 3 ? 1 : 3))
        : defaultSizes(feeder);
    const input: SitingInput = {
      target,
      candidates,
      sizes,
      count: s.count,
      economics: {
        capexUsdPerKw: s.capexUsdPerKw ?? ECONOMICS_DEFAULTS.capexUsdPerKw,
        capexUsdPerKwh: s.capexUsdPerKwh ?? ECONOMICS_DEFAULTS.capexUsdPerKwh,
        fixedOmUsdPerKwYear: s.fixedOmUsdPerKwYear ?? ECONOMICS_DEFAULTS.fixedOmUsdPerKwYear,
        lifetimeYears: s.lifetimeYears ?? ECONOMICS_DEFAULTS.lifetimeYears,
        discountRate: s.discountRate ?? ECONOMICS_DEFAULTS.discountRate,
      },
      horizon,
      ...(s.phases !== undefined ? { phases: s.phases } : {}),
      ...(s.verifyTop !== undefined ? { verifyTop: s.verifyTop } : {}),
      alpha: baseStudy.alpha ?? 0.001,
    };
    // Checked here so a bad request is an error, not a stored failed study.
    const bad = input.candidates.map((c) => [c, target.candidateError(c)] as const).filter(([, e]) => e !== null);
    if (bad.length)
      throw new ApiFailure(
        'invalidArgument',
        `siting.start: ${target.candidateWords[bad.length > 1 ? 1 : 0]} ${bad[0]![1]}: ${bad
          .slice(0, 10)
          .map(([c]) => c)
          .join(', ')}`,
      );
    if (input.candidates.length === 0)
      throw new ApiFailure('invalidArgument', 'siting.start: the feeder has no load bus to use as a candidate');
    if (input.count > input.candidates.length)
      throw new ApiFailure(
        'invalidArgument',
        `siting.start: ${input.count} sites asked for but only ${input.candidates.length} candidates`,
      );
    // Memory: one day-OPF per process. Fewer processes when they do not all fit; none when one does
    // not (said before anything is stored or started).
    const budget = this.options.memoryBytes ?? 0.8 * totalmem();
    const need = target.memoryEstimate(24);
    const size = (b: number): string =>
      b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GB` : `${Math.round(b / 1024 ** 2)} MB`;
    if (need > budget)
      throw new ApiFailure(
        'invalidArgument',
        `siting.start: one day's OPF of this feeder (${target.sizeLabel} × 24 h) needs about ${size(need)}, more than the ${size(budget)} this machine has for it`,
      );
    const workers = Math.max(1, Math.min(this.options.workers ?? availableParallelism(), Math.floor(budget / need)));
    const id = project.saveSitingStudy(scenario.id, s);
    const pool = three
      ? createThreePhaseSitingPool(
          three,
          baseStudy,
          horizon,
          { baseUnits: unitsOf(net!, scenario.placements) },
          workers,
          this.options.spawnWorker,
        )
      : (this.options.makeSolver ?? ((f, st, h) => createSitingPool(f, st, h, {}, workers, this.options.spawnWorker)))(
          feeder,
          baseStudy,
          horizon,
        );
    const signal = { aborted: false };
    const t0 = performance.now();
    const finish = (status: SitingStatus, report: SitingReport | null, error: string | null): void => {
      project.finishSitingStudy(id, status, report, error);
      this.options.emit('siting.finished', summaryOf(project.getSitingStudy(id)));
    };
    const done = runSitingStudy({ ...input, concurrency: pool.size }, pool.solve, {
      signal,
      onProgress: (p) =>
        this.options.emit('siting.progress', {
          studyId: id,
          stage: p.stage,
          done: p.done,
          total: p.total,
          best: p.best ? { sites: p.best.sites.map(siteBrief), netBenefitUsd: p.best.netBenefitUsd } : null,
          elapsedSeconds: (performance.now() - t0) / 1000,
        }),
    })
      .then((report) => finish('done', report, null))
      .catch((err: unknown) => {
        if (err instanceof SitingCancelled || signal.aborted) finish('cancelled', null, 'cancelled');
        else finish('failed', null, err instanceof Error ? err.message : String(err));
      })
      .finally(() => {
        pool.close();
        this.active.delete(id);
      });
    this.active.set(id, { signal, done, close: () => pool.close() });
    return summaryOf(project.getSitingStudy(id));
  }

  /** Resolves once the study has stopped and its processes are gone. */
  async cancel(arg: CommandArg<'siting.cancel'>): Promise<null> {
    const job = this.active.get(arg.studyId);
    if (!job) {
      this.options.project().getSitingStudy(arg.studyId);
      return null;
    }
    job.signal.aborted = true;
    job.close();
    await job.done;
    return null;
  }

  /** Wait for a study to end (tests). */
  async wait(studyId: number): Promise<void> {
    await this.active.get(studyId)?.done;
  }

  list(arg: CommandArg<'siting.list'>): SitingStudySummary[] {
    const project = this.options.project();
    project.getScenario(arg.scenarioId);
    return project.listSitingStudies(arg.scenarioId).map(summaryOf);
  }

  get(arg: CommandArg<'siting.get'>): SitingStudyDetail {
    const r = this.options.project().getSitingStudy(arg.studyId);
    return { ...summaryOf(r), report: r.report as SitingReport | null };
  }

  /**
   * A ranked line's verified OPF on one horizon part, as a normal run of the study's scenario: the
   * scenario's placements plus the line's batteries (the study's defaults: battery.ts), the part's
   * day of the bundled year as the study's 24-hour shapes, the cost objective — the same OPF the
   * study solved for that line and day (its objective is the part's `verification` objective).
   */
  openRun(arg: CommandArg<'siting.openRun'>): RunSummary {
    const project = this.options.project();
    const rec = project.getSitingStudy(arg.studyId);
    const report = rec.report as SitingReport | null;
    if (!report)
      throw new ApiFailure('invalidArgument', `siting.openRun: study #${arg.studyId} has no results (${rec.status})`);
    const line = report.ranked.find((r) => r.rank === arg.rank);
    if (!line)
      throw new ApiFailure(
        'invalidArgument',
        `siting.openRun: study #${arg.studyId} has no ranked line ${arg.rank} (1–${report.ranked.length})`,
      );
    const part = line.verification.parts[arg.part];
    if (!part)
      throw new ApiFailure(
        'invalidArgument',
        `siting.openRun: part ${arg.part} is not one of the study's ${line.verification.parts.length} days (0–${line.verification.parts.length - 1})`,
      );
    const m = /--year-day (\d+)/.exec(part.rerun ?? '');
    if (!m)
      throw new ApiFailure(
        'invalidArgument',
        `siting.openRun: the part "${part.label}" is not a day of the bundled year`,
      );
    const day = Number(m[1]) - 1;
    const scenario = project.getScenario(rec.scenarioId);
    const year = this.yearOf(rec.settings as SitingSettings);
    const feeder = withPlacements(project.getFeeder(scenario.feederId), scenario.placements);
    const added = withBatteries(feeder, line.sites)
      .batteries.slice(feeder.batteries.length)
      .map((b, k) => {
        const nodes = line.sites[k]!.phaseNodes;
        return nodes
          ? { ...b, name: `new-${candidateOf(line.sites[k]!)}`, phases: nodes.map((n) => LETTERS[n - 1]!) }
          : b;
      });
    const d = dayStudy(year, day);
    const study: StudySettings = {
      ...scenario.study,
      periods: 24,
      startHour: 0,
      dtH: 1,
      objective: 'cost',
      loadShape: d.loadProfile!.values,
      pvShape: d.pvProfile!.values,
      priceCentsPerKwh: d.priceCentsPerKwh!.values,
    };
    const placements: Placements = {
      pv: scenario.placements.pv,
      batteries: [...scenario.placements.batteries, ...added],
    };
    const sites = line.sites.map((x) => `${candidateOf(x)} ${x.kw} kW/${x.kwh} kWh`).join(', ');
    if (!this.options.startRun) throw new ApiFailure('invalidArgument', 'siting.openRun: runs are not available here');
    return this.options.startRun(scenario.id, {
      placements,
      study,
      name: `Siting #${rec.id} rank ${line.rank}: ${sites} — ${part.label}`,
    });
  }

  /** The study's year: the planner's profiles kept with its settings, else the bundled year. */
  private yearOf(s: SitingSettings): YearProfiles {
    if (!s.profiles)
      return loadYearProfiles(readdirSync(this.options.yearDir), (n) =>
        readFileSync(join(this.options.yearDir, n), 'utf8'),
      );
    try {
      return yearOfSettings(s.profiles);
    } catch (e) {
      if (e instanceof ProfileError) throw new ApiFailure('invalidArgument', `siting: ${e.message}`);
      throw e;
    }
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.active.keys()]) await this.cancel({ studyId: id }).catch(() => undefined);
  }
}

/** Argument checks of the siting commands (before any handler). */
export const sitingValidators = {
  'siting.start': (arg: unknown): CommandArg<'siting.start'> => {
    const o = obj('siting.start', arg, ['scenarioId', 'settings']);
    const scenarioId = int('siting.start', o.scenarioId, 'scenarioId', 1);
    const st = obj('siting.start: settings', o.settings, [
      'candidates',
      'count',
      'sizes',
      'days',
      'capexUsdPerKw',
      'capexUsdPerKwh',
      'fixedOmUsdPerKwYear',
      'lifetimeYears',
      'discountRate',
      'phases',
      'verifyTop',
      'profiles',
    ]);
    const c = st.candidates;
    if (c !== 'all' && !(Array.isArray(c) && c.every((b) => typeof b === 'string')))
      throw new ApiFailure('invalidArgument', 'siting.start: settings.candidates must be "all" or a list of bus names');
    if (Array.isArray(c) && c.length === 0)
      throw new ApiFailure('invalidArgument', 'siting.start: no candidate bus: pick at least one');
    let sizes: { kw: number; kwh: number }[] | undefined;
    if (st.sizes !== undefined) {
      if (!Array.isArray(st.sizes) || st.sizes.length === 0)
        throw new ApiFailure('invalidArgument', 'siting.start: settings.sizes must be a non-empty list of {kw, kwh}');
      sizes = st.sizes.map((z: unknown, k: number) => {
        const q = obj(`siting.start: size ${k + 1}`, z, ['kw', 'kwh']);
        return { kw: pos(`size ${k + 1} kw`, q.kw), kwh: pos(`size ${k + 1} kwh`, q.kwh) };
      });
    }
    const optNum = (name: string, ok: (x: number) => boolean, what: string): Record<string, number> => {
      const v = st[name];
      if (v === undefined) return {};
      if (typeof v !== 'number' || !ok(v))
        throw new ApiFailure('invalidArgument', `siting.start: settings.${name} must be ${what}`);
      return { [name]: v };
    };
    let profiles: SitingSettings['profiles'];
    if (st.profiles !== undefined) {
      const p = obj('siting.start: settings.profiles', st.profiles, ['name', 'files', 'year', 'load', 'pv', 'price']);
      if (p.year !== undefined && (typeof p.year !== 'number' || !Number.isInteger(p.year)))
        throw new ApiFailure(
          'invalidArgument',
          'siting.start: settings.profiles.year must be a calendar year such as 2024',
        );
      for (const k of ['name', 'load', 'pv', 'price'])
        if (typeof p[k] !== 'string')
          throw new ApiFailure(
            'invalidArgument',
            `siting.start: settings.profiles.${k} must be ${k === 'name' ? 'a name' : 'the text of a CSV file'}`,
          );
      let files: { load: string; pv: string; price: string } | undefined;
      if (p.files !== undefined) {
        const f = obj('siting.start: settings.profiles.files', p.files, YEAR_ROLES);
        for (const k of YEAR_ROLES)
          if (typeof f[k] !== 'string' || f[k] === '')
            throw new ApiFailure('invalidArgument', `siting.start: settings.profiles.files.${k} must be a file name`);
        files = { load: f.load as string, pv: f.pv as string, price: f.price as string };
      }
      profiles = {
        name: p.name as string,
        ...(files ? { files } : {}),
        ...(p.year !== undefined ? { year: p.year as number } : {}),
        load: p.load as string,
        pv: p.pv as string,
        price: p.price as string,
      };
      // checked now, so a bad file is an error before anything is stored or started
      try {
        yearOfSettings(profiles);
      } catch (e) {
        if (e instanceof ProfileError) throw new ApiFailure('invalidArgument', `siting.start: ${e.message}`);
        throw e;
      }
    }
    const settings: SitingSettings = {
      ...(profiles ? { profiles } : {}),
      candidates: c === 'all' ? 'all' : (c as string[]),
      count: int('siting.start', st.count, 'settings.count', 1),
      days: int('siting.start', st.days, 'settings.days', 1, 365),
      ...(sizes ? { sizes } : {}),
      ...optNum('capexUsdPerKw', (x) => x >= 0, 'a cost ≥ 0'),
      ...optNum('capexUsdPerKwh', (x) => x >= 0, 'a cost ≥ 0'),
      ...optNum('fixedOmUsdPerKwYear', (x) => x >= 0, 'a cost ≥ 0'),
      ...optNum('lifetimeYears', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1'),
      ...optNum('discountRate', (x) => x >= 0 && x < 1, 'a fraction in [0, 1)'),
      ...optNum('phases', (x) => [1, 2, 3].includes(x), '1, 2 or 3'),
      ...optNum('verifyTop', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1'),
    };
    return { scenarioId, settings };
  },
  'siting.cancel': (arg: unknown): CommandArg<'siting.cancel'> => ({
    studyId: int('siting.cancel', obj('siting.cancel', arg, ['studyId']).studyId, 'studyId', 1),
  }),
  'siting.list': (arg: unknown): CommandArg<'siting.list'> => ({
    scenarioId: int('siting.list', obj('siting.list', arg, ['scenarioId']).scenarioId, 'scenarioId', 1),
  }),
  'siting.get': (arg: unknown): CommandArg<'siting.get'> => ({
    studyId: int('siting.get', obj('siting.get', arg, ['studyId']).studyId, 'studyId', 1),
  }),
  'siting.openRun': (arg: unknown): CommandArg<'siting.openRun'> => {
    const o = obj('siting.openRun', arg, ['studyId', 'rank', 'part']);
    return {
      studyId: int('siting.openRun', o.studyId, 'studyId', 1),
      rank: int('siting.openRun', o.rank, 'rank', 1),
      part: int('siting.openRun', o.part, 'part', 0),
    };
  },
};

function obj(command: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ApiFailure('invalidArgument', `${command}: the argument must be an object`);
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw new ApiFailure('invalidArgument', `${command}: unknown field "${k}"`);
  return v as Record<string, unknown>;
}

function int(command: string, v: unknown, field: string, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ApiFailure(
      'invalidArgument',
      `${command}: ${field} must be a whole number${max < Infinity ? ` from ${min} to ${max}` : ` ≥ ${min}`}`,
    );
  return v;
}

function pos(field: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new ApiFailure('invalidArgument', `siting.start: ${field} must be a positive number`);
  return v;
}
