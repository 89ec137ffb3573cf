/**
 * Issue #16's "my year" in the Siting tab, in Chromium against the real Node host, on a copy of
 * the bundled IEEE 123 scenario: the planner gives a year of hourly load, PV and price CSVs
 * (timestamps; the vendored ERCOT/DFW 2023 files of test-data/year-profiles, the price doubled so
 * the study's year is told apart from the bundled one). A price file with a missing hour is refused
 * naming that file and its line, with nothing stored and every input kept (only the bad file is
 * chosen again); a year typed that the files' timestamps contradict is refused; the study then
 * runs on the planner's year, names it and its year, dates its day in it, and the run opened from
 * its first line solves that day with the planner's prices and the objective the study verified.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDataPath } from '../test-data/index';
import { expect, test, useMock } from './fixtures';
import { RunsPage } from './pages/runs';
import { SitingPage } from './pages/siting';

const YEAR = {
  load: testDataPath('year-profiles', 'load_ercot-ncent_2023.csv'),
  pv: testDataPath('year-profiles', 'pv_denton-tx_tmy.csv'),
  price: testDataPath('year-profiles', 'price_ercot-north_2023.csv'),
};

test("siting on the planner's own year: a malformed file named with its line, nothing lost; the study and its opened run use the year", async ({
  page,
  api,
}) => {
  test.skip(useMock, 'the in-memory mock backend runs no siting study');
  test.setTimeout(600_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const dir = mkdtempSync(join(tmpdir(), 'tessera-year-'));
  const rows = readFileSync(YEAR.price, 'utf8').trim().split('\n');
  const price = rows.slice(1).map((l) => Number(l.split(',')[1]));
  // The planner's prices: the vendored year's, doubled (same timestamps).
  const mine = join(dir, 'price_north-x2_2023.csv');
  writeFileSync(mine, [rows[0], ...rows.slice(1).map((l, h) => `${l.split(',')[0]},${2 * price[h]!}`)].join('\n'));
  // A malformed one: the row of 2023-01-05 03:00 (line 101) missing, the year made up at the end.
  const gap = join(dir, 'price_gap_2023.csv');
  writeFileSync(gap, [...rows.slice(0, 100), ...rows.slice(101), '2023-12-31T23:59,1'].join('\n'));

  const example = await api.call('projects.openExample', { id: 'ieee123' });
  const scenario = await api.call('scenarios.duplicate', {
    id: example.scenarios[0]!.id,
    name: `e2e my year ${Date.now().toString(36)}`,
  });
  const runs = new RunsPage(page);
  const siting = new SitingPage(page);
  await page.goto('/?e2e=1');
  await runs.open(scenario.name);
  await siting.open();
  await siting.setDays(1);
  await siting.setSizes('60/240');
  await siting.typeCandidates('65, 85');
  await siting.useYear({ load: YEAR.load, pv: YEAR.pv, price: gap });
  await siting.start();
  await expect(siting.error).toHaveText(
    `siting.start: price file "price_gap_2023.csv" line 101: timestamp 2023-01-05T04:00 is 2 h after the previous row's (a gap or a repeated hour; give one row per hour, e.g. in standard time all year)`,
  );
  // Nothing stored, nothing lost: no study, the scenario as it was, every input still there.
  expect(await api.call('siting.list', { scenarioId: scenario.id })).toEqual([]);
  await expect(siting.studies).toContainText('none yet');
  expect(await api.call('scenarios.get', { id: scenario.id })).toEqual(scenario);
  await expect(siting.form.getByLabel('representative days')).toHaveValue('1');
  await expect(siting.form.getByLabel('sizes kW/kWh')).toHaveValue('60/240');
  await expect(siting.form.getByLabel('candidates')).toHaveValue('65, 85');
  await expect(page.getByTestId('siting-own-year')).toBeChecked();
  for (const k of ['load', 'pv'] as const)
    expect(
      await page
        .getByTestId(`siting-year-${k}`)
        .evaluate((el) => (el as unknown as { files: { length: number } }).files.length),
    ).toBe(1);

  // Only the bad file chosen again; a year typed that the files' timestamps contradict is refused
  // (the year dates the representative days), and the field cleared takes the timestamps' year.
  await page.getByTestId('siting-year-price').setInputFiles(mine);
  await page.getByTestId('siting-year-number').fill('2022');
  await siting.start();
  await expect(siting.error).toHaveText(
    'siting.start: price file "price_north-x2_2023.csv": its timestamps are of 2023, but the year given is 2022',
  );
  expect(await api.call('siting.list', { scenarioId: scenario.id })).toEqual([]);
  await page.getByTestId('siting-year-number').fill('');
  await siting.start();
  await expect(siting.error).toHaveCount(0);
  await siting.waitEnded();
  const [summary] = await api.call('siting.list', { scenarioId: scenario.id });
  expect(summary!.status, summary!.error ?? '').toBe('done');
  expect(summary!.settings.profiles?.files).toEqual({
    load: 'load_ercot-ncent_2023.csv',
    pv: 'pv_denton-tx_tmy.csv',
    price: 'price_north-x2_2023.csv',
  });
  await expect(siting.heading).toContainText(
    `1 representative days of the planner's year "load_ercot-ncent_2023.csv, pv_denton-tx_tmy.csv, price_north-x2_2023.csv" (2023)`,
  );
  await expect(siting.table.locator('tbody tr')).toHaveCount(2);
  const detail = await api.call('siting.get', { studyId: summary!.id });
  const first = detail.report!.ranked[0]!;
  const part = first.verification.parts[0]!;
  const day = Number(/--year-day (\d+)/.exec(part.rerun!)![1]) - 1;
  expect(part.label).toBe(`day ${new Date(Date.UTC(2023, 0, 1 + day)).toISOString().slice(0, 10)} (×365)`);

  // The first line as a run: that day of the planner's year (USD/MWh ÷ 10 → ¢/kWh), the verified objective.
  await siting.openRun(1);
  await expect(runs.root).toBeVisible();
  let runId = 0;
  await expect
    .poll(async () => {
      const list = await api.call('runs.list', { scenarioId: scenario.id });
      runId = list.find((r) => r.name?.startsWith(`Siting #${summary!.id} rank 1:`))?.id ?? 0;
      return runId;
    })
    .toBeGreaterThan(0);
  expect(await runs.waitFinished(runId)).toBe('solved');
  await runs.select(runId);
  const run = await api.call('runs.get', { runId });
  for (let h = 0; h < 24; h++) expect(run.settings.priceCentsPerKwh[h]).toBeCloseTo((2 * price[day * 24 + h]!) / 10, 9);
  expect(Math.abs(run.objective! - part.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(part.objective));
  expect(pageErrors).toEqual([]);
});
