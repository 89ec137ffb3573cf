/**
 * The project commands: open/create/save-as the one current project, import feeders through a
 * preview, edit scenarios (every update persisted at once), areas and bulk placements. Arguments
 * arrive already validated (validators.ts); ids are checked against the store here (`notFound`).
 *
 * First start: `projects.current` opens the bundled IEEE 123 example when there is no recent
 * list yet (the app has never opened a project).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type {
  CommandArg,
  ImportProgress,
  CommandResult,
  ImportPreview,
  Partition,
  ProjectSummary,
  Scenario,
  StudySettings,
} from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { checkPartition, suggestPartition } from '../../../src-solver/enapp/partition';
import { describePartition3, suggestPartition3 } from '../../../src-solver/enapp/partition3';
import type { UNetwork } from '../../../src-solver/unbalanced/model';
import { applyBulkRule, withPlacements } from '../../../src-solver/model/placement';
import { loadExampleProject, type ExampleProject } from '../../../src-solver/examples/project';
import { ApiFailure } from '../errors';
import { checkProjectPath } from '../path-policy';
import type { PendingImport } from '../import/preview';
import { commitThreePhase } from '../threephase/commit';
import { networkOrThrow } from '../threephase/network';
import { workerImport, type RunImport } from '../import/run';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from '../import/zip';
import { JsonText } from '../json-text';
import { DEFAULT_STUDY } from '../store/defaults';
import { PROJECT_EXTENSION, Project } from '../store/project';
import { readRecent, recentFile, touchRecent } from '../store/recent';
import { studyProblems } from './validators';
import { sanitizeLogo } from '../report/logo';

export interface ProjectServiceOptions {
  readonly dataDir: string;
  readonly examplesDir: string;
  readonly onChanged?: (path: string) => void;
  /**
   * Host mode: project paths from clients must lie inside this folder (path-policy.ts). Unset
   * (desktop app, tests, CLI): any absolute path — the desktop's come from native dialogs.
   */
  readonly pathRoot?: string;
  /** Caps on an imported zip's unpacked size and entries (default DEFAULT_ZIP_LIMITS). */
  readonly zipLimits?: ZipLimits;
  /** How previews are built: default a worker thread (import/run.ts); `inlineImport` in-thread. */
  readonly runImport?: RunImport;
  readonly onImportProgress?: (p: ImportProgress) => void;
  /** The largest feeder (buses) the app draws and edits (default NETWORK_VIEW_MAX_BUSES). */
  readonly networkViewMaxBuses?: number;
  /** Before another project replaces the open one: cancel what runs on it (Backend: the runs). */
  readonly beforeSwitch?: () => Promise<void>;
}

const MAX_PENDING_IMPORTS = 8;

/**
 * The largest feeder, in buses, the app draws and edits. The network view draws every bus and
 * device as a canvas node (cytoscape; 10,240 buses is the size its speed is tested at), and a
 * feeder's JSON is about 200 bytes a bus (1,000,064 buses: 196 MB), parsed whole by the
 * renderer. Larger feeders are imported and saved, but `feeders.get` and the commands that walk
 * the whole feeder on the backend's thread refuse them with `feederTooLarge`, naming the command
 * line, instead of freezing the window.
 */
export const NETWORK_VIEW_MAX_BUSES = 100_000;

export class ProjectService {
  private project: Project | null = null;
  private readonly pending = new Map<string, PendingImport>();
  private readonly imports = new Map<string, AbortController>();
  private readonly runImport: RunImport;
  /** The last three-phase network rebuilt for its areas (threePhaseNetwork). */
  private networkCache: { project: Project; feederId: number; net: UNetwork } | null = null;

  constructor(private readonly options: ProjectServiceOptions) {
    this.runImport = options.runImport ?? workerImport();
  }

  private get projectsDir(): string {
    return join(this.options.dataDir, 'projects');
  }

  /** The open project (runs and reports work on it), or `noProject`. */
  requireProject(): Project {
    if (!this.project) throw new ApiFailure('noProject', 'No project is open: open or create one first');
    return this.project;
  }

