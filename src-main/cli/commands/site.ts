/**
 * `tessera site` — the BESS siting and sizing study (src-solver/siting, docs/siting.md): where on
 * a feeder to put K batteries, how large, what they save; every number from a verified OPF run,
 * the OPFs run in worker processes (one per core). Exit status: 0 done, 1 no feasible
 * configuration, 2 invalid input, 130 cancelled (Ctrl-C).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { NetworkError } from '../../../src-solver/opf/network';
import { StudyError, type Study } from '../../../src-solver/opf/study';
import { BATTERY_DEFAULTS, BatterySpecError } from '../../../src-solver/siting/battery';
import { ECONOMICS_DEFAULTS, EconomicsError, type Economics } from '../../../src-solver/siting/economics';
import type { Horizon } from '../../../src-solver/siting/evaluate';
import {
  dayStudy,
  HOURS_PER_YEAR,
  ProfileError,
  representativeDayLabel,
  representativeDays,
  yearStretchStudy,
} from '../../../src-solver/siting/profiles';
import {
  candidateOf,
  loadBuses,
  runSitingStudy,
  singleSiteConfigs,
  SitingCancelled,
  SitingError,
  sweepStudy,
  targetOf,
  type SiteEntry,
  type SitingInput,
  type SitingReport,
  type SitingTarget,
  type SizeOption,
} from '../../../src-solver/siting/study';
import { parseCandidate, threePhaseCandidates, threePhaseTarget } from '../../../src-solver/siting/threephase';
import { formatIssue } from '../../../src-solver/io/types';
import { importUnbalanced, solveUnbalanced, type UNetwork } from '../../../src-solver/unbalanced/index';
import { createSitingPool, createThreePhaseSitingPool, type SitingPool } from '../../backend/jobs/siting-pool';
import { parseCommandArgs } from '../args';
import { openYear } from '../year';
import { CliError, type CliCommand, type CliIo } from '../types';
import { openFeeder, readScriptFile, threePhaseScript } from './pf';

const USAGE = `tessera site <project|feeder> [--candidates all|FILE] [--count K] [--sizes FILE]
              [--days N | --profiles DIR | --contiguous START:HOURS] [--capex-kw X] [--capex-kwh Y]
              [--om X] [--lifetime Y] [--rate R] [--phases P] [--verify N] [--sweep]
              [--vmin V] [--vmax V] [--workers N] [--json FILE]

BESS siting and sizing: where to put K batteries, how large, and what they save. The study
screens every candidate by its marginal value (the OPF's locational marginal prices), verifies the
best with the full multi-period OPF (validated by AC power flow) and ranks by verified net benefit.

  --candidates C     all (default: every load bus) or a FILE with one bus per line (header "bus" optional)
  --count K          number of sites (default 1)
  --sizes FILE       CSV with header kw,kwh (optional kva column): the sizes to try
                     (default: 4-hour batteries at 5, 10, 20 and 30 % of the feeder's peak load)
  --days N           representative days drawn from the year by k-medoids (default 12)
  --profiles DIR     the year: load*.csv, pv*.csv, price*.csv with 8760 rows of timestamp,value or
                     hour,value (price USD/MWh, load and PV pu); default: the bundled ERCOT/DFW 2023 year
  --year Y           the calendar year of --profiles files of hour,value rows, which dates the
                     representative days (default: the files' timestamps' year, else 2023)
  --contiguous S:H   a contiguous horizon instead: H hours of the year from hour S (e.g. 0:8760)
  --capex-kw X       capital cost, USD per kW (default ${ECONOMICS_DEFAULTS.capexUsdPerKw})
  --capex-kwh Y      capital cost, USD per kWh (default ${ECONOMICS_DEFAULTS.capexUsdPerKwh})
  --om X             fixed O&M, USD per kW-year (default ${ECONOMICS_DEFAULTS.fixedOmUsdPerKwYear})
  --lifetime Y       years (default ${ECONOMICS_DEFAULTS.lifetimeYears})
  --rate R           discount rate, fraction (default ${ECONOMICS_DEFAULTS.discountRate})
  --phases P         phases of the batteries, 1–3 (default 3; a label on balanced feeders)
  --verify N         configurations verified per stage (default 10)
  --vmin V, --vmax V voltage limits of every OPF, pu (default: the project's, else 0.95, 1.05)
  --sweep            the plain what-if sweep instead: every candidate × every size, each verified
  --workers N        solver processes (default: one per core)
  --json FILE        write the report JSON to FILE ("-" prints it on stdout)

Three-phase OpenDSS feeder (a script whose circuit has 2 or more phases): the same study on the
three-phase unbalanced OPF (taps and capacitors set by the nominal-load power flow with controls,
then held). Candidates are phases of load buses, BUS.PHASE (e.g. 83.3: a single-phase unit on
phase 3); --phases 1 (default) every (load bus, phase), 3 a three-phase unit (BUS.1.2.3) at every
three-phase load bus, both the two; a bare BUS in a candidates file stands for its candidates.
Default sizes are 4-hour ladders of a third of the peak load for single-phase units.
  --controls-off         keep the script's taps and capacitor states
  --balanced-equivalent  site on the feeder's balanced single-phase equivalent instead

Batteries get the bundled example's ratios (inverter 1.2 × kW, start 62.5 %, SOC 30–95 %,
efficiencies 95 %); re-run any ranked line with tessera solve <feeder> --battery BUS:KW:KWH:KVA:PHASES
(three-phase: --battery BUS.PHASES:KW:KWH:KVA).
Exit status: 0 done, 1 no feasible configuration, 2 invalid input, 130 cancelled.`;

function num(name: string, v: string | undefined, ok: (x: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new CliError(`--${name} must be ${what} (got "${v}")`);
  return x;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** `--sizes FILE`: header kw,kwh[,kva], one size per row. */
