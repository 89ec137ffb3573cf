/**
 * The Electron main process: a thin adapter. It creates the window with a locked-down renderer
 * (contextIsolation, sandbox, no nodeIntegration, strict CSP from index.html), binds the
 * backend's commands to IPC and forwards backend events. All logic lives in src-main/backend.
 */
import { app, BrowserWindow, ipcMain, shell } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../backend/backend';
import { electronRenderPdf } from './print-to-pdf';
import { utilityAreaTransport } from './utility-area-transport';
import { utilitySitingWorker } from './utility-siting-worker';

function resourcesRoot(): string {
  // Packaged: resources are copied next to the app (electron-builder extraResources);
  // from source: the repository's resources/ folder (out/main → ../../resources).
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(__dirname, '../../resources');
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
  // Never navigate away from the app; open external links in the browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const off = backend.onAny((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send('tessera:event', event, payload);
  });
  win.on('closed', off);
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

void app.whenReady().then(() => {
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
  });
  ipcMain.handle('tessera:invoke', (event, command: unknown, arg: unknown) => {
    // Only our own window's top frame may call the backend.
    const frameUrl = event.senderFrame?.url ?? '';
    if (!frameUrl.startsWith('file:') && !(process.env.ELECTRON_RENDERER_URL && frameUrl.startsWith(process.env.ELECTRON_RENDERER_URL))) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Tessera window' } };
    }
    if (typeof command !== 'string') return { ok: false, error: { code: 'invalidArgument', message: 'command must be a string' } };
    return backend.handle(command, arg);
  });
  createWindow(backend);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(backend);
  });
  app.on('window-all-closed', () => {
    backend.close();
    if (process.platform !== 'darwin') app.quit();
  });
});
