/**
 * `tessera solve <three-phase feeder>` — the three-phase unbalanced multi-period OPF
 * (src-solver/opf3, docs/spec/unbalanced-opf.md) of an OpenDSS script whose circuit has 2 or more
 * phases: regulators and capacitors set by a snapshot power flow with controls acting (or as the
 * script has them, --controls-off), then held fixed; PV and batteries placed by --pv/--battery with
 * OpenDSS phase suffixes; validated per period by the three-phase power flow with the OPF's set
 * points; JSON and per-phase CSV tables; --export-dss writes the dispatch as an OpenDSS script set
 * and reads it back through Tessera's own importer and daily power flow to check it.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { importProfileCsv } from '../../src-solver/io/csv/reference';
import { formatIssue } from '../../src-solver/io/types';
import { StudyError, type Study } from '../../src-solver/opf/study';
import { compareNodeVoltages, exportDispatchDss } from '../../src-solver/opf3/export';
import {
  floatingBuses,
  solveThreePhaseOpf,
  type Opf3UnitSpec,
  type ThreePhaseOpfRun,
} from '../../src-solver/opf3/fromNetwork';
import { Opf3Error, type Opf3Network } from '../../src-solver/opf3/network';
import type { Opf3Period } from '../../src-solver/opf3/solve';
import type { Opf3LimitOptions } from '../../src-solver/opf3/limits';
import { parseUnitSpecs } from '../../src-solver/opf3/units';
import { validateOpf3, type Opf3Validation } from '../../src-solver/opf3/validate';
import { importUnbalanced, solveUnbalanced, type UNetwork } from '../../src-solver/unbalanced/index';
import { regulatorSteps } from '../../src-solver/unbalanced/controls';
import { examplesDir } from '../paths';
import { CliError, type CliIo } from './types';
import { readScriptFile } from './commands/pf';
import { runThreePhaseDistributed, type ThreePhaseDistributedOptions } from './distributed-solve3';

export interface ThreePhaseSolveOptions {
  readonly pv: readonly string[];
  readonly battery: readonly string[];
  readonly socMax?: number;
  readonly controlsOff: boolean;
  readonly limits: Opf3LimitOptions;
  readonly json?: string;
  readonly csv?: string;
  readonly exportDss?: string;
  readonly verbose: boolean;
  /** Solve by areas with per-phase boundary values (distributed-solve3.ts). */
  readonly distributed?: ThreePhaseDistributedOptions;
}

/** The bundled example's PV shape: the PV multiplier when the study has no PV profile. */
export const BUNDLED_PV_SHAPE = join(examplesDir, 'ieee123', 'profiles', 'pv_shape_24h.csv');

function bundledPvProfile(): NonNullable<Study['pvProfile']> {
  const shape = importProfileCsv(readFileSync(BUNDLED_PV_SHAPE, 'utf8'), 'pv', BUNDLED_PV_SHAPE);
  if (!shape.ok) throw new Error(`${BUNDLED_PV_SHAPE}: ${shape.errors.map((e) => e.message).join('; ')}`);
  return { intervalH: shape.shape.intervalH, values: shape.shape.mult };
}

const round = (x: number, d = 9): number => Number(x.toPrecision(d));

/** What the JSON and CSV writers read of a run: the network and its per-period results (a centralized run, or a distributed one's merged periods). */
export interface ThreePhaseRunView {
  readonly network: Opf3Network;
  readonly outcome: { readonly periods: readonly Opf3Period[] };
}

