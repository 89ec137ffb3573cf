/**
 * `tessera import <path> [--json]`: reads a feeder (OpenDSS script, Tessera CSV folder, or the
 * reference linedata/powerdata pair), validates it and prints a summary — or, with --json,
 * `{"buses","branches","loads","pv","batteries","capacitors","substationBus","warnings":[{file,line,message}]}`.
 * Invalid input exits non-zero with every error (file:line: message) on stderr.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { importReferenceCsv } from '../../../src-solver/io/csv/reference';
import { readTesseraCsv } from '../../../src-solver/io/csv/tessera';
import { importDss } from '../../../src-solver/io/dss/index';
import { formatIssue, type ImportOutcome } from '../../../src-solver/io/types';
import { busVoltageBases, importUnbalanced, type UnbalancedImportOutcome } from '../../../src-solver/unbalanced/index';
import { readScriptFile, threePhaseScript } from './pf';
import { CliError, type CliCommand } from '../types';
import { feederCounts, NO_COUNTS } from '../../../src-solver/model/counts';

const USAGE = `tessera import <path> [--json] [--base-kva N] [--soc-max X]

Reads a feeder and prints what it holds. <path> is one of
  an OpenDSS script (.dss; Redirect/Compile paths resolve against the including file),
  a folder with Master.dss,
  a Tessera CSV folder (feeder.csv, buses.csv, branches.csv, …; see docs/tessera-csv.md),
  a folder with the reference pair linedata.csv + powerdata.csv (or either file of it).
Options
  --json        machine-readable counts and warnings
  --base-kva N  per-unit power base for OpenDSS and reference-pair input (default 1000)
  --soc-max X   battery SOC ceiling for OpenDSS input, 0 < X ≤ 1 (OpenDSS has none; default 1)`;

type Kind = 'dss' | 'tessera-csv' | 'reference-csv';

function detect(path: string): { kind: Kind; path: string } {
  if (!existsSync(path)) throw new CliError(`no such file or folder: ${path}`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'feeder.csv'))) return { kind: 'tessera-csv', path };
    if (existsSync(join(path, 'linedata.csv')) && existsSync(join(path, 'powerdata.csv')))
      return { kind: 'reference-csv', path };
    if (existsSync(join(path, 'Master.dss'))) return { kind: 'dss', path: join(path, 'Master.dss') };
    throw new CliError(`${path}: no Master.dss, feeder.csv or linedata.csv/powerdata.csv in this folder`);
  }
  const name = basename(path).toLowerCase();
  if (name.endsWith('.dss')) return { kind: 'dss', path };
  if (name === 'linedata.csv' || name === 'powerdata.csv') return { kind: 'reference-csv', path: dirname(path) };
  if (name.endsWith('.csv')) return { kind: 'tessera-csv', path: dirname(path) };
  throw new CliError(`${path}: not a .dss script or a CSV feeder`);
}

/** Imports a feeder from a path (file access here; parsing in src-solver). */
export function importPath(
  path: string,
  options: { baseKva?: number; storageSocMax?: number } = {},
): ImportOutcome & { kind: Kind } {
  const found = detect(path);
  const read = (p: string) => readFileSync(p, 'utf8');
  if (found.kind === 'dss')
    return {
      kind: found.kind,
      ...importDss(found.path, read, { baseKva: options.baseKva, storageSocMax: options.storageSocMax }),
    };
  if (found.kind === 'reference-csv') {
    return {
      kind: found.kind,
      ...importReferenceCsv(read(join(found.path, 'linedata.csv')), read(join(found.path, 'powerdata.csv')), {
        linedataFile: join(found.path, 'linedata.csv'),
        powerdataFile: join(found.path, 'powerdata.csv'),
        baseKva: options.baseKva,
      }),
    };
  }
  return {
    kind: found.kind,
    ...readTesseraCsv(
      (name) => (existsSync(join(found.path, name)) ? read(join(found.path, name)) : undefined),
      found.path,
    ),
  };
}

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4).replace(/\.?0+$/, ''));

