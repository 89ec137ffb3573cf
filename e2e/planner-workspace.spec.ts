/**
 * Issue #18's workspace defects, each as the planner meets it in Chromium against the real Node
 * host: names edited in place (no window.prompt/confirm, which Electron's renderer lacks),
 * actions that wait for a scenario switch, a duplicate that opens with its name in edit, a battery
 * power above its inverter offered as a fix in plain words, Enter that gives focus back so the tab number keys
 * switch tabs, graph tools only where there is a graph, and a page that loads without a 404 or a
 * console warning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { HookedGlobal } from './support/graph-hook';
import { expect, test, type Api } from './fixtures';
import { WorkspacePage } from './pages/workspace';
import { testDataPath } from '../test-data/index';

const REF = testDataPath('ieee123-balanced');

/** Fail the test if the page ever opens a native dialog (prompt/confirm/alert). */
function forbidNativeDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

/** Import the IEEE 123 CSV pair into the fixture's project through the backend. */
async function importIeee123(api: Api, name = 'IEEE 123'): Promise<void> {
  const files = ['linedata.csv', 'powerdata.csv'].map((f) => ({
    name: f,
    text: readFileSync(resolve(REF, 'csv', f), 'utf8'),
  }));
  const preview = await api.call('import.preview', { files });
  await api.call('import.commit', { token: preview.token, name });
}

async function openProject(page: Page, ws: WorkspacePage, name: string): Promise<void> {
  await ws.goto();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name }).click();
  await expect(ws.root).toBeVisible();
}

/**
 * Pass the page's WebSocket through to the host, holding back replies to `scenarios.get` while
 * `scenarioGet` is set (a slow scenario load, made deterministic) until `release()`.
 */
async function holdScenarioLoads(page: Page) {
  const held: (() => void)[] = [];
  const hold = {
    scenarioGet: false,
    release() {
      hold.scenarioGet = false;
      for (const send of held.splice(0)) send();
    },
  };
  await page.routeWebSocket(/\/ws(\?.*)?$/, (ws) => {
    const server = ws.connectToServer();
    const heldIds = new Set<number>();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { id?: number; command?: string };
      if (hold.scenarioGet && msg.command === 'scenarios.get' && msg.id !== undefined) heldIds.add(msg.id);
      server.send(m);
    });
    server.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { kind?: string; id?: number };
      if (msg.kind === 'reply' && msg.id !== undefined && heldIds.delete(msg.id)) held.push(() => ws.send(m));
      else ws.send(m);
    });
  });
  return hold;
}

