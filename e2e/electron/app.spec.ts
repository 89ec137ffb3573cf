import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

/**
 * Drives the packaged-from-source desktop app (out/, from `npm run build`) through Electron.
 * Electron ≥ 42 fetches its binary on first use, which needs internet; where the binary is not
 * installed this spec skips and says so instead of trying to download it.
 */
function electronBinary(): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed (npm install)' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile))
    return {
      missing: `no Electron binary has been downloaded (${pathFile} is absent; run \`npx install-electron\` with internet access)`,
    };
  const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { missing: `Electron binary ${bin} is missing` };
}

const found = electronBinary();

test('desktop app opens and shows the bundled examples from the backend', async () => {
  test.skip('missing' in found, `Electron not available: ${'missing' in found ? found.missing : ''}`);
  test.skip(!existsSync('out/main/index.js'), 'out/main/index.js not built: run `npm run build` first');
  const app = await electron.launch({ executablePath: (found as { path: string }).path, args: ['.'] });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('solver-version')).toContainText('solver ');
    await expect(page.getByRole('list', { name: 'Bundled examples' })).toContainText('IEEE 123');
    await page.screenshot({ path: 'test-results/electron-home.png' });
    // Hardening (issue #13; the rules are unit-tested in src-main/electron/security.test.ts).
    expect(page.url()).toBe('app://tessera/index.html');
    const csp = await page.evaluate(() =>
      fetch('app://tessera/index.html').then((r) => r.headers.get('content-security-policy')),
    );
    expect(csp).toContain("frame-ancestors 'none'");
    type PageGlobals = {
      open(url: string): unknown;
      navigator: { permissions: { query(q: { name: string }): Promise<{ state: string }> } };
      location: { href: string };
      tessera: { invoke(c: string, a: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
    };
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.com/') === null),
    ).toBe(true);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).navigator.permissions
          .query({ name: 'geolocation' })
          .then((s) => s.state),
      ),
    ).toBe('denied');
    await page.evaluate(() => void ((globalThis as unknown as PageGlobals).location.href = 'https://example.com/'));
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://tessera/index.html');
    // The renderer cannot name a file for Save As; the dialog is the main process's.
    const saveAs = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).tessera.invoke('projects.saveAs', {
        path: '/tmp/x.tessera',
        overwrite: true,
      }),
    );
    expect(saveAs).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  } finally {
    await app.close();
  }
});