export const command: CliCommand = {
  name: 'import',
  summary: 'Read a feeder (OpenDSS, Tessera CSV, reference CSV pair) and summarise it (--json)',
  usage: USAGE,
  run(args, io) {
    const json = args.includes('--json');
    let baseKva: number | undefined;
    let socMax: number | undefined;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--json') continue;
      if (a === '--base-kva') {
        baseKva = Number(args[++i]);
        if (!(baseKva > 0)) throw new CliError(`--base-kva needs a positive number of kVA, got "${args[i] ?? ''}"`);
      } else if (a === '--soc-max') {
        socMax = Number(args[++i]);
        if (!(socMax > 0 && socMax <= 1))
          throw new CliError(`--soc-max needs a fraction in (0, 1], got "${args[i] ?? ''}"`);
      } else if (a.startsWith('--')) throw new CliError(`unknown option ${a}\n\n${USAGE}`);
      else rest.push(a);
    }
    if (rest.length !== 1) throw new CliError(`give exactly one feeder path\n\n${USAGE}`);
    const target = resolve(io.cwd, rest[0]);
    const dssTarget =
      existsSync(target) && statSync(target).isDirectory() && existsSync(join(target, 'Master.dss'))
        ? join(target, 'Master.dss')
        : target;
    const threePhasePath = threePhaseScript(dssTarget, io.cwd);
    const tp: UnbalancedImportOutcome | null = threePhasePath ? importUnbalanced(threePhasePath, readScriptFile) : null;
    const out = importPath(target, { baseKva, storageSocMax: socMax });
    let threePhase: Record<string, unknown> | null = null;
    let threePhaseLines: string[] = [];
    if (tp && tp.ok) {
      const n = tp.network;
      const t = {
        name: n.name,
        buses: n.buses.size,
        nodes: [...n.buses.values()].reduce((s, bus) => s + bus.nodes.length, 0),
        lines: n.lines.length,
        transformers: n.transformers.length,
        loads: n.loads.length,
        capacitors: n.capacitors.length,
        regulators: n.regControls.length,
        loadKw: tp.report.loadKw,
        loadKvar: tp.report.loadKvar,
        voltageBasesKv: tp.report.voltageBasesKv,
        busBases: busVoltageBases(n),
        classes: tp.report.classes,
        ignored: tp.report.ignored.map((g) => ({ file: g.file, line: g.line, element: g.element })),
        warnings: tp.warnings.map((w) => ({ file: w.file, line: w.line, message: w.message })),
      };
      threePhase = t;
      threePhaseLines = [
        `Three-phase model`,
        `  buses       ${t.buses} (${t.nodes} nodes)`,
        `  lines       ${t.lines}, transformers ${t.transformers}, regulators ${t.regulators}`,
        `  loads       ${t.loads}, ${fmt(t.loadKw)} kW, ${fmt(t.loadKvar)} kvar (three-phase totals, after allocation)`,
        `  capacitors  ${t.capacitors}`,
        `  bases       ${t.voltageBasesKv.join(', ')} kV (Set VoltageBases); buses per base (CalcVoltageBases): ${t.busBases.map((b) => `${b.kv} kV ${b.buses}`).join(', ')}`,
        `  per class   ${Object.entries(t.classes)
          .map(
            ([c, r]) =>
              `${c} ${r.imported}${r.ignored ? ` (+${r.ignored} ignored)` : ''}${r.approximated.length ? ` (${r.approximated.length} approximated)` : ''}`,
          )
          .join(', ')}`,
        ...Object.values(t.classes).flatMap((r) =>
          r.approximated.slice(0, 20).map((x) => `    approximated ${x.element}: ${x.what}`),
        ),
        ...t.ignored.map((g) => `    ignored ${g.file}:${g.line}: ${g.element}`),
        ...tp.warnings.map((w) => `    ${formatIssue(w)}`),
      ];
    } else if (tp && !tp.ok) {
      threePhase = {
        errors: tp.errors
          .slice(0, 50)
          .map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message })),
      };
      threePhaseLines = [
        `Three-phase model: not readable (${tp.errors.length} error${tp.errors.length === 1 ? '' : 's'})`,
        ...tp.errors.slice(0, 50).map((e) => `    ${formatIssue(e)}`),
      ];
    }
    if (!out.ok && threePhase && tp?.ok) {
      // The three-phase model reads it although its balanced equivalent does not: report that.
      if (json) {
        const summary = {
          ...NO_COUNTS,
          substationBus: null,
          warnings: [],
          balancedEquivalentErrors: out.errors.slice(0, 50).map(formatIssue),
          threePhase,
        };
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        io.stdout(
          `${[`Feeder ${tp.network.name} (OpenDSS, three-phase; no balanced equivalent: ${out.errors.length} error${out.errors.length === 1 ? '' : 's'})`, ...threePhaseLines].join('\n')}\n`,
        );
      }
      return 0;
    }
    if (!out.ok) {
      const shown = out.errors.slice(0, 50).map(formatIssue);
      if (out.errors.length > 50) shown.push(`… and ${out.errors.length - 50} more`);
      throw new CliError(
        `${rest[0]} is not a valid feeder (${out.errors.length} error${out.errors.length === 1 ? '' : 's'}):\n${shown.join('\n')}`,
        1,
      );
    }
    const f = out.feeder;
    if (json) {
      const summary = {
        ...feederCounts(f),
        substationBus: f.substation.bus,
        warnings: out.warnings.map((w) => ({ file: w.file, line: w.line, message: w.message })),
        ...(threePhase ? { threePhase } : {}),
      };
      io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    const kinds = ['line', 'switch', 'transformer', 'regulator']
      .map((k) => [k, f.branches.filter((b) => b.kind === k).length] as const)
      .filter(([, c]) => c > 0);
    const lines = [
      `Feeder ${f.name} (${out.kind === 'dss' ? 'OpenDSS' : out.kind === 'tessera-csv' ? 'Tessera CSV' : 'reference CSV pair'})`,
      `  substation  bus ${f.substation.bus} at ${f.substation.vSetPu} pu; base ${f.baseKva} kVA per phase`,
      `  buses       ${f.buses.length}`,
      `  branches    ${f.branches.length} (${kinds.map(([k, c]) => `${c} ${k}${c === 1 ? '' : k === 'switch' ? 'es' : 's'}`).join(', ')})`,
      `  loads       ${f.loads.length}, peak ${fmt(sum(f.loads.map((l) => l.pKw)))} kW, ${fmt(sum(f.loads.map((l) => l.qKvar)))} kvar`,
      `  capacitors  ${f.capacitors.length}, ${fmt(sum(f.capacitors.map((c) => c.qKvar)))} kvar`,
      `  PV          ${f.pv.length}, ${fmt(sum(f.pv.map((p) => p.pRatedKw)))} kW`,
      `  batteries   ${f.batteries.length}, ${fmt(sum(f.batteries.map((b) => b.pRatedKw)))} kW, ${fmt(sum(f.batteries.map((b) => b.energyKwh)))} kWh`,
      `  shapes      ${f.shapes.length}${f.shapes.length > 0 ? ` (${f.shapes.map((s) => s.name).join(', ')})` : ''}`,
    ];
    if (out.reduction) {
      const r = out.reduction;
      lines.push(
        `  reduced     ${r.sourcePhases}-phase source → balanced single-phase equivalent (powers × ${fmt(r.powerScale)})`,
      );
      if (r.largestLoadImbalance)
        lines.push(
          `              largest load phase imbalance ${(r.largestLoadImbalance.fraction * 100).toFixed(1)} % at bus ${r.largestLoadImbalance.bus}`,
        );
      for (const n of r.notes) lines.push(`              ${n.element}: ${n.message}`);
    }
    lines.push(`  warnings    ${out.warnings.length === 0 ? 'none' : out.warnings.length}`);
    for (const w of out.warnings) lines.push(`    ${formatIssue(w)}`);
    if (out.ignored.length > 0) {
      lines.push(`  ignored     ${out.ignored.length} element${out.ignored.length === 1 ? '' : 's'} not modelled`);
      for (const g of out.ignored) lines.push(`    ${g.file}:${g.line}: ${g.element}`);
    }
    lines.push(...threePhaseLines);
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};
