/**
 * Child process of the benchmark runner: `node --import tsx bench/run-case.ts <file> list` prints
 * the case names; `... <file> <index>` runs one case and prints one JSON line prefixed
 * `BENCH_RESULT ` with the record (wall time around `run()`, peak RSS of this process).
 */
import { pathToFileURL } from 'node:url';
import type { BenchCase } from './types';
import { installLdlHelperThread } from '../src-main/backend/jobs/ldl-helper-thread';
import { lastKernelSplit } from '../src-solver/sparse/wasmKernel';

// The LDLᵀ kernel on two threads as `tessera solve` runs it (TESSERA_LDL_THREADS=1: one).
const ldlThreads = installLdlHelperThread();

const [file, which] = process.argv.slice(2);
const mod = (await import(pathToFileURL(file!).href)) as { default: BenchCase[] };
const cases = mod.default;
if (which === 'list') {
  process.stdout.write(`BENCH_LIST ${JSON.stringify(cases.map((c) => c.name))}\n`);
} else {
  const c = cases[Number(which)]!;
  const t0 = performance.now();
  let extra: Record<string, unknown> = {};
  let ok = true;
  let error: string | undefined;
  try {
    extra = await c.run();
  } catch (err) {
    ok = false;
    error = err instanceof Error ? err.message : String(err);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const iterations = typeof extra.iterations === 'number' ? extra.iterations : null;
  const record = {
    name: c.name,
    size: c.size,
    ...extra,
    iterations,
    ldlThreads,
    ...(lastKernelSplit() ? { ldlLastSplit: lastKernelSplit() } : {}),
    wallSeconds,
    peakRssMb,
    ok,
    ...(error ? { error } : {}),
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(record)}\n`);
}
