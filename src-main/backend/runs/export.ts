/**
 * CSV / JSON export of a run's result series — the same numbers runs.get returns (they are
 * written from the RunDetail), with full precision (shortest round-trip decimal), so parsing the
 * file back gives the stored doubles exactly.
 *
 * CSV: one long ("tidy") table, one row per value:
 *     series,unit,element,bus,period,value
 * `element`/`bus` are empty for system series. Spreadsheet pivot tables turn it into any view.
 */
import type { RunDetail } from '../../contract';

/** Unit of each stored series (from its name). */
export const SERIES_UNITS: Readonly<Record<string, string>> = {
  substationKw: 'kW',
  substationKvar: 'kvar',
  demandKw: 'kW',
  pvKw: 'kW',
  lossKw: 'kW',
  priceUsdPerKwh: 'USD/kWh',
  costUsd: 'USD',
  voltagePu: 'pu',
  pvUnitKw: 'kW',
  pvUnitKvar: 'kvar',
  batterySocKwh: 'kWh',
  batteryChargeKw: 'kW',
  batteryDischargeKw: 'kW',
  batteryKvar: 'kvar',
  branchCurrentA: 'A',
  branchPKw: 'kW',
  branchQKvar: 'kvar',
  branchLoadingPct: '%',
  // three-phase runs (RunThreePhaseInfo)
  nodeVoltagePu: 'pu',
  pvPhaseKw: 'kW',
  batteryPhaseKw: 'kW',
  vufMax: 'pu',
};

/** Element names and buses of a per-unit series (null for a system series). */
export function seriesElements(
  r: RunDetail,
  name: string,
): { names: readonly string[]; buses: readonly string[] } | null {
  if (name === 'voltagePu') return { names: r.busNames, buses: r.busNames };
  // three-phase runs: one element per phase node ("611.C"), PV per unit
  if (name === 'nodeVoltagePu' && r.threePhase)
    return {
      names: r.threePhase.nodeBuses.map((b, k) => `${b}.${r.threePhase!.nodePhases[k]}`),
      buses: r.threePhase.nodeBuses,
    };
  if (name === 'pvPhaseKw') return { names: r.pvNames, buses: r.pvBuses };
  if (name.startsWith('pvUnit')) return { names: r.pvNames, buses: r.pvBuses };
  if (name.startsWith('battery')) return { names: r.batteryNames, buses: r.batteryBuses };
  if (name === 'branchLoadingPct') {
    const rated = r.branchNames
      .map((_, e) => e)
      .filter((e) => r.branchAmpacityA[e] !== null && r.branchAmpacityA[e] !== undefined);
    return { names: rated.map((e) => r.branchNames[e]!), buses: rated.map((e) => r.branchTo[e]!) };
  }
  if (name.startsWith('branch')) return { names: r.branchNames, buses: r.branchTo };
  return null;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function fileBase(r: RunDetail): string {
  return `tessera-run-${r.id}-${r.kind}`;
}

export function runToCsv(r: RunDetail): string {
  const lines = ['series,unit,element,bus,period,value'];
  const T = r.periods;
  for (const name of Object.keys(r.series).sort()) {
    const values = r.series[name]!;
    const unit = SERIES_UNITS[name] ?? '';
    const el = seriesElements(r, name);
    if (!el) {
      for (let t = 0; t < values.length; t++) lines.push(`${name},${unit},,,${t + 1},${values[t]}`);
      continue;
    }
    el.names.forEach((element, u) => {
      const head = `${name},${unit},${csvField(element)},${csvField(el.buses[u] ?? '')}`;
      for (let t = 0; t < T; t++) lines.push(`${head},${t + 1},${values[u * T + t]}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export function runToJson(r: RunDetail): string {
  const { series, log: _log, ...rest } = r;
  const doc = {
    format: 'tessera-run',
    version: 1,
    ...rest,
    units: SERIES_UNITS,
    layout: 'system series: [T]; per-unit series: [units × T], unit-major (unit u, period t at u·T + t)',
    series,
  };
  return JSON.stringify(doc);
}

export function exportRun(r: RunDetail, format: 'csv' | 'json'): { fileName: string; text: string } {
  return format === 'csv'
    ? { fileName: `${fileBase(r)}.csv`, text: runToCsv(r) }
    : { fileName: `${fileBase(r)}.json`, text: runToJson(r) };
}
