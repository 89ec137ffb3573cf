/**
 * The backend: plain Node, no Electron. It owns everything behind the UI (project store, job
 * runner, report rendering as later issues add them) and answers the commands of contract.ts.
 * Adapters expose it: the Electron main process over IPC (src-main/electron), and the Node host
 * over a local WebSocket (src-main/backend/host.ts) for development and end-to-end tests.
 */
import { join } from 'node:path';
import { solverInfo } from '../../src-solver/version';
import type { CommandArg, CommandName, CommandResult, EventName, Events, Result } from '../contract';
import { ApiFailure, toApiError } from './errors';
import { JsonText } from './json-text';
import { listExamples } from './examples';
import { ProjectService } from './handlers/projects';
import { runValidators } from './handlers/runs';
import { projectValidators } from './handlers/validators';
import type { RunImport } from './import/run';
import { nodeAreaTransport } from './jobs/node-area-transport';
import type { SpawnSitingWorker } from './jobs/siting-pool';
import { chromiumRenderPdf, type RenderPdf } from './report/chromium';
import { ReportService } from './report/service';
import { RunService } from './runs/service';
import { SitingService, sitingValidators } from './siting/service';
import type { RunBaseCase } from './threephase/run';
import { ThreePhaseService } from './threephase/service';
import type { RunThreePhaseOpf } from './threephase/opf-run';
import type { SpawnArea } from '../../src-solver/enapp/protocol';

export interface BackendOptions {
  /** Folder holding `examples/` (the repository's `resources/`, or the packaged app's). */
  readonly resourcesDir: string;
  /** Where user data lives (projects, recent list). */
  readonly dataDir: string;
  readonly host: 'electron' | 'node-host';
  /**
   * Starts one solver process per area (a centralized run is one area). Electron main:
   * `utilityAreaTransport()`; Node host, CLI, tests: `nodeAreaTransport()` (the default).
   */
  readonly spawnArea?: SpawnArea;
  /** Builds import previews; default a worker thread running the TypeScript entry (desktop: the bundled one). */
  readonly runImport?: RunImport;
  /** Host mode: project paths from clients must lie inside this folder (the data folder). */
  readonly pathRoot?: string;
  /** Starts one siting solver process. Electron main: `utilitySitingWorker`; default a Node child process. */
  readonly spawnSitingWorker?: SpawnSitingWorker;
  /** Memory the siting study's solver processes may use in all, bytes; default 80 % of the machine's. */
  readonly sitingMemoryBytes?: number;
  /** Prints the report's HTML to PDF. Electron: `webContents.printToPDF`; default: Chromium via playwright-core. */
  readonly renderPdf?: RenderPdf;
  /** Runs the base-case power flow; default a worker thread (threephase/run.ts). */
  readonly runBaseCase?: RunBaseCase;
  /** Three-phase OPF runs (default: a worker thread; tests pass `inlineThreePhaseOpf`). */
  readonly runThreePhaseOpf?: RunThreePhaseOpf;
  /** The largest feeder (buses) the app draws and edits (default NETWORK_VIEW_MAX_BUSES, handlers/projects.ts). */
  readonly networkViewMaxBuses?: number;
}

/** A handler's value, or JsonText standing for it (passed on unparsed by the adapters). */
type Handler<K extends CommandName> = (
  arg: CommandArg<K>,
) => Promise<CommandResult<K> | JsonText> | CommandResult<K> | JsonText;
type Handlers = { [K in CommandName]: Handler<K> };
type Validators = { [K in CommandName]: (arg: unknown) => CommandArg<K> };

function expectNull(command: string) {
  return (arg: unknown): null => {
    if (arg !== null && arg !== undefined) {
      throw new ApiFailure('invalidArgument', `${command} takes no argument`);
    }
    return null;
  };
}

/** Every command's argument is validated here before any handler sees it. */
const validators: Validators = {
  'app.info': expectNull('app.info'),
  'examples.list': expectNull('examples.list'),
  ...projectValidators,
  ...runValidators,
  ...sitingValidators,
};

