/**
 * `tessera pf` — the exact AC power flow of a feeder over a horizon (src-solver/pf), printed per
 * period and written as CSV/JSON. The feeder is a bundled example id, an example folder (or its
 * example.json), an OpenDSS script (e.g. Master.dss) or a reference `linedata.csv` with its
 * `powerdata.csv` beside it.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExampleError, loadExampleProject, type ExampleProject } from '../../../src-solver/examples/project';
import { importReferenceCsv } from '../../../src-solver/io/csv/reference';
import { importDss } from '../../../src-solver/io/dss/index';
import { formatIssue } from '../../../src-solver/io/types';
import type { Feeder } from '../../../src-solver/model/feeder';
import { validateFeeder } from '../../../src-solver/model/validate';
import {
  PowerFlowError,
  PowerFlowInputError,
  solvePowerFlow,
  type PowerFlowResult,
} from '../../../src-solver/pf/powerflow';
import {
  importUnbalanced,
  scriptSourcePhases,
  solveUnbalanced,
  unbalancedPeriodJson,
} from '../../../src-solver/unbalanced/index';
import { examplesDir } from '../../paths';
import { parseCommandArgs } from '../args';
import { CliError, type CliCommand } from '../types';

/** What a feeder argument opens to: the feeder, and the example project when there is one. */
export interface OpenedFeeder {
  readonly feeder: Feeder;
  readonly project: ExampleProject | null;
  readonly source: string;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Open `<feeder>`: example id, example folder, example.json, an OpenDSS script, or reference linedata.csv. */
/** `storageSocMax`: the SOC ceiling of OpenDSS storage (OpenDSS has none); refused for other inputs. */
export function openFeeder(arg: string, cwd: string, options: { storageSocMax?: number } = {}): OpenedFeeder {
  let path = resolve(cwd, arg);
  if (!existsSync(path) && /^[\w-]+$/.test(arg) && existsSync(join(examplesDir, arg, 'example.json')))
    path = join(examplesDir, arg);
  if (!existsSync(path))
    throw new CliError(
      `no such feeder: ${arg} (give a bundled example id, an example folder, a .dss script or a linedata.csv)`,
    );
  if (statSync(path).isDirectory()) path = join(path, 'example.json');
  if (options.storageSocMax !== undefined && !path.toLowerCase().endsWith('.dss'))
    throw new CliError(
      `--soc-max applies to OpenDSS input (a .dss script), whose storage has no SOC ceiling; ${arg} carries its batteries' own limits`,
    );
  if (basename(path) === 'example.json') {
    const dir = dirname(path);
    try {
      const project = loadExampleProject(readText(path), (rel) => readText(join(dir, rel)));
      return { feeder: project.feeder, project, source: path };
    } catch (e) {
      if (e instanceof ExampleError) throw new CliError(`${path}: ${e.message}`);
      throw e;
    }
  }
  if (path.toLowerCase().endsWith('.csv')) {
    const powerdata = join(dirname(path), 'powerdata.csv');
    if (!existsSync(powerdata))
      throw new CliError(`${path}: a reference linedata.csv needs powerdata.csv in the same folder`);
    const out = importReferenceCsv(readText(path), readText(powerdata), {
      linedataFile: path,
      powerdataFile: powerdata,
    });
    if (!out.ok) throw new CliError(out.errors.map(formatIssue).join('\n'));
    return { feeder: out.feeder, project: null, source: path };
  }
  if (path.toLowerCase().endsWith('.dss')) {
    const out = importDss(path, (file) => readFileSync(file, 'utf8'), { storageSocMax: options.storageSocMax });
    if (!out.ok) throw new CliError(out.errors.map(formatIssue).join('\n'));
    return { feeder: out.feeder, project: null, source: path };
  }
  throw new CliError(
    `${path}: unrecognised feeder file (expected example.json, a folder holding one, a .dss script or linedata.csv)`,
  );
}

/**
 * The .dss script a feeder argument names when it is a three-phase feeder (its circuit has 2 or
 * more phases), else null. Balanced single-phase scripts (phases=1), example projects and CSV
 * feeders keep the balanced path.
 */
export function threePhaseScript(arg: string, cwd: string): string | null {
  const path = resolve(cwd, arg);
  if (!path.toLowerCase().endsWith('.dss') || !existsSync(path) || statSync(path).isDirectory()) return null;
  const phases = scriptSourcePhases(path, readScriptFile);
  return phases !== null && phases >= 2 ? path : null;
}

/** Script reader for the three-phase import: regular files only (no devices or FIFOs), at most 256 MB. */
export function readScriptFile(file: string): string {
  const st = statSync(file);
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > 256 * 1024 * 1024) throw new Error(`larger than 256 MB (${st.size} bytes)`);
  return readFileSync(file, 'utf8');
}

