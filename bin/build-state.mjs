// Is the CLI's JavaScript build (tools/build-cli.mjs) up to date with the sources? It is when its
// manifest exists and every source file it lists still has the size and modification time it had
// at build time. A size+mtime check of the ~100 listed files takes about a millisecond; an edit,
// a checkout or a pull changes the time, so the build is never trusted past a source change
// (a checkout back to the same content also counts as stale: safe, only slower).
import { readFileSync, statSync } from 'node:fs';

/**
 * @param {URL} root the repository root (a directory URL ending in '/')
 * @param {string} outDir the build folder, relative to root
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function buildState(root, outDir = 'cli-dist') {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL(`${outDir}/manifest.json`, root), 'utf8'));
  } catch {
    return { fresh: false, reason: `no build in ${outDir}/` };
  }
  for (const [file, { size, mtimeMs }] of Object.entries(manifest.files ?? {})) {
    const st = statSync(new URL(file, root), { throwIfNoEntry: false });
    if (!st) return { fresh: false, reason: `${file} is gone since the last build` };
    if (st.size !== size || st.mtimeMs !== mtimeMs)
      return { fresh: false, reason: `${file} changed since the last build` };
  }
  return { fresh: true };
}
