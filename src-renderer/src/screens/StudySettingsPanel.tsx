/**
 * Study settings of the scenario: horizon, start hour, Δt, objective, terminal-SOC rule, limits,
 * relaxation, tolerances, and the load/PV/price shapes (small charts; edit as numbers or import a
 * CSV). Each committed field is one undoable edit saved at once.
 */
import { useEffect, useState } from 'react';
import { appliedBoundaryStepPu } from '../../../src-shared/charts';
import { importProfileCsv } from '../../../src-solver/io/csv/reference';
import type { StudySettings } from '../../../src-main/contract';
import { ShapeChart } from '../components/ShapeChart';

type Edit = (label: string, study: StudySettings) => void;

export function StudySettingsPanel({ study, onEdit }: { study: StudySettings; onEdit: Edit }) {
  const set = <K extends keyof StudySettings>(key: K, value: StudySettings[K], label: string) => {
    if (study[key] === value) return;
    onEdit(label, { ...study, [key]: value });
  };
  const hours = study.periods * study.dtH;
  const shortest = Math.min(study.loadShape.length, study.pvShape.length, study.priceCentsPerKwh.length);
  return (
    <div className="study" data-testid="study-settings">
      <fieldset>
        <legend>Horizon</legend>
        <NumberField
          label="Periods (T)"
          value={study.periods}
          min={1}
          max={8760}
          step={1}
          integer
          onCommit={(v) => set('periods', v, 'Set periods')}
        />
        <NumberField
          label="Start hour"
          value={study.startHour}
          min={0}
          max={23}
          step={1}
          integer
          onCommit={(v) => set('startHour', v, 'Set start hour')}
        />
        <NumberField
          label="Period length Δt (h)"
          value={study.dtH}
          min={0.05}
          max={24}
          step={0.25}
          onCommit={(v) => set('dtH', v, 'Set period length')}
        />
        <p className="muted small" data-testid="horizon-note">
          {hours} h from hour {study.startHour}.
          {study.startHour + hours > shortest
            ? ` The study runs past the ${shortest}-hour profiles: they repeat from their start (hour ${shortest} uses hour 0's value).`
            : ''}
        </p>
      </fieldset>
      <fieldset>
        <legend>Objective and batteries</legend>
        <Select
          label="Objective"
          value={study.objective}
          options={[
            ['cost', 'Energy cost'],
            ['loss', 'Line losses'],
          ]}
          onChange={(v) => set('objective', v, 'Set objective')}
        />
        <Select
          label="Battery charge at the end"
          title="Terminal state-of-charge rule: hard (end SOC = start SOC), a soft penalty, or free"
          value={study.terminalSoc}
          options={[
            ['equal', 'Hard: end = start'],
            ['soft', 'Soft penalty'],
            ['free', 'Free'],
          ]}
          onChange={(v) => set('terminalSoc', v, 'Set terminal SOC rule')}
        />
        <Select
          label="Battery inverter limit"
          title="Box: |Q| ≤ √(S² − P²) at rated power (the source papers, conservative); disk: P² + Q² ≤ S² (exact apparent-power limit)"
          value={study.batteryLimit}
          options={[
            ['box', 'Box (source papers)'],
            ['disk', 'Apparent-power disk'],
          ]}
          onChange={(v) => set('batteryLimit', v, 'Set battery limit')}
        />
        <NumberField
          label="Discourage battery losses (α)"
          title="α: weight of the batteries' conversion losses in the objective; a small value keeps a battery from charging and discharging in the same hour"
          value={study.alpha}
          min={0}
          max={1e6}
          step={0.0001}
          onCommit={(v) => set('alpha', v, 'Set α')}
        />
      </fieldset>
      <fieldset>
        <legend>Limits and solver</legend>
        <NumberField
          label="V min (pu)"
          title="ANSI C84.1 Range A is 0.95–1.05 pu; a wider range is stated in the report"
          value={study.vMinPu}
          min={0.5}
          max={1.2}
          step={0.01}
          onCommit={(v) => set('vMinPu', v, 'Set V min')}
        />
        <NumberField
          label="V max (pu)"
          title="ANSI C84.1 Range A is 0.95–1.05 pu; a wider range is stated in the report"
          value={study.vMaxPu}
          min={0.5}
          max={1.5}
          step={0.01}
          onCommit={(v) => set('vMaxPu', v, 'Set V max')}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={study.currentLimits}
            onChange={(e) => set('currentLimits', e.target.checked, 'Toggle current limits')}
          />{' '}
          Branch current limits
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={study.relax}
            onChange={(e) => set('relax', e.target.checked, 'Toggle relaxation')}
          />{' '}
          <span title="Second-order cone (SOCP) relaxation l·v ≥ P² + Q² of the branch-flow equality: a convex problem, exact only when the relaxation is tight">
            Faster approximate power flow (relaxation)
          </span>
        </label>
        <NumberField
          label="Solver accuracy"
          title="Interior-point tolerance (Ipopt's tol): the scaled optimality error at which the solve stops"
          value={study.tolerance}
          min={1e-12}
          max={1e-2}
          step={1e-7}
          onCommit={(v) => set('tolerance', v, 'Set tolerance')}
        />
        <NumberField
          label="Boundary tolerance (pu)"
          value={study.boundaryTolerancePu}
          min={1e-10}
          max={1e-1}
          step={1e-5}
          onCommit={(v) => set('boundaryTolerancePu', v, 'Set boundary tolerance')}
        />
        <small className="muted hint" data-testid="boundary-applied">
          Distributed runs stop when a round changes the boundary values by less than{' '}
          {appliedBoundaryStepPu(study.boundaryTolerancePu).toExponential(0)} pu (this tolerance ÷ 10: the distance left
          is about ten times the last change).
        </small>
      </fieldset>
      <div className="shapes">
        <ShapeEditor
          title="Load shape"
          unit="× peak"
          color="#2f6db5"
          values={study.loadShape}
          window={{ start: study.startHour, hours }}
          onCommit={(v) => set('loadShape', v, 'Edit load shape')}
          testId="shape-load"
        />
        <ShapeEditor
          title="PV shape"
          unit="× rating"
          color="#e0a100"
          values={study.pvShape}
          window={{ start: study.startHour, hours }}
          onCommit={(v) => set('pvShape', v, 'Edit PV shape')}
          testId="shape-pv"
        />
        <ShapeEditor
          title="Energy price"
          unit="¢/kWh"
          color="#3a9a5b"
          values={study.priceCentsPerKwh}
          window={{ start: study.startHour, hours }}
          onCommit={(v) => set('priceCentsPerKwh', v, 'Edit price shape')}
          testId="shape-price"
        />
      </div>
    </div>
  );
}

