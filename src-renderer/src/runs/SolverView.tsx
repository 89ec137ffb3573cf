/** A run's Solver view: the distributed rounds and area times with the convergence chart, and the solver log. */
import { useMemo } from 'react';
import type { RunDetail } from '../../../src-main/contract';
import { appliedBoundaryStepPu, convergenceOption } from '../../../src-shared/charts';
import { formatSci, formatSeconds } from '../../../src-shared/format';
import { EChart } from '../dashboards/EChart';
import { CoordinationSummary } from './CoordinationSummary';
import { PhaseBoundaries } from './PhaseBoundaries';

/** How the solve went: the distributed rounds and area times, and the solver log. */
export function Solver({ run }: { run: RunDetail }) {
  const d = run.distributed;
  const option = useMemo(
    () => (d ? convergenceOption(d, run.settings.boundaryTolerancePu) : null),
    [d, run.settings.boundaryTolerancePu],
  );
  return (
    <div className="solver-view">
      {d && <CoordinationSummary d={d} />}
      {d && <PhaseBoundaries d={d} />}
      {d && d.rounds.length > 0 && option && (
        <div className="compare-grid">
          <figure className="chart-card">
            <figcaption>
              Convergence: {d.rounds.length} rounds, {d.converged ? 'converged' : 'not converged'}, last boundary change{' '}
              {formatSci(d.maxBoundaryChangePu)} pu (rounds stop below{' '}
              {formatSci(appliedBoundaryStepPu(run.settings.boundaryTolerancePu), 0)} pu: the boundary tolerance{' '}
              {formatSci(run.settings.boundaryTolerancePu, 0)} pu ÷ 10)
              {d.dampingFromRound !== null ? `, damped from round ${d.dampingFromRound}` : ''}
              {d.consistencyRounds
                ? `; the last ${d.consistencyRounds} (marked c) are consistency rounds: values only, at the last prices, until both sides of every boundary agree`
                : ''}
            </figcaption>
            <EChart option={option} height={240} testId="chart-convergence" />
          </figure>
          <div className="table-scroll">
            <table className="grid" data-testid="rounds-table">
              <thead>
                <tr>
                  <th className="num">Round</th>
                  <th className="num">Max change pu</th>
                  <th className="num">Wall</th>
                  {d.areas.map((a) => (
                    <th key={a.id} className="num" title={`root bus ${a.rootBus}, ${a.buses} buses`}>
                      Area {a.id}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.rounds.map((r, k) => (
                  <tr key={r.round}>
                    <td className="num">
                      {r.round}
                      {d.consistencyRounds && k >= d.rounds.length - d.consistencyRounds ? (
                        <span title="consistency round: values only, at the last prices"> c</span>
                      ) : null}
                    </td>
                    <td className="num">{formatSci(r.maxChangePu)}</td>
                    <td className="num">{formatSeconds(r.wallSeconds)}</td>
                    {d.areas.map((a, i) => (
                      <td key={a.id} className="num">
                        {formatSeconds(r.areaSeconds[i])} · {r.areaIterations[i] ?? '–'} it
                        {r.areaCpuSeconds && Number.isFinite(r.areaCpuSeconds[i])
                          ? ` · ${formatSeconds(r.areaCpuSeconds[i])} CPU`
                          : ''}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <h3>Solver log</h3>
      <pre className="log" data-testid="run-log">
        {run.log || '(empty)'}
      </pre>
    </div>
  );
}
