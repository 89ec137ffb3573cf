/**
 * Areas called in-process for tests: a SpawnArea whose transport calls the same solver factories
 * an area process uses (`enapp/registry.ts`), one message at a time on the event loop, so a suite
 * exercises the coordinator's real protocol without starting processes.
 */
import type { AreaSolver, AreaTransport, FromArea, SpawnArea, ToArea } from '../../enapp/protocol';
import { areaSolverFactories } from '../../enapp/registry';

/** The host's timer (this module is pure ECMAScript: no Node or DOM typings), for a macrotask per message. */
const later = (f: () => void): unknown =>
  (globalThis as unknown as { setTimeout(f: () => void, ms: number): unknown }).setTimeout(f, 0);

export const inProcessAreas: SpawnArea = () => {
  let listener: (m: FromArea) => void = () => undefined;
  let solver: AreaSolver | null = null;
  let area = 0;
  const t: AreaTransport = {
    send: (m: ToArea) =>
      later(() => {
        try {
          if (m.type === 'init') {
            area = m.area;
            solver = areaSolverFactories[m.kind]!(m.spec);
            listener({ type: 'ready', area });
          } else if (m.type === 'solve') {
            listener({ type: 'result', area, round: m.round, ...solver!.solve(m.inputs, m.round, {}) });
          }
        } catch (err) {
          listener({ type: 'error', area, round: m.type === 'solve' ? m.round : null, message: String(err) });
        }
      }),
    onMessage: (l) => (listener = l),
    onExit: () => undefined,
    terminate: async () => undefined,
  };
  return t;
};
