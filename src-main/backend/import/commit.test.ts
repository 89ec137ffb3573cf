/**
 * `import.commit` off the backend's thread (issue #13): the worker parses the previewed feeder and
 * writes it into the project file through its own connection. Shown by order, not by timing
 * (as run.test.ts does for the preview): while a 10,240-bus feeder is saved, the backend answers
 * another command first; the in-thread reference answers it only after the save. The stored
 * feeder and base case equal the in-thread commit's; progress says 'saving'; a cancel before the
 * write leaves the project as it was and the preview can still be saved; files larger than a
 * message slice reach the worker whole.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportPreview, ImportProgress, ProjectSummary, Scenario } from '../../contract';
import { generateScaledFeeder } from '../../../src-solver/examples/scaled';
import type { Feeder } from '../../../src-solver/model/feeder';
import { exportDss } from '../../../src-solver/io/dss/export';
import { importDss } from '../../../src-solver/io/dss/index';
import { unwrapImport } from '../../../src-solver/io/types';
import { testDataPath } from '../../../test-data/index';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { call } from '../test-support';
import { inlineImport, workerImport, type RunImport } from './run';

const ieee123 = unwrapImport(
  importDss(testDataPath('ieee123-balanced/dss/Master.dss'), (p) => readFileSync(p, 'utf8'), { storageSocMax: 0.95 }),
).feeder;
const big = generateScaledFeeder(ieee123, 80);
const files = Object.entries(exportDss(big)).map(([name, text]) => ({ name: `scaled/${name}`, text }));

function backend(runImport?: RunImport): Backend {
  return new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-commit-')),
    host: 'node-host',
    ...(runImport ? { runImport } : {}),
  });
}

/** A fresh project with the big feeder previewed: the preview's token. */
async function previewed(b: Backend, name: string): Promise<string> {
  await call(b, 'projects.create', { name });
  return (await call<ImportPreview>(b, 'import.preview', { files })).token;
}

/** Commit, then app.info right after; the order in which they answer. */
async function commitOrder(b: Backend, token: string): Promise<{ order: string[]; summary: ProjectSummary }> {
  const done: string[] = [];
  const commit = b.handle('import.commit', { token, name: 'Scaled', requestId: 'save' }).then((r) => {
    done.push('commit');
    if (!r.ok) throw new Error(r.error.message);
    return r.value as ProjectSummary;
  });
  await new Promise((r) => setImmediate(r));
  const info = b.handle('app.info', null).then(() => done.push('app.info'));
  const [summary] = await Promise.all([commit, info]);
  return { order: done, summary };
}

/** The stored feeder and its base case, by the project's own reader. */
async function stored(b: Backend, summary: ProjectSummary): Promise<{ feeder: Feeder; base: Scenario }> {
  const feeder = await call<Feeder>(b, 'feeders.get', { id: summary.feeders.at(-1)!.id });
  const base = await call<Scenario>(b, 'scenarios.get', { id: summary.scenarios.at(-1)!.id });
  return { feeder, base };
}

describe('import.commit off the backend thread', () => {
  const worker = backend();
  const inline = backend(inlineImport);
  afterAll(() => {
    worker.close();
    inline.close();
  });

  it('answers another command while a 10,240-bus feeder is saved, and stores what the in-thread commit stores', async () => {
    const token = await previewed(worker, 'worker');
    const progress: ImportProgress[] = [];
    const off = worker.on('import.progress', (p) => progress.push(p));
    const w = await commitOrder(worker, token);
    off();
    expect(w.order).toEqual(['app.info', 'commit']);
    expect(progress).toEqual([{ requestId: 'save', stage: 'saving' }]);
    const i = await commitOrder(inline, await previewed(inline, 'inline'));
    expect(i.order, 'the in-thread reference blocks').toEqual(['commit', 'app.info']);

    expect(w.summary.feeders).toHaveLength(1);
    expect(w.summary.feeders[0]).toMatchObject({ name: 'Scaled', buses: big.buses.length });
    const a = await stored(worker, w.summary);
    const b = await stored(inline, i.summary);
    expect(a.feeder.name).toBe('Scaled');
    expect(a.feeder).toEqual(b.feeder);
    expect({ ...a.base, id: 0, feederId: 0, updatedAt: '' }).toEqual({ ...b.base, id: 0, feederId: 0, updatedAt: '' });
    expect(a.base.placements.batteries).toHaveLength(big.batteries.length);
  });

  it('a preview is saved once: the same token again is refused', async () => {
    const token = await previewed(worker, 'once');
    await call(worker, 'import.commit', { token });
    const again = await worker.handle('import.commit', { token });
    expect(again).toMatchObject({ ok: false, error: { code: 'notFound' } });
  });

  it('cancel before the write leaves the project as it was, and the same preview saves afterwards', async () => {
    const token = await previewed(worker, 'cancel');
    const off = worker.on('import.progress', (p) => {
      if (p.requestId === 'to-cancel' && p.stage === 'saving')
        void worker.handle('import.cancel', { requestId: 'to-cancel' });
    });
    const r = await worker.handle('import.commit', { token, requestId: 'to-cancel' });
    off();
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect((await call<ProjectSummary>(worker, 'projects.current', null)).feeders).toEqual([]);
    const saved = await call<ProjectSummary>(worker, 'import.commit', { token });
    expect(saved.feeders.map((f) => f.buses)).toEqual([big.buses.length]);
  });

  it('a read-only project refuses the commit before any work, naming why', async () => {
    const token = await previewed(worker, 'locked');
    const path = (await call<ProjectSummary>(worker, 'projects.current', null)).path;
    const other = backend();
    try {
      const ro = await call<ProjectSummary>(other, 'projects.open', { path });
      expect(ro.readOnly).toBeTruthy();
      const otherToken = (await call<ImportPreview>(other, 'import.preview', { files })).token;
      const r = await other.handle('import.commit', { token: otherToken });
      expect(r).toMatchObject({ ok: false, error: { code: 'readOnly' } });
    } finally {
      other.close();
    }
    expect((await call<ProjectSummary>(worker, 'import.commit', { token })).feeders).toHaveLength(1);
  });

  it('files larger than one message slice reach the worker whole: the preview equals the in-thread one', async () => {
    const sliced = backend(workerImport(undefined, { sliceChars: 65_536 }));
    try {
      expect(Math.max(...files.map((f) => f.text.length))).toBeGreaterThan(10 * 65_536);
      const a = await call<ImportPreview>(sliced, 'import.preview', { files });
      const b = await call<ImportPreview>(inline, 'import.preview', { files });
      expect({ ...a, token: '' }).toEqual({ ...b, token: '' });
    } finally {
      sliced.close();
    }
  });
});