/** `tessera pf` on a three-phase feeder: the unbalanced power flow (src-solver/unbalanced). */
function runThreePhase(
  path: string,
  o: { hours?: number; json: boolean; out?: string; controls: boolean },
  io: { cwd: string; stdout: (s: string) => void },
): number {
  const imported = importUnbalanced(path, readScriptFile);
  if (!imported.ok) throw new CliError(imported.errors.slice(0, 50).map(formatIssue).join('\n'));
  const net = imported.network;
  const { periods } = solveUnbalanced(net, { hours: o.hours, controls: o.controls, elementFlows: o.out !== undefined });
  const converged = periods.every((p) => p.converged);
  const json = {
    status: converged ? ('converged' as const) : ('not converged' as const),
    feeder: net.name,
    phases: 3,
    periods: periods.map((p, k) => unbalancedPeriodJson(p, k, o.hours === undefined ? 0 : k + 1)),
  };
  if (o.out !== undefined) {
    const dir = resolve(io.cwd, o.out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pf.json'), `${JSON.stringify(json)}\n`);
    const nodes = ['period,bus,node,v_pu,angle_deg'];
    const flows = ['period,element,terminal,bus,node,amps,kw,kvar'];
    periods.forEach((p, k) => {
      for (const [bus, byNode] of Object.entries(p.nodeVoltagesPu)) {
        for (const [n, v] of Object.entries(byNode))
          nodes.push([k, csvCell(bus), n, v, p.nodeAnglesDeg[bus][n]].join(','));
      }
      for (const e of p.elements ?? []) {
        e.terminals.forEach((t, ti) =>
          t.nodes.forEach((n, c) =>
            flows.push([k, csvCell(e.element), ti + 1, csvCell(t.bus), n, t.amps[c], t.kw[c], t.kvar[c]].join(',')),
          ),
        );
      }
    });
    writeFileSync(join(dir, 'pf-nodes.csv'), `${nodes.join('\n')}\n`);
    writeFileSync(join(dir, 'pf-elements.csv'), `${flows.join('\n')}\n`);
  }
  if (o.json) io.stdout(`${JSON.stringify(json)}\n`);
  else {
    io.stdout(
      `${net.name}: three-phase, ${net.buses.size} buses, ${net.lines.length} lines, ${net.transformers.length} transformers, ` +
        `${net.loads.length} loads; ${o.hours === undefined ? 'snapshot at nominal load' : `${o.hours} hour(s) on the daily shapes`}` +
        `${o.controls && net.controlMode !== 'off' ? ', regulators and capacitor controls acting' : ', controls off'}\n`,
    );
    for (const [k, p] of periods.entries()) {
      const taps = Object.entries(p.regulatorTaps)
        .map(([n, t]) => `${n}=${t}`)
        .join(' ');
      io.stdout(
        `${o.hours === undefined ? 'snapshot' : `hour ${k + 1}`}: substation ${p.substationKw.toFixed(2)} kW ${p.substationKvar.toFixed(2)} kvar (three-phase totals), ` +
          `losses ${p.lossKw.toFixed(3)} kW, Vmin ${p.vminPu.toFixed(5)} pu (${p.vminBus}), Vmax ${p.vmaxPu.toFixed(5)} pu (${p.vmaxBus})` +
          `${taps ? `, taps ${taps}` : ''}${p.converged ? '' : ' — NOT CONVERGED'}\n`,
      );
    }
  }
  return converged ? 0 : 1;
}

function number(
  name: string,
  text: string | undefined,
  check: (x: number) => boolean,
  what: string,
): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !check(x))
    throw new CliError(`--${name} must be ${what} (got "${text}")`);
  return x;
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The JSON the CLI prints with --json and writes to pf.json. */
export function resultJson(feeder: Feeder, res: PowerFlowResult) {
  return {
    status: 'converged' as const,
    feeder: feeder.name,
    periods: res.periods.map((p) => ({
      period: p.period,
      hour: p.hour,
      substationKw: p.substationKw,
      substationKvar: p.substationKvar,
      lossKw: p.lossKw,
      lossKvar: p.lossKvar,
      vminPu: p.vmin.pu,
      vminBus: p.vmin.bus,
      vmaxPu: p.vmax.pu,
      vmaxBus: p.vmax.bus,
      iterations: p.iterations,
      maxMismatchPu: p.maxMismatchPu,
      voltagesPu: Object.fromEntries(res.busNames.map((b, i) => [b, p.vPu[i]])),
    })),
  };
}

