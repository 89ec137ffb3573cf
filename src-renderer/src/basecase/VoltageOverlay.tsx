/**
 * The network view's voltage colouring from the base-case power flow: each bus coloured by its
 * worst phase (the one farthest from 1 pu) or by a chosen phase, at a chosen hour, against the
 * ANSI C84.1 ranges; and the per-phase voltages for the bus hover.
 */
import type { PhaseLetter } from '../../../src-main/contract';
import { busVoltage, type PhaseVoltages, type PhaseView } from '../../../src-shared/basecase';
import { ANSI_RANGE_A, ANSI_RANGE_B } from '../../../src-shared/threephase';

export type ColourView = PhaseView | 'off';

const BINS: readonly { readonly label: string; readonly color: string; readonly test: (v: number) => boolean }[] = [
  { label: `< ${ANSI_RANGE_B.low} (below Range B)`, color: '#8b0000', test: (v) => v < ANSI_RANGE_B.low },
  { label: `< ${ANSI_RANGE_A.low} (below Range A)`, color: '#e06c00', test: (v) => v < ANSI_RANGE_A.low },
  { label: `${ANSI_RANGE_A.low}–0.98`, color: '#c9b200', test: (v) => v < 0.98 },
  { label: '0.98–1.02', color: '#2f9e44', test: (v) => v <= 1.02 },
  { label: `1.02–${ANSI_RANGE_A.high}`, color: '#1c7ed6', test: (v) => v <= ANSI_RANGE_A.high },
  { label: `> ${ANSI_RANGE_A.high} (above Range A)`, color: '#7048e8', test: (v) => v <= ANSI_RANGE_B.high },
  { label: `> ${ANSI_RANGE_B.high} (above Range B)`, color: '#3b0a6e', test: () => true },
];

export const voltageColor = (v: number): string => BINS.find((b) => b.test(v))!.color;

/** Bus → colour for the view at one period (buses without the chosen phase get none: the area colour stays). */
export function voltageColors(r: PhaseVoltages, period: number, view: ColourView): Map<string, string> | null {
  if (view === 'off') return null;
  const out = new Map<string, string>();
  r.buses.forEach((bus, i) => {
    const v = busVoltage(r, period, i, view);
    out.set(bus, v ? voltageColor(v.vPu) : '#d0d5dc');
  });
  return out;
}

/** Hover rows: the bus's voltage per phase at the period (and which phase is the worst). */
export function voltageRows(r: PhaseVoltages, period: number, bus: string): [string, string][] {
  const i = r.buses.indexOf(bus);
  const p = r.periods[period];
  if (i < 0 || !p) return [];
  const when = p.hour === 0 ? 'snapshot' : `hour ${p.hour}`;
  if (p.vPu.length === 1) {
    const v = p.vPu[0]![i];
    return v === null || v === undefined ? [] : [[`V (${when})`, `${v.toFixed(4)} pu`]];
  }
  const rows: [string, string][] = [];
  (['A', 'B', 'C'] as PhaseLetter[]).forEach((ph, k) => {
    const v = p.vPu[k]![i];
    if (v !== null && v !== undefined) rows.push([`V phase ${ph} (${when})`, `${v.toFixed(4)} pu`]);
  });
  const worst = busVoltage(r, period, i, 'worst');
  if (worst && rows.length > 1) rows.push(['Worst phase', `${worst.phase} (${worst.vPu.toFixed(4)} pu)`]);
  return rows;
}

export function VoltageOverlay({
  result,
  period,
  onPeriod,
  view,
  onView,
  title = 'Base-case voltage',
  onClose,
}: {
  result: PhaseVoltages;
  period: number;
  onPeriod: (p: number) => void;
  view: ColourView;
  onView: (v: ColourView) => void;
  /** What the colours are (a run's overlay names the run). */
  title?: string;
  /** A run's overlay: back to the base case. */
  onClose?: () => void;
}) {
  const threePhase = result.periods[0]?.vPu.length === 3;
  return (
    <div className="voltage-overlay legend" data-testid="voltage-overlay">
      <label>
        {title}{' '}
        <select value={view} onChange={(e) => onView(e.target.value as ColourView)} data-testid="phase-view">
          <option value="off">off (areas)</option>
          <option value="worst">{threePhase ? 'worst phase' : 'on'}</option>
          {threePhase && (
            <>
              <option value="A">phase A</option>
              <option value="B">phase B</option>
              <option value="C">phase C</option>
            </>
          )}
        </select>
      </label>
      {result.periods.length > 1 && (
        <label>
          {' '}
          at{' '}
          <select value={period} onChange={(e) => onPeriod(Number(e.target.value))} data-testid="overlay-hour">
            {result.periods.map((q, i) => (
              <option key={i} value={i}>
                hour {q.hour}
              </option>
            ))}
          </select>
        </label>
      )}
      {onClose && (
        <button className="icon" aria-label="Close the run's voltages" onClick={onClose}>
          ×
        </button>
      )}
      {view !== 'off' && (
        <ul className="swatches">
          {BINS.map((b) => (
            <li key={b.label}>
              <span className="swatch" style={{ background: b.color }} /> {b.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