test('scenario, project names edited in place; duplicate opens its copy with the name in edit; delete asks in the app', async ({
  page,
  api,
  project,
}) => {
  const native = forbidNativeDialogs(page);
  const hold = await holdScenarioLoads(page);
  await importIeee123(api);
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.graphReady();
  const scenarios = page.getByRole('list', { name: 'Scenarios' }).getByRole('listitem');
  await expect(scenarios).toHaveCount(1);

  // Rename the scenario in place: click its name, type, Enter.
  await page.getByRole('button', { name: /^Scenario name: .*Click to rename/ }).click();
  const nameField = page.getByRole('textbox', { name: 'Scenario name' });
  await nameField.fill('No storage');
  await nameField.press('Enter');
  await ws.saved();
  await expect(scenarios.first()).toContainText('No storage');
  const stored = (await api.call('projects.current', null))!.scenarios;
  expect(stored.map((s) => s.name)).toEqual(['No storage']);

  // Duplicate: the copy opens with its name in edit; what is typed renames the copy, not the original.
  await page.getByRole('button', { name: 'Duplicate' }).click();
  const copyField = page.getByRole('textbox', { name: 'Scenario name' });
  await expect(copyField).toBeFocused();
  await expect(copyField).toHaveValue('No storage (copy)');
  await copyField.fill('250 kW battery at 114');
  await copyField.press('Enter');
  await ws.saved();
  const after = (await api.call('projects.current', null))!.scenarios.map((s) => s.name).sort();
  expect(after).toEqual(['250 kW battery at 114', 'No storage']);
  // The list shows the stored names too (it refreshes after the save: until then the copy still
  // reads "No storage (copy)" and matches "No storage" below).
  await expect(scenarios.filter({ hasText: '250 kW battery at 114' })).toHaveCount(1);
  await expect(scenarios.filter({ hasText: 'No storage' })).toHaveCount(1);

  // While a switch is pending (the scenario's load is held back), the scenario actions are disabled:
  // they would act on the previous scenario. Released, they act on the one clicked.
  hold.scenarioGet = true;
  const actions = page.getByRole('group', { name: 'Scenario actions' });
  await scenarios.filter({ hasText: 'No storage' }).getByRole('button').click();
  await expect(scenarios.filter({ hasText: 'No storage' })).toContainText('Opening…');
  for (const name of ['Duplicate', 'Rename', 'Delete'])
    await expect(actions.getByRole('button', { name })).toBeDisabled();
  hold.release();
  await expect(actions.getByRole('button', { name: 'Rename' })).toBeEnabled();
  await expect(page.getByRole('button', { name: /^Scenario name: No storage\./ })).toBeVisible();

  // Project name in place, kept after a reload; report details (author, organisation) too.
  await page.getByRole('button', { name: /^Project name: / }).click();
  const projectField = page.getByRole('textbox', { name: 'Project name' });
  await projectField.fill('Feeder 123 storage study');
  await projectField.press('Enter');
  await expect(page.getByRole('button', { name: /^Project name: Feeder 123 storage study\./ })).toBeVisible();
  await page.getByText('Report details').click();
  await page.getByLabel('Author').fill('A. Planner');
  await page.getByLabel('Author').press('Enter');
  await page.getByLabel('Organisation').fill('North Utility');
  await page.getByLabel('Organisation').press('Enter');
  await expect.poll(async () => (await api.call('projects.current', null))!.organisation).toBe('North Utility');
  await page.reload();
  await expect(page.getByRole('button', { name: /^Project name: Feeder 123 storage study\./ })).toBeVisible();
  expect((await api.call('projects.current', null))!).toMatchObject({
    author: 'A. Planner',
    organisation: 'North Utility',
  });

  // Delete asks in the app; Cancel keeps the scenario, Delete removes it.
  await page.getByRole('group', { name: 'Scenario actions' }).getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete scenario');
  await page.screenshot({ path: 'test-results/ui-delete-dialog.png' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(scenarios).toHaveCount(2);
  await page.getByRole('group', { name: 'Scenario actions' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete scenario' }).click();
  await expect(scenarios).toHaveCount(1);
  expect(native, 'no native prompt/confirm/alert').toEqual([]);
});

test('battery kW above its inverter: plain words and an offer to raise the kVA; Enter frees the tab number keys; graph tools only with a graph', async ({
  page,
  api,
  project,
}) => {
  await importIeee123(api);
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.graphReady();
  await ws.tab('PV & batteries');
  await page.getByRole('group', { name: 'Place by clicking a bus' }).getByRole('button', { name: 'Battery' }).click();
  await ws.clickBus('48');
  await expect(ws.batteryCount).toHaveText('1');
  await ws.saved();
  const kw = page.getByLabel('bat_48 kW', { exact: true });
  const scenarioId = (await api.call('projects.current', null))!.scenarios[0]!.id;
  const kvaBefore = (await api.call('scenarios.get', { id: scenarioId })).placements.batteries[0]!.sRatedKva;

  // 1000 kW is above the inverter: nothing is sent to the store, the row says why and offers the fix.
  await kw.fill('1000');
  await kw.press('Enter');
  const issue = page.getByTestId('rating-issue');
  await expect(issue).toContainText(`1000 kW is more than bat_48's inverter can carry (${kvaBefore} kVA)`);
  await expect(page.getByRole('alert').filter({ hasText: 'was not saved' })).toHaveCount(0);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: 'test-results/ui-rating-issue-1280.png' });
  await issue.getByRole('button', { name: 'Raise the inverter to 1000 kVA' }).click();
  await ws.saved();
  const s = (await api.call('scenarios.get', { id: scenarioId })).placements.batteries[0]!;
  expect(s).toMatchObject({ pRatedKw: 1000, sRatedKva: 1000 });
  await expect(issue).toHaveCount(0);

  // The remove column is inside the panel at 1280 and 1440 px.
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    const remove = page.getByRole('button', { name: 'Remove bat_48' });
    const box = (await remove.boundingBox())!;
    const panel = (await page.locator('.panel').boundingBox())!;
    expect(box.x + box.width, `remove button inside the panel at ${width} px`).toBeLessThanOrEqual(
      panel.x + panel.width,
    );
    expect(box.x).toBeGreaterThanOrEqual(panel.x);
  }

  // Enter commits and leaves the cell: the next key 4 switches to Study settings instead of typing "4".
  await page.getByLabel('bat_48 kWh').fill('2000');
  await page.getByLabel('bat_48 kWh').press('Enter');
  await expect(page.getByLabel('bat_48 kWh')).not.toBeFocused();
  await page.keyboard.press('4');
  await expect(page.getByRole('tab', { name: 'Study settings' })).toHaveAttribute('aria-selected', 'true');
  await ws.saved();
  expect((await api.call('scenarios.get', { id: scenarioId })).placements.batteries[0]!.energyKwh).toBe(2000);

  // No graph on Study settings and Runs: no graph tools either; the toolbar stays one line at 1280 px.
  await expect(page.getByRole('group', { name: 'Graph tools' })).toHaveCount(0);
  await page.keyboard.press('5');
  await expect(page.getByRole('tab', { name: 'Runs' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('group', { name: 'Graph tools' })).toHaveCount(0);
  // One area: the distributed button says so in plain words.
  await expect(page.getByTestId('start-distributed')).toHaveText('Run distributed (no areas yet)');
  await page.keyboard.press('1');
  await expect(page.getByRole('group', { name: 'Graph tools' })).toBeVisible();
  const toolbar = (await page.locator('.toolbar').boundingBox())!;
  expect(toolbar.height, 'toolbar on one line at 1280 px').toBeLessThan(50);
  // The tab tooltips and the About page advertise the keys the handler takes.
  await expect(page.getByRole('tab', { name: 'Runs' })).toHaveAttribute('title', 'Runs (key 5)');
});

test('clicking a bus or a branch opens its details', async ({ page, api, project }) => {
  await importIeee123(api);
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.graphReady();
  // Bus 48's peak load as powerdata.csv lists it.
  const power = readFileSync(resolve(REF, 'csv/powerdata.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));
  const row48 = power.find((r) => r[0] === '48')!;
  await ws.clickBus('48');
  const details = page.getByTestId('details');
  await expect(details).toHaveAttribute('data-bus', '48');
  await expect(details).toContainText(`${Number(row48[1]).toFixed(1)} kW`);
  await page.screenshot({ path: 'test-results/ui-details-bus.png' });
  // Its supply link walks up the feeder.
  await details
    .getByRole('button', { name: /^bus \d+$/ })
    .first()
    .click();
  await expect(details).not.toHaveAttribute('data-bus', '48');
  // A branch: its ends and impedance.
  await ws.clickBranch('15', '117');
  await expect(details).toContainText('bus 15');
  await expect(details).toContainText('bus 117');
  await expect(details).toContainText('Ω');
  await details.getByRole('button', { name: 'Feeder facts' }).click();
  await expect(page.getByTestId('feeder-facts')).toBeVisible();
});

test('an invalid partition: the area table numbers and colours its areas as the graph does', async ({
  page,
  api,
  project,
}) => {
  await importIeee123(api);
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.graphReady();
  await ws.tab('Areas');
  // 1–2 then 2–3: bus 2 alone between two cuts (invalid), plus a valid cut further down.
  for (const [a, b] of [
    ['1', '2'],
    ['2', '3'],
    ['62', '125'],
  ])
    await ws.clickBranch(a, b);
  await expect(page.getByTestId('partition-errors')).toBeVisible();
  const rows = page.getByRole('table', { name: 'Areas' }).locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (let i = 0; i < 4; i++) {
    const root = (await rows.nth(i).getAttribute('data-root'))!;
    const swatch = await rows
      .nth(i)
      .locator('.swatch')
      .evaluate((el) => (el as unknown as { style: { background: string } }).style.background);
    const graphColor = await page.evaluate(
      (b) => (globalThis as unknown as HookedGlobal).__tesseraGraph!.busColor(b),
      root,
    );
    const hex = (c: string) =>
      c.startsWith('#')
        ? c.toLowerCase()
        : `#${(c.match(/\d+/g) ?? [])
            .slice(0, 3)
            .map((n) => Number(n).toString(16).padStart(2, '0'))
            .join('')}`;
    expect(hex(swatch), `area ${i + 1} (root bus ${root}): table swatch = graph colour`).toBe(hex(graphColor!));
  }
});

test('a small feeder (IEEE 13, with its coordinates): Fit keeps every bus and its label inside the view; transformers, the regulator, the switch and capacitors get one-line symbols', async ({
  page,
  api,
  project,
}) => {
  const dir = testDataPath('dss/ieee13');
  // The circuit script as the wizard expects it (Master.dss), with the files it redirects to.
  const files = readdirSync(dir).map((f) => ({
    name: f === 'IEEE13Nodeckt.dss' ? 'Master.dss' : f,
    text: readFileSync(resolve(dir, f), 'utf8'),
  }));
  const preview = await api.call('import.preview', { files });
  expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
  await api.call('import.commit', { token: preview.token, name: 'IEEE 13' });
  const feeder = await api.call('feeders.get', { id: (await api.call('projects.current', null))!.feeders[0]!.id });
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.graphReady();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.waitForTimeout(300);
  const box = (await ws.graph.boundingBox())!;
  const hook = await page.evaluate(
    (buses) => {
      const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
      const r = g.boundingRect();
      return {
        zoom: g.zoom(),
        at: buses.map((b) => ({ b, p: g.renderedPosition(b), left: r.left, top: r.top })),
        xf: g.count('node.glyph.xf'),
        reg: g.count('node.glyph.reg'),
        sw: g.count('node.glyph.sw'),
        cap: g.count('node.glyph.cap'),
      };
    },
    feeder.buses.map((b) => b.name),
  );
  for (const { b, p } of hook.at) {
    // The bus, its largest glyph and its label (about 9 model units under the circle, ~5.5 per character wide).
    const halfWidth = Math.max(13, b.length * 2.8) * hook.zoom;
    expect(p!.x - halfWidth, `bus ${b} left edge`).toBeGreaterThanOrEqual(0);
    expect(p!.x + halfWidth, `bus ${b} right edge`).toBeLessThanOrEqual(box.width);
    expect(p!.y - 13 * hook.zoom, `bus ${b} top`).toBeGreaterThanOrEqual(0);
    expect(p!.y + 24 * hook.zoom, `bus ${b} label bottom`).toBeLessThanOrEqual(box.height);
  }
  const kinds = (k: string) => feeder.branches.filter((br) => br.kind === k).length;
  expect(hook.xf).toBe(2 * kinds('transformer'));
  expect(hook.reg).toBe(kinds('regulator'));
  expect(hook.sw).toBe(kinds('switch'));
  expect(hook.cap).toBe(2 * new Set(feeder.capacitors.map((c) => c.bus)).size);
  expect(kinds('transformer') + kinds('regulator') + kinds('switch')).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/ui-ieee13-fit.png' });
});

test('a market price export with timestamps imports as the study price; a 48-hour study says how the 24-hour profiles repeat', async ({
  page,
  api,
  project,
}) => {
  await importIeee123(api);
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await ws.tab('Study settings');
  const file = resolve(REF, 'profiles/comed_hourly_prices_2023-11-10.csv');
  // The export as downloaded: a header row, quoted timestamps, the value last.
  const cents = readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(',').at(-1)));
  await page.getByLabel('Import Energy price CSV').setInputFiles(file);
  await ws.saved();
  await expect(page.getByTestId('shape-price')).toContainText('24 points');
  const id = (await api.call('projects.current', null))!.scenarios[0]!.id;
  expect((await api.call('scenarios.get', { id })).study.priceCentsPerKwh).toEqual(cents);
  const periods = page.getByLabel('Periods (T)');
  await periods.fill('48');
  await periods.press('Enter');
  await ws.saved();
  await expect(page.getByTestId('horizon-note')).toContainText('they repeat from their start (hour 24 uses hour 0');
});

test('a page load has no 404 (favicon) and no console warning or error', async ({ page, project }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  const ws = new WorkspacePage(page);
  await openProject(page, ws, project.name);
  await page.getByRole('navigation').getByRole('button', { name: 'About' }).click();
  await expect(page.getByTestId('shortcut-table')).toContainText('1–7'); // Network … Power flow
  await page.waitForTimeout(500);
  expect(problems).toEqual([]);
});
