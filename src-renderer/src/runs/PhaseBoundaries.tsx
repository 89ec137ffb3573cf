/**
 * A three-phase distributed run's boundary values per phase (Solver view): at each boundary bus,
 * per phase, the node voltage the parent area gave the child and the power the child drew, over
 * the run's hours (src-shared/coordination.ts, as in the PDF report).
 */
import type { RunDistributedInfo } from '../../../src-main/contract';
import { formatRange, phaseBoundaryRows } from '../../../src-shared/coordination';

export function PhaseBoundaries({ d }: { d: RunDistributedInfo }) {
  const rows = phaseBoundaryRows(d);
  if (rows.length === 0) return null;
  return (
    <div className="table-scroll">
      <h3>Boundary values per phase</h3>
      <p className="muted small">
        The areas exchange per-phase values: the parent gives each boundary node its voltage, the child area below draws
        its power there. Ranges over the run&apos;s hours, at the last round.
      </p>
      <table className="grid" data-testid="phase-boundaries">
        <thead>
          <tr>
            <th>Boundary bus</th>
            <th>Areas (child → parent)</th>
            <th>Phase</th>
            <th className="num">Voltage, pu</th>
            <th className="num">P drawn, kW</th>
            <th className="num">Q drawn, kvar</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.bus}.${r.phase}`} data-bus={r.bus} data-phase={r.phase}>
              <td>{r.bus}</td>
              <td>{r.areas}</td>
              <td>{r.phase}</td>
              <td className="num">{formatRange(r.vPu, 4)}</td>
              <td className="num">{formatRange(r.pKw, 1)}</td>
              <td className="num">{formatRange(r.qKvar, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
