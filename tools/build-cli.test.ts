/**
 * The CLI's JavaScript build (tools/build-cli.mjs) and the check that decides whether
 * bin/tessera.mjs may run it (bin/build-state.mjs).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildState } from '../bin/build-state.mjs';
import { SOLVER_VERSION } from '../src-solver/version';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('build-cli', () => {
  const outName = `cli-dist-test-${process.pid}`;
  const out = join(root, outName);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(
    'builds the CLI and the area worker to JavaScript that runs without tsx, with a manifest of its sources',
    { timeout: 120_000 },
    async () => {
      execFileSync(process.execPath, [join(root, 'tools', 'build-cli.mjs'), '--out', outName], {
        cwd: root,
        stdio: 'pipe',
      });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        files: Record<string, { size: number }>;
      };
      expect(Object.keys(manifest.files)).toEqual(
        expect.arrayContaining([
          'src-main/cli/run.ts',
          'src-solver/worker/area-worker.ts',
          'src-main/cli/commands/solve.ts',
        ]),
      );
      expect(buildState(pathToFileURL(`${root}/`), outName)).toEqual({ fresh: true });

      // Plain Node, no loader: the version, and a command that finds the bundled examples (repoRoot
      // resolved from the build folder).
      const run = (args: string[]) =>
        execFileSync(process.execPath, [join(out, 'tessera.mjs'), ...args], {
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '' },
        });
      expect(run(['--version']).trim()).toBe(SOLVER_VERSION);
      expect(run(['examples'])).toMatch(/^ieee123\s+IEEE 123/);

      // The bundled area worker starts under plain Node and answers the coordinator's protocol.
      const answer = await new Promise<{ type: string; message?: string }>((resolve, reject) => {
        const child = fork(join(out, 'area-worker.mjs'), [], {
          execArgv: [],
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        child.once('message', (m) => {
          child.kill('SIGKILL');
          resolve(m as { type: string; message?: string });
        });
        child.once('exit', (code) => reject(new Error(`area worker exited ${code}`)));
        child.send({ type: 'init', area: 0, name: 'x', kind: 'no-such-solver', spec: null });
      });
      expect(answer).toMatchObject({ type: 'error', message: 'unknown area solver "no-such-solver"' });
    },
  );
});

describe('buildState', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-build-state-'));
  const rootUrl = pathToFileURL(`${dir}/`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'out'));

  function writeBuild(files: string[]) {
    const entries = Object.fromEntries(
      files.map((f) => {
        const st = { size: readFileSync(join(dir, f)).length, mtimeMs: 0 };
        utimesSync(join(dir, f), 1_700_000_000, 1_700_000_000);
        st.mtimeMs = 1_700_000_000_000;
        return [f, st];
      }),
    );
    writeFileSync(join(dir, 'out', 'manifest.json'), JSON.stringify({ files: entries }));
  }

  it('is fresh while every source keeps its size and time, stale after an edit, a touch or a deletion, and missing without a manifest', () => {
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: false, reason: 'no build in out/' });
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 2;\n');
    writeBuild(['src/a.ts', 'src/b.ts']);
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: true });

    utimesSync(join(dir, 'src', 'b.ts'), 1_700_000_001, 1_700_000_001); // same content, touched
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: false, reason: 'src/b.ts changed since the last build' });

    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 22;\n'); // edited
    writeBuild(['src/a.ts', 'src/b.ts']);
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: true });
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 333;\n');
    utimesSync(join(dir, 'src', 'a.ts'), 1_700_000_000, 1_700_000_000); // same time, other content and size
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: false, reason: 'src/a.ts changed since the last build' });

    writeBuild(['src/a.ts', 'src/b.ts']);
    rmSync(join(dir, 'src', 'b.ts'));
    expect(buildState(rootUrl, 'out')).toEqual({ fresh: false, reason: 'src/b.ts is gone since the last build' });
  });
});
