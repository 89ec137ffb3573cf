#!/usr/bin/env node
/**
 * Regenerates the README's screenshots (docs/screenshot-*.png) from a clean, realistic project:
 * a fresh data folder, so the first start opens the bundled IEEE 123 example (17 PV, 26
 * batteries, 4 areas) and nothing from tests shows; a "No storage" what-if beside it; 24-hour
 * runs of both; then the screens as a planner sees them, and the study report's executive
 * summary rendered from the exported PDF (pdftoppm). Then a three-phase study: the vendored IEEE 13
 * OpenDSS feeder (test-data/opendss-feeders) imported through the app's import commands and kept
 * three-phase, a battery on phase C of bus 675 and a three-phase PV system at 680, a 24-hour run
 * of the three-phase OPF; its network per phase with a bus's details, the Power flow tab's base
 * case (profile per phase, violations), the run's per-phase results, and the report's per-phase pages.
 *
 *   npx electron-vite build && node tools/screenshots.mjs [--out docs] [--chromium /usr/bin/chromium]
 *
 * Needs the built renderer (out/renderer), Chromium and poppler-utils (pdftoppm), like the e2e.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const outDir = resolve(root, arg('--out', 'docs'));
const executablePath = arg('--chromium', process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium');
/** test-data/index.ts's opendssRef (a TypeScript module, which this plain-Node script cannot import). */
const opendssRef = (...parts) => join(root, 'test-data', 'opendss-feeders', ...parts);
const AUTHOR = 'J. Rivera';
const ORGANISATION = 'Lakeside Electric Cooperative';

const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

