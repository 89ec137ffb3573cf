import { afterEach, describe, expect, it } from 'vitest';
import type { Result, TesseraApi } from '../../../src-main/contract';

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe('call()', () => {
  it('rejects with the backend error’s code, message and detail, not just its message', async () => {
    const error = {
      code: 'cannotPartition' as const,
      message: 'cut 15–117 leaves area {117} empty',
      detail: { cut: ['15', '117'] },
    };
    const api = { invoke: async (): Promise<Result<never>> => ({ ok: false, error }), on: () => () => undefined };
    (globalThis as { window?: unknown }).window = { tessera: api as unknown as TesseraApi };
    const { ApiCallError, call } = await import('./transport');
    const err: unknown = await call('scenarios.get', { id: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'cannotPartition',
      message: error.message,
      detail: error.detail,
      command: 'scenarios.get',
    });
  });
});

describe('webSocketApi (the browser host)', () => {
  class FakeSocket {
    static last: FakeSocket | null = null;
    sent: string[] = [];
    onopen: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: ((ev: { code: number }) => void) | null = null;
    onmessage: ((ev: { data: string }) => void) | null = null;
    constructor(readonly url: string) {
      FakeSocket.last = this;
      queueMicrotask(() => this.onopen?.());
    }
    send(text: string): void {
      this.sent.push(text);
    }
  }

  afterEach(() => {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
  });

  it('refuses a request larger than the host takes before sending it, saying how to send the feeder instead', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
    const { webSocketApi } = await import('./transport');
    const { HOST_MAX_MESSAGE_BYTES } = await import('../../../src-main/contract');
    const api = webSocketApi('ws://127.0.0.1:1/ws');
    // Mostly two-byte characters: its UTF-16 length is under the limit, its UTF-8 size is over.
    const text = 'é'.repeat(Math.ceil(HOST_MAX_MESSAGE_BYTES / 2) + 10);
    expect(text.length).toBeLessThan(HOST_MAX_MESSAGE_BYTES);
    const r = await api.invoke('import.preview', { files: [{ name: 'Master.dss', text }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('requestTooLarge');
      expect(r.error.message).toMatch(/100 MB/);
      expect(r.error.message).toMatch(/\.zip/);
      expect((r.error.detail as { bytes: number }).bytes).toBeGreaterThan(HOST_MAX_MESSAGE_BYTES);
    }
    expect(FakeSocket.last?.sent ?? []).toHaveLength(0);

    // A request under the limit is sent and answered as usual.
    const small = api.invoke('scenarios.get', { id: 1 });
    await new Promise((res) => setTimeout(res, 0));
    const socket = FakeSocket.last!;
    expect(socket.sent).toHaveLength(1);
    const { id } = JSON.parse(socket.sent[0]!) as { id: number };
    socket.onmessage?.({ data: JSON.stringify({ kind: 'reply', id, result: { ok: true, value: 'x' } }) });
    expect(await small).toEqual({ ok: true, value: 'x' });
  });

  it('names a message the host closed the connection over (code 1009) instead of calling the connection lost', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
    const { webSocketApi } = await import('./transport');
    const api = webSocketApi('ws://127.0.0.1:1/ws');
    const pending = api.invoke('scenarios.get', { id: 1 });
    await new Promise((res) => setTimeout(res, 0));
    FakeSocket.last!.onclose?.({ code: 1009 });
    const r = await pending;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('requestTooLarge');
  });
});
