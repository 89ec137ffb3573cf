#!/usr/bin/env node
/**
 * Regenerates the README's screenshots (docs/screenshot-*.png) from a clean, realistic project:
 * a fresh data folder, so the first start opens the bundled IEEE 123 example (17 PV, 26
 * batteries, 4 areas) and nothing from tests shows; a "No storage" what-if beside it; 24-hour
 * runs of both; then the screens as a planner sees them, and the study report's executive
 * summary rendered from the exported PDF (pdftoppm).
 *
 *   npx electron-vite build && node tools/screenshots.mjs [--out docs] [--chromium /usr/bin/chromium]
 *
 * Needs the built renderer (out/renderer), Chromium and poppler-utils (pdftoppm), like the e2e.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
} finally {
  await browser?.close();
  host.kill('SIGTERM');
  await new Promise((res) => host.once('exit', res));
  rmSync(data, { recursive: true, force: true });
}
