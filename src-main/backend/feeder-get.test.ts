/**
 * A stored feeder is handed out off the backend's thread (issue #13: with a 1,000,000-bus feeder
 * stored, showing the network must not freeze the backend). `feeders.get` reads the feeder's JSON
 * text in a worker thread and the adapters pass it on unparsed; feeders above the app's size are
 * refused with a specific message instead. Shown by order, not timing: while a 10,240-bus
 * feeder is read, the backend answers another command first; the in-thread reference answers it
 * only after the read.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectSummary, Result, Scenario } from '../contract';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import { importDss } from '../../src-solver/io/dss/index';
import { unwrapImport } from '../../src-solver/io/types';
import { testDataPath } from '../../test-data/index';
import { resourcesDir } from '../paths';
import { Backend, type BackendOptions } from './backend';
import { startHost } from './host';
import { inlineImport } from './import/run';
import { PAPER_BATTERY_RULE } from './store/defaults';

const ieee123 = unwrapImport(
  importDss(testDataPath('ieee123-balanced/dss/Master.dss'), (p) => readFileSync(p, 'utf8'), { storageSocMax: 0.95 }),
).feeder;
const big = generateScaledFeeder(ieee123, 80);

function backend(options: Partial<BackendOptions> = {}): Backend {
  return new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-feeder-get-')),
    host: 'node-host',
    ...options,
  });
}

/** A project holding the 10,240-bus feeder; its feeder and base-case ids. */
async function withBigFeeder(b: Backend): Promise<{ feederId: number; scenarioId: number }> {
  const created = await b.handle('projects.create', { name: 'big' });
  if (!created.ok) throw new Error(created.error.message);
  const ids = b.projects.requireProject().addFeeder(big, { source: 'test' });
  return { feederId: ids.feederId, scenarioId: ids.scenarioId };
}

/** Send `command`, then app.info in the next turn: the order in which they answer, and the first's value. */
async function order(
  b: Backend,
  id: number,
  command = 'feeders.get',
  arg: unknown = { id },
): Promise<{ order: string[]; feeder: unknown }> {
  // Start from a timer, so the check phase (setImmediate) comes before the worker's reply can
  // be taken from the poll phase of a later turn; from inside a check phase it would not.
  await new Promise((r) => setTimeout(r, 0));
  const done: string[] = [];
  const feeder = b.handle(command, arg).then((r) => {
    done.push(command);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  });
  // The next request arrives as a client's does: in a later turn of the event loop.
  const info = new Promise((resolve) => setImmediate(resolve)).then(() =>
    b.handle('app.info', null).then(() => done.push('app.info')),
  );
  const [f] = await Promise.all([feeder, info]);
  return { order: done, feeder: f };
}

