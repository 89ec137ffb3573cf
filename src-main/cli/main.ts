/**
 * `tessera` — the headless command line. Commands live one per file in ./commands and are found
 * at start-up, so each feature adds its own file (import, pf, solve, bench, …).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { SOLVER_VERSION } from '../../src-solver/version';
import { CliError, type CliCommand, type CliIo } from './types';

const commandsDir = fileURLToPath(new URL('./commands', import.meta.url));

export async function loadCommands(): Promise<Map<string, CliCommand>> {
  const files = readdirSync(commandsDir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.(test|d)\.ts$/.test(f))
    .sort();
  const map = new Map<string, CliCommand>();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(commandsDir, f)).href)) as { command?: CliCommand };
    if (mod.command) map.set(mod.command.name, mod.command);
  }
  return map;
}

function helpText(commands: Map<string, CliCommand>): string {
  const width = Math.max(...[...commands.keys()].map((k) => k.length), 9);
  const lines = [...commands.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `tessera ${SOLVER_VERSION} — multi-period OPF for distribution feeders with PV and batteries`,
    '',
    'Usage: tessera <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options: --version, --help; `tessera <command> --help` for a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout(`${SOLVER_VERSION}\n`);
    return 0;
  }
  const commands = await loadCommands();
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText(commands));
    return first === undefined ? 1 : 0;
  }
  const cmd = commands.get(first);
  if (!cmd) {
    io.stderr(`tessera: unknown command "${first}". Run \`tessera --help\` for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${cmd.usage ?? `tessera ${cmd.name}`}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`tessera ${cmd.name}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  cwd: process.cwd(),
};
