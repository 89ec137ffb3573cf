/**
 * The base-case power flow screen, before any OPF: the feeder as it is over the study's periods
 * (three-phase: the unbalanced power flow with regulators and capacitor controls acting; balanced:
 * the one-phase case). The voltage profile per phase along the feeder at a chosen hour, the
 * ANSI C84.1 violations (click one to find its bus on the network), line overloads against their
 * ratings, regulator taps and capacitor states per hour, substation P/Q.
 */
import { useMemo, useState } from 'react';
import type { BaseCaseResult, FeederModel, Scenario } from '../../../src-main/contract';
import { baseCaseProfileOption } from '../../../src-shared/basecase';
import { formatNumber } from '../../../src-shared/format';
import { PER_PHASE_LABEL, THREE_PHASE_TOTAL_LABEL } from '../../../src-shared/threephase';
import { EChart } from '../dashboards/EChart';
import type { BaseCaseState } from './useBaseCase';

const hourLabel = (h: number) => (h === 0 ? 'snapshot' : `hour ${h}`);

/** What the substation and loss figures are, by feeder model. */
export function powerLabel(model: FeederModel): string {
  return model === 'three-phase'
    ? THREE_PHASE_TOTAL_LABEL
    : model === 'balanced-equivalent'
      ? PER_PHASE_LABEL
      : 'balanced feeder';
}

