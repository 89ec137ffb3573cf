/**
 * The runs of a scenario: the stored list (newest first), kept current by the backend's
 * run-finished events and, while anything runs, by polling (a lost event must not leave a
 * finished run looking as if it were still running); start, cancel and delete.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunCoordination, RunKind, RunSummary } from '../../../src-main/contract';
import { call } from '../api/transport';
import { onRunFinished, startListening } from './progress';

export function useRuns(scenarioId: number) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<Set<number>>(new Set());

  // Every list change counts: a list reply asked for before a later change (another refresh, or a
  // run just started) is stale and is dropped, or a reply that lost the race with a start click
  // would take the started run out of the list and its live panel with it.
  const generation = useRef(0);

  /** The stored list, fetched again and shown unless a later change superseded it; resolves to it, or to null on an error. */
  const refresh = useCallback(async () => {
    const asked = ++generation.current;
    try {
      const list = await call('runs.list', { scenarioId });
      if (asked !== generation.current) return list;
      setRuns([...list].sort((a, b) => b.id - a.id));
      setListError(null);
      return list;
    } catch (e) {
      if (asked === generation.current) setListError((e as Error).message);
      return null;
    }
  }, [scenarioId]);

  const dropCancelling = (id: number) =>
    setCancelling((c) => {
      const n = new Set(c);
      n.delete(id);
      return n;
    });

  // A run finished: refresh the list (the selected run's new status loads its results).
  useEffect(
    () =>
      onRunFinished((s) => {
        if (s.scenarioId !== scenarioId) return;
        setRuns((cur) => cur.map((r) => (r.id === s.id ? s : r)));
        dropCancelling(s.id);
        void refresh();
      }),
    [scenarioId, refresh],
  );

  const anyRunning = runs.some((r) => r.status === 'running');
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, [anyRunning, refresh]);

  /** Start a run; a distributed one with its coordination (absent: the backend's default, exact). */
  const start = async (kind: RunKind, coordination?: RunCoordination): Promise<RunSummary> => {
    startListening();
    const r = await call('runs.start', {
      scenarioId,
      kind,
      ...(kind === 'distributed' && coordination ? { coordination } : {}),
    });
    generation.current++;
    setRuns((cur) => [r, ...cur.filter((x) => x.id !== r.id)]);
    return r;
  };

  const cancel = async (runId: number): Promise<void> => {
    setCancelling((c) => new Set(c).add(runId));
    try {
      await call('runs.cancel', { runId });
    } catch (e) {
      dropCancelling(runId);
      throw e;
    }
  };

  const remove = async (runId: number): Promise<void> => {
    await call('runs.delete', { runId, confirm: true });
    await refresh();
  };

  return { runs, setRuns, listError, refresh, cancelling, start, cancel, remove };
}
