/**
 * Entry of one siting solver process: evaluates (configuration, horizon part) OPFs for the siting
 * study (src-solver/siting/evaluate.ts `solvePart`), one at a time, for the pool in
 * src-main/backend/jobs/siting-pool.ts. Runs under `child_process.fork` (process.send) or as an
 * Electron utility process (process.parentPort).
 *
 * Messages in:  { type: 'init', feeder, baseStudy, horizon, batteryOptions }   (balanced OPF)
 *               { type: 'init3', scripts, baseStudy, horizon, options }         (three-phase OPF)
 *               { type: 'solve', id, specs, part, wantLmp }
 * Messages out: { type: 'result', id, outcome } | { type: 'error', id, message }
 */
import type { Feeder } from '../model/feeder';
import type { Study } from '../opf/study';
import type { BatteryOptions, BatterySpec } from '../siting/battery';
import { createSolverWorkspace } from '../nlp/index';
import { solvePart, type Horizon, type PartOutcome } from '../siting/evaluate';
import { solveThreePhasePart, type ThreePhasePartOptions } from '../siting/threephase';
import { importUnbalanced } from '../unbalanced/import';
import type { UNetwork } from '../unbalanced/model';
import { solveUnbalanced } from '../unbalanced/solve';
import { processParentProbe, watchParent } from './parent-watch';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** A three-phase feeder's OpenDSS scripts: the entry script's path and every file's text by the path the importer asks for. */
export interface ThreePhaseFeederScripts {
  readonly entry: string;
  readonly files: Readonly<Record<string, string>>;
  /** Keep the scripts' taps and capacitor states instead of the nominal-load power flow's. */
  readonly controlsOff?: boolean;
}

export type ToSitingWorker =
  | { type: 'init'; feeder: Feeder; baseStudy: Study; horizon: Horizon; batteryOptions: BatteryOptions }
  | {
      type: 'init3';
      scripts: ThreePhaseFeederScripts;
      baseStudy: Study;
      horizon: Horizon;
      options: ThreePhasePartOptions;
    }
  | { type: 'solve'; id: number; specs: BatterySpec[]; part: number; wantLmp: boolean };

/**
 * The three-phase feeder of the scripts with its taps and capacitor states set as the CLI's and
 * the app's three-phase runs set them (the nominal-load power flow with controls acting), or an
 * error naming the first problems.
 */
export function threePhaseNetworkOf(scripts: ThreePhaseFeederScripts): UNetwork {
  const out = importUnbalanced(scripts.entry, (path) => {
    const text = Object.hasOwn(scripts.files, path) ? scripts.files[path] : undefined;
    if (text === undefined) throw new Error('no such file among the feeder scripts');
    return text;
  });
  if (!out.ok)
    throw new Error(
      `the feeder's scripts do not read: ${out.errors
        .slice(0, 5)
        .map((e) => `${e.file}:${e.line}: ${e.message}`)
        .join('; ')}`,
    );
  const pf = solveUnbalanced(out.network, { controls: !scripts.controlsOff }).periods[0];
  if (!pf?.converged)
    throw new Error('the snapshot power flow that sets the regulators and capacitors did not converge');
  return out.network;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const post = (m: unknown): void => {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
};

let ctx: Extract<ToSitingWorker, { type: 'init' }> | null = null;
let ctx3: { init: Extract<ToSitingWorker, { type: 'init3' }>; net: UNetwork | null } | null = null;
/** The KKT structure of the last configuration solved: the next part of the same configuration reuses it. */
const workspace = createSolverWorkspace();

function handle(msg: ToSitingWorker): void {
  if (msg.type === 'init') {
    ctx = msg;
    return;
  }
  if (msg.type === 'init3') {
    // the network is built on the first task, so a bad script is reported as that task's error
    ctx3 = { init: msg, net: null };
    return;
  }
  try {
    if (ctx3) {
      ctx3.net ??= threePhaseNetworkOf(ctx3.init.scripts);
      const { baseStudy, horizon, options } = ctx3.init;
      const outcome: PartOutcome = solveThreePhasePart(
        ctx3.net,
        baseStudy,
        horizon,
        msg.specs,
        msg.part,
        msg.wantLmp,
        options,
        workspace,
      );
      post({ type: 'result', id: msg.id, outcome });
      return;
    }
    if (!ctx) throw new Error('solve before init');
    post({
      type: 'result',
      id: msg.id,
      outcome: solvePart(
        ctx.feeder,
        ctx.baseStudy,
        ctx.horizon,
        ctx.batteryOptions,
        msg.specs,
        msg.part,
        msg.wantLmp,
        workspace,
      ),
    });
  } catch (err) {
    post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
  }
}

if (parentPort) parentPort.on('message', (e) => handle(e.data as ToSitingWorker));
else process.on('message', (m) => handle(m as ToSitingWorker));
// Never outlive the parent, under fork or as a utility process (parent-watch.ts).
watchParent(processParentProbe(parentPort !== undefined), () => process.exit(0));
