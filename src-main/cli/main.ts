/**
 * `tessera` — the headless command line. Commands live one per file in ./commands, listed in
 * ./commands/index.ts and loaded on demand: a command's imports cost only when it runs.
 */
import { SOLVER_VERSION } from '../../src-solver/version';
import { commandModules } from './commands/index';
import { CliError, type CliCommand, type CliIo } from './types';

/** Every command, for `tessera --help` (loads all of them). */
export async function loadCommands(): Promise<Map<string, CliCommand>> {
  const map = new Map<string, CliCommand>();
  for (const name of Object.keys(commandModules).sort()) map.set(name, await loadCommand(name));
  return map;
}

async function loadCommand(name: string): Promise<CliCommand> {
  const { command } = await commandModules[name]!();
  if (command.name !== name)
    throw new Error(`commands/index.ts lists "${name}" but the module's command is "${command.name}"`);
  return command;
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
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText(await loadCommands()));
    return first === undefined ? 1 : 0;
  }
  if (!Object.hasOwn(commandModules, first)) {
    io.stderr(`tessera: unknown command "${first}". Run \`tessera --help\` for the list.\n`);
    return 2;
  }
  const cmd = await loadCommand(first);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${cmd.usage ?? `tessera ${cmd.name}`}\n`);
    return 0;
  }
  try {
    // `solve`'s LDLᵀ factorizations on two threads where the machine has two cores
    // (TESSERA_LDL_THREADS=1: one); its area processes and `site`'s pool keep one each
    if (first === 'solve') {
      const { installLdlHelperThread } = await import('../backend/jobs/ldl-helper-thread');
      try {
        installLdlHelperThread();
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err)); // a bad TESSERA_LDL_THREADS
      }
    }
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
