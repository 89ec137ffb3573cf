/**
 * Closing a project while a run is going (issue #13): the API asks first (`confirmRequired`),
 * then cancels the run cleanly — its process is told to stop — and keeps the record as cancelled.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectSummary, RunSummary } from '../contract';
import type { AreaTransport, SpawnArea } from '../../src-solver/enapp/protocol';
import { resourcesDir } from '../paths';
import { Backend } from './backend';

/** Area "processes" that never answer until they are terminated (a long solve). */
function hangingAreas(): { spawn: SpawnArea; terminated: () => number } {
  let terminated = 0;
  const spawn: SpawnArea = () => {
    const exits: ((reason: string) => void)[] = [];
    let gone = false;
    const t: AreaTransport = {
      send: () => {},
      onMessage: () => {},
      onExit: (l) => void exits.push(l),
      terminate: async () => {
        if (gone) return;
        gone = true;
        terminated++;
        for (const l of exits) l('terminated');
      },
    };
    return t;
  };
  return { spawn, terminated: () => terminated };
}

describe('projects.close with a run going', () => {
  const areas = hangingAreas();
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-close-')),
    host: 'node-host',
    spawnArea: areas.spawn,
  });
  afterAll(() => backend.close());

  it('asks for confirmation, then cancels the run and keeps its record as cancelled', async () => {
    const opened = await backend.handle('projects.openExample', { id: 'ieee123' });
    if (!opened.ok) throw new Error(opened.error.message);
    const summary = opened.value as ProjectSummary;
    const scenarioId = summary.scenarios[0]!.id;
    const started = await backend.handle('runs.start', { scenarioId, kind: 'centralized' });
    if (!started.ok) throw new Error(started.error.message);
    const runId = (started.value as RunSummary).id;
    expect(backend.runs.activeRuns()).toEqual([runId]);

    const refused = await backend.handle('projects.close', null);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'confirmRequired', message: expect.stringMatching(/A run is still going.*cancels it/) },
    });
    expect((await backend.handle('projects.current', null)).ok && backend.runs.activeRuns()).toEqual([runId]);

    expect(await backend.handle('projects.close', { confirm: true })).toEqual({ ok: true, value: null });
    expect(backend.runs.activeRuns()).toEqual([]);
    expect(areas.terminated()).toBeGreaterThan(0);
    expect(await backend.handle('projects.current', null)).toEqual({ ok: true, value: null });

    // Reopen: the record is there, cancelled, not "running" or "failed".
    const again = await backend.handle('projects.open', { path: summary.path });
    expect(again.ok).toBe(true);
    const list = await backend.handle('runs.list', { scenarioId });
    if (!list.ok) throw new Error(list.error.message);
    expect((list.value as RunSummary[]).find((r) => r.id === runId)?.status).toBe('cancelled');
  });

  it('opening another project cancels the run on the current one, whose record stays, as cancelled, in its file', async () => {
    const opened = await backend.handle('projects.openExample', { id: 'ieee123' });
    if (!opened.ok) throw new Error(opened.error.message);
    const summary = opened.value as ProjectSummary;
    const scenarioId = summary.scenarios[0]!.id;
    const started = await backend.handle('runs.start', { scenarioId, kind: 'centralized' });
    if (!started.ok) throw new Error(started.error.message);
    const runId = (started.value as RunSummary).id;
    const other = await backend.handle('projects.create', { name: `other ${Date.now()}` });
    expect(other.ok).toBe(true);
    expect(backend.runs.activeRuns()).toEqual([]);
    expect(await backend.handle('projects.open', { path: summary.path })).toMatchObject({ ok: true });
    const list = await backend.handle('runs.list', { scenarioId });
    if (!list.ok) throw new Error(list.error.message);
    expect((list.value as RunSummary[]).find((r) => r.id === runId)?.status).toBe('cancelled');
  });

  it('closes at once when nothing runs, and rejects a malformed argument', async () => {
    expect(await backend.handle('projects.close', null)).toEqual({ ok: true, value: null });
    expect(await backend.handle('projects.close', { confirm: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument' },
    });
  });
});
