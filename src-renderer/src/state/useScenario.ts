/**
 * The open scenario with undo/redo and autosave: every edit is written with `scenarios.update`
 * at once (nothing waits for a save button, so a crash loses nothing) and recorded in History.
 * Edits are serialised: a second edit waits for the first write, so the store sees them in order.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Scenario } from '../../../src-main/contract';
import { call } from '../api/transport';
import { History, inversePatch, type ScenarioPatch } from './history';

export type SaveState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'failed'; message: string };

export interface ScenarioEditor {
  readonly scenario: Scenario | null;
  readonly loadError: string | null;
  readonly save: SaveState;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly undoLabel: string | null;
  readonly redoLabel: string | null;
  /** Apply and save a patch, recorded for undo under `label`. */
  edit(label: string, patch: ScenarioPatch): Promise<void>;
  /** Record an edit the backend already made (e.g. placements.bulk) so it can be undone. */
  record(label: string, before: Scenario, after: Scenario, keys: (keyof ScenarioPatch)[]): void;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

export function useScenario(scenarioId: number | null, onSaved?: (s: Scenario) => void): ScenarioEditor {
  const [scenario, setScenario] = useState<Scenario | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [, setVersion] = useState(0);
  const history = useRef(new History());
  const current = useRef<Scenario | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const savedCb = useRef(onSaved);
  savedCb.current = onSaved;

  useEffect(() => {
    history.current.clear();
    current.current = null;
    setScenario(null);
    setLoadError(null);
    setSave({ kind: 'idle' });
    if (scenarioId === null) return;
    let live = true;
    call('scenarios.get', { id: scenarioId }).then(
      (s) => {
        if (!live) return;
        current.current = s;
        setScenario(s);
      },
      (e: Error) => live && setLoadError(e.message),
    );
    return () => {
      live = false;
    };
  }, [scenarioId]);

  /** Write a patch; resolves false (and shows the stored state again) when the store refused it. */
  const write = useCallback((patch: ScenarioPatch): Promise<boolean> => {
    const run = async (): Promise<boolean> => {
      const s = current.current;
      if (!s) return false;
      // Optimistic: show the edit now, then take the store's answer.
      const optimistic = { ...s, ...patch } as Scenario;
      current.current = optimistic;
      setScenario(optimistic);
      setSave({ kind: 'saving' });
      try {
        const saved = await call('scenarios.update', { id: s.id, patch });
        current.current = saved;
        setScenario(saved);
        setSave({ kind: 'saved', at: new Date() });
        savedCb.current?.(saved);
        return true;
      } catch (e) {
        // The store keeps what it had: show that again rather than an edit that does not exist.
        current.current = s;
        setScenario(s);
        setSave({ kind: 'failed', message: (e as Error).message });
        return false;
      }
    };
    const next = queue.current.then(run, run);
    queue.current = next.then(() => undefined);
    return next;
  }, []);

  const bump = () => setVersion((v) => v + 1);

  const edit = useCallback(
    async (label: string, patch: ScenarioPatch) => {
      const s = current.current;
      if (!s) return;
      history.current.push({ label, undo: inversePatch(s, patch), redo: patch });
      bump();
      if (!(await write(patch))) {
        history.current.dropLast();
        bump();
      }
    },
    [write],
  );

  const record = useCallback((label: string, before: Scenario, after: Scenario, keys: (keyof ScenarioPatch)[]) => {
    const undo: Record<string, unknown> = {};
    const redo: Record<string, unknown> = {};
    for (const k of keys) {
      undo[k] = before[k];
      redo[k] = after[k];
    }
    history.current.push({ label, undo: undo as ScenarioPatch, redo: redo as ScenarioPatch });
    current.current = after;
    setScenario(after);
    setSave({ kind: 'saved', at: new Date() });
    savedCb.current?.(after);
    bump();
  }, []);

  const undo = useCallback(async () => {
    const e = history.current.undo();
    bump();
    if (e) await write(e.undo);
  }, [write]);
  const redo = useCallback(async () => {
    const e = history.current.redo();
    bump();
    if (e) await write(e.redo);
  }, [write]);

  const h = history.current;
  return {
    scenario,
    loadError,
    save,
    canUndo: h.canUndo,
    canRedo: h.canRedo,
    undoLabel: h.nextUndoLabel,
    redoLabel: h.nextRedoLabel,
    edit,
    record,
    undo,
    redo,
  };
}
