/**
 * The report's three-phase sections. A run of the three-phase OPF (RunDetail.threePhase) gets its
 * per-phase results: the voltage profile per phase along the feeder at the hour of the lowest
 * voltage, per hour the lowest and highest voltage of each phase and the largest voltage unbalance
 * factor, the ANSI C84.1 violations per bus and phase, and every unit with its phases and its
 * power per phase. The feeder's three-phase base case (the Power flow tab's unbalanced power flow
 * over the run's hours, without the study's units) gets the same profile, its violations and
 * overloads with their phase, and the substation power per hour (three-phase totals). Every label
 * says what a number is: per phase (A, B, C), or a three-phase total.
 */
import type { BaseCaseResult, PhaseLetter, RunDetail } from '../../contract';
import { baseCaseProfileOption } from '../../../src-shared/basecase';
import { periodLabels } from '../../../src-shared/charts';
import { formatInUnit, formatNumber, formatSci, plural } from '../../../src-shared/format';
import { ANSI_RANGE_A, ANSI_RANGE_B } from '../../../src-shared/study';
import { THREE_PHASE_TOTAL_LABEL } from '../../../src-shared/threephase';
import { chartSvg } from './charts';

const e = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PHASES: readonly PhaseLetter[] = ['A', 'B', 'C'];

/** A report part (template.ts's Part): its contents title and its printed pages. */
export interface ReportPart {
  readonly title: string;
  readonly pages: readonly string[];
}

/** The feeder's layout for the profile: bus order, distance from the substation, parent → child edges. */
export type FeederLayout = Pick<BaseCaseResult, 'buses' | 'distance' | 'distanceUnit' | 'edges'>;

/** Period t's hour in OpenDSS's daily numbering (the Power flow tab's): the first hour is 1. */
export const runHourOf = (run: Pick<RunDetail, 'settings' | 'dtH'>, t: number): number =>
  run.settings.startHour + t * run.dtH + 1;

/** A run's node voltages per period as [phase A, B, C][bus] over `buses` (null where the bus lacks the phase). */
export function runPhaseRows(run: RunDetail, buses: readonly string[]): (number | null)[][][] {
  const tp = run.threePhase;
  const v = run.series.nodeVoltagePu;
  const T = run.periods;
  if (!tp || !v) return [];
  const index = new Map(buses.map((b, i) => [b, i]));
  return Array.from({ length: T }, (_, t) => {
    const rows = PHASES.map(() => new Array<number | null>(buses.length).fill(null));
    tp.nodeBuses.forEach((bus, k) => {
      const i = index.get(bus);
      if (i !== undefined) rows[PHASES.indexOf(tp.nodePhases[k]!)]![i] = v[k * T + t]!;
    });
    return rows;
  });
}

export interface PhaseExtremes {
  readonly min: ({ readonly vPu: number; readonly bus: string } | null)[];
  readonly max: ({ readonly vPu: number; readonly bus: string } | null)[];
}

/** Per period, the lowest and highest node voltage of each phase (A, B, C) and where. */
export function phaseExtremes(run: RunDetail): PhaseExtremes[] {
  const tp = run.threePhase;
  const v = run.series.nodeVoltagePu;
  if (!tp || !v) return [];
  const T = run.periods;
  return Array.from({ length: T }, (_, t) => {
    const min: PhaseExtremes['min'] = [null, null, null];
    const max: PhaseExtremes['max'] = [null, null, null];
    tp.nodeBuses.forEach((bus, k) => {
      const ph = PHASES.indexOf(tp.nodePhases[k]!);
      const x = v[k * T + t]!;
      if (!Number.isFinite(x)) return;
      if (!min[ph] || x < min[ph].vPu) min[ph] = { vPu: x, bus };
      if (!max[ph] || x > max[ph].vPu) max[ph] = { vPu: x, bus };
    });
    return { min, max };
  });
}

