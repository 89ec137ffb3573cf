/**
 * Responsiveness on a 10,240-bus feeder (80 copies of IEEE 123, the benchmark feeder): import it
 * as a CSV pair through the wizard, then time the first render and fit of the one-line graph, a
 * zoom, a hover and a search. Timings go to test-results/e2e-timings.json and the log; the
 * assertions are loose ceilings (the machine is shared), the numbers are the point.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateScaledFeeder } from '../src-solver/examples/scaled';
import { importReferenceCsv } from '../src-solver/io/csv/reference';
import { expect, test } from './fixtures';
import { ImportPage } from './pages/import';
import { WorkspacePage } from './pages/workspace';
import type { BrowserGlobals, HookedGlobal } from './support/graph-hook';
import { testDataPath } from '../test-data/index';
import { rendererCpu } from './support/renderer-cpu';

const REF = testDataPath('ieee123-balanced');

/** The scaled feeder as linedata/powerdata; copy 0 keeps IEEE 123's names so bus 1 is the substation. */
function writeScaledCsv(dir: string): { buses: number } {
  const base = importReferenceCsv(
    readFileSync(resolve(REF, 'csv/linedata.csv'), 'utf8'),
    readFileSync(resolve(REF, 'csv/powerdata.csv'), 'utf8'),
  );
  if (!base.ok) throw new Error('reference CSV did not import');
  const f = generateScaledFeeder(base.feeder, 80);
  const name = (b: string) => b.replace(/^c0_/, '');
  writeFileSync(
    join(dir, 'linedata.csv'),
    ['fbus,tbus,R,X', ...f.branches.map((b) => `${name(b.from)},${name(b.to)},${b.rOhm},${b.xOhm}`)].join('\n') + '\n',
  );
  const p = new Map(f.buses.map((b) => [b.name, { p: 0, q: 0, qc: 0 }]));
  for (const l of f.loads) {
    p.get(l.bus)!.p += l.pKw;
    p.get(l.bus)!.q += l.qKvar;
  }
  for (const c of f.capacitors) p.get(c.bus)!.qc += c.qKvar;
  writeFileSync(
    join(dir, 'powerdata.csv'),
    ['bus,P_L,Q_L,Q_C,P_der,busType', ...[...p].map(([b, v]) => `${name(b)},${v.p},${v.q},${v.qc},0,0`)].join('\n') +
      '\n',
  );
  return { buses: f.buses.length };
}

test('a 10,000-bus feeder renders, fits, zooms and answers hover and search quickly', async ({ page, project }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-10k-'));
  const { buses } = writeScaledCsv(dir);
  const ws = new WorkspacePage(page);
  const wizard = new ImportPage(page);

  await ws.goto();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name: project.name }).click();
  await wizard.open();
  const tPreview = Date.now();
  await wizard.chooseFiles([join(dir, 'linedata.csv'), join(dir, 'powerdata.csv')]);
  expect(await wizard.count('buses')).toBe(buses);
  await expect(page.getByTestId('import-preview-graph')).toBeVisible();
  await page.waitForFunction(
    () => (globalThis as unknown as HookedGlobal).__tesseraGraph?.timings.firstRenderMs != null,
  );
  const previewWallMs = Date.now() - tPreview;

  await wizard.name.fill('ieee123 x80');
  const cpu = await rendererCpu(page);
  const saveCpu0 = await cpu.ms();
  const tSave = Date.now();
  await wizard.save.click();
  // Saved when the wizard closes (the save runs in the backend's import worker; CPU-bound).
  await expect(page.getByRole('heading', { name: 'Import a feeder' })).toBeHidden({ timeout: 0 });
  await ws.graphReady();
  await expect(ws.graph).toHaveAttribute('data-buses', String(buses));
  const saveToGraphWallMs = Date.now() - tSave;
  const saveToGraphCpuMs = Math.round((await cpu.ms()) - saveCpu0);
  const graph = await page.evaluate(() => ({ ...(globalThis as unknown as HookedGlobal).__tesseraGraph!.timings }));

  /** Time from a key press to the second animation frame after it (the redraw is on screen). */
  const keyToFrame = (key: string) =>
    page.evaluate(async (k) => {
      const g = globalThis as unknown as BrowserGlobals;
      const t0 = g.performance.now();
      g.dispatchEvent(new g.KeyboardEvent('keydown', { key: k }));
      await new Promise<void>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(() => r())));
      return g.performance.now() - t0;
    }, key);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const fitCpu0 = await cpu.ms();
  const fitMs = await keyToFrame('f');
  const fitCpuMs = Math.round((await cpu.ms()) - fitCpu0);
  const zoomInMs = await keyToFrame('+');
  const zoomOutMs = await keyToFrame('-');

  const tSearch = Date.now();
  await ws.findBus('c79_65');
  const searchWallMs = Date.now() - tSearch - 350; // findBus waits 350 ms for the animation
  const at = await page.evaluate(() => {
    const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
    const p = g.renderedPosition('c79_65')!;
    const r = g.boundingRect();
    return { x: p.x + r.left, y: p.y + r.top };
  });
  const hoverCpu0 = await cpu.ms();
  const tHover = Date.now();
  await page.mouse.move(at.x, at.y);
  await expect(page.getByTestId('bus-tooltip')).toContainText('Bus c79_65');
  const hoverWallMs = Date.now() - tHover;
  const hoverCpuMs = Math.round((await cpu.ms()) - hoverCpu0);

  // Areas on the big feeder: one cut by a real click, recoloured at once.
  await ws.tab('Areas');
  const tCut = Date.now();
  await ws.clickBranch('13', 'c1_1');
  await expect(ws.cutCount).toHaveText('1');
  const cutWallMs = Date.now() - tCut - 350;
  await page.screenshot({ path: 'test-results/ui-10k.png' });

  const record = {
    test: '10k feeder',
    buses,
    previewWallMs,
    saveToGraphWallMs,
    saveToGraphCpuMs,
    graph,
    fitMs,
    fitCpuMs,
    zoomInMs,
    zoomOutMs,
    searchWallMs,
    hoverWallMs,
    hoverCpuMs,
    cutWallMs,
    at: new Date().toISOString(),
  };
  console.log('e2e timings:', JSON.stringify(record));
  mkdirSync('test-results', { recursive: true });
  const file = 'test-results/e2e-timings.json';
  let all: unknown[] = [];
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  } catch {
    /* first record */
  }
  writeFileSync(file, JSON.stringify([...all, record], null, 2));

  // Loose ceilings on the renderer's own CPU time (support/renderer-cpu.ts; the wall times above
  // are recorded, not asserted: under load they measure the other processes): catch regressions
  // by an order of magnitude, not noise. Save to the graph drawn covers its first render.
  expect(saveToGraphCpuMs).toBeLessThan(15_000);
  expect(fitCpuMs).toBeLessThan(2000);
  expect(hoverCpuMs).toBeLessThan(3000);
});
