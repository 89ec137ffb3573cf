/**
 * A run's details of one bus or branch (a click on the run's network, or on a row of the
 * violation lists): the bus's voltage V(t) and the power and loading of the branch that feeds it;
 * a branch's P/Q(t) and its loading(t) against its rating (its current when it has none).
 * Options from src-shared/element-charts.ts, so the report can draw the same.
 */
import { useMemo } from 'react';
import type { RunDetail } from '../../../src-main/contract';
import { branchLoadingOption, branchPowerOption, busVoltageOption } from '../../../src-shared/element-charts';
import { formatNumber, formatPu } from '../../../src-shared/format';
import { branchBetween, branchLoading, branchSeries, supplyBranch } from '../../../src-shared/loading';
import { EChart } from '../dashboards/EChart';

export type RunElement =
  | { readonly kind: 'bus'; readonly name: string }
  | { readonly kind: 'branch'; readonly from: string; readonly to: string };

const max = (xs: readonly number[]) => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const min = (xs: readonly number[]) => xs.reduce((m, x) => Math.min(m, x), Infinity);

function BranchCharts({ run, e, testPrefix }: { run: RunDetail; e: number; testPrefix: string }) {
  const power = useMemo(() => branchPowerOption(run, e), [run, e]);
  const loading = useMemo(() => branchLoadingOption(run, e), [run, e]);
  const amps = branchSeries(run, 'branchCurrentA', e);
  const pct = branchLoading(run, e);
  const rating = run.branchAmpacityA[e];
  return (
    <>
      <dl className="facts">
        <dt>Rating</dt>
        <dd data-testid={`${testPrefix}-rating`}>
          {typeof rating === 'number' ? `${formatNumber(rating, 0)} A (normal)` : 'not rated in the feeder'}
        </dd>
        {amps && (
          <>
            <dt>Highest current</dt>
            <dd data-testid={`${testPrefix}-peak-current`}>
              {formatNumber(max(amps), 1)} A{pct ? ` (${formatNumber(max(pct), 1)} % of the rating)` : ''}
            </dd>
          </>
        )}
      </dl>
      {power && (
        <figure className="chart-card">
          <figcaption>
            Power through branch {run.branchNames[e]} (from bus {run.branchFrom[e]})
          </figcaption>
          <EChart option={power} height={190} testId={`${testPrefix}-power`} />
        </figure>
      )}
      {loading && (
        <figure className="chart-card">
          <figcaption>
            {loading.rated
              ? `Loading of ${run.branchNames[e]}, % of its ${formatNumber(rating, 0)} A rating`
              : `Current in ${run.branchNames[e]} (no rating given: loading cannot be computed)`}
          </figcaption>
          <EChart option={loading.option} height={190} testId={`${testPrefix}-loading`} />
        </figure>
      )}
    </>
  );
}

export function ElementDetails({ run, item, onClose }: { run: RunDetail; item: RunElement; onClose: () => void }) {
  const voltage = useMemo(() => (item.kind === 'bus' ? busVoltageOption(run, item.name) : null), [run, item]);
  const head = (title: string) => (
    <div className="details-head">
      <h3>{title}</h3>
      <button className="link" onClick={onClose} aria-label="Close the details">
        Close
      </button>
    </div>
  );
  if (item.kind === 'bus') {
    const i = run.busNames.indexOf(item.name);
    const T = run.periods;
    const v = i >= 0 && run.series.voltagePu ? run.series.voltagePu.slice(i * T, (i + 1) * T) : null;
    const e = supplyBranch(run, item.name);
    return (
      <figure className="chart-card run-element" data-testid="run-element-details" data-bus={item.name}>
        {head(`Bus ${item.name}`)}
        {!v ? (
          <p className="bad">This run has no results for bus {item.name}.</p>
        ) : (
          <>
            <dl className="facts">
              <dt>Voltage</dt>
              <dd data-testid="element-voltage-range">
                {formatPu(min(v))} to {formatPu(max(v))}
              </dd>
            </dl>
            {voltage && (
              <figure className="chart-card">
                <figcaption>Voltage at bus {item.name} against ANSI C84.1</figcaption>
                <EChart option={voltage} height={190} testId="element-voltage" />
              </figure>
            )}
            {e >= 0 ? (
              <BranchCharts run={run} e={e} testPrefix="element" />
            ) : (
              <p className="muted small">The substation bus: no branch feeds it.</p>
            )}
          </>
        )}
      </figure>
    );
  }
  const e = branchBetween(run, item.from, item.to);
  return (
    <figure
      className="chart-card run-element"
      data-testid="run-element-details"
      data-branch={e >= 0 ? run.branchNames[e] : ''}
    >
      {head(
        e >= 0
          ? `Branch ${run.branchNames[e]} (${run.branchFrom[e]} → ${run.branchTo[e]})`
          : `Branch ${item.from}–${item.to}`,
      )}
      {e < 0 ? (
        <p className="bad">
          {run.branchNames.length === 0
            ? 'This run kept no branch results: solve it again to see them.'
            : 'No such branch in this run.'}
        </p>
      ) : (
        <BranchCharts run={run} e={e} testPrefix="element" />
      )}
    </figure>
  );
}
