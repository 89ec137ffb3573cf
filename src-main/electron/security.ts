/**
 * The desktop app's security rules as pure functions (no `electron` import), so they are unit
 * tested without the Electron binary; main.ts wires them into Electron's hooks.
 *
 * - The renderer is served from the custom `app://tessera/` protocol (not `file://`), from the
 *   built renderer folder only, with the CSP as a response header.
 * - IPC is answered only for the top frame whose URL is exactly the app's page.
 * - Navigation, frame navigation, redirects and new windows are refused; links open in the
 *   system browser only for https URLs on an allowlist.
 * - Every permission request (camera, notifications, geolocation, …) is denied.
 * - The renderer never supplies a file path: Open and Save As go through the main process's
 *   native dialogs; `projects.open` is accepted only for a path on the recent list.
 */
import { join, normalize, sep } from 'node:path';
import type { ApiError } from '../contract';
import { contentType } from '../backend/mime';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://tessera';
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The renderer's Content-Security-Policy, sent as a header by the app:// handler. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Hosts whose https pages a link in the app may open in the system browser. */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'www.epri.com', 'opendss.epri.com', 'sourceforge.net'];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether `url` is the app's page: `app://tessera/index.html` (any #fragment), or in development
 * the electron-vite dev server's page (`devUrl`, same origin and path).
 */
export function isAppPage(url: string, devUrl?: string): boolean {
  const u = parse(url);
  if (!u || u.search !== '') return false;
  if (u.protocol === `${APP_SCHEME}:` && u.host === 'tessera' && (u.pathname === '/index.html' || u.pathname === '/'))
    return true;
  if (devUrl) {
    const d = parse(devUrl);
    return !!d && u.origin === d.origin && u.pathname === d.pathname;
  }
  return false;
}

/** The IPC sender check: the call comes from a top frame (no parent) showing the app's page. */
export function isTrustedSender(
  frame: { readonly url: string; readonly parent: unknown } | null | undefined,
  devUrl?: string,
): boolean {
  return !!frame && frame.parent === null && isAppPage(frame.url, devUrl);
}

/** Navigation inside a window (will-navigate, will-frame-navigate, will-redirect): only to the app's own page. */
export function navigationAllowed(url: string, devUrl?: string): boolean {
  return isAppPage(url, devUrl);
}

/** Whether a link may be handed to the system browser (shell.openExternal). */
export function externalUrlAllowed(url: string): boolean {
  const u = parse(url);
  return (
    !!u && u.protocol === 'https:' && u.username === '' && u.password === '' && EXTERNAL_HOSTS.includes(u.hostname)
  );
}

/** Permission requests and checks from web contents: all denied (the app needs none). */
export function permissionAllowed(_permission: string): boolean {
  return false;
}

/** The file for an app:// request inside `rendererDir`, or null (another host, escape, bad URL). */
export function appRequestFile(requestUrl: string, rendererDir: string): string | null {
  const u = parse(requestUrl);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== 'tessera') return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  const file = join(rendererDir, rel);
  return file.startsWith(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep) ? file : null;
}

/** Response headers for a file served over app://. */
export function appResponseHeaders(file: string): Record<string, string> {
  return {
    'content-type': contentType(file),
    'content-security-policy': APP_CSP,
    'x-content-type-options': 'nosniff',
  };
}

/**
 * Commands whose paths the renderer may not choose: the refusal, or null when the call may go to
 * the backend. `recentPaths`: the recent list (paths the planner already picked in a dialog).
 */
export function rendererCommandRefusal(command: string, arg: unknown, recentPaths: readonly string[]): ApiError | null {
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as Record<string, unknown>;
  const forbidden = (message: string): ApiError => ({ code: 'forbidden', message });
  switch (command) {
    case 'projects.saveAs':
      return forbidden('Save As goes through the Save dialog (projects.saveAsDialog); the window cannot name a file');
    case 'projects.create':
      return a.path === undefined
        ? null
        : forbidden('A new project goes into the projects folder; the window cannot name a file');
    case 'projects.open':
      return typeof a.path === 'string' && recentPaths.includes(a.path)
        ? null
        : forbidden('Only a project from the recent list can be opened by path; use Open a project file… for others');
    default:
      return null;
  }
}
