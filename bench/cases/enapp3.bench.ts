/**
 * Distributed three-phase OPF (ENApp with per-phase boundary values, src-solver/enapp/distributed3.ts;
 * docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase boundary values") on OpenDSS's
 * IEEE 123 (regulators at OpenDSS's fixed taps), 10 PV and 10 batteries placed by the seeded rule
 * (opf3/placement.ts, seed 15, single- and three-phase), cost objective, bundled load, PV and
 * price profiles from 10 h, 4 areas cut at the switches 13–152, 18–135 and 97–197; one Node process per
 * area (the CLI's and the app's transport). The centralized three-phase OPF of the same network is
 * solved first, in this process and run: `criticalPathOverCentralized` = Σ over rounds of the
 * slowest area's CPU seconds / the centralized solve's CPU seconds; `comparison` the objective,
 * substation and unit totals and `maxVoltageDiffPu` every per-phase node voltage against it; the
 * merged dispatch is validated by the three-phase power flow (`validationPu`). Exact runs end with
 * consistency rounds (values only, at the last prices: `consistencyRounds`, counted in the critical
 * path, the iterations and the per-round lists, which run on after the rounds).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { nodeAreaTransport } from '../../src-main/backend/jobs/node-area-transport';
import type { Clock } from '../../src-solver/enapp/coordinator';
import type { Coordination } from '../../src-solver/enapp/distributed';
import { solveDistributed3 } from '../../src-solver/enapp/distributed3';
import type { Profile, Study } from '../../src-solver/opf/study';
import { opf3FromNetwork } from '../../src-solver/opf3/fromNetwork';
import { placeUnits } from '../../src-solver/opf3/placement';
import { solveOpf3 } from '../../src-solver/opf3/solve';
import { importUnbalanced } from '../../src-solver/unbalanced/import';
import { hourlyProfile } from '../../src-solver/testing/opf/ieee123';
import { opendssRef, testDataPath } from '../../test-data/index';
import { loadIeee123 } from '../ipopt-ref/export-data';
import type { BenchCase } from '../types';

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
const readFs = (p: string): string => readFileSync(p, 'utf8');
const profile = (rel: string): Profile => hourlyProfile(readFs(testDataPath('ieee123-balanced', rel)));
const CUTS_123 = [
  { from: '13', to: '152' },
  { from: '18', to: '135' },
  { from: '97', to: '197' },
];

/** The plain price rounds: the proximal term that equal-price hours switch on by themselves (distributed3.ts autoProximal) off. */
const PLAIN = { proxFactor: 0 } as const;

