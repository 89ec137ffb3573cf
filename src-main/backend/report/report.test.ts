/**
 * The PDF study report, printed by Chromium (playwright-core, /usr/bin/chromium): its text
 * (pdftotext) holds the totals runs.get returns, formatted as the dashboards format them; it has
 * a title page with the project's settings, a contents list whose page numbers are where the
 * parts really are, page numbers on every page but the title, the executive summary first, every
 * battery in a table, a labelled feeder figure; the first pages are rendered to PNG under
 * test-results/report/ for a look. The CSV export of the same run parses back to the same numbers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, Scenario } from '../../contract';
import {
  formatInUnit,
  formatNumber,
  formatSignedInUnit,
  formatSignedPercent,
  totalsRows,
} from '../../../src-shared/format';
import { batteryFigures } from '../../../src-shared/study';
import { repoRoot, resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { call } from '../test-support';

const outDir = join(repoRoot, 'test-results', 'report');

describe('PDF study report', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-report-'));
  const backend = new Backend({ resourcesDir, dataDir, host: 'node-host' });
  afterAll(() => backend.close());
  let detail: RunDetail;
  let other: RunDetail;
  let pdf: { fileName: string; path: string; base64: string; pages: number };
  let text: string;

  beforeAll(async () => {
    const summary = await call<{ scenarios: { id: number }[] }>(backend, 'projects.openExample', { id: 'ieee123' });
    await call(backend, 'projects.update', { author: 'A. Planner', organisation: 'North Utility' });
    const sc = await call<Scenario>(backend, 'scenarios.update', {
      id: summary.scenarios[0]!.id,
      patch: { study: { periods: 6, startHour: 8 } },
    });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await backend.runs.wait(run.id);
    detail = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    // A what-if scenario without batteries, for the comparison report.
    const noBat = await call<Scenario>(backend, 'scenarios.duplicate', { id: sc.id, name: 'no batteries' });
    await call(backend, 'scenarios.update', {
      id: noBat.id,
      patch: { placements: { pv: sc.placements.pv, batteries: [] } },
    });
    const run2 = await call<RunSummary>(backend, 'runs.start', { scenarioId: noBat.id, kind: 'centralized' });
    await backend.runs.wait(run2.id);
    other = await call<RunDetail>(backend, 'runs.get', { runId: run2.id });
    pdf = await call(backend, 'report.pdf', { runId: run.id });
    text = execFileSync('pdftotext', ['-layout', pdf.path, '-'], { encoding: 'utf8' });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'run-report.txt'), text);
    rmSync(join(outDir, 'run-page'), { force: true, recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '12', pdf.path, join(outDir, 'run-page')]);
    writeFileSync(join(outDir, 'run-report.pdf'), readFileSync(pdf.path));
  }, 240_000);

  it('is a multi-page A4 PDF written under the data folder', () => {
    expect(detail.status).toBe('solved');
    expect(pdf.pages).toBeGreaterThanOrEqual(5);
    const info = execFileSync('pdfinfo', [pdf.path], { encoding: 'utf8' });
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(pdf.pages);
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
    expect(pdf.path.startsWith(join(dataDir, 'reports'))).toBe(true);
    expect(Buffer.from(pdf.base64, 'base64').equals(readFileSync(pdf.path))).toBe(true);
  });

  it('shows the totals of runs.get, formatted as the dashboards show them', () => {
    const rows = totalsRows(detail);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    for (const r of rows) expect(text).toContain(r.text);
    // And the raw value really is the stored one: e.g. cost to the cent.
    expect(text).toContain(`$${formatNumber(detail.totals!.costUsd, 2)}`);
  });

  it("the same numbers in runs.get, the dashboards' formats, the CSV export and the PDF", async () => {
    const { text: csv } = await call<{ text: string }>(backend, 'runs.export', { runId: detail.id, format: 'csv' });
    const cost = csv
      .split('\n')
      .filter((l) => l.startsWith('costUsd,'))
      .map((l) => Number(l.split(',').at(-1)));
    expect(cost).toEqual(detail.series.costUsd);
    // Σ per-period cost from the CSV, printed as the dashboards print money, is in the PDF.
    expect(text).toContain(
      formatInUnit(
        cost.reduce((a, b) => a + b, 0),
        'USD',
      ),
    );
    const loss = csv
      .split('\n')
      .filter((l) => l.startsWith('lossKw,'))
      .map((l) => Number(l.split(',').at(-1)));
    expect(text).toContain(formatInUnit(loss.reduce((a, b) => a + b, 0) * detail.dtH, 'kWh'));
  });

  it('has every section: title, summary, batteries, feeder with areas, results, charts, voltages, validation, assumptions, conclusions, appendices', () => {
    for (const heading of [
      'Contents',
      'Executive summary',
      'Batteries',
      'Feeder',
      'Results over the',
      'Charts',
      'Voltage compliance (ANSI C84.1)',
      'Validation by AC power flow',
      'Assumptions',
      'Conclusions',
      'Appendix A: study settings',
      'Appendix B: solver statistics and log',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('IEEE 123');
    expect(text).toMatch(/area 1\s+area 2/); // the network picture's legend
    // Validation table: one row per period with the OPF and PF losses side by side.
    const v = detail.validation!.periods[0]!;
    expect(text).toContain(formatNumber(v.lossKwOpf, 3));
    expect(text).toContain(formatNumber(v.lossKwPf, 3));
    expect(text).toContain(`${detail.iterations}`);
  });

  it('labels its powers per phase (single-phase equivalent) and has a branch loading section saying the example rates no branch', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Value, per phase (single-phase equivalent)');
    expect(flat).toContain('every power and energy is per phase (single-phase equivalent)');
    expect(flat).toMatch(
      /Branch loading .*The feeder gives no branch rating \(OpenDSS normamps, CSV ampacity_a\), so loading cannot be computed/,
    );
    expect(detail.branchAmpacityA.every((a) => a === null)).toBe(true);
  });

  it('a comparison report shows both runs side by side with the difference', async () => {
    const cmp = await call<{ path: string; pages: number }>(backend, 'report.pdf', {
      runId: detail.id,
      compareWith: other.id,
    });
    const t = execFileSync('pdftotext', ['-layout', cmp.path, '-'], { encoding: 'utf8' });
    writeFileSync(join(outDir, 'comparison-report.txt'), t);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '4', '-l', '5', cmp.path, join(outDir, 'comparison-page')]);
    // The run compared against ("no batteries") is the baseline A; the opened run is B.
    expect(t).toContain('Results against the baseline');
    expect(t).toContain(formatInUnit(detail.totals!.costUsd, 'USD'));
    expect(t).toContain(formatInUnit(other.totals!.costUsd, 'USD'));
    expect(t).toContain(formatSignedInUnit(detail.totals!.costUsd - other.totals!.costUsd, 'USD'));
    expect(t).toContain(
      formatSignedPercent((detail.totals!.costUsd - other.totals!.costUsd) / Math.abs(other.totals!.costUsd)),
    );
    // Scenario names, not "A: run 1".
    expect(t).toMatch(/A \(baseline\): “no batteries”/);
    expect(t).toMatch(/against “no batteries”/);
    expect(t).toMatch(/Battery cycling \(equivalent full/);
    expect(t).toMatch(/Peak substation demand/);
  }, 120_000);

  /** pdftotext of one page. */
  const page = (n: number) =>
    execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), pdf.path, '-'], { encoding: 'utf8' });

  it('a title page with the study, author, organisation and the date in words; no page number on it', () => {
    const p1 = page(1);
    expect(p1).toContain('A. Planner');
    expect(p1).toContain('North Utility');
    const d = new Date();
    const month = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ][d.getUTCMonth()]!;
    expect(p1).toContain(`${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`);
    expect(p1).not.toMatch(/Page 1 of/);
  });

  it('every other page is numbered "Page N of M", and the contents point at the pages where the parts are', () => {
    for (let n = 2; n <= pdf.pages; n++) expect(page(n), `page ${n}`).toContain(`Page ${n} of ${pdf.pages}`);
    const contents = page(2);
    const entries = [...contents.matchAll(/^\s*(\S.*?\S)\s+(\d+)\s*$/gm)].map(
      (m) => [m[1]!.replace(/\s+/g, ' '), Number(m[2])] as const,
    );
    const listed = entries.filter(([title]) => !/Page \d+ of/.test(title) && !/^Contents/.test(title));
    expect(listed.map(([t]) => t)).toEqual(
      expect.arrayContaining([
        'Executive summary',
        'Batteries',
        'Feeder',
        'Conclusions',
        'Appendix B: solver statistics and log',
      ]),
    );
    for (const [title, n] of listed) {
      const heading = title === 'Feeder' ? 'Buses / branches' : title === 'Results' ? 'Results over the' : title;
      expect(page(n), `“${title}” is on page ${n}`).toContain(heading);
    }
    // The executive summary comes first, on page 3.
    expect(listed[0]).toEqual(['Executive summary', 3]);
  });

  it('the executive summary answers with the numbers: cost, peak, losses, voltage against ANSI Range A, battery value', () => {
    const p3 = page(3).replace(/\s+/g, ' ');
    expect(p3).toContain('The question');
    expect(p3).toContain(formatInUnit(detail.totals!.costUsd, 'USD'));
    expect(p3).toContain(formatInUnit(detail.totals!.lineLossKwh, 'kWh'));
    expect(p3).toMatch(/ANSI C84\.1 Range A/);
    const value = batteryFigures(detail).reduce((s, b) => s + b.arbitrageUsd, 0);
    expect(p3).toContain(formatInUnit(value, 'USD'));
    expect(p3).toContain('What to do next');
  });

  it('every battery is in the battery table with its size and arbitrage value', () => {
    const figs = batteryFigures(detail);
    expect(figs).toHaveLength(26);
    const flat = text.replace(/[ \t]+/g, ' ');
    for (const b of figs)
      expect(flat, b.name).toMatch(
        new RegExp(
          `${b.name} ${b.bus} ${formatNumber(b.pRatedKw, 1).replace('.', '\\.')} ${formatNumber(b.energyKwh, 1).replace('.', '\\.')}`,
        ),
      );
  });

  it('the feeder figure names its buses and rings nothing new on the example (its devices come with the feeder)', () => {
    const feederPage = text.split('\f').find((p) => p.includes('Buses / branches'))!;
    for (const bus of ['117', '125', '128', '100', '60'])
      expect(feederPage, `bus ${bus} labelled`).toMatch(new RegExp(`(^|\\s)${bus}(\\s|$)`));
    expect(feederPage).toContain('no new device');
  });
});
