/**
 * Test fixtures: `api` talks to the same backend the page uses (a direct WebSocket to the Node
 * host, or the in-memory mock with TESSERA_E2E_MOCK=1), and `project` gives each test its own
 * fresh project so state never leaks between tests. Tests that need the project commands skip,
 * with the reason, while the backend does not implement them yet.
 */
import { test as base, expect } from '@playwright/test';
import type { CommandArg, CommandName, CommandResult, ProjectSummary, Result } from '../src-main/contract';
import { mockBackend, routeToMock } from './support/mock-backend';

export const useMock = process.env.TESSERA_E2E_MOCK === '1';

export interface Api {
  invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>>;
  call<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<CommandResult<K>>;
}

/** The host's WebSocket URL with its token (playwright.config.ts sets TESSERA_HOST_TOKEN for the host it starts). */
export function hostWsUrl(baseURL: string): string {
  return `${baseURL.replace('http', 'ws')}/ws?token=${process.env.TESSERA_HOST_TOKEN ?? ''}`;
}

async function wsApi(baseURL: string): Promise<Api & { close(): void }> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(hostWsUrl(baseURL));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { kind: string; id: number; result: Result<unknown> };
    if (msg.kind === 'reply') pending.get(msg.id)?.(msg.result);
  });
  const invoke = <K extends CommandName>(command: K, arg: CommandArg<K>) =>
    new Promise<Result<CommandResult<K>>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (r: Result<unknown>) => void);
      ws.send(JSON.stringify({ id, command, arg }));
    });
  return {
    invoke,
    async call(command, arg) {
      const r = await invoke(command, arg);
      if (!r.ok) throw new Error(`${command}: ${r.error.message}`);
      return r.value;
    },
    close: () => ws.close(),
  };
}

function mockApi(): Api {
  const m = mockBackend();
  const invoke = async <K extends CommandName>(command: K, arg: CommandArg<K>) =>
    m.handle(command, arg) as Result<CommandResult<K>>;
  return {
    invoke,
    async call(command, arg) {
      const r = await invoke(command, arg);
      if (!r.ok) throw new Error(`${command}: ${r.error.message}`);
      return r.value;
    },
  };
}

export const test = base.extend<{ api: Api; project: ProjectSummary }>({
  api: async ({ page, baseURL }, use) => {
    if (useMock) {
      await routeToMock(page);
      await use(mockApi());
      return;
    }
    const api = await wsApi(baseURL!);
    await use(api);
    api.close();
  },
  project: async ({ api }, use, testInfo) => {
    const probe = await api.invoke('projects.current', null);
    test.skip(
      !probe.ok && probe.error.code === 'unknownCommand',
      'the backend does not implement the project commands yet (src-main/backend)',
    );
    const name = `e2e ${testInfo.title.replace(/[^\w ]+/g, '').slice(0, 40)} ${Date.now().toString(36)}`;
    await use(await api.call('projects.create', { name }));
  },
});

export { expect };
