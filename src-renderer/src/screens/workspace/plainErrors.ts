/**
 * The store's validation messages are precise but written for developers
 * ("scenarios.update: patch.placements.batteries[26].sRatedKva must be ≥ pRatedKw (250), got 2.8").
 * This turns the ones a planner can cause into plain words; anything else is shown as it came,
 * without the command prefix.
 */
export function plainSaveError(message: string): string {
  const m = /placements\.(batteries|pv)\[(\d+)\]\.sRatedKva must be ≥ pRatedKw \(([\d.eE+-]+)\), got ([\d.eE+-]+)/.exec(
    message,
  );
  if (m) {
    const what = m[1] === 'pv' ? `PV system ${Number(m[2]) + 1}` : `battery ${Number(m[2]) + 1}`;
    return `the inverter of ${what} (${m[4]} kVA) is smaller than its power (${m[3]} kW). Raise the inverter's kVA or lower the power.`;
  }
  return message.replace(/^[a-z]+\.[a-zA-Z]+: (patch\.)?/, '');
}
