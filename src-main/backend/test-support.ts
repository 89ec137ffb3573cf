/** Helpers the backend's tests share (not imported by product code). */
import type { Backend } from './backend';

/** A backend command's value, or an Error naming the command and the error's code and message. */
export async function call<T>(b: Backend, command: string, arg: unknown): Promise<T> {
  const r = await b.handle(command, arg);
  if (!r.ok) throw new Error(`${command}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** Whether a process with this pid exists (one owner: the solver's test support). */
export { isAlive } from '../../src-solver/testing/worker/process';