  /**
   * Make `p` the open project. Runs still going on the previous one are cancelled first
   * (`beforeSwitch`), while it is still open, so their records end as cancelled in their file.
   */
  private async switchTo(p: Project): Promise<ProjectSummary> {
    try {
      await this.options.beforeSwitch?.();
    } catch {
      /* the runs end regardless; their own records say how */
    }
    this.project?.close();
    this.project = p;
    touchRecent(this.options.dataDir, { path: p.path, name: p.name });
    return p.summary();
  }

  private changed(): ProjectSummary {
    const p = this.requireProject();
    this.options.onChanged?.(p.path);
    return p.summary();
  }

  recent(): CommandResult<'projects.recent'> {
    return readRecent(this.options.dataDir);
  }

  async create(arg: CommandArg<'projects.create'>): Promise<ProjectSummary> {
    const path =
      arg.path === undefined
        ? join(this.projectsDir, `${safeFileName(arg.name)}${PROJECT_EXTENSION}`)
        : checkProjectPath(this.options.pathRoot, arg.path, 'projects.create');
    mkdirSync(dirname(path), { recursive: true });
    return this.switchTo(Project.create(path, arg.name));
  }

  async open(arg: CommandArg<'projects.open'>): Promise<ProjectSummary> {
    const path = checkProjectPath(this.options.pathRoot, arg.path, 'projects.open');
    if (this.project && resolve(this.project.path) === path) return this.project.summary();
    // SQLite's check reads every page (a 1,000,000-bus project: 196 MB): in a worker thread. If it
    // cannot run or finds damage, Project.open checks again here and says what is wrong.
    let checked = false;
    try {
      checked = (await this.runImport.quickCheck(path)) === 'ok';
    } catch {
      /* not a database, or unreadable: Project.open explains */
    }
    return this.switchTo(Project.open(path, { checked }));
  }

  async current(): Promise<ProjectSummary | null> {
    if (
      !this.project &&
      !existsSync(recentFile(this.options.dataDir)) &&
      existsSync(join(this.options.examplesDir, 'ieee123', 'example.json'))
    ) {
      return this.openExample({ id: 'ieee123' });
    }
    return this.project?.summary() ?? null;
  }

  update(arg: CommandArg<'projects.update'>): ProjectSummary {
    const p = this.requireProject();
    if (arg.name !== undefined && arg.name.trim() === '')
      throw new ApiFailure('invalidArgument', 'projects.update: name must not be empty');
    p.setMeta({ name: arg.name, author: arg.author, organisation: arg.organisation });
    if (arg.name !== undefined) touchRecent(this.options.dataDir, { path: p.path, name: p.name });
    return this.changed();
  }

  /** Check, strip and store the report logo (or remove it with null). */
  setLogo(arg: CommandArg<'projects.setLogo'>): ProjectSummary {
    const p = this.requireProject();
    if (arg === null) p.setLogo(null);
    else {
      const logo = sanitizeLogo(new Uint8Array(Buffer.from(arg.base64, 'base64')));
      p.setLogo({
        mime: logo.mime,
        width: logo.width,
        height: logo.height,
        base64: Buffer.from(logo.bytes).toString('base64'),
      });
    }
    return this.changed();
  }

  logo(): CommandResult<'projects.logo'> {
    const l = this.requireProject().logo();
    return l ? { mime: l.mime, base64: l.base64 } : null;
  }

  saveAs(arg: CommandArg<'projects.saveAs'>): ProjectSummary {
    const p = this.requireProject();
    const path = checkProjectPath(this.options.pathRoot, arg.path, 'projects.saveAs');
    mkdirSync(dirname(path), { recursive: true });
    p.saveAs(path, { overwrite: arg.overwrite === true });
    touchRecent(this.options.dataDir, { path: p.path, name: p.name });
    return p.summary();
  }

  close(): null {
    this.project?.close();
    this.project = null;
    return null;
  }

