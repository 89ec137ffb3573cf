import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's arguments (positionals allowed, unknown options refused); a parse error
 * becomes a CliError that repeats the command's usage, so every command reports it alike.
 */
export function parseCommandArgs<const T extends Options>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${usage}`);
  }
}
