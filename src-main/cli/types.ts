/** What every CLI command module exports as `command` (src-main/cli/commands/<name>.ts). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `tessera --help`. */
  readonly summary: string;
  /** Full usage text for `tessera <name> --help`. */
  readonly usage?: string;
  /** Returns the process exit code (0 = success). */
  run(args: string[], io: CliIo): Promise<number> | number;
}

/** An error the CLI reports as one clear line on stderr with a non-zero exit, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
