import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { SOLVER_VERSION } from '../../src-solver/version';
import { resourcesDir } from '../paths';
import { Backend } from './backend';
import { listExamples } from './examples';
import { startHost, type RunningHost } from './host';

function tempResources(manifests: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-res-'));
  for (const [id, text] of Object.entries(manifests)) {
    mkdirSync(join(dir, 'examples', id), { recursive: true });
    writeFileSync(join(dir, 'examples', id, 'example.json'), text);
  }
  return dir;
}

describe('examples', () => {
  it('lists the bundled IEEE 123 example first', () => {
    const list = listExamples(join(resourcesDir, 'examples'));
    expect(list[0]?.id).toBe('ieee123');
    expect(list[0]?.title).toMatch(/IEEE 123/);
  });

  it('sorts others by id after ieee123 and skips folders without a manifest', () => {
    const dir = tempResources({
      zeta: '{"title":"Z","description":"z"}',
      alpha: '{"title":"A","description":"a"}',
      ieee123: '{"title":"I","description":"i"}',
    });
    mkdirSync(join(dir, 'examples', 'not-an-example'));
    expect(listExamples(join(dir, 'examples')).map((e) => e.id)).toEqual(['ieee123', 'alpha', 'zeta']);
  });

  it('names the file and the field of a malformed manifest', () => {
    const dir = tempResources({ bad: '{"title":""}' });
    expect(() => listExamples(join(dir, 'examples'))).toThrow(
      /bad[/\\]example\.json: "title" must be a non-empty string/,
    );
    const dir2 = tempResources({ broken: '{nope' });
    expect(() => listExamples(join(dir2, 'examples'))).toThrow(/broken[/\\]example\.json: not valid JSON/);
  });
});

describe('Backend.handle', () => {
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-data-')),
    host: 'node-host',
  });

  it('answers app.info with the solver version and the examples', async () => {
    const r = await backend.handle('app.info', null);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const info = r.value as { solver: { version: string }; host: string; examples: { id: string }[] };
    expect(info.solver.version).toBe(SOLVER_VERSION);
    expect(info.host).toBe('node-host');
    expect(info.examples.map((e) => e.id)).toContain('ieee123');
  });

  it('returns errors as values: unknown command, invalid argument, failing handler', async () => {
    expect(await backend.handle('nope', null)).toMatchObject({ ok: false, error: { code: 'unknownCommand' } });
    expect(await backend.handle('app.info', { sneaky: true })).toMatchObject({
      ok: false,
      error: { code: 'invalidArgument', message: 'app.info takes no argument' },
    });
    expect(await backend.handle('__proto__', null)).toMatchObject({ ok: false, error: { code: 'unknownCommand' } });
    const broken = new Backend({ resourcesDir: tempResources({ bad: '{' }), dataDir: tmpdir(), host: 'node-host' });
    expect(await broken.handle('examples.list', null)).toMatchObject({ ok: false, error: { code: 'badExample' } });
    // Opening an example reads it with the solver's loader (the one `tessera solve` uses): its checks and messages.
    const noFeeder = new Backend({
      resourcesDir: tempResources({ thin: '{"title":"T","description":"d"}' }),
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-thin-')),
      host: 'node-host',
    });
    expect(await noFeeder.handle('projects.openExample', { id: 'thin' })).toMatchObject({
      ok: false,
      error: {
        code: 'badExample',
        message: expect.stringMatching(/^example thin \(.*\): example\.json: "feeder" must be an object$/),
      },
    });
  });
});

describe('Node host bridge', () => {
  let host: RunningHost | null = null;
  afterEach(async () => {
    await host?.close();
    host = null;
  });

  it('round-trips a command over the WebSocket and forwards events', async () => {
    const backend = new Backend({ resourcesDir, dataDir: tmpdir(), host: 'node-host' });
    host = await startHost({ backend });
    const ws = new WebSocket(host.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ id: 42, command: 'examples.list', arg: null }));
    ws.send('not json');
    await expect.poll(() => messages.length).toBe(2);
    backend.emit('backend.log', { level: 'info', message: 'hello' });
    await expect.poll(() => messages.length).toBe(3);
    ws.close();
    expect(messages).toContainEqual(
      expect.objectContaining({ kind: 'reply', id: 42, result: expect.objectContaining({ ok: true }) }),
    );
    expect(messages).toContainEqual(
      expect.objectContaining({ kind: 'reply', id: -1, result: expect.objectContaining({ ok: false }) }),
    );
    expect(messages).toContainEqual({
      kind: 'event',
      event: 'backend.log',
      payload: { level: 'info', message: 'hello' },
    });
  });

  it('refuses paths outside the static folder', async () => {
    const staticDir = mkdtempSync(join(tmpdir(), 'tessera-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<p>hi</p>');
    host = await startHost({ backend: new Backend({ resourcesDir, dataDir: tmpdir(), host: 'node-host' }), staticDir });
    const headers = { cookie: host.cookie };
    expect(await (await fetch(`${host.url}/`, { headers })).text()).toBe('<p>hi</p>');
    expect((await fetch(`${host.url}/..%2f..%2fetc%2fpasswd`, { headers })).status).toBe(404);
    expect((await fetch(`${host.url}/health`)).status).toBe(200);
  });
});
