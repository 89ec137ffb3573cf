/**
 * The scenario's Runs tab: start a centralized or distributed solve, watch it live, cancel it;
 * the stored runs of the scenario; any past run re-opened in its dashboards (overview, batteries,
 * voltages, validation, solver, comparison) with PDF, CSV and JSON export. Failed runs keep their
 * record and show their specific message.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunDetail, RunStatus, RunSummary, Scenario, ScenarioSummary } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { appliedBoundaryStepPu, convergenceOption, runLabel } from '../../../src-shared/charts';
import { formatInUnit, formatNumber, formatSci, formatSeconds, plural } from '../../../src-shared/format';
import { useConfirm } from '../components/ConfirmDialog';
import { call } from '../api/transport';
import { CompareView, type CompareCandidate } from '../compare/CompareView';
import { Batteries, Overview, Validation, Voltages } from '../dashboards/Dashboard';
import { EChart } from '../dashboards/EChart';
import type { FeederTree } from '../../../src-shared/topology';
import { saveBase64, saveText } from './download';
import { LiveProgress } from './LiveProgress';
import { onRunFinished, startListening, useLiveRuns } from './progress';
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

const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'running',
  solved: 'solved',
  acceptable: 'acceptable',
  infeasible: 'infeasible',
  maxIterations: 'iteration limit',
  notConverged: 'not converged',
  failed: 'failed',
  cancelled: 'cancelled',
};
const statusClass = (s: RunStatus) =>
  s === 'solved' || s === 'acceptable'
    ? 'good'
    : s === 'running'
      ? 'running'
      : s === 'cancelled'
        ? 'muted'
        : s === 'maxIterations' || s === 'notConverged'
          ? 'warn'
          : 'bad';
const hasResults = (r: RunDetail) => r.totals !== null && r.series && Object.keys(r.series).length > 0;

export function RunsView({
  scenario,
  scenarios,
  feeder,
  tree,
}: {
  scenario: Scenario;
  scenarios: readonly ScenarioSummary[];
  feeder: Feeder | null;
  tree: FeederTree | null;
}) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [view, setView] = useState<View>('overview');
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<Set<number>>(new Set());
  const [timing, setTiming] = useState<{ fetchMs: number; openMs: number | null } | null>(null);
  const [candidates, setCandidates] = useState<CompareCandidate[]>([]);
  const openedAt = useRef(0);
  const [confirmDialog, ask] = useConfirm();
  const liveRuns = useLiveRuns();
  const areaCount = scenario.partition.cuts.length + 1;

  const refresh = useCallback(async () => {
    try {
      const list = await call('runs.list', { scenarioId: scenario.id });
      setRuns([...list].sort((a, b) => b.id - a.id));
      setListError(null);
      return list;
    } catch (e) {
      setListError((e as Error).message);
      return null;
    }
  }, [scenario.id]);

  useEffect(() => {
    startListening();
    setRuns([]);
    setSelectedId(null);
    void refresh().then((list) => {
      // Open the newest run, or the one still running.
      const running = list?.find((r) => r.status === 'running');
      const newest = list ? [...list].sort((a, b) => b.id - a.id)[0] : undefined;
      if (running ?? newest) setSelectedId((running ?? newest)!.id);
    });
  }, [refresh]);

  // A run finished: refresh the list (the selected run's new status loads its results).
  useEffect(
    () =>
      onRunFinished((s) => {
        if (s.scenarioId !== scenario.id) return;
        setRuns((cur) => cur.map((r) => (r.id === s.id ? s : r)));
        setCancelling((c) => {
          const n = new Set(c);
          n.delete(s.id);
          return n;
        });
        void refresh();
      }),
    [scenario.id, refresh],
  );

  const selected = runs.find((r) => r.id === selectedId) ?? null;
  const selectedStatus = selected?.status;

  // Load the selected finished run.
  useEffect(() => {
    setDetail(null);
    setDetailError(null);
    setTiming(null);
    if (selectedId === null || selectedStatus === undefined || selectedStatus === 'running') return;
    let live = true;
    const t0 = performance.now();
    openedAt.current = t0;
    call('runs.get', { runId: selectedId }).then(
      (d) => {
        if (!live) return;
        setTiming({ fetchMs: performance.now() - t0, openMs: null });
        setDetail(d);
      },
      (e: Error) => live && setDetailError(e.message),
    );
    return () => {
      live = false;
    };
  }, [selectedId, selectedStatus]);

  // Candidates for comparison: finished runs of every scenario of this feeder.
  useEffect(() => {
    if (view !== 'compare') return;
    let live = true;
    Promise.all(
      scenarios.map((s) =>
        call('runs.list', { scenarioId: s.id }).then(
          (l) => l.map((run) => ({ run, scenarioName: s.id === scenario.id ? `${s.name} (this scenario)` : s.name })),
          () => [] as CompareCandidate[],
        ),
      ),
    ).then((all) => live && setCandidates(all.flat().sort((a, b) => b.run.id - a.run.id)));
    return () => {
      live = false;
    };
  }, [view, scenarios, scenario.id, runs]);

  const start = async (kind: 'centralized' | 'distributed') => {
    setBusy(`start-${kind}`);
    setMessage(null);
    try {
      startListening();
      const r = await call('runs.start', { scenarioId: scenario.id, kind });
      setRuns((cur) => [r, ...cur.filter((x) => x.id !== r.id)]);
      setSelectedId(r.id);
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const cancel = async (runId: number) => {
    setCancelling((c) => new Set(c).add(runId));
    try {
      await call('runs.cancel', { runId });
    } catch (e) {
      setMessage((e as Error).message);
      setCancelling((c) => {
        const n = new Set(c);
        n.delete(runId);
        return n;
      });
    }
  };

  const remove = async (r: RunSummary) => {
    const ok = await ask({
      title: `Delete ${runLabel(r)}?`,
      body: <p>The {r.kind} run ({STATUS_TEXT[r.status]}) and all its results are deleted. This cannot be undone.</p>,
      confirmLabel: 'Delete run',
      danger: true,
    });
    if (!ok) return;
    try {
      await call('runs.delete', { runId: r.id, confirm: true });
      if (selectedId === r.id) setSelectedId(null);
      await refresh();
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

  const onOverviewReady = useCallback(() => {
    setTiming((t) => (t && t.openMs === null ? { ...t, openMs: performance.now() - openedAt.current } : t));
  }, []);

  const running = runs.filter((r) => r.status === 'running');

  // While a run is running, also poll the list: a lost event (reconnect, reload mid-run) must not
  // leave a finished run looking as if it were still running.
  const anyRunning = running.length > 0;
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, [anyRunning, refresh]);

  return (
    <div className="runs" data-testid="runs-view">
      <aside className="runs-side">
        <h3>New run</h3>
        <div className="run-start">
          <button
            className="primary"
            onClick={() => void start('centralized')}
            disabled={busy !== null}
            data-testid="start-centralized"
          >
            Run centralized
          </button>
          <button
            className="primary"
            onClick={() => void start('distributed')}
            disabled={busy !== null || areaCount < 2}
            title={areaCount < 2 ? 'Cut the feeder into areas first (Areas tab)' : `ENApp over ${plural(areaCount, 'area')}: one solver process per area`}
            data-testid="start-distributed"
          >
            {areaCount < 2 ? 'Run distributed (no areas yet)' : `Run distributed (${plural(areaCount, 'area')})`}
          </button>
        </div>
        <p className="muted small">
          {scenario.study.periods} periods × {scenario.study.dtH} h,{' '}
          {scenario.study.objective === 'cost' ? 'cost' : 'loss'} objective, {plural(scenario.placements.pv.length, 'PV', 'PV')},{' '}
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
              <li
                key={r.id}
                aria-current={r.id === selectedId}
                data-run={r.id}
                data-status={r.status}
                data-kind={r.kind}
              >
                <button onClick={() => setSelectedId(r.id)}>
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
                  <button className="icon run-delete" aria-label={`Delete run ${r.id}`} onClick={() => void remove(r)}>
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </aside>

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
                <h2>
                  Run #{detail.id} · {detail.kind}
                  {detail.areas ? ` · ${detail.areas} areas` : ''}{' '}
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
                  {view === 'overview' && <Overview run={detail} onReady={onOverviewReady} />}
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

/** How the solve went: the distributed rounds and area times, and the solver log. */
function Solver({ run }: { run: RunDetail }) {
  const d = run.distributed;
  const option = useMemo(
    () => (d ? convergenceOption(d, run.settings.boundaryTolerancePu) : null),
    [d, run.settings.boundaryTolerancePu],
  );
  return (
    <div className="solver-view">
      {d && d.rounds.length > 0 && option && (
        <div className="compare-grid">
          <figure className="chart-card">
            <figcaption>
              Convergence: {d.rounds.length} rounds, {d.converged ? 'converged' : 'not converged'}, last boundary
              change {formatSci(d.maxBoundaryChangePu)} pu (rounds stop below{' '}
              {formatSci(appliedBoundaryStepPu(run.settings.boundaryTolerancePu), 0)} pu: the boundary tolerance{' '}
              {formatSci(run.settings.boundaryTolerancePu, 0)} pu ÷ 10)
              {d.dampingFromRound !== null ? `, damped from round ${d.dampingFromRound}` : ''}
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
                {d.rounds.map((r) => (
                  <tr key={r.round}>
                    <td className="num">{r.round}</td>
                    <td className="num">{formatSci(r.maxChangePu)}</td>
                    <td className="num">{formatSeconds(r.wallSeconds)}</td>
                    {d.areas.map((a, i) => (
                      <td key={a.id} className="num">
                        {formatSeconds(r.areaSeconds[i])} · {r.areaIterations[i] ?? '–'} it
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
