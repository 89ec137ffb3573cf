/**
 * The Electron main process: a thin adapter. It creates the window with a locked-down renderer
 * (contextIsolation, sandbox, no nodeIntegration), serves it from the `app://` protocol with the
 * CSP as a header, binds the backend's commands to IPC and forwards backend events. The security
 * rules are pure functions in security.ts (unit-tested); all other logic lives in src-main/backend.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, type WebContents } from 'electron';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Backend } from '../backend/backend';
import { workerImport } from '../backend/import/run';
import { JsonText } from '../backend/json-text';
import { workerBaseCase } from '../backend/threephase/run';
import { LOGO_MAX_BYTES } from '../backend/report/logo';
import { electronSqliteBinding, useSqliteBinding } from '../backend/store/sqlite';
import type { ProjectSummary } from '../contract';
import { electronRenderPdf } from './print-to-pdf';
import {
  APP_ENTRY,
  APP_SCHEME,
  appRequestFile,
  appResponseHeaders,
  externalUrlAllowed,
  isTrustedSender,
  navigationAllowed,
  permissionAllowed,
  rendererCommandRefusal,
} from './security';
import { utilityAreaTransport } from './utility-area-transport';
import { utilitySitingWorker } from './utility-siting-worker';

const devUrl = process.env.ELECTRON_RENDERER_URL || undefined;
const rendererDir = join(__dirname, '../renderer');

// Must precede `ready`: app:// is a standard, secure origin (fetch, storage work as on https).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// One instance: a second launch focuses the first window instead of opening the project twice.
if (!app.requestSingleInstanceLock()) app.quit();

function resourcesRoot(): string {
  // Packaged: resources are copied next to the app (electron-builder extraResources);
  // from source: the repository's resources/ folder (out/main → ../../resources).
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(__dirname, '../../resources');
}

/** Guards for every web contents (windows, the hidden PDF window, anything created later). */
function lockDown(contents: WebContents): void {
  const refuse = (e: { preventDefault(): void }, url: string) => {
    if (!navigationAllowed(url, devUrl)) e.preventDefault();
  };
  contents.on('will-navigate', (e) => refuse(e, e.url));
  contents.on('will-frame-navigate', (e) => refuse(e, e.url));
  contents.on('will-redirect', (e) => refuse(e, e.url));
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (externalUrlAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(backend: Backend): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Tessera',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  const off = backend.onAny((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send('tessera:event', event, payload);
  });
  win.on('closed', off);
  void win.loadURL(devUrl ?? APP_ENTRY);
  return win;
}

const PROJECT_FILTERS = [{ name: 'Tessera project', extensions: ['tessera'] }];

/** Open / Save As through the native dialogs: the path comes from the planner, not the renderer. */
async function dialogCommand(backend: Backend, win: BrowserWindow | null, command: string) {
  if (command === 'projects.logoDialog') {
    const options = {
      properties: ['openFile'] as 'openFile'[],
      filters: [{ name: 'Logo (PNG or JPEG)', extensions: ['png', 'jpg', 'jpeg'] }],
    };
    const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    if (picked.canceled || !picked.filePaths[0]) return { ok: true, value: null };
    const size = statSync(picked.filePaths[0]).size;
    // Not read at all when far too big; the backend checks type, structure and the exact cap.
    if (size > 16 * LOGO_MAX_BYTES)
      return {
        ok: false,
        error: {
          code: 'invalidArgument',
          message: `logo: the file is ${(size / 1024 / 1024).toFixed(1)} MB; a logo may be at most ${LOGO_MAX_BYTES / 1024 / 1024} MB`,
        },
      };
    return backend.handle('projects.setLogo', { base64: readFileSync(picked.filePaths[0]).toString('base64') });
  }
  if (command === 'projects.openDialog') {
    const picked = win
      ? await dialog.showOpenDialog(win, { properties: ['openFile'], filters: PROJECT_FILTERS })
      : await dialog.showOpenDialog({ properties: ['openFile'], filters: PROJECT_FILTERS });
    if (picked.canceled || !picked.filePaths[0]) return { ok: true, value: null };
    return backend.handle('projects.open', { path: picked.filePaths[0] });
  }
  const current = await backend.handle('projects.current', null);
  const defaultPath = current.ok && current.value ? (current.value as ProjectSummary).path : undefined;
  const options = {
    filters: PROJECT_FILTERS,
    properties: ['showOverwriteConfirmation', 'createDirectory'] as ('showOverwriteConfirmation' | 'createDirectory')[],
    ...(defaultPath ? { defaultPath } : {}),
  };
  const picked = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  if (picked.canceled || !picked.filePath) return { ok: true, value: null };
  // The native dialog asked before replacing an existing file.
  return backend.handle('projects.saveAs', { path: picked.filePath, overwrite: true });
}