/** One period of the JSON: today's keys, then the per-phase node voltages as `tessera pf` writes them. */
export function periodJson(run: ThreePhaseRunView, t: number) {
  const net = run.network;
  const p = run.outcome.periods[t]!;
  const nodeVoltagesPu: Record<string, Record<string, number>> = {};
  const nodeAnglesDeg: Record<string, Record<string, number>> = {};
  const voltagesPu: Record<string, number> = {};
  let vmin = Infinity;
  let vmax = -Infinity;
  let vminBus = '';
  let vmaxBus = '';
  for (let i = 0; i < net.nFree; i++) {
    const bus = net.nodeBus[i]!;
    const node = net.nodePhase[i]!;
    (nodeVoltagesPu[bus] ??= {})[node] = p.vPu[i]!;
    (nodeAnglesDeg[bus] ??= {})[node] = p.angleDeg[i]!;
    if (!net.limited[i]) continue;
    voltagesPu[bus] = Math.min(voltagesPu[bus] ?? Infinity, p.vPu[i]!);
    if (p.vPu[i]! < vmin) [vmin, vminBus] = [p.vPu[i]!, `${bus}.${node}`];
    if (p.vPu[i]! > vmax) [vmax, vmaxBus] = [p.vPu[i]!, `${bus}.${node}`];
  }
  return {
    period: t,
    hour: p.hour,
    substationKw: p.substationKw,
    substationKvar: p.substationKvar,
    priceUsdPerKwh: net.priceUsdPerKwh[t]!,
    vminPu: vmin,
    vminBus,
    vmaxPu: vmax,
    vmaxBus,
    voltagesPu,
    nodeVoltagesPu,
    nodeAnglesDeg,
  };
}

/** The units' dispatch: totals per period and per phase (three-phase units are dispatched balanced). */
export function unitsJson(run: ThreePhaseRunView, units: readonly Opf3UnitSpec[]) {
  const periods = run.outcome.periods;
  // per phase (a third of a three-phase unit's each); a line-to-line unit under "1-3"
  const perPhase = (u: Opf3UnitSpec, kw: number[], kvar: number[]) =>
    u.connection === 'delta'
      ? { [u.phases.join('-')]: { kw, kvar } }
      : Object.fromEntries(
          u.phases.map((ph) => [
            String(ph),
            { kw: kw.map((x) => x / u.phases.length), kvar: kvar.map((x) => x / u.phases.length) },
          ]),
        );
  const pv = units
    .filter((u) => u.kind === 'pv')
    .map((u, k) => {
      const kw = periods.map((_, t) => run.network.pv[k]!.pPu[t]! * run.network.baseKva);
      const kvar = periods.map((p) => p.pvKvar[k]!);
      return {
        name: u.name,
        bus: u.bus,
        phases: u.phases,
        connection:
          u.connection === 'delta' ? 'line-to-line' : u.phases.length === 3 ? 'three-phase' : 'line-to-neutral',
        kwRated: u.pRatedKw,
        kvaRated: u.sRatedKva,
        kw,
        kvar,
        perPhase: perPhase(u, kw, kvar),
      };
    });
  const batteries = units
    .filter((u) => u.kind === 'battery')
    .map((u, k) => {
      const chargeKw = periods.map((p) => p.batteryChargeKw[k]!);
      const dischargeKw = periods.map((p) => p.batteryDischargeKw[k]!);
      const kw = periods.map((_, t) => dischargeKw[t]! - chargeKw[t]!);
      const kvar = periods.map((p) => p.batteryKvar[k]!);
      return {
        name: u.name,
        bus: u.bus,
        phases: u.phases,
        connection:
          u.connection === 'delta' ? 'line-to-line' : u.phases.length === 3 ? 'three-phase' : 'line-to-neutral',
        kwRated: u.pRatedKw,
        kvaRated: u.sRatedKva,
        kwhRated: u.energyKwh!,
        socKwh: periods.map((p) => p.batterySocKwh[k]!),
        chargeKw,
        dischargeKw,
        kvar,
        perPhase: perPhase(u, kw, kvar),
      };
    });
  return { pv, batteries };
}

