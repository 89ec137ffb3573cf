import { describe, expect, it } from 'vitest';
import type { RunDistributedInfo, RunRound } from '../src-main/contract';
import { coordinationFacts, coordinationOf, criticalPathCpuSeconds, publishedDifferenceText } from './coordination';

const round = (k: number, cpu?: number[]): RunRound => ({
  round: k,
  maxChangePu: 1e-3 / k,
  areaSeconds: [1, 2],
  ...(cpu ? { areaCpuSeconds: cpu } : {}),
  areaIterations: [10, 12],
  wallSeconds: 2.5,
});
const info = (over: Partial<RunDistributedInfo>): RunDistributedInfo => ({
  areas: [
    { id: 1, rootBus: '150', buses: 60 },
    { id: 2, rootBus: '117', buses: 70 },
  ],
  rounds: [round(1, [0.5, 1.5]), round(2, [0.75, 0.25])],
  converged: true,
  maxBoundaryChangePu: 5e-4,
  dampingFromRound: null,
  wallSeconds: 5,
  ...over,
});

describe('distributed coordination facts', () => {
  it('a run stored before the modes reads as exact; its critical path comes from the rounds (slowest area per round, summed)', () => {
    const d = info({});
    expect(coordinationOf(d)).toBe('exact');
    expect(criticalPathCpuSeconds(d)).toBe(1.5 + 0.75);
    expect(publishedDifferenceText(d)).toBeNull();
    expect(coordinationFacts(d).map(([k]) => k)).toEqual([
      'Coordination',
      'Areas / rounds',
      'Critical path (CPU)',
      'Wall time',
    ]);
  });

  it('the stored critical path wins; unmeasured CPU reads "not measured", never 0', () => {
    expect(criticalPathCpuSeconds(info({ criticalPathCpuSeconds: 9 }))).toBe(9);
    const old = info({ rounds: [round(1), round(2)] });
    expect(criticalPathCpuSeconds(old)).toBeNull();
    expect(coordinationFacts(old).find(([k]) => k === 'Critical path (CPU)')![1]).toBe('not measured');
    // A NaN stored by JSON as null in one area.
    expect(criticalPathCpuSeconds(info({ rounds: [round(1, [0.5, null as unknown as number])] }))).toBeNull();
  });

  it('published: always a difference line — measured against a centralized run, or saying there is none', () => {
    const measured = info({
      coordination: 'published',
      centralizedDifference: { runId: 7, maxRelDiff: 0.2, quantity: 'PV reactive energy' },
    });
    expect(publishedDifferenceText(measured)).toBe(
      'Published coordination differs from the centralized run #7 by up to 20.000 % (PV reactive energy).',
    );
    expect(coordinationFacts(measured).at(-1)![0]).toBe('Difference from centralized');
    const none = info({ coordination: 'published', centralizedDifference: null });
    expect(publishedDifferenceText(none)).toMatch(
      /does not reach the centralized optimum; run the same scenario centralized/,
    );
    expect(coordinationFacts(info({ converged: false }))[1]![1]).toBe('2 / 2 (not converged)');
  });
});
