/**
 * Every `tessera` command, one module per command in this folder, loaded only when used (so
 * `tessera --version` and `tessera solve` do not pay for the host's or the report's imports).
 * A listed name must be the module's `command.name`; main.test.ts checks that every module of
 * this folder is listed here and that the names agree.
 */
import type { CliCommand } from '../types';

type Loader = () => Promise<{ command: CliCommand }>;

export const commandModules: Readonly<Record<string, Loader>> = {
  bench: () => import('./bench'),
  examples: () => import('./examples'),
  gen: () => import('./gen'),
  host: () => import('./host'),
  import: () => import('./import'),
  pf: () => import('./pf'),
  site: () => import('./site'),
  solve: () => import('./solve'),
};
