/** Live run state from progress events: what the run panel shows while a solve is under way. */
import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src-main/contract';
import { applyProgress, type LiveRun } from './progress';

const ev = (p: Partial<RunProgress>): RunProgress => ({
  runId: 7,
  kind: 'distributed',
  phase: 'solving',
  elapsedSeconds: 0,
  ...p,
});

function fold(events: RunProgress[]): LiveRun {
  let s: LiveRun | undefined;
  for (const e of events) s = applyProgress(s, e);
  return s!;
}

describe('applyProgress', () => {
  it('appends interior-point iterations in order and keeps the latest phase and elapsed time', () => {
    const s = fold([
      ev({ kind: 'centralized', phase: 'building', elapsedSeconds: 0.1 }),
      ev({
        kind: 'centralized',
        iteration: { iter: 0, objective: 10, infPr: 1, infDu: 1, lgMu: -1 },
        elapsedSeconds: 0.2,
      }),
      ev({
        kind: 'centralized',
        iteration: { iter: 1, objective: 9, infPr: 0.1, infDu: 0.5, lgMu: -2 },
        elapsedSeconds: 0.3,
      }),
      ev({ kind: 'centralized', phase: 'validating', elapsedSeconds: 0.25 }),
    ]);
    expect(s.iterations.map((r) => r.iter)).toEqual([0, 1]);
    expect(s.phase).toBe('validating');
    expect(s.elapsedSeconds).toBe(0.3); // elapsed never goes backwards when events arrive out of order
  });

  it('tracks each area’s state, and its time and iterations from the finished rounds', () => {
    const s = fold([
      ev({ area: { id: 2, state: 'started', detail: '' } }),
      ev({ area: { id: 1, state: 'solving', detail: 'round 1' } }),
      ev({
        round: {
          round: 1,
          maxChangePu: 0.05,
          areaSeconds: [1.5, 2.5, 0.5],
          areaIterations: [20, 30, 10],
          wallSeconds: 2.6,
        },
      }),
      ev({ area: { id: 3, state: 'failed', detail: 'area 3 solver stopped: exit code 1' } }),
    ]);
    expect(s.areas.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(s.areas[1]).toMatchObject({ id: 2, state: 'started', seconds: 2.5, iterations: 30 });
    expect(s.areas[2]).toMatchObject({
      state: 'failed',
      detail: 'area 3 solver stopped: exit code 1',
      seconds: 0.5,
      iterations: 10,
    });
  });

  it('replaces a round reported twice instead of drawing it twice', () => {
    const r = { maxChangePu: 0.1, areaSeconds: [1], areaIterations: [5], wallSeconds: 1 };
    const s = fold([
      ev({ round: { round: 1, ...r } }),
      ev({ round: { round: 2, ...r, maxChangePu: 0.01 } }),
      ev({ round: { round: 2, ...r, maxChangePu: 0.009 } }),
    ]);
    expect(s.rounds.map((x) => [x.round, x.maxChangePu])).toEqual([
      [1, 0.1],
      [2, 0.009],
    ]);
  });
});
