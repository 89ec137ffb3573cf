/**
 * The renderer ↔ backend seam: round trips of `app.info` over the Node host's WebSocket bridge,
 * the path every UI action takes in development and e2e (Electron IPC is of the same order).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Backend } from '../../src-main/backend/backend';
import { startHost } from '../../src-main/backend/host';
import { resourcesDir } from '../../src-main/paths';
import type { BenchCase } from '../types';

const ROUND_TRIPS = 500;

const cases: BenchCase[] = [
  {
    name: 'websocket app.info round trip',
    size: { roundTrips: ROUND_TRIPS },
    async run() {
      const backend = new Backend({
        resourcesDir,
        dataDir: mkdtempSync(join(tmpdir(), 'tessera-bench-')),
        host: 'node-host',
      });
      const host = await startHost({ backend });
      const ws = new WebSocket(host.wsUrl);
      await new Promise((r) => ws.once('open', r));
      const times: number[] = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          ws.once('message', () => resolve());
          ws.send(JSON.stringify({ id: i, command: 'app.info', arg: null }));
        });
        times.push(performance.now() - t0);
      }
      ws.close();
      await host.close();
      times.sort((a, b) => a - b);
      return {
        iterations: ROUND_TRIPS,
        medianMs: times[ROUND_TRIPS >> 1],
        p95Ms: times[Math.floor(ROUND_TRIPS * 0.95)],
      };
    },
  },
];

export default cases;
