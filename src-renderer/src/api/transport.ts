/**
 * How the renderer reaches the backend: `window.tessera` (the Electron preload) when present,
 * otherwise a WebSocket to the Node host that served this page. Both implement TesseraApi.
 */
import type {
  ApiError,
  ApiErrorCode,
  CommandArg,
  CommandName,
  CommandResult,
  EventName,
  Events,
  Result,
  TesseraApi,
  WireMessage,
} from '../../../src-main/contract';

declare global {
  interface Window {
    tessera?: TesseraApi;
  }
}

export function webSocketApi(url: string): TesseraApi {
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error(`Cannot reach the Tessera backend at ${url}`));
      ws.onclose = () => {
        socket = null;
        ready = null;
        for (const [, done] of pending)
          done({ ok: false, error: { code: 'disconnected', message: 'The connection to the backend was lost' } });
        pending.clear();
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as WireMessage;
        if (msg.kind === 'reply') {
          pending.get(msg.id)?.(msg.result);
          pending.delete(msg.id);
        } else {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    return ready;
  };

  return {
    async invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>> {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch (err) {
        return { ok: false, error: { code: 'disconnected', message: (err as Error).message } };
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        ws.send(JSON.stringify({ id, command, arg }));
      });
    },
    on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
      void connect().catch(() => undefined);
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

let api: TesseraApi | null = null;

export function backend(): TesseraApi {
  if (api) return api;
  if (window.tessera) api = window.tessera;
  else {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    api = webSocketApi(`${proto}//${location.host}/ws`);
  }
  return api;
}

/** A backend error as the renderer receives it: the message a planner reads, with its code and detail kept. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly detail: unknown;
  constructor(
    readonly command: CommandName,
    error: ApiError,
  ) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** Invoke and unwrap: resolves to the value or rejects with an ApiCallError (the backend's code, message and detail). */
export async function call<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<CommandResult<K>> {
  const r = await backend().invoke(command, arg);
  if (!r.ok) throw new ApiCallError(command, r.error);
  return r.value;
}
