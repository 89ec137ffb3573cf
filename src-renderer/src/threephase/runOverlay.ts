/**
 * Which three-phase run's voltages the network view colours (instead of the base case's): set
 * from a run's per-phase panel (ThreePhaseRun), read by the workspace. A tiny external store so
 * the runs screen and the workspace need not pass it through each other.
 */
import { useSyncExternalStore } from 'react';
import type { PhaseVoltages } from '../../../src-shared/basecase';

export interface RunOverlay {
  readonly runId: number;
  readonly label: string;
  readonly voltages: PhaseVoltages;
  readonly period: number;
}

let current: RunOverlay | null = null;
const listeners = new Set<() => void>();

export function setRunOverlay(next: RunOverlay | null): void {
  current = next;
  for (const l of listeners) l();
}

export function useRunOverlay(): RunOverlay | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
