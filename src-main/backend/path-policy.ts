/**
 * Where project files may be: in host mode (`tessera host`, a browser page talks to the backend)
 * only inside the data folder; a path the client sends is checked here before the file system is
 * touched at all, so a refusal says nothing about whether some other path exists. The desktop app
 * does not confine (its paths come from the native dialogs in the main process, see
 * src-main/electron/ipc-policy.ts).
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiFailure } from './errors';

/** The real path of `path`, resolving symbolic links in its longest existing prefix. */
function realish(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(basename(head));
    head = up;
  }
  let real = head;
  try {
    real = realpathSync(head);
  } catch {
    /* unreadable: keep the lexical path; the confinement check below still applies */
  }
  return tail.length ? join(real, ...tail) : real;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The absolute path for `path` when it may be used under `root` (none: no confinement), or an
 * ApiFailure: `invalidArgument` for a relative path, `forbidden` for one outside the root — with
 * the same message whether or not such a file exists.
 */
export function checkProjectPath(root: string | undefined, path: string, command: string): string {
  if (!isAbsolute(path)) throw new ApiFailure('invalidArgument', `${command}: path must be absolute, got "${path}"`);
  if (root === undefined) return path;
  const realRoot = realish(root);
  // Lexically first (no file system access for paths outside), then after resolving links.
  if (!inside(resolve(root), resolve(path)) && !inside(realRoot, resolve(path)))
    throw new ApiFailure(
      'forbidden',
      `${command}: this Tessera host keeps projects in its data folder (${root}); other paths cannot be used`,
    );
  if (!inside(realRoot, realish(path)))
    throw new ApiFailure(
      'forbidden',
      `${command}: this Tessera host keeps projects in its data folder (${root}); other paths cannot be used`,
    );
  return resolve(path);
}
