/**
 * Issue #18, a run's branch loading and the details a click opens, in Chromium against the real
 * Node host. The balanced IEEE 123 OpenDSS scripts are imported with two ratings added
 * (normamps on the substation line l1, too small for the evening peak, and on l2, ample): the
 * run's Voltages view lists the branches against their ratings with the overloaded one first, a
 * click on it moves to its worst hour and opens its loading and power over the study, and a click
 * on a bus of the run's network opens that bus's voltage over the study. What is shown is checked
 * against runs.get and against the power flow's own physics (|S| = |V|·|I| at the substation).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { resolve } from 'node:path';
import type { HookedGlobal } from './support/graph-hook';
import { formatNumber, formatPu } from '../src-shared/format';
import { branchOverloads, branchLoadingRows, branchSeries } from '../src-shared/loading';
import { periodLabels } from '../src-shared/charts';
import { expect, test } from './fixtures';
import { RunsPage } from './pages/runs';
import { WorkspacePage } from './pages/workspace';
import { testDataPath } from '../test-data/index';

const DSS = testDataPath('ieee123-balanced/dss');

test('branch loading against the feeder’s ratings, click-to-locate, and a bus or branch’s time series in its details', async ({
  page,
  api,
  project,
}) => {
  test.setTimeout(240_000);
  const files = readdirSync(DSS).map((f) => {
    let text = readFileSync(resolve(DSS, f), 'utf8');
    if (f === 'Line.dss')
      text = text
        .replace(/^(New "Line\.l1" [^\r\n]*)/m, '$1 normamps=400')
        .replace(/^(New "Line\.l2" [^\r\n]*)/m, '$1 normamps=2000');
    return { name: f, text };
  });
  const preview = await api.call('import.preview', { files });
  expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
  const summary = await api.call('import.commit', { token: preview.token, name: 'IEEE 123 rated' });
  const scenario = summary.scenarios.at(-1)!;
  const sc = await api.call('scenarios.get', { id: scenario.id });
  await api.call('scenarios.update', { id: sc.id, patch: { study: { ...sc.study, periods: 6, startHour: 16 } } });

  const ws = new WorkspacePage(page);
  const runs = new RunsPage(page);
  await ws.goto();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name: project.name }).click();
  await expect(ws.root).toBeVisible();
  await runs.open(scenario.name);
  const runId = await runs.start('centralized');
  expect(await runs.waitFinished(runId)).toBe('solved');
  await runs.select(runId);
  const got = await api.call('runs.get', { runId });
  const detail = { ...got, series: { ...got.series, ...(await api.call('runs.branchSeries', { runId })).series } };

  // The ratings as imported; loading only where rated; the current obeys |S| = |V|·|I| at the substation line.
  const l1 = detail.branchNames.indexOf('l1');
  expect(detail.branchAmpacityA[l1]).toBe(400);
  expect(detail.branchAmpacityA.filter((a) => a !== null)).toHaveLength(2);
  const amps = branchSeries(detail, 'branchCurrentA', l1)!;
  const p = branchSeries(detail, 'branchPKw', l1)!;
  const q = branchSeries(detail, 'branchQKvar', l1)!;
  const vSub = detail.series.voltagePu!.slice(detail.busNames.indexOf('1') * 6, detail.busNames.indexOf('1') * 6 + 6);
  for (let t = 0; t < 6; t++) expect(Math.hypot(p[t]!, q[t]!)).toBeCloseTo(vSub[t]! * 2.4018 * amps[t]!, 3);
  const over = branchOverloads(detail);
  expect(over.map((r) => r.name)).toEqual(['l1']);

  // The list: both rated branches, the overloaded l1 first with its peak and hours over.
  await runs.view('Voltages');
  const list = page.getByTestId('branch-loading');
  await expect(list).toHaveAttribute('data-rated', '2');
  await expect(list).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('branch-loading-summary')).toContainText(
    `the worst is l1 at ${over[0]!.peakPct.toFixed(1)} %`,
  );
  const rows = list.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute('data-branch', 'l1');
  const top = branchLoadingRows(detail)[0]!;
  await expect(rows.first()).toContainText(formatNumber(top.peakPct, 1));
  await expect(rows.first()).toContainText(top.peakAt);

  // The report's tables as an Excel workbook: the branch loading sheet, numbers as numeric cells.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-tables-xlsx').click()]);
  expect(dl.suggestedFilename()).toBe(`tessera-run-${runId}-tables.xlsx`);
  const book = unzipSync(new Uint8Array(readFileSync((await dl.path())!)));
  const tabs = [...strFromU8(book['xl/workbook.xml']!).matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1]);
  const sheet = strFromU8(book[`xl/worksheets/sheet${tabs.indexOf('Branch loading') + 1}.xml`]!);
  // Row 3 (after title and header) is l1: name, buses, rating 400, peak % as a number.
  expect(sheet).toContain('<c r="A3" t="inlineStr"><is><t>l1</t></is></c>');
  expect(sheet).toContain('<c r="D3"><v>400</v></c>');
  expect(Number(/<c r="E3"><v>([^<]+)<\/v><\/c>/.exec(sheet)![1])).toBe(top.peakPct);

  // Click-to-locate: the network moves to the worst hour, the branch's details open with its charts.
  await rows.first().getByRole('button', { name: 'l1' }).click();
  await expect(page.getByTestId('voltage-period')).toContainText(periodLabels(detail)[top.peakPeriod]!);
  const details = page.getByTestId('run-element-details');
  await expect(details).toHaveAttribute('data-branch', 'l1');
  await expect(details.getByTestId('element-rating')).toHaveText('400 A (normal)');
  await expect(details.getByTestId('element-peak-current')).toContainText(`${formatNumber(Math.max(...amps), 1)} A`);
  await expect(details.getByTestId('element-loading')).toHaveAttribute('data-drawn', 'true');
  await expect(details.getByTestId('element-power')).toHaveAttribute('data-drawn', 'true');
  await page.screenshot({ path: 'test-results/ui-run-branch-loading.png' });

  // A click on a bus of the run's network: its voltage over the study, and the branch that feeds it.
  const bus = '2';
  await page.getByTestId('voltage-graph').scrollIntoViewIfNeeded();
  const at = await (async () => {
    let last: { x: number; y: number } | null = null;
    for (let i = 0; i < 30; i++) {
      const now = await page.evaluate((b) => {
        const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
        const pos = g.renderedPosition(b);
        const r = g.boundingRect();
        return pos && { x: pos.x + r.left, y: pos.y + r.top };
      }, bus);
      if (now && last && Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5) return now;
      last = now;
      await page.waitForTimeout(100);
    }
    return last;
  })();
  expect(at).not.toBeNull();
  await page.mouse.click(at!.x, at!.y);
  await expect(details).toHaveAttribute('data-bus', bus);
  const i = detail.busNames.indexOf(bus);
  const v = detail.series.voltagePu!.slice(i * 6, i * 6 + 6);
  await expect(details.getByTestId('element-voltage-range')).toHaveText(
    `${formatPu(Math.min(...v))} to ${formatPu(Math.max(...v))}`,
  );
  await expect(details.getByTestId('element-voltage')).toHaveAttribute('data-drawn', 'true');
  await page.screenshot({ path: 'test-results/ui-run-bus-details.png' });
  // Bus 2 is fed by l1: its loading chart is l1's.
  await expect(details.getByTestId('element-rating')).toHaveText('400 A (normal)');
  await details.getByRole('button', { name: 'Close the details' }).click();
  await expect(details).toHaveCount(0);

  // The profile along the feeder, hour by hour: the arrows step the hour the profile and the network show.
  const labels = periodLabels(detail);
  await page.getByTestId('chart-voltage-profile').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('chart-voltage-profile')).toHaveAttribute('data-drawn', 'true');
  await page.getByRole('button', { name: 'Previous hour' }).click();
  await expect(page.getByTestId('profile-hour')).toContainText(
    `at ${labels[top.peakPeriod - 1]} (period ${top.peakPeriod})`,
  );
  await expect(page.getByTestId('voltage-period')).toContainText(labels[top.peakPeriod - 1]!);
  await page.screenshot({ path: 'test-results/ui-run-voltage-profile.png' });

  // The PDF: the summary's next step names the overloaded branch; the branch loading section lists it first.
  const pdf = await api.call('report.pdf', { runId });
  const text = execFileSync('pdftotext', ['-layout', pdf.path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  expect(text).toContain(
    `Branch l1 (bus ${top.from} – ${top.to}) carries ${formatNumber(top.peakPct, 1)} % of its 400 A rating at ${top.peakAt}`,
  );
  expect(text).toMatch(
    new RegExp(`Branch loading .* l1 ${top.from} ?– ?${top.to} 400 A ${formatNumber(top.peakPct, 1)} %`),
  );
});
