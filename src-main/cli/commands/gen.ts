/**
 * `tessera gen scaled` — write the benchmark feeder (src-solver/examples/scaled.ts) as an example
 * folder that `tessera pf`, the app and later benchmarks open like any other project.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { exampleFolderFiles } from '../../../src-solver/examples/export';
import type { ExampleManifest } from '../../../src-solver/examples/project';
import type { Study } from '../../../src-solver/opf/study';
import { generateScaledFeeder, IEEE123_ATTACH_BUSES } from '../../../src-solver/examples/scaled';
import { parseCommandArgs } from '../args';
import { CliError, type CliCommand } from '../types';
import { openFeeder } from './pf';

/** The manifest's study fields of an OPF study (the price goes to its own profile file). */
function studyOf(s: Study | undefined): ExampleManifest['study'] {
  if (!s) return undefined;
  const { periods, dtH, startHour, objective, vMinPu, vMaxPu, alpha, terminalSoc } = s;
  return { periods, dtH, startHour, objective, vMinPu, vMaxPu, alpha, terminalSoc };
}

const USAGE = `tessera gen scaled [--copies N] [--base FEEDER] [--attach B1,B2,…] [--out DIR]

Builds N copies (default 80) of a base feeder (default the bundled ieee123 example) in a balanced
tree: copy c's children hang off its attach buses (default ${IEEE123_ATTACH_BUSES.join(', ')}) through a
0.01 + j0.02 Ω line, and every copy's loads, capacitors, PV and batteries are scaled by 1/N so the
whole feeder carries one base load. 80 copies of IEEE 123 = 10,240 buses. Writes an example folder
(example.json, feeder/linedata.csv, feeder/powerdata.csv, profiles/) to DIR (default ./<base>-x<N>).
Deterministic: the same options always give the same files.`;

export const command: CliCommand = {
  name: 'gen',
  summary: 'Generate the scaled benchmark feeder (80 × IEEE 123 = 10,240 buses) as an example folder',
  usage: USAGE,
  run(args, io) {
    const parsed = parseCommandArgs(
      args,
      {
        copies: { type: 'string', default: '80' },
        base: { type: 'string', default: 'ieee123' },
        attach: { type: 'string' },
        out: { type: 'string' },
      },
      USAGE,
    );
    const { values, positionals } = parsed;
    if (positionals.length !== 1 || positionals[0] !== 'scaled')
      throw new CliError(`expected \`gen scaled\`\n\n${USAGE}`);
    const copies = Number(values.copies);
    if (!Number.isInteger(copies) || copies < 1 || copies > 10_000)
      throw new CliError(`--copies must be a whole number 1–10000 (got "${values.copies}")`);
    const opened = openFeeder(values.base, io.cwd);
    const attachBuses = values.attach?.split(',').map((s) => s.trim());
    let files: Map<string, string>;
    try {
      const feeder = generateScaledFeeder(opened.feeder, copies, { attachBuses });
      const loadKw = feeder.loads.reduce((s, l) => s + l.pKw, 0);
      files = exampleFolderFiles(feeder, {
        title: `${copies} × ${opened.feeder.name} (${feeder.buses.length} buses)`,
        description:
          `${copies} copies of ${opened.feeder.name} in a balanced tree, each scaled by 1/${copies} ` +
          `(${feeder.buses.length} buses, ${loadKw.toFixed(1)} kW peak load, ${feeder.pv.length} PV, ${feeder.batteries.length} batteries).`,
        priceCentsPerKwh: opened.project?.priceCentsPerKwh ?? undefined,
        study: studyOf(opened.project?.study),
      });
      io.stdout(
        `${feeder.name}: ${feeder.buses.length} buses, ${feeder.branches.length} branches, ${loadKw.toFixed(3)} kW peak load\n`,
      );
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const dir = resolve(io.cwd, values.out ?? `${opened.feeder.name}-x${copies}`);
    for (const [rel, text] of files) {
      const file = join(dir, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    io.stdout(`wrote ${dir} (${[...files.keys()].join(', ')})\n`);
    return 0;
  },
};
