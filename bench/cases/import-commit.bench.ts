/**
 * A whole import off the backend's thread (issue #13: a 1,000,000-bus import blocked the backend
 * for 29 s): `import.preview` then `import.commit` of a scaled IEEE 123 feeder into a new project,
 * then the project closed and opened again and `feeders.get` asked for (as the adapters ask: a
 * feeder above the app's size is refused, `feederTooLarge`), while a client pings the
 * backend (`app.info`) every 20 ms. Reports the slowest ping (the target: under 100 ms
 * throughout), the 99th percentile, the longest event-loop stall (a 5 ms timer on the backend's
 * thread) and when it ended, the preview's, commit's and reopen's times, the CPU seconds of the
 * whole process (every thread: wall time on a shared machine is mostly waiting), and memory: the
 * process's peak RSS (the runner's `peakRssMb`, worker thread included: a thread shares its
 * process), the backend thread's peak heap, and the peak of the rest (RSS − the backend thread's
 * heap, sampled together: the import worker's heap, the shared feeder buffer, SQLite). The same
 * client's figures over 5 s with the backend idle are the machine's own scheduling delay,
 * measured in the same run.
 *
 * Sizes: about 100,000 and 1,000,000 buses (781 and 7,813 copies of IEEE 123: 99,968 and 1,000,064), each as an OpenDSS
 * script (about 2,030,000 lines at 1M: read whole since the reader's line budget, script.ts
 * `lineBudget`) and as the reference CSV pair (`tessera gen scaled`'s, fed at its root c0_1).
 * TESSERA_BENCH_IMPORT_E2E_BUSES replaces both sizes with one. The 1M cases need about 4 GB and
 * minutes on a loaded machine: `tessera bench "1,000,000 buses"` runs only them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ImportPreview, ProjectSummary } from '../../src-main/contract';
import { Backend } from '../../src-main/backend/backend';
import type { JsonText } from '../../src-main/backend/json-text';
import { resourcesDir } from '../../src-main/paths';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import { exampleFolderFiles } from '../../src-solver/examples/export';
import { exportDss } from '../../src-solver/io/dss/export';
import { importDss } from '../../src-solver/io/dss/index';
import { unwrapImport } from '../../src-solver/io/types';
import { testDataPath } from '../../test-data/index';
import { loadIeee123 } from '../ipopt-ref/export-data';
import type { BenchCase } from '../types';

const SIZES = process.env.TESSERA_BENCH_IMPORT_E2E_BUSES
  ? [Number(process.env.TESSERA_BENCH_IMPORT_E2E_BUSES)]
  : [100_000, 1_000_000];
const BUSES_PER_COPY = 128;

type Format = 'dss' | 'csv-pair';

/**
 * A string as one flat buffer, as a request decoded from the wire is: the generators build their
 * text by concatenation (a rope), which V8 flattens on the first slice — on the backend's thread,
 * 1.15 s for the 308 MB of the 1M script, a cost no client request carries.
 */
const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** `buses` (rounded to whole copies of IEEE 123) as the files the import wizard is given. */
function scaledFiles(buses: number, format: Format): { name: string; text: string }[] {
  const copies = Math.round(buses / BUSES_PER_COPY);
  if (format === 'dss') {
    const ieee = unwrapImport(
      importDss(testDataPath('ieee123-balanced/dss/Master.dss'), (p) => readFileSync(p, 'utf8'), {
        storageSocMax: 0.95,
      }),
    ).feeder;
    return Object.entries(exportDss(generateScaledFeeder(ieee, copies))).map(([name, text]) => ({
      name: `scaled/${name}`,
      text: flat(text),
    }));
  }
  const written = exampleFolderFiles(generateScaledFeeder(loadIeee123().feeder, copies), {
    title: 'bench',
    description: `${copies} × IEEE 123`,
  });
  return ['linedata.csv', 'powerdata.csv'].map((name) => ({
    name: `scaled/${name}`,
    text: flat(written.get(`feeder/${name}`)!),
  }));
}

/** A full garbage collection now (the generator's garbage is the bench's, not the backend's). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mb = (bytes: number) => Math.round(bytes / 1e6);

/**
 * A client that sends `app.info` every `everyMs`: each ping's time from when it was due (a request
 * that arrives while the thread is busy waits for it) to its answer; the longest event-loop gap
 * (a 5 ms timer), with when it ended (seconds from the start); and memory as above.
 */
