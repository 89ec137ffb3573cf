/**
 * PV and battery placement: editable tables (each committed cell is one undoable edit), a
 * click-a-bus placement mode (the graph calls `placeAt`), and bulk what-if rules run by the
 * backend (`placements.bulk`, seeded so the same rule picks the same buses).
 */
import { Fragment, useState } from 'react';
import type { BatteryPlacement, BulkPlacementRule, Placements, PvPlacement } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { PhaseCell } from '../threephase/PhaseCell';

export type PlaceKind = 'pv' | 'battery';

/** A new device at `bus`, sized like the source papers: 0.35 × peak load, 4 h, inverter 1.2 ×. */
export function newDevice(
  kind: PlaceKind,
  bus: string,
  feeder: Feeder,
  existing: Placements,
): PvPlacement | BatteryPlacement {
  const peak = feeder.loads.filter((l) => l.bus === bus).reduce((s, l) => s + l.pKw, 0);
  const p = round(peak > 0 ? 0.35 * peak : 10);
  const taken = new Set([...existing.pv, ...existing.batteries].map((d) => d.name));
  const base = `${kind === 'pv' ? 'pv' : 'bat'}_${bus}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  if (kind === 'pv') return { name, bus, pRatedKw: p, sRatedKva: round(1.2 * p) };
  return {
    name,
    bus,
    pRatedKw: p,
    energyKwh: round(4 * p),
    sRatedKva: round(1.2 * p),
    etaCharge: 0.95,
    etaDischarge: 0.95,
    socMin: 0.1,
    socMax: 0.9,
    socInitial: 0.625,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function PlacementsPanel({
  placements,
  placing,
  onPlacing,
  onEdit,
  onBulk,
  onFocusBus,
  busPhases,
}: {
  placements: Placements;
  /** Three-phase feeders: each bus's phases ("ABC", "C"…); a Phases column lets a unit be single- or three-phase. */
  busPhases?: Readonly<Record<string, string>> | null;
  placing: PlaceKind | null;
  onPlacing: (k: PlaceKind | null) => void;
  onEdit: (label: string, p: Placements) => void;
  onBulk: (rule: BulkPlacementRule) => Promise<void>;
  onFocusBus: (bus: string) => void;
}) {
  const setPv = (i: number, patch: Partial<PvPlacement>, label: string) =>
    onEdit(label, { ...placements, pv: placements.pv.map((d, k) => (k === i ? { ...d, ...patch } : d)) });
  const setBat = (i: number, patch: Partial<BatteryPlacement>, label: string) =>
    onEdit(label, { ...placements, batteries: placements.batteries.map((d, k) => (k === i ? { ...d, ...patch } : d)) });
  // A power above the inverter's rating (or an inverter below the power) is not sent to the store:
  // the row says so in plain words and offers the fix.
  const [issue, setIssue] = useState<RatingIssue | null>(null);
  const checkPower = (
    kind: 'pv' | 'battery',
    i: number,
    d: PvPlacement | BatteryPlacement,
    v: number,
    field: 'kw' | 'kva',
  ) => {
    const kw = field === 'kw' ? v : d.pRatedKw;
    const kva = field === 'kva' ? v : d.sRatedKva;
    const set = kind === 'pv' ? setPv : setBat;
    if (kw <= kva) {
      setIssue(null);
      set(
        i,
        field === 'kw' ? { pRatedKw: v } : { sRatedKva: v },
        `Set ${d.name} ${field === 'kw' ? 'power' : 'inverter'}`,
      );
    } else setIssue({ kind, index: i, name: d.name, kw, kva, field });
  };
  const issueRow = (kind: 'pv' | 'battery', i: number, cols: number) => {
    if (!issue || issue.kind !== kind || issue.index !== i) return null;
    const set = kind === 'pv' ? setPv : setBat;
    const fmt = (v: number) => String(Math.round(v * 1000) / 1000);
    return (
      <tr className="field-issue">
        <td colSpan={cols}>
          <div role="alert" data-testid="rating-issue">
            {issue.field === 'kw'
              ? `${fmt(issue.kw)} kW is more than ${issue.name}'s inverter can carry (${fmt(issue.kva)} kVA).`
              : `An inverter of ${fmt(issue.kva)} kVA cannot carry ${issue.name}'s ${fmt(issue.kw)} kW.`}{' '}
            {issue.field === 'kw' ? (
              <button
                className="primary small"
                onClick={() => {
                  set(i, { pRatedKw: issue.kw, sRatedKva: issue.kw }, `Set ${issue.name} power and inverter`);
                  setIssue(null);
                }}
              >
                Raise the inverter to {fmt(issue.kw)} kVA
              </button>
            ) : (
              <button
                className="primary small"
                onClick={() => {
                  set(i, { pRatedKw: issue.kva, sRatedKva: issue.kva }, `Set ${issue.name} inverter and power`);
                  setIssue(null);
                }}
              >
                Lower the power to {fmt(issue.kva)} kW
              </button>
            )}{' '}
            <button className="small" onClick={() => setIssue(null)}>
              Keep{' '}
              {issue.field === 'kw'
                ? `${fmt(placementsKw(placements, kind, i))} kW`
                : `${fmt(placementsKva(placements, kind, i))} kVA`}
            </button>
          </div>
        </td>
      </tr>
    );
  };

  return (
    <div className="placements">
      <div className="place-modes" role="group" aria-label="Place by clicking a bus">
        <span className="muted small">Click a bus to add:</span>
        <button aria-pressed={placing === 'pv'} onClick={() => onPlacing(placing === 'pv' ? null : 'pv')}>
          PV
        </button>
        <button
          aria-pressed={placing === 'battery'}
          onClick={() => onPlacing(placing === 'battery' ? null : 'battery')}
        >
          Battery
        </button>
      </div>
      <BulkForm onRun={onBulk} />
      <h3>
        Batteries{' '}
        <span className="muted small" data-testid="battery-count">
          {placements.batteries.length}
        </span>
      </h3>
      {placements.batteries.length === 0 ? (
        <p className="empty small">No batteries. Click a bus in Battery mode, or use a bulk rule.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid" aria-label="Batteries">
            <thead>
              <tr>
                <th>Name</th>
                <th>Bus</th>
                <th title="Power rating">kW</th>
                <th title="Energy rating">kWh</th>
                <th title="Inverter rating">kVA</th>
                <th title="Initial SOC">SOC₀</th>
                {busPhases && <th title="Phases the unit connects to">Phases</th>}
                <th />
              </tr>
            </thead>
            <tbody>
              {placements.batteries.map((b, i) => (
                <Fragment key={b.name}>
                  <tr aria-invalid={issue?.kind === 'battery' && issue.index === i}>
                    <td>{b.name}</td>
                    <td>
                      <button className="link" onClick={() => onFocusBus(b.bus)}>
                        {b.bus}
                      </button>
                    </td>
                    <td>
                      <Cell
                        value={b.pRatedKw}
                        label={`${b.name} kW`}
                        onCommit={(v) => checkPower('battery', i, b, v, 'kw')}
                      />
                    </td>
                    <td>
                      <Cell
                        value={b.energyKwh}
                        label={`${b.name} kWh`}
                        onCommit={(v) => setBat(i, { energyKwh: v }, `Set ${b.name} energy`)}
                      />
                    </td>
                    <td>
                      <Cell
                        value={b.sRatedKva}
                        label={`${b.name} kVA`}
                        onCommit={(v) => checkPower('battery', i, b, v, 'kva')}
                      />
                    </td>
                    <td>
                      <Cell
                        value={b.socInitial}
                        max={1}
                        label={`${b.name} initial SOC`}
                        onCommit={(v) => setBat(i, { socInitial: v }, `Set ${b.name} SOC`)}
                      />
                    </td>
                    {busPhases && (
                      <td>
                        <PhaseCell
                          name={b.name}
                          phases={b.phases}
                          busPhases={busPhases[b.bus]}
                          onChange={(phases) => setBat(i, { phases }, `Set ${b.name} phases`)}
                        />
                      </td>
                    )}
                    <td>
                      <button
                        className="icon"
                        aria-label={`Remove ${b.name}`}
                        onClick={() =>
                          onEdit(`Remove ${b.name}`, {
                            ...placements,
                            batteries: placements.batteries.filter((_, k) => k !== i),
                          })
                        }
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                  {issueRow('battery', i, busPhases ? 8 : 7)}
                  <NotesRow name={b.name} notes={b.notes} cols={busPhases ? 8 : 7} />
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>
        PV{' '}
        <span className="muted small" data-testid="pv-count">
          {placements.pv.length}
        </span>
      </h3>
      {placements.pv.length === 0 ? (
        <p className="empty small">No PV. Click a bus in PV mode, or use a bulk rule.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid" aria-label="PV">
            <thead>
              <tr>
                <th>Name</th>
                <th>Bus</th>
                <th>kW</th>
                <th>kVA</th>
                {busPhases && <th title="Phases the unit connects to">Phases</th>}
                <th />
              </tr>
            </thead>
            <tbody>
              {placements.pv.map((p, i) => (
                <Fragment key={p.name}>
                  <tr aria-invalid={issue?.kind === 'pv' && issue.index === i}>
                    <td>{p.name}</td>
                    <td>
                      <button className="link" onClick={() => onFocusBus(p.bus)}>
                        {p.bus}
                      </button>
                    </td>
                    <td>
                      <Cell
                        value={p.pRatedKw}
                        label={`${p.name} kW`}
                        onCommit={(v) => checkPower('pv', i, p, v, 'kw')}
                      />
                    </td>
                    <td>
                      <Cell
                        value={p.sRatedKva}
                        label={`${p.name} kVA`}
                        onCommit={(v) => checkPower('pv', i, p, v, 'kva')}
                      />
                    </td>
                    {busPhases && (
                      <td>
                        <PhaseCell
                          name={p.name}
                          phases={p.phases}
                          busPhases={busPhases[p.bus]}
                          onChange={(phases) => setPv(i, { phases }, `Set ${p.name} phases`)}
                        />
                      </td>
                    )}
                    <td>
                      <button
                        className="icon"
                        aria-label={`Remove ${p.name}`}
                        onClick={() =>
                          onEdit(`Remove ${p.name}`, { ...placements, pv: placements.pv.filter((_, k) => k !== i) })
                        }
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                  {issueRow('pv', i, busPhases ? 6 : 5)}
                  <NotesRow name={p.name} notes={p.notes} cols={busPhases ? 6 : 5} />
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** What the import assumed for a unit (e.g. OpenDSS's default inverter rating), under its row. */
function NotesRow({ name, notes, cols }: { name: string; notes?: readonly string[]; cols: number }) {
  if (!notes || notes.length === 0) return null;
  return (
    <tr className="placement-note" data-testid={`placement-note-${name}`}>
      <td colSpan={cols} className="muted small">
        {notes.join(' · ')}
      </td>
    </tr>
  );
}

function Cell({
  value,
  label,
  max,
  onCommit,
}: {
  value: number;
  label: string;
  max?: number;
  onCommit: (v: number) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft === null) return;
    const v = Number(draft);
    setDraft(null);
    if (Number.isFinite(v) && v >= 0 && (max === undefined || v <= max) && v !== value) onCommit(v);
  };
  return (
    <input
      className="cell"
      aria-label={label}
      type="number"
      value={draft ?? String(Math.round(value * 100) / 100)}
      title={String(value)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        // Enter commits and leaves the cell, so the 1–5 tab keys switch tabs instead of typing here.
        if (e.key === 'Enter') e.currentTarget.blur();
        if (e.key === 'Escape') setDraft(null);
      }}
    />
  );
}

interface RatingIssue {
  readonly kind: 'pv' | 'battery';
  readonly index: number;
  readonly name: string;
  readonly kw: number;
  readonly kva: number;
  /** Which field the user typed. */
  readonly field: 'kw' | 'kva';
}
const placementsKw = (p: Placements, kind: 'pv' | 'battery', i: number) =>
  kind === 'pv' ? p.pv[i]!.pRatedKw : p.batteries[i]!.pRatedKw;
const placementsKva = (p: Placements, kind: 'pv' | 'battery', i: number) =>
  kind === 'pv' ? p.pv[i]!.sRatedKva : p.batteries[i]!.sRatedKva;

function BulkForm({ onRun }: { onRun: (rule: BulkPlacementRule) => Promise<void> }) {
  const [kind, setKind] = useState<'battery' | 'pv'>('battery');
  const [fraction, setFraction] = useState('30');
  const [power, setPower] = useState('35');
  const [hours, setHours] = useState('4');
  const [ratio, setRatio] = useState('1.2');
  const [seed, setSeed] = useState('1');
  const [replace, setReplace] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    const rule: BulkPlacementRule = {
      kind,
      fractionOfLoadBuses: Number(fraction) / 100,
      powerFractionOfPeakLoad: Number(power) / 100,
      energyHours: kind === 'battery' ? Number(hours) : undefined,
      inverterRatio: Number(ratio),
      seed: Math.trunc(Number(seed)),
      replace,
    };
    const bad = [
      !(rule.fractionOfLoadBuses > 0 && rule.fractionOfLoadBuses <= 1) && 'share of load buses must be 1–100 %',
      !(rule.powerFractionOfPeakLoad > 0) && 'power must be above 0 %',
      kind === 'battery' && !(Number(hours) > 0) && 'energy hours must be above 0',
      !(rule.inverterRatio >= 1) && 'inverter ratio must be at least 1',
      !Number.isFinite(rule.seed) && 'seed must be a whole number',
    ].filter(Boolean);
    if (bad.length) return setError(`Check the rule: ${bad.join('; ')}.`);
    setError(null);
    setBusy(true);
    try {
      await onRun(rule);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="bulk card"
      aria-label="Bulk placement rule"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <h3>Bulk rule</h3>
      <p className="rule-text">
        <select aria-label="Device kind" value={kind} onChange={(e) => setKind(e.target.value as 'battery' | 'pv')}>
          <option value="battery">Batteries</option>
          <option value="pv">PV</option>
        </select>{' '}
        on{' '}
        <input
          aria-label="Share of load buses (%)"
          className="num"
          value={fraction}
          onChange={(e) => setFraction(e.target.value)}
        />{' '}
        % of load buses, power{' '}
        <input
          aria-label="Power (% of peak load)"
          className="num"
          value={power}
          onChange={(e) => setPower(e.target.value)}
        />{' '}
        % of the bus's peak load
        {kind === 'battery' && (
          <>
            ,{' '}
            <input
              aria-label="Energy (hours)"
              className="num"
              value={hours}
              onChange={(e) => setHours(e.target.value)}
            />{' '}
            h energy
          </>
        )}
        , inverter{' '}
        <input aria-label="Inverter ratio" className="num" value={ratio} onChange={(e) => setRatio(e.target.value)} /> ×
        power, seed <input aria-label="Seed" className="num" value={seed} onChange={(e) => setSeed(e.target.value)} />
      </p>
      <label className="check">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace existing{' '}
        {kind === 'pv' ? 'PV' : 'batteries'}
      </label>
      <button className="primary" type="submit" disabled={busy}>
        Apply rule
      </button>
      {error && (
        <p className="bad small" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
