/**
 * Areas for the distributed (ENApp) solve: the partition is a set of cut branches. Click a
 * branch on the graph to cut/uncut it, or box-select buses (Shift/Ctrl-drag) and make them an
 * area. The backend's `partition.check` is the authority on validity; a local check answers
 * instantly while it runs.
 */
import { useState } from 'react';
import type { CutBranch, PartitionCheck, RunCoordination } from '../../../src-main/contract';
import { AreasRun } from './AreasRun';
import { areaColor } from '../graph/NetworkGraph';
import type { LocalAreas, FeederTree } from '../../../src-shared/topology';

/** The 4-area split of the IEEE 123 case used by the source papers (reference-data/areas4). */
export const IEEE123_AREAS4: readonly CutBranch[] = [
  { from: '15', to: '117' },
  { from: '20', to: '118' },
  { from: '62', to: '125' },
];

export function hasBranches(tree: FeederTree, cuts: readonly CutBranch[]): boolean {
  return cuts.every((c) => {
    const a = tree.index.get(c.from);
    const b = tree.index.get(c.to);
    return a !== undefined && b !== undefined && (tree.parent[b] === a || tree.parent[a] === b);
  });
}

export function AreasPanel({
  tree,
  cuts,
  local,
  check,
  selection,
  onCuts,
  onFromSelection,
  onSuggest,
  saving = false,
  onRun,
  threePhase = false,
}: {
  tree: FeederTree;
  cuts: readonly CutBranch[];
  local: LocalAreas;
  check: PartitionCheck | null;
  selection: readonly string[];
  onCuts: (label: string, cuts: CutBranch[]) => void;
  onFromSelection: () => void;
  onSuggest: (k: number) => Promise<void>;
  /** A scenario edit is being saved. */
  saving?: boolean;
  /** Start a distributed run with this coordination (absent: no run button). */
  onRun?: (coordination: RunCoordination) => Promise<void>;
  /** A three-phase feeder: cuts at lines only, per-phase boundary values (the backend's check names a refused cut). */
  threePhase?: boolean;
}) {
  const [k, setK] = useState('4');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errors = check ? check.errors : local.errors;
  const ok = check ? check.ok : local.errors.length === 0;
  const areaCount = check?.areas.length || local.count;
  const preset = hasBranches(tree, IEEE123_AREAS4);

  return (
    <div className="areas">
      <p className="muted small">
        Click a branch to cut or join it. Shift-drag a box around buses, then “Make area from selection”.
      </p>
      {threePhase && (
        <p className="muted small" data-testid="areas-three-phase">
          Three-phase feeder: cut at lines only — a transformer or regulator cannot be cut. The areas exchange per-phase
          boundary values (each phase&apos;s voltage and power at the boundary bus).
        </p>
      )}
      <div
        className={`partition-status ${ok ? 'good' : 'bad'}`}
        data-testid="partition-status"
        role={ok ? 'status' : 'alert'}
      >
        {ok ? (
          <span>
            {areaCount === 1 ? 'One area (not partitioned).' : `${areaCount} areas, a valid tree of connected areas.`}
          </span>
        ) : (
          <>
            <strong>Not a valid partition:</strong>
            <ul data-testid="partition-errors">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="button-row">
        <button
          disabled={selection.length === 0}
          onClick={onFromSelection}
          title="Cut around the selected buses so they form one area"
        >
          Make area from selection{selection.length ? ` (${selection.length})` : ''}
        </button>
        <button disabled={cuts.length === 0} onClick={() => onCuts('Remove all cuts', [])}>
          Remove all cuts
        </button>
      </div>
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const n = Number(k);
          if (!Number.isInteger(n) || n < 1 || n > 64) return setError('k must be a whole number from 1 to 64.');
          setError(null);
          setBusy(true);
          try {
            await onSuggest(n);
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Suggest
          <input aria-label="Number of areas" className="num" value={k} onChange={(e) => setK(e.target.value)} />
          areas
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : 'Suggest'}
        </button>
        {preset && (
          <button
            type="button"
            onClick={() => onCuts('Use the 4-area split of the source papers', [...IEEE123_AREAS4])}
          >
            IEEE 123 4-area split
          </button>
        )}
      </form>
      {error && (
        <p className="bad small" role="alert">
          {error}
        </p>
      )}
      {onRun && <AreasRun areaCount={areaCount} valid={ok} saving={saving} onRun={onRun} />}
      <table className="grid" aria-label="Areas">
        <thead>
          <tr>
            <th>Area</th>
            <th>Root bus</th>
            <th>Parent</th>
            <th>Buses</th>
            <th title="Problem size: optimisation variables × periods, the solver's work for this area">Solver size</th>
          </tr>
        </thead>
        <tbody>
          {/* Numbered and coloured as the graph draws them (the local areas); the backend's answer
              adds the solver size, matched by root bus, so an invalid partition never shows
              colours that contradict the graph. */}
          {Array.from({ length: local.count }, (_, i) => i + 1).map((a) => {
            const root = tree.names[local.rootOf[a]!]!;
            const backend = check?.areas.find((x) => x.rootBus === root);
            const parentRoot = tree.parent[local.rootOf[a]!]!;
            return (
              <tr key={a} data-area={a} data-root={root}>
                <td>
                  <span className="swatch" style={{ background: areaColor(a) }} /> {a}
                </td>
                <td>{root}</td>
                <td>{a === 1 || parentRoot < 0 ? '–' : local.areaOf[parentRoot]}</td>
                <td>{local.sizes[a]}</td>
                <td>{backend ? backend.sizeEstimate.toLocaleString() : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>
        Cuts{' '}
        <span className="muted small" data-testid="cut-count">
          {cuts.length}
        </span>
      </h3>
      {cuts.length === 0 ? (
        <p className="empty small">No cuts: the whole feeder is one area.</p>
      ) : (
        <ul className="list compact" aria-label="Cut branches">
          {cuts.map((c) => (
            <li key={`${c.from}-${c.to}`}>
              {c.from}–{c.to}{' '}
              <button
                className="icon"
                aria-label={`Join ${c.from}–${c.to}`}
                onClick={() =>
                  onCuts(
                    `Join ${c.from}–${c.to}`,
                    cuts.filter((x) => x !== c),
                  )
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
