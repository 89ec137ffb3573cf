/**
 * The base-case power flow of the open scenario: started with `run`, solved in the backend's
 * worker thread with progress per period, cancellable; the result stays until the scenario
 * changes (the network view colours its buses from it).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BaseCaseProgress, BaseCaseResult } from '../../../src-main/contract';
import { backend, call } from '../api/transport';

export interface BaseCaseState {
  readonly result: BaseCaseResult | null;
  readonly running: boolean;
  readonly progress: BaseCaseProgress | null;
  readonly error: string | null;
  run(mode: 'snapshot' | 'daily', controls: boolean): Promise<void>;
  cancel(): void;
}

export function useBaseCase(scenarioId: number | null): BaseCaseState {
  const [result, setResult] = useState<BaseCaseResult | null>(null);
  const [progress, setProgress] = useState<BaseCaseProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const request = useRef<string | null>(null);

  useEffect(() => {
    setResult(null);
    setError(null);
  }, [scenarioId]);

  const run = useCallback(
    async (mode: 'snapshot' | 'daily', controls: boolean) => {
      if (scenarioId === null) return;
      const requestId = `basecase-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      request.current = requestId;
      setRunning(true);
      setError(null);
      setProgress(null);
      const off = backend().on('basecase.progress', (p) => {
        if (p.requestId === requestId) setProgress(p);
      });
      try {
        const r = await call('basecase.run', { scenarioId, mode, controls, requestId });
        if (request.current === requestId) setResult(r);
      } catch (e) {
        if (request.current === requestId) setError((e as Error).message);
      } finally {
        off();
        if (request.current === requestId) {
          request.current = null;
          setRunning(false);
          setProgress(null);
        }
      }
    },
    [scenarioId],
  );

  const cancel = useCallback(() => {
    if (request.current) void call('basecase.cancel', { requestId: request.current });
  }, []);

  return { result, running, progress, error, run, cancel };
}
