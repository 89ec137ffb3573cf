/**
 * The phases of a placed PV or battery on a three-phase feeder: all of its bus's phases (a
 * three-phase unit, power shared equally) or one of them (a single-phase unit). Absent on the
 * placement = the bus's phases.
 */
import type { PhaseLetter } from '../../../src-main/contract';

/** What the scenario table shows for a unit's phases: "ABC (3-phase)", "B (1-phase)". */
export function phasesText(phases: readonly PhaseLetter[] | undefined, busPhases: string | undefined): string {
  const p = phases ? phases.join('') : (busPhases ?? '').toUpperCase();
  if (!p) return '—';
  return `${p} (${p.length === 1 ? '1-phase' : `${p.length}-phase`})`;
}

export function PhaseCell({
  name,
  phases,
  busPhases,
  onChange,
}: {
  name: string;
  phases: readonly PhaseLetter[] | undefined;
  /** The bus's phases, e.g. "abc", "bc", "c" (feeders.phases; either case). */
  busPhases: string | undefined;
  onChange: (phases: PhaseLetter[] | undefined) => void;
}) {
  const present = [...(busPhases ?? '').toUpperCase()].filter(
    (c): c is PhaseLetter => c === 'A' || c === 'B' || c === 'C',
  );
  const value = phases ? phases.join('') : 'bus';
  const known = value === 'bus' || (phases!.length === 1 && present.includes(phases![0]!));
  return (
    <select
      aria-label={`${name} phases`}
      data-testid="unit-phases"
      value={value}
      onChange={(e) => onChange(e.target.value === 'bus' ? undefined : ([...e.target.value] as PhaseLetter[]))}
    >
      <option value="bus">
        {present.length > 1
          ? `${present.join('')} (${present.length}-phase)`
          : `${present.join('') || '?'} (bus's phase)`}
      </option>
      {present.length > 1 &&
        present.map((p) => (
          <option key={p} value={p}>
            {p} only (1-phase)
          </option>
        ))}
      {!known && <option value={value}>{value} (not on this bus)</option>}
    </select>
  );
}
