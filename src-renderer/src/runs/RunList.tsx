/** The Runs tab's left column: start a centralized or distributed run, and the scenario's stored runs. */
import { useState } from 'react';
import type { RunCoordination, RunStatus, RunSummary, Scenario } from '../../../src-main/contract';
import { runLabel } from '../../../src-shared/charts';
import { formatInUnit, formatSeconds, plural } from '../../../src-shared/format';

export const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'running',
  solved: 'solved',
  acceptable: 'acceptable',
  infeasible: 'infeasible',
  maxIterations: 'iteration limit',
  notConverged: 'not converged',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const statusClass = (s: RunStatus) =>
  s === 'solved' || s === 'acceptable'
    ? 'good'
    : s === 'running'
      ? 'running'
      : s === 'cancelled'
        ? 'muted'
        : s === 'maxIterations' || s === 'notConverged'
          ? 'warn'
          : 'bad';

export function RunList({
  scenario,
  runs,
  listError,
  selectedId,
  busy,
  message,
  onStart,
  onSelect,
  onDelete,
}: {
  scenario: Scenario;
  runs: readonly RunSummary[];
  listError: string | null;
  selectedId: number | null;
  busy: string | null;
  message: string | null;
  /** Start a run; a distributed one with the coordination chosen beside its button. */
  onStart: (kind: 'centralized' | 'distributed', coordination?: RunCoordination) => void;
  onSelect: (id: number) => void;
  onDelete: (r: RunSummary) => void;
}) {
  const areaCount = scenario.partition.cuts.length + 1;
  // As in the Areas panel (AreasRun): exact by default, published on request.
  const [coordination, setCoordination] = useState<RunCoordination>('exact');
  return (
    <aside className="runs-side">
      <h3>New run</h3>
      <div className="run-start">
        <button
          className="primary"
          onClick={() => onStart('centralized')}
          disabled={busy !== null}
          data-testid="start-centralized"
          title="One solve of the whole feeder over every period"
        >
          Run centralized
        </button>
        <button
          className="primary"
          onClick={() => onStart('distributed', coordination)}
          disabled={busy !== null || areaCount < 2}
          title={
            areaCount < 2
              ? 'Cut the feeder into areas first (Areas tab)'
              : `ENApp over ${plural(areaCount, 'area')}: one solver process per area, agreeing on boundary powers round by round`
          }
          data-testid="start-distributed"
        >
          {areaCount < 2 ? 'Run distributed (no areas yet)' : `Run distributed (${plural(areaCount, 'area')})`}
        </button>
        <label className="small">
          Coordination{' '}
          <select
            aria-label="Coordination"
            data-testid="start-coordination"
            value={coordination}
            disabled={busy !== null || areaCount < 2}
            onChange={(e) => setCoordination(e.target.value as RunCoordination)}
            title="Exact: values and prices exchanged, converges to the centralized optimum. Published: the source papers' value-only exchange, fewer rounds, not the centralized optimum (shown with its difference)."
          >
            <option value="exact">exact (centralized optimum)</option>
            <option value="published">published (source papers)</option>
          </select>
        </label>
      </div>
      <p className="muted small">
        {scenario.study.periods} periods × {scenario.study.dtH} h,{' '}
        {scenario.study.objective === 'cost' ? 'cost' : 'loss'} objective,{' '}
        {plural(scenario.placements.pv.length, 'PV', 'PV')},{' '}
        {plural(scenario.placements.batteries.length, 'battery', 'batteries')}.
      </p>
      {message && (
        <div className="notice small" role="status" data-testid="runs-message">
          {message}
        </div>
      )}
      <h3>Runs of this scenario</h3>
      {listError && (
        <div role="alert" className="error small">
          {listError}
        </div>
      )}
      {runs.length === 0 && !listError ? (
        <p className="empty small">No run yet.</p>
      ) : (
        <ul className="list select runs-list" aria-label="Runs">
          {runs.map((r) => (
            <li key={r.id} aria-current={r.id === selectedId} data-run={r.id} data-status={r.status} data-kind={r.kind}>
              <button onClick={() => onSelect(r.id)}>
                <span className="run-line">
                  <strong>{runLabel(r)}</strong>
                  <span className={`tag ${statusClass(r.status)}`}>{STATUS_TEXT[r.status]}</span>
                </span>
                <span className="muted small">
                  {new Date(r.startedAt).toLocaleString()}
                  {r.seconds !== null && ` · ${formatSeconds(r.seconds)}`}
                  {r.objective !== null &&
                    ` · ${formatInUnit(r.objective, scenario.study.objective === 'cost' ? 'USD' : 'kWh')}`}
                  {r.rounds !== null && ` · ${r.rounds} rounds`}
                </span>
              </button>
              {r.status !== 'running' && (
                <button className="icon run-delete" aria-label={`Delete run ${r.id}`} onClick={() => onDelete(r)}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