export function parseSizesCsv(text: string, file: string): SizeOption[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (header[0] !== 'kw' || header[1] !== 'kwh' || (header.length === 3 && header[2] !== 'kva') || header.length > 3)
    throw new CliError(`${file}: header must be kw,kwh (optionally kw,kwh,kva), got "${lines[0] ?? ''}"`);
  if (lines.length < 2) throw new CliError(`${file}: no size rows under the header`);
  return lines.slice(1).map((line, k) => {
    const cells = line.split(',').map((c) => c.trim());
    const vals = cells.map(Number);
    if (cells.length !== header.length || vals.some((v, i) => cells[i] === '' || !Number.isFinite(v) || v <= 0))
      throw new CliError(
        `${file} line ${k + 2}: expected ${header.length} positive numbers (${header.join(',')}), got "${line}"`,
      );
    if (vals[2] !== undefined && vals[2] < vals[0]!)
      throw new CliError(`${file} line ${k + 2}: kva ${vals[2]} is below kw ${vals[0]}`);
    return { kw: vals[0]!, kwh: vals[1]!, ...(vals[2] !== undefined ? { kva: vals[2] } : {}) };
  });
}

/** `--candidates FILE`: one bus per line, optional header "bus"; blank lines and # comments skipped. */
export function parseCandidates(text: string): string[] {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').split(',')[0]!.trim())
    .filter((l) => l !== '');
  return rows[0]?.toLowerCase() === 'bus' ? rows.slice(1) : rows;
}

/** Default sizes: 4-hour batteries at 5, 10, 20 and 30 % of the feeder's peak load, rounded to 5 kW. */
export function defaultSizes(peakLoadKw: number): SizeOption[] {
  const kws = [0.05, 0.1, 0.2, 0.3].map((f) => Math.max(5, Math.round((f * peakLoadKw) / 5) * 5));
  return [...new Set(kws)].map((kw) => ({ kw, kwh: 4 * kw }));
}

const usd = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const f = (v: number | null, d: number): string => (v !== null && Number.isFinite(v) ? v.toFixed(d) : '—');