function writeOutputs(dir: string, feeder: Feeder, res: PowerFlowResult): string[] {
  mkdirSync(dir, { recursive: true });
  const hours = res.periods.map((p) => `h${p.hour}`);
  const summary = [
    'period,hour,substation_kw,substation_kvar,loss_kw,loss_kvar,vmin_pu,vmin_bus,vmax_pu,vmax_bus,iterations,max_mismatch_pu',
    ...res.periods.map((p) =>
      [
        p.period,
        p.hour,
        p.substationKw,
        p.substationKvar,
        p.lossKw,
        p.lossKvar,
        p.vmin.pu,
        csvCell(p.vmin.bus),
        p.vmax.pu,
        csvCell(p.vmax.bus),
        p.iterations,
        p.maxMismatchPu,
      ].join(','),
    ),
  ];
  const voltages = [`bus,${hours.map((h) => `${h}_v_pu`).join(',')},${hours.map((h) => `${h}_angle_deg`).join(',')}`];
  res.busNames.forEach((b, i) => {
    voltages.push(
      [
        csvCell(b),
        ...res.periods.map((p) => p.vPu[i]),
        ...res.periods.map((p) => (p.angleRad[i] * 180) / Math.PI),
      ].join(','),
    );
  });
  const branches = ['branch,upstream_bus,period,hour,p_kw,q_kvar,i_a,loss_kw,loss_kvar'];
  for (const p of res.periods) {
    res.branchNames.forEach((name, e) => {
      branches.push(
        [
          csvCell(name),
          csvCell(res.branchUpstreamBus[e]),
          p.period,
          p.hour,
          p.branchPKw[e],
          p.branchQKvar[e],
          p.branchIA[e],
          p.branchLossKw[e],
          p.branchLossKvar[e],
        ].join(','),
      );
    });
  }
  const files: [string, string][] = [
    ['pf-summary.csv', summary.join('\n') + '\n'],
    ['pf-voltages.csv', voltages.join('\n') + '\n'],
    ['pf-branches.csv', branches.join('\n') + '\n'],
    ['pf.json', JSON.stringify(resultJson(feeder, res)) + '\n'],
  ];
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

const USAGE = `tessera pf <feeder> [--hours N] [--start H] [--load-scale X] [--pv-scale X] [--json] [--out DIR]
           [--balanced-equivalent] [--controls-off]

Exact AC power flow for every hour of the horizon. Loads follow their daily shape, PV its
irradiance shape; batteries and PV reactive power are at zero (no dispatch).

A three-phase OpenDSS script (its circuit has 2 or more phases) gets the unbalanced three-phase
power flow: a snapshot at nominal load (or --hours N on the loads' daily shapes), regulators and
capacitor controls acting as OpenDSS's static mode; --json adds per period "nodeVoltagesPu"
{bus: {node: pu}}, "lineVoltagesPu" {bus: [v12, v23, v31]}, "vuf", "regulatorTaps" and
"capacitorStates"; substationKw/Kvar are three-phase totals and "voltagesPu" the lowest phase.
--out DIR writes pf.json, pf-nodes.csv (every node's |V| pu and angle) and pf-elements.csv (per
line/transformer terminal and conductor: current, kW, kvar into the element).
--balanced-equivalent reads such a script as its balanced single-phase equivalent instead
(powers per phase); --controls-off freezes taps and capacitor states.

  <feeder>        a bundled example id (ieee123), an example folder or its example.json,
                  an OpenDSS script (Master.dss), or a reference linedata.csv with
                  powerdata.csv beside it
  --hours N       number of 1-hour periods (default 24)
  --start H       hour of day of the first period (default 0)
  --load-scale X  every load at X × its peak instead of its shape (1 = peak load)
  --pv-scale X    every PV at X × its rating instead of its shape (0 = PV off)
  --json          print {"status", "periods": [{substationKw, substationKvar, lossKw, lossKvar,
                  vminPu, vminBus, vmaxPu, vmaxBus, voltagesPu: {bus: v}}]} on stdout
  --out DIR       write pf-summary.csv, pf-voltages.csv, pf-branches.csv and pf.json to DIR
                  (default ./pf-<feeder name>; with --json only when --out is given)

Exit status: 0 solved, 1 a period did not converge (voltage collapse), 2 invalid input.`;

export const command: CliCommand = {
  name: 'pf',
  summary: 'AC power flow of a feeder per hour: voltages, losses, substation power (CSV/JSON)',
  usage: USAGE,
  run(args, io) {
    const parsed = parseCommandArgs(
      args,
      {
        hours: { type: 'string' },
        start: { type: 'string' },
        'load-scale': { type: 'string' },
        'pv-scale': { type: 'string' },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        'balanced-equivalent': { type: 'boolean', default: false },
        'controls-off': { type: 'boolean', default: false },
      },
      USAGE,
    );
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new CliError(`expected one feeder argument\n\n${USAGE}`);
    const threePhase = values['balanced-equivalent'] ? null : threePhaseScript(positionals[0], io.cwd);
    if (threePhase) {
      const hoursTp = number(
        'hours',
        values.hours,
        (x) => Number.isInteger(x) && x >= 1 && x <= 8760,
        'a whole number of hours, 1–8760',
      );
      return runThreePhase(
        threePhase,
        { hours: hoursTp, json: values.json === true, out: values.out, controls: !values['controls-off'] },
        io,
      );
    }
    const hours =
      number(
        'hours',
        values.hours,
        (x) => Number.isInteger(x) && x >= 1 && x <= 8760,
        'a whole number of hours, 1–8760',
      ) ?? 24;
    const startHour = number('start', values.start, (x) => x >= 0, 'an hour ≥ 0') ?? 0;
    const loadScale = number('load-scale', values['load-scale'], (x) => x >= 0, 'a multiplier ≥ 0');
    const pvScale = number('pv-scale', values['pv-scale'], (x) => x >= 0, 'a multiplier ≥ 0');

    const { feeder } = openFeeder(positionals[0], io.cwd);
    const errors = validateFeeder(feeder).filter((i) => i.severity === 'error');
    if (errors.length > 0)
      throw new CliError(`the feeder is not valid:\n${errors.map((i) => `  ${i.element}: ${i.message}`).join('\n')}`);

    let res: PowerFlowResult;
    try {
      res = solvePowerFlow(feeder, {
        periods: hours,
        startHour,
        loadScale: loadScale === undefined ? undefined : new Array(hours).fill(loadScale),
        pvScale: pvScale === undefined ? undefined : new Array(hours).fill(pvScale),
      });
    } catch (e) {
      if (e instanceof PowerFlowInputError) throw new CliError(e.message);
      if (e instanceof PowerFlowError) {
        if (values.json) {
          io.stdout(
            `${JSON.stringify({ status: e.reason, error: e.message, period: e.period, iteration: e.iteration, mismatchPu: e.mismatchPu, bus: e.bus, periods: [] })}\n`,
          );
        }
        throw new CliError(e.message, 1);
      }
      throw e;
    }

    const outDir =
      values.out !== undefined
        ? resolve(io.cwd, values.out)
        : values.json
          ? null
          : resolve(io.cwd, `pf-${feeder.name}`);
    const written = outDir ? writeOutputs(outDir, feeder, res) : [];
    if (values.json) {
      io.stdout(`${JSON.stringify(resultJson(feeder, res))}\n`);
      return 0;
    }
    const rows = res.periods.map((p) => [
      String(p.hour),
      p.substationKw.toFixed(2),
      p.substationKvar.toFixed(2),
      p.lossKw.toFixed(3),
      p.lossKvar.toFixed(3),
      `${p.vmin.pu.toFixed(5)} (${p.vmin.bus})`,
      `${p.vmax.pu.toFixed(5)} (${p.vmax.bus})`,
      String(p.iterations),
    ]);
    const head = ['hour', 'subst kW', 'subst kvar', 'loss kW', 'loss kvar', 'Vmin pu (bus)', 'Vmax pu (bus)', 'iter'];
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) =>
      cells
        .map((s, c) => (c >= 5 ? s.padEnd(widths[c]) : s.padStart(widths[c])))
        .join('  ')
        .trimEnd();
    io.stdout(
      `${feeder.name}: ${feeder.buses.length} buses, ${hours} period(s) from hour ${startHour}` +
        `${loadScale !== undefined ? `, loads at ${loadScale} × peak` : ''}${pvScale !== undefined ? `, PV at ${pvScale} × rating` : ''}\n`,
    );
    io.stdout(`${line(head)}\n${rows.map(line).join('\n')}\n`);
    const energy = res.periods.reduce((s, p) => s + p.lossKw, 0);
    io.stdout(`losses over the horizon: ${energy.toFixed(3)} kWh (1-hour periods)\n`);
    if (written.length > 0) io.stdout(`wrote ${written.join(', ')}\n`);
    return 0;
  },
};
