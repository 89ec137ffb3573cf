/**
 * The preload: runs sandboxed, exposes exactly one object, `window.tessera`, implementing the
 * typed API of contract.ts over IPC. No logic here; main validates every argument. A value main
 * sends as JSON text (`{ ok: true, json }`: a stored feeder, never parsed in main) is parsed here.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandArg, CommandName, EventName, Events, Result, CommandResult, TesseraApi } from '../contract';

const api = {
  async invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>> {
    const r = (await ipcRenderer.invoke('tessera:invoke', command, arg)) as
      Result<CommandResult<K>> | { readonly ok: true; readonly json: string };
    return 'json' in r ? { ok: true, value: JSON.parse(r.json) as CommandResult<K> } : r;
  },
  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as Events[K]);
    };
    ipcRenderer.on('tessera:event', wrapped);
    return () => void ipcRenderer.removeListener('tessera:event', wrapped);
  },
} satisfies TesseraApi;

contextBridge.exposeInMainWorld('tessera', api);
