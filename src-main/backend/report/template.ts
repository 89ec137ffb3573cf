/**
 * The PDF study report as one self-contained HTML page (A4, printed by Chromium) that a planner
 * hands to a manager without editing: a title page (study, author, organisation, date in words),
 * a contents list, the executive summary first (question, answer with the numbers, what was
 * assumed, what to do next), then the batteries (every one in a table, their SOC and power
 * charted), the feeder figure (bus labels, real coordinates when the feeder has them, new devices
 * ringed), results, charts, voltage compliance against ANSI C84.1, validation, assumptions,
 * conclusions, and the settings and solver log in appendices. Page numbers come from CSS page
 * margin boxes; the contents' page numbers are exact by construction: every block below is one
 * printed page (tables are split into page-sized chunks), and only the last appendix (the solver
 * log) may run over. Every number comes from the RunDetail (runs.get) through the shared
 * src-shared modules, printed with the shared formatter — the same numbers as the dashboards.
 */
import { sitingSectionPages, type SitingSectionInput } from './siting';
import type { RunComparison, RunDetail, RunDistributedInfo } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { coordinationFacts, coordinationOf, formatRange, phaseBoundaryRows } from '../../../src-shared/coordination';
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
import {
  formatInUnit,
  formatNumber,
  formatSci,
  formatSignedInUnit,
  formatSignedPercent,
  plural,
  totalsRows,
} from '../../../src-shared/format';
import {
  ANSI_RANGE_A,
  ANSI_RANGE_B,
  batteryFigures,
  batterySummary,
  comparisonHeadline,
  relaxedVoltageLimits,
  signedRelative,
  voltageViolations,
} from '../../../src-shared/study';
import { batteryCycles, minVoltagePu, peakSubstationKw } from '../runs/compare';
import { chartSvg } from './charts';
import { areaColor, networkSvg } from './network-svg';
import { loadingNextStep, loadingPart } from './loading-part';
import { baseCaseParts, threePhaseRunParts, type FeederLayout } from './threephase';
import type { BaseCaseResult } from '../../contract';
import { THREE_PHASE_TOTAL_LABEL } from '../../../src-shared/threephase';

/** What the import recorded about the feeder (the store's import_report_json), all optional. */
export interface ImportNotes {
  readonly format?: string;
  readonly warnings?: readonly { readonly file?: string; readonly line?: number; readonly message: string }[];
  readonly ignored?: readonly { readonly file?: string; readonly line?: number; readonly element: string }[];
  readonly reduction?: readonly string[];
}

