/**
 * The scenario's Runs tab: start a centralized or distributed solve, watch it live, cancel it;
 * the stored runs of the scenario; any past run re-opened in its dashboards (overview, batteries,
 * voltages, validation, solver, comparison) with PDF, CSV and JSON export. Failed runs keep their
 * record and show their specific message. State lives in hooks (useRuns, useRunDetail,
 * useCompareCandidates); the list is RunList, the solver view SolverView.
 */
import { useEffect, useState } from 'react';
import type { RunCoordination, RunDetail, RunSummary, Scenario, ScenarioSummary } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { runLabel } from '../../../src-shared/charts';
import { formatInUnit, formatNumber, formatSeconds, plural } from '../../../src-shared/format';
import { call } from '../api/transport';
import { useConfirm } from '../components/ConfirmDialog';
import { EditableName } from '../components/EditableName';
import { CompareView } from '../compare/CompareView';
import { Batteries, Overview, Validation, Voltages } from '../dashboards/Dashboard';
import type { FeederTree } from '../../../src-shared/topology';
import { saveBase64, saveBytes, saveText } from './download';
import { reportSheets, reportTablesCsv } from '../../../src-shared/tables';
import { XLSX_MIME, xlsxBytes } from '../../../src-shared/xlsx';
import { withBranchSeries } from './useBranchSeries';
import { LiveProgress } from './LiveProgress';
import { startListening, useLiveRuns } from './progress';
import { RunList, STATUS_TEXT, statusClass } from './RunList';
import { Solver } from './SolverView';
import { useCompareCandidates } from './useCompareCandidates';
import { useRunDetail } from './useRunDetail';
import { ThreePhaseRun } from '../threephase/ThreePhaseRun';
import { useRuns } from './useRuns';
import './runs.css';

type View = 'overview' | 'batteries' | 'voltage' | 'validation' | 'solver' | 'compare';
const VIEWS: [View, string][] = [
  ['overview', 'Overview'],
  ['batteries', 'Batteries'],
  ['voltage', 'Voltages'],
  ['validation', 'OPF vs AC power flow'],
  ['solver', 'Solver'],
  ['compare', 'Compare'],
];

const hasResults = (r: RunDetail) => r.totals !== null && r.series && Object.keys(r.series).length > 0;