function printReport(r: SitingReport, io: CliIo, seconds: number, workers: number): void {
  const b = r.baseline;
  io.stdout(
    `\nbaseline: ${f(b.objective, 2)} USD over the horizon (${r.horizon.description}), ${usd(b.annualObjective)} USD/year; ` +
      `losses ${usd(b.annualLineLossKwh)} kWh/year, substation peak ${f(b.peakKw, 1)} kW\n`,
  );
  if (r.sizeCurve.length) {
    io.stdout(
      `\nbenefit versus size at ${r.ranked[0]?.sites[0]?.phaseNodes ? 'candidate' : 'bus'} ${r.sizeCurve[0]!.bus} (verified):\n      kW      kWh   savings $/yr   cost $/yr   net $/yr\n`,
    );
    for (const c of r.sizeCurve)
      io.stdout(
        `  ${f(c.kw, 0).padStart(6)}  ${f(c.kwh, 0).padStart(7)}  ${usd(c.annualSavingsUsd).padStart(13)}  ${usd(c.annualisedCostUsd).padStart(10)}  ${usd(c.netBenefitUsd).padStart(9)}${c.feasible ? '' : '  (infeasible)'}\n`,
      );
  }
  io.stdout(
    `\nranked (${r.method}; ${r.configurationsVerified} configurations verified, ${r.opfSolves} OPF solves, ${seconds.toFixed(1)} s on ${workers} process${workers > 1 ? 'es' : ''}):\n` +
      '  rank  sites (bus:kW/kWh)            savings $/yr  energy $/yr  loss kWh/yr  peak −kW  V-limit h  cost $/yr   net $/yr  payback y      NPV $\n',
  );
  for (const e of r.ranked.slice(0, 20)) {
    const sites = e.sites.map((s) => `${candidateOf(s)}:${s.kw}/${s.kwh}`).join(' ');
    io.stdout(
      e.feasible
        ? `  ${String(e.rank).padStart(4)}  ${sites.padEnd(28)}  ${usd(e.annualSavingsUsd).padStart(12)}  ${usd(e.annualEnergyCostSavingsUsd).padStart(11)}  ${usd(e.annualLossSavingsKwh).padStart(11)}  ${f(e.peakReductionKw, 1).padStart(8)}  ${f(e.voltageLimitHoursRemoved, 0).padStart(9)}  ${usd(e.annualisedCostUsd).padStart(9)}  ${usd(e.netBenefitUsd).padStart(9)}  ${f(e.simplePaybackYears, 1).padStart(9)}  ${usd(e.npvUsd).padStart(9)}\n`
        : `  ${String(e.rank).padStart(4)}  ${sites.padEnd(28)}  infeasible: ${e.failure}\n`,
    );
  }
  if (r.ranked.length > 20) io.stdout(`  … ${r.ranked.length - 20} more in the JSON\n`);
  if (r.sensitivity.length) {
    io.stdout('\nsensitivity (best configuration and its net benefit):\n');
    for (const s of r.sensitivity)
      io.stdout(
        `  ${s.case.padEnd(20)} ${s.bestSites
          .map((x) => `${candidateOf(x)}:${x.kw}/${x.kwh}`)
          .join(' ')
          .padEnd(28)} ${usd(s.netBenefitUsd).padStart(9)} $/yr\n`,
      );
  }
  if (r.marginalValue.length) {
    io.stdout('\nmarginal value (screen, USD per kW-year): ');
    io.stdout(
      `${r.marginalValue
        .slice(0, 8)
        .map((m) => `${candidateOf(m)} ${f(m.usdPerKwYear, 2)}`)
        .join(', ')} … ${candidateOf(r.marginalValue.at(-1)!)} ${f(r.marginalValue.at(-1)!.usdPerKwYear, 2)}\n`,
    );
  }
  const top = r.ranked[0];
  const part = top?.verification.parts[0];
  if (top?.feasible && part)
    io.stdout(
      `\nre-run the first line, ${part.label}: tessera solve <feeder> ${part.rerun ?? ''} ${top.solveArgs} (objective ${part.objective.toFixed(6)} USD)\n`,
    );
}

/**
 * A three-phase OpenDSS feeder for the study: its network with the taps and capacitor states the
 * worker processes will set too (the nominal-load power flow with controls, or the script's), and
 * the text of every file the import read, keyed by the path the importer asked for.
 */
