/**
 * CSV and JSON exports of a stored run parse back to exactly the numbers runs.get returns.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, Scenario } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { call } from '../test-support';

/** RFC 4180 line split (quoted fields may hold commas). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

describe('runs.export', () => {
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-export-')),
    host: 'node-host',
  });
  afterAll(() => backend.close());
  let d: RunDetail;
  beforeAll(async () => {
    const summary = await call<{ scenarios: { id: number }[] }>(backend, 'projects.openExample', { id: 'ieee123' });
    const sc = await call<Scenario>(backend, 'scenarios.update', {
      id: summary.scenarios[0]!.id,
      patch: { study: { periods: 3, startHour: 10 } },
    });
    const run = await call<RunSummary>(backend, 'runs.start', { scenarioId: sc.id, kind: 'centralized' });
    await backend.runs.wait(run.id);
    d = await call<RunDetail>(backend, 'runs.get', { runId: run.id });
    // The exports carry the per-branch series too (runs.get leaves them to runs.branchSeries).
    const { series } = await call<{ series: RunDetail['series'] }>(backend, 'runs.branchSeries', { runId: run.id });
    d = { ...d, series: { ...d.series, ...series } };
  }, 120_000);

  it('CSV: every value of every series, exactly', async () => {
    const { fileName, text } = await call<{ fileName: string; text: string }>(backend, 'runs.export', {
      runId: d.id,
      format: 'csv',
    });
    expect(fileName).toBe(`tessera-run-${d.id}-centralized.csv`);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('series,unit,element,bus,period,value');
    const back: Record<string, number[]> = {};
    const elements: Record<string, string[]> = {};
    for (const line of lines.slice(1)) {
      const [series, , element, , period, value] = fields(line);
      (back[series!] ??= []).push(Number(value));
      if (element && period === '1') (elements[series!] ??= []).push(element);
    }
    // An empty series (e.g. branch loading on a feeder without ratings) has no row to write.
    const stored = Object.entries(d.series).filter(([, values]) => values.length > 0);
    expect(Object.keys(back).sort()).toEqual(stored.map(([name]) => name).sort());
    for (const [name, values] of stored) expect(back[name]).toEqual(values);
    expect(elements.voltagePu).toEqual(d.busNames);
    expect(elements.batterySocKwh).toEqual(d.batteryNames);
    expect(elements.branchCurrentA).toEqual(d.branchNames);
    // Σ of the exported period costs is the stored cost total.
    expect(back.costUsd!.reduce((s, x) => s + x, 0)).toBeCloseTo(d.totals!.costUsd, 9);
  });

  it('JSON: the totals, names and series of runs.get', async () => {
    const { text } = await call<{ text: string }>(backend, 'runs.export', { runId: d.id, format: 'json' });
    const doc = JSON.parse(text) as RunDetail & { format: string; units: Record<string, string> };
    expect(doc.format).toBe('tessera-run');
    expect(doc.totals).toEqual(d.totals);
    expect(doc.busNames).toEqual(d.busNames);
    expect(doc.series).toEqual(d.series);
    expect(doc.validation).toEqual(d.validation);
    expect(doc.units.voltagePu).toBe('pu');
  });
});