export interface ReportInput {
  /** The study's name (the project's name). */
  readonly projectName: string;
  readonly author: string;
  readonly organisation: string;
  /** The project's logo (sanitized PNG or JPEG), for the title page. */
  readonly logo?: { readonly mime: 'image/png' | 'image/jpeg'; readonly base64: string } | null;
  readonly feeder: Feeder;
  /** Devices of the imported feeder, by name: the study's others are new. */
  readonly importedDeviceNames: ReadonlySet<string>;
  readonly importNotes: ImportNotes;
  /** Which study profiles are the bundled defaults (so the report can say so). */
  readonly defaultProfiles: { readonly load: boolean; readonly pv: boolean; readonly price: boolean };
  /** The study case (B in a comparison). */
  readonly scenarioName: string;
  /** The baseline's scenario (A), when comparing. */
  readonly otherScenarioName: string | null;
  /** The study case. */
  readonly run: RunDetail;
  /** The baseline (A), when comparing. */
  readonly other: RunDetail | null;
  /** A = baseline (`other`), B = study case (`run`). */
  readonly comparison: RunComparison | null;
  readonly generatedAt: Date;
  /** A BESS siting study to add as a section (report/siting.ts). */
  readonly siting?: SitingSectionInput | null;
  /**
   * A three-phase run: the feeder's three-phase base case over the run's hours (its section, and
   * the bus distances of the run's per-phase profile); null when not computed.
   */
  readonly baseCase?: BaseCaseResult | null;
  /** Why the three-phase base case is missing (it failed), printed in its place. */
  readonly baseCaseMissing?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const e = escapeHtml;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** "5 December 2026" (UTC; no locale data needed). */
export function dateInWords(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const CSS = `
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8pt; color: #555; }
  @bottom-left { content: "__FOOTER__"; font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8pt; color: #555; } }
@page :first { @bottom-right { content: none; } @bottom-left { content: none; } }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt; color: #222; margin: 0; }
section { page-break-before: always; }
section.title { page-break-before: auto; height: 255mm; display: flex; flex-direction: column; justify-content: center; }
.title .kicker { font-size: 10pt; color: #1d3f66; letter-spacing: 0.08em; text-transform: uppercase; }
.title h1 { font-size: 28pt; margin: 4mm 0 6mm; color: #1d3f66; line-height: 1.15; }
.title .subtitle { font-size: 13pt; margin: 0 0 14mm; }
.title .who { font-size: 12pt; line-height: 1.6; }
h2 { font-size: 15pt; color: #1d3f66; border-bottom: 1.5px solid #1d3f66; padding-bottom: 2mm; margin: 0 0 4mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; color: #1d3f66; }
p { line-height: 1.45; margin: 0 0 3mm; }
ul { margin: 0 0 3mm; padding-left: 6mm; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin-bottom: 4mm; }
th, td { border-bottom: 0.5px solid #bbb; padding: 1.1mm 1.8mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta td:first-child { width: 52mm; color: #555; }
table.cmp td:first-child { width: 38%; }
table.cmp td.num { font-size: 9pt; }
table.compact td, table.compact th { padding: 0.8mm 1.5mm; font-size: 8.5pt; }
.status-ok { color: #1b7f3a; font-weight: 600; }
.status-bad { color: #b02a2a; font-weight: 600; }
.answer { font-size: 11.5pt; background: #f2f6fb; border-left: 3px solid #1d3f66; padding: 3mm 4mm; margin: 0 0 4mm; }
.chart { margin: 1mm 0 3mm; page-break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; }
.legend span { display: inline-block; margin-right: 5mm; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; vertical-align: middle; }
.toc { width: 100%; }
.toc td { border: 0; padding: 1.6mm 0; font-size: 11pt; }
.toc td.page { text-align: right; width: 15mm; }
.toc td.dots { border-bottom: 1px dotted #999; }
pre { font-size: 7pt; line-height: 1.25; white-space: pre-wrap; word-break: break-all; background: #f6f6f6; padding: 2mm; }
.small { font-size: 8.5pt; color: #555; }
.title .logo { display: block; max-width: 60mm; max-height: 25mm; object-fit: contain; margin-bottom: 10mm; }
tr.over td { color: #b3261e; }
`;

function kv(rows: readonly (readonly [string, string])[]): string {
  return `<table class="meta">${rows.map(([k, v]) => `<tr><td>${e(k)}</td><td>${v}</td></tr>`).join('')}</table>`;
}

function statusSpan(status: string): string {
  return `<span class="${status === 'solved' || status === 'acceptable' ? 'status-ok' : 'status-bad'}">${e(status)}</span>`;
}

const solved = (r: RunDetail) => r.totals !== null;
/**
 * How the report labels powers and energies: a run of the balanced model solves the feeder's
 * single-phase equivalent, whose numbers are per phase; a run of the three-phase OPF
 * (RunDetail.threePhase) reports three-phase totals, with per-phase values in their own section.
 */
const PER_PHASE = 'per phase (single-phase equivalent)';
const powerLabel = (r: RunDetail): string => (r.threePhase ? THREE_PHASE_TOTAL_LABEL : PER_PHASE);
const hoursOf = (r: RunDetail) => Math.round(r.periods * r.dtH * 100) / 100;
const chunk = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out.length ? out : [[]];
};

/** A report part: its contents title and its printed pages (each string is one page). */
interface Part {
  readonly title: string;
  readonly pages: readonly string[];
}

function titlePage(inp: ReportInput): string {
  const r = inp.run;
  const subtitle = inp.other
    ? `“${inp.scenarioName}” against “${inp.otherScenarioName ?? ''}” on feeder ${inp.feeder.name}`
    : `Scenario “${inp.scenarioName}” on feeder ${inp.feeder.name}: ${r.kind} ${hoursOf(r)}-hour optimal power flow`;
  const who = [inp.author, inp.organisation].filter((x) => x.trim() !== '');
  // The logo's type was read from its bytes and its data is base64: nothing in it can leave the attribute.
  const logo =
    inp.logo && /^[A-Za-z0-9+/]+={0,2}$/.test(inp.logo.base64)
      ? `<img class="logo" data-logo="1" alt="" src="data:${inp.logo.mime};base64,${inp.logo.base64}">`
      : '';
  return `<section class="title">
  ${logo}
  <div class="kicker">Distribution planning study</div>
  <h1>${e(inp.projectName)}</h1>
  <p class="subtitle">${e(subtitle)}</p>
  <div class="who">${who.map((w) => `<div>${e(w)}</div>`).join('')}<div>${e(dateInWords(inp.generatedAt))}</div></div>
  <p class="small" style="margin-top:20mm">Prepared with Tessera. ${r.name ? `“${e(r.name)}”, run` : 'Run'} ${r.id} (${e(r.kind)}), ${statusSpan(r.status)}.</p>
</section>`;
}

function contentsPage(parts: readonly Part[]): string {
  let page = 3; // title, contents, then the first part
  const rows = parts.map((p) => {
    const row = `<tr><td>${e(p.title)}</td><td class="dots"></td><td class="page">${page}</td></tr>`;
    page += p.pages.length;
    return row;
  });
  return `<section><h2>Contents</h2><table class="toc" data-contents="1">${rows.join('')}</table></section>`;
}

/** The contents' page number of each part (the same arithmetic as contentsPage), for tests. */
export function contentsPageNumbers(parts: readonly Part[]): Map<string, number> {
  const out = new Map<string, number>();
  let page = 3;
  for (const p of parts) {
    out.set(p.title, page);
    page += p.pages.length;
  }
  return out;
}

// --- executive summary --------------------------------------------------------------------------

function question(inp: ReportInput): string {
  const r = inp.run;
  const pvKw = r.pvNames.length;
  const objective = r.settings.objective === 'cost' ? 'the energy cost at the substation' : 'the line losses';
  const what = `${batterySummary(r)}${pvKw ? ` and ${plural(pvKw, 'PV system')}` : ''}`;
  if (inp.other)
    return `What do the changes of “${inp.scenarioName}” (${what}) do to cost, peak demand, losses and voltages on feeder ${inp.feeder.name}, against the baseline “${inp.otherScenarioName}”, over a ${hoursOf(r)}-hour study period?`;
  return `How should the ${what} of scenario “${inp.scenarioName}” operate on feeder ${inp.feeder.name} over a ${hoursOf(r)}-hour study period to minimise ${objective}, and does the feeder stay within its voltage limits?`;
}

function answer(inp: ReportInput): string {
  const r = inp.run;
  if (!solved(r)) return `The study has no answer yet: the solve ended ${r.status} (${r.message}).`;
  const t = r.totals!;
  const vio = voltageViolations(r);
  const vmin = minVoltagePu(r);
  const vmax = (r.series.voltagePu ?? []).reduce((m, x) => Math.max(m, x), -Infinity);
  const parts: string[] = [];
  if (inp.comparison && inp.other) {
    parts.push(comparisonHeadline(inp.comparison, inp.otherScenarioName ?? 'baseline', inp.scenarioName, hoursOf(r)));
  }
  parts.push(
    `${inp.other ? `With “${inp.scenarioName}” the` : 'The'} optimal schedule costs ${formatInUnit(t.costUsd, 'USD')} over the ${hoursOf(r)} h, with a substation peak of ${formatInUnit(peakSubstationKw(r), 'kW')} and line losses of ${formatInUnit(t.lineLossKwh, 'kWh')} (${formatNumber((100 * t.lineLossKwh) / Math.max(t.demandKwh, 1e-9), 1)} % of demand).`,
  );
  parts.push(
    vio.length === 0
      ? `Every bus stays within ANSI C84.1 Range A (${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu) in every hour: voltages range from ${formatInUnit(vmin, 'pu')} to ${formatInUnit(vmax, 'pu')}.`
      : `${plural(vio.length, 'bus', 'buses')} fall outside ANSI C84.1 Range A (${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu) for ${plural(
          vio.reduce((s, v) => s + v.hours, 0),
          'bus-hour',
        )}${vio.some((v) => v.range === 'B') ? `, ${plural(vio.filter((v) => v.range === 'B').length, 'bus', 'buses')} outside Range B as well` : ''}; the worst is bus ${vio[0]!.bus} at ${formatInUnit(vio[0]!.worstPu, 'pu')} (${vio[0]!.worstAt}).`,
  );
  if (r.batteryNames.length) {
    const figs = batteryFigures(r);
    const value = figs.reduce((s, b) => s + b.arbitrageUsd, 0);
    parts.push(
      `The batteries discharge ${formatInUnit(
        figs.reduce((s, b) => s + b.dischargedKwh, 0),
        'kWh',
      )} (${formatNumber(batteryCycles(r), 2)} equivalent full cycles); shifting that energy is worth ${formatInUnit(value, 'USD')} at the study's prices.`,
    );
  }
  return parts.map((p) => `<p>${e(p)}</p>`).join('');
}

function assumptionBullets(inp: ReportInput): string[] {
  const s = inp.run.settings;
  const out: string[] = [];
  out.push(
    inp.run.threePhase
      ? `Three-phase unbalanced model of the feeder as imported from OpenDSS (every phase, regulator taps and capacitor states held as a nominal-load power flow with controls sets them): powers and energies are ${THREE_PHASE_TOTAL_LABEL}s, voltages per phase line-to-neutral.`
      : 'Single-phase-equivalent (balanced, per phase) model of a radial feeder: powers are per phase equivalent; losses and energies are totals of that model.',
  );
  out.push(profilesSentence(inp));
  const relaxed = relaxedVoltageLimits(s);
  out.push(relaxed ?? `Voltage limits ${s.vMinPu}–${s.vMaxPu} pu, within ANSI C84.1 Range A.`);
  if (s.relax)
    out.push(
      'The branch power equation is relaxed (second-order cone relaxation): results are a lower bound until checked with the exact equation.',
    );
  if (!s.currentLimits) out.push('Branch current (ampacity) limits are not enforced in this study.');
  const red = inp.importNotes.reduction ?? [];
  if (red.length) out.push(`Import approximations: ${red.join('; ')}.`);
  return out;
}

function profilesSentence(inp: ReportInput): string {
  const s = inp.run.settings;
  const d = inp.defaultProfiles;
  const src = (isDefault: boolean, what: string) =>
    isDefault ? `${what} (the bundled example's)` : `${what} (set for this study)`;
  const n = [s.loadShape.length, s.pvShape.length, s.priceCentsPerKwh.length];
  const extended = hoursOf(inp.run) + s.startHour > Math.min(...n) * 1;
  return `Profiles used: ${src(d.load, `load shape of ${n[0]} hourly points`)}, ${src(d.pv, `PV shape of ${n[1]} points`)}, ${src(d.price, `energy prices of ${n[2]} points`)}.${extended ? ` The ${hoursOf(inp.run)}-hour study repeats these daily shapes from the start (hour 24 uses hour 0's value).` : ''}`;
}

function nextSteps(inp: ReportInput): string[] {
  const r = inp.run;
  const out: string[] = [];
  if (!solved(r)) {
    out.push(`Resolve why the solve ended ${r.status}: ${r.message}`);
    return out;
  }
  const vio = voltageViolations(r);
  if (vio.length)
    out.push(
      `Look at the voltages at bus${vio.length > 1 ? 'es' : ''} ${vio
        .slice(0, 5)
        .map((v) => v.bus)
        .join(
          ', ',
        )}${vio.length > 5 ? ' and others' : ''}: a regulator setting, a capacitor or storage closer to these buses may be needed.`,
    );
  const overloaded = loadingNextStep(r);
  if (overloaded) out.push(overloaded);
  if (relaxedVoltageLimits(r.settings))
    out.push(
      `Re-run with ANSI Range A limits (${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu) before relying on the voltage results.`,
    );
  if (r.settings.relax) out.push('Confirm the result with the exact branch equation (relaxation off).');
  const d = inp.defaultProfiles;
  if (d.load || d.pv || d.price)
    out.push(
      `Replace the bundled example's ${[d.load && 'load', d.pv && 'PV', d.price && 'price'].filter(Boolean).join(', ')} profile${[d.load, d.pv, d.price].filter(Boolean).length > 1 ? 's' : ''} with this feeder's measured ones.`,
    );
  if (inp.comparison) {
    const peak = inp.comparison.rows.find((x) => x.quantity === 'Peak substation demand');
    if (peak && peak.diff > 0.05)
      out.push(
        'The cost-optimal schedule raises the substation peak: check it against the transformer rating, or add a peak limit and compare again.',
      );
  } else
    out.push(
      'Compare against at least one alternative (duplicate the scenario, change the siting or size, run it and export the comparison).',
    );
  if (!r.settings.currentLimits) out.push('Enable branch current limits to check line loading.');
  return out;
}

function summaryPage(inp: ReportInput): Part {
  return {
    title: 'Executive summary',
    pages: [
      `<section data-part="summary"><h2>Executive summary</h2>
  <h3>The question</h3><p>${e(question(inp))}</p>
  <h3>The answer</h3><div class="answer">${answer(inp)}</div>
  <h3>What was assumed</h3><ul>${assumptionBullets(inp)
    .slice(0, 4)
    .map((a) => `<li>${e(a)}</li>`)
    .join('')}</ul>
  <h3>What to do next</h3><ul>${nextSteps(inp)
    .map((a) => `<li>${e(a)}</li>`)
    .join('')}</ul>
</section>`,
    ],
  };
}

// --- batteries ------------------------------------------------------------------------------------

const BATTERY_ROWS_PER_PAGE = 32;
const BATTERY_PANELS_PER_PAGE = 12;
const MAX_BATTERY_CHART_PAGES = 4;

function batteryPart(inp: ReportInput): Part | null {
  const r = inp.run;
  if (r.batteryNames.length === 0) return null;
  const figs = batteryFigures(r);
  const total = {
    kw: figs.reduce((s, b) => s + b.pRatedKw, 0),
    kwh: figs.reduce((s, b) => s + b.energyKwh, 0),
    out: figs.reduce((s, b) => s + b.dischargedKwh, 0),
    usd: figs.reduce((s, b) => s + b.arbitrageUsd, 0),
  };
  const phases = r.threePhase?.batteryPhases;
  const head = `<tr><th>Battery</th><th>Bus</th>${phases ? '<th>Phases</th>' : ''}<th class="num">Power kW</th><th class="num">Energy kWh</th><th class="num">Cycles</th><th class="num">Discharged kWh</th><th class="num">Charged kWh</th><th class="num">Arbitrage value</th></tr>`;
  const pages = chunk(figs, BATTERY_ROWS_PER_PAGE).map(
    (rows, k, all) => `<section data-part="batteries"><h2>Batteries${k > 0 ? ' (continued)' : ''}</h2>
  ${k === 0 ? `<p>${e(`${plural(figs.length, 'battery', 'batteries')} in this study (${formatNumber(total.kw, 0)} kW, ${formatNumber(total.kwh, 0)} kWh${phases ? `, ${THREE_PHASE_TOTAL_LABEL}s over each battery's phases` : ''}). Cycles are equivalent full cycles (discharged energy over usable energy); the arbitrage value is Σ price × (discharge − charge) × Δt at the study's prices.`)}</p>` : ''}
  <table class="compact" data-table="batteries">${head}${rows
    .map(
      (b) =>
        `<tr><td>${e(b.name)}</td><td>${e(b.bus)}</td>${phases ? `<td>${(phases[r.batteryNames.indexOf(b.name)] ?? []).join('') || '–'}</td>` : ''}<td class="num">${formatNumber(b.pRatedKw, 1)}</td><td class="num">${formatNumber(b.energyKwh, 1)}</td><td class="num">${formatNumber(b.cycles, 2)}</td><td class="num">${formatNumber(b.dischargedKwh, 1)}</td><td class="num">${formatNumber(b.chargedKwh, 1)}</td><td class="num">${e(formatInUnit(b.arbitrageUsd, 'USD'))}</td></tr>`,
    )
    .join(
      '',
    )}${k === all.length - 1 ? `<tr><th>All</th><th></th>${phases ? '<th></th>' : ''}<th class="num">${formatNumber(total.kw, 1)}</th><th class="num">${formatNumber(total.kwh, 1)}</th><th class="num">${formatNumber(batteryCycles(r), 2)}</th><th class="num">${formatNumber(total.out, 1)}</th><th class="num"></th><th class="num">${e(formatInUnit(total.usd, 'USD'))}</th></tr>` : ''}</table>
</section>`,
  );
  // SOC and power of every battery, 9 per page, largest throughput first; beyond 4 pages, say which.
  if (!solved(r)) return { title: 'Batteries', pages };
  const order = batteryOrder(r);
  const shown = order.slice(0, BATTERY_PANELS_PER_PAGE * MAX_BATTERY_CHART_PAGES);
  chunk(shown, BATTERY_PANELS_PER_PAGE).forEach((idx, k) => {
    const note =
      k === 0
        ? shown.length < order.length
          ? `<p class="small">SOC (top of each panel, kWh, with its limits) and power (bottom, kW; charge negative) of the ${shown.length} batteries with the largest energy throughput; the other ${order.length - shown.length} are in the table above and in the CSV export.</p>`
          : `<p class="small">SOC (top of each panel, kWh, with its limits) and power (bottom, kW; charge negative) of every battery, largest energy throughput first.</p>`
        : '';
    const h = batteryMultiplesHeight(idx.length, 3, 150);
    pages.push(
      `<section data-part="battery-charts"><h2>Battery state of charge and power${k > 0 ? ' (continued)' : ''}</h2>${note}<div class="chart" data-chart="batteries">${chartSvg(batteryMultiplesOption(r, idx, 3, 150), 680, h)}</div></section>`,
    );
  });
  return { title: 'Batteries', pages };
}

// --- feeder -------------------------------------------------------------------------------------

function feederPart(inp: ReportInput): Part {
  const f = inp.feeder;
  const r = inp.run;
  const added = new Set<string>();
  r.batteryNames.forEach((n, i) => !inp.importedDeviceNames.has(n) && added.add(r.batteryBuses[i]!));
  r.pvNames.forEach((n, i) => !inp.importedDeviceNames.has(n) && added.add(r.pvBuses[i]!));
  const pic = networkSvg(
    {
      ...f,
      pv: r.pvNames.map((n, i) => ({ name: n, bus: r.pvBuses[i]!, pRatedKw: 0, sRatedKva: 0 })),
      batteries: r.batteryNames.map((n, i) => ({ ...BAT_STUB, name: n, bus: r.batteryBuses[i]! })),
    },
    r.partition.cuts,
    680,
    600,
    { newDeviceBuses: added },
  );
  const peakLoadKw = f.loads.reduce((s, l) => s + l.pKw, 0);
  return {
    title: 'Feeder',
    pages: [
      `<section data-part="feeder">
  <h2>Feeder ${e(f.name)}</h2>
  ${kv([
    ['Buses / branches', `${formatNumber(f.buses.length, 0)} / ${formatNumber(f.branches.length, 0)}`],
    ['Loads', `${f.loads.length}, ${formatNumber(peakLoadKw, 1)} kW at peak, ${powerLabel(r)}`],
    [
      'Study devices',
      `${e(batterySummary(r))}; ${plural(r.pvNames.length, 'PV system')}; ${added.size ? `${plural(added.size, 'bus', 'buses')} with new devices (ringed)` : 'no new device'}`,
    ],
    ['Areas', `${pic.areas}${pic.areas > 1 ? ` (buses per area: ${pic.areaSizes.join(', ')})` : ''}`],
  ])}
  <div class="chart" data-figure="feeder">${pic.svg}</div>
  <div class="legend small">${pic.areas > 1 ? Array.from({ length: pic.areas }, (_, i) => `<span><i class="swatch" style="background:${areaColor(i + 1)}"></i>area ${i + 1}</span>`).join('') : ''}
  <span><i class="swatch" style="background:#222"></i>substation</span><span><i class="swatch" style="background:#e8b400;border-radius:50%"></i>PV</span><span><i class="swatch" style="background:#1b7f3a"></i>battery</span><span><i class="swatch" style="border:1.4px solid #d11f1f;border-radius:50%"></i>new device</span></div>
  <p class="small">${pic.realCoordinates ? 'Drawn at the feeder’s own bus coordinates.' : 'The feeder has no bus coordinates: drawn as a tree from the substation (top).'}${pic.labelled ? ' Bus names beside each bus.' : ' Too many buses to name them all.'}</p>
</section>`,
    ],
  };
}

const BAT_STUB = {
  pRatedKw: 0,
  energyKwh: 0,
  sRatedKva: 0,
  etaCharge: 1,
  etaDischarge: 1,
  socMin: 0,
  socMax: 1,
  socInitial: 0.5,
};

// --- results --------------------------------------------------------------------------------------

function resultsPart(inp: ReportInput): Part {
  const r = inp.run;
  if (inp.comparison && inp.other) {
    const c = inp.comparison;
    const nameA = inp.otherScenarioName ?? `run ${inp.other.id}`;
    const nameB = inp.scenarioName;
    return {
      title: c.mode === 'method' ? 'Centralized and distributed results' : 'Results against the baseline',
      pages: [
        `<section data-part="results">
  <h2>${c.mode === 'method' ? 'Centralized and distributed results' : 'Results against the baseline'}</h2>
  <p class="answer">${e(comparisonHeadline(c, nameA, nameB, hoursOf(r)))}</p>
  <p class="small">A (baseline): “${e(nameA)}”, run ${inp.other.id} (${e(inp.other.kind)}). B: “${e(nameB)}”, run ${r.id} (${e(r.kind)}). Change = B − A; percentages relative to A. Powers and energies ${powerLabel(r)}.</p>
  <table class="cmp" data-table="comparison"><tr><th>Quantity</th><th class="num">A · ${e(nameA)}</th><th class="num">B · ${e(nameB)}</th><th class="num">B − A</th><th class="num">Change</th></tr>
  ${c.rows.map((w) => `<tr><td>${e(w.quantity)}</td><td class="num">${e(formatInUnit(w.a, w.unit))}</td><td class="num">${e(formatInUnit(w.b, w.unit))}</td><td class="num">${e(formatSignedInUnit(w.diff, w.unit))}</td><td class="num">${e(formatSignedPercent(signedRelative(w)))}</td></tr>`).join('')}
  </table>
</section>`,
      ],
    };
  }
  if (!r.totals)
    return {
      title: 'Results',
      pages: [
        `<section><h2>Results</h2><p>No results: the run ended ${statusSpan(r.status)} — ${e(r.message)}</p></section>`,
      ],
    };
  const maxV = (r.series.voltagePu ?? []).reduce((m, x) => Math.max(m, x), -Infinity);
  const figures: [string, string][] = [
    ['Peak substation demand', formatInUnit(peakSubstationKw(r), 'kW')],
    ['Minimum voltage', formatInUnit(minVoltagePu(r), 'pu')],
    ['Maximum voltage', formatInUnit(maxV, 'pu')],
    ['Battery cycling (equivalent full cycles)', formatNumber(batteryCycles(r), 3)],
  ];
  if (r.objective !== null)
    figures.push([
      `Objective (${r.settings.objective === 'cost' ? 'USD, α term included' : 'kW, losses summed over periods'})`,
      formatNumber(r.objective, 4),
    ]);
  return {
    title: 'Results',
    pages: [
      `<section data-part="results">
  <h2>Results over the ${hoursOf(r)} h</h2>
  <table data-table="totals"><tr><th>Quantity</th><th class="num">Value, ${powerLabel(r)}</th></tr>
  ${totalsRows(r)
    .map((w) => `<tr><td>${e(w.label)}</td><td class="num">${e(w.text)}</td></tr>`)
    .join('')}
  </table>
  <h3>Key figures</h3>
  <table data-table="key-figures"><tr><th>Quantity</th><th class="num">Value, ${powerLabel(r)}</th></tr>
  ${figures.map(([k, v]) => `<tr><td>${e(k)}</td><td class="num">${e(v)}</td></tr>`).join('')}
  </table>
  <p class="small">${
    r.threePhase
      ? `The feeder is solved three-phase (unbalanced): every power and energy is a ${THREE_PHASE_TOTAL_LABEL} (all phases together); the voltages are each bus’s worst phase, line-to-neutral in pu of its base. Values per phase (A, B, C) follow in “Per-phase results”.`
      : `The feeder is a balanced single-phase equivalent: every power and energy is ${PER_PHASE}, as the model solves it; the three-phase total is three times as large. Voltages are in pu of the phase-to-neutral base.`
  }</p>
</section>`,
    ],
  };
}

function chartsPart(inp: ReportInput): Part | null {
  const r = inp.run;
  if (!r.totals) return null;
  const W = 680;
  const chart = (id: string, option: ChartOption, height = 270) =>
    `<div class="chart" data-chart="${id}">${chartSvg(option, W, height)}</div>`;
  const charts: { html: string; tall: boolean }[] = [];
  if (inp.other?.totals) {
    const labels: [string, string] = [`A: ${inp.otherScenarioName ?? `run ${inp.other.id}`}`, `B: ${inp.scenarioName}`];
    charts.push({
      html: chart(
        'compareSubstation',
        overlayOption(inp.other, r, 'substationKw', 'kW', labels, 'Substation power, A and B'),
      ),
      tall: false,
    });
    charts.push({
      html: chart('compareLoss', overlayOption(inp.other, r, 'lossKw', 'kW', labels, 'Line losses, A and B')),
      tall: false,
    });
  }
  const total = r.threePhase ? ` (${THREE_PHASE_TOTAL_LABEL}s)` : ` (${PER_PHASE})`;
  charts.push({
    html: chart('substation', substationOption(r, `Substation power, demand and PV${total}`)),
    tall: false,
  });
  charts.push({ html: chart('priceCost', priceCostOption(r, 'Energy price and cost')), tall: false });
  charts.push({ html: chart('loss', lossOption(r, `Line losses${total}`)), tall: false });
  charts.push({
    html: chart(
      'voltageEnvelope',
      voltageEnvelopeOption(r, r.threePhase ? 'Bus voltage range (worst phase of each bus)' : 'Bus voltage range'),
    ),
    tall: false,
  });
  // At most 120 bus rows (the dashboard's heatmap aggregates the same way; SSR of 240 × T cells takes ~2 s).
  const heatRows = voltageRows(r, 120);
  const heatTitle =
    (heatRows.groupSize > 1
      ? `Bus voltages (each row: the lowest of ${heatRows.groupSize} consecutive buses)`
      : 'Bus voltages') + (r.threePhase ? ', worst phase' : '');
  charts.push({ html: chart('voltageHeatmap', voltageHeatmapOption(r, heatRows, heatTitle), 420), tall: true });
  const pvTotal = (r.series.pvKw ?? []).reduce((s, x) => s + Math.abs(x), 0);
  if (r.pvNames.length > 0 && pvTotal > 0) charts.push({ html: chart('pv', pvOption(r, 'PV')), tall: false });
  if (r.distributed)
    charts.push({
      html: chart(
        'convergence',
        convergenceOption(r.distributed, r.settings.boundaryTolerancePu, 'Boundary convergence'),
      ),
      tall: false,
    });
  // Three charts per page, two when one is tall: every page fits its A4 height.
  const pages: string[] = [];
  for (let i = 0; i < charts.length;) {
    const n = charts.slice(i, i + 3).some((c) => c.tall) ? 2 : 3;
    pages.push(
      `<section data-part="charts"><h2>Charts${i > 0 ? ' (continued)' : ''}</h2>${charts
        .slice(i, i + n)
        .map((c) => c.html)
        .join('')}</section>`,
    );
    i += n;
  }
  return { title: 'Charts', pages };
}

const VIOLATION_ROWS = 34;

function voltagePart(inp: ReportInput): Part | null {
  const r = inp.run;
  // A three-phase run lists its violations per bus and phase (threephase.ts).
  if (!r.series.voltagePu || r.threePhase) return null;
  const vio = voltageViolations(r);
  const shown = vio.slice(0, VIOLATION_ROWS);
  return {
    title: 'Voltage compliance (ANSI C84.1)',
    pages: [
      `<section data-part="voltage"><h2>Voltage compliance (ANSI C84.1)</h2>
  <p>Service voltage ranges: Range A ${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu (normal), Range B ${ANSI_RANGE_B.min}–${ANSI_RANGE_B.max} pu (infrequent, limited duration). ${e(relaxedVoltageLimits(r.settings) ?? `The study enforces ${r.settings.vMinPu}–${r.settings.vMaxPu} pu.`)}</p>
  ${
    vio.length === 0
      ? `<p><strong>Every bus is within Range A in every hour.</strong></p>`
      : `<p>${e(`${plural(vio.length, 'bus', 'buses')} outside Range A${vio.length > shown.length ? `; the ${shown.length} worst are listed` : ''}.`)}</p>
  <table class="compact" data-table="violations"><tr><th>Bus</th><th>Outside</th><th class="num">Hours outside A</th><th class="num">Hours outside B</th><th class="num">Worst voltage</th><th>At</th></tr>${shown
    .map(
      (v) =>
        `<tr><td>${e(v.bus)}</td><td>Range ${v.range === 'B' ? 'B (and A)' : 'A'}</td><td class="num">${v.hours}</td><td class="num">${v.hoursB}</td><td class="num">${e(formatInUnit(v.worstPu, 'pu'))}</td><td>${e(v.worstAt)}</td></tr>`,
    )
    .join('')}</table>`
  }
</section>`,
    ],
  };
}

const VALIDATION_ROWS = 36;

function validationPart(inp: ReportInput): Part {
  const r = inp.run;
  const v = r.validation;
  const tp = r.threePhase;
  if (!v && tp && r.totals) {
    const hours = periodLabels(r);
    return {
      title: 'Validation by the three-phase power flow',
      pages: [
        `<section data-part="validation"><h2>Validation by the three-phase power flow</h2>
  <p>The OPF's battery and PV set points, on their phases, are fed to the independent three-phase (unbalanced) power flow with the same regulator taps and capacitor states; every node voltage of every hour is compared with the OPF's.</p>
  ${kv([
    ['Largest node-voltage difference', `${formatSci(tp.validation.maxDiffPu)} pu`],
    ['Where', e(tp.validation.at || '—')],
    ['Every power flow converged', tp.validation.converged ? 'yes' : '<span class="status-bad">no</span>'],
  ])}
  <table class="compact" data-table="validation-3ph"><tr><th>Hour</th><th>Time</th><th class="num">Largest node-voltage difference, pu</th></tr>${tp.validation.perPeriodMaxDiffPu
    .map(
      (d, t) =>
        `<tr><td>${r.settings.startHour + t * r.dtH + 1}</td><td>${hours[t] ?? ''}</td><td class="num">${formatSci(d)}</td></tr>`,
    )
    .join('')}</table>
</section>`,
      ],
    };
  }
  if (!v)
    return {
      title: 'Validation by AC power flow',
      pages: [
        `<section><h2>Validation by AC power flow</h2><p>No validation: ${r.totals ? 'the power flow did not run or failed' : 'the run has no results'} (${e(r.message)}).</p></section>`,
      ],
    };
  const hours = periodLabels(r);
  const head = `<tr><th>Hour</th><th class="num">Loss OPF kW</th><th class="num">Loss PF kW</th><th class="num">Subst. OPF kW</th><th class="num">Subst. PF kW</th><th class="num">Subst. OPF kvar</th><th class="num">Subst. PF kvar</th></tr>`;
  const rows = v.periods.map((p, t) => ({ p, t }));
  return {
    title: 'Validation by AC power flow',
    pages: chunk(rows, VALIDATION_ROWS).map(
      (part, k) => `<section data-part="validation">
  <h2>Validation by AC power flow${k > 0 ? ' (continued)' : ''}</h2>
  ${
    k === 0
      ? `<p>The OPF's battery and PV set points are fed to an independent AC power flow (Newton on the same branch model); the table puts both side by side per period.</p>
  ${kv([
    ['Largest voltage difference', `${formatSci(v.maxVoltageDiffPu)} pu`],
    ['Largest loss difference', `${formatSci(v.maxLossDiffPu)} pu`],
    ['Largest substation power difference', `${formatSci(v.maxSubstationDiffPu)} pu`],
  ])}`
      : ''
  }
  <table class="compact">${head}
  ${part.map(({ p, t }) => `<tr><td>${hours[t]}</td><td class="num">${formatNumber(p.lossKwOpf, 3)}</td><td class="num">${formatNumber(p.lossKwPf, 3)}</td><td class="num">${formatNumber(p.substationKwOpf, 2)}</td><td class="num">${formatNumber(p.substationKwPf, 2)}</td><td class="num">${formatNumber(p.substationKvarOpf, 2)}</td><td class="num">${formatNumber(p.substationKvarPf, 2)}</td></tr>`).join('')}
  </table>
</section>`,
    ),
  };
}

function assumptionsPart(inp: ReportInput): Part {
  const s = inp.run.settings;
  const notes = inp.importNotes;
  const warnings = notes.warnings ?? [];
  const ignored = notes.ignored ?? [];
  const loc = (w: { file?: string; line?: number }) => (w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : '');
  return {
    title: 'Assumptions',
    pages: [
      `<section data-part="assumptions">
  <h2>Assumptions</h2>
  <ul>${assumptionBullets(inp)
    .map((a) => `<li>${e(a)}</li>`)
    .join('')}</ul>
  <h3>Model</h3>
  <ul>
    <li>Substation bus voltage fixed at its set point (${inp.feeder.substation.vSetPu} pu); substation power includes loads on the substation bus.</li>
    <li>PV: output ≤ rating × PV shape; reactive power within the inverter's apparent-power limit.</li>
    <li>Batteries: state of charge B_t = B_{t−1} + Δt·ηc·Pc − Δt·Pd/ηd within [socMin, socMax]·E; terminal condition “${e(s.terminalSoc)}”; inverter limit “${e(s.batteryLimit)}”.</li>
    <li>Objective: ${s.objective === 'cost' ? 'Σ_t price_t · P_subs,t · Δt (USD)' : 'Σ_t Σ_branches r·l (line losses)'} plus α · battery losses (α = ${s.alpha}, a small weight that keeps batteries from charging and discharging at once).</li>
  </ul>
  <h3>Feeder import</h3>
  <p>${e(`Imported as ${notes.format ?? 'a Tessera feeder'}: ${plural(warnings.length, 'warning')}, ${plural(ignored.length, 'element')} not modelled.`)}</p>
  ${
    warnings.length
      ? `<ul class="small">${warnings
          .slice(0, 8)
          .map((w) => `<li>${e(loc(w) + w.message)}</li>`)
          .join('')}${warnings.length > 8 ? `<li>… ${warnings.length - 8} more</li>` : ''}</ul>`
      : ''
  }
  ${
    ignored.length
      ? `<p class="small">${e(
          `Not modelled: ${ignored
            .slice(0, 12)
            .map((i) => i.element)
            .join(', ')}${ignored.length > 12 ? `, … ${ignored.length - 12} more` : ''}.`,
        )}</p>`
      : ''
  }
</section>`,
    ],
  };
}

function conclusionsPart(inp: ReportInput): Part {
  return {
    title: 'Conclusions',
    pages: [
      `<section data-part="conclusions"><h2>Conclusions</h2>
  ${answer(inp)}
  <h3>Recommended next steps</h3>
  <ol>${nextSteps(inp)
    .map((a) => `<li>${e(a)}</li>`)
    .join('')}</ol>
</section>`,
    ],
  };
}

function settingsPart(inp: ReportInput): Part {
  const s = inp.run.settings;
  const shape = (xs: readonly number[]) =>
    `${xs.length} hourly points, ${formatNumber(Math.min(...xs), 3)} – ${formatNumber(Math.max(...xs), 3)}`;
  return {
    title: 'Appendix A: study settings',
    pages: [
      `<section data-part="settings">
  <h2>Appendix A: study settings</h2>
  ${kv([
    ['Horizon', `${s.periods} periods of ${s.dtH} h from hour ${s.startHour}`],
    ['Objective', s.objective === 'cost' ? 'substation energy cost' : 'real-power line losses'],
    ['Battery-loss weight α', String(s.alpha)],
    ['Terminal state of charge', e(s.terminalSoc)],
    [
      'Battery inverter limit',
      s.batteryLimit === 'box' ? 'box |qB| ≤ √(S² − P²) (source papers)' : 'apparent-power disk (exact)',
    ],
    ['Branch power equation', s.relax ? 'SOCP relaxation l·v ≥ P² + Q²' : 'exact equality l·v = P² + Q²'],
    ['Voltage limits', `${s.vMinPu} – ${s.vMaxPu} pu`],
    ['Current limits', s.currentLimits ? 'enforced where a branch has an ampacity' : 'not enforced'],
    ['Interior-point tolerance', String(s.tolerance)],
    ['Boundary tolerance (distributed)', `${s.boundaryTolerancePu} pu`],
    ['Load shape', shape(s.loadShape)],
    ['PV shape', shape(s.pvShape)],
    ['Energy price', `${shape(s.priceCentsPerKwh)} ¢/kWh`],
    [
      'Areas',
      inp.run.partition.cuts.length === 0
        ? '1 (not partitioned)'
        : `${inp.run.partition.cuts.length + 1} (cuts: ${inp.run.partition.cuts.map((c) => `${e(c.from)}–${e(c.to)}`).join(', ')})`,
    ],
  ])}
</section>`,
    ],
  };
}

/** A three-phase distributed run's boundary values per phase (src-shared/coordination.ts, as the Solver view). */
function phaseBoundaryTable(d: RunDistributedInfo): string {
  const rows = phaseBoundaryRows(d);
  if (rows.length === 0) return '';
  return `<h3>Boundary values per phase</h3><p class="small">Per-phase values the areas exchanged at the last round: the node voltage the parent gives the child, the power the child draws (ranges over the hours).</p><table class="compact" data-part="phase-boundaries"><tr><th>Boundary bus</th><th>Areas (child → parent)</th><th>Phase</th><th class="num">Voltage, pu</th><th class="num">P drawn, kW</th><th class="num">Q drawn, kvar</th></tr>${rows.map((r) => `<tr><td>${e(r.bus)}</td><td>${e(r.areas)}</td><td>${e(r.phase)}</td><td class="num">${formatRange(r.vPu, 4)}</td><td class="num">${formatRange(r.pKw, 1)}</td><td class="num">${formatRange(r.qKvar, 1)}</td></tr>`).join('')}</table>`;
}

function solverPart(inp: ReportInput): Part {
  const r = inp.run;
  const d = r.distributed;
  const log = r.log.split('\n');
  const shown = log.length > 400 ? [...log.slice(0, 200), `… ${log.length - 400} lines …`, ...log.slice(-200)] : log;
  return {
    title: 'Appendix B: solver statistics and log',
    pages: [
      `<section data-part="solver">
  <h2>Appendix B: solver statistics and log</h2>
  ${kv([
    [
      'Method',
      r.kind === 'centralized'
        ? 'centralized: primal-dual interior point on the full multi-period model'
        : `distributed: ENApp${d ? ` (${coordinationOf(d)} coordination)` : ''}, one interior-point solve per area per round`,
    ],
    ['Status', statusSpan(r.status)],
    ['Message', e(r.message)],
    ['Iterations', r.iterations === null ? '—' : String(r.iterations)],
    ['Solver time', r.seconds === null ? '—' : `${formatNumber(r.seconds, 2)} s`],
    ['Objective', r.objective === null ? '—' : formatNumber(r.objective, 6)],
    ...(d
      ? ([
          ...coordinationFacts(d).map(([k, v]) => [k, e(v)] as [string, string]),
          ['Largest boundary change', `${formatSci(d.maxBoundaryChangePu)} pu`],
        ] as [string, string][])
      : []),
  ])}
  ${d ? phaseBoundaryTable(d) : ''}
  ${d ? `<h3>Rounds</h3><table class="compact"><tr><th>Round</th><th class="num">Largest boundary change, pu</th><th class="num">Slowest area, s</th><th class="num">Slowest area, CPU s</th><th class="num">Wall, s</th></tr>${d.rounds.map((w) => `<tr><td>${w.round}</td><td class="num">${formatSci(w.maxChangePu)}</td><td class="num">${formatNumber(Math.max(...w.areaSeconds), 2)}</td><td class="num">${w.areaCpuSeconds && w.areaCpuSeconds.length > 0 ? formatNumber(Math.max(...w.areaCpuSeconds), 2) : '–'}</td><td class="num">${formatNumber(w.wallSeconds, 2)}</td></tr>`).join('')}</table>` : ''}
  <h3>Solver log</h3>
  <pre>${e(shown.join('\n'))}</pre>
</section>`,
    ],
  };
}

const layoutOf = (bc: BaseCaseResult | null | undefined): FeederLayout | null =>
  bc && bc.model === 'three-phase' && bc.distanceUnit === 'km' ? bc : null;

/** The report's parts in order (after the title page and the contents). */
export function reportParts(inp: ReportInput): Part[] {
  return [
    summaryPage(inp),
    batteryPart(inp),
    feederPart(inp),
    resultsPart(inp),
    chartsPart(inp),
    voltagePart(inp),
    ...threePhaseRunParts(inp.run, layoutOf(inp.baseCase)),
    ...(inp.baseCase
      ? baseCaseParts(inp.baseCase)
      : inp.baseCaseMissing
        ? [
            {
              title: 'Base case (three-phase power flow)',
              pages: [
                `<section data-part="base-case"><h2>Base case: the feeder without the study’s units</h2><p>${e(`The three-phase base case could not be computed for this report: ${inp.baseCaseMissing}`)}</p></section>`,
              ],
            },
          ]
        : []),
    inp.run.threePhase ? null : loadingPart(inp.run),
    validationPart(inp),
    assumptionsPart(inp),
    conclusionsPart(inp),
    settingsPart(inp),
    solverPart(inp),
    inp.siting ? { title: `BESS siting study #${inp.siting.studyId}`, pages: sitingSectionPages(inp.siting) } : null,
  ].filter((p): p is Part => p !== null);
}

export function buildReportHtml(inp: ReportInput, parts: readonly Part[] = reportParts(inp)): string {
  // The footer string inside CSS: no quotes, backslashes or angle brackets can break out of it.
  const footer = `${inp.projectName} · ${dateInWords(inp.generatedAt)}`.replace(/["\\<>\n\r]/g, '');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${e(inp.projectName)} — study report</title><style>${CSS.replace('__FOOTER__', footer)}</style></head><body>
${titlePage(inp)}
${contentsPage(parts)}
${parts.flatMap((p) => p.pages).join('\n')}
</body></html>`;
}
