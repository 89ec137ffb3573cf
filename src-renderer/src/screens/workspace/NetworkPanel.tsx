/** The Network tab's panel (feeder facts) and the legend under the graph. */
import type { Scenario } from '../../../../src-main/contract';
import type { Feeder } from '../../../../src-solver/model/feeder';
import type { GraphMode } from '../../graph/NetworkGraph';
import { SHORTCUT_HINT } from '../../state/shortcuts';

export function NetworkPanel({
  feeder,
  scenario,
  summary,
  powerLabel,
}: {
  feeder: Feeder | null;
  scenario: Scenario;
  summary?: string;
  /** What the load figures are on a three-phase or balanced-equivalent feeder. */
  powerLabel?: string;
}) {
  if (!feeder) return <p className="muted">Loading…</p>;
  const peakKw = feeder.loads.reduce((s, l) => s + l.pKw, 0);
  const peakKvar = feeder.loads.reduce((s, l) => s + l.qKvar, 0);
  const capKvar = feeder.capacitors.reduce((s, c) => s + c.qKvar, 0);
  const pvKw = scenario.placements.pv.reduce((s, p) => s + p.pRatedKw, 0);
  const batKw = scenario.placements.batteries.reduce((s, b) => s + b.pRatedKw, 0);
  const batKwh = scenario.placements.batteries.reduce((s, b) => s + b.energyKwh, 0);
  return (
    <div>
      <h2>{feeder.name}</h2>
      {summary && <p className="muted small">{summary}</p>}
      <dl className="facts" data-testid="feeder-facts">
        <dt>Buses</dt>
        <dd>{feeder.buses.length}</dd>
        <dt>Branches</dt>
        <dd>{feeder.branches.length}</dd>
        <dt>Substation</dt>
        <dd>
          bus {feeder.substation.bus}, {feeder.substation.vSetPu} pu
        </dd>
        <dt>Peak load</dt>
        <dd>
          {peakKw.toFixed(0)} kW, {peakKvar.toFixed(0)} kvar ({feeder.loads.length} loads
          {powerLabel ? `; ${powerLabel}` : ''})
        </dd>
        <dt>Capacitors</dt>
        <dd>
          {feeder.capacitors.length} ({capKvar.toFixed(0)} kvar)
        </dd>
        <dt>PV</dt>
        <dd>
          {scenario.placements.pv.length} ({pvKw.toFixed(0)} kW)
        </dd>
        <dt>Batteries</dt>
        <dd>
          {scenario.placements.batteries.length} ({batKw.toFixed(0)} kW, {batKwh.toFixed(0)} kWh)
        </dd>
        <dt>Areas</dt>
        <dd>{scenario.partition.cuts.length + 1}</dd>
      </dl>
      <p className="muted small">
        Hover a bus for its data; click a bus or a branch for its details. Keys: {SHORTCUT_HINT}.
      </p>
    </div>
  );
}

export function Legend({ feeder, summary, mode }: { feeder: Feeder; summary?: string; mode: GraphMode }) {
  const hint =
    mode === 'areas'
      ? 'Click a branch to cut or join · Shift-drag to select buses'
      : mode === 'place-pv'
        ? 'Click a bus to add PV · Esc to stop'
        : mode === 'place-battery'
          ? 'Click a bus to add a battery · Esc to stop'
          : (summary ?? '');
  return (
    <div className="legend" aria-label="Legend">
      <span>
        <i className="g sub" /> substation
      </span>
      <span>
        <i className="g load" /> load (size ∝ kW)
      </span>
      <span>
        <i className="g pv" /> PV
      </span>
      <span>
        <i className="g bat" /> battery
      </span>
      {feeder.capacitors.length > 0 && (
        <span>
          <i className="g cap" /> capacitor
        </span>
      )}
      {feeder.branches.some((b) => b.kind === 'transformer') && (
        <span>
          <i className="g xf" /> transformer
        </span>
      )}
      {feeder.branches.some((b) => b.kind === 'regulator') && (
        <span>
          <i className="g reg">R</i> regulator
        </span>
      )}
      {feeder.branches.some((b) => b.kind === 'switch') && (
        <span>
          <i className="g sw" /> switch
        </span>
      )}
      <span className="hint" data-testid="graph-hint">
        {hint}
      </span>
    </div>
  );
}
