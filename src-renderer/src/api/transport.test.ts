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