export class Backend {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<(event: EventName, payload: unknown) => void>();
  private readonly handlers: Handlers;
  /** The open project and everything done to it (handlers/projects.ts). */
  readonly projects: ProjectService;
  /** Solves in area processes, the run list, comparisons, exports (runs/service.ts). */
  readonly runs: RunService;
  readonly reports: ReportService;
  /** BESS siting studies (siting/service.ts). */
  readonly siting: SitingService;
  /** Three-phase feeders: phases, base-case power flow, refusals (threephase/service.ts). */
  readonly threePhase: ThreePhaseService;

  constructor(readonly options: BackendOptions) {
    const examplesDir = join(options.resourcesDir, 'examples');
    const projects = (this.projects = new ProjectService({
      dataDir: options.dataDir,
      examplesDir,
      ...(options.pathRoot === undefined ? {} : { pathRoot: options.pathRoot }),
      onChanged: (path) => this.emit('project.changed', { path }),
      onImportProgress: (p) => this.emit('import.progress', p),
      // Opening another project cancels runs on the current one (kept as cancelled in its file).
      beforeSwitch: () => this.runs.closeAll(),
      ...(options.runImport === undefined ? {} : { runImport: options.runImport }),
      ...(options.networkViewMaxBuses === undefined ? {} : { networkViewMaxBuses: options.networkViewMaxBuses }),
    }));
    const runs = (this.runs = new RunService({
      project: () => projects.requireProject(),
      spawnArea: options.spawnArea ?? nodeAreaTransport(),
      ...(options.runThreePhaseOpf === undefined ? {} : { runThreePhaseOpf: options.runThreePhaseOpf }),
      emit: (event, payload) => this.emit(event, payload),
    }));
    const reports = (this.reports = new ReportService({
      project: () => projects.requireProject(),
      runs,
      renderPdf: options.renderPdf ?? chromiumRenderPdf(),
      dataDir: options.dataDir,
      baseCase: (scenarioId, study) => this.threePhase.run({ scenarioId, mode: 'daily' }, study),
    }));
    const siting = (this.siting = new SitingService({
      project: () => projects.requireProject(),
      yearDir: join(options.resourcesDir, 'year-profiles'),
      ...(options.spawnSitingWorker ? { spawnWorker: options.spawnSitingWorker } : {}),
      ...(options.sitingMemoryBytes !== undefined ? { memoryBytes: options.sitingMemoryBytes } : {}),
      emit: (event, payload) => this.emit(event, payload),
      startRun: (scenarioId, variant) => runs.start({ scenarioId, kind: 'centralized' }, variant),
    }));
    const threePhase = (this.threePhase = new ThreePhaseService({
      project: () => projects.requireProject(),
      onProgress: (p) => this.emit('basecase.progress', p),
      ...(options.runBaseCase === undefined ? {} : { runBaseCase: options.runBaseCase }),
    }));
    this.handlers = {
      'app.info': () => ({ solver: solverInfo(), host: options.host, examples: listExamples(examplesDir) }),
      'examples.list': () => listExamples(examplesDir),
      'projects.recent': () => projects.recent(),
      'projects.create': (a) => projects.create(a),
      'projects.open': (a) => projects.open(a),
      'projects.openExample': (a) => projects.openExample(a),
      'projects.current': () => projects.current(),
      'projects.saveAs': (a) => projects.saveAs(a),
      // File dialogs are the Electron main process's (src-main/electron/main.ts answers these
      // itself); a backend reached any other way has none.
      'projects.openDialog': () => {
        throw new ApiFailure(
          'unsupported',
          'Opening a project file by dialog needs the desktop app; here, pick one from the recent list',
        );
      },
      'projects.saveAsDialog': () => {
        throw new ApiFailure('unsupported', 'Save As by dialog needs the desktop app');
      },
      'projects.close': async (a) => {
        // A run going: ask first; then cancel it cleanly (its record stays, as cancelled).
        const running = runs.activeRuns();
        if (running.length > 0) {
          if (a?.confirm !== true)
            throw new ApiFailure(
              'confirmRequired',
              `${running.length === 1 ? 'A run is' : `${running.length} runs are`} still going: closing the project cancels ${running.length === 1 ? 'it' : 'them'}. Close anyway?`,
              { runs: running },
            );
          await runs.closeAll();
        }
        return projects.close();
      },
      'projects.update': (a) => projects.update(a),
      'projects.setLogo': (a) => projects.setLogo(a),
      'projects.logo': () => projects.logo(),
      'projects.logoDialog': () => {
        throw new ApiFailure('unsupported', 'Picking a logo by dialog needs the desktop app; here, upload the file');
      },
      'import.preview': (a) => projects.importPreview(a),
      'import.commit': (a) => projects.importCommit(a),
      'import.cancel': (a) => projects.cancelImport(a),
      'feeders.get': (a) => projects.getFeederJson(a),
      'feeders.delete': (a) => projects.deleteFeeder(a),
      'scenarios.get': (a) => projects.getScenario(a),
      'scenarios.update': (a) => projects.updateScenario(a),
      'scenarios.duplicate': (a) => projects.duplicateScenario(a),
      'scenarios.delete': (a) => projects.deleteScenario(a),
      'partition.check': (a) => projects.checkPartition(a),
      'partition.suggest': (a) => projects.suggestPartition(a),
      'placements.bulk': (a) => projects.bulkPlacements(a),
      'feeders.phases': (a) => threePhase.phases(a),
      'basecase.run': (a) => threePhase.run(a),
      'basecase.cancel': (a) => threePhase.cancel(a),
      // On a three-phase feeder the run service runs the three-phase OPF (centralized only).
      'runs.start': (a) => {
        projects.assertWorkableScenario(a.scenarioId, 'solved in the app');
        return runs.start(a);
      },
      'runs.cancel': (a) => runs.cancel(a),
      'runs.list': (a) => runs.list(a),
      'runs.get': (a) => runs.get(a),
      'runs.branchSeries': (a) => runs.branchSeries(a),
      'runs.delete': (a) => runs.delete(a),
      'runs.rename': (a) => runs.rename(a),
      'runs.compare': (a) => runs.compare(a),
      'runs.export': (a) => runs.export(a),
      'report.pdf': (a) => reports.pdf(a),
      'siting.start': (a) => {
        projects.assertWorkableScenario(a.scenarioId, 'sited in the app');
        return siting.start(a);
      },
      'siting.cancel': (a) => siting.cancel(a),
      'siting.list': (a) => siting.list(a),
      'siting.get': (a) => siting.get(a),
      'siting.openRun': (a) => siting.openRun(a),
    };
  }

