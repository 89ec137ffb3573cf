/**
 * The import wizard's three-phase parts: the master-script picker (a folder with several .dss),
 * the three-phase import report (per element class imported / approximated / ignored, the loads
 * after allocation as three-phase totals, the voltage bases), and the choice of model — the
 * three-phase network as written, or its explicit balanced equivalent, labelled per phase
 * (single-phase equivalent) wherever its numbers appear.
 */
import type { ImportPreview } from '../../../src-main/contract';
import { PER_PHASE_LABEL, THREE_PHASE_TOTAL_LABEL } from '../../../src-shared/threephase';

export type ImportModel = 'three-phase' | 'balanced-equivalent';

const kw = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4));

export function MasterPicker({
  preview,
  entry,
  onEntry,
}: {
  preview: ImportPreview;
  entry: string | undefined;
  onEntry: (entry: string) => void;
}) {
  const entries = preview.entries ?? [];
  if (entries.length < 2) return null;
  return (
    <label className="master-pick">
      Master script{' '}
      <select
        data-testid="import-master"
        value={entry ?? preview.entry ?? ''}
        onChange={(e) => onEntry(e.target.value)}
      >
        {!(entry ?? preview.entry) && <option value="">— pick the script that defines the circuit —</option>}
        {entries.map((e) => (
          <option key={e} value={e}>
            {e}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ThreePhaseReportView({
  preview,
  model,
  onModel,
}: {
  preview: ImportPreview;
  model: ImportModel;
  onModel: (m: ImportModel) => void;
}) {
  const tp = preview.threePhase;
  if (!tp) return null;
  const eq = preview.balancedEquivalent;
  const classes = Object.entries(tp.classes);
  return (
    <div className="three-phase-report" data-testid="import-three-phase">
      <h3>Three-phase model</h3>
      {tp.ok ? (
        <>
          <dl className="facts">
            <dt>buses</dt>
            <dd>
              {tp.buses} ({tp.nodes} nodes)
            </dd>
            <dt>lines / transformers</dt>
            <dd>
              {tp.lines} / {tp.transformers}
            </dd>
            <dt>regulators / capacitors</dt>
            <dd>
              {tp.regulators} / {tp.capacitors}
            </dd>
            <dt>loads</dt>
            <dd data-testid="import-three-phase-load">
              {tp.loads}: {kw(tp.loadKw)} kW, {kw(tp.loadKvar)} kvar ({THREE_PHASE_TOTAL_LABEL}s, after allocation)
            </dd>
            <dt>voltage bases</dt>
            <dd>{tp.voltageBasesKv.join(', ')} kV (line-to-line)</dd>
          </dl>
          <table className="mini" data-testid="import-classes">
            <thead>
              <tr>
                <th>class</th>
                <th>imported</th>
                <th>approximated</th>
                <th>ignored</th>
              </tr>
            </thead>
            <tbody>
              {classes.map(([c, r]) => (
                <tr key={c}>
                  <td>{c}</td>
                  <td>{r.imported}</td>
                  <td title={r.approximated.map((a) => `${a.element}: ${a.what}`).join('\n')}>
                    {r.approximated.length}
                  </td>
                  <td>{r.ignored}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {classes.some(([, r]) => r.approximated.length > 0) && (
            <ul className="issues warn">
              {classes.flatMap(([, r]) =>
                r.approximated.slice(0, 20).map((a) => (
                  <li key={`${a.element}:${a.what}`}>
                    <code>{a.element}</code> {a.what}
                  </li>
                )),
              )}
            </ul>
          )}
        </>
      ) : (
        <ul className="issues bad" role="alert">
          {tp.errors.slice(0, 20).map((e, i) => (
            <li key={i}>
              <code>
                {e.file}:{e.line}
              </code>{' '}
              {e.message}
            </li>
          ))}
        </ul>
      )}
      <fieldset className="model-choice" data-testid="import-model">
        <legend>Keep this feeder as</legend>
        <label>
          <input
            type="radio"
            name="model"
            checked={model === 'three-phase'}
            disabled={!tp.ok}
            onChange={() => onModel('three-phase')}
          />{' '}
          Three-phase, as written (unbalanced power flow, per-phase voltages)
        </label>
        <label>
          <input
            type="radio"
            name="model"
            checked={model === 'balanced-equivalent'}
            disabled={!eq?.ok}
            onChange={() => onModel('balanced-equivalent')}
          />{' '}
          Balanced equivalent — {PER_PHASE_LABEL}
          {eq?.ok && (
            <span className="muted small" data-testid="import-balanced-load">
              {' '}
              ({eq.counts.buses} buses; loads {kw(eq.loadKwPerPhase)} kW, {kw(eq.loadKvarPerPhase)} kvar{' '}
              {PER_PHASE_LABEL})
            </span>
          )}
          {eq && !eq.ok && (
            <span className="muted small"> (cannot be built: {eq.errors[0]?.message ?? 'see the errors'})</span>
          )}
        </label>
      </fieldset>
    </div>
  );
}
