/**
 * The BESS siting study (src-solver/siting, issue #16) on balanced IEEE 123 with the bundled
 * ERCOT/DFW 2023 year, every load bus a candidate, OPFs in a pool of worker processes (one per
 * core, src-main/backend/jobs/siting-pool.ts). Targets:
 *  - 12 representative days × 24 h, one 4-hour battery: the study in under 60 s; the site it ranks
 *    first is the best of the exhaustive sweep over every candidate at the chosen size, savings
 *    equal to 1e-6 relative (the sweep runs in the same case, after the timed study);
 *  - K = 3: the study's answer within 1 % of the best of a sweep over the combinations of the
 *    top-M sites it screened per stage (M = TESSERA_BENCH_SITING_TOP, default 10: the issue's
 *    top-10 × top-10 × top-10; the stages' lists overlap, so the distinct sets are far fewer
 *    than 1,000 — `sweepConfigurations` in the record);
 *  - a contiguous 8760-h year OPF with the chosen batteries, in this process (its peak RSS is the
 *    case's): under 5 min and 8 GB. It reports iterations, wall and CPU seconds, the solver's CPU
 *    split (factorizations, solves, evaluations), the load average around it, and what limited the
 *    steps (`steps`: opf/step-diagnosis — the bounds that cut the fraction-to-the-boundary step,
 *    by kind, and per μ the iterations, cut steps and distinct periods that cut them). Peak RSS
 *    of the other cases is the coordinator's only.
 */
import { loadavg } from 'node:os';
import { createSolverWorkspace } from '../../src-solver/nlp/index';
import { BATTERY_DEFAULTS, parseBatterySpec } from '../../src-solver/siting/battery';
import type { Feeder } from '../../src-solver/model/feeder';
import { ECONOMICS_DEFAULTS } from '../../src-solver/siting/economics';
import { solvePart, type Horizon } from '../../src-solver/siting/evaluate';
import { yearStretchStudy } from '../../src-solver/siting/profiles';
import {
  loadBuses,
  runSitingStudy,
  screenedCombinations,
  singleSiteConfigs,
  sweepStudy,
  type SiteEntry,
  type SitingInput,
} from '../../src-solver/siting/study';
import { createSitingPool } from '../../src-main/backend/jobs/siting-pool';
import { createIndexMap } from '../../src-solver/opf/index-map';
import { buildNetwork } from '../../src-solver/opf/network';
import { createStepDiagnosis } from '../../src-solver/opf/step-diagnosis';
import { OPF_MULTI_PERIOD_NLP_DEFAULTS } from '../../src-solver/opf/solve';
import { withBatteries } from '../../src-solver/siting/battery';
import { daysHorizon, testYear } from '../../src-solver/testing/siting/year';
import { readTestData } from '../../test-data/index';
import { loadIeee123 } from '../ipopt-ref/export-data';
import type { BenchCase } from '../types';

const year = testYear((n) => readTestData('year-profiles', n));
const feeder = (): Feeder => loadIeee123().feeder;
const SIZES = [
  { kw: 60, kwh: 240 },
  { kw: 120, kwh: 480 },
  { kw: 240, kwh: 960 },
];

/**
 * The contiguous case's stretch and batteries (defaults: the whole year; the batteries the 2-day
 * K = 1 study picks): TESSERA_BENCH_SITING_START, TESSERA_BENCH_SITING_HOURS (e.g. 720 or 2160 to
 * see how iterations and seconds per iteration scale), TESSERA_BENCH_SITING_BATTERIES
 * (`BUS:KW:KWH[:KVA],…`, skips the study).
 */
const CONTIGUOUS_START = Number(process.env.TESSERA_BENCH_SITING_START ?? 0);
const CONTIGUOUS_HOURS = Number(process.env.TESSERA_BENCH_SITING_HOURS ?? 8760);
/**
 * TESSERA_BENCH_SITING_STEPS=global|per-period and TESSERA_BENCH_SITING_SHIFT=global|perPeriod:
 * the verification OPF's SolveOptions.stepLengths and hessianPerturbation; unset, the OPF's own
 * defaults for T > 1 (OPF_MULTI_PERIOD_NLP_DEFAULTS: 'per-period' and 'perPeriod'), so the year
 * can be measured with each and with neither (both 'global': W&B's step and shift).
 */
