/**
 * The Node host: serves the built renderer over HTTP on loopback and bridges the backend to it
 * over a WebSocket (`/ws`, wire format in contract.ts). Used for development and by the
 * Playwright end-to-end tests in Chromium; the desktop app uses IPC instead (src-main/electron).
 * Binds 127.0.0.1 only: the host is a local tool, never a server for other machines.
 *
 * Who may talk to it (any web page the user visits can reach 127.0.0.1, so loopback alone is no
 * protection):
 * - a per-launch secret token, printed in the URL the host gives (`/?token=…`). The first page
 *   load with it sets an HttpOnly, SameSite=Strict cookie (one per port) and redirects to the same
 *   URL without the token; every later request — static files, the WebSocket upgrade — must carry
 *   the cookie, the `x-tessera-token` header or `?token=` (non-browser clients). `/health` alone
 *   is open (it says only `{"ok":true}`) so tools can wait for the port.
 * - `Host` must be `127.0.0.1:<port>` or `localhost:<port>` (a DNS-rebinding page sends its own
 *   name); an `Origin`, when sent, must be the host's own (browsers always send it on WebSocket).
 * - every response says `X-Frame-Options: DENY` and `Content-Security-Policy: frame-ancestors
 *   'none'`, so no other page can frame the app.
 * No request may end the process: malformed URLs get 400, anything unexpected 500.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HOST_MAX_MESSAGE_BYTES, type WireMessage, type WireRequest } from '../contract';
import type { Backend } from './backend';
import { JsonText, jsonReply } from './json-text';
import { contentType } from './mime';

/** Headers on every HTTP response (and on refused upgrades). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export interface HostOptions {
  readonly backend: Backend;
  /** The built renderer (out/renderer); absent = API only. */
  readonly staticDir?: string;
  readonly port?: number;
  /** The secret clients must present; default: 32 random bytes, new at every launch. */
  readonly token?: string;
}

export interface RunningHost {
  /** The origin, `http://127.0.0.1:<port>` (requests to it need the token). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The URL to open in a browser: the origin with `?token=…` (sets the cookie, then redirects). */
  readonly openUrl: string;
  /** The WebSocket URL with the token, for non-browser clients. */
  readonly wsUrl: string;
  /** The cookie the served page carries (`name=value`). */
  readonly cookie: string;
  close(): Promise<void>;
}

/** Whether `token` may be used as a host token (also checks `TESSERA_HOST_TOKEN`). */
export function isValidHostToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function cookieName(port: number): string {
  return `tessera-token-${port}`;
}

function parseRequest(data: unknown): WireRequest | null {
  let msg: unknown;
  try {
    msg = JSON.parse(String(data));
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (typeof m.id !== 'number' || typeof m.command !== 'string') return null;
  return { id: m.id, command: m.command, arg: m.arg ?? null };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Why a request is refused (status and a plain message), or null when it may proceed. */
interface Refusal {
  readonly status: number;
  readonly message: string;
}

class Gate {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  readonly cookie: string;

  constructor(
    readonly port: number,
    readonly token: string,
  ) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    this.cookie = cookieName(port);
  }

  /** Host and Origin: the request must be addressed to this host by one of its own names. */
  checkAddress(req: IncomingMessage): Refusal | null {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host))
      return {
        status: 421,
        message: `This Tessera host answers only to 127.0.0.1:${this.port} and localhost:${this.port}`,
      };
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase()))
      return { status: 403, message: 'Requests from other web pages are not accepted' };
    return null;
  }

  /** The token from the cookie, the header or the query — whether it is this host's. */
  hasToken(req: IncomingMessage, url: URL): boolean {
    const candidates = [
      parseCookies(req.headers.cookie).get(this.cookie),
      typeof req.headers['x-tessera-token'] === 'string' ? req.headers['x-tessera-token'] : undefined,
      url.searchParams.get('token') ?? undefined,
    ];
    return candidates.some((c) => c !== undefined && sameSecret(c, this.token));
  }
}

