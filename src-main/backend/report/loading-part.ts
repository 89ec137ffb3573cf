/**
 * The report's branch loading section: the branches against their normal ratings (OpenDSS
 * normamps, CSV ampacity_a) from the run's validating AC power flow, most loaded first, those
 * above 100 % marked; or, when the feeder rates no branch, the plain sentence saying so. Its own
 * file so the report assembly (template.ts) only hooks it in.
 */
import type { RunDetail } from '../../contract';
import { formatNumber } from '../../../src-shared/format';
import { branchLoadingRows, branchOverloads, loadingSummary } from '../../../src-shared/loading';

const e = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LOADING_ROWS = 34;

/** One page (or null when the run has no results); `Part` is template.ts's. */
export function loadingPart(r: RunDetail): { title: string; pages: string[] } | null {
  if (!r.totals) return null;
  const rows = branchLoadingRows(r);
  const shown = rows.slice(0, LOADING_ROWS);
  const table = shown.length
    ? `<table class="compact" data-table="branch-loading"><tr><th>Branch</th><th>From – to bus</th><th class="num">Rating</th><th class="num">Peak loading</th><th class="num">Peak current</th><th>At</th><th class="num">Hours over 100 %</th></tr>${shown
        .map(
          (b) =>
            `<tr${b.hoursOver > 0 ? ' class="over"' : ''}><td>${e(b.name)}</td><td>${e(b.from)} – ${e(b.to)}</td><td class="num">${e(formatNumber(b.ampacityA, 0))} A</td><td class="num">${b.hoursOver > 0 ? '<strong>' : ''}${e(formatNumber(b.peakPct, 1))} %${b.hoursOver > 0 ? '</strong>' : ''}</td><td class="num">${e(formatNumber(b.peakA, 1))} A</td><td>${e(b.peakAt)}</td><td class="num">${b.hoursOver}</td></tr>`,
        )
        .join(
          '',
        )}</table>${rows.length > shown.length ? `<p class="small">The ${shown.length} most loaded of ${rows.length} rated branches are listed; the tables export (CSV/XLSX) has them all.</p>` : ''}`
    : '';
  return {
    title: 'Branch loading',
    pages: [
      `<section data-part="loading"><h2>Branch loading</h2>
  <p>Branch currents from the AC power flow that validates the run, against each branch’s normal rating. Currents are per phase (single-phase equivalent).</p>
  <p>${e(loadingSummary(r))}</p>
  ${table}
</section>`,
    ],
  };
}

/** The executive summary's next step when branches run above their rating, or null. */
export function loadingNextStep(r: RunDetail): string | null {
  const over = branchOverloads(r);
  if (over.length === 0) return null;
  const worst = over[0]!;
  return `Branch ${worst.name} (bus ${worst.from} – ${worst.to}) carries ${formatNumber(worst.peakPct, 1)} % of its ${formatNumber(worst.ampacityA, 0)} A rating at ${worst.peakAt}${over.length > 1 ? `, and ${over.length - 1} more branch${over.length > 2 ? 'es' : ''} exceed${over.length > 2 ? '' : 's'} theirs` : ''}: check the rating, or relieve it (storage downstream, a current limit in the study, reconductoring).`;
}