function pinger(backend: Backend, everyMs: number) {
  const pings: number[] = [];
  const t0 = performance.now();
  let stall = 0;
  let stallAt = 0;
  let last = t0;
  let due = t0 + everyMs;
  let mainHeapPeak = 0;
  let restPeak = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last > stall) [stall, stallAt] = [now - last, now];
    last = now;
    const heap = getHeapStatistics().total_heap_size;
    mainHeapPeak = Math.max(mainHeapPeak, heap);
    restPeak = Math.max(restPeak, process.memoryUsage.rss() - heap);
    if (now < due) return;
    const sent = due;
    due = Math.max(due + everyMs, now);
    void backend.handle('app.info', null).then(() => pings.push(performance.now() - sent));
  }, 5);
  return {
    stop() {
      clearInterval(tick);
      const sorted = [...pings].sort((a, b) => a - b);
      return {
        pings: pings.length,
        maxPingMs: +(sorted.at(-1) ?? 0).toFixed(1),
        p99PingMs: +(sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0).toFixed(1),
        longestStallMs: +stall.toFixed(1),
        longestStallEndedAtSeconds: +((stallAt - t0) / 1000).toFixed(2),
        backendHeapPeakMb: mb(mainHeapPeak),
        restPeakMb: mb(restPeak),
      };
    },
  };
}

function importCase(buses: number, format: Format): BenchCase {
  const copies = Math.round(buses / BUSES_PER_COPY);
  return {
    name: `import end to end off the backend thread, ${(copies * BUSES_PER_COPY).toLocaleString('en-US')} buses (${format === 'dss' ? 'OpenDSS script' : 'CSV pair'}): preview + commit + reopen with a ping every 20 ms`,
    size: { buses: copies * BUSES_PER_COPY },
    async run() {
      let files: { name: string; text: string }[] | null = scaledFiles(buses, format);
      const scriptMb = +(files.reduce((a, f) => a + f.text.length, 0) / 1e6).toFixed(1);
      const backend = new Backend({
        resourcesDir,
        dataDir: mkdtempSync(join(tmpdir(), 'tessera-bench-commit-')),
        host: 'node-host',
      });
      let idle: ReturnType<typeof pinger> | null = null;
      let watch: ReturnType<typeof pinger> | null = null;
      try {
        const created = await backend.handle('projects.create', { name: 'bench' });
        if (!created.ok) throw new Error(created.error.message);
        const path = (created.value as ProjectSummary).path;
        // Warm the worker thread (its start is not the import's).
        await backend.handle('import.preview', {
          files: [{ name: 'Master.dss', text: readFileSync(testDataPath('ieee123-balanced/dss/Master.dss'), 'utf8') }],
        });
        collectGarbage();
        // The yardstick, same run: the same client for 5 s with the backend idle (on a loaded
        // machine the scheduler alone delays a thread by tens of milliseconds).
        idle = pinger(backend, 20);
        await new Promise((r) => setTimeout(r, 5000));
        const baseline = idle.stop();
        idle = null;
        watch = pinger(backend, 20);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const p = await backend.handle('import.preview', { files });
        files = null;
        const t1 = performance.now();
        if (!p.ok) throw new Error(p.error.message);
        const preview = p.value as ImportPreview;
        if (!preview.ok)
          throw new Error(
            `the preview found errors: ${preview.errors
              .slice(0, 3)
              .map((e) => `${e.file}:${e.line}: ${e.message}`)
              .join('; ')}`,
          );
        const c = await backend.handle('import.commit', { token: preview.token });
        const t2 = performance.now();
        if (!c.ok) throw new Error(c.error.message);
        const saved = (c.value as ProjectSummary).feeders.at(-1)!;
        if (saved.buses !== preview.counts.buses)
          throw new Error(`saved ${saved.buses} buses of ${preview.counts.buses}`);
        // Open the project again and show its feeder, as the app does after a restart.
        await backend.handle('projects.close', null);
        const t3 = performance.now();
        const opened = await backend.handle('projects.open', { path });
        const t4 = performance.now();
        if (!opened.ok) throw new Error(opened.error.message);
        // As the adapters ask (handleRaw): the feeder's JSON text, passed on unparsed.
        const shown = await backend.handleRaw('feeders.get', { id: saved.id });
        const t5 = performance.now();
        const cpu = process.cpuUsage(cpu0);
        const seen = watch.stop();
        watch = null;
        return {
          iterations: 1,
          buses: preview.counts.buses,
          format,
          scriptMb,
          previewSeconds: +((t1 - t0) / 1000).toFixed(2),
          commitSeconds: +((t2 - t1) / 1000).toFixed(2),
          reopenSeconds: +((t4 - t3) / 1000).toFixed(2),
          feedersGetSeconds: +((t5 - t4) / 1000).toFixed(2),
          feedersGet: shown.ok ? `${(shown.value as JsonText).text.length} characters of JSON` : shown.error.code,
          totalSeconds: +((t5 - t0) / 1000).toFixed(2),
          cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
          ...seen,
          idleMaxPingMs: baseline.maxPingMs,
          idleP99PingMs: baseline.p99PingMs,
          idleLongestStallMs: baseline.longestStallMs,
        };
      } finally {
        // Stopped on every path: a timer left running keeps this process alive, and the runner
        // would wait for it until its timeout (what looked like a hung 1M CSV-pair case).
        idle?.stop();
        watch?.stop();
        backend.close();
      }
    },
  };
}

const cases: BenchCase[] = SIZES.flatMap((buses) => [importCase(buses, 'dss'), importCase(buses, 'csv-pair')]);

export default cases;
