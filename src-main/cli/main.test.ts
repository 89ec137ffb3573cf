import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOLVER_VERSION } from '../../src-solver/version';
import { commandModules } from './commands/index';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: process.cwd() },
    out,
    err,
  };
}

describe('tessera CLI', () => {
  it('prints the version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out.join('')).toBe(`${SOLVER_VERSION}\n`);
  });

  it('lists the examples as JSON', async () => {
    const c = capture();
    expect(await main(['examples', '--json'], c.io)).toBe(0);
    const list = JSON.parse(c.out.join('')) as { id: string }[];
    expect(list[0]?.id).toBe('ieee123');
  });

  it('rejects an unknown command with a clear message and exit 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "frobnicate"');
  });

  it('lists every command module of commands/ in commands/index.ts under its own name', async () => {
    const dir = fileURLToPath(new URL('./commands', import.meta.url));
    const modules = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(commandModules).sort()).toEqual(modules);
    for (const [name, load] of Object.entries(commandModules)) expect((await load()).command.name).toBe(name);
  });

  it('runs as the installed bin (bin/tessera.mjs)', () => {
    const bin = fileURLToPath(new URL('../../bin/tessera.mjs', import.meta.url));
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(SOLVER_VERSION);
    const r = spawnSync(process.execPath, [bin, 'examples'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ieee123\s+IEEE 123/);
  });
});
