/**
 * The BESS siting study's section of the PDF report (docs/siting.md): what was studied, the
 * ranked table, benefit versus size (chart and table), the marginal-value map of the feeder with
 * the chosen sites, and the sensitivity — every figure with its unit, every number the study's
 * verified OPF runs'. `report.pdf` with `sitingStudyId` appends it (template.ts `reportParts`).
 */
import type { Feeder } from '../../../src-solver/model/feeder';
import type { SitingReport } from '../../../src-solver/siting/study';
import { formatNumber } from '../../../src-shared/format';
import { CHOSEN_COLOR, marginalValueColors, OTHER_COLOR, VALUE_STOPS } from '../../../src-shared/siting-map';
import { buildTree, treeLayout } from '../../../src-shared/topology';
import { chartSvg } from './charts';

export interface SitingSectionInput {
  readonly studyId: number;
  readonly feeder: Feeder;
  readonly report: SitingReport;
}

const e = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const usd = (v: number): string => formatNumber(v, 0);
/** A bus, with its phases on a three-phase feeder ("675 phase A", "675 ABC"). */
const busPhases = (s: { bus: string; phaseNodes?: readonly number[] }): string =>
  s.phaseNodes
    ? `${s.bus} ${s.phaseNodes.length === 1 ? 'phase ' : ''}${s.phaseNodes.map((n) => 'ABC'[n - 1]).join('')}`
    : s.bus;
const sitesText = (
  sites: readonly { bus: string; phases?: number; kw: number; kwh: number; phaseNodes?: readonly number[] }[],
): string =>
  sites
    .map(
      (s) =>
        `${busPhases(s)} (${s.phases !== undefined ? `${s.phases}-ph, ` : ''}${formatNumber(s.kw, 0)} kW / ${formatNumber(s.kwh, 0)} kWh)`,
    )
    .join(', ');