function csvTables(run: ThreePhaseRunView, units: readonly Opf3UnitSpec[]): Record<string, string> {
  const net = run.network;
  const periods = run.outcome.periods;
  const summary = ['period,hour,substation_kw,substation_kvar,price_usd_per_kwh,vmin_pu,vmin_node,vmax_pu,vmax_node'];
  const nodes = ['period,hour,bus,node,v_pu,angle_deg,limited'];
  periods.forEach((p, t) => {
    const j = periodJson(run, t);
    summary.push(
      [t, p.hour, p.substationKw, p.substationKvar, j.priceUsdPerKwh, j.vminPu, j.vminBus, j.vmaxPu, j.vmaxBus].join(
        ',',
      ),
    );
    for (let i = 0; i < net.nFree; i++)
      nodes.push([t, p.hour, net.nodeBus[i], net.nodePhase[i], p.vPu[i], p.angleDeg[i], net.limited[i]].join(','));
  });
  const unitRows = ['period,hour,unit,kind,bus,phase,kw,kvar,soc_kwh'];
  const { pv, batteries } = unitsJson(run, units);
  periods.forEach((p, t) => {
    for (const u of pv)
      for (const [ph, d] of Object.entries(u.perPhase))
        unitRows.push([t, p.hour, u.name, 'pv', u.bus, ph, d.kw[t], d.kvar[t], ''].join(','));
    for (const u of batteries)
      for (const [ph, d] of Object.entries(u.perPhase))
        unitRows.push([t, p.hour, u.name, 'battery', u.bus, ph, d.kw[t], d.kvar[t], u.socKwh[t]].join(','));
  });
  return {
    'opf3-periods.csv': `${summary.join('\n')}\n`,
    'opf3-node-voltages.csv': `${nodes.join('\n')}\n`,
    'opf3-units.csv': `${unitRows.join('\n')}\n`,
  };
}

/**
 * Copies the files a script read into `dir/feeder/` (their layout below their common folder
 * kept) and returns the entry script's path relative to `dir`, with forward slashes.
 */
