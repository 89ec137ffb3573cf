/**
 * Issue #18's report for a three-phase study, in Chromium against the real Node host: IEEE 13
 * kept three-phase with a battery on phase B of bus 675, a run of the three-phase OPF started from
 * the Runs tab, and its PDF exported from the run's Overview and rendered page by page to PNG
 * (pdftoppm, test-results/three-phase-report/). The pages carry per-phase values labelled A/B/C
 * (the per-hour table of each phase's lowest voltage and the VUF, the units with their phases),
 * powers labelled three-phase totals, and the feeder's three-phase base case; numbers are checked
 * against runs.get and basecase.run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatNumber } from '../src-shared/format';
import { expect, test, useMock } from './fixtures';
import { RunsPage } from './pages/runs';
import { WorkspacePage } from './pages/workspace';
import { IEEE13_BATTERY_675, importIeee13 } from './support/ieee13';

const OUT = resolve('test-results/three-phase-report');
const squeeze = (s: string) => s.replace(/[ \t]+/g, ' ');

test('three-phase study report: per-phase values labelled A/B/C, three-phase totals, the base case per phase, rendered to PNG', async ({
  page,
  api,
  project,
}) => {
  test.skip(useMock, 'the in-memory mock backend reads no three-phase model');
  test.setTimeout(300_000);
  mkdirSync(OUT, { recursive: true });
  expect(project.name).toBeTruthy();
  const scenario = await importIeee13(api, 'IEEE 13');
  await api.call('scenarios.update', {
    id: scenario.id,
    patch: {
      name: 'Battery on phase B',
      study: { ...scenario.study, periods: 4, startHour: 16, vMaxPu: 1.1 },
      placements: {
        pv: [],
        batteries: [{ ...IEEE13_BATTERY_675, phases: ['B'] }],
      },
    },
  });

  const ws = new WorkspacePage(page);
  const runs = new RunsPage(page);
  await ws.goto();
  await runs.open('Battery on phase B');
  const runId = await runs.start('centralized');
  expect(await runs.waitFinished(runId)).toBe('solved');
  await runs.select(runId);
  const detail = await api.call('runs.get', { runId });
  expect(detail.threePhase).toBeTruthy();

  const dl = await runs.export('export-pdf');
  const pdf = join(OUT, 'report.pdf');
  await dl.saveAs(pdf);
  rmSync(join(OUT, 'page'), { force: true, recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '70', pdf, join(OUT, 'page')]);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  expect(readdirSync(OUT).filter((f) => /^page-\d+\.png$/.test(f))).toHaveLength(pages);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  const all = text.split('\f');

  // Powers as three-phase totals, nowhere a single-phase equivalent.
  expect(text).not.toContain('single-phase equivalent');
  expect(all.find((p) => p.includes('Results over the'))).toContain('Value, three-phase total');

  // Per phase: the table's header names each phase, and each hour's lowest phase-B voltage is the run's.
  const perPhase = squeeze(all.find((p) => p.includes('Per-phase voltages'))!);
  for (const ph of ['A', 'B', 'C']) expect(perPhase).toContain(`Lowest ${ph}, pu`);
  const tp = detail.threePhase!;
  const v = detail.series.nodeVoltagePu!;
  const T = detail.periods;
  for (let t = 0; t < T; t++) {
    const lowB = Math.min(...tp.nodeBuses.flatMap((_, k) => (tp.nodePhases[k] === 'B' ? [v[k * T + t]!] : [])));
    const line = perPhase.split('\n').find((l) => l.startsWith(` ${16 + t + 1} `) || l.startsWith(`${16 + t + 1} `));
    expect(line, `hour ${16 + t + 1}`).toContain(formatNumber(lowB, 4));
    expect(line).toContain(`${formatNumber(100 * detail.series.vufMax![t]!, 2)} %`);
  }
  const units = squeeze(all.find((p) => p.includes('Units per phase'))!);
  expect(units).toMatch(/bess675b battery 675 B 150/);

  // The base case, per phase, over the run's hours.
  const base = squeeze(all.find((p) => p.includes('Base case per hour'))!);
  expect(base).toContain('Substation kW (three-phase total)');
  for (let h = 17; h <= 20; h++) expect(base).toContain(`hour ${h} `);
  expect(text).toContain('Base case: voltage per phase along the feeder');
});
