/** The selected finished run's full record (runs.get), with how long fetching and drawing took. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunDetail, RunStatus } from '../../../src-main/contract';
import { call } from '../api/transport';

export function useRunDetail(runId: number | null, status: RunStatus | undefined) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [timing, setTiming] = useState<{ fetchMs: number; openMs: number | null } | null>(null);
  const openedAt = useRef(0);

  useEffect(() => {
    setDetail(null);
    setError(null);
    setTiming(null);
    if (runId === null || status === undefined || status === 'running') return;
    let live = true;
    const t0 = performance.now();
    openedAt.current = t0;
    call('runs.get', { runId }).then(
      (d) => {
        if (!live) return;
        setTiming({ fetchMs: performance.now() - t0, openMs: null });
        setDetail(d);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [runId, status]);

  /** The Overview has drawn every chart: the time from selecting the run to a usable view. */
  const onReady = useCallback(() => {
    setTiming((t) => (t && t.openMs === null ? { ...t, openMs: performance.now() - openedAt.current } : t));
  }, []);

  return { detail, error, timing, onReady };
}
