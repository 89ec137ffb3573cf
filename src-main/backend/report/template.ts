/**
 * The PDF study report as one self-contained HTML page (A4, printed by Chromium): title page,
 * study settings, feeder summary with the network picture and its areas, totals (or the
 * comparison table), charts, the OPF vs AC power-flow validation table, solver statistics and an
 * appendix of assumptions. Every number comes from the RunDetail (runs.get) through the shared
 * figures/charts modules, printed with the shared formatter — the same numbers as the dashboards.
 */
import type { RunComparison, RunDetail } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import {
  batteryMultiplesHeight,
  batteryMultiplesOption,
  batteryOrder,
  convergenceOption,
  lossOption,
  overlayOption,
  periodLabels,
  priceCostOption,
  pvOption,
  substationOption,
  voltageEnvelopeOption,
  voltageHeatmapOption,
  voltageRows,
  type ChartOption,
} from '../../../src-shared/charts';
import { formatInUnit, formatNumber, formatPercent, formatSci, totalsRows } from '../../../src-shared/format';
import { batteryCycles, minVoltagePu, peakSubstationKw } from '../runs/compare';
import { chartSvg } from './charts';
import { areaColor, networkSvg } from './network-svg';

export interface ReportInput {
  readonly projectName: string;
  readonly feeder: Feeder;
  readonly scenarioName: string;
  readonly otherScenarioName: string | null;
  readonly run: RunDetail;
  readonly other: RunDetail | null;
  readonly comparison: RunComparison | null;
  readonly generatedAt: Date;
}

const formatValue = (v: number, digits: number): string => formatNumber(v, digits);

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const e = escapeHtml;

const CSS = `
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt; color: #222; margin: 0; }
section { page-break-before: always; }
section.title { page-break-before: auto; height: 250mm; display: flex; flex-direction: column; justify-content: center; }
h1 { font-size: 26pt; margin: 0 0 6mm; color: #1d3f66; }
h2 { font-size: 15pt; color: #1d3f66; border-bottom: 1.5px solid #1d3f66; padding-bottom: 2mm; margin: 0 0 4mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 4mm; }
th, td { border-bottom: 0.5px solid #bbb; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta td:first-child { width: 45mm; color: #555; }
table.cmp td:first-child { width: 42%; }
table.cmp td.num { font-size: 9pt; }
.status-ok { color: #1b7f3a; font-weight: 600; }
.status-bad { color: #b02a2a; font-weight: 600; }
.chart { margin: 2mm 0 5mm; page-break-inside: avoid; }
.legend span { display: inline-block; margin-right: 5mm; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; vertical-align: middle; }
pre { font-size: 7pt; line-height: 1.25; white-space: pre-wrap; background: #f6f6f6; padding: 2mm; }
.small { font-size: 8.5pt; color: #555; }
`;

function kv(rows: readonly (readonly [string, string])[]): string {
  return `<table class="meta">${rows.map(([k, v]) => `<tr><td>${e(k)}</td><td>${v}</td></tr>`).join('')}</table>`;
}

function statusSpan(status: string): string {
  return `<span class="${status === 'solved' || status === 'acceptable' ? 'status-ok' : 'status-bad'}">${e(status)}</span>`;
}

function titlePage(inp: ReportInput): string {
  const r = inp.run;
  const subtitle = inp.other
    ? `Comparison: run ${r.id} (${r.kind}, “${inp.scenarioName}”) vs run ${inp.other.id} (${inp.other.kind}, “${inp.otherScenarioName ?? ''}”)`
    : `${r.kind === 'centralized' ? 'Centralized' : 'Distributed'} multi-period optimal power flow, run ${r.id}`;
  return `<section class="title">
  <div class="small">Tessera — distribution planning study</div>
  <h1>Study report</h1>
  <p style="font-size:13pt">${e(subtitle)}</p>
  ${kv([
    ['Project', e(inp.projectName)],
    ['Feeder', e(inp.feeder.name)],
    ['Scenario', e(inp.scenarioName) + (inp.other && inp.otherScenarioName !== inp.scenarioName ? ` vs ${e(inp.otherScenarioName ?? '')}` : '')],
    ['Run', `${r.id} (${e(r.kind)}), ${statusSpan(r.status)}`],
    ['Solved', `${e(r.startedAt)}${r.finishedAt ? ` — ${e(r.finishedAt)}` : ''}`],
    ['Report date', e(inp.generatedAt.toISOString().slice(0, 10))],
  ])}
</section>`;
}

