import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { hostWsUrl } from './fixtures';
import { HomePage } from './pages/home';

/** Ask the backend directly (the same Node host the page talks to) what it should show. */
async function backendInfo(baseURL: string) {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(hostWsUrl(baseURL));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = await new Promise<{
    result: { ok: boolean; value: { solver: { version: string }; examples: { id: string; title: string }[] } };
  }>((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(JSON.stringify({ id: 1, command: 'app.info', arg: null }));
  });
  ws.close();
  expect(reply.result.ok).toBe(true);
  return reply.result.value;
}

test('home screen shows what the backend supplies', async ({ page, baseURL }) => {
  mkdirSync('test-results', { recursive: true });
  const info = await backendInfo(baseURL!);
  expect(info.examples.map((e) => e.id)).toContain('ieee123');

  const home = new HomePage(page);
  await home.goto();
  await expect(home.solverVersion).toHaveText(`solver ${info.solver.version}`);
  await expect(home.examples).toHaveCount(info.examples.length);
  const ieee = info.examples.find((e) => e.id === 'ieee123')!;
  await expect(home.examples.first()).toContainText(ieee.title);
  await page.screenshot({ path: 'test-results/home.png', fullPage: true });

  // Opening the example (a project command) is covered by workspace.spec.ts.

  await home.openAbout();
  await expect(page.getByTestId('about-solver')).toHaveText(`tessera-solver ${info.solver.version}`);
  await expect(page.getByTestId('about-host')).toHaveText('Node host (browser)');
});

test('a backend error is shown, not swallowed', async ({ page, baseURL }) => {
  // An unknown command comes back as an error value with a readable message.
  await page.goto('/');
  const result = await page.evaluate(async (url) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    await new Promise((r) => (ws.onopen = r));
    return new Promise<string>((resolve) => {
      ws.onmessage = (ev) => resolve(String(ev.data));
      ws.send(JSON.stringify({ id: 7, command: 'no.such.command', arg: null }));
    });
  }, baseURL!);
  const parsed = JSON.parse(result) as {
    id: number;
    result: { ok: boolean; error: { code: string; message: string } };
  };
  expect(parsed.id).toBe(7);
  expect(parsed.result.ok).toBe(false);
  expect(parsed.result.error.code).toBe('unknownCommand');
  expect(parsed.result.error.message).toContain('no.such.command');
});
