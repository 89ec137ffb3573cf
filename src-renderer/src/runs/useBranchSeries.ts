/**
 * A run with its per-branch series (runs.branchSeries), fetched when a view needs them: runs.get
 * leaves them out, so opening a large run stays fast. Null until they have arrived.
 */
import { useEffect, useState } from 'react';
import type { RunDetail } from '../../../src-main/contract';
import { call } from '../api/transport';

export async function withBranchSeries(run: RunDetail): Promise<RunDetail> {
  if (run.branchNames.length === 0) return run;
  const { series } = await call('runs.branchSeries', { runId: run.id });
  return { ...run, series: { ...run.series, ...series } };
}

export function useWithBranchSeries(run: RunDetail): { run: RunDetail | null; error: string | null } {
  const [state, setState] = useState<{ run: RunDetail | null; error: string | null }>({ run: null, error: null });
  useEffect(() => {
    let live = true;
    setState({ run: null, error: null });
    withBranchSeries(run).then(
      (r) => live && setState({ run: r, error: null }),
      (e: Error) => live && setState({ run: null, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [run]);
  return state;
}