function settingsSection(inp: ReportInput): string {
  const s = inp.run.settings;
  const shape = (xs: readonly number[]) => `${xs.length} hourly points, ${formatValue(Math.min(...xs), 3)} – ${formatValue(Math.max(...xs), 3)}`;
  return `<section>
  <h2>Study settings</h2>
  ${kv([
    ['Horizon', `${s.periods} periods of ${s.dtH} h from hour ${s.startHour}`],
    ['Objective', s.objective === 'cost' ? 'substation energy cost' : 'real-power line losses'],
    ['Battery-loss weight α', String(s.alpha)],
    ['Terminal state of charge', e(s.terminalSoc)],
    ['Battery inverter limit', s.batteryLimit === 'box' ? 'box |qB| ≤ √(S² − P²) (source papers)' : 'apparent-power disk (exact)'],
    ['Branch power equation', s.relax ? 'SOCP relaxation l·v ≥ P² + Q²' : 'exact equality l·v = P² + Q²'],
    ['Voltage limits', `${s.vMinPu} – ${s.vMaxPu} pu`],
    ['Current limits', s.currentLimits ? 'enforced where a branch has an ampacity' : 'not enforced'],
    ['Solver tolerance', String(s.tolerance)],
    ['Boundary tolerance (distributed)', `${s.boundaryTolerancePu} pu`],
    ['Load shape', shape(s.loadShape)],
    ['PV shape', shape(s.pvShape)],
    ['Energy price', `${shape(s.priceCentsPerKwh)} ¢/kWh`],
  ])}
  <h3>Run</h3>
  ${kv([
    ['Status', statusSpan(inp.run.status)],
    ['Message', e(inp.run.message)],
    ['Areas', inp.run.partition.cuts.length === 0 ? '1 (not partitioned)' : `${inp.run.partition.cuts.length + 1} (cuts: ${inp.run.partition.cuts.map((c) => `${e(c.from)}–${e(c.to)}`).join(', ')})`],
  ])}
</section>`;
}

function feederSection(inp: ReportInput): string {
  const f = inp.feeder;
  const pic = networkSvg(
    {
      ...f,
      pv: inp.run.pvNames.map((n, i) => ({ name: n, bus: inp.run.pvBuses[i]!, pRatedKw: 0, sRatedKva: 0 })),
      batteries: inp.run.batteryNames.map((n, i) => ({ ...BAT_STUB, name: n, bus: inp.run.batteryBuses[i]! })),
    },
    inp.run.partition.cuts,
  );
  const peakLoadKw = f.loads.reduce((s, l) => s + l.pKw, 0);
  const storage = inp.run.batteryLimits.reduce((s, b) => s + b.energyKwh, 0);
  return `<section>
  <h2>Feeder</h2>
  ${kv([
    ['Name', e(f.name)],
    ['Buses / branches', `${f.buses.length} / ${f.branches.length}`],
    ['Loads', `${f.loads.length}, ${formatValue(peakLoadKw, 1)} kW at peak (per-phase equivalent)`],
    ['PV units (scenario)', `${inp.run.pvNames.length}`],
    ['Batteries (scenario)', `${inp.run.batteryNames.length}, ${formatValue(storage, 1)} kWh`],
    ['Areas', `${pic.areas}${pic.areas > 1 ? ` (buses per area: ${pic.areaSizes.join(', ')})` : ''}`],
  ])}
  <div class="chart">${pic.svg}</div>
  <div class="legend small">${Array.from({ length: pic.areas }, (_, i) => `<span><i class="swatch" style="background:${areaColor(i + 1)}"></i>area ${i + 1}</span>`).join('')}
  <span><i class="swatch" style="background:#222"></i>substation</span><span><i class="swatch" style="background:#e8b400;border-radius:50%"></i>PV</span><span><i class="swatch" style="background:#1b7f3a"></i>battery</span></div>
</section>`;
}

