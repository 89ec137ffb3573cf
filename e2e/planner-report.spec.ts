/**
 * Issue #18's run views and report, as a planner uses them in Chromium against the real Node host:
 * the run Overview leads with the batteries (fleet chart and a per-battery table of size, cycles,
 * energy and value), the comparison reads against the baseline with signed differences and a
 * headline naming both scenarios, and the exported PDF, rendered page by page to PNG (pdftoppm),
 * has its title page, contents, page numbers, the executive summary first, every battery in a
 * table and a feeder figure with bus names. Numbers are checked against runs.get / runs.compare.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatInUnit, formatSignedInUnit } from '../src-shared/format';
import { batteryFigures, voltageViolations } from '../src-shared/study';
import { expect, test } from './fixtures';
import { RunsPage } from './pages/runs';
import { WorkspacePage } from './pages/workspace';

const OUT = resolve('test-results/planner-report');

const pageText = (pdf: string, n: number) =>
  execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });

test('run overview with batteries, comparison against a baseline, and the PDF a manager can read', async ({
  page,
  api,
}) => {
  test.setTimeout(300_000);
  mkdirSync(OUT, { recursive: true });
  const stamp = Date.now().toString(36);
  const example = await api.call('projects.openExample', { id: 'ieee123' });
  await api.call('projects.update', { author: 'A. Planner', organisation: 'North Utility' });
  const base = example.scenarios[0]!;
  const study = await api.call('scenarios.duplicate', { id: base.id, name: `Storage ${stamp}` });
  await api.call('scenarios.update', { id: study.id, patch: { study: { ...study.study, periods: 6, startHour: 14 } } });
  const baseline = await api.call('scenarios.duplicate', { id: study.id, name: `No storage ${stamp}` });
  await api.call('scenarios.update', {
    id: baseline.id,
    patch: { placements: { pv: study.placements.pv, batteries: [] } },
  });
  const baseRun = await api.call('runs.start', { scenarioId: baseline.id, kind: 'centralized' });

  const ws = new WorkspacePage(page);
  const runs = new RunsPage(page);
  await ws.goto();
  await expect(ws.root).toBeVisible();
  await runs.open(study.name);
  const runId = await runs.start('centralized');
  expect(await runs.waitFinished(runId)).toBe('solved');
  await runs.select(runId);
  // Name the run in place; the list shows the name, runs.get returns it.
  await page.getByRole('button', { name: `Run name: Run #${runId}. Click to rename` }).click();
  await page.getByRole('textbox', { name: 'Run name' }).fill('Storage, afternoon peak');
  await page.getByRole('textbox', { name: 'Run name' }).press('Enter');
  await expect(runs.item(runId)).toContainText('Storage, afternoon peak');
  const detail = await api.call('runs.get', { runId });
  expect(detail.name).toBe('Storage, afternoon peak');

  // Overview: the battery fleet chart and one row per battery with its figures.
  await expect(page.getByTestId('chart-battery-fleet')).toHaveAttribute('data-drawn', 'true');
  const table = page.getByTestId('battery-table');
  await expect(table.locator('tbody tr')).toHaveCount(detail.batteryNames.length);
  for (const b of batteryFigures(detail).slice(0, 5)) {
    const row = table.locator(`tr[data-battery="${b.name}"]`);
    await expect(row).toContainText(formatInUnit(b.arbitrageUsd, 'USD'));
  }
  await page.setViewportSize({ width: 1400, height: 1100 });
  await page.screenshot({ path: join(OUT, 'ui-overview-batteries.png') });
  // The report's tables as CSV for a planner's own template: every battery with its figures.
  const [tablesDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-tables').click()]);
  const tablesPath = join(OUT, 'tables.csv');
  await tablesDl.saveAs(tablesPath);
  const blocks = readFileSync(tablesPath, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n\r\n');
  const batteryBlock = blocks
    .find((b) => b.startsWith('Batteries'))!
    .split('\r\n')
    .slice(2);
  expect(batteryBlock).toHaveLength(detail.batteryNames.length);
  const figs = new Map(batteryFigures(detail).map((b) => [b.name, b]));
  for (const line of batteryBlock) {
    const [name, , , , cycles, , , value] = line.split(',');
    expect(Number(cycles)).toBeCloseTo(figs.get(name!)!.cycles, 9);
    expect(Number(value)).toBeCloseTo(figs.get(name!)!.arbitrageUsd, 9);
  }

  // Voltages: the ANSI C84.1 list (as many buses as the run's voltages put outside Range A) and
  // the profile along the feeder.
  await runs.view('Voltages');
  await expect(page.getByTestId('voltage-violations')).toHaveAttribute(
    'data-count',
    String(voltageViolations(detail).length),
  );
  await expect(page.getByTestId('chart-voltage-profile')).toHaveAttribute('data-drawn', 'true');
  await page.screenshot({ path: join(OUT, 'ui-voltages.png') });

  // Compare against the baseline (no storage): A = baseline, B = this run, signed differences.
  for (;;) {
    const r = (await api.call('runs.list', { scenarioId: baseline.id })).find((x) => x.id === baseRun.id)!;
    if (r.status !== 'running') break;
    await page.waitForTimeout(500);
  }
  await runs.view('Compare');
  await page.getByLabel('Baseline').selectOption(String(baseRun.id));
  const headline = page.getByTestId('compare-headline');
  await expect(headline).toContainText(`“${study.name}”`);
  await expect(headline).toContainText(`against “${baseline.name}”`);
  const cmp = await api.call('runs.compare', { a: baseRun.id, b: runId });
  const cost = cmp.rows.find((r) => r.quantity === 'Energy cost')!;
  await expect(page.getByTestId('compare-table').locator('tr[data-quantity="Energy cost"] td').nth(3)).toHaveText(
    formatSignedInUnit(cost.b - cost.a, 'USD'),
  );
  await page.screenshot({ path: join(OUT, 'ui-compare.png') });

  // The PDF report of the run, page by page.
  await runs.view('Overview');
  const dl = await runs.export('export-pdf');
  const pdf = join(OUT, 'report.pdf');
  await dl.saveAs(pdf);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  expect(pages).toBeGreaterThanOrEqual(10);
  rmSync(join(OUT, 'page'), { force: true, recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '70', pdf, join(OUT, 'page')]);

  const title = pageText(pdf, 1);
  expect(title).toContain('A. Planner');
  expect(title).toContain('North Utility');
  expect(title).not.toMatch(/Page \d+ of/);
  for (let n = 2; n <= pages; n++)
    expect(pageText(pdf, n), `page number on page ${n}`).toContain(`Page ${n} of ${pages}`);
  expect(pageText(pdf, 2)).toContain('Contents');
  const summary = pageText(pdf, 3).replace(/\s+/g, ' ');
  expect(summary).toContain('Executive summary');
  expect(summary).toContain(formatInUnit(detail.totals!.costUsd, 'USD'));
  expect(summary).toContain('What to do next');
  const all = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
  const batteryPages = all.filter((t) => /^\s*Batteries/m.test(t) && t.includes('Arbitrage value'));
  expect(batteryPages.length).toBeGreaterThan(0);
  for (const name of detail.batteryNames)
    expect(batteryPages.join('\n'), `battery ${name} in the table`).toContain(name);
  const feederPage = all.find((t) => t.includes('Buses / branches'))!;
  for (const bus of ['117', '125', '128'])
    expect(feederPage, `bus ${bus} named on the feeder figure`).toMatch(new RegExp(`(^|\\s)${bus}(\\s|$)`));
  for (const s of [study, baseline]) await api.invoke('scenarios.delete', { id: s.id, confirm: true });
});
