/**
 * How the renderer reaches the backend: `window.tessera` (the Electron preload) when present,
 * otherwise a WebSocket to the Node host that served this page. Both implement TesseraApi.
 */
import { HOST_MAX_MESSAGE_BYTES } from '../../../src-main/contract';
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

const MB = 1024 * 1024;

function tooLargeMessage(bytes: number | null): string {
  const size = bytes === null ? 'This request is' : `This request is ${(bytes / MB).toFixed(0)} MB:`;
  return (
    `${size} larger than the browser host accepts in one request (${HOST_MAX_MESSAGE_BYTES / MB} MB). ` +
    'Send the feeder as a .zip of its files (OpenDSS scripts compress about tenfold), or import it in ' +
    'the desktop app or with `tessera import`.'
  );
}

/** UTF-8 bytes of a string without encoding it (a 300 MB script need not be copied to be measured). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
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
      ws.onclose = (ev) => {
        socket = null;
        ready = null;
        // 1009: the host refused a message over its size limit (only reachable if the check in
        // invoke was bypassed); say so rather than "lost".
        const error: ApiError =
          ev.code === 1009
            ? { code: 'requestTooLarge', message: tooLargeMessage(null) }
            : { code: 'disconnected', message: 'The connection to the backend was lost' };
        for (const [, done] of pending) done({ ok: false, error });
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
      const text = JSON.stringify({ id, command, arg });
      const bytes = text.length > HOST_MAX_MESSAGE_BYTES / 3 ? utf8Length(text) : text.length;
      if (bytes > HOST_MAX_MESSAGE_BYTES)
        return { ok: false, error: { code: 'requestTooLarge', message: tooLargeMessage(bytes), detail: { bytes } } };
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        ws.send(text);
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