  /** Open the example's project, building it on first use (into a temporary file, then renamed). */
  async openExample(arg: CommandArg<'projects.openExample'>): Promise<ProjectSummary> {
    const dir = join(this.options.examplesDir, arg.id);
    if (!existsSync(join(dir, 'example.json'))) throw new ApiFailure('notFound', `No bundled example "${arg.id}"`);
    const path = join(this.projectsDir, `${arg.id}${PROJECT_EXTENSION}`);
    if (this.project && resolve(this.project.path) === resolve(path)) return this.project.summary();
    if (!existsSync(path)) {
      mkdirSync(this.projectsDir, { recursive: true });
      const temp = `${path}.building-${process.pid}`;
      rmSync(temp, { force: true });
      const built = buildExampleProject(dir, temp);
      built.close();
      renameSync(temp, path);
    }
    return this.switchTo(Project.open(path));
  }

  // --- import -----------------------------------------------------------------------------------

  /**
   * Read the files and build the preview in a worker thread (import/worker.ts): a large feeder
   * never blocks the backend. `requestId` names the request for `import.cancel` and for the
   * `import.progress` events.
   */
  async importPreview(arg: CommandArg<'import.preview'>): Promise<ImportPreview> {
    const requestId = arg.requestId ?? randomUUID();
    if (this.imports.has(requestId))
      throw new ApiFailure('invalidArgument', `import.preview: request ${requestId} is already running`);
    const controller = new AbortController();
    this.imports.set(requestId, controller);
    try {
      const built = await this.runImport(
        {
          files: arg.files,
          ...(arg.format === undefined ? {} : { format: arg.format }),
          ...(arg.entry === undefined ? {} : { entry: arg.entry }),
          zipLimits: this.options.zipLimits ?? DEFAULT_ZIP_LIMITS,
        },
        (stage) => this.options.onImportProgress?.({ requestId, stage }),
        controller.signal,
      );
      if (built.pending) {
        this.pending.set(built.preview.token, built.pending);
        while (this.pending.size > MAX_PENDING_IMPORTS) this.pending.delete(this.pending.keys().next().value!);
      }
      return built.preview;
    } finally {
      this.imports.delete(requestId);
    }
  }

  /** Stop a running `import.preview` (its worker is terminated; it fails with `cancelled`), or an `import.commit` that has not begun writing. */
  cancelImport(arg: CommandArg<'import.cancel'>): null {
    this.imports.get(arg.requestId)?.abort();
    return null;
  }

  /**
   * Save the previewed feeder with its base case. The worker thread parses and writes it into the
   * project file (import/run.ts), so a large feeder never blocks the backend; `requestId` names it
   * for `import.progress` ('saving') and `import.cancel` (which stops it until the write begins).
   */
  async importCommit(arg: CommandArg<'import.commit'>): Promise<ProjectSummary> {
    const p = this.requireProject();
    p.assertWritable();
    const pending = this.pending.get(arg.token);
    if (!pending)
      throw new ApiFailure('notFound', 'That import preview has expired or was already saved: preview the files again');
    // A three-phase script is kept as its scripts and a drawing (small: saved on this thread).
    if (pending.threePhase) {
      commitThreePhase(p, pending, arg);
      this.pending.delete(arg.token);
      return this.changed();
    }
    if (arg.model !== undefined)
      throw new ApiFailure(
        'invalidArgument',
        `import.commit: model applies to a three-phase OpenDSS script; this import is a balanced feeder`,
      );
    const requestId = arg.requestId ?? randomUUID();
    if (this.imports.has(requestId))
      throw new ApiFailure('invalidArgument', `import.commit: request ${requestId} is already running`);
    // Taken out while it is saved, so a second commit of the same preview cannot save it twice.
    this.pending.delete(arg.token);
    const controller = new AbortController();
    this.imports.set(requestId, controller);
    try {
      await this.runImport.commit(
        pending,
        { path: p.path, ...(arg.name ? { name: arg.name } : {}) },
        (stage) => this.options.onImportProgress?.({ requestId, stage }),
        controller.signal,
      );
    } catch (err) {
      this.pending.set(arg.token, pending);
      throw err;
    } finally {
      this.imports.delete(requestId);
    }
    if (this.project !== p)
      throw new ApiFailure('noProject', `The feeder was saved into ${p.path}, which was closed meanwhile`);
    return this.changed();
  }

  // --- feeders and scenarios --------------------------------------------------------------------