const BAT_STUB = { pRatedKw: 0, energyKwh: 0, sRatedKva: 0, etaCharge: 1, etaDischarge: 1, socMin: 0, socMax: 1, socInitial: 0.5 };

function totalsSection(inp: ReportInput): string {
  const r = inp.run;
  if (inp.comparison && inp.other) {
    const c = inp.comparison;
    return `<section>
  <h2>${c.mode === 'method' ? 'Centralized vs distributed' : 'Scenario comparison'}</h2>
  <p class="small">A: run ${r.id} (${e(r.kind)}, “${e(inp.scenarioName)}”); B: run ${inp.other.id} (${e(inp.other.kind)}, “${e(inp.otherScenarioName ?? '')}”). Difference = B − A.</p>
  <table class="cmp"><tr><th>Quantity</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">relative</th></tr>
  ${c.rows.map((w) => `<tr><td>${e(w.quantity)}</td><td class="num">${e(formatInUnit(w.a, w.unit))}</td><td class="num">${e(formatInUnit(w.b, w.unit))}</td><td class="num">${e(formatInUnit(w.diff, w.unit))}</td><td class="num">${e(formatPercent(w.relDiff))}</td></tr>`).join('')}
  </table>
  <p>Largest relative difference: ${e(formatPercent(c.maxRelDiff))}</p>
</section>`;
  }
  if (!r.totals) return `<section><h2>Totals</h2><p>No results: the run ended ${statusSpan(r.status)} — ${e(r.message)}</p></section>`;
  const maxV = (r.series.voltagePu ?? []).reduce((m, x) => Math.max(m, x), -Infinity);
  const figures: [string, string][] = [
    ['Peak substation demand', formatInUnit(peakSubstationKw(r), 'kW')],
    ['Minimum voltage', formatInUnit(minVoltagePu(r), 'pu')],
    ['Maximum voltage', formatInUnit(maxV, 'pu')],
    ['Battery cycling (equivalent full cycles)', formatNumber(batteryCycles(r), 3)],
  ];
  if (r.objective !== null)
    figures.push([`Objective (${r.settings.objective === 'cost' ? 'USD, α term included' : 'kW, losses summed over periods'})`, formatNumber(r.objective, 4)]);
  return `<section>
  <h2>Totals over the horizon</h2>
  <table><tr><th>Quantity</th><th class="num">Value</th></tr>
  ${totalsRows(r).map((w) => `<tr><td>${e(w.label)}</td><td class="num">${e(w.text)}</td></tr>`).join('')}
  </table>
  <h3>Key figures</h3>
  <table><tr><th>Quantity</th><th class="num">Value</th></tr>
  ${figures.map(([k, v]) => `<tr><td>${e(k)}</td><td class="num">${e(v)}</td></tr>`).join('')}
  </table>
</section>`;
}

