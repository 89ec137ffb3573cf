/**
 * A run's branches against their ratings: the plain-words summary, then every rated branch, most
 * loaded first, those above 100 % marked; a click locates the branch on the network at its
 * worst hour and opens its details.
 */
import { useMemo } from 'react';
import type { RunDetail } from '../../../src-main/contract';
import { formatNumber } from '../../../src-shared/format';
import { branchLoadingRows, loadingSummary, type BranchLoadingRow } from '../../../src-shared/loading';

export function BranchLoadingList({ run, onLocate }: { run: RunDetail; onLocate: (row: BranchLoadingRow) => void }) {
  const rows = useMemo(() => branchLoadingRows(run), [run]);
  const over = rows.filter((r) => r.hoursOver > 0).length;
  return (
    <figure className="chart-card violations" data-testid="branch-loading" data-rated={rows.length} data-count={over}>
      <figcaption title="Loading = branch current from the AC power flow ÷ the branch's normal rating (OpenDSS normamps, CSV ampacity_a)">
        Branch loading (% of the normal rating)
      </figcaption>
      <p className={`small ${over > 0 ? '' : rows.length > 0 ? 'good' : 'muted'}`} data-testid="branch-loading-summary">
        {loadingSummary(run)}
        {over > 0 ? ' Click one to see it on the network at its worst hour.' : ''}
      </p>
      {rows.length > 0 && (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th>Branch</th>
                <th className="num">Rating A</th>
                <th className="num">Peak %</th>
                <th className="num" title="Periods above 100 % of the rating">
                  Hours over
                </th>
                <th>At</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 200).map((r) => (
                <tr key={r.index} data-branch={r.name} data-peak={r.peakPct}>
                  <td>
                    <button className="link" onClick={() => onLocate(r)} title={`bus ${r.from} → bus ${r.to}`}>
                      {r.name}
                    </button>
                  </td>
                  <td className="num">{formatNumber(r.ampacityA, 0)}</td>
                  <td className={`num ${r.hoursOver > 0 ? 'bad' : ''}`}>{formatNumber(r.peakPct, 1)}</td>
                  <td className="num">{r.hoursOver}</td>
                  <td>{r.peakAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </figure>
  );
}
