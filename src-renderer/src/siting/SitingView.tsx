/**
 * The scenario's Siting tab: the BESS siting and sizing study (docs/siting.md). Candidates (every
 * load bus, or the buses selected on the graph), K, sizes, horizon and economics; live progress
 * (configurations verified / planned, best so far) with cancel; the studies kept in the project,
 * each re-opened as its ranked table, benefit-versus-size curve, sensitivity and marginal-value map.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  Scenario,
  SitingProgressEvent,
  SitingSettings,
  SitingStudyDetail,
  SitingStudySummary,
} from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import type { SitingReport } from '../../../src-solver/siting/study';
import type { FeederTree } from '../../../src-shared/topology';
import { backend, call } from '../api/transport';
import { saveBase64 } from '../runs/download';
import { NetworkGraph } from '../graph/NetworkGraph';
import { CHOSEN_COLOR, marginalValueColors, OTHER_COLOR, VALUE_STOPS } from '../../../src-shared/siting-map';
import './siting.css';

const usd = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const fix = (v: number | null, d: number): string => (v !== null && Number.isFinite(v) ? v.toFixed(d) : '—');
const PHASE_LETTERS = ['A', 'B', 'C'];
/** A site's bus with its phases on a three-phase feeder ("675 phase A", "675 ABC"). */
const siteName = (s: { bus: string; phaseNodes?: readonly number[] }): string =>
  s.phaseNodes
    ? `${s.bus} ${s.phaseNodes.length === 1 ? 'phase ' : ''}${s.phaseNodes.map((n) => PHASE_LETTERS[n - 1]).join('')}`
    : s.bus;
const sitesText = (
  sites: readonly { bus: string; kw: number; kwh: number; phaseNodes?: readonly number[] }[],
): string => sites.map((s) => `${siteName(s)}: ${s.kw} kW / ${s.kwh} kWh`).join(', ');

/** "60/240, 120/480" → sizes; '' → default (undefined); an error message otherwise. */
export function parseSizes(text: string): { kw: number; kwh: number }[] | undefined | string {
  const t = text.trim();
  if (t === '') return undefined;
  const out: { kw: number; kwh: number }[] = [];
  for (const part of t.split(',')) {
    const m = /^\s*([\d.]+)\s*\/\s*([\d.]+)\s*$/.exec(part);
    if (!m || !(Number(m[1]) > 0) || !(Number(m[2]) > 0)) return `size "${part.trim()}" is not kW/kWh (e.g. 60/240)`;
    out.push({ kw: Number(m[1]), kwh: Number(m[2]) });
  }
  return out;
}

/**
 * Typed candidates: buses or, on a three-phase feeder, bus phases in OpenDSS notation ("675.1,
 * 611 652.1"), separated by commas, semicolons or spaces; an error message when there is none.
 */
export function parseCandidates(text: string): string[] | string {
  const out = [...new Set(text.split(/[\s,;]+/).filter((c) => c !== ''))];
  return out.length > 0 ? out : 'Type at least one candidate bus (or bus.phase on a three-phase feeder, e.g. 675.1).';
}

/**
 * The marginal-value map: the feeder coloured by each candidate's screened value of storage
 * (USD per kW-year, from the baseline OPF's LMPs), the first-ranked sites highlighted. Its own
 * graph instance, so the workspace graph keeps its colours.
 */
