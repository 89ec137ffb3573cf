/**
 * The PDF report of a three-phase run (IEEE 13 kept three-phase, a battery on phase B of bus 675
 * and a three-phase PV at 680), printed by Chromium and read back with pdftotext: powers labelled
 * three-phase totals (never "single-phase equivalent"), per hour the lowest and highest voltage
 * of each phase and the largest unbalance factor as the run stored them, the violations with their
 * phase, the units with their phases and power per phase, and the feeder's three-phase base case
 * (substation power per hour, violations per phase) as basecase.run computes it. A balanced
 * project's report keeps its "per phase (single-phase equivalent)" labels (report.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BaseCaseResult,
  ImportFile,
  ImportPreview,
  ProjectSummary,
  RunDetail,
  RunSummary,
  Scenario,
} from '../../contract';
import { formatNumber, totalsRows } from '../../../src-shared/format';
import { repoRoot, resourcesDir } from '../../paths';
import { readTestData } from '../../../test-data/index';
import { IEEE13_BATTERY_675, IEEE13_ENTRY, ieee13ImportFiles } from '../../../src-solver/testing/unbalanced/ieee13';
import { Backend } from '../backend';
import { inlineImport } from '../import/run';
import { inlineBaseCase } from '../threephase/run';
import { inlineThreePhaseOpf } from '../threephase/opf-run';
import { call } from '../test-support';
import { buildReportHtml } from './template';

const outDir = join(repoRoot, 'test-results', 'report-3ph');
const PERIODS = 6;

const ieee13Files = (): ImportFile[] => ieee13ImportFiles((f) => readTestData('opendss-feeders', 'feeders', f));

/** One line of the PDF's text with its runs of spaces squeezed. */
const squeeze = (s: string) => s.replace(/[ \t]+/g, ' ');

