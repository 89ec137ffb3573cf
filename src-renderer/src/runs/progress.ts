/**
 * Live progress of running solves, kept per run from the backend's 'run.progress' and
 * 'run.finished' events. One subscription for the whole renderer (started on first use), so a
 * run's progress keeps accumulating while the planner looks at another tab.
 */
import { useSyncExternalStore } from 'react';
import type { RunKind, RunProgress, RunRound, RunSummary } from '../../../src-main/contract';
import type { IterationRow } from '../../../src-shared/charts';
import { backend } from '../api/transport';

export interface AreaState {
  readonly id: number;
  readonly state: string;
  readonly detail: string;
  /** Solve time and iterations of the area in the last finished round. */
  readonly seconds: number | null;
  readonly iterations: number | null;
}

export interface LiveRun {
  readonly runId: number;
  readonly kind: RunKind;
  readonly phase: RunProgress['phase'];
  readonly elapsedSeconds: number;
  readonly iterations: readonly IterationRow[];
  readonly rounds: readonly RunRound[];
  readonly areas: readonly AreaState[];
  /** Set by 'run.finished'. */
  readonly finished: RunSummary | null;
}

/** Most iterations kept per run (an interior-point solve takes tens; restoration a few hundred). */
const MAX_ROWS = 3000;

/** Apply one progress event to a run's live state (pure: returns a new state). */
export function applyProgress(prev: LiveRun | undefined, p: RunProgress): LiveRun {
  const base: LiveRun = prev ?? {
    runId: p.runId,
    kind: p.kind,
    phase: p.phase,
    elapsedSeconds: 0,
    iterations: [],
    rounds: [],
    areas: [],
    finished: null,
  };
  let iterations = base.iterations;
  if (p.iteration) iterations = [...(iterations.length >= MAX_ROWS ? iterations.slice(1) : iterations), p.iteration];
  let rounds = base.rounds;
  let areas = base.areas;
  if (p.round) {
    const r = p.round;
    rounds = [...rounds.filter((x) => x.round !== r.round), r];
    // Areas are 1-based; the round's arrays are indexed by area - 1.
    const ids = new Set([...areas.map((a) => a.id), ...r.areaSeconds.map((_, i) => i + 1)]);
    areas = [...ids]
      .sort((a, b) => a - b)
      .map((id) => {
        const cur = areas.find((a) => a.id === id);
        return {
          id,
          state: cur?.state ?? 'solved',
          detail: cur?.detail ?? '',
          seconds: r.areaSeconds[id - 1] ?? cur?.seconds ?? null,
          iterations: r.areaIterations[id - 1] ?? cur?.iterations ?? null,
        };
      });
  }
  if (p.area) {
    const a = p.area;
    const cur = areas.find((x) => x.id === a.id);
    const next: AreaState = {
      id: a.id,
      state: a.state,
      detail: a.detail,
      seconds: cur?.seconds ?? null,
      iterations: cur?.iterations ?? null,
    };
    areas = [...areas.filter((x) => x.id !== a.id), next].sort((x, y) => x.id - y.id);
  }
  return {
    ...base,
    phase: p.phase,
    elapsedSeconds: Math.max(base.elapsedSeconds, p.elapsedSeconds),
    iterations,
    rounds,
    areas,
  };
}

let live = new Map<number, LiveRun>();
const listeners = new Set<() => void>();
let subscribed = false;

function notify(next: Map<number, LiveRun>) {
  live = next;
  for (const l of listeners) l();
}

function ensureSubscribed() {
  if (subscribed) return;
  subscribed = true;
  const api = backend();
  api.on('run.progress', (p) => {
    const next = new Map(live);
    next.set(p.runId, applyProgress(live.get(p.runId), p));
    notify(next);
  });
  api.on('run.finished', (s) => {
    const next = new Map(live);
    const cur = live.get(s.id);
    next.set(s.id, {
      ...(cur ?? {
        runId: s.id,
        kind: s.kind,
        phase: 'saving',
        elapsedSeconds: s.seconds ?? 0,
        iterations: [],
        rounds: [],
        areas: [],
      }),
      finished: s,
    });
    notify(next);
    for (const f of finishedListeners) f(s);
  });
}

const finishedListeners = new Set<(s: RunSummary) => void>();

/** Call `f` for every run that finishes from now on; returns the unsubscribe function. */
export function onRunFinished(f: (s: RunSummary) => void): () => void {
  ensureSubscribed();
  finishedListeners.add(f);
  return () => finishedListeners.delete(f);
}

function subscribe(l: () => void) {
  ensureSubscribed();
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Live state of every run seen since the renderer started. */
export function useLiveRuns(): ReadonlyMap<number, LiveRun> {
  return useSyncExternalStore(subscribe, () => live);
}

/** Start listening before a run starts, so its first iterations are not missed. */
export const startListening = ensureSubscribed;
