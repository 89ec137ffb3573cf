/**
 * Imports run off the backend's thread (issue #13: a 1,000,000-bus import blocked the backend for
 * 29 s). Shown by order, not by timing: while a 10,240-bus OpenDSS set is parsed, the backend
 * answers another command first; the in-thread reference answers it only after the import. The
 * worker's preview equals the in-thread one; progress is reported; cancel stops it.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportPreview, ImportProgress } from '../../contract';
import { generateScaledFeeder } from '../../../src-solver/examples/scaled';
import { exportDss } from '../../../src-solver/io/dss/export';
import { importDss } from '../../../src-solver/io/dss/index';
import { unwrapImport } from '../../../src-solver/io/types';
import { testDataPath } from '../../../test-data/index';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import type { Feeder } from '../../../src-solver/model/feeder';
import { inlineImport, workerImport } from './run';

const ieee123 = unwrapImport(
  importDss(testDataPath('ieee123-balanced/dss/Master.dss'), (p) => readFileSync(p, 'utf8'), { storageSocMax: 0.95 }),
).feeder;
const big = generateScaledFeeder(ieee123, 80);
const files = Object.entries(exportDss(big)).map(([name, text]) => ({ name: `scaled/${name}`, text }));

function backend(inline = false): Backend {
  return new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-import-')),
    host: 'node-host',
    ...(inline ? { runImport: inlineImport } : {}),
  });
}

/** Start a big preview, then app.info; the order in which they answer. */
async function order(b: Backend): Promise<{ order: string[]; preview: ImportPreview }> {
  const done: string[] = [];
  const preview = b.handle('import.preview', { files, requestId: 'big' }).then((r) => {
    done.push('import');
    if (!r.ok) throw new Error(r.error.message);
    return r.value as ImportPreview;
  });
  // Let the import start (argument checks, worker start) before asking something else.
  await new Promise((r) => setImmediate(r));
  const info = b.handle('app.info', null).then(() => done.push('app.info'));
  const [p] = await Promise.all([preview, info]);
  return { order: done, preview: p };
}

describe('import off the backend thread', () => {
  const worker = backend();
  const inline = backend(true);
  afterAll(() => {
    worker.close();
    inline.close();
  });

  it('answers another command while a 10,240-bus import is parsed, and gives the preview the in-thread import gives', async () => {
    const progress: ImportProgress[] = [];
    worker.on('import.progress', (p) => progress.push(p));
    const w = await order(worker);
    expect(w.order).toEqual(['app.info', 'import']);
    expect(progress).toEqual([
      { requestId: 'big', stage: 'unpacking' },
      { requestId: 'big', stage: 'parsing' },
      { requestId: 'big', stage: 'summarising' },
    ]);
    const i = await order(inline);
    expect(i.order, 'the in-thread reference blocks').toEqual(['import', 'app.info']);
    expect(w.preview.ok).toBe(true);
    expect(w.preview.counts.buses).toBe(big.buses.length);
    expect({ ...w.preview, token: '' }).toEqual({ ...i.preview, token: '' });
    // The previewed feeder is committed from the backend's side as usual.
    await worker.handle('projects.create', { name: 'big' });
    const committed = await worker.handle('import.commit', { token: w.preview.token });
    expect(committed.ok).toBe(true);
  });

  it('a feeder too large to draw comes without the feeder in the preview, and is still saved whole', async () => {
    const b = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-import-')),
      host: 'node-host',
      runImport: workerImport(undefined, { previewFeederMaxBuses: 1000 }),
    });
    try {
      const r = await b.handle('import.preview', { files });
      if (!r.ok) throw new Error(r.error.message);
      const preview = r.value as ImportPreview;
      expect(preview).toMatchObject({ ok: true, feeder: null, counts: { buses: big.buses.length } });
      await b.handle('projects.create', { name: 'big' });
      const saved = await b.handle('import.commit', { token: preview.token, name: 'Big one' });
      if (!saved.ok) throw new Error(saved.error.message);
      const id = (saved.value as { feeders: { id: number }[] }).feeders[0]!.id;
      const stored = await b.handle('feeders.get', { id });
      const expected = (await inline.handle('import.preview', { files })) as { ok: true; value: ImportPreview };
      expect(stored.ok && (stored.value as Feeder)).toEqual({ ...expected.value.feeder!, name: 'Big one' });
    } finally {
      b.close();
    }
  });

  it('cancel stops a running import: the preview fails with cancelled, and the backend imports again afterwards', async () => {
    const stages: string[] = [];
    const off = worker.on('import.progress', (p) => {
      stages.push(p.stage);
      if (p.requestId === 'to-cancel' && p.stage === 'parsing')
        void worker.handle('import.cancel', { requestId: 'to-cancel' });
    });
    const r = await worker.handle('import.preview', { files, requestId: 'to-cancel' });
    off();
    expect(r).toMatchObject({ ok: false, error: { code: 'cancelled', message: 'The import was cancelled' } });
    expect(stages).not.toContain('summarising');
    expect(await worker.handle('import.cancel', { requestId: 'unknown' })).toEqual({ ok: true, value: null });
    const small = await worker.handle('import.preview', {
      files: [{ name: 'Master.dss', text: readFileSync(testDataPath('ieee123-balanced/dss/Master.dss'), 'utf8') }],
    });
    expect(small.ok).toBe(true);
  });
});