const CONTIGUOUS_STEPS = process.env.TESSERA_BENCH_SITING_STEPS ?? OPF_MULTI_PERIOD_NLP_DEFAULTS.stepLengths;
if (CONTIGUOUS_STEPS !== 'global' && CONTIGUOUS_STEPS !== 'per-period')
  throw new Error(`TESSERA_BENCH_SITING_STEPS = ${CONTIGUOUS_STEPS} is not 'global' or 'per-period'`);
const CONTIGUOUS_SHIFT = process.env.TESSERA_BENCH_SITING_SHIFT ?? OPF_MULTI_PERIOD_NLP_DEFAULTS.hessianPerturbation;
if (CONTIGUOUS_SHIFT !== 'global' && CONTIGUOUS_SHIFT !== 'perPeriod')
  throw new Error(`TESSERA_BENCH_SITING_SHIFT = ${CONTIGUOUS_SHIFT} is not 'global' or 'perPeriod'`);

/** CPU milliseconds of this process (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const brief = (sites: readonly SiteEntry[]): string => sites.map((s) => `${s.bus}:${s.kw}/${s.kwh}`).join(' ');

function studyCase(name: string, count: number, check: boolean): BenchCase {
  return {
    name,
    size: { buses: 128, candidates: 85, days: 12, periods: 24, sites: count },
    async run() {
      const f = feeder();
      const horizon = daysHorizon(year, 12);
      const pool = createSitingPool(f, {}, horizon);
      try {
        const input: SitingInput = {
          feeder: f,
          candidates: loadBuses(f),
          sizes: SIZES,
          count,
          economics: ECONOMICS_DEFAULTS,
          horizon,
          concurrency: pool.size,
        };
        const t0 = performance.now();
        const study = await runSitingStudy(input, pool.solve);
        const studySeconds = (performance.now() - t0) / 1000;
        const best = study.ranked[0]!;
        const record: Record<string, unknown> = {
          workers: pool.size,
          studySeconds,
          configurationsVerified: study.configurationsVerified,
          opfSolves: study.opfSolves,
          baselineAnnualUsd: study.baseline.annualObjective,
          chosenSize: study.chosenSize,
          best: brief(best.sites),
          bestAnnualSavingsUsd: best.annualSavingsUsd,
          bestNetBenefitUsd: best.netBenefitUsd,
          ranked: study.ranked.slice(0, 10).map((r) => ({
            sites: brief(r.sites),
            annualSavingsUsd: r.annualSavingsUsd,
            netBenefitUsd: r.netBenefitUsd,
            peakReductionKw: r.peakReductionKw,
            lossKwh: r.annualLossSavingsKwh,
          })),
          screened: study.screened,
        };
        if (!check) return record;
        const t1 = performance.now();
        let configs: SiteEntry[][];
        if (count === 1) configs = singleSiteConfigs(input.candidates, [study.chosenSize!]);
        else {
          const M = Number(process.env.TESSERA_BENCH_SITING_TOP ?? 10);
          configs = screenedCombinations(study, M);
          record.sweepTopPerStage = M;
        }
        const sweep = await sweepStudy(input, configs, pool.solve);
        const top = sweep.ranked[0]!;
        return {
          ...record,
          sweepConfigurations: configs.length,
          sweepSeconds: (performance.now() - t1) / 1000,
          sweepBest: brief(top.sites),
          sweepBestAnnualSavingsUsd: top.annualSavingsUsd,
          sameBest: brief(top.sites) === brief(best.sites),
          savingsRelDiff: Math.abs(best.savingsUsd - top.savingsUsd) / Math.abs(top.savingsUsd),
          /** K = 3 target: (sweep best − study) / sweep best net benefit magnitude, < 0.01. */
          shortfallOfSweepBest: (top.annualSavingsUsd - best.annualSavingsUsd) / Math.abs(top.annualSavingsUsd),
          targetMet:
            count === 1
              ? brief(top.sites) === brief(best.sites)
              : (top.annualSavingsUsd - best.annualSavingsUsd) / Math.abs(top.annualSavingsUsd) <= 0.01,
        };
      } finally {
        pool.close();
      }
    },
  };
}