function SitingMap({ feeder, tree, report }: { feeder: Feeder; tree: FeederTree; report: SitingReport }) {
  // three-phase feeders: values per bus and phase, shown one phase at a time or each bus's best phase
  const perPhase = report.marginalValue.some((m) => m.phaseNodes !== undefined);
  const [phase, setPhase] = useState<number | undefined>(undefined);
  const map = useMemo(
    () =>
      marginalValueColors(
        report,
        feeder.buses.map((b) => b.name),
        phase,
      ),
    [report, feeder, phase],
  );
  return (
    <figure className="siting-map-card">
      <figcaption>
        Marginal value of storage by bus{perPhase ? ' and phase' : ''} (screen, USD per kW-year, from the baseline OPF's
        locational marginal prices)
        {perPhase && (
          <label className="siting-map-phase">
            {' '}
            phase{' '}
            <select
              value={phase ?? ''}
              onChange={(ev) => setPhase(ev.target.value === '' ? undefined : Number(ev.target.value))}
              data-testid="siting-map-phase"
            >
              <option value="">best of each bus</option>
              <option value="1">A</option>
              <option value="2">B</option>
              <option value="3">C</option>
            </select>
          </label>
        )}
      </figcaption>
      <div className="siting-map" data-testid="siting-map-pane">
        <NetworkGraph feeder={feeder} tree={tree} busColors={map.colors} testId="siting-map" />
      </div>
      <div className="siting-map-legend" aria-label="Marginal value colour scale">
        {map.range && (
          <>
            <span>{map.range.lo.toFixed(2)}</span>
            <span
              className="siting-map-scale"
              style={{ background: `linear-gradient(to right, ${VALUE_STOPS.join(', ')})` }}
            />
            <span>{map.range.hi.toFixed(2)} USD/kW-yr</span>
          </>
        )}
        <span>
          <i className="swatch" style={{ background: CHOSEN_COLOR }} /> ranked first: {map.chosen.join(', ') || '—'}
        </span>
        <span>
          <i className="swatch" style={{ background: OTHER_COLOR }} /> not a candidate
        </span>
      </div>
    </figure>
  );
}

/** Runs made from a study's ranked lines, by their names ("Siting #id rank r: …"): study → rank → run ids. */
export function sitingRunsOf(runs: readonly { id: number; name?: string }[], studyId: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of runs) {
    const m = /^Siting #(\d+) rank (\d+):/.exec(r.name ?? '');
    if (!m || Number(m[1]) !== studyId) continue;
    const rank = Number(m[2]);
    out.set(rank, [...(out.get(rank) ?? []), r.id]);
  }
  return out;
}