describe('PDF report of a three-phase run', () => {
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-report-3ph-')),
    host: 'node-host',
    runImport: inlineImport,
    runBaseCase: inlineBaseCase,
    runThreePhaseOpf: inlineThreePhaseOpf,
  });
  afterAll(() => backend.close());
  let run: RunDetail;
  let base: BaseCaseResult;
  let text: string;
  let pages: string[];

  beforeAll(async () => {
    await call(backend, 'projects.create', { name: 'IEEE 13 storage study' });
    const preview = await call<ImportPreview>(backend, 'import.preview', {
      files: ieee13Files(),
      entry: IEEE13_ENTRY,
    });
    expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
    const summary = await call<ProjectSummary>(backend, 'import.commit', { token: preview.token });
    const sc = await call<Scenario>(backend, 'scenarios.get', { id: summary.scenarios.at(-1)!.id });
    await call(backend, 'scenarios.update', {
      id: sc.id,
      patch: {
        study: { periods: PERIODS, startHour: 10, vMaxPu: 1.1 },
        placements: {
          pv: [{ name: 'pv680', bus: '680', pRatedKw: 300, sRatedKva: 330, phases: ['A', 'B', 'C'] }],
          batteries: [{ ...IEEE13_BATTERY_675, phases: ['B'] }],
        },
      },
    });
    const started = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await backend.runs.wait(started.id);
    run = await call<RunDetail>(backend, 'runs.get', { runId: started.id });
    expect(run.status, run.message).toBe('solved');
    // The Power flow tab's base case covers hours 1…N of the loads' shapes: ask for the hours up to
    // the run's last and keep the run's (hours 11–16).
    await call(backend, 'scenarios.update', { id: sc.id, patch: { study: { periods: 10 + PERIODS, startHour: 0 } } });
    const all = await call<BaseCaseResult>(backend, 'basecase.run', { scenarioId: sc.id, mode: 'daily' });
    base = {
      ...all,
      periods: all.periods.filter((p) => p.hour > 10),
      violations: all.violations.filter((x) => x.hour > 10),
    };
    const pdf = await call<{ path: string; pages: number }>(backend, 'report.pdf', { runId: run.id });
    text = execFileSync('pdftotext', ['-layout', pdf.path, '-'], { encoding: 'utf8' });
    pages = text.split('\f');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'report.txt'), text);
    writeFileSync(join(outDir, 'report.pdf'), readFileSync(pdf.path));
    rmSync(join(outDir, 'page'), { force: true, recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '60', pdf.path, join(outDir, 'page')]);
  }, 300_000);

  it('labels powers as three-phase totals, never as a single-phase equivalent', () => {
    expect(run.threePhase).toBeTruthy();
    expect(text).not.toContain('single-phase equivalent');
    const results = pages.find((p) => /Results over the/.test(p))!;
    expect(results).toContain('Value, three-phase total');
    for (const r of totalsRows(run)) expect(results).toContain(r.text);
    expect(text).toContain('Per-phase results');
  });

  it('per hour: the lowest and highest voltage of each phase and the largest VUF, as the run stored them', () => {
    const tp = run.threePhase!;
    const v = run.series.nodeVoltagePu!;
    const T = run.periods;
    const lines = text.split('\n').map(squeeze);
    for (let t = 0; t < T; t++) {
      const hour = run.settings.startHour + t + 1;
      const clock = `${String(hour - 1).padStart(2, '0')}:00`;
      const line = lines.find((l) => new RegExp(`^ ?${hour} ${clock} `).test(l));
      expect(line, `row of hour ${hour}`).toBeDefined();
      const cells: string[] = [];
      for (const kind of ['min', 'max'] as const)
        for (const ph of ['A', 'B', 'C']) {
          let best: number | null = null;
          let bus = '';
          tp.nodeBuses.forEach((b, k) => {
            if (tp.nodePhases[k] !== ph) return;
            const x = v[k * T + t]!;
            if (best === null || (kind === 'min' ? x < best : x > best)) {
              best = x;
              bus = b;
            }
          });
          cells.push(`${formatNumber(best!, 4)} ${bus}`);
        }
      cells.push(`${formatNumber(100 * run.series.vufMax![t]!, 2)} % ${tp.vufMaxBus[t]}`);
      expect(line).toContain(cells.join(' '));
    }
  });

  it('the units with their phases and power per phase', () => {
    const unitsPage = squeeze(pages.find((p) => p.includes('Units per phase'))!);
    const T = run.periods;
    const bat = run.series.batteryPhaseKw!.slice(0, T);
    const batLine = unitsPage.split('\n').find((l) => l.includes('bess675b'))!;
    expect(batLine).toMatch(/bess675b battery 675 B 150/);
    expect(batLine).toContain(formatNumber(Math.max(...bat), 1));
    // A single-phase battery: its per-phase power is its whole power.
    const total = Array.from(
      { length: T },
      (_, t) => run.series.batteryDischargeKw![t]! - run.series.batteryChargeKw![t]!,
    );
    bat.forEach((p, t) => expect(p).toBeCloseTo(total[t]!, 9));
    const pvLine = unitsPage.split('\n').find((l) => l.includes('pv680'))!;
    expect(pvLine).toMatch(/pv680 PV 680 ABC/);
    const pv = run.series.pvPhaseKw!.slice(0, T);
    pv.forEach((p, t) => expect(p).toBeCloseTo(run.series.pvUnitKw![t]! / 3, 9));
    expect(pvLine).toContain(formatNumber(Math.max(...pv), 1));
    // The battery table names the phases too.
    const batteries = squeeze(pages.find((p) => /Arbitrage value/.test(p))!);
    expect(batteries).toMatch(/bess675b 675 B 150/);
  });

  it('violations are listed per bus and phase', () => {
    const page = squeeze(pages.find((p) => p.includes('Voltage compliance per phase'))!);
    const tp = run.threePhase!;
    const v = run.series.nodeVoltagePu!;
    const T = run.periods;
    let outside = 0;
    tp.nodeBuses.forEach((bus, k) => {
      const xs = Array.from({ length: T }, (_, t) => v[k * T + t]!);
      const n = xs.filter((x) => x < 0.95 - 1e-9 || x > 1.05 + 1e-9).length;
      if (n === 0) return;
      outside++;
      if (outside <= 10) expect(page).toMatch(new RegExp(`\\n ?${bus} ${tp.nodePhases[k]} Range [AB].* ${n} `));
    });
    if (outside === 0) expect(page).toContain('Every phase of every bus is within Range A');
    else expect(page).toContain(`${outside} bus phase`);
  });

  it("the feeder's three-phase base case: substation power per hour (three-phase totals) and violations per phase", () => {
    expect(base.model).toBe('three-phase');
    expect(base.periods.map((p) => p.hour)).toEqual(Array.from({ length: PERIODS }, (_, t) => 10 + t + 1));
    const page = squeeze(pages.find((p) => p.includes('Base case per hour'))!);
    expect(page).toContain('Substation kW (three-phase total)');
    for (const p of base.periods)
      expect(page).toContain(
        `hour ${p.hour} ${formatNumber(p.substationKw, 1)} ${formatNumber(p.substationKvar, 1)} ${formatNumber(p.lossKw, 2)}`,
      );
    const first = squeeze(pages.find((p) => p.includes('Base case: the feeder without'))!);
    if (base.violations.length === 0) expect(first).toContain('No phase of any bus is outside Range A');
    for (const x of base.violations.slice(0, 5))
      expect(first).toContain(`${x.bus} ${x.phase} hour ${x.hour} ${formatNumber(x.vPu, 4)}`);
    expect(text).toContain('Base case: voltage per phase along the feeder');
    expect(text).toContain('Voltage per phase along the feeder at hour');
  });

  it('without its base case (the solve failed) the report still prints its per-phase values and says why the base case is missing', () => {
    const html = buildReportHtml({
      ...backend.reports.input({ runId: run.id }),
      baseCase: null,
      baseCaseMissing: 'the feeder is too large for the voltage table',
    });
    expect(html).toContain('The three-phase base case could not be computed for this report: the feeder is too large');
    expect(html).toContain('data-table="phase-hours"');
    expect(html).not.toContain('data-chart="phaseProfile"');
    expect(html).not.toContain('data-table="base-hours"');
  });
});