  /**
   * The stored feeder as its JSON text, read in a worker thread (import/run.ts) and not parsed
   * here (the adapters pass it on: json-text.ts), so a large feeder never blocks the backend.
   */
  async getFeederJson(arg: CommandArg<'feeders.get'>): Promise<JsonText> {
    const p = this.requireProject();
    this.assertDrawable(p, arg.id, 'shown in the network view');
    const text = await this.runImport.readFeederJson(p.path, arg.id);
    if (text === null) throw new ApiFailure('notFound', `No feeder with id ${arg.id} in this project`);
    return new JsonText(text);
  }

  /** Refuses (`feederTooLarge`) a feeder above the app's size, saying what to use instead. */
  assertDrawable(p: Project, feederId: number, what: string): void {
    const max = this.options.networkViewMaxBuses ?? NETWORK_VIEW_MAX_BUSES;
    const { name, buses } = p.feederSize(feederId);
    if (buses > max)
      throw new ApiFailure(
        'feederTooLarge',
        `Feeder "${name}" has ${buses.toLocaleString('en-US')} buses: the app draws and edits feeders of up to ` +
          `${max.toLocaleString('en-US')} buses, so it cannot be ${what}. It is saved in the project; study it from ` +
          `the command line (tessera pf, tessera solve with the project file).`,
        { buses, maxBuses: max },
      );
  }

  /** The feeder parsed, on the calling thread (tests, tools; the commands use `getFeederJson`). */
  getFeeder(arg: CommandArg<'feeders.get'>): Feeder {
    return this.requireProject().getFeeder(arg.id);
  }

  /** The scenario's feeder, parsed on this thread once it is known to be within the app's size. */
  private workableFeeder(p: Project, feederId: number, what: string): Feeder {
    this.assertDrawable(p, feederId, what);
    return p.getFeeder(feederId);
  }

  /** `runs.start`, `siting.start`: refuse a feeder above the app's size before any work starts. */
  assertWorkableScenario(scenarioId: number, what: string): void {
    const p = this.requireProject();
    this.assertDrawable(p, p.getScenario(scenarioId).feederId, what);
  }

  deleteFeeder(arg: CommandArg<'feeders.delete'>): ProjectSummary {
    this.requireProject().deleteFeeder(arg.id);
    return this.changed();
  }

  getScenario(arg: CommandArg<'scenarios.get'>): Scenario {
    return this.requireProject().getScenario(arg.id);
  }

  updateScenario(arg: CommandArg<'scenarios.update'>): Scenario {
    const p = this.requireProject();
    const current = p.getScenario(arg.id);
    if (arg.patch.placements) {
      const buses = new Set(this.workableFeeder(p, current.feederId, 'edited').buses.map((b) => b.name));
      for (const d of [...arg.patch.placements.pv, ...arg.patch.placements.batteries]) {
        if (!buses.has(d.bus))
          throw new ApiFailure(
            'invalidArgument',
            `scenarios.update: device ${d.name} is on bus ${d.bus}, which is not in the feeder`,
          );
      }
    }
    const next = p.updateScenario(arg.id, arg.patch as { study?: Partial<StudySettings> }, (s) => {
      const problems = studyProblems(s.study);
      if (problems.length > 0) throw new ApiFailure('invalidArgument', `scenarios.update: ${problems.join('; ')}`);
    });
    this.changed();
    return next;
  }

  duplicateScenario(arg: CommandArg<'scenarios.duplicate'>): Scenario {
    const s = this.requireProject().duplicateScenario(arg.id, arg.name);
    this.changed();
    return s;
  }

  deleteScenario(arg: CommandArg<'scenarios.delete'>): ProjectSummary {
    this.requireProject().deleteScenario(arg.id);
    return this.changed();
  }

  /**
   * A three-phase feeder's network for its areas (cut at lines, partition3.ts), rebuilt from its
   * scripts once per feeder while the project stays open; null for a balanced feeder.
   */
  private threePhaseNetwork(p: Project, feederId: number): UNetwork | null {
    const scripts = p.feederScripts(feederId);
    if (scripts?.model !== 'three-phase') return null;
    const hit = this.networkCache;
    if (hit && hit.project === p && hit.feederId === feederId) return hit.net;
    const { network } = networkOrThrow({ entry: scripts.entry, files: scripts.files });
    this.networkCache = { project: p, feederId, net: network };
    return network;
  }

