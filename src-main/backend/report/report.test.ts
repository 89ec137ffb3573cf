/**
 * The PDF study report, printed by Chromium (playwright-core, /usr/bin/chromium): its text
 * (pdftotext) holds the totals runs.get returns, formatted as the dashboards format them; it has
 * every section; the first pages are rendered to PNG under test-results/report/ for a look.
 * The CSV export of the same run parses back to the same numbers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, Scenario } from '../../contract';
import { formatInUnit, formatNumber, totalsRows } from '../../../src-shared/format';
import { repoRoot, resourcesDir } from '../../paths';
import { Backend } from '../backend';

async function call<T>(b: Backend, command: string, arg: unknown): Promise<T> {
  const r = await b.handle(command, arg);
  if (!r.ok) throw new Error(`${command}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

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
    const sc = await call<Scenario>(backend, 'scenarios.update', { id: summary.scenarios[0]!.id, patch: { study: { periods: 6, startHour: 8 } } });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await backend.runs.wait(run.id);
    detail = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    // A what-if scenario without batteries, for the comparison report.
    const noBat = await call<Scenario>(backend, 'scenarios.duplicate', { id: sc.id, name: 'no batteries' });
    await call(backend, 'scenarios.update', { id: noBat.id, patch: { placements: { pv: sc.placements.pv, batteries: [] } } });
    const run2 = await call<RunSummary>(backend, 'runs.start', { scenarioId: noBat.id, kind: 'centralized' });
    await backend.runs.wait(run2.id);
    other = await call<RunDetail>(backend, 'runs.get', { runId: run2.id });
    pdf = await call(backend, 'report.pdf', { runId: run.id });
    text = execFileSync('pdftotext', ['-layout', pdf.path, '-'], { encoding: 'utf8' });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'run-report.txt'), text);
    rmSync(join(outDir, 'run-page'), { force: true, recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '8', pdf.path, join(outDir, 'run-page')]);
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

  it('the same numbers in runs.get, the dashboards\' formats, the CSV export and the PDF', async () => {
    const { text: csv } = await call<{ text: string }>(backend, 'runs.export', { runId: detail.id, format: 'csv' });
    const cost = csv.split('\n').filter((l) => l.startsWith('costUsd,')).map((l) => Number(l.split(',').at(-1)));
    expect(cost).toEqual(detail.series.costUsd);
    // Σ per-period cost from the CSV, printed as the dashboards print money, is in the PDF.
    expect(text).toContain(formatInUnit(cost.reduce((a, b) => a + b, 0), 'USD'));
    const loss = csv.split('\n').filter((l) => l.startsWith('lossKw,')).map((l) => Number(l.split(',').at(-1)));
    expect(text).toContain(formatInUnit(loss.reduce((a, b) => a + b, 0) * detail.dtH, 'kWh'));
  });

  it('has every section: title, settings, feeder with areas, totals, charts, validation, solver statistics, appendix', () => {
    for (const heading of ['Study report', 'Study settings', 'Feeder', 'Totals over the horizon', 'Charts', 'Validation by AC power flow', 'Solver statistics', 'Appendix: assumptions'])
      expect(text).toContain(heading);
    expect(text).toContain('IEEE 123');
    expect(text).toMatch(/area 1\s+area 2/); // the network picture's legend
    // Validation table: one row per period with the OPF and PF losses side by side.
    const v = detail.validation!.periods[0]!;
    expect(text).toContain(formatNumber(v.lossKwOpf, 3));
    expect(text).toContain(formatNumber(v.lossKwPf, 3));
    expect(text).toContain(`${detail.iterations}`);
  });

  it('a comparison report shows both runs side by side with the difference', async () => {
    const cmp = await call<{ path: string; pages: number }>(backend, 'report.pdf', { runId: detail.id, compareWith: other.id });
    const t = execFileSync('pdftotext', ['-layout', cmp.path, '-'], { encoding: 'utf8' });
    writeFileSync(join(outDir, 'comparison-report.txt'), t);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '4', '-l', '5', cmp.path, join(outDir, 'comparison-page')]);
    expect(t).toContain('Scenario comparison');
    expect(t).toContain(formatInUnit(detail.totals!.costUsd, 'USD'));
    expect(t).toContain(formatInUnit(other.totals!.costUsd, 'USD'));
    expect(t).toContain(formatInUnit(other.totals!.costUsd - detail.totals!.costUsd, 'USD'));
    expect(t).toMatch(/Battery cycling \(equivalent full cycles\)/);
    expect(t).toMatch(/Peak substation demand/);
  }, 120_000);
});
