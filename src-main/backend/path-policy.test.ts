/**
 * Host mode confines project paths to the data folder (issue #13: a page drove projects.saveAs to
 * overwrite an arbitrary file). Refusals come before any file access and read the same whether or
 * not the path exists.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectSummary } from '../contract';
import { resourcesDir } from '../paths';
import { Backend } from './backend';
import { checkProjectPath } from './path-policy';

describe('checkProjectPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-root-'));
  const outside = mkdtempSync(join(tmpdir(), 'tessera-outside-'));
  mkdirSync(join(root, 'projects'));
  symlinkSync(outside, join(root, 'projects', 'escape'));

  it('allows paths inside the root, new or existing, and anything when there is no root', () => {
    expect(checkProjectPath(root, join(root, 'projects', 'a.tessera'), 'c')).toBe(join(root, 'projects', 'a.tessera'));
    expect(checkProjectPath(root, join(root, 'new', 'deeper', 'b.tessera'), 'c')).toBe(
      join(root, 'new', 'deeper', 'b.tessera'),
    );
    expect(checkProjectPath(undefined, join(outside, 'x.tessera'), 'c')).toBe(join(outside, 'x.tessera'));
  });

  it('refuses relative paths, paths outside, .. escapes, a symlink out of the root, and the root itself', () => {
    const refused = (p: string) => {
      try {
        checkProjectPath(root, p, 'projects.open');
        return 'allowed';
      } catch (err) {
        return `${(err as { code: string }).code}`;
      }
    };
    expect(refused('relative.tessera')).toBe('invalidArgument');
    expect(refused(join(outside, 'x.tessera'))).toBe('forbidden');
    expect(refused(`${root}/projects/../../${outside.split('/').pop()}/x.tessera`)).toBe('forbidden');
    expect(refused(join(root, 'projects', 'escape', 'x.tessera'))).toBe('forbidden');
    expect(refused(root)).toBe('forbidden');
    expect(refused('/etc/passwd')).toBe('forbidden');
  });
});

describe('a confined backend (tessera host)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-hostdata-'));
  const outside = mkdtempSync(join(tmpdir(), 'tessera-victim-'));
  const backend = new Backend({ resourcesDir, dataDir, host: 'node-host', pathRoot: dataDir });
  afterAll(() => backend.close());

  it('open outside the data folder: the same refusal for an existing file, a missing one and a folder', async () => {
    writeFileSync(join(outside, 'secret.tessera'), 'secret');
    const messages = [];
    for (const path of [join(outside, 'secret.tessera'), join(outside, 'missing.tessera'), outside, '/etc/passwd']) {
      const r = await backend.handle('projects.open', { path });
      expect(r.ok).toBe(false);
      if (!r.ok) messages.push(`${r.error.code}: ${r.error.message}`);
    }
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toMatch(/^forbidden: projects.open: this Tessera host keeps projects in its data folder/);
  });

  it('create and save as may not write outside it; inside they work', async () => {
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'do not overwrite');
    expect(await backend.handle('projects.create', { name: 'x', path: join(outside, 'x.tessera') })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const created = await backend.handle('projects.create', { name: 'inside' });
    expect(created.ok).toBe(true);
    expect(await backend.handle('projects.saveAs', { path: victim, overwrite: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite');
    const copy = join(dataDir, 'projects', 'copy.tessera');
    const saved = await backend.handle('projects.saveAs', { path: copy });
    expect(saved.ok && (saved.value as ProjectSummary).path).toBe(copy);
  });
});