function chartsSection(inp: ReportInput): string {
  const r = inp.run;
  if (!r.totals) return '';
  const W = 720;
  const chart = (id: string, option: ChartOption, height = 300) => `<div class="chart" data-chart="${id}">${chartSvg(option, W, height)}</div>`;
  const charts: string[] = [];
  if (inp.other?.totals) {
    const labels: [string, string] = [`A: run ${r.id}`, `B: run ${inp.other.id}`];
    charts.push(chart('compareSubstation', overlayOption(r, inp.other, 'substationKw', 'kW', labels, 'Substation power, A vs B')));
    charts.push(chart('compareLoss', overlayOption(r, inp.other, 'lossKw', 'kW', labels, 'Line losses, A vs B')));
  }
  charts.push(chart('substation', substationOption(r, 'Substation power, demand and PV')));
  charts.push(chart('priceCost', priceCostOption(r, 'Energy price and cost')));
  charts.push(chart('loss', lossOption(r, 'Line losses')));
  charts.push(chart('voltageEnvelope', voltageEnvelopeOption(r, 'Bus voltage range')));
  // At most 120 bus rows (the dashboard's heatmap aggregates the same way; SSR of 240 × T cells takes ~2 s).
  charts.push(chart('voltageHeatmap', voltageHeatmapOption(r, voltageRows(r, 120), 'Bus voltages'), 420));
  if (r.pvNames.length > 0) charts.push(chart('pv', pvOption(r, 'PV')));
  if (r.batteryNames.length > 0) {
    const shown = batteryOrder(r).slice(0, 6);
    charts.push(chart('batteries', batteryMultiplesOption(r, shown, 3), batteryMultiplesHeight(shown.length, 3)));
  }
  if (r.distributed) charts.push(chart('convergence', convergenceOption(r.distributed, r.settings.boundaryTolerancePu, 'Boundary convergence')));
  // Three charts per page (the heatmap and battery panels are taller: two).
  const pages: string[] = [];
  for (let i = 0; i < charts.length; ) {
    const n = charts.slice(i, i + 3).some((c) => /data-chart="(voltageHeatmap|batteries)"/.test(c)) ? 2 : 3;
    pages.push(`<section><h2>Charts${i > 0 ? ' (continued)' : ''}</h2>${charts.slice(i, i + n).join('')}</section>`);
    i += n;
  }
  return pages.join('\n');
}

function validationSection(inp: ReportInput): string {
  const r = inp.run;
  const v = r.validation;
  if (!v) return `<section><h2>Validation by AC power flow</h2><p>No validation: ${r.totals ? 'the power flow did not run or failed' : 'the run has no results'} (${e(r.message)}).</p></section>`;
  const hours = periodLabels(r);
  return `<section>
  <h2>Validation by AC power flow</h2>
  <p>The OPF's battery and PV set points are fed to an independent AC power flow (Newton on the
  same branch model); the table puts both side by side per period.</p>
  ${kv([
    ['Largest voltage difference', `${formatSci(v.maxVoltageDiffPu)} pu`],
    ['Largest loss difference', `${formatSci(v.maxLossDiffPu)} pu`],
    ['Largest substation power difference', `${formatSci(v.maxSubstationDiffPu)} pu`],
  ])}
  <table><tr><th>Hour</th><th class="num">Loss OPF kW</th><th class="num">Loss PF kW</th><th class="num">Subst. OPF kW</th><th class="num">Subst. PF kW</th><th class="num">Subst. OPF kvar</th><th class="num">Subst. PF kvar</th></tr>
  ${v.periods.map((p, t) => `<tr><td>${hours[t]}</td><td class="num">${formatValue(p.lossKwOpf, 3)}</td><td class="num">${formatValue(p.lossKwPf, 3)}</td><td class="num">${formatValue(p.substationKwOpf, 2)}</td><td class="num">${formatValue(p.substationKwPf, 2)}</td><td class="num">${formatValue(p.substationKvarOpf, 2)}</td><td class="num">${formatValue(p.substationKvarPf, 2)}</td></tr>`).join('')}
  </table>
</section>`;
}