  checkPartition(arg: CommandArg<'partition.check'>): CommandResult<'partition.check'> {
    const p = this.requireProject();
    const feeder = this.workableFeeder(p, arg.feederId, 'cut into areas');
    const net = this.threePhaseNetwork(p, arg.feederId);
    return net ? describePartition3(net, arg.cuts) : checkPartition(feeder, arg.cuts);
  }

  suggestPartition(arg: CommandArg<'partition.suggest'>): Partition {
    const p = this.requireProject();
    const feeder = this.workableFeeder(p, arg.feederId, 'cut into areas');
    try {
      const net = this.threePhaseNetwork(p, arg.feederId);
      return net ? suggestPartition3(net, arg.k) : suggestPartition(feeder, arg.k);
    } catch (err) {
      throw new ApiFailure('cannotPartition', (err as Error).message);
    }
  }

  bulkPlacements(arg: CommandArg<'placements.bulk'>): Scenario {
    const p = this.requireProject();
    const s = p.getScenario(arg.scenarioId);
    const feeder = withPlacements(this.workableFeeder(p, s.feederId, 'edited'), s.placements);
    const placements = applyBulkRule(feeder, s.placements, arg.rule);
    const next = p.updateScenario(s.id, {
      placements: { pv: placements.pv.map(stripShape), batteries: placements.batteries },
    });
    this.changed();
    return next;
  }

  closeAll(): void {
    this.close();
  }
}

// ---------------------------------------------------------------------------------------------

function stripShape<T extends { shape?: string }>(d: T): Omit<T, 'shape'> {
  const { shape: _shape, ...rest } = d;
  return rest;
}

function safeFileName(name: string): string {
  return (
    name
      .replace(/[^\p{L}\p{N} _.-]+/gu, '_')
      .trim()
      .slice(0, 100) || 'project'
  );
}

// ---------------------------------------------------------------------------------------------
// Example projects
// ---------------------------------------------------------------------------------------------

/**
 * Build an example's project file at `path` from its manifest: feeder, base case, study, areas.
 * The example is read by the solver's loader (src-solver/examples/project.ts, as `tessera pf`
 * and `tessera solve` read it); this adds the scenario's stored settings around it.
 */
export function buildExampleProject(dir: string, path: string): Project {
  const manifestFile = join(dir, 'example.json');
  let ex: ExampleProject;
  try {
    ex = loadExampleProject(readFileSync(manifestFile, 'utf8'), (rel) => readFileSync(join(dir, rel), 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ApiFailure('badExample', `example ${basename(dir)} (${dir}): ${why}`);
  }
  // The manifest's settings as the loader read them (only those given; its price is the series below).
  const { priceCentsPerKwh: _price, ...fromManifest } = ex.study;
  const study: StudySettings = {
    ...DEFAULT_STUDY,
    ...fromManifest,
    loadShape: ex.loadShape,
    pvShape: ex.pvShape,
    ...(ex.priceCentsPerKwh ? { priceCentsPerKwh: ex.priceCentsPerKwh } : {}),
  };
  const partition: Partition = { cuts: ex.cuts.map((c) => ({ from: c.from, to: c.to })) };
  if (partition.cuts.length > 0) {
    const check = checkPartition(ex.feeder, partition.cuts, study.periods);
    if (!check.ok)
      throw new ApiFailure(
        'badExample',
        `example ${basename(dir)}: its areas are not a valid partition: ${check.errors.join('; ')}`,
      );
  }
  const outcome = { feeder: ex.feeder, warnings: ex.importWarnings };
  const project = Project.create(path, ex.title);
  try {
    project.addFeeder(outcome.feeder, {
      source: `Example: ${basename(dir)}`,
      importReport: { format: 'reference-csv', warnings: outcome.warnings },
      study,
      partition,
    });
  } catch (err) {
    project.close();
    rmSync(path, { force: true });
    throw err;
  }
  return project;
}
