/**
 * A distributed run on a three-phase feeder through the app, against the real Node host: IEEE 13
 * kept three-phase, 2 hours, a three-phase battery and a single-phase PV below the cut, a
 * single-phase battery above it.
 * The Areas view refuses a cut at the transformer by name, suggests 2 areas cut at a line, and
 * starts the run; its rounds and areas appear live (held in round 2), a second run is cancelled
 * (no area process left), and the run's Solver view shows the coordination, rounds, critical path,
 * per-area CPU seconds and the boundary values per phase; a published run is shown with its
 * measured difference from a centralized run of the same scenario. The numbers on screen are the
 * backend's (runs.get).
 */
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { expect, test, useMock } from './fixtures';
import { HomePage } from './pages/home';
import { RunsPage } from './pages/runs';
import { WorkspacePage } from './pages/workspace';
import { heldAreas, holdAt, release } from './support/harness';
import { IEEE13_BATTERY_675, importIeee13 } from './support/ieee13';

const OUT = resolve('test-results/three-phase-distributed');

test('IEEE 13 three-phase by 2 areas: cut at a line (the transformer refused by name), rounds live, cancel, coordination and per-phase boundary values, published against centralized', async ({
  page,
  api,
  project,
}) => {
  test.skip(useMock, 'the in-memory mock backend reads no three-phase model');
  test.setTimeout(300_000);
  mkdirSync(OUT, { recursive: true });
  const scenario = await importIeee13(api);
  await api.call('scenarios.update', {
    id: scenario.id,
    patch: {
      study: { ...scenario.study, periods: 2, startHour: 10, vMaxPu: 1.08 },
      // As the backend's test (threephase/distributed.test.ts): 19 rounds to 1e-4 pu. (Without the
      // PV the rounds hover at 1.4e-4 pu for 200 rounds: the exchange does not settle yet.)
      placements: {
        pv: [{ name: 'pv675', bus: '675', pRatedKw: 150, sRatedKva: 180, phases: ['B'] }],
        batteries: [
          { ...IEEE13_BATTERY_675, name: 'b692', bus: '692' },
          { ...IEEE13_BATTERY_675, name: 'b634', bus: '634', phases: ['B'] },
        ],
      },
    },
  });

  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`${e.message}\n${e.stack ?? ''}`));
  const ws = new WorkspacePage(page);
  const runs = new RunsPage(page);
  await ws.goto();
  await new HomePage(page).openRecent(project.name);
  await ws.graphReady();

  // Areas: a cut at the transformer 633–634 is refused, naming it.
  await ws.tab('Areas');
  await expect(page.getByTestId('areas-three-phase')).toContainText('cut at lines only');
  await expect(async () => {
    await ws.clickBranch('633', '634');
    await expect(ws.cutCount).toHaveText('1', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(ws.partitionStatus).toContainText('cut 633–634 is at transformer xfm1: cut at a line');
  await expect(page.getByTestId('areas-run').getByRole('button', { name: /Run distributed/ })).toBeDisabled();
  await page.getByRole('button', { name: 'Remove all cuts' }).click();
  await expect(ws.cutCount).toHaveText('0');
  // Suggest 2 areas: the cut is the line 632–670.
  await page.getByLabel('Number of areas').fill('2');
  await page.getByRole('button', { name: 'Suggest', exact: true }).click();
  await expect(ws.cutCount).toHaveText('1');
  await expect(page.getByRole('list', { name: 'Cut branches' })).toContainText('632–670');
  await expect(ws.partitionStatus).toContainText('2 areas, a valid tree of connected areas.');
  await expect(page.getByRole('table', { name: 'Areas' }).locator('tbody tr[data-root="670"]')).toHaveCount(1);
  await ws.saved();
  await page.screenshot({ path: join(OUT, 'areas.png') });

  // The run from the Areas panel: rounds and both areas appear live (held in round 2, after round 1 is shown).
  const heldAt = (what: string) =>
    expect.poll(() => heldAreas().length, { timeout: 60_000, message: `no area held ${what}` }).toBeGreaterThan(0);
  let exact: number;
  try {
    holdAt(2, 2);
    await page.getByTestId('areas-run').getByRole('button', { name: 'Run distributed (2 areas)' }).click();
    await expect(runs.live).toBeVisible();
    await expect(runs.live).toHaveAttribute('data-kind', 'distributed');
    exact = Number(await runs.live.getAttribute('data-run'));
    await expect(page.getByTestId('area-table').locator('tbody tr')).toHaveCount(2, { timeout: 60_000 });
    await heldAt('in round 2');
    await expect(page.getByTestId('live-round')).toHaveText('1');
    await page.screenshot({ path: join(OUT, 'progress.png') });
  } finally {
    release();
  }
  expect(await runs.waitFinished(exact, 180_000)).toBe('solved');

  // Cancel a second run while its areas are held in round 1: cancelled, no area process left.
  const cancelled = await runs.cancelWhileHeld(() => runs.start('distributed'));
  await runs.select(cancelled);
  await expect(page.getByTestId('run-failure')).toContainText('cancelled');

  // The run's page: three-phase results, and in the Solver view the coordination, rounds, critical
  // path, per-area CPU seconds and the boundary values per phase — the backend's numbers.
  const detail = await api.call('runs.get', { runId: exact });
  const d = detail.distributed!;
  await runs.select(exact);
  await expect(page.getByTestId('three-phase-run')).toBeVisible();
  await runs.view('Solver');
  const summaryTable = page.getByTestId('coordination-summary');
  await expect(summaryTable).toHaveAttribute('data-coordination', 'exact');
  await expect(summaryTable).toContainText(`2 / ${d.rounds.length}`);
  await expect(summaryTable).toContainText('Critical path (CPU)');
  expect(d.criticalPathCpuSeconds).toBeGreaterThan(0);
  const rounds = page.getByTestId('rounds-table').locator('tbody tr');
  await expect(rounds).toHaveCount(d.rounds.length);
  await expect(rounds.first()).toContainText('CPU');
  // the consistency rounds after the price rounds: the last ones, each marked
  expect(d.consistencyRounds).toBeGreaterThan(0);
  await expect(rounds.locator('td:first-child span[title^="consistency round"]')).toHaveCount(d.consistencyRounds!);
  await expect(rounds.last().locator('td:first-child')).toContainText(`${d.rounds.length} c`);
  const boundary = page.getByTestId('phase-boundaries').locator('tbody tr[data-bus="670"]');
  await expect(boundary).toHaveCount(3);
  const [bd] = d.phaseBoundaries!;
  for (const [j, ph] of bd!.phases.entries()) {
    const row = page.getByTestId('phase-boundaries').locator(`tbody tr[data-bus="670"][data-phase="${ph}"]`);
    const lo = Math.min(...bd!.vPu[j]!).toFixed(4);
    await expect(row.locator('td').nth(3)).toContainText(lo);
  }
  await page.screenshot({ path: join(OUT, 'solver.png'), fullPage: true });

  // Published: measured against the centralized run of the same scenario.
  const central = await runs.start('centralized');
  expect(await runs.waitFinished(central, 120_000)).toBe('solved');
  const published = await runs.start('distributed', 'published');
  expect(await runs.waitFinished(published, 180_000)).toBe('solved');
  await runs.select(published);
  await runs.view('Solver');
  await expect(summaryTable).toHaveAttribute('data-coordination', 'published');
  await expect(summaryTable).toContainText(`differs from the centralized run #${central} by up to`);
  expect(pageErrors, 'errors in the page').toEqual([]);
});
