// Which npm packages production code loads: the bare module specifiers of every production source
// file (src-main except tests, src-solver, src-shared, src-renderer, bin/), static imports and
// the names loaded at run time (`const moduleName = '…'` before a dynamic import). Shared by the
// unit test (tools/prod-deps.test.ts) and the pruned-install check (tools/prod-deps-check.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

export const PRODUCTION_DIRS = ['bin', 'src-main', 'src-solver', 'src-shared', 'src-renderer/src'];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mjs|js)$/.test(name) && !/\.(test|spec|bench)\.tsx?$/.test(name) && !/\.d\.ts$/.test(name))
      out.push(path);
  }
  return out;
}

export function productionFiles(root) {
  return PRODUCTION_DIRS.flatMap((d) => walk(join(root, d), []));
}

function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/** package name → the files that load it; `runtime` lists the ones loaded only at run time. */
export function productionImports(root) {
  const uses = new Map();
  const runtime = new Set();
  const add = (pkg, file) => {
    if (!pkg) return;
    if (!uses.has(pkg)) uses.set(pkg, new Set());
    uses.get(pkg).add(relative(root, file));
  };
  for (const file of productionFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm))
      if (!m[1]) add(packageOf(m[2]), file);
    for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(packageOf(m[1]), file);
    for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(packageOf(m[1]), file);
    for (const m of text.matchAll(/\bmoduleName\s*=\s*['"]([^'"]+)['"]/g)) {
      const pkg = packageOf(m[1]);
      add(pkg, file);
      if (pkg) runtime.add(pkg);
    }
  }
  return { uses, runtime };
}