/** The feeder drawn with each bus coloured as the Siting tab's map (real coordinates when every bus has them, else the tree layout). */
export function sitingMapSvg(
  feeder: Feeder,
  report: Pick<SitingReport, 'marginalValue' | 'ranked'>,
  width = 680,
  height = 520,
): string {
  const tree = buildTree(feeder);
  const real = feeder.buses.length > 0 && feeder.buses.every((b) => Number.isFinite(b.x) && Number.isFinite(b.y));
  const pos = real ? { x: feeder.buses.map((b) => b.x!), y: feeder.buses.map((b) => -b.y!) } : treeLayout(tree);
  const n = feeder.buses.length;
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, pos.x[i]!);
    x1 = Math.max(x1, pos.x[i]!);
    y0 = Math.min(y0, pos.y[i]!);
    y1 = Math.max(y1, pos.y[i]!);
  }
  const pad = 14;
  const s = Math.min((width - 2 * pad) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1));
  const px = (i: number): string => (pad + (pos.x[i]! - x0) * s).toFixed(1);
  const py = (i: number): string => (pad + (pos.y[i]! - y0) * s).toFixed(1);
  const index = new Map(feeder.buses.map((b, i) => [b.name, i]));
  const map = marginalValueColors(
    report,
    feeder.buses.map((b) => b.name),
  );
  const lines = feeder.branches
    .map((br) => {
      const a = index.get(br.from);
      const b = index.get(br.to);
      return a === undefined || b === undefined
        ? ''
        : `<line x1="${px(a)}" y1="${py(a)}" x2="${px(b)}" y2="${py(b)}" stroke="#9aa4b2" stroke-width="1.2"/>`;
    })
    .join('');
  const chosen = new Set(map.chosen);
  const dots = feeder.buses
    .map((b, i) => {
      const r = chosen.has(b.name) ? 6 : 3.6;
      const ring = chosen.has(b.name) ? ' stroke="#0b2f73" stroke-width="1.5"' : ' stroke="#555" stroke-width="0.4"';
      return `<circle cx="${px(i)}" cy="${py(i)}" r="${r}" fill="${map.colors.get(b.name)}"${ring}/>`;
    })
    .join('');
  const labels = map.chosen
    .map((name) => {
      const i = index.get(name);
      return i === undefined
        ? ''
        : `<text x="${(Number(px(i)) + 8).toFixed(1)}" y="${(Number(py(i)) + 4).toFixed(1)}" font-size="11" font-weight="bold" fill="#0b2f73">${e(name)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${lines}${dots}${labels}</svg>`;
}

/** The section's pages (HTML), in the template's style (its CSS classes). */
export function sitingSectionPages(inp: SitingSectionInput): string[] {
  const r = inp.report;
  const ec = r.economics;
  const feasible = r.ranked.filter((x) => x.feasible);
  const best = feasible[0];
  const map = marginalValueColors(
    r,
    inp.feeder.buses.map((b) => b.name),
  );
  const shown = r.ranked.slice(0, 12);
  const intro = `<section data-part="siting">
  <h2>BESS siting study #${inp.studyId}</h2>
  <p>Where on feeder ${e(inp.feeder.name)} to place ${r.count === 1 ? 'one battery' : `${r.count} batteries`}, how large, and what ${r.count === 1 ? 'it is' : 'they are'} worth.
  ${r.method === 'sweep' ? 'Every configuration listed was verified' : `The candidates were screened by their marginal value (the baseline OPF's locational marginal prices), and the most promising configurations verified (${r.configurationsVerified}, the baseline included)`} by the full multi-period OPF
  (${formatNumber(r.opfSolves, 0)} OPF runs, each validated by the AC power flow): every number below is a verified run's, none an estimate.</p>
  <table class="meta">
    <tr><td>Horizon</td><td>${e(r.horizon.description)} (${r.horizon.parts.length} parts, weights summing to ${formatNumber(
      r.horizon.parts.reduce((s, p) => s + p.weight, 0),
      0,
    )}); annual figures are weighted to a year</td></tr>
    <tr><td>Candidates</td><td>${r.candidates.length} buses</td></tr>
    <tr><td>Economics</td><td>${usd(ec.capexUsdPerKw)} USD/kW + ${usd(ec.capexUsdPerKwh)} USD/kWh capital, ${usd(ec.fixedOmUsdPerKwYear)} USD/kW-yr fixed O&amp;M, ${formatNumber(ec.lifetimeYears, 0)} years at ${formatNumber(100 * ec.discountRate, 1)} %</td></tr>
    <tr><td>Baseline (no new battery)</td><td>${usd(r.baseline.annualObjective)} USD/yr operating cost; ${formatNumber(r.baseline.peakKw, 1)} kW substation peak; ${formatNumber(r.baseline.annualLineLossKwh, 0)} kWh/yr line losses</td></tr>
    <tr><td>Ranked first</td><td>${best ? `${e(sitesText(best.sites))}: net benefit ${usd(best.netBenefitUsd)} USD/yr (savings ${usd(best.annualSavingsUsd)} USD/yr − annualised cost ${usd(best.annualisedCostUsd)} USD/yr)` : 'no feasible configuration'}</td></tr>
  </table>
  <h3>Ranked configurations: benefits</h3>
  <table class="compact" data-table="siting-ranked" style="font-size:8pt">
    <tr><th>#</th><th>Sites</th><th class="num">Savings, USD/yr</th><th class="num">Energy cost saved, USD/yr</th><th class="num">Losses saved, kWh/yr</th><th class="num">Peak reduced, kW</th><th class="num">V-limit hours removed, h/yr</th></tr>
    ${shown
      .map((x) =>
        x.feasible
          ? `<tr><td>${x.rank}</td><td style="white-space:nowrap">${e(sitesText(x.sites))}</td><td class="num">${usd(x.annualSavingsUsd)}</td><td class="num">${usd(x.annualEnergyCostSavingsUsd)}</td><td class="num">${formatNumber(x.annualLossSavingsKwh, 0)}</td><td class="num">${formatNumber(x.peakReductionKw, 1)}</td><td class="num">${formatNumber(x.voltageLimitHoursRemoved, 0)}</td></tr>`
          : `<tr><td>${x.rank}</td><td style="white-space:nowrap">${e(sitesText(x.sites))}</td><td colspan="5">infeasible: ${e(x.failure ?? '')}</td></tr>`,
      )
      .join('')}
  </table>
  <h3>Ranked configurations: economics</h3>
  <table class="compact" data-table="siting-economics" style="font-size:8pt">
    <tr><th>#</th><th>Sites</th><th class="num">Capital cost, USD</th><th class="num">Annualised cost, USD/yr</th><th class="num">Net benefit, USD/yr</th><th class="num">Simple payback, years</th><th class="num">NPV, USD</th></tr>
    ${shown
      .filter((x) => x.feasible)
      .map(
        (x) =>
          `<tr><td>${x.rank}</td><td style="white-space:nowrap">${e(sitesText(x.sites))}</td><td class="num">${usd(x.capexUsd)}</td><td class="num">${usd(x.annualisedCostUsd)}</td><td class="num">${usd(x.netBenefitUsd)}</td><td class="num">${x.simplePaybackYears === null ? '–' : formatNumber(x.simplePaybackYears, 1)}</td><td class="num">${usd(x.npvUsd)}</td></tr>`,
      )
      .join('')}
  </table>
  <p class="small">Savings, energy cost, losses: baseline minus this configuration. Peak: reduction of the substation's peak kW over the horizon. V-limit h: weighted hours with a bus at its voltage limit, removed.
  ${r.ranked.length > shown.length ? `The first ${shown.length} of ${r.ranked.length} lines. ` : ''}Re-run any line with <code>tessera solve --battery BUS:KW:KWH:KVA:PHASES</code>${best ? ` (ranked first: <code>${e(best.solveArgs)}</code>)` : ''}.</p>
</section>`;
  const pages = [intro];
  if (r.sizeCurve.length > 0) {
    const c = r.sizeCurve;
    const option = {
      title: { text: `Benefit versus size at bus ${c[0]!.bus}`, textStyle: { fontSize: 13 } },
      legend: { top: 24 },
      grid: { top: 64, left: 70, right: 20, bottom: 50 },
      xAxis: { type: 'value', name: 'Battery power, kW (4-hour energy)', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'value', name: 'USD/yr' },
      series: [
        { name: 'Savings, USD/yr', type: 'line', data: c.map((p) => [p.kw, p.annualSavingsUsd]) },
        { name: 'Annualised cost, USD/yr', type: 'line', data: c.map((p) => [p.kw, p.annualisedCostUsd]) },
        { name: 'Net benefit, USD/yr', type: 'line', data: c.map((p) => [p.kw, p.netBenefitUsd]) },
      ],
    };
    pages.push(`<section data-part="siting-size">
  <h2>Benefit versus size</h2>
  <div class="chart" data-chart="siting-size">${chartSvg(option as never, 680, 300)}</div>
  <table class="compact"><tr><th class="num">Power, kW</th><th class="num">Energy, kWh</th><th class="num">Savings, USD/yr</th><th class="num">Annualised cost, USD/yr</th><th class="num">Net benefit, USD/yr</th></tr>
  ${c.map((p) => `<tr><td class="num">${formatNumber(p.kw, 0)}</td><td class="num">${formatNumber(p.kwh, 0)}</td><td class="num">${p.feasible ? usd(p.annualSavingsUsd) : 'infeasible'}</td><td class="num">${usd(p.annualisedCostUsd)}</td><td class="num">${p.feasible ? usd(p.netBenefitUsd) : '–'}</td></tr>`).join('')}
  </table>
  <p class="small">At the best screened site, bus ${e(c[0]!.bus)}; the chosen size is ${r.chosenSize ? `${formatNumber(r.chosenSize.kw, 0)} kW / ${formatNumber(r.chosenSize.kwh, 0)} kWh` : '–'} (the best verified net benefit).</p>
  ${
    r.sensitivity.length > 0
      ? `<h3>Sensitivity</h3><table class="compact"><tr><th>Case</th><th>Best configuration</th><th class="num">Net benefit, USD/yr</th></tr>${r.sensitivity
          .map(
            (s) =>
              `<tr><td>${e(s.case)}</td><td>${e(sitesText(s.bestSites))}</td><td class="num">${usd(s.netBenefitUsd)}</td></tr>`,
          )
          .join(
            '',
          )}</table><p class="small">Capital cost scales the annualised cost; a price change scales the savings (the dispatch stays feasible at any price).</p>`
      : ''
  }
</section>`);
  }
  if (r.marginalValue.length > 0) {
    const top = r.marginalValue.slice(0, 10);
    pages.push(`<section data-part="siting-map">
  <h2>Marginal value of storage</h2>
  <div class="chart" data-figure="siting-map">${sitingMapSvg(inp.feeder, r)}</div>
  <div class="legend small">${
    map.range
      ? `<span>${formatNumber(map.range.lo, 2)} USD/kW-yr <i class="swatch" style="width:30mm;background:linear-gradient(to right, ${VALUE_STOPS.join(', ')})"></i> ${formatNumber(map.range.hi, 2)} USD/kW-yr</span>`
      : ''
  }<span><i class="swatch" style="background:${CHOSEN_COLOR}"></i>ranked first: ${e(map.chosen.join(', ') || '–')}</span><span><i class="swatch" style="background:${OTHER_COLOR}"></i>not a candidate</span></div>
  <p class="small">Each candidate's screened value of 1 kW of storage of the chosen duration, USD per kW-year: its dispatch priced at the bus's locational marginal prices of energy (the OPF's power-balance multipliers, USD/kWh) plus the inverter's reactive range priced at the reactive ones. Highest:</p>
  <table class="compact"><tr><th>Bus</th><th class="num">Value, USD/kW-yr</th><th class="num">Mean LMP, USD/kWh</th></tr>
  ${top.map((m) => `<tr><td>${e(busPhases(m))}</td><td class="num">${formatNumber(m.usdPerKwYear, 2)}</td><td class="num">${formatNumber(m.meanLmpUsdPerKwh, 4)}</td></tr>`).join('')}
  </table>
</section>`);
  }
  return pages;
}
