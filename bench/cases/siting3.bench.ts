/**
 * The BESS siting study on a three-phase feeder (src-solver/siting/threephase.ts, issue #16's
 * "the same study on IEEE 123 three-phase with single-phase candidates per phase"): OpenDSS's
 * IEEE 123 with the script's regulator taps and capacitor states (`--controls-off`: the taps the
 * nominal-load power flow sets hold 1.1+ pu at bus 83 on the year's light December nights, so the
 * baseline of that day is infeasible at 0.9–1.1 pu) and every load's Vminpu at the study's 0.9 pu
 * (see `scripts`), every
 * (load bus, phase) a single-phase candidate, one 4-hour battery, representative days of the
 * bundled ERCOT/DFW 2023 year, OPFs in the worker pool (one process per core). After the timed
 * study, the exhaustive sweep over every candidate at the chosen size: the study's first-ranked
 * site should be the sweep's best with the same savings (1e-6 relative).
 *
 * Knobs (the full case is long on a shared machine — 153 candidates × 12 days in the sweep):
 * TESSERA_BENCH_SITING3_DAYS (default 12), TESSERA_BENCH_SITING3_CANDIDATES (the first N
 * candidates, default all), TESSERA_BENCH_SITING3_SWEEP=0 (study only).
 *
 * Peak memory: the runner's peakRssMb is this coordinating process; `workerPeakRssMb` is each
 * solver process's own peak (VmHWM from /proc, Linux), read before the pool closes.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ECONOMICS_DEFAULTS } from '../../src-solver/siting/economics';
import {
  candidateOf,
  runSitingStudy,
  singleSiteConfigs,
  sweepStudy,
  type SiteEntry,
  type SitingInput,
  type SitingProgress,
} from '../../src-solver/siting/study';
import { threePhaseCandidates, threePhaseTarget } from '../../src-solver/siting/threephase';
import { threePhaseNetworkOf } from '../../src-solver/worker/siting-worker';
import { importUnbalanced } from '../../src-solver/unbalanced/import';
import { createThreePhaseSitingPool } from '../../src-main/backend/jobs/siting-pool';
import { daysHorizon, testYear } from '../../src-solver/testing/siting/year';
import { opendssRef, readTestData } from '../../test-data/index';
import type { BenchCase } from '../types';

const year = testYear((n) => readTestData('year-profiles', n));
/** IEEE 123's regulators hold up to ≈ 1.06 pu; ANSI range B. */
const STUDY = { vMinPu: 0.9, vMaxPu: 1.1 };

/** The feeder's scripts as text, keyed by the path the importer asks for (what the workers get). */
function scripts(): { entry: string; files: Record<string, string>; controlsOff: true } {
  const entry = opendssRef('feeders/123Bus/IEEE123Master.dss');
  const files: Record<string, string> = {};
  const out = importUnbalanced(entry, (f) => (files[f] = readFileSync(f, 'utf8')));
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  // Every load constant-power down to the study's lower limit (the script's loads leave it at 0.95
  // pu, below which OpenDSS makes them constant-Z, a region the OPF does not model and so keeps
  // every load out of, (U5d)): with the script's taps, bus 114 cannot be held at 0.95 on the
  // summer afternoons (day 181 at 15:00, load 0.85 pu), and the baseline of 12 days was infeasible.
  files[entry] += `\nBatchEdit Load..* Vminpu=${STUDY.vMinPu}\n`;
  return { entry, files, controlsOff: true };
}

/** Peak resident set of a process, MB (Linux /proc; null elsewhere or when it is gone). */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Progress on stderr (the runner keeps it; run the case alone through bench/run-case.ts to watch
 * it): a line per verified configuration with the wall time so far, to judge a long run early.
 */
function progressLog(what: string): (p: SitingProgress) => void {
  const t0 = performance.now();
  return (p) =>
    process.stderr.write(
      `${what} ${p.stage} ${p.done}/${p.total} ${((performance.now() - t0) / 1000).toFixed(0)} s` +
        `${p.best ? ` best ${brief(p.best.sites)} net ${p.best.netBenefitUsd.toFixed(2)}` : ''}\n`,
    );
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, 100 ticks/s; null elsewhere). */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const brief = (sites: readonly SiteEntry[]): string => sites.map((s) => `${candidateOf(s)}:${s.kw}/${s.kwh}`).join(' ');