function case123(periods: number, coordination: Coordination, plain = false): BenchCase {
  return {
    name: `enapp3: IEEE 123 three-phase, 4 areas, T = ${periods}, cost, ${plain ? 'plain ' : ''}${coordination}`,
    size: { periods, areas: 4, pv: 10, batteries: 10 },
    async run() {
      const ref = JSON.parse(readFs(opendssRef('opendss-results', 'ieee123_fixedtaps.json'))) as {
        master: string;
        pre: string[];
      };
      const imported = importUnbalanced(opendssRef(ref.master), readFs, { extraLines: ref.pre });
      if (!imported.ok) throw new Error(imported.errors.map((e) => e.message).join('; '));
      const unet = imported.network;
      const units = placeUnits(unet, 15, 10, 10);
      const study: Study = {
        periods,
        startHour: 10,
        loadProfile: profile('profiles/load_shape_24h.csv'),
        pvProfile: profile('profiles/pv_shape_24h.csv'),
        priceCentsPerKwh: loadIeee123().price,
        objective: 'cost',
        vMinPu: 0.95,
        vMaxPu: 1.06,
      };
      const net = opf3FromNetwork(unet, study, units, { sourceModel: 'norton' }); // the area split's form
      let t = performance.now();
      const cpu0 = process.cpuUsage();
      const central = solveOpf3(net);
      const centralSeconds = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const centralCpuSeconds = (cpu.user + cpu.system) / 1e6;
      t = performance.now();
      const out = await solveDistributed3(
        unet,
        net,
        units,
        CUTS_123,
        nodeAreaTransport(),
        {
          coordination,
          ...(plain ? PLAIN : {}),
          maxRounds: 100,
          areaTimeoutMs: 900_000,
          ...(central.optimal ? { centralized: { objective: central.objective, periods: central.periods } } : {}),
        },
        { clock },
      );
      const distributedSeconds = (performance.now() - t) / 1000;
      const rounds = out.enapp.rounds;
      // the consistency rounds after the exact rounds (distributed3.ts) count in the critical path
      const polish = out.polish?.rounds ?? [];
      const crit =
        out.enapp.criticalPathCpuSeconds === null
          ? null
          : out.enapp.criticalPathCpuSeconds + (out.polish ? (out.polish.criticalPathCpuSeconds ?? NaN) : 0);
      return {
        coordination,
        autoProximal: out.autoProximal ?? null,
        status: out.enapp.status,
        message: out.enapp.message,
        rounds: rounds.length,
        consistencyRounds: polish.length,
        consistencyStatus: out.polish?.status ?? null,
        iterations: [...rounds, ...polish].reduce((s, r) => s + Math.max(...r.areaIterations), 0),
        criticalPathCpuSeconds: crit,
        criticalPathOverCentralized: crit !== null && central.optimal ? crit / centralCpuSeconds : null,
        centralizedStatus: central.nlp.status,
        centralizedIterations: central.nlp.iterations,
        centralizedSeconds: centralSeconds,
        centralizedCpuSeconds: centralCpuSeconds,
        distributedSeconds,
        areaProcesses: out.plan.areas.length,
        cores: availableParallelism(),
        areaFreeNodes: out.plan.parts.map((p) => p.net.nFree),
        objective: out.objective,
        centralizedObjective: central.objective,
        maxRelDiff: out.comparison?.maxRelDiff ?? null,
        maxRelDiffQuantity: out.comparison?.maxRelDiffQuantity ?? null,
        maxVoltageDiffPu: out.comparison?.maxVoltageDiffPu ?? null,
        comparison: out.comparison?.rows ?? null,
        validationPu: out.validation?.maxDiffPu ?? null,
        rootSlackPu: out.rootSlackPu ?? null,
        residualsPerRound: [...rounds, ...polish].map((r) => ({
          v: r.maxChangeVPu,
          i: r.maxChangeSPu ?? null,
          price: r.maxChangePriceRel,
        })),
        perRoundAreaCpuSeconds: [...rounds, ...polish].map((r) => r.areaCpuSeconds),
        perRoundAreaIterations: [...rounds, ...polish].map((r) => r.areaIterations),
        andersonRestarts: out.enapp.andersonRestarts,
      };
    },
  };
}

/**
 * T = 2 converges (16 rounds in-process, distributed3.test.ts; hours 10 and 11 have different
 * prices, so the plain exact rounds). T = 24 with the default options: hours of equal price, so the
 * children's proximal term on their draw (κ = 0.1) and per-period Anderson groups for P, π_P switch
 * on by themselves (distributed3.ts autoProximal; spec "the default: when the proximal rounds switch
 * on"; measured in-process: converged in 39 rounds + 13 consistency rounds, every total within
 * 1e-3). T = 24 'plain': the same with them off (proxFactor 0), the measurement of how far the plain
 * exchange gets in 100 rounds (measured: not converged — values ~1e-4 pu, prices ~1e-2 relative a
 * round — then the consistency rounds make its merged dispatch one feeder's: power flow 6.7e-7 pu;
 * `rootSlackPu` the children's root slack at the end).
 */
export default [case123(2, 'exact'), case123(2, 'published'), case123(24, 'exact'), case123(24, 'exact', true)];
