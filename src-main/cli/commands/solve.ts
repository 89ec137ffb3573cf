/**
 * `tessera solve` — the centralized multi-period OPF of a feeder (src-solver/opf): build the
 * model, solve it with the interior-point solver, validate by AC power flow, print a summary
 * table, and write JSON/CSV. Exit status: 0 solved, 1 not optimal (infeasible, iteration limit,
 * …; the summary and the reason are printed first), 2 invalid input.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importProfileCsv } from '../../../src-solver/io/csv/reference';
import { DEFAULT_MAX_ROUNDS } from '../../../src-solver/enapp/coordinator';
import { NetworkError } from '../../../src-solver/opf/network';
import { resultsToCsv, resultsToJson, type OpfResults } from '../../../src-solver/opf/results';
import { solveOpf } from '../../../src-solver/opf/solve';
import { StudyError, type Study } from '../../../src-solver/opf/study';
import { BatterySpecError, parseBatterySpec, withBatteries } from '../../../src-solver/siting/battery';
import { dayStudy } from '../../../src-solver/siting/profiles';
import { openYear } from '../year';
import { runDistributedSolve } from '../distributed-solve';
import { parseCommandArgs } from '../args';
import { CliError, type CliCommand, type CliIo } from '../types';
import { openFeeder, threePhaseScript } from './pf';
import { runThreePhaseSolve } from '../solve3';

const USAGE = `tessera solve <project|feeder> [--hours N] [--start H] [--objective cost|loss] [--relax]
              [--battery-limit box|disk] [--terminal equal|soft|free] [--vmin V] [--vmax V]
              [--current-limits [normal|emergency|off]] [--price FILE.csv] [--soc-max X] [--json out.json] [--csv DIR] [--verbose]
              [--battery BUS:KW:KWH[:KVA[:PHASES]] …] [--year-day D [--profiles DIR]]
              three-phase feeder: [--battery BUS[.PHASES]:KW:KWH[:KVA] …] [--pv BUS[.PHASES]:KW[:KVA] …]
                                  [--export-dss DIR] [--controls-off] [--vuf-max PCT]
              [--distributed [--areas FILE | --auto-areas K] [--tolerance PU] [--max-rounds N]
                             [--coordination exact|published]]

Multi-period optimal power flow (branch-flow model with PV and batteries), validated by AC power flow.

  <project|feeder>   a bundled example id (ieee123), an example folder or its example.json,
                     an OpenDSS script (Master.dss), or a reference linedata.csv
  --hours N          number of 1-hour periods (default: the project's study, else 24)
  --start H          hour of day of the first period (default 0)
  --objective K      cost (substation energy cost, default) or loss (line losses)
  --relax            SOCP relaxation of the branch-power equality (reports the relaxation gap)
  --battery-limit L  box (conservative, default) or disk (exact apparent-power limit)
  --terminal M       terminal state of charge: equal (default), soft (penalty) or free
  --vmin V, --vmax V voltage limits, pu (default 0.95, 1.05)
  --current-limits   enforce branch ampacities where the feeder has them
  --price FILE.csv   hourly price in cents/kWh: rows hour,value or a market export with hourly
                     timestamps ("2023-11-10 00:00:00",1.6; a header row is skipped); default: the project's price
  --soc-max X        SOC ceiling, 0 < X ≤ 1, of OpenDSS input's storage (OpenDSS has none; default 1)
                     and of the --battery batteries (default 0.95)
  --json FILE        write the result JSON to FILE ("-" prints it on stdout)
  --csv DIR          write periods/buses/branches/batteries/pv CSV tables to DIR
  --verbose          print the solver's iteration log
  --battery SPEC     add a battery BUS:KW:KWH[:KVA[:PHASES]] (repeatable) for a what-if, e.g. a
                     line of \`tessera site\`: inverter 1.2 × KW unless KVA is given, start at
                     62.5 %, SOC window 30–95 %, efficiencies 95 %; PHASES (1–3, default 3) is a
                     label on balanced feeders
  --year-day D       solve day D (1–365) of a year of profiles: its 24 h of load, PV and price
                     (a \`tessera site\` verified day); --profiles DIR gives the year (default: bundled)
  --distributed      solve by areas (ENApp), one process per area; prints per-round convergence
                     and a comparison with the centralized solve (see distributed-solve.ts)
  --areas FILE       cuts: CSV cutFromBus,boundaryBus (or from,to) or JSON [{from,to}];
                     default: the project's areas
  --auto-areas K     suggest K balanced areas instead
  --tolerance PU     largest boundary change between rounds that counts as converged (default 1e-3)
  --max-rounds N     round limit (default ${DEFAULT_MAX_ROUNDS})
  --coordination C   exact (default: values and prices exchanged, Anderson-accelerated; reaches
                     the centralized optimum) or published (the source papers' value-only
                     exchange: few rounds, a different point; its difference is always reported)

Three-phase OpenDSS feeder (a script whose circuit has 2 or more phases): the three-phase unbalanced
OPF (docs/spec/unbalanced-opf.md), validated per period by the three-phase power flow. Regulator taps
and capacitor states come from a snapshot power flow at nominal load with the controls acting and
are then held fixed; loads follow their daily shapes (OpenDSS daily mode: period k at hour
start + k + 1) or the --year-day profiles.
  --battery SPEC     BUS[.PHASES]:KW:KWH[:KVA] with OpenDSS phase suffixes: 675.1 single-phase on
                     phase 1, 675.1.2.3 three-phase (dispatched balanced), 684.1.3 single-phase
                     line-to-line; no suffix: all the bus's phases. Defaults as above (inverter 1.2 × KW, start 62.5 %, SOC 30–95 %, --soc-max)
  --pv SPEC          BUS[.PHASES]:KW[:KVA]: forecast output on the --year-day PV profile, else the
                     bundled example's PV shape; inverter 1.1 × KW unless KVA is given
  --export-dss DIR   write DIR/Master.dss (with the feeder's scripts copied to DIR/feeder/): the dispatch
                     as one daily LoadShape per unit, taps and capacitor states as solved, daily mode
                     for the horizon; it is read back and power-flowed to check it
  --vuf-max PCT      limit the voltage unbalance factor |V2|/|V1| of every three-phase bus (spec (U6d))
  --current-limits R limit line currents to normamps (normal, the default of a bare --current-limits)
                     or emergamps (emergency; 1.5 × normamps where only that is given), spec (U6e);
                     line-to-line voltage limits apply on delta (ungrounded) buses, spec (U6c)
  --controls-off     keep the script's taps and capacitor states instead of letting the controls set them
  --distributed      solve by areas with per-phase boundary values (node voltages down, node
                     currents up; exact: with their prices), one process per area, compared with
                     the centralized three-phase OPF and validated by the three-phase power flow;
                     --areas FILE gives the cuts (lines, parent bus first), --auto-areas K
                     suggests K balanced areas cut at lines; --csv and --export-dss are not
                     available with it yet
  --json FILE        adds per period nodeVoltagesPu {bus: {node: pu}}, per unit per-phase dispatch,
                     the validation's largest discrepancy and where (README "tessera solve")
  --csv DIR          opf3-periods.csv, opf3-node-voltages.csv, opf3-units.csv (per phase)
  --balanced-equivalent  solve a three-phase OpenDSS feeder as its balanced single-phase
                     equivalent instead (powers per phase; never applied silently)

Exit status: 0 solved, 1 not optimal (infeasible, limits reached; the reason is printed), 2 invalid input.`;

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new CliError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

function num(name: string, v: string | undefined, ok: (x: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new CliError(`--${name} must be ${what} (got "${v}")`);
  return x;
}

const f = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '—');

function summary(r: OpfResults, io: CliIo): void {
  io.stdout(`\n${r.feederName}: ${r.objectiveKind} objective, ${r.periods.length} periods — ${r.status}\n`);
  io.stdout('  hour  subst kW  subst kvar   loss kW  price $/kWh   cost $   Vmin pu  Vmax pu\n');
  for (const p of r.periods) {
    let vmin = Infinity;
    let vmax = -Infinity;
    for (const v of p.vPu) {
      vmin = Math.min(vmin, v);
      vmax = Math.max(vmax, v);
    }
    io.stdout(
      `  ${String(p.hour).padStart(4)}  ${f(p.substationKw, 1).padStart(8)}  ${f(p.substationKvar, 1).padStart(10)}  ${f(p.lossKw, 2).padStart(8)}  ${f(p.priceUsdPerKwh, 4).padStart(11)}  ${f(p.costUsd, 2).padStart(7)}  ${f(vmin, 4).padStart(8)}  ${f(vmax, 4).padStart(7)}\n`,
    );
  }
  const t = r.totals;
  io.stdout(
    `\n  totals: line loss ${f(t.lineLossKwh, 2)} kWh, substation ${f(t.substationKwh, 1)} kWh / ${f(t.substationKvarh, 1)} kvarh, ` +
      `PV ${f(t.pvKwh, 1)} kWh / ${f(t.pvKvarh, 1)} kvarh, battery ${f(t.batteryKwh, 2)} kWh / ${f(t.batteryKvarh, 1)} kvarh, ` +
      `demand ${f(t.demandKwh, 1)} kWh, cost $${f(t.costUsd, 2)}\n`,
  );
  io.stdout(
    `  objective ${r.objective.toPrecision(10)} ${r.objectiveKind === 'cost' ? 'USD' : 'kW (sum over periods)'}; largest simultaneous charge/discharge ${r.maxSimultaneousChargeDischargeKw.toExponential(2)} kW; largest relaxation gap ${r.maxRelaxationGapPu.toExponential(2)} pu\n`,
  );
  if (r.validation) {
    const v = r.validation;
    io.stdout(
      v.error
        ? `  power-flow validation failed: ${v.error}\n`
        : `  power-flow validation: max |ΔV| ${v.maxVoltageDiffPu.toExponential(2)} pu, |Δloss| ${v.maxLossDiffPu.toExponential(2)} pu, |ΔS_subs| ${v.maxSubstationDiffPu.toExponential(2)} pu\n`,
    );
  }
  io.stdout(`  solver: ${r.solver.status}, ${r.solver.iterations} iterations, ${f(r.solver.seconds, 2)} s\n`);
}

const OPTIONS = {
  hours: { type: 'string' },
  start: { type: 'string' },
  objective: { type: 'string' },
  relax: { type: 'boolean' },
  'battery-limit': { type: 'string' },
  terminal: { type: 'string' },
  vmin: { type: 'string' },
  vmax: { type: 'string' },
  'current-limits': { type: 'boolean' },
  price: { type: 'string' },
  'soc-max': { type: 'string' },
  json: { type: 'string' },
  csv: { type: 'string' },
  verbose: { type: 'boolean' },
  distributed: { type: 'boolean' },
  areas: { type: 'string' },
  'auto-areas': { type: 'string' },
  tolerance: { type: 'string' },
  'max-rounds': { type: 'string' },
  battery: { type: 'string', multiple: true },
  pv: { type: 'string', multiple: true },
  'export-dss': { type: 'string' },
  'controls-off': { type: 'boolean' },
  'vuf-max': { type: 'string' },
  coordination: { type: 'string' },
  'balanced-equivalent': { type: 'boolean' },
  'year-day': { type: 'string' },
  profiles: { type: 'string' },
} as const;

type SolveValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** The study the options ask for, on top of the project's (empty for a script). */
function buildStudy(o: SolveValues, projectStudy: Study, io: CliIo): Study {
  let price = projectStudy.priceCentsPerKwh;
  if (o.price !== undefined) {
    const text = (() => {
      try {
        return readFileSync(resolve(io.cwd, o.price), 'utf8');
      } catch (e) {
        throw new CliError(`cannot read ${o.price}: ${(e as Error).message}`);
      }
    })();
    const shape = importProfileCsv(text, 'price', o.price);
    if (!shape.ok) throw new CliError(`${o.price}: ${shape.errors.map((er) => er.message).join('; ')}`);
    price = { intervalH: shape.shape.intervalH, values: shape.shape.mult };
  }
  let study: Study = {
    ...projectStudy,
    ...(price ? { priceCentsPerKwh: price } : {}),
    periods:
      num('hours', o.hours, (x) => Number.isInteger(x) && x >= 1, 'a positive integer') ?? projectStudy.periods ?? 24,
    ...(o.start !== undefined ? { startHour: num('start', o.start, (x) => x >= 0, 'an hour ≥ 0') } : {}),
    ...(o.objective !== undefined ? { objective: oneOf('objective', o.objective, ['cost', 'loss'] as const) } : {}),
    ...(o.relax ? { relax: true } : {}),
    ...(o['battery-limit'] !== undefined
      ? { batteryLimit: oneOf('battery-limit', o['battery-limit'], ['box', 'disk'] as const) }
      : {}),
    ...(o.terminal !== undefined
      ? { terminalSoc: oneOf('terminal', o.terminal, ['equal', 'soft', 'free'] as const) }
      : {}),
    ...(o.vmin !== undefined ? { vMinPu: num('vmin', o.vmin, (x) => x > 0 && x < 2, 'a voltage in pu') } : {}),
    ...(o.vmax !== undefined ? { vMaxPu: num('vmax', o.vmax, (x) => x > 0 && x < 2, 'a voltage in pu') } : {}),
    ...(o['current-limits'] ? { currentLimits: true } : {}),
  };
  if (o['year-day'] !== undefined || o.profiles !== undefined) {
    const day = num(
      'year-day',
      o['year-day'],
      (x) => Number.isInteger(x) && x >= 1 && x <= 365,
      'a day of the year from 1 to 365',
    );
    if (day === undefined) throw new CliError('--profiles needs --year-day D (the day of that year to solve)');
    if (o.hours !== undefined || o.start !== undefined || o.price !== undefined)
      throw new CliError('--year-day sets the horizon and the profiles: leave out --hours, --start and --price');
    study = { ...study, ...dayStudy(openYear(o.profiles, io.cwd), day - 1) };
  }
  if ((study.objective ?? 'cost') === 'cost' && !study.priceCentsPerKwh)
    io.stderr('tessera solve: no price profile (give --price); the cost objective uses a flat 1 ¢/kWh\n');
  return study;
}