const cases: BenchCase[] = [
  studyCase('siting ieee123 12 days K=1 (study + exhaustive sweep)', 1, true),
  studyCase('siting ieee123 12 days K=3 (study + sweep of screened combinations)', 3, true),
  {
    name: 'siting ieee123 contiguous 8760 h verification',
    size: { buses: 128, periods: CONTIGUOUS_HOURS },
    async run() {
      const f = feeder();
      let sites: readonly SiteEntry[];
      const given = process.env.TESSERA_BENCH_SITING_BATTERIES;
      if (given)
        sites = given.split(',').map((text) => {
          const b = parseBatterySpec(text);
          return {
            bus: b.bus,
            kw: b.kw,
            kwh: b.kwh,
            kva: b.kva ?? BATTERY_DEFAULTS.inverterKvaPerKw * b.kw,
            phases: b.phases ?? BATTERY_DEFAULTS.phases,
          };
        });
      else {
        // The batteries: the K = 1 study on 2 representative days (a quick choice; the 12-day
        // case above is the one to compare with).
        const horizon2 = daysHorizon(year, 2);
        const pool = createSitingPool(f, {}, horizon2);
        try {
          const s = await runSitingStudy(
            {
              feeder: f,
              candidates: loadBuses(f),
              sizes: [SIZES[0]!],
              count: 1,
              economics: ECONOMICS_DEFAULTS,
              horizon: horizon2,
              concurrency: pool.size,
            },
            pool.solve,
          );
          sites = s.ranked[0]!.sites;
        } finally {
          pool.close();
        }
      }
      const yearH: Horizon = {
        kind: 'contiguous',
        parts: [
          {
            label: 'year',
            weight: 1,
            study: yearStretchStudy(year, CONTIGUOUS_START, CONTIGUOUS_HOURS),
          },
        ],
        annualFactor: 1,
        description: `${CONTIGUOUS_HOURS} h`,
      };
      const specs = sites.map((x) => ({ bus: x.bus, kw: x.kw, kwh: x.kwh, kva: x.kva, phases: x.phases }));
      // The OPF's variable layout, to name the bounds that cut the steps (the same network solvePart builds).
      const net = buildNetwork(withBatteries(f, specs), { ...yearH.parts[0]!.study, objective: 'cost' });
      const diagnosis = createStepDiagnosis(
        createIndexMap(
          net.periods,
          net.nBus - 1,
          net.nPv,
          net.nBat,
          net.study.batteryLimit === 'disk',
          net.study.terminalSoc === 'equal',
        ),
      );
      const load0 = loadavg();
      const cpu0 = cpuMs();
      const t0 = performance.now();
      const ws = createSolverWorkspace();
      // CPU time as the solver's clock: its timing split is then CPU seconds (the machine is shared).
      const out = solvePart(
        f,
        {},
        yearH,
        {},
        specs,
        0,
        false,
        ws,
        { now: cpuMs, onStep: diagnosis.onStep },
        { stepLengths: CONTIGUOUS_STEPS, hessianPerturbation: CONTIGUOUS_SHIFT },
      );
      const cpuSeconds = (cpuMs() - cpu0) / 1000;
      const kkt = ws.kept?.kkt;
      const t = out.timing;
      return {
        batteries: brief(sites),
        startHour: CONTIGUOUS_START,
        hours: CONTIGUOUS_HOURS,
        stepLengths: CONTIGUOUS_STEPS,
        hessianPerturbation: CONTIGUOUS_SHIFT,
        status: out.status,
        iterations: out.iterations,
        /** Wall seconds of the verification OPF (model, solve, power-flow validation). */
        yearSeconds: (performance.now() - t0) / 1000,
        /** CPU seconds of the same (this process: the solver is single-threaded). */
        yearCpuSeconds: cpuSeconds,
        cpuSecondsPerIteration: cpuSeconds / Math.max(1, out.iterations),
        /** The interior-point solver's split, CPU seconds (see SolveTiming). */
        solverCpu: t
          ? {
              total: t.total,
              setup: t.setup,
              factorization: t.factorization,
              solve: t.solve,
              evaluation: t.evaluation,
              other: t.total - t.setup - t.factorization - t.solve - t.evaluation,
              factorizations: t.factorizations,
              factorizationsPerIteration: t.factorizations / Math.max(1, out.iterations),
              /** Of those, inertia trials that refactored only what their δ_w change reaches (LdlSolver.refactorDiagonal). */
              partialFactorizations: t.kkt.partialFactorizations,
              partialMeanShare: t.kkt.partialMeanShare,
              kktPath: t.kkt.path,
            }
          : null,
        kkt: kkt
          ? { dim: kkt.dim, nnzK: kkt.pattern.colPtr[kkt.dim], nnzL: kkt.solver.nnzL, flops: kkt.solver.flops }
          : null,
        objectiveUsd: out.objective,
        steps: diagnosis.summary(),
        validationMaxVoltageDiffPu: out.validationMaxVoltageDiffPu,
        loadAverageBefore: load0,
        loadAverageAfter: loadavg(),
      };
    },
  },
];

export default cases;