function solverSection(inp: ReportInput): string {
  const r = inp.run;
  const d = r.distributed;
  const log = r.log.split('\n');
  const shown = log.length > 90 ? [...log.slice(0, 45), `… ${log.length - 90} lines …`, ...log.slice(-45)] : log;
  return `<section>
  <h2>Solver statistics</h2>
  ${kv([
    ['Method', r.kind === 'centralized' ? 'centralized: primal-dual interior point on the full multi-period model' : 'distributed: ENApp, one interior-point solve per area per round'],
    ['Status', statusSpan(r.status)],
    ['Message', e(r.message)],
    ['Iterations', r.iterations === null ? '—' : String(r.iterations)],
    ['Solver time', r.seconds === null ? '—' : `${formatValue(r.seconds, 2)} s`],
    ['Objective', r.objective === null ? '—' : formatValue(r.objective, 6)],
    ...(d ? ([['Areas / rounds', `${d.areas.length} / ${d.rounds.length}`], ['Largest boundary change', `${formatSci(d.maxBoundaryChangePu)} pu`], ['Wall time', `${formatValue(d.wallSeconds, 2)} s`]] as [string, string][]) : []),
  ])}
  ${d ? `<h3>Rounds</h3><table><tr><th>Round</th><th class="num">Largest boundary change, pu</th><th class="num">Slowest area, s</th><th class="num">Wall, s</th></tr>${d.rounds.map((w) => `<tr><td>${w.round}</td><td class="num">${formatSci(w.maxChangePu)}</td><td class="num">${formatValue(Math.max(...w.areaSeconds), 2)}</td><td class="num">${formatValue(w.wallSeconds, 2)}</td></tr>`).join('')}</table>` : ''}
  <h3>Solver log</h3>
  <pre>${e(shown.join('\n'))}</pre>
</section>`;
}

function appendix(inp: ReportInput): string {
  const s = inp.run.settings;
  return `<section>
  <h2>Appendix: assumptions</h2>
  <h3>Model</h3>
  <ul>
    <li>Balanced (per-phase equivalent) branch-flow model of a radial feeder (DistFlow with the exact
    branch equation unless the SOCP relaxation is chosen); powers in kW/kvar per phase equivalent,
    energies Σ value·Δt, voltages pu of magnitude.</li>
    <li>Substation bus voltage fixed at its nominal set point; substation power includes loads on the substation bus.</li>
    <li>PV: output ≤ rating × PV shape; reactive power within the inverter's apparent-power limit.</li>
    <li>Batteries: state of charge B_t = B_{t−1} + Δt·ηc·Pc − Δt·Pd/ηd within [socMin, socMax]·E; terminal condition “${e(s.terminalSoc)}”; inverter limit “${e(s.batteryLimit)}”.</li>
    <li>Objective: ${s.objective === 'cost' ? 'Σ_t price_t · P_subs,t · Δt (USD)' : 'Σ_t Σ_branches r·l (line losses)'} plus α · battery losses, α = ${s.alpha}.</li>
    <li>Loads scale with the load shape; prices from the price profile (¢/kWh, reported in USD/kWh).</li>
  </ul>
  <h3>Tolerances</h3>
  ${kv([
    ['Interior-point tolerance (tol)', String(s.tolerance)],
    ['Constraint violation tolerance', '1e-9 (per unit)'],
    ['ENApp boundary tolerance', `${s.boundaryTolerancePu} pu`],
    ['Voltage limits', `${s.vMinPu} – ${s.vMaxPu} pu`],
  ])}
  <h3>Options and defaults used by the solver</h3>
  <pre>${e(inp.run.log.split('\n').filter((l) => /\(default\)/.test(l)).map((l) => l.trim()).join('\n') || 'all options set by the study')}</pre>
</section>`;
}

export function buildReportHtml(inp: ReportInput): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Tessera study report — ${e(inp.feeder.name)}</title><style>${CSS}</style></head><body>
${titlePage(inp)}
${settingsSection(inp)}
${feederSection(inp)}
${totalsSection(inp)}
${chartsSection(inp)}
${validationSection(inp)}
${solverSection(inp)}
${appendix(inp)}
</body></html>`;
}
