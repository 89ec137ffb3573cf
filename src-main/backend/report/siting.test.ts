/**
 * The siting study's section of the PDF report (report/siting.ts): a small study on the IEEE 123
 * example (two candidates, two sizes, one representative day) and a run of the scenario, printed
 * by Chromium with `sitingStudyId`; the text (pdftotext) holds the study's ranked lines, size curve,
 * sensitivity and marginal values as the report formats them, with their units; the section's
 * pages are rendered to PNG under test-results/report/ for a look.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, Scenario, SitingStudyDetail, SitingStudySummary } from '../../contract';
import { formatNumber } from '../../../src-shared/format';
import type { SitingReport } from '../../../src-solver/siting/study';
import { repoRoot, resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { call } from '../test-support';
import { sitingMapSvg } from './siting';

const outDir = join(repoRoot, 'test-results', 'report');

describe('PDF report: BESS siting study section', () => {
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-report-')),
    host: 'node-host',
  });
  afterAll(() => backend.close());
  let report: SitingReport;
  let studyId: number;
  let runId: number;
  let text: string;
  let pages: number;

  beforeAll(async () => {
    const summary = await call<{ scenarios: { id: number }[] }>(backend, 'projects.openExample', { id: 'ieee123' });
    const sc = await call<Scenario>(backend, 'scenarios.update', {
      id: summary.scenarios[0]!.id,
      patch: { study: { periods: 6, startHour: 8 } },
    });
    const study = await call<SitingStudySummary>(backend, 'siting.start', {
      scenarioId: sc.id,
      settings: {
        candidates: ['65', '114'],
        count: 1,
        days: 1,
        sizes: [
          { kw: 40, kwh: 160 },
          { kw: 80, kwh: 320 },
        ],
      },
    });
    await backend.siting.wait(study.id);
    const detail = await call<SitingStudyDetail>(backend, 'siting.get', { studyId: study.id });
    expect(detail.status).toBe('done');
    report = detail.report!;
    studyId = study.id;
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await backend.runs.wait(run.id);
    runId = run.id;
    const pdf = await call<{ path: string; pages: number }>(backend, 'report.pdf', { runId, sitingStudyId: studyId });
    pages = pdf.pages;
    text = execFileSync('pdftotext', ['-layout', pdf.path, '-'], { encoding: 'utf8' });
    mkdirSync(outDir, { recursive: true });
    rmSync(join(outDir, 'siting-page'), { force: true, recursive: true });
    const first = text
      .split('\f')
      .findIndex((p) => p.includes(`BESS siting study #${studyId}`) && p.includes('Ranked configurations'));
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      String(first + 1),
      '-l',
      String(Math.min(pages, first + 3)),
      pdf.path,
      join(outDir, 'siting-page'),
    ]);
  }, 600_000);

  it('lists the section in the contents and prints the ranked table with units', () => {
    const contents = text.split('\f')[1]!;
    expect(contents).toMatch(new RegExp(`BESS siting study #${studyId}\\s*\\.*\\s*\\d+`));
    expect(text).toContain('Savings, USD/yr');
    expect(text).toContain('Net benefit, USD/yr');
    expect(text).toContain('NPV, USD');
    expect(text).toContain('Losses saved, kWh/yr');
    expect(text).toContain('V-limit hours removed, h/yr');
    for (const line of report.ranked) {
      const s = line.sites[0]!;
      expect(text).toContain(`${s.bus} (3-ph, ${formatNumber(s.kw, 0)} kW / ${formatNumber(s.kwh, 0)} kWh)`);
      expect(text).toContain(formatNumber(line.netBenefitUsd, 0));
      expect(text).toContain(formatNumber(line.annualSavingsUsd, 0));
      expect(text).toContain(formatNumber(line.npvUsd, 0));
    }
    expect(text).toContain(`${formatNumber(report.baseline.annualObjective, 0)} USD/yr operating cost`);
  });

  it('has the benefit-versus-size curve, the sensitivity and the marginal-value map', () => {
    expect(report.sizeCurve).toHaveLength(2);
    expect(text).toContain('Benefit versus size');
    expect(text).toContain('Battery power, kW (4-hour energy)');
    for (const c of report.sizeCurve) expect(text).toContain(formatNumber(c.netBenefitUsd, 0));
    expect(text).toContain('capital cost −20 %');
    expect(text).toContain('energy price +20 %');
    expect(text).toContain('Marginal value of storage');
    for (const m of report.marginalValue) expect(text).toContain(formatNumber(m.usdPerKwYear, 2));
    expect(text).toContain('USD/kW-yr');
  });

  it('draws the map with every bus and the chosen site marked', () => {
    const buses = Array.from({ length: 4 }, (_, i) => ({ name: `b${i}`, x: i, y: 0 }));
    const feeder = {
      name: 'line',
      buses,
      branches: [0, 1, 2].map((i) => ({ from: `b${i}`, to: `b${i + 1}` })),
      loads: [],
      substation: { bus: 'b0' },
    } as unknown as Parameters<typeof sitingMapSvg>[0];
    const svg = sitingMapSvg(feeder, {
      marginalValue: [
        { bus: 'b1', usdPerKwYear: 1, meanLmpUsdPerKwh: 0 },
        { bus: 'b3', usdPerKwYear: 3, meanLmpUsdPerKwh: 0 },
      ],
      ranked: [
        { feasible: true, sites: [{ bus: 'b3', phases: 3, kw: 1, kwh: 4, kva: 1.2 }] },
      ] as unknown as SitingReport['ranked'],
    });
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg.match(/<line /g)).toHaveLength(3);
    expect(svg).toMatch(/<circle [^>]*r="6" fill="#1f5fd1"/);
    expect(svg).toContain('>b3</text>');
  });

  it('refuses a study id the project does not have', async () => {
    const r = await backend.handle('report.pdf', { runId, sitingStudyId: 999 });
    expect(r.ok ? 'ok' : r.error.message).toMatch(/999/);
  });
});
