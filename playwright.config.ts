import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { e2eRunDir, holdFile, HOST_LISTENING } from './e2e/support/harness';

/**
 * End-to-end tests drive the real renderer in Debian's Chromium against the Node host (the same
 * backend the Electron main process adapts). `npx playwright install` cannot download browsers
 * here, so the system Chromium is used; override with TESSERA_CHROMIUM.
 * The Electron-driven spec (e2e/electron) runs where an Electron binary is installed and skips
 * with its reason elsewhere.
 *
 * The suite starts its own host, always: on a free port the host picks (or TESSERA_E2E_PORT, which
 * then must be free), with a fresh data folder per run, and never reuses a server it did not
 * start. The port is read from the host's "listening" line into TESSERA_E2E_HOST_PORT, which the
 * workers (started after the host) inherit. The host's area processes honour the hold file
 * (e2e/support/harness.ts) that the tests of progress and cancel use.
 */
const runDir = e2eRunDir();
const hostPort = process.env.TESSERA_E2E_HOST_PORT;
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
    ...(hostPort
      ? {
          baseURL: `http://127.0.0.1:${hostPort}`,
          storageState: {
            cookies: [
              {
                name: `tessera-token-${hostPort}`,
                value: token,
                domain: '127.0.0.1',
                path: '/',
                expires: -1,
                httpOnly: true,
                secure: false,
                sameSite: 'Strict',
              },
            ],
            origins: [],
          },
        }
      : {}),
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
    command: `node bin/tessera.mjs host --port ${Number(process.env.TESSERA_E2E_PORT ?? 0)} --data "${join(runDir, 'data')}"`,
    wait: { stdout: HOST_LISTENING },
    env: { TESSERA_TEST_HOLD: holdFile() },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
