/**
 * A large import must not block the backend (issue #13: 1,000,000 buses blocked it for 29 s).
 * While `import.preview` reads a scaled OpenDSS feeder, a 10 ms timer on the backend's thread
 * records its longest gap: the worker-thread import (default) against the in-thread one, same
 * files, same run. Size: TESSERA_BENCH_IMPORT_COPIES copies of IEEE 123 (default 400 ≈ 51,200
 * buses; 7,813 ≈ 1,000,000 buses needs several GB).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backend } from '../../src-main/backend/backend';
import { inlineImport } from '../../src-main/backend/import/run';
import { resourcesDir } from '../../src-main/paths';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import { exportDss } from '../../src-solver/io/dss/export';
import { importDss } from '../../src-solver/io/dss/index';
import { unwrapImport } from '../../src-solver/io/types';
import { testDataPath } from '../../test-data/index';
import type { BenchCase } from '../types';

const COPIES = Number(process.env.TESSERA_BENCH_IMPORT_COPIES ?? 400);

async function longestStall(
  backend: Backend,
  files: { name: string; text: string }[],
): Promise<{ stallMs: number; previewMs: number; buses: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 10);
  const t0 = performance.now();
  const r = await backend.handle('import.preview', { files });
  const previewMs = performance.now() - t0;
  clearInterval(timer);
  stall = Math.max(stall, performance.now() - last);
  if (!r.ok) throw new Error(r.error.message);
  return {
    stallMs: Math.round(stall),
    previewMs: Math.round(previewMs),
    buses: (r.value as { counts: { buses: number } }).counts.buses,
  };
}

const cases: BenchCase[] = [
  {
    name: 'import preview off the backend thread: longest event-loop stall, worker vs in-thread',
    size: { buses: 128 * COPIES },
    async run() {
      const ieee = unwrapImport(
        importDss(testDataPath('ieee123-balanced/dss/Master.dss'), (p) => readFileSync(p, 'utf8'), {
          storageSocMax: 0.95,
        }),
      ).feeder;
      const files = Object.entries(exportDss(generateScaledFeeder(ieee, COPIES))).map(([name, text]) => ({
        name: `scaled/${name}`,
        text,
      }));
      const dataDir = () => mkdtempSync(join(tmpdir(), 'tessera-bench-import-'));
      const worker = new Backend({ resourcesDir, dataDir: dataDir(), host: 'node-host' });
      const inline = new Backend({ resourcesDir, dataDir: dataDir(), host: 'node-host', runImport: inlineImport });
      try {
        const w = await longestStall(worker, files);
        const i = await longestStall(inline, files);
        return {
          iterations: 1,
          buses: w.buses,
          scriptMb: +(files.reduce((a, f) => a + f.text.length, 0) / 1e6).toFixed(1),
          workerStallMs: w.stallMs,
          workerPreviewMs: w.previewMs,
          inThreadStallMs: i.stallMs,
          inThreadPreviewMs: i.previewMs,
          stallRatio: +(w.stallMs / i.stallMs).toFixed(3),
        };
      } finally {
        worker.close();
        inline.close();
      }
    },
  },
];

export default cases;
