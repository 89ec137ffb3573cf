/**
 * The preload: runs sandboxed, exposes exactly one object, `window.tessera`, implementing the
 * typed API of contract.ts over IPC. No logic here; main validates every argument.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandArg, CommandName, EventName, Events, Result, CommandResult, TesseraApi } from '../contract';

const api = {
  invoke<K extends CommandName>(command: K, arg: CommandArg<K>): Promise<Result<CommandResult<K>>> {
    return ipcRenderer.invoke('tessera:invoke', command, arg) as Promise<Result<CommandResult<K>>>;
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
