/**
 * A three-phase feeder through the app: import IEEE 13 from a folder holding several .dss files
 * (pick the master), keep it three-phase, run the base-case power flow and read a per-phase
 * voltage and a violation row — against the OpenDSS engine's answers
 * (test-data/opendss-feeders/opendss-results/ieee13.json).
 */
import { readFileSync } from 'node:fs';
import { expect, test, useMock } from './fixtures';
import { HomePage } from './pages/home';
import { ImportPage } from './pages/import';
import { WorkspacePage } from './pages/workspace';
import { RunsPage } from './pages/runs';
import type { HookedGlobal } from './support/graph-hook';
import { opendssRef } from '../test-data/index';
import { IEEE13_ENTRY, ieee13Folder } from './support/ieee13';

const ref = JSON.parse(readFileSync(opendssRef('opendss-results', 'ieee13.json'), 'utf8')) as {
  bus_vmag_pu: Record<string, Record<string, number>>;
  regcontrol_taps: Record<string, number>;
};

test('IEEE 13 imported three-phase through the wizard: the base-case screen shows OpenDSS’s per-phase voltages and the Range A violation at the regulator', async ({
  page,
  project,
}) => {
  test.skip(useMock, 'the in-memory mock backend reads no three-phase model');
  const ws = new WorkspacePage(page);
  const wizard = new ImportPage(page);
  await ws.goto();
  await new HomePage(page).openRecent(project.name);
  await wizard.open();
  await wizard.chooseFolder(ieee13Folder());

  // Three .dss files and no Master.dss: the wizard asks which one is the circuit.
  const master = page.getByTestId('import-master');
  await expect(master).toBeVisible();
  await wizard.chooseMaster(`feeders/${IEEE13_ENTRY}`);
  await expect(page.getByTestId('import-three-phase')).toBeVisible();
  // The loads after allocation, as three-phase totals (IEEE 13's published 3466 kW, 2102 kvar).
  await expect(page.getByTestId('import-three-phase-load')).toContainText('3466 kW, 2102 kvar (three-phase totals');
  await expect(page.getByTestId('import-balanced-load')).toContainText('per phase (single-phase equivalent)');
  await expect(page.getByTestId('import-model').getByRole('radio').first()).toBeChecked();
  await wizard.save.click();
  await ws.graphReady();

  await page.getByRole('tab', { name: 'Power flow' }).click();
  await expect(page.getByTestId('basecase-model')).toHaveText('three-phase (unbalanced)');
  await page.getByTestId('basecase-run').click();
  const controls = page.getByTestId('basecase-controls');
  await expect(controls).toBeVisible();
  await page.screenshot({ path: 'test-results/ui-power-flow.png', fullPage: true });
  // OpenDSS's tap positions, reached by the regulators' controls.
  const header = await controls.locator('thead th').allTextContents();
  const cells = await controls.locator('tbody tr').first().locator('td').allTextContents();
  for (const [name, step] of Object.entries(ref.regcontrol_taps))
    expect(cells[header.indexOf(name)]).toBe(String(step));

  // The violation: rg60 phase C above Range A, at OpenDSS's value.
  const row = page
    .getByTestId('basecase-violations')
    .locator('tbody tr')
    .filter({ hasText: 'rg60' })
    .filter({ has: page.locator('td:text-is("C")') });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').nth(3)).toHaveText(ref.bus_vmag_pu.rg60!['3']!.toFixed(4));
  await expect(row.locator('td').nth(4)).toHaveText('≤ 1.05');

  // Click it: the network shows the bus, coloured by its worst phase, with every phase's voltage on hover.
  await row.click();
  await ws.graphReady();
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as HookedGlobal).__tesseraGraph!.selected()))
    .toEqual(['rg60']);
  await expect(page.getByTestId('voltage-overlay')).toBeVisible();
  // …and in view: centred once the graph's tab has its size (not at a corner of a hidden viewport).
  await expect
    .poll(() =>
      page.evaluate(() => {
        const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
        const p = g.renderedPosition('rg60')!;
        const { width, height } = g.labelLayout();
        return Math.abs(p.x - width / 2) < 0.1 * width && Math.abs(p.y - height / 2) < 0.1 * height;
      }),
    )
    .toBe(true);
  await ws.findBus('611');
  const pos = await page.evaluate(() => {
    const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
    const p = g.renderedPosition('611')!;
    const r = g.boundingRect();
    return { x: r.left + p.x, y: r.top + p.y };
  });
  await page.mouse.move(pos.x, pos.y);
  const tip = page.getByTestId('bus-tooltip');
  await expect(tip).toContainText('V phase C (snapshot)');
  await expect(tip).toContainText(`${ref.bus_vmag_pu['611']!['3']!.toFixed(4)} pu`);
  await expect(tip).toContainText('Phases');
  await page.screenshot({ path: 'test-results/ui-power-flow-network.png' });
});

