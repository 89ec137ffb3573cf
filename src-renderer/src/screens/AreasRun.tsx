/**
 * The Areas panel's run button: start a distributed (ENApp) run of the scenario over its areas,
 * choosing the coordination — 'exact' (boundary values and prices exchanged: the centralized
 * optimum) or 'published' (the source papers' value-only exchange: fewer rounds, a different
 * point, shown with its difference from a centralized run). The run opens in the Runs tab.
 */
import { useState } from 'react';
import type { RunCoordination } from '../../../src-main/contract';

export function AreasRun({
  areaCount,
  valid,
  saving,
  onRun,
}: {
  areaCount: number;
  /** The partition is valid (the backend's check, or the local one while it runs). */
  valid: boolean;
  /** An edit of the scenario is still being saved (the run would read the stored areas). */
  saving: boolean;
  onRun: (coordination: RunCoordination) => Promise<void>;
}) {
  const [coordination, setCoordination] = useState<RunCoordination>('exact');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const why =
    areaCount < 2
      ? 'Cut the feeder into areas first'
      : !valid
        ? 'Fix the partition first'
        : saving
          ? 'Saving the areas…'
          : null;
  return (
    <form
      className="inline-form areas-run"
      data-testid="areas-run"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setBusy(true);
        try {
          await onRun(coordination);
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Coordination
        <select
          aria-label="Coordination"
          value={coordination}
          onChange={(e) => setCoordination(e.target.value as RunCoordination)}
          title="Exact: values and prices exchanged, converges to the centralized optimum. Published: the source papers' value-only exchange, fewer rounds, not the centralized optimum."
        >
          <option value="exact">exact (centralized optimum)</option>
          <option value="published">published (source papers)</option>
        </select>
      </label>
      <button
        type="submit"
        className="primary"
        disabled={busy || why !== null}
        title={why ?? `ENApp over ${areaCount} areas, one solver process per area`}
      >
        {busy ? 'Starting…' : `Run distributed (${areaCount} areas)`}
      </button>
      {error && (
        <p className="bad small" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