/** Parse the request target; null for anything malformed (not a path, bad percent-encoding). */
function parseTarget(raw: string | undefined): { url: URL; path: string } | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    const url = new URL(raw, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    if (path.includes('\0')) return null;
    return { url, path };
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}

function serveStatic(staticDir: string, path: string, req: IncomingMessage, res: ServerResponse): void {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  const file = join(staticDir, rel);
  let isFile = false;
  try {
    isFile = file.startsWith(staticDir + sep) && statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    send(res, 404, 'not found');
    return;
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentType(file) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason =
    status === 401
      ? 'Unauthorized'
      : status === 400
        ? 'Bad Request'
        : status === 404
          ? 'Not Found'
          : status === 421
            ? 'Misdirected Request'
            : 'Forbidden';
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${headers}content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n\r\n${message}`,
  );
}

const NEEDS_TOKEN = 'This Tessera host needs the link it printed at start (the one with ?token=…)';

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { backend, staticDir } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!isValidHostToken(token)) throw new Error('The host token must be 16–128 characters of A–Z, a–z, 0–9, - and _');
  let gate: Gate | null = null;

  const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const target = parseTarget(req.url);
    if (!target) {
      send(res, 400, 'Malformed request URL');
      return;
    }
    const g = gate;
    if (!g) {
      send(res, 503, 'starting');
      return;
    }
    const refused = g.checkAddress(req);
    if (refused) {
      send(res, refused.status, refused.message);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Only GET and HEAD', { allow: 'GET, HEAD' });
      return;
    }
    if (target.path === '/health') {
      send(res, 200, JSON.stringify({ ok: true }), { 'content-type': 'application/json' });
      return;
    }
    if (!g.hasToken(req, target.url)) {
      send(res, 401, NEEDS_TOKEN);
      return;
    }
    if (target.url.searchParams.has('token')) {
      // First load of the printed link: keep the token in a cookie, not in the address bar.
      const rest = new URLSearchParams(target.url.searchParams);
      rest.delete('token');
      const query = rest.toString();
      send(res, 303, 'See Other', {
        location: `${target.url.pathname}${query ? `?${query}` : ''}`,
        'set-cookie': `${g.cookie}=${token}; Path=/; HttpOnly; SameSite=Strict`,
      });
      return;
    }
    if (staticDir) serveStatic(staticDir, target.path, req, res);
    else send(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch {
      send(res, 500, 'Internal error');
    }
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: HOST_MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const target = parseTarget(req.url);
      if (!target) return refuseUpgrade(socket, 400, 'Malformed request URL');
      const g = gate;
      if (!g) return refuseUpgrade(socket, 403, 'starting');
      const refused = g.checkAddress(req);
      if (refused) return refuseUpgrade(socket, refused.status, refused.message);
      if (target.path !== '/ws') return refuseUpgrade(socket, 404, 'not found');
      if (!g.hasToken(req, target.url)) return refuseUpgrade(socket, 401, NEEDS_TOKEN);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      socket.destroy();
    }
  });

  const sockets = new Set<WebSocket>();
  const offAny = backend.onAny((event, payload) => {
    const msg: WireMessage = { kind: 'event', event, payload };
    for (const ws of sockets) ws.send(JSON.stringify(msg));
  });
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (data) => {
      const req = parseRequest(data);
      if (!req) {
        ws.send(
          JSON.stringify({
            kind: 'reply',
            id: -1,
            result: { ok: false, error: { code: 'badRequest', message: 'Malformed request' } },
          } satisfies WireMessage),
        );
        return;
      }
      const result = await backend.handleRaw(req.command, req.arg);
      // A value already JSON (a stored feeder) goes out as it is, never parsed on this thread.
      if (result.ok && result.value instanceof JsonText) ws.send(jsonReply(req.id, result.value));
      else ws.send(JSON.stringify({ kind: 'reply', id: req.id, result } satisfies WireMessage));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  gate = new Gate(port, token);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    token,
    openUrl: `${url}/?token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}/ws?token=${token}`,
    cookie: `${gate.cookie}=${token}`,
    close: async () => {
      offAny();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
