/**
 * Entry of one siting solver process: evaluates (configuration, horizon part) OPFs for the siting
 * study (src-solver/siting/evaluate.ts `solvePart`), one at a time, for the pool in
 * src-main/backend/jobs/siting-pool.ts. Runs under `child_process.fork` (process.send) or as an
 * Electron utility process (process.parentPort).
 *
 * Messages in:  { type: 'init', feeder, baseStudy, horizon, batteryOptions }
 *               { type: 'solve', id, specs, part, wantLmp }
 * Messages out: { type: 'result', id, outcome } | { type: 'error', id, message }
 */
import type { Feeder } from '../model/feeder';
import type { Study } from '../opf/study';
import type { BatteryOptions, BatterySpec } from '../siting/battery';
import { createSolverWorkspace } from '../nlp/index';
import { solvePart, type Horizon } from '../siting/evaluate';
import { processParentProbe, watchParent } from './parent-watch';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export type ToSitingWorker =
  | { type: 'init'; feeder: Feeder; baseStudy: Study; horizon: Horizon; batteryOptions: BatteryOptions }
  | { type: 'solve'; id: number; specs: BatterySpec[]; part: number; wantLmp: boolean };

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const post = (m: unknown): void => {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
};

let ctx: Extract<ToSitingWorker, { type: 'init' }> | null = null;
/** The KKT structure of the last configuration solved: the next part of the same configuration reuses it. */
const workspace = createSolverWorkspace();

function handle(msg: ToSitingWorker): void {
  if (msg.type === 'init') {
    ctx = msg;
    return;
  }
  try {
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