function copyScripts(entry: string, files: readonly string[], dir: string): string {
  const dirs = files.map((f) => dirname(f));
  let root = dirs[0] ?? dirname(entry);
  for (const d of dirs)
    while (!(d === root || d.startsWith(root.endsWith(sep) ? root : root + sep))) root = dirname(root);
  for (const f of files) {
    const to = join(dir, 'feeder', relative(root, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  return ['feeder', ...relative(root, entry).split(sep)].join('/');
}

/** The JSON's `study` fields every three-phase solve writes (centralized and distributed). */
export function studyJson(s: Opf3Network['study'], pvShape: string) {
  return {
    periods: s.periods,
    startHour: s.startHour,
    vMinPu: s.vMinPu,
    vMaxPu: s.vMaxPu,
    terminalSoc: s.terminalSoc,
    batteryLimit: s.batteryLimit,
    pvShape,
  };
}

export function runThreePhaseSolve(
  path: string,
  study: Study,
  o: ThreePhaseSolveOptions,
  io: CliIo,
): number | Promise<number> {
  const read = new Set<string>();
  const reader = (f: string): string => {
    const text = readScriptFile(f);
    read.add(resolve(f));
    return text;
  };
  const imported = importUnbalanced(path, reader);
  if (!imported.ok) throw new CliError(imported.errors.slice(0, 50).map(formatIssue).join('\n'));
  const net: UNetwork = imported.network;
  const t0 = performance.now();
  // Regulators and capacitors: a snapshot power flow at the nominal loads with the controls acting
  // (OpenDSS's static mode) sets them; the OPF holds them there (spec "Fixed, not decided").
  const controlsPf = solveUnbalanced(net, { controls: !o.controlsOff }).periods[0]!;
  if (!controlsPf.converged)
    throw new CliError(`${path}: the snapshot power flow that sets the regulators and capacitors did not converge`, 1);
  let units: Opf3UnitSpec[];
  try {
    units = parseUnitSpecs(net, o.pv, o.battery, o.socMax !== undefined ? { socMax: o.socMax } : {});
  } catch (e) {
    if (e instanceof Opf3Error) throw new CliError(e.message);
    throw e;
  }
  const usedBundledPv = study.pvProfile === undefined && o.pv.length > 0;
  const studyFull: Study = usedBundledPv ? { ...study, pvProfile: bundledPvProfile() } : study;
  if (o.distributed) {
    for (const [flag, set] of [
      ['--csv', o.csv !== undefined],
      ['--export-dss', o.exportDss !== undefined],
    ] as const)
      if (set) throw new CliError(`${flag} is not available with --distributed on a three-phase feeder yet`);
    return runThreePhaseDistributed(
      net,
      studyFull,
      units,
      o.limits,
      o.distributed,
      {
        ...(o.json !== undefined ? { json: o.json } : {}),
        pvShape: usedBundledPv ? 'bundled ieee123 PV shape' : studyFull.pvProfile ? 'study' : 'none',
      },
      io,
    ).catch((e: unknown) => {
      if (e instanceof StudyError || e instanceof Opf3Error) throw new CliError(e.message);
      throw e;
    });
  }
  let run: ThreePhaseOpfRun;
  try {
    run = solveThreePhaseOpf(net, studyFull, units, {
      limits: o.limits,
      nlp: { printLevel: o.verbose ? 1 : 0 },
      hooks: { now: () => performance.now(), ...(o.verbose ? { log: (line: string) => io.stdout(`${line}\n`) } : {}) },
    });
  } catch (e) {
    if (e instanceof StudyError || e instanceof Opf3Error) throw new CliError(e.message);
    throw e;
  }
  const solveSeconds = (performance.now() - t0) / 1000;
  const out = run.outcome;
  const s = run.network.study;
  const validation: Opf3Validation | null = out.optimal ? validateOpf3(net, run.network, out.periods, units) : null;
  const status = out.optimal ? 'solved' : out.nlp.status === 'infeasible' ? 'infeasible' : out.nlp.status;

  let exportInfo: { dir: string; master: string; maxVoltageDiffPu: number; at: string; compared: number } | null = null;
  if (o.exportDss !== undefined && out.optimal) {
    const dir = resolve(io.cwd, o.exportDss);
    mkdirSync(dir, { recursive: true });
    const feederScript = copyScripts(resolve(path), [...read], dir);
    const master = join(dir, 'Master.dss');
    const text = exportDispatchDss(net, run.network, out.periods, units, {
      feederScript,
      notes: [
        `${s.objective} objective ${out.objective}; status ${status}; written by tessera solve from ${basename(path)}`,
      ],
    });
    writeFileSync(master, text);
    // Read back through Tessera's importer and daily three-phase power flow: the exported set must
    // reproduce the OPF's node voltages (what the OpenDSS engine is asked to do).
    const back = importUnbalanced(master, readScriptFile);
    if (!back.ok)
      throw new CliError(
        `the exported ${master} does not import: ${back.errors.slice(0, 5).map(formatIssue).join('; ')}`,
        1,
      );
    const pf = solveUnbalanced(back.network, { hours: s.periods }).periods;
    const cmp = compareNodeVoltages(run.network, out.periods, pf, floatingBuses(back.network));
    exportInfo = {
      dir: o.exportDss,
      master: join(o.exportDss, 'Master.dss'),
      maxVoltageDiffPu: cmp.maxDiffPu,
      at: cmp.at,
      compared: cmp.compared,
    };
  }

  const doc = {
    status,
    feeder: net.name,
    phases: 3,
    objectiveKind: s.objective,
    objective: out.objective,
    ...(out.diagnosis ? { bindingLimit: out.diagnosis } : {}),
    study: {
      ...studyJson(s, usedBundledPv ? 'bundled ieee123 PV shape' : s.pvProfile ? 'study' : 'none'),
      vufMaxPct: o.limits.vufMaxPct ?? null,
      currentLimits: o.limits.currentLimits ?? 'off',
      /** rows per period of (U6c) line-to-line, (U6d) VUF and (U6e) current limits */
      limitRows: {
        lineToLine: run.network.limits?.lineToLine.length ?? 0,
        vuf: run.network.limits?.vuf.length ?? 0,
        current: run.network.limits?.currents.length ?? 0,
      },
    },
    controls: {
      fixedFrom: o.controlsOff ? 'script' : 'snapshot power flow with controls',
      regulatorTaps: regulatorSteps(net),
      capacitorStates: Object.fromEntries(net.capacitors.map((c) => [c.name, [...c.states]])),
    },
    solver: {
      status: out.nlp.status,
      iterations: out.nlp.iterations,
      seconds: solveSeconds,
      nlpSeconds: out.nlp.seconds,
      regionRounds: run.rounds,
      variables: out.model.problem.n,
      constraints: out.model.problem.m,
    },
    validation: validation
      ? {
          maxVoltageDiffPu: validation.maxDiffPu,
          at: validation.at,
          opfPu: validation.atOpfPu,
          powerFlowPu: validation.atPowerFlowPu,
          converged: validation.converged,
          perPeriodMaxDiffPu: validation.perPeriodMaxDiffPu,
        }
      : null,
    ...(exportInfo ? { exportDss: exportInfo } : {}),
    periods: out.periods.map((_, t) => periodJson(run, t)),
    ...unitsJson(run, units),
  };

  const jsonOnStdout = o.json === '-';
  if (!jsonOnStdout) {
    io.stdout(
      `\n${net.name}: three-phase OPF, ${s.objective} objective, ${s.periods} periods from hour ${s.startHour} — ${status}\n`,
    );
    io.stdout('  hour  subst kW  subst kvar  price $/kWh   Vmin pu (node)         Vmax pu (node)\n');
    for (const [t, p] of out.periods.entries()) {
      const j = periodJson(run, t);
      io.stdout(
        `  ${String(p.hour).padStart(4)}  ${p.substationKw.toFixed(1).padStart(8)}  ${p.substationKvar.toFixed(1).padStart(10)}  ${j.priceUsdPerKwh.toFixed(4).padStart(11)}  ` +
          `${j.vminPu.toFixed(4)} (${j.vminBus})`.padEnd(23) +
          `${j.vmaxPu.toFixed(4)} (${j.vmaxBus})\n`,
      );
    }
    io.stdout(
      `  objective ${round(out.objective, 10)} ${s.objective === 'cost' ? 'USD' : 'kW (sum over periods)'}; ${units.length} unit(s) dispatched\n`,
    );
    if (validation)
      io.stdout(
        `  power-flow validation: max |ΔV| ${validation.maxDiffPu.toExponential(2)} pu at ${validation.at}: OPF ${validation.atOpfPu.toFixed(9)}, power flow ${validation.atPowerFlowPu.toFixed(9)} pu${validation.converged ? '' : ' (a period did not converge)'}\n`,
      );
    if (exportInfo)
      io.stdout(
        `  wrote ${exportInfo.master}; read back by Tessera's importer and daily power flow: max |ΔV| ${exportInfo.maxVoltageDiffPu.toExponential(2)} pu at ${exportInfo.at}\n`,
      );
    io.stdout(
      `  solver: ${out.nlp.status}, ${out.nlp.iterations} iterations, ${solveSeconds.toFixed(2)} s (${run.rounds} region round(s))\n`,
    );
  }
  if (o.json !== undefined) {
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (jsonOnStdout) io.stdout(text);
    else {
      writeFileSync(resolve(io.cwd, o.json), text);
      io.stdout(`  wrote ${o.json}\n`);
    }
  }
  if (o.csv !== undefined) {
    const dir = resolve(io.cwd, o.csv);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(csvTables(run, units))) writeFileSync(join(dir, name), text);
    if (!jsonOnStdout) io.stdout(`  wrote CSV tables to ${o.csv}\n`);
  }
  if (!out.optimal) {
    if (o.exportDss !== undefined)
      io.stderr(`tessera solve: --export-dss ${o.exportDss}: nothing written (the OPF has no solution to export)\n`);
    io.stderr(`tessera solve: not optimal (${status}): ${out.diagnosis ?? out.nlp.message}\n`);
    return 1;
  }
  return 0;
}
