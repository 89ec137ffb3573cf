/**
 * The Node host's guard: who may talk to it (token, Host, Origin), what every response says about
 * framing, and that no request — however malformed — ends the process. Every request here goes to
 * loopback only, to a host started by the test.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resourcesDir } from '../paths';
import { Backend } from './backend';
import { startHost, type RunningHost } from './host';

let host: RunningHost;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'tessera-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<p>app</p>');
  const backend = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-host-')),
    host: 'node-host',
  });
  host = await startHost({ backend, staticDir });
});
afterAll(async () => {
  await host.close();
});

/** One raw HTTP/1.1 exchange over a socket, so Host, Origin and the request line are ours to set. */
function raw(request: string | Buffer, timeoutMs = 5000, port = host.port): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      done();
    });
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

function get(path: string, headers: Record<string, string>, port = host.port): Promise<string> {
  const lines = [
    `GET ${path} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'connection: close',
    '',
    '',
  ];
  return raw(lines.join('\r\n'), 5000, port);
}

/** Try a WebSocket upgrade; resolves with 'open' or the refusal's HTTP status. */
function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

async function alive(port = host.port): Promise<boolean> {
  const r = await fetch(`http://127.0.0.1:${port}/health`);
  return r.status === 200 && (await r.text()) === '{"ok":true}';
}

/** A real `tessera host` process: an uncaught error would end it, which an in-process host hides. */
async function startHostProcess(): Promise<{
  child: ChildProcess;
  port: number;
  token: string;
  exited: () => boolean;
}> {
  const token = randomBytes(24).toString('base64url');
  const child = spawn(
    process.execPath,
    ['bin/tessera.mjs', 'host', '--port', '0', '--data', mkdtempSync(join(tmpdir(), 'tessera-hostp-'))],
    {
      cwd: repoRoot,
      env: { ...process.env, TESSERA_HOST_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+)/.exec(out);
      if (m) {
        expect(m[2]).toBe(token);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`tessera host exited (${code}) before listening: ${out}`)));
  });
  return { child, port, token, exited: () => exited };
}

