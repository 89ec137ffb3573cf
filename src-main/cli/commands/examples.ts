import { listExamples } from '../../backend/examples';
import { examplesDir } from '../../paths';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'examples',
  summary: 'List the bundled example projects (--json for machine-readable output)',
  usage: 'tessera examples [--json]\n\nLists the example projects bundled in resources/examples.',
  run(args, io) {
    const examples = listExamples(examplesDir);
    if (args.includes('--json')) {
      io.stdout(`${JSON.stringify(examples, null, 2)}\n`);
      return 0;
    }
    if (examples.length === 0) {
      io.stdout('No bundled examples found.\n');
      return 0;
    }
    const width = Math.max(...examples.map((e) => e.id.length));
    for (const e of examples) io.stdout(`${e.id.padEnd(width)}  ${e.title}\n${' '.repeat(width)}  ${e.description}\n`);
    return 0;
  },
};
