import { randomBytes } from 'node:crypto';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive the real renderer in Debian's Chromium against the Node host (the same
 * backend the Electron main process adapts). `npx playwright install` cannot download browsers
 * here, so the system Chromium is used; override with TESSERA_CHROMIUM.
 * The Electron-driven spec (e2e/electron) runs where an Electron binary is installed and skips
 * with its reason elsewhere.
 */
const port = Number(process.env.TESSERA_E2E_PORT ?? 5199);
const chromium = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
// The host refuses requests without its per-launch token: pick one here (workers and the web
// server inherit the environment) and give the browser the cookie the host's link would set.
process.env.TESSERA_HOST_TOKEN ||= randomBytes(24).toString('base64url');
const token = process.env.TESSERA_HOST_TOKEN;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    storageState: {
      cookies: [{ name: `tessera-token-${port}`, value: token, domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }],
      origins: [],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron\//,
      use: {
        browserName: 'chromium',
        viewport: { width: 1400, height: 900 },
        launchOptions: {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--headless',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /electron\/.*\.spec\.ts/ },
  ],
  webServer: {
    command: `node bin/tessera.mjs host --port ${port} --data .tmp/e2e-data`,
    url: `http://127.0.0.1:${port}/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