describe('host token', () => {
  it('refuses the page, files and the WebSocket without the token or with a wrong one', async () => {
    expect((await fetch(`${host.url}/`)).status).toBe(401);
    expect((await fetch(`${host.url}/index.html`)).status).toBe(401);
    expect((await fetch(`${host.url}/?token=${'x'.repeat(43)}`)).status).toBe(401);
    expect((await fetch(`${host.url}/`, { headers: { cookie: `${host.cookie.split('=')[0]}=wrong` } })).status).toBe(
      401,
    );
    expect(await upgrade(`ws://127.0.0.1:${host.port}/ws`)).toBe(401);
    expect(await upgrade(`ws://127.0.0.1:${host.port}/ws?token=not-the-token-at-all`)).toBe(401);
    // A cookie of another host (another port) is not ours.
    expect(
      await upgrade(`ws://127.0.0.1:${host.port}/ws`, { headers: { cookie: `tessera-token-1=${host.token}` } }),
    ).toBe(401);
  });

  it('the printed link sets an HttpOnly SameSite=Strict cookie and redirects without the token; the cookie then opens everything', async () => {
    const first = await fetch(`${host.openUrl}&e2e=1`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/?e2e=1');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(host.cookie);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${host.url}/?e2e=1`, { headers: { cookie: host.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<p>app</p>');
    expect(await upgrade(`ws://127.0.0.1:${host.port}/ws`, { headers: { cookie: host.cookie } })).toBe('open');
    expect(await upgrade(host.wsUrl)).toBe('open');
    expect(await upgrade(`ws://127.0.0.1:${host.port}/ws`, { headers: { 'x-tessera-token': host.token } })).toBe(
      'open',
    );
  });

  it('every launch has its own token', async () => {
    const other = await startHost({ backend: new Backend({ resourcesDir, dataDir: tmpdir(), host: 'node-host' }) });
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.token.length).toBeGreaterThanOrEqual(32);
      expect(await upgrade(`ws://127.0.0.1:${other.port}/ws?token=${host.token}`)).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('host Origin and Host', () => {
  it('refuses a WebSocket from a foreign Origin, even with the token', async () => {
    expect(await upgrade(host.wsUrl, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(host.wsUrl, { origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403);
    expect(await upgrade(host.wsUrl, { origin: 'null' })).toBe(403);
    expect(await upgrade(host.wsUrl, { origin: `http://127.0.0.1:${host.port}` })).toBe('open');
    expect(await upgrade(host.wsUrl, { origin: `http://localhost:${host.port}` })).toBe('open');
  });

  it('refuses a foreign Host (DNS rebinding), on HTTP and on the WebSocket, even with the token', async () => {
    const ok = { host: `127.0.0.1:${host.port}`, cookie: host.cookie };
    expect(statusOf(await get('/', ok))).toBe(200);
    expect(statusOf(await get('/', { ...ok, host: `localhost:${host.port}` }))).toBe(200);
    expect(statusOf(await get('/', { ...ok, host: `evil.example:${host.port}` }))).toBe(421);
    expect(statusOf(await get('/', { ...ok, host: 'evil.example' }))).toBe(421);
    expect(statusOf(await get('/', { ...ok, host: `127.0.0.1:${host.port + 1}` }))).toBe(421);
    expect(statusOf(await get('/health', { host: 'rebound.example' }))).toBe(421);
    expect(statusOf(await get('/', { ...ok, origin: 'http://evil.example' }))).toBe(403);
    expect(await upgrade(host.wsUrl, { headers: { host: `rebound.example:${host.port}` } })).toBe(421);
  });

  it('says DENY to framing on every response, refusals included', async () => {
    for (const r of [
      await fetch(`${host.url}/health`),
      await fetch(`${host.url}/`),
      await fetch(`${host.url}/`, { headers: { cookie: host.cookie } }),
      await fetch(`${host.url}/missing.js`, { headers: { cookie: host.cookie } }),
    ]) {
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
  });
});

describe('host robustness (a tessera host process)', () => {
  let proc: Awaited<ReturnType<typeof startHostProcess>>;
  beforeAll(async () => {
    proc = await startHostProcess();
  });
  afterAll(() => {
    proc.child.kill('SIGKILL');
  });

  it('answers a malformed URL with 400 and keeps serving', async () => {
    const { port, token } = proc;
    const h = { host: `127.0.0.1:${port}`, cookie: `tessera-token-${port}=${token}` };
    expect(statusOf(await get('/%E0%A4%A', h, port))).toBe(400);
    expect(statusOf(await get('/%E0%A4%A', { host: h.host }, port))).toBe(400);
    expect(statusOf(await get('/%', h, port))).toBe(400);
    expect(statusOf(await get('/a%00b', h, port))).toBe(400);
    expect(await upgrade(`ws://127.0.0.1:${port}/%E0%A4%A?token=${token}`)).toBe(400);
    expect(proc.exited()).toBe(false);
    expect(await alive(port)).toBe(true);
  });

  it('survives a bounded fuzz of the HTTP surface (random request lines, paths, headers, bytes)', async () => {
    const { port, token } = proc;
    const cookie = `tessera-token-${port}=${token}`;
    // A seeded generator, so a failure reproduces.
    let seed = 0x13572468;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const pieces = [
      '/',
      '%',
      '%E0',
      '%A4%A',
      '%ZZ',
      '%00',
      '..',
      '%2e%2e',
      '/ws',
      '/health',
      '?token=',
      '#',
      '\\',
      '//',
      'é',
      '%C0%AF',
      '?',
      '&',
      'index.html',
      ';',
      '@',
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'G€T', ''];
    const hostValues = [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'evil.example',
      '',
      '[::1]',
      `127.0.0.1:${port}\u0000`,
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      let request: string | Buffer;
      if (i % 10 === 9) {
        request = Buffer.from(Array.from({ length: 1 + rand(300) }, () => rand(256)));
      } else {
        let path = '/';
        for (let k = rand(6); k > 0; k--) path += pick(pieces);
        const headers = [`Host: ${pick(hostValues)}`];
        if (rand(3) === 0) headers.push(`Origin: ${pick(['http://evil.example', 'null', `http://127.0.0.1:${port}`])}`);
        if (rand(2) === 0) headers.push(`Cookie: ${pick([cookie, 'a=b', '=;;=', `${cookie}; x`])}`);
        if (rand(4) === 0)
          headers.push(
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Sec-WebSocket-Version: 13',
            `Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', '', '!!'])}`,
          );
        if (rand(5) === 0) headers.push(`Content-Length: ${pick(['5', '-1', 'abc', '99999999999'])}`);
        request = `${pick(methods)} ${path} HTTP/1.${rand(2)}\r\n${headers.join('\r\n')}\r\nConnection: close\r\n\r\n`;
      }
      const status = statusOf(await raw(request, 2000, port));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect([0, 101, 200, 303, 400, 401, 403, 404, 405, 421, 431]).toContain(status);
    }
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(proc.exited()).toBe(false);
    expect(await alive(port)).toBe(true);
  });
});
