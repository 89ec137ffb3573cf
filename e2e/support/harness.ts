/**
 * The e2e harness shared by playwright.config.ts and the specs:
 *   - one folder per Playwright run (TESSERA_E2E_DIR, made when the config is first loaded in the
 *     runner; the workers inherit it) with the host's data and the hold file;
 *   - the hold of the area solver processes at a known iteration (TESSERA_TEST_HOLD, see
 *     src-solver/worker/area-worker.ts), so tests of progress and cancel do not race the solver;
 *   - hosts of a test's own (startOwnHost): a free port the host picks itself, read from its output.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This Playwright run's folder (created once, in the runner; workers inherit the variable). */
export function e2eRunDir(): string {
  process.env.TESSERA_E2E_DIR ??= mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  return process.env.TESSERA_E2E_DIR;
}

/** The line `tessera host` prints once it listens; the named group is the port it took. */
export const HOST_LISTENING = /Tessera host listening on http:\/\/127\.0\.0\.1:(?<TESSERA_E2E_HOST_PORT>\d+)/;

/** The hold file the suite's host passes to its area processes. */
export const holdFile = (): string => join(e2eRunDir(), 'hold');

/** Hold every area solve right after it reports iteration `iter` (of round `round` only, when given). */
export function holdAt(iter: number, round?: number): void {
  writeFileSync(holdFile(), round === undefined ? String(iter) : `${iter}@${round}`);
}

/** Let the held solves go on (and stop holding later ones). */
export function release(): void {
  rmSync(holdFile(), { force: true });
}

/** The areas now waiting at the hold. */
export function heldAreas(): number[] {
  const prefix = 'hold.held-';
  return readdirSync(e2eRunDir())
    .filter((f) => f.startsWith(prefix) && existsSync(join(e2eRunDir(), f)))
    .map((f) => Number(f.slice(prefix.length)))
    .sort((a, b) => a - b);
}

export interface OwnHost {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** A `tessera host` of the test's own on a free port it picks, with a fresh data folder. */
export async function startOwnHost(env: NodeJS.ProcessEnv = {}): Promise<OwnHost> {
  const dataDir = mkdtempSync(join(e2eRunDir(), 'own-host-'));
  const child = spawn(process.execPath, ['bin/tessera.mjs', 'host', '--port', '0', '--data', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    // The host shuts down gracefully on SIGTERM; SIGKILL if it does not within 10 s.
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`own host did not start in 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = HOST_LISTENING.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m.groups!.TESSERA_E2E_HOST_PORT}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`own host exited (${code}) before listening: ${out}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  child.stdout!.resume();
  return { url, process: child, stop };
}

/** Area solver processes started by this suite's Node host (descendants of the host process). */
export function hostAreaProcesses(): string[] {
  const data = join(e2eRunDir(), 'data');
  return areaProcessesUnder((p) => p.args.includes('tessera.mjs host') && p.args.includes(data));
}

/** Area solver processes descending from the processes `isRoot` picks ("pid args" each). */
export function areaProcessesUnder(isRoot: (p: { pid: number; args: string }) => boolean): string[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const procs = table
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const hosts = procs.filter(isRoot).map((p) => p.pid);
  const under = new Set(hosts);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs)
      if (under.has(p.ppid) && !under.has(p.pid)) {
        under.add(p.pid);
        grew = true;
      }
  }
  return procs.filter((p) => under.has(p.pid) && p.args.includes('area-worker')).map((p) => `${p.pid} ${p.args}`);
}