/** The backend's WebSocket API, as the e2e fixtures use it. */
async function connect(url) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${token}`, { headers: { origin: url } });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  let next = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.kind === 'reply') pending.get(msg.id)?.(msg.result);
  });
  return {
    call: (command, a) =>
      new Promise((res, rej) => {
        const id = next++;
        pending.set(id, (r) => (r.ok ? res(r.value) : rej(new Error(`${command}: ${r.error.message}`))));
        ws.send(JSON.stringify({ id, command, arg: a }));
      }),
    close: () => ws.close(),
  };
}

async function finished(api, scenarioId, runId) {
  for (;;) {
    const r = (await api.call('runs.list', { scenarioId })).find((x) => x.id === runId);
    if (r.status !== 'running') return r;
    await new Promise((res) => setTimeout(res, 300));
  }
}

const data = mkdtempSync(join(tmpdir(), 'tessera-screens-'));
const port = await freePort();
// The host refuses requests without its per-launch token: choose it here, for the page and the API.
const token = randomBytes(24).toString('base64url');
const host = spawn(process.execPath, [join(root, 'bin/tessera.mjs'), 'host', '--port', String(port), '--data', data], {
  cwd: root,
  env: { ...process.env, TESSERA_HOST_TOKEN: token },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((res, rej) => {
  let text = '';
  host.stdout.on('data', (d) => {
    text += d;
    const m = /listening on (http:\/\/[^/\s]+)/.exec(text);
    if (m) res(m[1]);
  });
  host.once('exit', (code) => rej(new Error(`the host exited (${code}) before listening`)));
});

/** The three-phase study: IEEE 13 kept three-phase, its base case, a run and the report's per-phase pages. */
async function threePhaseScreens(page, shot, drawn) {
  const api = await connect(url);
  await api.call('projects.create', { name: 'Feeder 13 phase balance study' });
  await api.call('projects.update', { author: AUTHOR, organisation: ORGANISATION });
  const files = [
    ['13Bus/IEEE13Nodeckt.dss', ['feeders', '13Bus', 'IEEE13Nodeckt.dss']],
    ['13Bus/IEEE13Node_BusXY.csv', ['feeders', '13Bus', 'IEEE13Node_BusXY.csv']],
    ['13Bus/IEEELineCodes.DSS', ['feeders', '13Bus', 'IEEELineCodes.DSS']],
    ['IEEELineCodes.DSS', ['feeders', 'IEEELineCodes.DSS']],
  ].map(([name, parts]) => ({ name, text: readFileSync(opendssRef(...parts), 'utf8') }));
  const preview = await api.call('import.preview', { files, entry: '13Bus/IEEE13Nodeckt.dss' });
  if (!preview.ok) throw new Error(`IEEE 13 import: ${JSON.stringify(preview.errors)}`);
  const summary = await api.call('import.commit', { token: preview.token, name: 'IEEE 13' });
  const sc = await api.call('scenarios.get', { id: summary.scenarios.at(-1).id });
  await api.call('scenarios.update', {
    id: sc.id,
    patch: {
      name: 'Battery on phase C at 675',
      study: { ...sc.study, periods: 24, startHour: 0, vMaxPu: 1.06 },
      placements: {
        pv: [{ name: 'pv_680', bus: '680', pRatedKw: 300, sRatedKva: 330, phases: ['A', 'B', 'C'] }],
        batteries: [
          {
            name: 'bess_675c',
            bus: '675',
            pRatedKw: 200,
            energyKwh: 800,
            sRatedKva: 240,
            etaCharge: 0.95,
            etaDischarge: 0.95,
            socMin: 0.2,
            socMax: 0.95,
            socInitial: 0.5,
            phases: ['C'],
          },
        ],
      },
    },
  });
  const run = await api.call('runs.start', { scenarioId: sc.id, kind: 'centralized' });
  const done = await finished(api, sc.id, run.id);
  if (done.status !== 'solved') throw new Error(`the three-phase run ended ${done.status}`);
  api.close();

  await page.setViewportSize({ width: 1440, height: 900 });
  // e2e=1: the graph's hook says where bus 675 is drawn, to click it like a planner (its details open).
  await page.goto(`${url}/?token=${token}&e2e=1`);
  await page.getByTestId('workspace').waitFor();
  await page.getByRole('tab', { name: 'Network' }).click();
  await page.waitForFunction(() => globalThis.__tesseraGraph?.count('node.glyph.battery') > 0);
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.waitForTimeout(400);
  const at = await page.evaluate(() => {
    const g = globalThis.__tesseraGraph;
    const p = g.renderedPosition('675');
    const r = g.boundingRect();
    return { x: r.left + p.x, y: r.top + p.y, left: r.left, top: r.top };
  });
  await page.mouse.click(at.x, at.y);
  await page.locator('[data-testid="details"][data-bus="675"]').waitFor();
  // Off the bus, inside the graph (its hover card closes).
  await page.mouse.move(at.left + 12, at.top + 12, { steps: 4 });
  await shot('3ph-network');

  // The Power flow tab: the base case over the study's 24 hours, profile per phase and violations.
  await page.getByRole('tab', { name: 'Power flow' }).click();
  await page.getByTestId('basecase-mode').selectOption('daily');
  await page.getByTestId('basecase-run').click();
  await page.getByTestId('basecase-controls').waitFor({ timeout: 120_000 });
  await shot('3ph-powerflow');
  // Click a violation: the network shows the bus, coloured by each bus's worst phase at that hour.
  await page.getByTestId('basecase-violations').locator('tbody tr').first().click();
  await page.getByTestId('voltage-overlay').waitFor();
  await page.waitForTimeout(600);
  await shot('3ph-violations');

  // The run's per-phase results.
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByTestId('run-detail').waitFor({ timeout: 60_000 });
  await drawn('chart-battery-fleet');
  await page.getByTestId('three-phase-run').scrollIntoViewIfNeeded();
  await page.getByTestId('three-phase-heat-phase').selectOption('C');
  await shot('3ph-run');

  // The report's per-phase pages: the hours per phase with the profile, the violations per phase
  // with the validation, and the base case.
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 180_000 }),
    page.getByTestId('export-pdf').click(),
  ]);
  const pdf = join(data, 'report-3ph.pdf');
  await download.saveAs(pdf);
  const texts = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
  const count = texts.filter((t) => t.trim() !== '').length;
  const find = (s) => texts.findIndex((t) => t.includes(s)) + 1;
  const prefix = join(data, 'report-3ph-page');
  execFileSync('pdftoppm', ['-png', '-r', '90', pdf, prefix]);
  const img = (n) => `file://${prefix}-${String(n).padStart(String(count).length, '0')}.png`;
  const sheet = join(data, 'sheet-3ph.html');
  writeFileSync(
    sheet,
    `<body style="margin:0;background:#e9edf2;display:flex;gap:24px;justify-content:center;padding:20px">${[
      find('Per-phase voltages'),
      find('Units per phase'),
      find('Base case: the feeder without'),
    ]
      .map((n) => `<img src="${img(n)}" style="height:890px;box-shadow:0 4px 18px rgba(0,0,0,.25)">`)
      .join('')}</body>`,
  );
  await page.setViewportSize({ width: 1960, height: 930 });
  await page.goto(`file://${sheet}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, 'screenshot-3ph-report.png') });
  console.log('docs/screenshot-3ph-report.png');
}

let browser;
try {
  const api = await connect(url);
  // First start: the bundled example opens by itself.
  const project = await api.call('projects.current', null);
  await api.call('projects.update', { name: 'Feeder 123 storage study', author: AUTHOR, organisation: ORGANISATION });
  const base = project.scenarios[0];
  const baseScenario = await api.call('scenarios.get', { id: base.id });
  const none = await api.call('scenarios.duplicate', { id: base.id, name: 'No storage' });
  await api.call('scenarios.update', {
    id: none.id,
    patch: { placements: { pv: baseScenario.placements.pv, batteries: [] } },
  });
  const runNone = await api.call('runs.start', { scenarioId: none.id, kind: 'centralized' });
  await finished(api, none.id, runNone.id);
  const runBase = await api.call('runs.start', { scenarioId: base.id, kind: 'centralized' });
  await finished(api, base.id, runBase.id);
  api.close();

  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const shot = async (name) => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(outDir, `screenshot-${name}.png`) });
    console.log(`docs/screenshot-${name}.png`);
  };
  const drawn = (testId) => page.waitForSelector(`[data-testid="${testId}"][data-drawn="true"]`, { timeout: 60_000 });
  mkdirSync(outDir, { recursive: true });

  await page.goto(`${url}/?token=${token}`);
  await page.getByTestId('workspace').waitFor();
  await page.getByRole('list', { name: 'Scenarios' }).getByRole('listitem').first().waitFor();
  await page.getByRole('tab', { name: 'Areas' }).click();
  await page.getByRole('button', { name: 'Fit' }).click();
  await shot('areas');

  // A bus's details on the Network tab.
  await page.getByRole('tab', { name: 'Network' }).click();
  await page.getByLabel('Find bus').fill('114');
  await page.getByLabel('Find bus').press('Enter');
  await page.waitForTimeout(400);

  // The base case's run: overview with the batteries, voltages, comparison with "No storage".
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByTestId('run-detail').waitFor({ timeout: 60_000 });
  await drawn('chart-battery-fleet');
  await shot('dashboard');
  await page.getByRole('tablist', { name: 'Run views' }).getByRole('tab', { name: 'Voltages' }).click();
  await drawn('chart-voltage-profile');
  await shot('voltages');
  await page.getByRole('tablist', { name: 'Run views' }).getByRole('tab', { name: 'Compare' }).click();
  await page.getByLabel('Baseline').selectOption(String(runNone.id));
  await page.getByTestId('compare-headline').waitFor();
  await drawn('chart-compare-substation');
  await shot('compare');

  // The report: export from the UI, its executive summary page as the README shows it.
  await page.getByRole('tablist', { name: 'Run views' }).getByRole('tab', { name: 'Overview' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByTestId('export-pdf').click(),
  ]);
  const pdf = join(data, 'report.pdf');
  await download.saveAs(pdf);
  const prefix = join(data, 'report-page');
  // The executive summary (page 3), the battery table (4) and the feeder figure, side by side.
  const pages = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
  const feederPage = pages.findIndex((t) => t.includes('Buses / branches')) + 1;
  execFileSync('pdftoppm', ['-png', '-r', '90', pdf, prefix]);
  const count = pages.filter((t) => t.trim() !== '').length;
  const img = (n) => `file://${prefix}-${String(n).padStart(String(count).length, '0')}.png`;
  await page.setViewportSize({ width: 1960, height: 930 });
  const sheet = join(data, 'sheet.html');
  writeFileSync(
    sheet,
    `<body style="margin:0;background:#e9edf2;display:flex;gap:24px;justify-content:center;padding:20px">${[
      3,
      4,
      feederPage,
    ]
      .map((n) => `<img src="${img(n)}" style="height:890px;box-shadow:0 4px 18px rgba(0,0,0,.25)">`)
      .join('')}</body>`,
  );
  await page.goto(`file://${sheet}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, 'screenshot-report.png') });
  console.log('docs/screenshot-report.png');

  // The projects screen.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${url}/?token=${token}`);
  await page.getByTestId('workspace').waitFor();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await shot('home');

  await threePhaseScreens(page, shot, drawn);
} finally {
  await browser?.close();
  host.kill('SIGTERM');
  await new Promise((res) => host.once('exit', res));
  rmSync(data, { recursive: true, force: true });
}
