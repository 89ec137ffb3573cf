/**
 * A running solve as it happens: interior-point iterations (objective, infeasibility) for a
 * centralized run; per-round boundary residuals and each area's state and time for a distributed
 * one. Cancel is always available while the run is running.
 */
import { useEffect, useMemo, useState } from 'react';
import type { RunSummary } from '../../../src-main/contract';
import { appliedBoundaryStepPu, convergenceOption, iterationsOption } from '../../../src-shared/charts';
import { formatNumber, formatSci, formatSeconds } from '../../../src-shared/format';
import { EChart } from '../dashboards/EChart';
import type { LiveRun } from './progress';

export function LiveProgress({
  run,
  live,
  tolerancePu,
  onCancel,
  cancelling,
}: {
  run: RunSummary;
  live: LiveRun | undefined;
  tolerancePu: number;
  onCancel: () => void;
  cancelling: boolean;
}) {
  const iterations = live?.iterations ?? [];
  const rounds = live?.rounds ?? [];
  const itOption = useMemo(() => iterationsOption(iterations), [iterations]);
  const roundOption = useMemo(() => convergenceOption({ rounds }, tolerancePu), [rounds, tolerancePu]);
  const last = iterations.at(-1);
  const lastRound = rounds.at(-1);
  // Elapsed time ticks on its own: solver events can be seconds apart (building a large model).
  const started = Date.parse(run.startedAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const elapsed = Math.max(
    live?.elapsedSeconds ?? 0,
    Number.isFinite(started) ? Math.max(0, (now - started) / 1000) : 0,
  );
  const phaseText: Record<string, string> = {
    building: 'Building the model',
    solving: run.kind === 'centralized' ? 'Solving' : 'Areas are agreeing on their boundary powers',
    validating: 'Checking the result with an AC power flow',
    saving: 'Saving the results',
  };
  const status =
    run.kind === 'centralized' && last && live?.phase === 'solving'
      ? `Solving: step ${last.iter}; the constraints are met to within ${formatSci(last.infPr, 1)} (done below about 1e-8).`
      : run.kind === 'distributed' && lastRound && live?.phase === 'solving'
        ? `Round ${lastRound.round}: the boundary values moved by at most ${formatSci(lastRound.maxChangePu, 1)} pu; the rounds stop below ${formatSci(appliedBoundaryStepPu(tolerancePu), 0)} pu.`
        : `${phaseText[live?.phase ?? ''] ?? 'Starting the solver'}…`;
  return (
    <section className="live" data-testid="live-progress" data-run={run.id} data-kind={run.kind}>
      <div className="live-head">
        <div>
          <h2>
            Run #{run.id} · {run.kind} <span className="tag running">running</span>
          </h2>
          <p className="live-status" data-testid="live-status" aria-live="polite">
            {status}
          </p>
          <p className="muted small">
            <span data-testid="live-phase">{live?.phase ?? 'starting'}</span> ·{' '}
            <span data-testid="live-elapsed">{formatSeconds(elapsed)}</span> elapsed
            {run.kind === 'centralized' && last && (
              <>
                {' '}
                · iteration <strong data-testid="live-iteration">{last.iter}</strong>, objective{' '}
                {formatNumber(last.objective, 3)}, infeasibility {formatSci(last.infPr)}
              </>
            )}
            {run.kind === 'distributed' && lastRound && (
              <>
                {' '}
                · round <strong data-testid="live-round">{lastRound.round}</strong>, largest boundary change{' '}
                {formatSci(lastRound.maxChangePu)} pu
              </>
            )}
          </p>
        </div>
        <button className="danger" onClick={onCancel} disabled={cancelling} data-testid="cancel-run">
          {cancelling ? 'Cancelling…' : 'Cancel run'}
        </button>
      </div>
      {run.kind === 'centralized' ? (
        <div className="live-body">
          <EChart option={itOption} height={260} testId="chart-iterations" />
          <details className="table-scroll">
            <summary className="small">Iteration table (interior-point log)</summary>
            <table className="grid" data-testid="iteration-table">
              <thead>
                <tr>
                  <th className="num">iter</th>
                  <th className="num">objective</th>
                  <th className="num">inf_pr</th>
                  <th className="num">inf_du</th>
                  <th className="num">lg(mu)</th>
                </tr>
              </thead>
              <tbody>
                {iterations
                  .slice(-40)
                  .reverse()
                  .map((r) => (
                    <tr key={r.iter}>
                      <td className="num">{r.iter}</td>
                      <td className="num">{Number.isFinite(r.objective) ? r.objective.toPrecision(8) : '–'}</td>
                      <td className="num">{formatSci(r.infPr)}</td>
                      <td className="num">{formatSci(r.infDu)}</td>
                      <td className="num">{Number.isFinite(r.lgMu) ? r.lgMu.toFixed(1) : '–'}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </details>
        </div>
      ) : (
        <div className="live-body">
          <EChart option={roundOption} height={260} testId="chart-rounds" />
          <table className="grid" data-testid="area-table">
            <thead>
              <tr>
                <th>Area</th>
                <th>State</th>
                <th className="num">Last solve</th>
                <th className="num">Iterations</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {(live?.areas ?? []).map((a) => (
                <tr key={a.id} data-area={a.id} className={a.state === 'failed' ? 'bad' : undefined}>
                  <td>{a.id}</td>
                  <td>
                    <span className={`tag state-${a.state}`}>{a.state}</span>
                  </td>
                  <td className="num">{formatSeconds(a.seconds)}</td>
                  <td className="num">{a.iterations ?? '–'}</td>
                  <td className="small">{a.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