  /**
   * Run one command; never throws — failures come back as `{ ok: false, error }`. A value the
   * handler gave as JSON text (JsonText: `feeders.get`) comes back parsed, for in-process callers
   * (tests, tools); the adapters use `handleRaw` and pass such text on unparsed.
   */
  async handle(command: string, arg: unknown): Promise<Result<unknown>> {
    const r = await this.handleRaw(command, arg);
    return r.ok && r.value instanceof JsonText ? { ok: true, value: JSON.parse(r.value.text) as unknown } : r;
  }

  /** `handle` for the adapters (host.ts, the Electron main process): a value may be JsonText, to pass on as it is. */
  async handleRaw(command: string, arg: unknown): Promise<Result<unknown>> {
    try {
      if (!Object.hasOwn(this.handlers, command)) {
        throw new ApiFailure('unknownCommand', `Unknown command "${command}"`);
      }
      const name = command as CommandName;
      const checked = validators[name](arg);
      const handler = this.handlers[name] as (a: unknown) => unknown;
      return { ok: true, value: await handler(checked) };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  }

  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<K extends EventName>(event: K, payload: Events[K]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: Events[K]) => void)(payload);
    for (const l of this.anyListeners) l(event, payload);
  }

  /** Listen to every event (adapters forward them all). */
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  /** Cancels running solves (their processes are killed), then closes the project. */
  close(): void {
    void this.runs.closeAll();
    void this.siting.closeAll();
    this.threePhase.closeAll();
    this.projects.closeAll();
    this.listeners.clear();
    this.anyListeners.clear();
  }
}