export interface NodeViolation {
  readonly bus: string;
  readonly phase: PhaseLetter;
  /** 'B' when outside Range B too, else 'A'. */
  readonly range: 'A' | 'B';
  readonly hours: number;
  readonly hoursB: number;
  readonly worstPu: number;
  /** Period index of the worst voltage. */
  readonly worstPeriod: number;
}

/** Bus phases with any period outside ANSI C84.1 Range A (the run's node voltages), worst first. */
export function nodeViolations(run: RunDetail): NodeViolation[] {
  const tp = run.threePhase;
  const v = run.series.nodeVoltagePu;
  if (!tp || !v) return [];
  const T = run.periods;
  const out: NodeViolation[] = [];
  tp.nodeBuses.forEach((bus, k) => {
    let hours = 0;
    let hoursB = 0;
    let worst = 1;
    let worstPeriod = -1;
    for (let t = 0; t < T; t++) {
      const x = v[k * T + t]!;
      if (x >= ANSI_RANGE_A.min - 1e-9 && x <= ANSI_RANGE_A.max + 1e-9) continue;
      hours++;
      if (x < ANSI_RANGE_B.min - 1e-9 || x > ANSI_RANGE_B.max + 1e-9) hoursB++;
      if (Math.abs(x - 1) > Math.abs(worst - 1)) {
        worst = x;
        worstPeriod = t;
      }
    }
    if (hours > 0)
      out.push({
        bus,
        phase: tp.nodePhases[k]!,
        range: hoursB > 0 ? 'B' : 'A',
        hours,
        hoursB,
        worstPu: worst,
        worstPeriod,
      });
  });
  return out.sort((a, b) => Math.abs(b.worstPu - 1) - Math.abs(a.worstPu - 1) || b.hours - a.hours);
}

/** The period with the lowest node voltage of any phase (the profile's hour). */
function lowestPeriod(ext: readonly PhaseExtremes[]): number {
  let best = 0;
  let low = Infinity;
  ext.forEach((p, t) =>
    p.min.forEach((m) => {
      if (m && m.vPu < low) {
        low = m.vPu;
        best = t;
      }
    }),
  );
  return best;
}

const pu = (x: { vPu: number; bus: string } | null): string =>
  x ? `${formatNumber(x.vPu, 4)} <span class="small">${e(x.bus)}</span>` : '–';
const pct = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '–' : `${formatNumber(100 * x, 2)} %`;

const PROFILE_W = 680;
const PROFILE_H = 300;

function profileChart(id: string, layout: FeederLayout, rows: readonly (number | null)[][], title: string): string {
  const base = baseCaseProfileOption({ ...layout, periods: [{ vPu: rows }] }, 0);
  // The report starts legends at the left (charts.ts): the plot starts lower so the axis name "pu" clears it.
  const option = { ...base, grid: { ...(base.grid as object), top: 52 } };
  // Full width of the page (the SVG's own size printed narrower than the text).
  const svg = chartSvg(option, PROFILE_W, PROFILE_H).replace('<svg ', '<svg style="width:100%;height:auto" ');
  return `<div class="chart" data-chart="${id}"><p class="small"><strong>${e(title)}</strong></p>${svg}</div>`;
}

const HOURS_PER_PAGE = 26;
const VIOLATION_ROWS = 36;

/**
 * The three-phase run's per-phase pages (none for a balanced run or a run without results).
 * `layout`: the feeder's bus distances (from its base case); without it the profile is left out
 * and the page says so.
 */
