/**
 * Start-up races: the app asks the backend what was open and switches to it, but a screen the
 * user picked meanwhile wins.
 */
import { expect, test } from './fixtures';

test('a screen picked while start-up is still loading is not undone by the late reply', async ({
  page,
  api,
  project,
}) => {
  // The fixture's project is open, so start-up would switch to the workspace. Hold that reply
  // back until the user has already asked for the Projects screen (as CI's timing once did).
  expect(project.name).toBeTruthy();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let heldOne = false;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage(async (m) => {
      const reply = JSON.parse(String(m)) as { kind: string; result?: { value?: { path?: string } } };
      if (!heldOne && reply.kind === 'reply' && reply.result?.value?.path === project.path) {
        heldOne = true;
        await held;
      }
      ws.send(m);
    });
  });
  await page.goto('/');
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await expect.poll(() => heldOne).toBe(true);
  release();
  await expect(page.getByRole('navigation').getByRole('button', { name: project.name })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Bundled examples' })).toBeVisible();
  await expect(page.getByTestId('workspace')).toHaveCount(0);
  expect((await api.call('projects.current', null))?.path).toBe(project.path);
});
