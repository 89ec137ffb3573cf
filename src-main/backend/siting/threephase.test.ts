/**
 * A siting study on a three-phase project (IEEE 13 imported from its OpenDSS scripts): the backend
 * runs it on the three-phase OPF in solver processes with per-phase candidates (a bus picked on
 * the graph stands for its phases), keeps the report with each site's phase, and a ranked line
 * opens as a three-phase run whose objective is the one the study verified.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ImportPreview,
  ProjectSummary,
  RunDetail,
  RunSummary,
  Scenario,
  SitingStudyDetail,
  SitingStudySummary,
} from '../../contract';
import { resourcesDir } from '../../paths';
import { readTestData } from '../../../test-data/index';
import { IEEE13_ENTRY, ieee13ImportFiles } from '../../../src-solver/testing/unbalanced/ieee13';
import { Backend } from '../backend';
import { inlineImport } from '../import/run';
import { inlineBaseCase } from '../threephase/run';
import { inlineThreePhaseOpf } from '../threephase/opf-run';
import { call } from '../test-support';

const backends: Backend[] = [];
afterEach(() => {
  for (const b of backends.splice(0)) b.close();
});

describe('siting on a three-phase project', () => {
  it('per-phase candidates, phases in the report, a ranked line opens as the same three-phase OPF', async () => {
    const b = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting3-')),
      host: 'node-host',
      runImport: inlineImport,
      runBaseCase: inlineBaseCase,
      runThreePhaseOpf: inlineThreePhaseOpf,
    });
    backends.push(b);
    await call(b, 'projects.create', { name: 'three-phase siting' });
    const preview = await call<ImportPreview>(b, 'import.preview', {
      files: ieee13ImportFiles((f) => readTestData('opendss-feeders', 'feeders', f)),
      entry: IEEE13_ENTRY,
    });
    expect(preview.ok, JSON.stringify(preview.errors)).toBe(true);
    const summary = await call<ProjectSummary>(b, 'import.commit', { token: preview.token });
    const scenario = await call<Scenario>(b, 'scenarios.get', { id: summary.scenarios.at(-1)!.id });
    // IEEE 13's regulators hold ≈ 1.06 pu: limits 0.9–1.08
    await call(b, 'scenarios.update', { id: scenario.id, patch: { study: { vMinPu: 0.9, vMaxPu: 1.08 } } });

    const bad = await b.handle('siting.start', {
      scenarioId: scenario.id,
      settings: { candidates: ['611.1'], count: 1, days: 1 },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/phase their bus does not have.*611\.1/);

    const started = await call<SitingStudySummary>(b, 'siting.start', {
      scenarioId: scenario.id,
      settings: { candidates: ['611', '652'], count: 1, days: 1, sizes: [{ kw: 30, kwh: 120 }] },
    });
    await b.siting.wait(started.id);
    const detail = await call<SitingStudyDetail>(b, 'siting.get', { studyId: started.id });
    expect(detail.error).toBeNull();
    expect(detail.status).toBe('done');
    const report = detail.report!;
    expect(report.candidates).toEqual(['611.3', '652.1']);
    expect(report.ranked).toHaveLength(2);
    const first = report.ranked[0]!;
    expect(first.feasible).toBe(true);
    expect(first.sites[0]!.phaseNodes).toHaveLength(1);
    expect(detail.best!.sites[0]!.bus).toBe(`${first.sites[0]!.bus}.${first.sites[0]!.phaseNodes![0]}`);
    expect(report.marginalValue.map((m) => `${m.bus}.${m.phaseNodes![0]}`).sort()).toEqual(['611.3', '652.1']);

    const opened = await call<RunSummary>(b, 'siting.openRun', { studyId: started.id, rank: 1, part: 0 });
    await b.runs.wait(opened.id);
    const run = await call<RunDetail>(b, 'runs.get', { runId: opened.id });
    expect(run.status, run.message).toBe('solved');
    expect(run.name).toContain(`${first.sites[0]!.bus}.${first.sites[0]!.phaseNodes![0]} 30 kW/120 kWh`);
    const verified = first.verification.parts[0]!.objective;
    expect(Math.abs(run.objective! - verified)).toBeLessThanOrEqual(1e-6 * Math.abs(verified));
  }, 900_000);
});
