/**
 * A three-phase OPF run's per-phase results (RunDetail.threePhase): the power-flow validation
 * (largest node-voltage discrepancy and where), the taps held, each unit's phases and power per
 * phase at a chosen hour (totals labelled three-phase), a per-phase voltage heat map (buses ×
 * hours, coloured by the ANSI bands of the network view), and "Show on the network", which colours
 * the graph by the run's worst phase (or a chosen phase) with the hour selector of the base case.
 */
import { useMemo, useState } from 'react';
import type { PhaseLetter, RunDetail } from '../../../src-main/contract';
import { THREE_PHASE_TOTAL_LABEL } from '../../../src-shared/threephase';
import { voltageColor } from '../basecase/VoltageOverlay';
import { phasesText } from './PhaseCell';
import { phaseHeatMap, runHour, runPhaseVoltages, unitPhaseRows } from './runVoltages';
import { setRunOverlay } from './runOverlay';

const HEAT_ROWS = 200;
const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '—');

export function ThreePhaseRun({ run }: { run: RunDetail }) {
  const tp = run.threePhase;
  const voltages = useMemo(() => runPhaseVoltages(run), [run]);
  const [period, setPeriod] = useState(0);
  const [phase, setPhase] = useState<PhaseLetter>('A');
  const heat = useMemo(() => (voltages ? phaseHeatMap(voltages, phase, HEAT_ROWS) : null), [voltages, phase]);
  if (!tp) return null;
  const v = tp.validation;
  const t = Math.min(period, Math.max(0, run.periods - 1));
  const units = unitPhaseRows(run, t);
  const T = run.periods;
  const sub = run.series.substationKw?.[t];
  const vufAt = run.series.vufMax?.[t];
  return (
    <section className="three-phase-run" data-testid="three-phase-run">
      <h3>Three-phase OPF · per phase</h3>
      <dl className="facts kpis">
        <dt>Power-flow validation</dt>
        <dd data-testid="three-phase-validation">
          largest node-voltage discrepancy {v.maxDiffPu.toExponential(2)} pu{v.at ? ` at ${v.at}` : ''}
          {v.perPeriodMaxDiffPu[t] !== undefined
            ? `; at hour ${runHour(run, t)}: ${v.perPeriodMaxDiffPu[t]!.toExponential(2)} pu`
            : ''}
          {v.converged ? '' : ' — a validation power flow did not converge'}
        </dd>
        <dt>Regulator taps held</dt>
        <dd>
          {Object.entries(tp.regulatorTaps)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none'}
        </dd>
        {vufAt !== undefined && (
          <>
            <dt>Largest unbalance at hour {runHour(run, t)}</dt>
            <dd data-testid="three-phase-vuf">
              {(vufAt * 100).toFixed(2)} % at bus {tp.vufMaxBus?.[t]} (|V₂|/|V₁|)
            </dd>
          </>
        )}
        {sub !== undefined && (
          <>
            <dt>Substation at hour {runHour(run, t)}</dt>
            <dd>
              {f(sub)} kW ({THREE_PHASE_TOTAL_LABEL})
            </dd>
          </>
        )}
      </dl>
      {voltages && voltages.periods.length > 0 && (
        <p>
          <label>
            Hour{' '}
            <select value={t} onChange={(e) => setPeriod(Number(e.target.value))} data-testid="three-phase-hour">
              {voltages.periods.map((p, i) => (
                <option key={i} value={i}>
                  hour {p.hour}
                </option>
              ))}
            </select>
          </label>{' '}
          <button
            data-testid="three-phase-show-network"
            onClick={() => setRunOverlay({ runId: run.id, label: `Run #${run.id} voltage`, voltages, period: t })}
          >
            Show on the network
          </button>
        </p>
      )}
      {units.length > 0 && (
        <div className="table-scroll">
          <table className="grid" aria-label="Units per phase" data-testid="three-phase-units">
            <thead>
              <tr>
                <th>Unit</th>
                <th>Bus</th>
                <th>Phases</th>
                <th title="Battery: discharge − charge">kW ({THREE_PHASE_TOTAL_LABEL})</th>
                <th>kW per phase</th>
                <th>SOC kWh</th>
              </tr>
            </thead>
            <tbody>
              {units.map((u) => (
                <tr key={`${u.kind}:${u.name}`}>
                  <td>
                    {u.kind === 'pv' ? 'PV' : 'Battery'} {u.name}
                  </td>
                  <td>{u.bus}</td>
                  <td>{phasesText(u.phases, undefined)}</td>
                  <td>{f(u.totalKw)}</td>
                  <td>{u.phases.map((p) => `${p} ${f(u.perPhaseKw)}`).join(' · ')}</td>
                  <td>{u.socKwh === null ? '' : f(u.socKwh)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {heat && voltages && (
        <>
          <h4>
            Voltage heat map, phase{' '}
            <select
              value={phase}
              onChange={(e) => setPhase(e.target.value as PhaseLetter)}
              data-testid="three-phase-heat-phase"
            >
              <option value="A">A</option>
              <option value="B">B</option>
              <option value="C">C</option>
            </select>{' '}
            <span className="muted small">
              pu, line-to-neutral;{' '}
              {heat.rows.length < heat.total
                ? `the ${heat.rows.length} buses farthest from 1 pu of ${heat.total}`
                : `${heat.total} buses`}
              , worst first
            </span>
          </h4>
          <div className="table-scroll tall">
            <table className="grid heat" data-testid="three-phase-heat">
              <thead>
                <tr>
                  <th>Bus</th>
                  {voltages.periods.map((p, i) => (
                    <th key={i}>{p.hour}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {heat.rows.map((r) => (
                  <tr key={r.bus}>
                    <td>{r.bus}</td>
                    {r.values.map((x, i) => (
                      <td
                        key={i}
                        title={`${r.bus} phase ${phase}, hour ${voltages.periods[i]!.hour}: ${x.toFixed(4)} pu`}
                        style={{ background: voltageColor(x), color: '#fff' }}
                      >
                        {x.toFixed(3)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {T > 0 && <p className="muted small">Powers are {THREE_PHASE_TOTAL_LABEL}s unless marked per phase.</p>}
        </>
      )}
    </section>
  );
}