describe('feeders.get off the backend thread', () => {
  const worker = backend();
  const inline = backend({ runImport: inlineImport });
  let ids: { feederId: number; scenarioId: number };
  beforeAll(async () => {
    ids = await withBigFeeder(worker);
    await withBigFeeder(inline);
  });
  afterAll(() => {
    worker.close();
    inline.close();
  });

  it('answers another command while a 10,240-bus feeder is read, and gives the stored feeder whole', async () => {
    const w = await order(worker, ids.feederId);
    expect(w.order).toEqual(['app.info', 'feeders.get']);
    expect(w.feeder).toEqual(big);
    const i = await order(inline, ids.feederId);
    expect(i.order, 'the in-thread reference blocks').toEqual(['feeders.get', 'app.info']);
    expect(i.feeder).toEqual(big);
    expect(await worker.handle('feeders.get', { id: 999 })).toMatchObject({
      ok: false,
      error: { code: 'notFound', message: 'No feeder with id 999 in this project' },
    });
  });

  it('opens a project holding a 10,240-bus feeder while answering another command (SQLite checks the file in the worker)', async () => {
    for (const b of [worker, inline]) {
      // Eight more copies, so the check has a file of some size (about 20 MB) to read.
      const project = b.projects.requireProject();
      for (let k = 0; k < 8; k++) project.addFeeder(big, { source: 'test' });
      const path = project.path;
      expect((await b.handle('projects.close', null)).ok).toBe(true);
      const opened = await order(b, 0, 'projects.open', { path });
      expect(opened.order, b === worker ? 'worker' : 'the in-thread reference blocks').toEqual(
        b === worker ? ['app.info', 'projects.open'] : ['projects.open', 'app.info'],
      );
      expect((opened.feeder as ProjectSummary).feeders.map((f) => f.buses)).toEqual(new Array(9).fill(10_240));
    }
  });

  it('a damaged project is still refused on open (the check in the worker finds it, the open says so)', async () => {
    const b = backend();
    try {
      const created = (await b.handle('projects.create', { name: 'to-damage' })) as Result<ProjectSummary>;
      if (!created.ok) throw new Error(created.error.message);
      b.projects.requireProject().addFeeder(big, { source: 'test' });
      await b.handle('projects.close', null);
      // Overwrite a page in the middle of the file (the feeder's text lives there).
      const bytes = readFileSync(created.value.path);
      const fd = openSync(created.value.path, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(bytes.length / 8192) * 4096);
      closeSync(fd);
      const r = await b.handle('projects.open', { path: created.value.path });
      expect(r).toMatchObject({ ok: false, error: { code: 'corruptProject' } });
    } finally {
      b.close();
    }
  });

  it('through the Node host the feeder goes out as the stored JSON, read by the client as the same feeder', async () => {
    const host = await startHost({ backend: worker, staticDir: mkdtempSync(join(tmpdir(), 'tessera-static-')) });
    try {
      const ws = new WebSocket(host.wsUrl);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
      ws.send(JSON.stringify({ id: 7, command: 'feeders.get', arg: { id: ids.feederId } }));
      const text = await reply;
      ws.close();
      const stored = worker.projects.requireProject().database.prepare('SELECT feeder_json FROM feeders WHERE id = ?');
      expect(text).toContain((stored.get(ids.feederId) as { feeder_json: string }).feeder_json);
      expect(JSON.parse(text)).toEqual({ kind: 'reply', id: 7, result: { ok: true, value: big } });
    } finally {
      await host.close();
    }
  });
});

describe('a feeder above the size the app draws and edits', () => {
  const b = backend({ networkViewMaxBuses: 10_000 });
  afterAll(() => b.close());

  it('is refused by feeders.get and every command that walks the whole feeder, with a message naming its size and the command line', async () => {
    const { feederId, scenarioId } = await withBigFeeder(b);
    const scenario = (await b.handle('scenarios.get', { id: scenarioId })) as Result<Scenario>;
    if (!scenario.ok) throw new Error(scenario.error.message);
    const refusals: [string, unknown, string][] = [
      ['feeders.get', { id: feederId }, 'shown in the network view'],
      ['partition.suggest', { feederId, k: 4 }, 'cut into areas'],
      ['partition.check', { feederId, cuts: [] }, 'cut into areas'],
      ['scenarios.update', { id: scenarioId, patch: { placements: scenario.value.placements } }, 'edited'],
      ['placements.bulk', { scenarioId, rule: PAPER_BATTERY_RULE }, 'edited'],
      ['runs.start', { scenarioId, kind: 'centralized' }, 'solved in the app'],
    ];
    for (const [command, arg, what] of refusals) {
      const r = await b.handle(command, arg);
      expect(r, command).toEqual({
        ok: false,
        error: {
          code: 'feederTooLarge',
          message:
            `Feeder "${big.name}" has 10,240 buses: the app draws and edits feeders of up to 10,000 buses, so it cannot be ${what}. ` +
            'It is saved in the project; study it from the command line (tessera pf, tessera solve with the project file).',
          detail: { buses: 10_240, maxBuses: 10_000 },
        },
      });
    }
    // The project itself opens and lists the feeder (counts from its row, nothing parsed).
    const current = (await b.handle('projects.current', null)) as Result<ProjectSummary>;
    expect(current.ok && current.value.feeders.map((f) => f.buses)).toEqual([10_240]);
  });
});