export function RunsView({
  scenario,
  scenarios,
  feeder,
  tree,
  openRunId,
}: {
  scenario: Scenario;
  scenarios: readonly ScenarioSummary[];
  feeder: Feeder | null;
  tree: FeederTree | null;
  /** Select this run when it changes (the Siting tab's "open run" link). */
  openRunId?: number | null;
}) {
  const {
    runs,
    listError,
    refresh,
    cancelling,
    start: startRun,
    cancel: cancelRun,
    remove: removeRun,
  } = useRuns(scenario.id);
  const [selectedId, setSelectedId] = useState<number | null>(openRunId ?? null);
  useEffect(() => {
    if (openRunId !== undefined && openRunId !== null) setSelectedId(openRunId);
  }, [openRunId]);
  const [view, setView] = useState<View>('overview');
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmDialog, ask] = useConfirm();
  // Names given in this view, shown at once (the list refreshes behind them).
  const [runNames, setRunNames] = useState<Map<number, string>>(new Map());
  const liveRuns = useLiveRuns();

  useEffect(() => {
    startListening();
    setSelectedId(null);
    void refresh().then((list) => {
      // Open the newest run, or the one still running, unless one was picked or started meanwhile.
      const running = list?.find((r) => r.status === 'running');
      const newest = list ? [...list].sort((a, b) => b.id - a.id)[0] : undefined;
      const pick = running ?? newest;
      if (pick) setSelectedId((cur) => cur ?? pick.id);
    });
  }, [refresh]);

  const selected = runs.find((r) => r.id === selectedId) ?? null;
  const { detail, error: detailError, timing, onReady } = useRunDetail(selectedId, selected?.status);
  const candidates = useCompareCandidates(view === 'compare', scenarios, scenario.id, runs);

  const start = async (kind: 'centralized' | 'distributed', coordination?: RunCoordination) => {
    setBusy(`start-${kind}`);
    setMessage(null);
    try {
      setSelectedId((await startRun(kind, coordination)).id);
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const cancel = (runId: number) => cancelRun(runId).catch((e: Error) => setMessage(e.message));

  const remove = async (r: RunSummary) => {
    const ok = await ask({
      title: `Delete ${runLabel(r)}?`,
      body: (
        <p>
          The {r.kind} run ({STATUS_TEXT[r.status]}) and all its results are deleted. This cannot be undone.
        </p>
      ),
      confirmLabel: 'Delete run',
      danger: true,
    });
    if (!ok) return;
    try {
      if (selectedId === r.id) setSelectedId(null);
      await removeRun(r.id);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  const exportRun = async (format: 'csv' | 'json' | 'pdf', compareWith?: number) => {
    if (!detail) return;
    setBusy(`export-${format}`);
    setMessage(null);
    try {
      if (format === 'pdf') {
        const r = await call(
          'report.pdf',
          compareWith !== undefined ? { runId: detail.id, compareWith } : { runId: detail.id },
        );
        saveBase64(r.base64, r.fileName);
        setMessage(`Saved ${r.fileName} (${r.pages} page${r.pages === 1 ? '' : 's'}); a copy is in ${r.path}.`);
      } else {
        const r = await call('runs.export', { runId: detail.id, format });
        saveText(r.text, r.fileName);
        setMessage(`Saved ${r.fileName}.`);
      }
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const running = runs.filter((r) => r.status === 'running');

  return (
    <div className="runs" data-testid="runs-view">
      <RunList
        scenario={scenario}
        runs={runs}
        listError={listError}
        selectedId={selectedId}
        busy={busy}
        message={message}
        onStart={(k, c) => void start(k, c)}
        onSelect={setSelectedId}
        onDelete={(r) => void remove(r)}
      />

      <section className="runs-main">
        {running.length > 0 && selected?.status !== 'running' && (
          <div className="notice small">
            {running.map((r) => (
              <span key={r.id}>
                {runLabel(r)} is running ·{' '}
                <button className="link" onClick={() => setSelectedId(r.id)}>
                  watch
                </button>{' '}
              </span>
            ))}
          </div>
        )}
        {!selected ? (
          <div className="empty big">
            <h2>No run selected</h2>
            <p>Start a centralized or a distributed solve of this scenario, or open a stored run from the list.</p>
          </div>
        ) : selected.status === 'running' ? (
          <LiveProgress
            run={selected}
            live={liveRuns.get(selected.id)}
            tolerancePu={scenario.study.boundaryTolerancePu}
            onCancel={() => void cancel(selected.id)}
            cancelling={cancelling.has(selected.id)}
          />
        ) : detailError ? (
          <div role="alert" className="error">
            {detailError}
          </div>
        ) : !detail ? (
          <p className="muted pad">Opening run #{selected.id}…</p>
        ) : (
          <div
            className="run-detail"
            data-testid="run-detail"
            data-run={detail.id}
            data-status={detail.status}
            data-fetch-ms={timing?.fetchMs.toFixed(0)}
            data-open-ms={timing?.openMs?.toFixed(0) ?? ''}
          >
            <header className="run-head">
              <div>
                <h2 className="run-title">
                  <EditableName
                    key={detail.id}
                    label="Run name"
                    value={runNames.get(detail.id) ?? detail.name ?? ''}
                    placeholder={`Run #${detail.id}`}
                    onRename={async (name) => {
                      const r = await call('runs.rename', { runId: detail.id, name });
                      setRunNames((m) => new Map(m).set(r.id, r.name ?? ''));
                      await refresh();
                    }}
                  />{' '}
                  <span className="muted run-kind">
                    #{detail.id} · {detail.kind}
                    {detail.areas ? ` · ${plural(detail.areas, 'area')}` : ''}
                  </span>{' '}
                  <span className={`tag ${statusClass(detail.status)}`}>{STATUS_TEXT[detail.status]}</span>
                </h2>
                <p className="muted small" data-testid="run-facts">
                  {detail.objective !== null && (
                    <>
                      objective {formatInUnit(detail.objective, detail.settings.objective === 'cost' ? 'USD' : 'kWh')}{' '}
                      ·{' '}
                    </>
                  )}
                  {detail.iterations !== null && <>{detail.iterations} iterations · </>}
                  {detail.rounds !== null && <>{detail.rounds} rounds · </>}
                  {formatSeconds(detail.seconds)} · {detail.periods} periods × {detail.dtH} h
                  {detail.busNames.length > 0 ? ` · ${formatNumber(detail.busNames.length, 0)} buses` : ''}
                </p>
              </div>
              <div className="button-row">
                <button
                  onClick={() => void exportRun('pdf')}
                  disabled={busy !== null || !hasResults(detail)}
                  data-testid="export-pdf"
                >
                  {busy === 'export-pdf' ? 'Rendering PDF…' : 'Export PDF report'}
                </button>
                <button
                  onClick={() => void exportRun('csv')}
                  disabled={busy !== null || !hasResults(detail)}
                  data-testid="export-csv"
                >
                  CSV
                </button>
                <button
                  onClick={() =>
                    void withBranchSeries(detail).then(
                      (full) => saveText(reportTablesCsv(full), `tessera-run-${detail.id}-tables.csv`),
                      (e: Error) => setMessage(e.message),
                    )
                  }
                  disabled={!hasResults(detail)}
                  title="The report's tables (totals, batteries, voltage limits) as CSV for Excel or Word"
                  data-testid="export-tables"
                >
                  Tables (CSV)
                </button>
                <button
                  onClick={() =>
                    void withBranchSeries(detail).then(
                      (full) =>
                        saveBytes(xlsxBytes(reportSheets(full)), `tessera-run-${detail.id}-tables.xlsx`, XLSX_MIME),
                      (e: Error) => setMessage(e.message),
                    )
                  }
                  disabled={!hasResults(detail)}
                  title="The report's tables as an Excel workbook, one sheet per table"
                  data-testid="export-tables-xlsx"
                >
                  Tables (XLSX)
                </button>
                <button
                  onClick={() => void exportRun('json')}
                  disabled={busy !== null || !hasResults(detail)}
                  data-testid="export-json"
                >
                  JSON
                </button>
              </div>
            </header>
            {!(detail.status === 'solved' || detail.status === 'acceptable') && (
              <div
                role="alert"
                className={detail.status === 'cancelled' ? 'notice' : 'error'}
                data-testid="run-failure"
              >
                <strong>{STATUS_TEXT[detail.status]}:</strong> {detail.message}
              </div>
            )}
            {detail.threePhase && hasResults(detail) && <ThreePhaseRun run={detail} />}
            {hasResults(detail) ? (
              <>
                <nav className="tabs sub-tabs" role="tablist" aria-label="Run views">
                  {VIEWS.map(([id, label]) => (
                    <button key={id} role="tab" aria-selected={view === id} onClick={() => setView(id)}>
                      {label}
                    </button>
                  ))}
                </nav>
                <div className="run-view">
                  {view === 'overview' && <Overview run={detail} onReady={onReady} />}
                  {view === 'batteries' && <Batteries run={detail} />}
                  {view === 'voltage' && <Voltages run={detail} feeder={feeder} tree={tree} />}
                  {view === 'validation' && <Validation run={detail} />}
                  {view === 'solver' && <Solver run={detail} />}
                  {view === 'compare' && (
                    <CompareView
                      run={detail}
                      candidates={candidates}
                      onExportPdf={(id) => void exportRun('pdf', id)}
                      exporting={busy === 'export-pdf'}
                    />
                  )}
                </div>
              </>
            ) : (
              <Solver run={detail} />
            )}
          </div>
        )}
      </section>
      {confirmDialog}
    </div>
  );
}
