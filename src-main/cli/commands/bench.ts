/**
 * `tessera bench` — runs every case in bench/cases (or those matching a filter), each in its own
 * Node process so peak memory is the case's own, and writes one JSON file to bench/results/.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../paths';
import type { BenchRecord } from '../../../bench/types';
import type { CliCommand } from '../types';

const casesDir = join(repoRoot, 'bench', 'cases');
const childEntry = join(repoRoot, 'bench', 'run-case.ts');

function runChild(args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=8192', childEntry, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

function pick(stdout: string, tag: string): string | null {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tag} `));
  return line ? line.slice(tag.length + 1) : null;
}

export const command: CliCommand = {
  name: 'bench',
  summary: 'Run the benchmarks and write JSON (sizes, iterations, wall time, peak RSS) to bench/results/',
  usage:
    'tessera bench [filter…] [--out FILE] [--timeout SECONDS]\n\nRuns bench/cases/*.bench.ts; a filter keeps cases whose "file:name" contains it.',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: 'string' }, timeout: { type: 'string', default: '900' } },
    });
    const timeoutMs = Number(values.timeout) * 1000;
    const files = readdirSync(casesDir)
      .filter((f) => f.endsWith('.bench.ts'))
      .sort();
    const records: BenchRecord[] = [];
    for (const f of files) {
      const file = join(casesDir, f);
      const listed = await runChild([file, 'list'], 120_000);
      const namesJson = pick(listed.stdout, 'BENCH_LIST');
      if (!namesJson) {
        io.stderr(`bench: cannot load ${f}: ${listed.stderr.trim().split('\n').slice(-3).join(' ')}\n`);
        records.push({
          name: f,
          file: f,
          size: {},
          iterations: null,
          wallSeconds: 0,
          peakRssMb: 0,
          ok: false,
          error: 'failed to load',
        });
        continue;
      }
      const names = JSON.parse(namesJson) as string[];
      for (let i = 0; i < names.length; i++) {
        const id = `${f.replace('.bench.ts', '')}:${names[i]}`;
        if (positionals.length > 0 && !positionals.some((p) => id.includes(p))) continue;
        io.stderr(`bench: ${id} …\n`);
        const r = await runChild([file, String(i)], timeoutMs);
        const json = pick(r.stdout, 'BENCH_RESULT');
        const rec: BenchRecord = json
          ? { ...(JSON.parse(json) as BenchRecord), file: f }
          : {
              name: names[i]!,
              file: f,
              size: {},
              iterations: null,
              wallSeconds: 0,
              peakRssMb: 0,
              ok: false,
              error: r.code === null ? 'timed out or killed' : r.stderr.trim().split('\n').slice(-3).join(' '),
            };
        records.push(rec);
        io.stderr(
          `bench: ${id} ${rec.ok ? 'ok' : 'FAILED'} ${rec.wallSeconds.toFixed(3)} s, ${rec.peakRssMb.toFixed(0)} MB${rec.iterations !== null ? `, ${rec.iterations} it` : ''}${rec.error ? ` — ${rec.error}` : ''}\n`,
        );
      }
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = values.out ?? join(repoRoot, 'bench', 'results', `bench-${stamp}.json`);
    mkdirSync(join(out, '..'), { recursive: true });
    const doc = {
      createdAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '',
        totalMemMb: Math.round(totalmem() / 2 ** 20),
      },
      results: records,
    };
    writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(join(repoRoot, 'bench', 'results', 'latest.json'), `${JSON.stringify(doc, null, 2)}\n`);
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    io.stderr(`bench: wrote ${relative(io.cwd, out)}\n`);
    return records.every((r) => r.ok) ? 0 : 1;
  },
};
