/**
 * The three-phase side of the backend: a feeder's phases and import report (`feeders.phases`),
 * the base-case power flow (`basecase.run`, in a worker thread with progress and cancel), and the
 * refusal of siting studies on a three-phase feeder (OPF runs on it are the three-phase OPF,
 * runs/service.ts) — said plainly, with the explicit balanced equivalent offered, never a silent reduction.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCaseProgress, BaseCaseResult, CommandArg, FeederPhases, StudySettings } from '../../contract';
import { PER_PHASE_LABEL } from '../../../src-shared/threephase';
import { ApiFailure } from '../errors';
import type { Project } from '../store/project';
import type { StoredScriptReport } from './commit';
import { workerBaseCase, type RunBaseCase } from './run';

export interface ThreePhaseServiceOptions {
  readonly project: () => Project;
  readonly runBaseCase?: RunBaseCase;
  readonly onProgress?: (p: BaseCaseProgress) => void;
}

export class ThreePhaseService {
  private readonly running = new Map<string, AbortController>();
  private readonly runBaseCase: RunBaseCase;

  constructor(private readonly options: ThreePhaseServiceOptions) {
    this.runBaseCase = options.runBaseCase ?? workerBaseCase();
  }

  phases(arg: CommandArg<'feeders.phases'>): FeederPhases {
    const p = this.options.project();
    if (!p.hasFeeder(arg.id)) throw new ApiFailure('notFound', `No feeder with id ${arg.id} in this project`);
    const sc = p.feederScripts(arg.id);
    if (!sc) return { feederId: arg.id, model: 'balanced', entry: null, busPhases: {}, branchPhases: {}, report: null };
    const stored = (sc.report ?? {}) as Partial<StoredScriptReport>;
    return {
      feederId: arg.id,
      model: sc.model,
      entry: sc.entry,
      // The balanced equivalent's drawing is single-phase: its phases are not the three-phase ones.
      busPhases: sc.model === 'three-phase' ? (stored.busPhases ?? {}) : {},
      branchPhases: sc.model === 'three-phase' ? (stored.branchPhases ?? {}) : {},
      report: stored.report ?? null,
    };
  }

  /** `study`: the hours to solve, when not the scenario's own (a run's report: the run's settings). */
  async run(arg: CommandArg<'basecase.run'>, study?: StudySettings): Promise<BaseCaseResult> {
    const p = this.options.project();
    const scenario = p.getScenario(arg.scenarioId);
    const sc = p.feederScripts(scenario.feederId);
    const model = sc?.model ?? 'balanced';
    const requestId = arg.requestId ?? randomUUID();
    if (this.running.has(requestId))
      throw new ApiFailure('invalidArgument', `basecase.run: request ${requestId} is already running`);
    const controller = new AbortController();
    this.running.set(requestId, controller);
    try {
      return await this.runBaseCase(
        {
          scenarioId: scenario.id,
          feederId: scenario.feederId,
          model,
          mode: arg.mode,
          controls: arg.controls !== false,
          study: study ?? scenario.study,
          ...(model === 'three-phase'
            ? { scripts: { entry: sc!.entry, files: sc!.files } }
            : { feeder: p.getFeeder(scenario.feederId) }),
        },
        (stage, done, total) => this.options.onProgress?.({ requestId, stage, done, total }),
        controller.signal,
      );
    } finally {
      this.running.delete(requestId);
    }
  }

  cancel(arg: CommandArg<'basecase.cancel'>): null {
    this.running.get(arg.requestId)?.abort();
    return null;
  }

  /** Stop every running base case (project closed or switched). */
  closeAll(): void {
    for (const c of this.running.values()) c.abort();
  }

  /**
   * Siting studies need the balanced model (runs on a three-phase feeder are the three-phase OPF,
   * runs/service.ts): on a three-phase feeder they are refused with what to do instead.
   */
  refuseThreePhase(scenarioId: number, what: 'siting study'): void {
    const p = this.options.project();
    const scenario = p.getScenario(scenarioId);
    if (p.feederScripts(scenario.feederId)?.model !== 'three-phase') return;
    throw new ApiFailure(
      'unsupported',
      `This feeder is three-phase, and siting on the three-phase OPF is not available in the app yet (centralized runs are): a ${what} would have to reduce it. ` +
        `Its base-case power flow is three-phase (Power flow tab). To solve anyway, import the same scripts again and choose ` +
        `"balanced equivalent — ${PER_PHASE_LABEL}" (the CLI: tessera solve --balanced-equivalent).`,
    );
  }
}