export function threePhaseRunParts(run: RunDetail, layout: FeederLayout | null): ReportPart[] {
  const tp = run.threePhase;
  if (!tp || !run.totals || !run.series.nodeVoltagePu) return [];
  const T = run.periods;
  const labels = periodLabels(run);
  const ext = phaseExtremes(run);
  const vuf = run.series.vufMax;
  const tLow = lowestPeriod(ext);
  const hourText = (t: number) => `hour ${runHourOf(run, t)} (${labels[t]})`;
  const head = `<tr><th>Hour</th><th>Time</th>${PHASES.map((p) => `<th class="num">Lowest ${p}, pu</th>`).join('')}${PHASES.map((p) => `<th class="num">Highest ${p}, pu</th>`).join('')}<th class="num">Largest VUF</th><th>at bus</th></tr>`;
  const hourRows = Array.from(
    { length: T },
    (_, t) =>
      `<tr data-hour="${runHourOf(run, t)}"><td>${runHourOf(run, t)}</td><td>${labels[t]}</td>${ext[t]!.min.map((m) => `<td class="num">${pu(m)}</td>`).join('')}${ext[t]!.max.map((m) => `<td class="num">${pu(m)}</td>`).join('')}<td class="num">${pct(vuf?.[t])}</td><td>${e(tp.vufMaxBus[t] ?? '–')}</td></tr>`,
  );
  // The first page carries the profile and fewer rows; the rest of the hours follow on pages of their own.
  const firstRows = layout ? 14 : HOURS_PER_PAGE;
  const chunks = [hourRows.slice(0, firstRows)];
  for (let i = firstRows; i < hourRows.length; i += HOURS_PER_PAGE) chunks.push(hourRows.slice(i, i + HOURS_PER_PAGE));
  const pages: string[] = chunks.map(
    (rows, k) => `<section data-part="per-phase"><h2>Per-phase voltages${k > 0 ? ' (continued)' : ''}</h2>
  ${
    k === 0
      ? `<p>The feeder is solved three-phase (unbalanced): voltages are per phase (A, B, C), line-to-neutral in pu of each bus’s base; powers elsewhere in this report are ${THREE_PHASE_TOTAL_LABEL}s unless labelled per phase. VUF is the voltage unbalance factor |V₂|/|V₁| of the three-phase buses.</p>
  ${
    layout
      ? profileChart(
          'phaseProfile',
          layout,
          runPhaseRows(run, layout.buses)[tLow]!,
          `Voltage per phase along the feeder at ${hourText(tLow)}, the hour of the lowest voltage`,
        )
      : '<p class="small">No profile along the feeder: it needs the distances of the three-phase base case, which is missing (see “Base case”).</p>'
  }`
      : ''
  }
  <table class="compact" data-table="phase-hours">${head}${rows.join('')}</table>
</section>`,
  );

  const vio = nodeViolations(run);
  const shown = vio.slice(0, VIOLATION_ROWS);
  pages.push(`<section data-part="per-phase-violations"><h2>Voltage compliance per phase (ANSI C84.1)</h2>
  <p>Range A ${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu, Range B ${ANSI_RANGE_B.min}–${ANSI_RANGE_B.max} pu, each phase of each bus (line-to-neutral). The study enforces ${run.settings.vMinPu}–${run.settings.vMaxPu} pu.</p>
  ${
    vio.length === 0
      ? '<p><strong>Every phase of every bus is within Range A in every hour.</strong></p>'
      : `<p>${e(`${plural(vio.length, 'bus phase', 'bus phases')} outside Range A${vio.length > shown.length ? `; the ${shown.length} worst are listed` : ''}.`)}</p>
  <table class="compact" data-table="phase-violations"><tr><th>Bus</th><th>Phase</th><th>Outside</th><th class="num">Hours outside A</th><th class="num">Hours outside B</th><th class="num">Worst voltage</th><th>At</th></tr>${shown
    .map(
      (x) =>
        `<tr><td>${e(x.bus)}</td><td>${x.phase}</td><td>Range ${x.range === 'B' ? 'B (and A)' : 'A'}</td><td class="num">${x.hours}</td><td class="num">${x.hoursB}</td><td class="num">${e(formatInUnit(x.worstPu, 'pu'))}</td><td>${e(hourText(x.worstPeriod))}</td></tr>`,
    )
    .join('')}</table>`
  }
  <h3>Validation by the three-phase power flow</h3>
  <p>${e(
    `The OPF's unit set points fed to the three-phase power flow: largest node-voltage difference ${formatSci(tp.validation.maxDiffPu)} pu at ${tp.validation.at || '—'}${tp.validation.converged ? '' : ' (a power flow did not converge)'}. Regulator taps held at ${
      Object.entries(tp.regulatorTaps)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }; ${plural(tp.rounds, 'load voltage-region round')}.`,
  )}</p>
</section>`);

  const units = [
    ...run.batteryNames.map((name, u) => ({
      kind: 'battery',
      name,
      bus: run.batteryBuses[u]!,
      phases: tp.batteryPhases[u] ?? [],
      u,
    })),
    ...run.pvNames.map((name, u) => ({ kind: 'PV', name, bus: run.pvBuses[u]!, phases: tp.pvPhases[u] ?? [], u })),
  ];
  if (units.length > 0) {
    const series = (name: string, u: number) =>
      Array.from({ length: T }, (_, t) => run.series[name]?.[u * T + t] ?? NaN);
    const rows = units.map((x) => {
      const perPhase = series(x.kind === 'battery' ? 'batteryPhaseKw' : 'pvPhaseKw', x.u);
      const rated = x.kind === 'battery' ? run.batteryLimits[x.u]?.pRatedKw : undefined;
      const peakOut = Math.max(...perPhase);
      const peakIn = Math.min(...perPhase);
      const energy = perPhase.reduce((s, p) => s + p, 0) * run.dtH;
      return `<tr data-unit="${e(x.name)}"><td>${e(x.name)}</td><td>${x.kind}</td><td>${e(x.bus)}</td><td>${x.phases.join('') || '–'}</td><td class="num">${rated === undefined ? '–' : formatNumber(rated, 1)}</td><td class="num">${formatNumber(peakOut, 1)}</td><td class="num">${x.kind === 'battery' ? formatNumber(-peakIn, 1) : '–'}</td><td class="num">${formatNumber(energy, 1)}</td></tr>`;
    });
    pages.push(`<section data-part="per-phase-units"><h2>Units per phase</h2>
  <p>Every battery and PV system of the study with the phases it connects to. A unit on three phases is dispatched balanced: each phase carries a third of its power. Powers in this table are <strong>per phase of the unit</strong> (kW on each of its phases); the rating is the unit’s ${THREE_PHASE_TOTAL_LABEL} over its phases. Net energy: discharge (PV: output) minus charge over the ${formatNumber(T * run.dtH, 0)} h, per phase.</p>
  <table class="compact" data-table="unit-phases"><tr><th>Unit</th><th>Kind</th><th>Bus</th><th>Phases</th><th class="num">Rating kW (all phases)</th><th class="num">Peak output kW per phase</th><th class="num">Peak charge kW per phase</th><th class="num">Net energy kWh per phase</th></tr>${rows.join('')}</table>
</section>`);
  }
  return [{ title: 'Per-phase results', pages }];
}

