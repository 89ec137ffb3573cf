/**
 * The report's PDF renderer in the desktop app: a hidden, sandboxed BrowserWindow (no preload, no
 * scripts — the report is static HTML and SVG) loads the HTML from a temporary file and prints it
 * with `webContents.printToPDF` (A4, backgrounds, the page's own @page size). The Node host and
 * tests print the same HTML with Chromium through playwright-core (backend/report/chromium.ts).
 */
import { BrowserWindow } from 'electron';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderPdf } from '../backend/report/chromium';

export function electronRenderPdf(): RenderPdf {
  return async (html) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const win = new BrowserWindow({
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
    });
    try {
      await win.loadFile(file);
      return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      win.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
