/**
 * The Node host: serves the built renderer over HTTP on loopback and bridges the backend to it
 * over a WebSocket (`/ws`, wire format in contract.ts). Used for development and by the
 * Playwright end-to-end tests in Chromium; the desktop app uses IPC instead (src-main/electron).
 * Binds 127.0.0.1 only: the host is a local tool, never a server for other machines.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireMessage, WireRequest } from '../contract';
import type { Backend } from './backend';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface HostOptions {
  readonly backend: Backend;
  /** The built renderer (out/renderer); absent = API only. */
  readonly staticDir?: string;
  readonly port?: number;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
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

function serveStatic(staticDir: string, req: IncomingMessage, res: ServerResponse): void {
  const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const rel = normalize(urlPath === '/' ? '/index.html' : urlPath).replace(/^([/\\])+/, '');
  const file = join(staticDir, rel);
  if (!file.startsWith(staticDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { backend, staticDir } = options;
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      return;
    }
    if (staticDir) serveStatic(staticDir, req, res);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  const sockets = new Set<WebSocket>();
  const offAny = backend.onAny((event, payload) => {
    const msg: WireMessage = { kind: 'event', event, payload };
    for (const ws of sockets) ws.send(JSON.stringify(msg));
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
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
      const result = await backend.handle(req.command, req.arg);
      ws.send(JSON.stringify({ kind: 'reply', id: req.id, result } satisfies WireMessage));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      offAny();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
