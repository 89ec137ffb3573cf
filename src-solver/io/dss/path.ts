/**
 * Pure path helpers for the DSS reader (no `node:path` in src-solver). They accept POSIX
 * (`/a/b.dss`) and Windows (`C:\a\b.dss`, `\\server\share\b.dss`) paths, keep the separator
 * style of the base path, and resolve `.` and `..`.
 */

/** True for `/x`, `\x`, `C:\x`, `C:/x` and `\\server\share`. */
export function isAbsolutePath(p: string): boolean {
  return /^([a-zA-Z]:)?[\\/]/.test(p);
}

function separatorOf(p: string): '/' | '\\' {
  return p.includes('\\') && !p.includes('/') ? '\\' : '/';
}

/** The folder of a file path ('' for a bare file name). */
export function dirnamePath(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (i < 0) return '';
  if (i === 0) return p[0];
  if (i === 2 && /^[a-zA-Z]:/.test(p)) return p.slice(0, 3);
  return p.slice(0, i);
}

/** Joins `rel` onto `base` (a folder) unless `rel` is absolute; normalises `.` and `..`. */
export function joinPath(base: string, rel: string): string {
  if (isAbsolutePath(rel) || base === '') return normalizePath(rel);
  const sep = separatorOf(base);
  return normalizePath(base.replace(/[\\/]+$/, '') + sep + rel);
}

export function normalizePath(p: string): string {
  const sep = separatorOf(p);
  const m = /^([a-zA-Z]:)?([\\/]*)/.exec(p)!;
  const drive = m[1] ?? '';
  const root = m[2] ? sep.repeat(m[2].length >= 2 && drive === '' && sep === '\\' ? 2 : 1) : '';
  const parts = p.slice(m[0].length).split(/[\\/]+/);
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && root !== '') continue;
    else out.push(part);
  }
  return drive + root + out.join(sep) || '.';
}
