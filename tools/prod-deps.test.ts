/**
 * Production code may load only production dependencies (issue #13: `playwright-core` was loaded
 * at run time for PDF reports in host mode but was only a dev dependency, so an install without
 * dev dependencies failed at the first report). `electron` is the exception: electron-builder
 * supplies the runtime to the packaged app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionImports } from './prod-deps.mjs';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const PROVIDED_BY_THE_RUNTIME = new Set(['electron']);

describe('production dependencies', () => {
  const { uses, runtime } = productionImports(root);

  it('finds the packages production code loads, including the ones loaded at run time', () => {
    expect([...uses.keys()]).toEqual(
      expect.arrayContaining(['better-sqlite3', 'ws', 'fflate', 'react', 'tsx', 'electron']),
    );
    expect([...runtime]).toContain('playwright-core');
  });

  it('declares every one of them under dependencies', () => {
    const missing = [...uses.entries()]
      .filter(([name]) => !PROVIDED_BY_THE_RUNTIME.has(name) && !(name in pkg.dependencies))
      .map(
        ([name, files]) =>
          `${name} (${name in pkg.devDependencies ? 'only a devDependency' : 'not declared'}; loaded by ${[...files].slice(0, 3).join(', ')})`,
      );
    expect(missing).toEqual([]);
  });
});
