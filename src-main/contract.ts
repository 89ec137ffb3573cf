/**
 * The one contract between the renderer and the backend. Types only: the preload, the Electron
 * IPC binding, the Node host's WebSocket bridge and the renderer's transports all implement it.
 *
 * Commands resolve to values, never throw across the boundary: `Result<T>` carries either the
 * value or an `ApiError` with a stable `code` (Electron keeps only `message` of a thrown error).
 */

export interface ApiError {
  /** Stable, machine-readable code, e.g. 'invalidArgument', 'notFound', 'internal'. */
  readonly code: string;
  /** A sentence a planner can read. */
  readonly message: string;
  readonly detail?: unknown;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export interface SolverInfoDto {
  readonly name: string;
  readonly version: string;
}

export interface ExampleSummary {
  /** Folder name under resources/examples, e.g. 'ieee123'. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export interface AppInfo {
  readonly solver: SolverInfoDto;
  /** Where the backend runs: 'electron' (main process) or 'node-host' (development, e2e). */
  readonly host: 'electron' | 'node-host';
  readonly examples: readonly ExampleSummary[];
}

/** Command name → argument and result. Add commands here first; the compiler finds the rest. */
export interface Commands {
  'app.info': { arg: null; result: AppInfo };
  'examples.list': { arg: null; result: readonly ExampleSummary[] };
}

/** Pushed events: name → payload. */
export interface Events {
  'backend.log': { readonly level: 'info' | 'warn' | 'error'; readonly message: string };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;
export type CommandArg<K extends CommandName> = Commands[K]['arg'];
export type CommandResult<K extends CommandName> = Commands[K]['result'];

/** What the renderer sees as `window.tessera` (Electron preload) or gets from the WebSocket transport. */
export interface TesseraApi {
  invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>>;
  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void;
}

/** Wire format of the Node host's WebSocket bridge. */
export type WireRequest = { readonly id: number; readonly command: string; readonly arg: unknown };
export type WireMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly result: Result<unknown> }
  | { readonly kind: 'event'; readonly event: string; readonly payload: unknown };