const cases: BenchCase[] = [
  {
    name: 'siting ieee123 three-phase 12 days K=1, single-phase candidates per phase (study + exhaustive sweep)',
    size: { nodes: 278, days: 12, periods: 24, sites: 1 },
    async run() {
      const days = Number(process.env.TESSERA_BENCH_SITING3_DAYS ?? 12);
      const sweepToo = process.env.TESSERA_BENCH_SITING3_SWEEP !== '0';
      const sc = scripts();
      const net = threePhaseNetworkOf(sc);
      const target = threePhaseTarget(net);
      const all = threePhaseCandidates(net);
      const limit = Number(process.env.TESSERA_BENCH_SITING3_CANDIDATES ?? all.length);
      const candidates = all.slice(0, limit);
      const horizon = daysHorizon(year, days);
      const pool = createThreePhaseSitingPool(sc, STUDY, horizon);
      try {
        const input: SitingInput = {
          target,
          candidates,
          sizes: [{ kw: 30, kwh: 120 }],
          count: 1,
          economics: ECONOMICS_DEFAULTS,
          horizon,
          concurrency: pool.size,
        };
        const t0 = performance.now();
        const study = await runSitingStudy(input, pool.solve, { onProgress: progressLog('study') });
        const studySeconds = (performance.now() - t0) / 1000;
        const studyWorkerCpu = pool.pids.map(cpuSeconds);
        const best = study.ranked[0]!;
        const record: Record<string, unknown> = {
          days,
          candidates: candidates.length,
          workers: pool.size,
          studySeconds,
          /** CPU seconds of each solver process over the study (the machine is shared: wall time is not the study's alone). */
          studyWorkerCpuSeconds: studyWorkerCpu,
          loadAverageAfterStudy: loadavg(),
          configurationsVerified: study.configurationsVerified,
          opfSolves: study.opfSolves,
          baselineAnnualUsd: study.baseline.annualObjective,
          best: brief(best.sites),
          bestFeasible: best.feasible,
          bestAnnualSavingsUsd: best.annualSavingsUsd,
          infeasibleLines: study.ranked.filter((r) => !r.feasible).map((r) => `${brief(r.sites)}: ${r.failure}`),
          ranked: study.ranked.slice(0, 10).map((r) => ({
            sites: brief(r.sites),
            annualSavingsUsd: r.annualSavingsUsd,
            netBenefitUsd: r.netBenefitUsd,
            annualLossSavingsKwh: r.annualLossSavingsKwh,
            peakReductionKw: r.peakReductionKw,
            voltageLimitHoursRemoved: r.voltageLimitHoursRemoved,
          })),
          screened: study.screened,
        };
        if (sweepToo) {
          const t1 = performance.now();
          const sweep = await sweepStudy(
            input,
            singleSiteConfigs(candidates, [study.chosenSize!], 1, target),
            pool.solve,
            { onProgress: progressLog('sweep') },
          );
          const top = sweep.ranked[0]!;
          Object.assign(record, {
            sweepSeconds: (performance.now() - t1) / 1000,
            sweepConfigurations: sweep.configurationsVerified - 1,
            sweepBest: brief(top.sites),
            sweepInfeasible: sweep.ranked.filter((r) => !r.feasible).length,
            sameBest: brief(top.sites) === brief(best.sites),
            savingsRelDiff: Math.abs(best.savingsUsd - top.savingsUsd) / Math.abs(top.savingsUsd),
            targetMet:
              brief(top.sites) === brief(best.sites) &&
              Math.abs(best.savingsUsd - top.savingsUsd) <= 1e-6 * Math.abs(top.savingsUsd),
          });
        }
        record.workerPeakRssMb = pool.pids.map(peakRssMb);
        record.workerCpuSeconds = pool.pids.map(cpuSeconds);
        record.loadAverageAtEnd = loadavg();
        return record;
      } finally {
        pool.close();
      }
    },
  },
];

export default cases;