/**
 * The base case's pages (the feeder without the study's units, unbalanced power flow over the
 * run's hours): profile per phase at the hour of its lowest voltage, violations and overloads with
 * their phase, and per hour the substation power (three-phase totals), losses and largest VUF.
 */
export function baseCaseParts(bc: BaseCaseResult): ReportPart[] {
  if (bc.model !== 'three-phase' || bc.periods.length === 0) return [];
  const hourText = (h: number) => (h === 0 ? 'snapshot' : `hour ${h}`);
  let tLow = 0;
  let low = Infinity;
  bc.periods.forEach((p, t) =>
    p.vPu.forEach((row) =>
      row.forEach((x) => {
        if (x !== null && x >= 0.05 && x < low) {
          low = x;
          tLow = t;
        }
      }),
    ),
  );
  const vio = bc.violations.slice(0, 24);
  const over = bc.overloads.slice(0, 10);
  const pages: string[] = [];
  pages.push(`<section data-part="base-case"><h2>Base case: the feeder without the study’s units</h2>
  <p>${e(`The three-phase (unbalanced) power flow of the feeder as imported, without the study's batteries and PV, over the study's ${plural(bc.periods.length, 'hour')} (${bc.mode === 'daily' ? "loads on their own OpenDSS daily shapes, as the Power flow tab solves them (constant at nominal where a load has none), which may differ from the load profile of the study's OPF" : 'snapshot at nominal load'}; regulators and capacitor controls ${bc.controls ? 'acting' : 'frozen'}). Voltages per phase (A, B, C), line-to-neutral pu of each bus's base.`)}</p>
  ${profileChart('baseCaseProfile', bc, bc.periods[tLow]!.vPu as (number | null)[][], `Base case: voltage per phase along the feeder at ${hourText(bc.periods[tLow]!.hour)}, the hour of the lowest voltage`)}
  <h3>Voltages outside ANSI C84.1 Range A, per phase</h3>
  ${
    bc.violationCount === 0
      ? '<p><strong>No phase of any bus is outside Range A in any hour.</strong></p>'
      : `<p>${e(`${plural(bc.violationCount, 'node-hour')} outside Range A${bc.violationCount > vio.length ? `; the first ${vio.length} are listed` : ''}.`)}</p>
  <table class="compact" data-table="base-violations"><tr><th>Bus</th><th>Phase</th><th>Hour</th><th class="num">Voltage, pu</th><th>Limit crossed</th></tr>${vio
    .map(
      (v) =>
        `<tr><td>${e(v.bus)}</td><td>${v.phase ?? '–'}</td><td>${hourText(v.hour)}</td><td class="num">${formatNumber(v.vPu, 4)}</td><td>Range ${v.range} ${v.side} (${v.limitPu} pu)</td></tr>`,
    )
    .join('')}</table>`
  }
</section>`);
  const hourRows = bc.periods.map(
    (p) =>
      `<tr><td>${hourText(p.hour)}</td><td class="num">${formatNumber(p.substationKw, 1)}</td><td class="num">${formatNumber(p.substationKvar, 1)}</td><td class="num">${formatNumber(p.lossKw, 2)}</td><td class="num">${p.vufMax ? pct(p.vufMax.value) : '–'}</td><td>${e(p.vufMax?.bus ?? '–')}</td><td>${e(
        Object.entries(p.regulatorTaps)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '–',
      )}</td></tr>`,
  );
  pages.push(`<section data-part="base-case-hours"><h2>Base case per hour</h2>
  <p>Substation power and losses are ${THREE_PHASE_TOTAL_LABEL}s (all three phases together); VUF = |V₂|/|V₁|, the largest over the three-phase buses; regulator taps in steps from neutral.</p>
  <table class="compact" data-table="base-hours"><tr><th>Hour</th><th class="num">Substation kW (${THREE_PHASE_TOTAL_LABEL})</th><th class="num">Substation kvar (${THREE_PHASE_TOTAL_LABEL})</th><th class="num">Losses kW</th><th class="num">Largest VUF</th><th>at bus</th><th>Regulator taps</th></tr>${hourRows.slice(0, 26).join('')}</table>
  ${
    bc.overloadCount === 0
      ? `<p>${e(`No line above its rating (${plural(bc.ratedBranches, 'line')} checked).`)}</p>`
      : `<h3>Lines above their rating, per phase</h3><table class="compact" data-table="base-overloads"><tr><th>Line</th><th>Phase</th><th>Hour</th><th class="num">Current, A</th><th class="num">Rating, A</th><th class="num">Loading</th></tr>${over
          .map(
            (o) =>
              `<tr><td>${e(o.element)}</td><td>${o.phase ?? '–'}</td><td>${hourText(o.hour)}</td><td class="num">${formatNumber(o.amps, 1)}</td><td class="num">${formatNumber(o.normAmps, 0)}${o.defaultRating ? ' (default)' : ''}</td><td class="num">${formatNumber(o.loadingPct, 1)} %</td></tr>`,
          )
          .join(
            '',
          )}</table>${bc.overloadCount > over.length ? `<p class="small">${e(`${bc.overloadCount} line-phase-hours in all; the first ${over.length} are listed.`)}</p>` : ''}`
  }
</section>`);
  return [{ title: 'Base case (three-phase power flow)', pages }];
}