function NumberField({
  label,
  title,
  value,
  min,
  max,
  step,
  integer,
  onCommit,
}: {
  label: string;
  title?: string;
  value: number;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  onCommit: (v: number) => void;
}) {
  const [draft, setDraft] = useState(String(value));
  const [bad, setBad] = useState<string | null>(null);
  useEffect(() => setDraft(String(value)), [value]);
  const commit = () => {
    const v = Number(draft);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      setBad(`${integer ? 'A whole number' : 'A number'} from ${min} to ${max}`);
      return;
    }
    setBad(null);
    if (v !== value) onCommit(v);
  };
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <input
        type="number"
        value={draft}
        step={step}
        aria-invalid={bad ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        // Enter commits by leaving the field, so the 1–5 tab keys work again at once.
        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
      />
      {bad && <small className="bad">{bad}</small>}
    </label>
  );
}

function Select<T extends string>({
  label,
  title,
  value,
  options,
  onChange,
}: {
  label: string;
  title?: string;
  value: T;
  options: [T, string][];
  onChange: (v: T) => void;
}) {
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function ShapeEditor({
  title,
  unit,
  color,
  values,
  window: win,
  onCommit,
  testId,
}: {
  title: string;
  unit: string;
  color: string;
  values: readonly number[];
  window: { start: number; hours: number };
  onCommit: (v: number[]) => void;
  testId: string;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [bad, setBad] = useState<string | null>(null);
  const apply = (nums: number[]) => {
    if (nums.length < 24) return setBad(`Need at least 24 hourly values, got ${nums.length}.`);
    if (nums.some((v) => !Number.isFinite(v))) return setBad('Every value must be a number.');
    setBad(null);
    setEditing(false);
    onCommit(nums);
  };
  return (
    <div className="shape card" data-testid={testId}>
      <div className="shape-head">
        <h3>{title}</h3>
        <span className="muted small">
          {values.length} points · min {fmt(Math.min(...values))} · max {fmt(Math.max(...values))} {unit}
        </span>
      </div>
      {values.length ? (
        <ShapeChart values={values} unit={unit} color={color} window={win} />
      ) : (
        <p className="empty">No values.</p>
      )}
      <div className="shape-actions">
        <button
          className="link"
          onClick={() => {
            setDraft(values.join(', '));
            setEditing(!editing);
          }}
        >
          {editing ? 'Close' : 'Edit values'}
        </button>
        <label className="link file-link">
          Import CSV…
          <input
            type="file"
            accept=".csv,.txt"
            aria-label={`Import ${title} CSV`}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) {
                // The same parser as the CLI's --price: hour,value rows or a market export with timestamps.
                const r = importProfileCsv(await f.text(), title, f.name);
                if (r.ok) apply([...r.shape.mult]);
                else
                  setBad(
                    `${f.name}: ${r.errors
                      .slice(0, 3)
                      .map((er) => er.message)
                      .join('; ')}${r.errors.length > 3 ? ` (and ${r.errors.length - 3} more)` : ''}`,
                  );
              }
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {editing && (
        <div>
          <textarea aria-label={`${title} values`} rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <button
            className="primary small"
            onClick={() =>
              apply(
                draft
                  .split(/[\s,;]+/)
                  .filter(Boolean)
                  .map(Number),
              )
            }
          >
            Apply
          </button>
        </div>
      )}
      {bad && (
        <p className="bad small" role="alert">
          {bad}
        </p>
      )}
    </div>
  );
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : '–');