function openThreePhase(
  entry: string,
  controlsOff: boolean,
): { entry: string; files: Record<string, string>; network: UNetwork } {
  const files: Record<string, string> = {};
  const out = importUnbalanced(entry, (f) => (files[f] = readScriptFile(f)));
  if (!out.ok) throw new CliError(out.errors.slice(0, 50).map(formatIssue).join('\n'));
  const pf = solveUnbalanced(out.network, { controls: !controlsOff }).periods[0];
  if (!pf?.converged)
    throw new CliError(`${entry}: the snapshot power flow that sets the regulators and capacitors did not converge`, 1);
  return { entry, files, network: out.network };
}

export const command: CliCommand = {
  name: 'site',
  summary: 'BESS siting and sizing study: ranked sites and sizes with savings, net benefit, payback (JSON)',
  usage: USAGE,
  async run(args, io) {
    const { values: o, positionals } = parseCommandArgs(
      args,
      {
        candidates: { type: 'string' },
        count: { type: 'string' },
        sizes: { type: 'string' },
        days: { type: 'string' },
        profiles: { type: 'string' },
        year: { type: 'string' },
        contiguous: { type: 'string' },
        'capex-kw': { type: 'string' },
        'capex-kwh': { type: 'string' },
        om: { type: 'string' },
        lifetime: { type: 'string' },
        rate: { type: 'string' },
        phases: { type: 'string' },
        verify: { type: 'string' },
        sweep: { type: 'boolean' },
        vmin: { type: 'string' },
        vmax: { type: 'string' },
        'controls-off': { type: 'boolean' },
        'balanced-equivalent': { type: 'boolean' },
        workers: { type: 'string' },
        json: { type: 'string' },
      },
      USAGE,
    );
    if (positionals.length !== 1) throw new CliError(`give exactly one project or feeder\n\n${USAGE}`);
    if (o.days !== undefined && o.contiguous !== undefined)
      throw new CliError('give either --days N or --contiguous START:HOURS, not both');
    const vmin = num('vmin', o.vmin, (x) => x > 0 && x < 2, 'a voltage in pu');
    const vmax = num('vmax', o.vmax, (x) => x > 0 && x < 2, 'a voltage in pu');
    const limits: Study = {
      ...(vmin !== undefined ? { vMinPu: vmin } : {}),
      ...(vmax !== undefined ? { vMaxPu: vmax } : {}),
    };
    const script = o['balanced-equivalent'] ? null : threePhaseScript(positionals[0]!, io.cwd);
    if (!script && o['controls-off']) throw new CliError('--controls-off applies to a three-phase OpenDSS feeder');
    const net = script ? openThreePhase(script, o['controls-off'] === true) : null;
    const opened = net ? null : openFeeder(positionals[0]!, io.cwd);
    const feeder = opened?.feeder;
    const baseStudy: Study = { ...(opened?.project?.study ?? {}), ...limits, objective: 'cost' };
    const target: SitingTarget = net ? threePhaseTarget(net.network) : targetOf({ feeder: feeder! });

    // Candidates and sizes.
    const phasesArg = o.phases;
    let candidates: string[];
    let phases: number;
    let peak: number;
    if (net) {
      if (phasesArg !== undefined && !['1', '3', 'both'].includes(phasesArg))
        throw new CliError(`--phases on a three-phase feeder must be 1, 3 or both (got "${phasesArg}")`);
      const which = phasesArg ?? '1';
      const all = threePhaseCandidates(net.network, { threePhaseUnits: which !== '1' });
      const keep = (c: string): boolean => {
        const n = parseCandidate(c)!.phases.length;
        return which === 'both' || (which === '1' ? n === 1 : n === 3);
      };
      const pool = all.filter(keep);
      if (o.candidates === undefined || o.candidates === 'all') candidates = pool;
      else
        candidates = parseCandidates(readText(resolve(io.cwd, o.candidates), 'candidates file')).flatMap((c) => {
          // a bare bus stands for its candidates (per --phases); anything else is checked by the study
          const mine = pool.filter((x) => parseCandidate(x)!.bus === c.toLowerCase());
          return parseCandidate(c) === null && mine.length > 0 ? mine : [c.toLowerCase()];
        });
      phases = which === '3' ? 3 : 1;
      const total = net.network.loads.reduce((s, l) => s + l.kw, 0) * net.network.loadMult;
      peak = which === '3' ? total : total / 3;
    } else {
      if (o.candidates === undefined || o.candidates === 'all') candidates = loadBuses(feeder!);
      else candidates = parseCandidates(readText(resolve(io.cwd, o.candidates), 'candidates file'));
      peak = feeder!.loads.reduce((s, l) => s + l.pKw, 0);
      phases = num('phases', o.phases, (x) => [1, 2, 3].includes(x), '1, 2 or 3') ?? BATTERY_DEFAULTS.phases;
    }
    const sizes =
      o.sizes !== undefined
        ? parseSizesCsv(readText(resolve(io.cwd, o.sizes), 'sizes file'), o.sizes)
        : defaultSizes(peak);
    const economics: Economics = {
      capexUsdPerKw: num('capex-kw', o['capex-kw'], (x) => x >= 0, 'a cost ≥ 0') ?? ECONOMICS_DEFAULTS.capexUsdPerKw,
      capexUsdPerKwh:
        num('capex-kwh', o['capex-kwh'], (x) => x >= 0, 'a cost ≥ 0') ?? ECONOMICS_DEFAULTS.capexUsdPerKwh,
      fixedOmUsdPerKwYear: num('om', o.om, (x) => x >= 0, 'a cost ≥ 0') ?? ECONOMICS_DEFAULTS.fixedOmUsdPerKwYear,
      lifetimeYears:
        num('lifetime', o.lifetime, (x) => Number.isInteger(x) && x >= 1, 'a whole number of years ≥ 1') ??
        ECONOMICS_DEFAULTS.lifetimeYears,
      discountRate:
        num('rate', o.rate, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)') ?? ECONOMICS_DEFAULTS.discountRate,
    };
    const count = num('count', o.count, (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1') ?? 1;
    const verifyTop = num('verify', o.verify, (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1') ?? 10;
    const workersAsked =
      num('workers', o.workers, (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1') ?? availableParallelism();

    // The year and the horizon.
    const yearGiven = num('year', o.year, (x) => Number.isInteger(x), 'a calendar year such as 2024');
    if (yearGiven !== undefined && o.profiles === undefined)
      throw new CliError('--year is the year of --profiles files (the bundled year is 2023): give --profiles DIR too');
    const year = openYear(o.profiles, io.cwd, yearGiven);
    let horizon: Horizon;
    if (o.contiguous !== undefined) {
      const m = /^(\d+):(\d+)$/.exec(o.contiguous.trim());
      if (!m)
        throw new CliError(
          `--contiguous must be START:HOURS in hours of the year (e.g. 0:8760), got "${o.contiguous}"`,
        );
      const start = Number(m[1]);
      const hours = Number(m[2]);
      if (hours < 1 || start + hours > HOURS_PER_YEAR)
        throw new CliError(
          `--contiguous ${o.contiguous}: hours ${start}..${start + hours} are not within the year (0..${HOURS_PER_YEAR})`,
        );
      horizon = {
        kind: 'contiguous',
        parts: [
          { label: `hours ${start}–${start + hours - 1}`, weight: 1, study: yearStretchStudy(year, start, hours) },
        ],
        annualFactor: HOURS_PER_YEAR / hours,
        description: `${hours} contiguous hours from hour ${start}`,
      };
    } else {
      const k =
        num('days', o.days, (x) => Number.isInteger(x) && x >= 1 && x <= 365, 'a whole number from 1 to 365') ?? 12;
      const days = representativeDays(year, k, 1);
      const rerunProfiles =
        (o.profiles !== undefined ? ` --profiles ${o.profiles}` : '') +
        (vmin !== undefined ? ` --vmin ${vmin}` : '') +
        (vmax !== undefined ? ` --vmax ${vmax}` : '') +
        (o['controls-off'] ? ' --controls-off' : '');
      horizon = {
        kind: 'representative-days',
        parts: days.map((d) => ({
          label: representativeDayLabel(year, d),
          weight: d.weight,
          study: dayStudy(year, d.day),
          rerun: `--year-day ${d.day + 1}${rerunProfiles}`,
        })),
        annualFactor: 1,
        description: `${k} representative days of ${o.profiles !== undefined ? `${o.profiles} (${year.year})` : 'the bundled 2023 ERCOT/DFW year'}`,
      };
    }

    // Processes and memory: as many as fit, at most one per task.
    const longest = Math.max(...horizon.parts.map((p) => p.study.periods ?? 24));
    const need = target.memoryEstimate(longest);
    const budget = 0.8 * totalmem();
    const workers = Math.max(1, Math.min(workersAsked, Math.floor(budget / need) || 1));
    const input: SitingInput = {
      ...(feeder ? { feeder } : {}),
      target,
      candidates,
      sizes,
      count,
      economics,
      horizon,
      phases,
      verifyTop,
      alpha: baseStudy.alpha ?? 0.001,
      concurrency: workers,
      memoryLimitBytes: budget / workers,
    };

    const jsonOnStdout = o.json === '-';
    const say = (t: string): void => (jsonOnStdout ? io.stderr(t) : io.stdout(t));
    say(
      `tessera site ${target.name}${net ? ' (three-phase OPF)' : ''}: ${candidates.length} candidates, ${sizes.length} size${sizes.length > 1 ? 's' : ''}, K = ${count}, ${horizon.description}; ${workers} solver process${workers > 1 ? 'es' : ''}\n`,
    );
    const signal = { aborted: false };
    const onSigint = (): void => {
      signal.aborted = true;
    };
    process.once('SIGINT', onSigint);
    const t0 = performance.now();
    let report: SitingReport;
    let lastLine = 0;
    const hooks = {
      signal,
      log: (l: string) => say(`  ${l}\n`),
      onProgress: (p: {
        stage: string;
        done: number;
        total: number;
        best?: { sites: readonly SiteEntry[]; netBenefitUsd: number };
      }) => {
        const now = performance.now();
        if (p.done < p.total && now - lastLine < 2000) return;
        lastLine = now;
        const best = p.best
          ? `; best so far ${p.best.sites.map((s) => `${candidateOf(s)}:${s.kw}/${s.kwh}`).join(' ')} (net ${usd(p.best.netBenefitUsd)} $/yr)`
          : '';
        say(`  [${p.done}/${p.total}] ${p.stage}${best}\n`);
      },
    };
    // Validate before starting any process (errors are cheap this way).
    let pool: SitingPool | null = null;
    try {
      pool = net
        ? createThreePhaseSitingPool(
            { entry: net.entry, files: net.files, ...(o['controls-off'] ? { controlsOff: true } : {}) },
            baseStudy,
            horizon,
            {},
            workers,
          )
        : createSitingPool(feeder!, baseStudy, horizon, {}, workers);
      report = o.sweep
        ? await sweepStudy(input, singleSiteConfigs(candidates, sizes, phases, target), pool.solve, hooks)
        : await runSitingStudy(input, pool.solve, hooks);
    } catch (e) {
      if (e instanceof SitingCancelled || signal.aborted) {
        io.stderr('tessera site: cancelled\n');
        return 130;
      }
      if (
        e instanceof SitingError ||
        e instanceof ProfileError ||
        e instanceof BatterySpecError ||
        e instanceof EconomicsError ||
        e instanceof StudyError ||
        e instanceof NetworkError
      )
        throw new CliError(e.message);
      throw e;
    } finally {
      pool?.close();
      process.removeListener('SIGINT', onSigint);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!jsonOnStdout) printReport(report, io, seconds, workers);
    if (o.json !== undefined) {
      const model = net ? { model: 'three-phase' } : {};
      const text = `${JSON.stringify({ feeder: target.name, ...model, seconds, workers, ...report }, null, 2)}\n`;
      if (jsonOnStdout) io.stdout(text);
      else {
        writeFileSync(resolve(io.cwd, o.json), text);
        io.stdout(`  wrote ${o.json}\n`);
      }
    }
    if (!report.ranked.some((r) => r.feasible)) {
      io.stderr('tessera site: no feasible configuration\n');
      return 1;
    }
    return 0;
  },
};
