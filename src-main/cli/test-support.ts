/** Helpers the CLI's tests share (not imported by product code). */
import type { CliIo } from './types';

/** A CliIo that keeps what a command writes (`out`, `err`), run as from `cwd`. */
export function captureIo(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}