export function SitingView({
  scenario,
  selection,
  feeder,
  tree,
  onOpenRun,
}: {
  scenario: Scenario;
  selection: readonly string[];
  feeder?: Feeder | null;
  tree?: FeederTree | null;
  /** Show a run in the Runs tab. */
  onOpenRun?: (runId: number) => void;
}) {
  /** Candidates: every load bus, the buses selected on the graph, or the buses/phases typed. */
  const [pick, setPick] = useState<'all' | 'selection' | 'typed'>('all');
  const [typed, setTyped] = useState('');
  const [count, setCount] = useState(1);
  const [days, setDays] = useState(12);
  const [sizes, setSizes] = useState('');
  const [capexKw, setCapexKw] = useState(250);
  const [capexKwh, setCapexKwh] = useState(300);
  const [lifetime, setLifetime] = useState(15);
  const [rate, setRate] = useState(0.07);
  const [studies, setStudies] = useState<readonly SitingStudySummary[]>([]);
  const [running, setRunning] = useState<number | null>(null);
  /**
   * The study this view shows progress of, set where `running` is (not after a render), so events
   * of another scenario's study are not shown as this one's, and the first event after a start is.
   */
  const shownStudy = useRef<number | null>(null);
  const track = useCallback((id: number | null) => {
    shownStudy.current = id;
    setRunning(id);
  }, []);
  const [progress, setProgress] = useState<SitingProgressEvent | null>(null);
  const [open, setOpen] = useState<SitingStudyDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The open study's runs per ranked line, and the day ("open run" solves that part). */
  const [lineRuns, setLineRuns] = useState<Map<number, number[]>>(new Map());
  const [runPart, setRunPart] = useState(0);

  const refresh = useCallback(async () => {
    const list = await call('siting.list', { scenarioId: scenario.id });
    setStudies(list);
    const live = list.find((s) => s.status === 'running');
    track(live ? live.id : null);
  }, [scenario.id, track]);

  useEffect(() => {
    void refresh().catch((e: Error) => setError(e.message));
    const api = backend();
    const offP = api.on('siting.progress', (p) => {
      if (p.studyId === shownStudy.current) setProgress(p);
    });
    const offF = api.on('siting.finished', (s) => {
      if (s.scenarioId !== scenario.id) return;
      track(null);
      setProgress(null);
      void refresh();
      void call('siting.get', { studyId: s.id })
        .then(setOpen)
        .catch(() => undefined);
    });
    return () => {
      offP();
      offF();
    };
  }, [refresh, scenario.id, track]);

  /** The planner's own year (CSV texts read from the chosen files), or the bundled one. */
  const [ownYear, setOwnYear] = useState<{ load?: File; pv?: File; price?: File }>({});
  const [useOwnYear, setUseOwnYear] = useState(false);
  /** The calendar year of files of hour,value rows ('' = the files' timestamps' year, else 2023). */
  const [ownYearNumber, setOwnYearNumber] = useState('');

  const start = async () => {
    setError(null);
    let profiles: SitingSettings['profiles'];
    if (useOwnYear) {
      const { load, pv, price } = ownYear;
      if (!load || !pv || !price)
        return setError(
          'Choose the three CSV files of your year (load pu, PV pu, price USD/MWh), or use the bundled year.',
        );
      const yearText = ownYearNumber.trim();
      const year = yearText === '' ? undefined : Number(yearText);
      if (year !== undefined && !Number.isInteger(year))
        return setError(`The year of your files must be a calendar year such as 2024 (got "${yearText}").`);
      profiles = {
        name: [load.name, pv.name, price.name].join(', '),
        ...(year !== undefined ? { year } : {}),
        // the file names as chosen, so a problem is reported in the planner's own file
        files: { load: load.name, pv: pv.name, price: price.name },
        load: await load.text(),
        pv: await pv.text(),
        price: await price.text(),
      };
    }
    const parsed = parseSizes(sizes);
    if (typeof parsed === 'string') return setError(parsed);
    if (pick === 'selection' && selection.length === 0)
      return setError('No bus is selected on the graph: select buses first, or use every load bus.');
    const chosen = pick === 'typed' ? parseCandidates(typed) : null;
    if (typeof chosen === 'string') return setError(chosen);
    const settings: SitingSettings = {
      candidates: pick === 'selection' ? [...selection] : (chosen ?? 'all'),
      count,
      days,
      ...(parsed ? { sizes: parsed } : {}),
      capexUsdPerKw: capexKw,
      capexUsdPerKwh: capexKwh,
      lifetimeYears: lifetime,
      discountRate: rate,
      ...(profiles ? { profiles } : {}),
    };
    try {
      const s = await call('siting.start', { scenarioId: scenario.id, settings });
      track(s.id);
      setProgress(null);
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const cancel = async () => {
    if (running === null) return;
    try {
      await call('siting.cancel', { studyId: running });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const num = (v: number, set: (x: number) => void, label: string, step = 1) => (
    <label>
      {label}
      <input type="number" value={v} step={step} onChange={(e) => set(Number(e.target.value))} />
    </label>
  );

  const openId = open?.id ?? null;
  const refreshRuns = useCallback(async () => {
    if (openId === null) return setLineRuns(new Map());
    const runs = await call('runs.list', { scenarioId: scenario.id });
    setLineRuns(sitingRunsOf(runs, openId));
  }, [openId, scenario.id]);
  useEffect(() => {
    void refreshRuns().catch(() => undefined);
  }, [refreshRuns]);
  useEffect(() => {
    if (!open?.report) return;
    // Default day: the part with the largest weight.
    const parts = open.report.horizon.parts;
    setRunPart(parts.reduce((best, p, k) => (p.weight > parts[best]!.weight ? k : best), 0));
  }, [open]);

  const openRun = async (rank: number) => {
    if (openId === null) return;
    setError(null);
    try {
      const run = await call('siting.openRun', { studyId: openId, rank, part: runPart });
      await refreshRuns();
      onOpenRun?.(run.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const [note, setNote] = useState<string | null>(null);
  /** The PDF report of a line's run with this study's section (report/siting.ts). */
  const pdf = async () => {
    if (openId === null) return;
    const runId = [...lineRuns.entries()].sort((a, b) => a[0] - b[0])[0]?.[1][0];
    setError(null);
    setNote(null);
    if (runId === undefined)
      return setError('Open a ranked line as a run first: the PDF is that run’s report with this study’s section.');
    try {
      const out = await call('report.pdf', { runId, sitingStudyId: openId });
      saveBase64(out.base64, out.fileName);
      setNote(`Saved ${out.fileName} (${out.pages} pages, with run #${runId}); a copy is in ${out.path}.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const r = open?.report ?? null;
  return (
    <div className="siting">
      <aside className="siting-side">
        <h3>BESS siting study</h3>
        <fieldset className="siting-form" disabled={running !== null}>
          <label>
            <input type="radio" checked={pick === 'all'} onChange={() => setPick('all')} /> every load bus
          </label>
          <label>
            <input type="radio" checked={pick === 'selection'} onChange={() => setPick('selection')} /> buses selected
            on the graph ({selection.length})
          </label>
          <label>
            <input type="radio" checked={pick === 'typed'} onChange={() => setPick('typed')} /> these buses or phases
          </label>
          {pick === 'typed' && (
            <label>
              candidates
              <input
                type="text"
                placeholder="e.g. 675.1, 611, 652.1"
                title="Bus names; on a three-phase feeder bus.phase (675.1 = phase A of bus 675) for a single-phase unit, a bare bus for all its phases"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
            </label>
          )}
          {num(count, setCount, 'sites K')}
          {num(days, setDays, 'representative days')}
          <label>
            <input type="radio" checked={!useOwnYear} onChange={() => setUseOwnYear(false)} /> bundled year (ERCOT/DFW
            2023)
          </label>
          <label>
            <input
              type="radio"
              checked={useOwnYear}
              onChange={() => setUseOwnYear(true)}
              data-testid="siting-own-year"
            />{' '}
            my year: hourly CSVs (timestamp,value or hour,value; 8760 or 8784 rows)
          </label>
          {useOwnYear &&
            (
              [
                ['load', 'load, pu of peak'],
                ['pv', 'PV, pu of rating'],
                ['price', 'price, USD/MWh'],
              ] as const
            ).map(([k, label]) => (
              <label key={k}>
                {label}
                <input
                  type="file"
                  accept=".csv,text/csv"
                  data-testid={`siting-year-${k}`}
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    setOwnYear((y) => ({ ...y, [k]: f }));
                  }}
                />
              </label>
            ))}
          {useOwnYear && (
            <label title="Dates the representative days. Files with timestamps name their own year; files of hour,value rows are of this year (default 2023).">
              year of hour,value files
              <input
                type="text"
                inputMode="numeric"
                placeholder="from the timestamps, else 2023"
                data-testid="siting-year-number"
                value={ownYearNumber}
                onChange={(e) => setOwnYearNumber(e.target.value)}
              />
            </label>
          )}
          <label>
            sizes kW/kWh
            <input
              type="text"
              placeholder="default: 4-hour ladder"
              value={sizes}
              onChange={(e) => setSizes(e.target.value)}
            />
          </label>
          {num(capexKw, setCapexKw, 'USD per kW')}
          {num(capexKwh, setCapexKwh, 'USD per kWh')}
          {num(lifetime, setLifetime, 'lifetime, years')}
          {num(rate, setRate, 'discount rate', 0.01)}
        </fieldset>
        {running === null ? (
          <button onClick={() => void start()}>Start study</button>
        ) : (
          <div className="siting-progress" role="status">
            <div>
              {progress
                ? `${progress.stage}: ${progress.done} / ${progress.total} configurations verified`
                : 'starting…'}
              {progress?.best
                ? ` — best so far ${sitesText(progress.best.sites)} (net ${usd(progress.best.netBenefitUsd)} USD/yr)`
                : ''}
            </div>
            <progress max={progress?.total ?? 1} value={progress?.done ?? 0} />
            <button className="danger" onClick={() => void cancel()}>
              Cancel
            </button>
          </div>
        )}
        {error && <p className="error">{error}</p>}
        <h3>Studies</h3>
        <ul className="siting-list">
          {studies.map((s) => (
            <li key={s.id}>
              <button
                className="link"
                onClick={() =>
                  void call('siting.get', { studyId: s.id }).then(setOpen, (e: Error) => setError(e.message))
                }
              >
                #{s.id} K = {s.settings.count}, {s.settings.days} days — {s.status}
                {s.best ? `: ${sitesText(s.best.sites)}` : s.error ? `: ${s.error}` : ''}
              </button>
            </li>
          ))}
          {studies.length === 0 && <li className="muted">none yet</li>}
        </ul>
      </aside>
      <main className="siting-main">
        {!open ? (
          <p className="muted">Start a study or open one from the list.</p>
        ) : !r ? (
          <p>
            Study #{open.id}: {open.status}
            {open.error ? ` — ${open.error}` : ''}
          </p>
        ) : (
          <>
            <h3>
              Study #{open.id}: {r.horizon.description}; baseline {usd(r.baseline.annualObjective)} USD/year,{' '}
              {r.configurationsVerified} configurations verified ({r.opfSolves} OPF runs)
            </h3>
            <p>
              <button
                onClick={() => void pdf()}
                title="The PDF report of this study's first opened run, with the study's section"
              >
                PDF report
              </button>{' '}
              {note && <span className="muted">{note}</span>}
            </p>
            <label className="siting-runpart">
              verified OPF to open as a run:{' '}
              <select value={runPart} onChange={(e) => setRunPart(Number(e.target.value))}>
                {r.horizon.parts.map((p, k) => (
                  <option key={k} value={k}>
                    {p.label}
                  </option>
                ))}
              </select>
            </label>
            <table className="siting-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>sites</th>
                  {r.marginalValue.some((m) => m.phaseNodes) && <th>phase</th>}
                  <th>run</th>
                  <th>savings USD/yr</th>
                  <th>loss kWh/yr</th>
                  <th>peak −kW</th>
                  <th>V-limit h removed</th>
                  <th>cost USD/yr</th>
                  <th>net USD/yr</th>
                  <th>payback y</th>
                  <th>NPV USD</th>
                </tr>
              </thead>
              <tbody>
                {r.ranked.slice(0, 20).map((e) => (
                  <tr
                    key={e.rank}
                    className={e.feasible ? '' : 'infeasible'}
                    title={e.failure ?? `re-run: tessera solve ${e.solveArgs}`}
                  >
                    <td>{e.rank}</td>
                    <td>{sitesText(e.sites)}</td>
                    {r.marginalValue.some((m) => m.phaseNodes) && (
                      <td data-testid="siting-phase">
                        {e.sites.map((x) => (x.phaseNodes ?? []).map((n) => PHASE_LETTERS[n - 1]).join('')).join(', ')}
                      </td>
                    )}
                    <td className="siting-runs">
                      {(lineRuns.get(e.rank) ?? []).map((id) => (
                        <button key={id} className="link" onClick={() => onOpenRun?.(id)} title="Show this run in Runs">
                          run #{id}
                        </button>
                      ))}
                      {e.feasible && (
                        <button
                          className="link"
                          onClick={() => void openRun(e.rank)}
                          title="Solve this line's OPF for the chosen day as a normal run of the scenario"
                        >
                          open run
                        </button>
                      )}
                    </td>
                    {e.feasible ? (
                      <>
                        <td>{usd(e.annualSavingsUsd)}</td>
                        <td>{usd(e.annualLossSavingsKwh)}</td>
                        <td>{fix(e.peakReductionKw, 1)}</td>
                        <td>{fix(e.voltageLimitHoursRemoved, 0)}</td>
                        <td>{usd(e.annualisedCostUsd)}</td>
                        <td>{usd(e.netBenefitUsd)}</td>
                        <td>{fix(e.simplePaybackYears, 1)}</td>
                        <td>{usd(e.npvUsd)}</td>
                      </>
                    ) : (
                      <td colSpan={8}>infeasible: {e.failure}</td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {r.sizeCurve.length > 0 && (
              <>
                <h4>Benefit versus size at bus {r.sizeCurve[0]!.bus}</h4>
                <table className="siting-table">
                  <thead>
                    <tr>
                      <th>kW</th>
                      <th>kWh</th>
                      <th>savings USD/yr</th>
                      <th>cost USD/yr</th>
                      <th>net USD/yr</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.sizeCurve.map((c) => (
                      <tr key={`${c.kw}/${c.kwh}`}>
                        <td>{c.kw}</td>
                        <td>{c.kwh}</td>
                        <td>{usd(c.annualSavingsUsd)}</td>
                        <td>{usd(c.annualisedCostUsd)}</td>
                        <td>{usd(c.netBenefitUsd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
            {r.sensitivity.length > 0 && (
              <>
                <h4>Sensitivity</h4>
                <ul>
                  {r.sensitivity.map((s) => (
                    <li key={s.case}>
                      {s.case}: {sitesText(s.bestSites)}, net {usd(s.netBenefitUsd)} USD/yr
                    </li>
                  ))}
                </ul>
              </>
            )}
            {r.marginalValue.length > 0 && feeder && tree && <SitingMap feeder={feeder} tree={tree} report={r} />}
            {r.marginalValue.length > 0 && (
              <>
                <h4>Marginal value (screen, USD per kW-year), highest first</h4>
                <p className="siting-mv">
                  {r.marginalValue
                    .slice(0, 15)
                    .map((m) => `${siteName(m)} ${m.usdPerKwYear.toFixed(2)}`)
                    .join(' · ')}
                </p>
              </>
            )}
          </>
        )}
      </main>
    </div>
  );
}
