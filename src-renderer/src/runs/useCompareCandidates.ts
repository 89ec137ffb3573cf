/** Finished runs of every scenario of the feeder, loaded when the Compare view opens. */
import { useEffect, useState } from 'react';
import type { RunSummary, ScenarioSummary } from '../../../src-main/contract';
import { call } from '../api/transport';
import type { CompareCandidate } from '../compare/CompareView';

export function useCompareCandidates(
  active: boolean,
  scenarios: readonly ScenarioSummary[],
  scenarioId: number,
  runs: readonly RunSummary[],
) {
  const [candidates, setCandidates] = useState<CompareCandidate[]>([]);
  useEffect(() => {
    if (!active) return;
    let live = true;
    Promise.all(
      scenarios.map((s) =>
        call('runs.list', { scenarioId: s.id }).then(
          (l) => l.map((run) => ({ run, scenarioName: s.id === scenarioId ? `${s.name} (this scenario)` : s.name })),
          () => [] as CompareCandidate[],
        ),
      ),
    ).then((all) => live && setCandidates(all.flat().sort((a, b) => b.run.id - a.run.id)));
    return () => {
      live = false;
    };
  }, [active, scenarios, scenarioId, runs]);
  return candidates;
}