/**
 * SQLite's native addon built for Electron's ABI (src-main/backend/store/sqlite.ts): the Node
 * build in node_modules is the CLI's and the tests'. False (after telling the user) when missing.
 */
function useElectronSqlite(): boolean {
  const binding = electronSqliteBinding({
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    repoRoot: join(__dirname, '../..'),
    platform: process.platform,
    arch: process.arch,
  });
  if (!existsSync(binding)) {
    const fix = app.isPackaged
      ? 'Reinstall Tessera.'
      : 'Run `npm run electron:sqlite` (it downloads or builds it once), then `npm start`.';
    dialog.showErrorBox(
      'Tessera cannot start',
      `SQLite for Electron is missing: ${binding}

${fix}`,
    );
    return false;
  }
  useSqliteBinding(binding);
  return true;
}

void app.whenReady().then(() => {
  if (!useElectronSqlite()) {
    app.exit(1);
    return;
  }
  // The renderer, from the built folder only, with the CSP as a header (not only a meta tag).
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appRequestFile(request.url, rendererDir);
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: appResponseHeaders(file) });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  app.on('web-contents-created', (_e, contents) => lockDown(contents));

  const dataDir = join(app.getPath('userData'), 'data');
  mkdirSync(dataDir, { recursive: true });
  // Solves run in utility processes (one per area); reports print with Electron's Chromium.
  const backend = new Backend({
    resourcesDir: resourcesRoot(),
    dataDir,
    host: 'electron',
    spawnArea: utilityAreaTransport(),
    spawnSitingWorker: utilitySitingWorker,
    renderPdf: electronRenderPdf(),
    // Import previews in a worker thread of the bundled entry, so the main process never freezes.
    runImport: workerImport({ script: join(__dirname, 'import-worker.js') }),
    runBaseCase: workerBaseCase({ script: join(__dirname, 'basecase-worker.js') }),
  });
  ipcMain.handle('tessera:invoke', async (event, command: unknown, arg: unknown) => {
    // Only the top frame of our own window, showing the app's page, may call the backend.
    if (!isTrustedSender(event.senderFrame, devUrl)) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Tessera window' } };
    }
    if (typeof command !== 'string')
      return { ok: false, error: { code: 'invalidArgument', message: 'command must be a string' } };
    if (command === 'projects.openDialog' || command === 'projects.saveAsDialog' || command === 'projects.logoDialog') {
      if (arg !== null && arg !== undefined)
        return { ok: false, error: { code: 'invalidArgument', message: `${command} takes no argument` } };
      return dialogCommand(backend, BrowserWindow.fromWebContents(event.sender), command);
    }
    const recent = await backend.handle('projects.recent', null);
    const refusal = rendererCommandRefusal(
      command,
      arg,
      recent.ok ? (recent.value as { path: string }[]).map((r) => r.path) : [],
    );
    if (refusal) return { ok: false, error: refusal };
    const result = await backend.handleRaw(command, arg);
    // A stored feeder comes as JSON text: the preload parses it in the renderer, never this thread.
    return result.ok && result.value instanceof JsonText ? { ok: true, json: result.value.text } : result;
  });
  const main = createWindow(backend);
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0] ?? main;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(backend);
  });
  app.on('window-all-closed', () => {
    backend.close();
    if (process.platform !== 'darwin') app.quit();
  });
});
