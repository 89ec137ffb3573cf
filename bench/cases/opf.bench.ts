/**
 * The centralized multi-period OPF (src-solver/opf) on IEEE 123 at T = 24 (cost and loss) and on
 * the generated 10,240-bus feeder at T = 24, each against the independent native Ipopt + MUMPS
 * reference (bench/ipopt-ref) on the same model, timed in the same run: `speedRatio` =
 * our solver seconds / Ipopt's (< 1 = faster). Skips the reference, with the reason, when it
 * cannot be built. Targets (issue): IEEE 123 T=24 no slower than native Ipopt; 10,000 buses ×
 * 24 h under 60 s and 1.5 GB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import type { Feeder } from '../../src-solver/model/feeder';
import { buildNetwork } from '../../src-solver/opf/network';
import { solveOpf } from '../../src-solver/opf/solve';
import type { Study } from '../../src-solver/opf/study';
import { buildIpoptRef, exportData, loadIeee123, runIpoptRef } from '../ipopt-ref/export-data';
import type { BenchCase } from '../types';

function opfCase(name: string, makeFeeder: () => Feeder, study: Study, withReference: boolean): BenchCase {
  return {
    name,
    size: { periods: study.periods ?? 24 },
    run() {
      const feeder = makeFeeder();
      const t0 = performance.now();
      const out = solveOpf(feeder, study, {}, { now: () => performance.now() });
      const totalSeconds = (performance.now() - t0) / 1000;
      const r = out.results;
      const record: Record<string, unknown> = {
        buses: feeder.buses.length,
        variables: out.model.problem.n,
        constraints: out.model.problem.m,
        status: r.status,
        iterations: r.solver.iterations,
        solverSeconds: r.solver.seconds,
        /** Where the solver's time went (factorization dominates at 10k buses; model evaluation is small). */
        solverTiming: {
          evaluation: out.nlp.timing.evaluation,
          factorization: out.nlp.timing.factorization,
          total: out.nlp.timing.total,
          factorizations: out.nlp.timing.factorizations,
          kkt: out.nlp.timing.kkt,
        },
        buildSolveValidateSeconds: totalSeconds,
        objective: r.objective,
        lineLossKwh: r.totals.lineLossKwh,
        substationKwh: r.totals.substationKwh,
        maxSimultaneousChargeDischargeFraction: r.maxSimultaneousChargeDischargeFraction,
        validation: r.validation && {
          v: r.validation.maxVoltageDiffPu,
          loss: r.validation.maxLossDiffPu,
          subs: r.validation.maxSubstationDiffPu,
        },
      };
      if (!withReference) return record;
      const ref = buildIpoptRef();
      if (!ref.ok) return { ...record, ipopt: `skipped: ${ref.reason}` };
      const file = join(mkdtempSync(join(tmpdir(), 'tessera-bench-opf-')), 'data.txt');
      writeFileSync(file, exportData(buildNetwork(feeder, study)));
      const theirs = runIpoptRef(ref.path, file);
      return {
        ...record,
        ipoptStatus: theirs.status,
        ipoptIterations: theirs.iterations,
        ipoptSeconds: theirs.seconds,
        speedRatio: r.solver.seconds / theirs.seconds,
        objectiveRelDiff: Math.abs(r.objective - theirs.objective) / Math.abs(theirs.objective),
      };
    },
  };
}

const ieee123 = (): Feeder => loadIeee123().feeder;
const price = loadIeee123().price;

const cases: BenchCase[] = [
  opfCase('opf ieee123 T=24 cost', ieee123, { periods: 24, objective: 'cost', priceCentsPerKwh: price }, true),
  opfCase('opf ieee123 T=24 loss', ieee123, { periods: 24, objective: 'loss', priceCentsPerKwh: price }, true),
  opfCase(
    'opf scaled 10240-bus T=24 cost',
    () => generateScaledFeeder(ieee123(), 80),
    { periods: 24, objective: 'cost', priceCentsPerKwh: price },
    process.env.TESSERA_BENCH_IPOPT_LARGE === '1',
  ),
];

export default cases;