test('IEEE 13 three-phase: a single-phase battery on phase B, the run solves the three-phase OPF validated by the three-phase power flow, and shows its voltages per phase', async ({
  page,
  project,
}) => {
  test.skip(useMock, 'the in-memory mock backend reads no three-phase model');
  const ws = new WorkspacePage(page);
  const wizard = new ImportPage(page);
  const runs = new RunsPage(page);
  await ws.goto();
  await new HomePage(page).openRecent(project.name);
  await wizard.importThreePhase(ieee13Folder(), `feeders/${IEEE13_ENTRY}`);
  await ws.graphReady();

  // A battery at bus 675 (three-phase), made single-phase on phase B.
  await ws.tab('PV & batteries');
  await ws.graphReady();
  await page.getByRole('group', { name: 'Place by clicking a bus' }).getByRole('button', { name: 'Battery' }).click();
  // The graph may still be settling after the import: retry the click until it lands on 675.
  await expect(async () => {
    await ws.clickBus('675');
    await expect(ws.batteryCount).toHaveText('1', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole('table', { name: 'Batteries' })).toContainText('bat_675');
  const phases = page.getByRole('table', { name: 'Batteries' }).getByTestId('unit-phases');
  await expect(phases.locator('option:checked')).toHaveText('ABC (3-phase)');
  await phases.selectOption('B');
  await ws.saved();

  // 4 hours; V max 1.10 pu (the regulators hold rg60 phase C above Range A's 1.05 at these loads).
  await ws.tab('Study settings');
  for (const [label, value] of [
    ['Periods (T)', '4'],
    ['V max (pu)', '1.1'],
  ] as const) {
    const field = page.getByLabel(label);
    await field.fill(value);
    await field.press('Enter');
    await ws.saved();
  }

  await page.getByRole('tab', { name: 'Runs' }).click();
  const id = await runs.start('centralized');
  expect(await runs.waitFinished(id)).toBe('solved');
  await runs.select(id);
  const panel = page.getByTestId('three-phase-run');
  await expect(panel).toBeVisible();
  const validation = await page.getByTestId('three-phase-validation').textContent();
  const diff = Number(/discrepancy (\S+) pu/.exec(validation ?? '')?.[1]);
  expect(diff).toBeLessThanOrEqual(1e-6);
  const unit = page.getByTestId('three-phase-units').locator('tbody tr').first();
  await expect(unit).toContainText('B (1-phase)');
  // Bus 611 has phase C only: it is in phase C's heat map and not in phase A's.
  await page.getByTestId('three-phase-heat-phase').selectOption('C');
  await expect(page.getByTestId('three-phase-heat').locator('tbody td:first-child', { hasText: /^611$/ })).toHaveCount(
    1,
  );
  await page.getByTestId('three-phase-heat-phase').selectOption('A');
  await expect(page.getByTestId('three-phase-heat').locator('tbody td:first-child', { hasText: /^611$/ })).toHaveCount(
    0,
  );
  await page.screenshot({ path: 'test-results/ui-three-phase-run.png', fullPage: true });

  // On the network: coloured by the run's worst phase, per-phase voltages on hover.
  await page.getByTestId('three-phase-show-network').click();
  await expect(page.getByTestId('voltage-overlay')).toContainText(`Run #${id} voltage`);
  await ws.graphReady();
  await expect(async () => {
    await ws.findBus('611');
    const pos = await page.evaluate(() => {
      const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
      const p = g.renderedPosition('611')!;
      const r = g.boundingRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.move(pos.x, pos.y);
    await expect(page.getByTestId('bus-tooltip')).toContainText('V phase C (hour 1)', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await page.screenshot({ path: 'test-results/ui-three-phase-run-network.png' });
});
