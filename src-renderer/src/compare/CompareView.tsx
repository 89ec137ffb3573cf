/**
 * Two runs side by side. Same scenario, centralized vs distributed ('method'): the totals table
 * with differences, the largest differences, the distributed run's convergence. Two scenarios
 * ('scenario', e.g. a BESS siting what-if): cost, losses, peak substation demand, minimum voltage,
 * battery cycling with the difference. Rows come from the backend's runs.compare, so the report
 * and this table are the same numbers.
 */
import { useEffect, useMemo, useState } from 'react';
import type { RunComparison, RunDetail, RunSummary } from '../../../src-main/contract';
import { convergenceOption, overlayOption, runLabel } from '../../../src-shared/charts';
import { formatInUnit, formatSignedInUnit, formatSignedPercent } from '../../../src-shared/format';
import { baselineFirst, comparisonHeadline, formatChange, signedRelative } from '../../../src-shared/study';
import { call } from '../api/transport';
import { EChart } from '../dashboards/EChart';
import { saveBytes, saveText } from '../runs/download';
import { reportSheets, reportTablesCsv } from '../../../src-shared/tables';
import { XLSX_MIME, xlsxBytes } from '../../../src-shared/xlsx';
import { withBranchSeries } from '../runs/useBranchSeries';

export interface CompareCandidate {
  readonly run: RunSummary;
  readonly scenarioName: string;
}

const FINAL_OK = new Set(['solved', 'acceptable', 'maxIterations', 'notConverged']);

