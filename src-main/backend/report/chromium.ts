/**
 * PDF rendering under plain Node (Node host, CLI, tests): the report's HTML printed by Chromium
 * through playwright-core — the same engine as Electron's `webContents.printToPDF`, which the
 * desktop app injects instead (src-main/electron/print-to-pdf.ts). Chromium: TESSERA_CHROMIUM or
 * /usr/bin/chromium, with the args of playwright.config.ts. One browser is started per call and
 * closed after it (a report is a rare, explicit action; no process stays behind).
 */
export type RenderPdf = (html: string) => Promise<Buffer>;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumRenderPdf(executablePath = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium'): RenderPdf {
  return async (html) => {
    // Loaded on first use, and kept out of the Electron bundle (the app prints with Electron).
    const moduleName = 'playwright-core';
    const { chromium } = (await import(/* @vite-ignore */ moduleName)) as typeof import('playwright-core');
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await browser.close();
    }
  };
}

/** Page count of a PDF: its page objects (`/Type /Page`, not `/Pages`). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