export const command: CliCommand = {
  name: 'solve',
  summary: 'Multi-period OPF (cost or loss) with PV and batteries, validated by AC power flow (JSON/CSV)',
  usage: USAGE,
  run(args, io) {
    // `--current-limits` may name the rating (three-phase feeders): normal, emergency or off.
    let rating: 'normal' | 'emergency' | 'off' | undefined;
    const argv: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const eq = /^--current-limits=(.*)$/.exec(a);
      if (a === '--current-limits' && ['normal', 'emergency', 'off'].includes(args[i + 1] ?? ''))
        rating = args[++i] as typeof rating;
      else if (eq) rating = oneOf('current-limits', eq[1], ['normal', 'emergency', 'off'] as const);
      else {
        argv.push(a);
        continue;
      }
      argv.push('--current-limits');
    }
    const parsed = parseCommandArgs(argv, OPTIONS, USAGE);
    const { values: o, positionals } = parsed;
    if (positionals.length !== 1) throw new CliError(`give exactly one project or feeder\n\n${USAGE}`);
    const threePhase = o['balanced-equivalent'] ? null : threePhaseScript(positionals[0]!, io.cwd);
    if (threePhase) {
      for (const [flag, set] of [['--relax', o.relax]] as const) {
        if (set)
          throw new CliError(
            `${flag} is not available for the three-phase OPF of ${positionals[0]} (add --balanced-equivalent to solve its balanced single-phase equivalent)`,
          );
      }
      const socMax3 = num('soc-max', o['soc-max'], (x) => x > 0 && x <= 1, 'a fraction in (0, 1]');
      if (o.coordination !== undefined && !o.distributed) throw new CliError('--coordination needs --distributed');
      for (const [flag, set] of [
        ['--areas', o.areas !== undefined],
        ['--auto-areas', o['auto-areas'] !== undefined],
        ['--tolerance', o.tolerance !== undefined],
        ['--max-rounds', o['max-rounds'] !== undefined],
      ] as const)
        if (set && !o.distributed) throw new CliError(`${flag} needs --distributed`);
      const distributed3 = o.distributed
        ? {
            ...(o.areas !== undefined ? { areas: o.areas } : {}),
            ...(o['auto-areas'] !== undefined
              ? {
                  autoAreas: num(
                    'auto-areas',
                    o['auto-areas'],
                    (x) => Number.isInteger(x) && x >= 2,
                    'an integer ≥ 2',
                  )!,
                }
              : {}),
            ...(o.tolerance !== undefined
              ? { tolerancePu: num('tolerance', o.tolerance, (x) => x > 0, 'a positive number')! }
              : {}),
            ...(o['max-rounds'] !== undefined
              ? {
                  maxRounds: num(
                    'max-rounds',
                    o['max-rounds'],
                    (x) => Number.isInteger(x) && x >= 1,
                    'a positive integer',
                  )!,
                }
              : {}),
            ...(o.coordination !== undefined
              ? { coordination: oneOf('coordination', o.coordination, ['exact', 'published'] as const)! }
              : {}),
          }
        : undefined;
      return runThreePhaseSolve(
        threePhase,
        buildStudy(o, {}, io),
        {
          pv: o.pv ?? [],
          battery: o.battery ?? [],
          ...(socMax3 !== undefined ? { socMax: socMax3 } : {}),
          controlsOff: o['controls-off'] === true,
          limits: {
            currentLimits: rating ?? (o['current-limits'] ? 'normal' : 'off'),
            ...(o['vuf-max'] !== undefined
              ? { vufMaxPct: num('vuf-max', o['vuf-max'], (x) => x > 0 && x < 100, 'a percentage in (0, 100)') }
              : {}),
          },
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.csv !== undefined ? { csv: o.csv } : {}),
          ...(o['export-dss'] !== undefined ? { exportDss: o['export-dss'] } : {}),
          verbose: o.verbose === true,
          ...(distributed3 ? { distributed: distributed3 } : {}),
        },
        io,
      );
    }
    if (rating === 'emergency')
      throw new CliError(
        "--current-limits emergency applies to a three-phase OpenDSS feeder (emergamps); the balanced OPF limits the feeder's ampacities (--current-limits)",
      );
    if (rating === 'off') o['current-limits'] = false;
    for (const [flag, set] of [
      ['--pv', o.pv !== undefined],
      ['--export-dss', o['export-dss'] !== undefined],
      ['--controls-off', o['controls-off']],
      ['--vuf-max', o['vuf-max'] !== undefined],
    ] as const) {
      if (set)
        throw new CliError(
          `${flag} applies to a three-phase OpenDSS feeder (the three-phase OPF); ${positionals[0]} ${o['balanced-equivalent'] ? 'is solved as its balanced equivalent' : 'is a balanced feeder'}`,
        );
    }
    // --soc-max: the SOC ceiling of OpenDSS storage (as `tessera import`; other inputs carry their
    // own and refuse it) and of the batteries added with --battery (any input).
    const socMax = num('soc-max', o['soc-max'], (x) => x > 0 && x <= 1, 'a fraction in (0, 1]');
    const capsImported =
      socMax !== undefined && (o.battery === undefined || positionals[0]!.toLowerCase().endsWith('.dss'));
    const openedAsIs = openFeeder(positionals[0]!, io.cwd, capsImported ? { storageSocMax: socMax } : {});
    let opened = openedAsIs;
    if (o.battery !== undefined) {
      try {
        opened = {
          ...openedAsIs,
          feeder: withBatteries(
            openedAsIs.feeder,
            o.battery.map(parseBatterySpec),
            socMax !== undefined ? { socMax } : {},
          ),
        };
      } catch (e) {
        if (e instanceof BatterySpecError) throw new CliError(`--battery: ${e.message}`);
        throw e;
      }
    }
    const study = buildStudy(o, opened.project?.study ?? {}, io);
    if (o.coordination !== undefined && !o.distributed) throw new CliError('--coordination needs --distributed');
    if (o.distributed)
      return runDistributedSolve(
        opened.feeder,
        study,
        {
          ...(o.areas !== undefined ? { areas: o.areas } : {}),
          ...(o['auto-areas'] !== undefined
            ? { autoAreas: num('auto-areas', o['auto-areas'], (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2') }
            : {}),
          ...(opened.project ? { projectCuts: opened.project.cuts } : {}),
          ...(o.tolerance !== undefined
            ? { tolerancePu: num('tolerance', o.tolerance, (x) => x > 0, 'a positive number') }
            : {}),
          ...(o['max-rounds'] !== undefined
            ? {
                maxRounds: num(
                  'max-rounds',
                  o['max-rounds'],
                  (x) => Number.isInteger(x) && x >= 1,
                  'a positive integer',
                ),
              }
            : {}),
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.coordination !== undefined
            ? { coordination: oneOf('coordination', o.coordination, ['exact', 'published'] as const) }
            : {}),
        },
        io,
      ).catch((e: unknown) => {
        if (e instanceof StudyError || e instanceof NetworkError) throw new CliError(e.message);
        throw e;
      });
    let out;
    try {
      out = solveOpf(
        opened.feeder,
        study,
        { nlp: { printLevel: o.verbose ? 1 : 0 } },
        { now: () => performance.now(), log: o.verbose ? (line) => io.stdout(`${line}\n`) : undefined },
      );
    } catch (e) {
      if (e instanceof StudyError || e instanceof NetworkError) throw new CliError(e.message);
      throw e;
    }
    const r = out.results;
    const jsonOnStdout = o.json === '-';
    if (!jsonOnStdout) summary(r, io);
    const doc = resultsToJson(r);
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
      for (const [name, text] of Object.entries(resultsToCsv(r))) writeFileSync(join(dir, `opf-${name}.csv`), text);
      if (!jsonOnStdout) io.stdout(`  wrote CSV tables to ${o.csv}\n`);
    }
    if (r.status !== 'solved') {
      io.stderr(`tessera solve: not optimal (${r.status}): ${r.message}\n`);
      return 1;
    }
    return 0;
  },
};