export function CompareView({
  run,
  candidates,
  onExportPdf,
  exporting,
}: {
  run: RunDetail;
  candidates: readonly CompareCandidate[];
  onExportPdf: (otherId: number) => void;
  exporting: boolean;
}) {
  const usable = useMemo(
    () => candidates.filter((c) => c.run.id !== run.id && FINAL_OK.has(c.run.status)),
    [candidates, run.id],
  );
  const preferred = usable.find((c) => c.run.scenarioId === run.scenarioId && c.run.kind !== run.kind) ?? usable[0];
  const [otherId, setOtherId] = useState<number | null>(preferred?.run.id ?? null);
  useEffect(() => {
    setOtherId((cur) => (cur !== null && usable.some((c) => c.run.id === cur) ? cur : (preferred?.run.id ?? null)));
  }, [usable, preferred]);

  const [cmp, setCmp] = useState<RunComparison | null>(null);
  const [other, setOther] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setCmp(null);
    setOther(null);
    setError(null);
    if (otherId === null) return;
    let live = true;
    // The baseline is A (src-shared/study baselineFirst): the run compared against, or the
    // centralized run of the same scenario; differences read B − A.
    const o = usable.find((c) => c.run.id === otherId)?.run;
    const [a, b] = o ? baselineFirst(run, o).map((r) => r.id) : [run.id, otherId];
    Promise.all([call('runs.compare', { a, b }), call('runs.get', { runId: otherId })]).then(
      ([c, d]) => {
        if (!live) return;
        setCmp(c);
        setOther(d);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [otherId, run.id, run.kind, usable]);

  if (usable.length === 0)
    return (
      <p className="empty">
        No other finished run to compare with. Run this scenario with the other method, or run another scenario of this
        feeder.
      </p>
    );

  const [ra, rb] = cmp && other ? (cmp.a.id === run.id ? [run, other] : [other, run]) : [null, null];
  const scenarioOf = (s: RunSummary) =>
    (candidates.find((c) => c.run.id === s.id)?.scenarioName ?? 'this scenario').replace(/ \(this scenario\)$/, '');
  const name = (s: RunSummary) => `${scenarioOf(s)} (${runLabel(s)})`;
  const largest = cmp ? [...cmp.rows].sort((x, y) => y.relDiff - x.relDiff).slice(0, 3) : [];
  const distributed = ra?.distributed ? ra : rb?.distributed ? rb : null;

  return (
    <div className="compare" data-testid="compare">
      <div className="dash-head">
        <label className="inline">
          Baseline (A){' '}
          <select value={otherId ?? ''} onChange={(e) => setOtherId(Number(e.target.value))} aria-label="Baseline">
            {usable.map((c) => (
              <option key={c.run.id} value={c.run.id}>
                {runLabel(c.run)} · {c.scenarioName} · {c.run.status}
              </option>
            ))}
          </select>
        </label>
        {cmp && ra && rb && (
          <span className="button-row">
            <button onClick={() => onExportPdf(otherId!)} disabled={exporting} data-testid="export-compare-pdf">
              {exporting ? 'Rendering PDF…' : 'Export comparison PDF'}
            </button>
            <button
              onClick={() =>
                void withBranchSeries(rb)
                  .catch(() => rb)
                  .then((full) =>
                    saveText(
                      reportTablesCsv(full, { cmp, nameA: name(cmp.a), nameB: name(cmp.b) }),
                      `tessera-run-${rb.id}-vs-${ra.id}-tables.csv`,
                    ),
                  )
              }
              title="The comparison and the study case's tables as CSV for Excel or Word"
              data-testid="export-compare-tables"
            >
              Tables (CSV)
            </button>
            <button
              onClick={() =>
                void withBranchSeries(rb)
                  .catch(() => rb)
                  .then((full) =>
                    saveBytes(
                      xlsxBytes(reportSheets(full, { cmp, nameA: name(cmp.a), nameB: name(cmp.b) })),
                      `tessera-run-${rb.id}-vs-${ra.id}-tables.xlsx`,
                      XLSX_MIME,
                    ),
                  )
              }
              title="The comparison and the study case's tables as an Excel workbook, one sheet per table"
              data-testid="export-compare-tables-xlsx"
            >
              Tables (XLSX)
            </button>
          </span>
        )}
      </div>
      {error && (
        <div role="alert" className="error">
          {error}
        </div>
      )}
      {!cmp && !error && <p className="muted">Comparing…</p>}
      {cmp && ra && rb && (
        <>
          <p className="headline" data-testid="compare-headline">
            {comparisonHeadline(
              cmp,
              cmp.mode === 'method' ? name(cmp.a) : scenarioOf(cmp.a),
              cmp.mode === 'method' ? name(cmp.b) : scenarioOf(cmp.b),
              Math.round(ra.periods * ra.dtH),
            )}
          </p>
          <p className="muted small" data-testid="compare-mode">
            {cmp.mode === 'method' ? 'Same scenario, centralized (A) vs distributed (B)' : 'Scenario vs scenario'}: A
            (baseline) = {name(cmp.a)}, B = {name(cmp.b)}. Differences are B − A; percentages are relative to A.
          </p>
          <div className="compare-grid">
            <div>
              <table className="grid" data-testid="compare-table">
                <thead>
                  <tr>
                    <th>Quantity</th>
                    <th className="num" title={name(cmp.a)}>
                      A · {scenarioOf(cmp.a)}
                    </th>
                    <th className="num" title={name(cmp.b)}>
                      B · {scenarioOf(cmp.b)}
                    </th>
                    <th className="num">B − A</th>
                    <th className="num">change</th>
                  </tr>
                </thead>
                <tbody>
                  {cmp.rows.map((r) => (
                    <tr
                      key={r.quantity}
                      data-quantity={r.quantity}
                      className={largest.includes(r) && r.relDiff > 0 ? 'hot' : undefined}
                    >
                      <td>{r.quantity}</td>
                      <td className="num" data-value={r.a}>
                        {formatInUnit(r.a, r.unit)}
                      </td>
                      <td className="num" data-value={r.b}>
                        {formatInUnit(r.b, r.unit)}
                      </td>
                      <td className="num" data-diff={r.diff}>
                        {formatSignedInUnit(r.diff, r.unit)}
                      </td>
                      <td className="num">{formatSignedPercent(signedRelative(r))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Largest differences</h3>
              <ol className="small" data-testid="largest-differences">
                {largest.map((r) => (
                  <li key={r.quantity}>
                    {r.quantity}: {formatChange(r)}
                  </li>
                ))}
              </ol>
            </div>
            <div className="compare-charts">
              <figure className="chart-card">
                <figcaption>Substation real power, A vs B</figcaption>
                <EChart
                  option={overlayOption(ra, rb, 'substationKw', 'kW', [`A ${scenarioOf(ra)}`, `B ${scenarioOf(rb)}`])}
                  height={200}
                  testId="chart-compare-substation"
                />
              </figure>
              <figure className="chart-card">
                <figcaption>Line losses, A vs B</figcaption>
                <EChart
                  option={overlayOption(ra, rb, 'lossKw', 'kW', [`A ${scenarioOf(ra)}`, `B ${scenarioOf(rb)}`])}
                  height={200}
                  testId="chart-compare-losses"
                />
              </figure>
              {distributed?.distributed && (
                <figure className="chart-card">
                  <figcaption>
                    Convergence of {runLabel(distributed)}: {distributed.distributed.rounds.length} rounds
                    {distributed.distributed.dampingFromRound !== null
                      ? `, damped from round ${distributed.distributed.dampingFromRound}`
                      : ''}
                  </figcaption>
                  <EChart
                    option={convergenceOption(distributed.distributed, distributed.settings.boundaryTolerancePu)}
                    height={200}
                    testId="chart-compare-convergence"
                  />
                </figure>
              )}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