export function BaseCaseView({
  scenario,
  model,
  state,
  period,
  onPeriod,
  onLocate,
}: {
  scenario: Scenario;
  model: FeederModel;
  state: BaseCaseState;
  period: number;
  onPeriod: (p: number) => void;
  onLocate: (bus: string) => void;
}) {
  const [mode, setMode] = useState<'snapshot' | 'daily'>('snapshot');
  const [controls, setControls] = useState(true);
  const [onlyThisHour, setOnlyThisHour] = useState(false);
  const r = state.result;
  const p = r?.periods[Math.min(period, (r?.periods.length ?? 1) - 1)];
  const option = useMemo(
    () => (r ? baseCaseProfileOption(r, Math.min(period, r.periods.length - 1)) : null),
    [r, period],
  );
  const periods = scenario.study.periods;
  const violations = r ? (onlyThisHour && p ? r.violations.filter((v) => v.hour === p.hour) : r.violations) : [];
  const overloads = r ? (onlyThisHour && p ? r.overloads.filter((o) => o.hour === p.hour) : r.overloads) : [];

  return (
    <section className="basecase" aria-label="Base-case power flow" data-testid="basecase">
      <h2>
        Base-case power flow{' '}
        <span className="tag" data-testid="basecase-model">
          {model === 'three-phase'
            ? 'three-phase (unbalanced)'
            : model === 'balanced-equivalent'
              ? PER_PHASE_LABEL
              : 'balanced (one phase)'}
        </span>
      </h2>
      <p className="muted small">
        The feeder as it is, before any OPF: no placed PV or batteries.{' '}
        {model === 'three-phase'
          ? `Daily: hours 1–${periods} of the loads' own daily shapes (OpenDSS daily mode); regulators and capacitor controls act as OpenDSS's static control mode unless frozen.`
          : `Daily: the study's ${periods} periods from hour ${scenario.study.startHour}, loads and PV on the study's profiles.`}
      </p>
      <div className="inline-form">
        <label>
          Periods{' '}
          <select
            value={mode}
            onChange={(e) => setMode(e.target.value as 'snapshot' | 'daily')}
            data-testid="basecase-mode"
          >
            <option value="snapshot">Snapshot at nominal load</option>
            <option value="daily">Daily, {periods} hours</option>
          </select>
        </label>
        {model === 'three-phase' && (
          <label>
            <input type="checkbox" checked={controls} onChange={(e) => setControls(e.target.checked)} /> Controls acting
          </label>
        )}
        <button
          className="primary"
          disabled={state.running}
          onClick={() => void state.run(mode, controls)}
          data-testid="basecase-run"
        >
          Run power flow
        </button>
        {state.running && (
          <span className="muted" data-testid="basecase-progress">
            {state.progress
              ? state.progress.stage === 'solving'
                ? `Solving ${state.progress.done} of ${state.progress.total}…`
                : `${state.progress.stage}…`
              : 'Starting…'}{' '}
            <button className="link" onClick={state.cancel}>
              Stop
            </button>
          </span>
        )}
      </div>
      {state.error && (
        <div role="alert" className="error">
          {state.error}
        </div>
      )}
      {!r && !state.running && !state.error && (
        <p className="empty">Run the power flow to see the feeder's voltages, limits and controls.</p>
      )}
      {r && p && (
        <>
          <div className="inline-form">
            {r.periods.length > 1 && (
              <label>
                Hour{' '}
                <select value={period} onChange={(e) => onPeriod(Number(e.target.value))} data-testid="basecase-hour">
                  {r.periods.map((q, i) => (
                    <option key={i} value={i}>
                      {hourLabel(q.hour)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <span data-testid="basecase-substation">
              Substation {formatNumber(p.substationKw, 1)} kW, {formatNumber(p.substationKvar, 1)} kvar (
              {powerLabel(r.model)}); losses {formatNumber(p.lossKw, 2)} kW{p.converged ? '' : ' — NOT CONVERGED'}
            </span>
          </div>
          {option && <EChart option={option} height={300} testId="basecase-profile" />}
          <h3>
            Voltage violations (ANSI C84.1){' '}
            <span className="muted small">
              {r.violationCount} node-hour{r.violationCount === 1 ? '' : 's'} outside Range A
              {r.violationCount > r.violations.length ? `, worst ${r.violations.length} listed` : ''}
            </span>{' '}
            <label className="small">
              <input type="checkbox" checked={onlyThisHour} onChange={(e) => setOnlyThisHour(e.target.checked)} /> this
              hour only
            </label>
          </h3>
          <ViolationTable rows={violations} onLocate={onLocate} />
          <h3>
            Overloads <span className="muted small">{r.overloadCount} (branch current over its rating)</span>
          </h3>
          <OverloadTable rows={overloads} />
          <ControlsTable r={r} />
        </>
      )}
    </section>
  );
}

function ViolationTable({ rows, onLocate }: { rows: BaseCaseResult['violations']; onLocate: (bus: string) => void }) {
  if (rows.length === 0) return <p className="muted">None: every node within Range A.</p>;
  return (
    <div className="table-scroll">
      <table className="mini" data-testid="basecase-violations">
        <thead>
          <tr>
            <th>bus</th>
            <th>phase</th>
            <th>hour</th>
            <th>V pu</th>
            <th>limit pu</th>
            <th>range</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 500).map((v, i) => (
            <tr
              key={i}
              className="clickable"
              title={`Show bus ${v.bus} on the network`}
              onClick={() => onLocate(v.bus)}
            >
              <td>{v.bus}</td>
              <td>{v.phase ?? '–'}</td>
              <td>{hourLabel(v.hour)}</td>
              <td>{v.vPu.toFixed(4)}</td>
              <td>
                {v.side === 'low' ? '≥' : '≤'} {v.limitPu}
              </td>
              <td>{v.range === 'B' ? 'outside B' : 'outside A'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OverloadTable({ rows }: { rows: BaseCaseResult['overloads'] }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <div className="table-scroll">
      <table className="mini" data-testid="basecase-overloads">
        <thead>
          <tr>
            <th>branch</th>
            <th>phase</th>
            <th>hour</th>
            <th>current A</th>
            <th>rating A</th>
            <th>loading</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 500).map((o, i) => (
            <tr key={i}>
              <td>{o.element}</td>
              <td>{o.phase ?? '–'}</td>
              <td>{hourLabel(o.hour)}</td>
              <td>{o.amps.toFixed(1)}</td>
              <td title={o.defaultRating ? "OpenDSS's default normamps: the script gives none" : 'normamps'}>
                {o.normAmps.toFixed(0)}
                {o.defaultRating ? '*' : ''}
              </td>
              <td>{o.loadingPct.toFixed(1)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.some((o) => o.defaultRating) && (
        <p className="muted small">* OpenDSS's default rating (400 A): the script gives no normamps.</p>
      )}
    </div>
  );
}

function ControlsTable({ r }: { r: BaseCaseResult }) {
  const regs = Object.keys(r.periods[0]?.regulatorTaps ?? {});
  const caps = Object.keys(r.periods[0]?.capacitorStates ?? {});
  return (
    <>
      <h3>Per hour: substation, regulator taps, capacitor states</h3>
      <div className="table-scroll">
        <table className="mini" data-testid="basecase-controls">
          <thead>
            <tr>
              <th>hour</th>
              <th>P kW</th>
              <th>Q kvar</th>
              <th>losses kW</th>
              {r.model === 'three-phase' && (
                <th title="largest voltage unbalance factor, negative- over positive-sequence |V|">VUF max</th>
              )}
              {regs.map((n) => (
                <th key={n} title="tap position, steps from the middle">
                  {n}
                </th>
              ))}
              {caps.map((n) => (
                <th key={n} title="steps in (1) or out (0)">
                  {n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.periods.map((q, i) => (
              <tr key={i}>
                <td>{hourLabel(q.hour)}</td>
                <td>{formatNumber(q.substationKw, 1)}</td>
                <td>{formatNumber(q.substationKvar, 1)}</td>
                <td>{formatNumber(q.lossKw, 2)}</td>
                {r.model === 'three-phase' && (
                  <td>{q.vufMax ? `${(100 * q.vufMax.value).toFixed(2)} % (${q.vufMax.bus})` : '–'}</td>
                )}
                {regs.map((n) => (
                  <td key={n}>{q.regulatorTaps[n]}</td>
                ))}
                {caps.map((n) => (
                  <td key={n}>{(q.capacitorStates[n] ?? []).join(' ')}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">P and Q: {powerLabel(r.model)}.</p>
    </>
  );
}
