/**
 * The distributed multi-period OPF (ENApp with OPF areas) against the centralized OPF of the same
 * study — the independent answer — on IEEE 123 with the papers' 4 areas (cuts 15–117, 20–118,
 * 62–125) and with suggested partitions; plus the decomposition's invariants (the areas' models
 * partition the centralized model's variables, and each area's equations hold at the whole
 * feeder's power flow) and a killed OPF area process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { liveAreaProcesses, nodeAreaTransport, startedAreaPids } from '../../src-main/backend/jobs/node-area-transport';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import { buildModel } from '../opf/model';
import { buildNetwork } from '../opf/network';
import { initialPoint } from '../opf/init';
import { solveOpf } from '../opf/solve';
import type { Study } from '../opf/study';
import type { Clock, RoundRecord } from './coordinator';
import {
  BOUNDARY_ERROR_MARGIN,
  PRICE_TEST_FRACTION,
  buildAreaProblems,
  compareWithCentralized,
  solveDistributed,
  type DistributedOutcome,
} from './distributed';
import {
  centred,
  createOpfArea,
  INEXACT_FACTOR,
  INEXACT_TOL_MAX,
  inexactTolerance,
  inputChange,
  TINY_RETRY_FRACTION,
  withBoundaryInputs,
  type OpfAreaSpec,
} from './opf-area';
import { suggestPartition, type CutBranch } from './partition';
import type { SpawnArea } from './protocol';
import { inProcessAreas } from '../testing/enapp/in-process';
import { isAlive } from '../testing/worker/process';

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
const { feeder, price } = loadIeee123();
const CUTS4: CutBranch[] = [
  { from: '15', to: '117' },
  { from: '20', to: '118' },
  { from: '62', to: '125' },
];

const inProcess = inProcessAreas;

describe('centred warm start (opf-area centred)', () => {
  it('lifts every complementarity product below μ to μ: active bounds by moving x off them, inactive ones by raising z', () => {
    const prev = {
      x: Float64Array.from([1e-9, 5, 2, 10 - 1e-8]),
      zL: Float64Array.from([3, 1e-12, 1e-6, 0]),
      zU: Float64Array.from([0, 0, 1e-12, 2]),
    } as unknown as Parameters<typeof centred>[0];
    const xL = Float64Array.from([0, 0, 0, -Infinity]);
    const xU = Float64Array.from([Infinity, Infinity, 4, 10]);
    const mu = 1e-4;
    const c = centred(prev, { xL, xU }, mu);
    // Active lower bound (z = 3 ≫ s): z kept, x moved to lo + μ/z.
    expect(c.zL[0]).toBe(3);
    expect(c.x[0]).toBeCloseTo(mu / 3, 15);
    // Inactive lower bound far away: x kept, z = μ/s.
    expect(c.x[1]).toBe(5);
    expect(c.zL[1]).toBeCloseTo(mu / 5, 15);
    // Two bounds, both products below μ: both raised.
    expect(c.zL[2]! * (c.x[2]! - 0)).toBeCloseTo(mu, 12);
    expect(c.zU[2]! * (4 - c.x[2]!)).toBeCloseTo(mu, 12);
    // Active upper bound.
    expect(c.zU[3]).toBe(2);
    expect(10 - c.x[3]!).toBeCloseTo(mu / 2, 15);
    // Products already above μ are left alone; the input is not modified.
    expect(centred(prev, { xL, xU }, 1e-15).x).toEqual(prev.x);
    expect(prev.x[0]).toBe(1e-9);
  });
});

describe('area problems of IEEE 123 (4 areas)', () => {
  const study: Study = { periods: 3, startHour: 10, priceCentsPerKwh: price };
  const plan = buildAreaProblems(feeder, study, CUTS4);
  const specs = plan.areas.map((a) => a.spec as OpfAreaSpec);

  it('the areas partition the centralized variables: every non-root bus, PV and battery in exactly one area', () => {
    const owner = new Map<string, number>();
    for (const [i, s] of specs.entries()) {
      const net = buildNetwork(s.feeder, s.study);
      for (const name of net.busNames.slice(1)) {
        expect(owner.has(name), `bus ${name} in two areas`).toBe(false);
        owner.set(name, i);
      }
    }
    expect(owner.size).toBe(feeder.buses.length - 1);
    expect(specs.reduce((n, s) => n + s.feeder.pv.length, 0)).toBe(feeder.pv.length);
    expect(specs.reduce((n, s) => n + s.feeder.batteries.length, 0)).toBe(feeder.batteries.length);
    expect(specs.reduce((n, s) => n + s.feeder.loads.length, 0)).toBe(feeder.loads.length);
    const central = buildModel(buildNetwork(feeder, study)).problem;
    expect(specs.reduce((n, s) => n + buildModel(buildNetwork(s.feeder, s.study)).problem.n, 0)).toBe(central.n);
    // Boundary buses: a leaf of the parent, the root of the child.
    expect(plan.boundaries.map((b) => b.bus).sort()).toEqual(['117', '118', '125']);
    for (const b of plan.boundaries) expect(specs[b.childArea - 1]!.feeder.substation.bus).toBe(b.bus);
  });

  it("each area's equations hold at the whole feeder's power flow, given the power flow's boundary values", () => {
    const gNet = buildNetwork(feeder, study);
    const gModel = buildModel(gNet);
    const xg = initialPoint(gNet, gModel.ix); // the DistFlow power flow of the whole feeder
    for (const [i, a] of plan.areas.entries()) {
      const s = specs[i]!;
      const net0 = buildNetwork(s.feeder, s.study);
      const up = plan.boundaries.find((b) => b.childArea === a.id);
      const inputs = {
        ...(up ? { rootVSqPu: plan.initial[up.id - 1]!.vSqPu } : {}),
        childLoads: plan.boundaries
          .filter((b) => b.parentArea === a.id)
          .map((b) => ({ boundary: b.id, pPu: plan.initial[b.id - 1]!.pPu, qPu: plan.initial[b.id - 1]!.qPu })),
      };
      const kids = new Map(s.childBoundaries.map((c) => [c.boundary, net0.busIndex.get(c.bus)!]));
      const model = buildModel(withBoundaryInputs(net0, kids, inputs));
      const { ix } = model;
      const x = new Float64Array(ix.n); // the global power flow, restricted to the area
      for (let t = 0; t < 3; t++) {
        for (let b = 1; b < net0.nBus; b++) {
          const g = gNet.busIndex.get(net0.busNames[b]!)!;
          x[ix.P(b - 1, t)] = xg[gModel.ix.P(g - 1, t)]!;
          x[ix.Q(b - 1, t)] = xg[gModel.ix.Q(g - 1, t)]!;
          x[ix.l(b - 1, t)] = xg[gModel.ix.l(g - 1, t)]!;
          x[ix.v(b, t)] = xg[gModel.ix.v(g, t)]!;
        }
        for (let k = 0; k < net0.nBat; k++) x[ix.B(k, t)] = net0.batB0PuH[k]!;
      }
      const g = new Float64Array(ix.m);
      model.problem.evalG(x, g);
      let worst = 0;
      for (let r = 0; r < ix.m; r++)
        worst = Math.max(worst, model.problem.gL[r]! - g[r]!, g[r]! - model.problem.gU[r]!);
      expect(worst, `area ${a.name}`).toBeLessThan(1e-12);
    }
  });

  it('a warm-started round (kept KKT system, previous point) reaches the optimum a cold solve of the same inputs finds', () => {
    const a = plan.areas[3]!; // area 4 (root 125): a child, with price and voltage inputs
    const up = plan.boundaries.find((b) => b.childArea === a.id)!;
    const init = plan.initial[up.id - 1]!;
    const inputsAt = (vScale: number, price: number) => ({
      rootVSqPu: init.vSqPu.map((v) => v * vScale),
      rootPrice: {
        pPerPu: init.pricePPerPu!.map((p) => p * price),
        qPerPu: init.pricePPerPu!.map((p) => 0.1 * p * price),
      },
      childLoads: [],
    });
    const warm = createOpfArea(a.spec);
    warm.solve(inputsAt(1, 1), 1, {});
    const second = inputsAt(1.004, 1.05); // the root voltage and the import prices moved
    const w = warm.solve(second, 2, {});
    const c = createOpfArea(a.spec).solve(second, 1, {});
    expect(w.stats.status).toBe('solved');
    expect(w.stats.iterations).toBeLessThan(c.stats.iterations);
    expect(Math.abs(w.stats.objective - c.stats.objective)).toBeLessThan(1e-6 * Math.abs(c.stats.objective));
    for (let t = 0; t < 3; t++) {
      expect(Math.abs(w.outputs.rootPQ!.pPu[t]! - c.outputs.rootPQ!.pPu[t]!)).toBeLessThan(1e-6);
      expect(Math.abs(w.outputs.rootPQ!.qPu[t]! - c.outputs.rootPQ!.qPu[t]!)).toBeLessThan(1e-5);
      expect(Math.abs(w.outputs.rootPQ!.vPricePerPu![t]! - c.outputs.rootPQ!.vPricePerPu![t]!)).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(c.outputs.rootPQ!.vPricePerPu![t]!)),
      );
    }
  });

  it('a later round on the kept model (its boundary constants moved, not rebuilt) answers as a model built for the new inputs', () => {
    // Area 1 holds the substation and the child boundaries: its inputs are the children's P, Q.
    const a = plan.areas[0]!;
    const kids = plan.boundaries.filter((b) => b.parentArea === a.id);
    expect(kids.length).toBeGreaterThan(0);
    const inputsAt = (scale: number, vPrice: number) => ({
      childLoads: kids.map((b) => {
        const s = plan.initial[b.id - 1]!;
        return {
          boundary: b.id,
          pPu: s.pPu.map((p) => p * scale),
          qPu: s.qPu.map((q) => q * (2 - scale)),
          vPricePerPu: s.pPu.map(() => vPrice),
        };
      }),
    });
    const kept = createOpfArea(a.spec);
    kept.solve(inputsAt(1, 0), 1, {});
    const moved = inputsAt(1.08, -0.5); // every boundary load moved by 8 %, and the voltage priced
    const w = kept.solve(moved, 2, {});
    const c = createOpfArea(a.spec).solve(moved, 1, {});
    expect(w.stats.status).toBe('solved');
    expect(Math.abs(w.stats.objective - c.stats.objective)).toBeLessThan(1e-6 * Math.abs(c.stats.objective));
    // Had the moved loads not reached the balance rows, the boundary voltages would be those of the old loads.
    const first = createOpfArea(a.spec).solve(inputsAt(1, 0), 1, {});
    for (const [k, cv] of c.outputs.childVSq.entries()) {
      const wv = w.outputs.childVSq[k]!;
      for (let t = 0; t < 3; t++) {
        expect(Math.abs(wv.vSqPu[t]! - cv.vSqPu[t]!)).toBeLessThan(1e-6);
        expect(Math.abs(wv.pPricePerPu![t]! - cv.pPricePerPu![t]!)).toBeLessThan(1e-5 * Math.abs(cv.pPricePerPu![t]!));
      }
    }
    const vMoved = Math.max(
      ...c.outputs.childVSq.flatMap((cv, k) =>
        cv.vSqPu.map((v, t) => Math.abs(v - first.outputs.childVSq[k]!.vSqPu[t]!)),
      ),
    );
    expect(vMoved).toBeGreaterThan(1e-4);
  });

  it('inexact rounds: a round whose inputs moved far is solved loosely, one whose inputs settled to the full tolerance and the cold answer', () => {
    const a = plan.areas[3]!;
    const up = plan.boundaries.find((b) => b.childArea === a.id)!;
    const init = plan.initial[up.id - 1]!;
    const inputs = {
      rootVSqPu: init.vSqPu,
      rootPrice: { pPerPu: init.pricePPerPu!, qPerPu: init.priceQPerPu! },
      childLoads: [],
    };
    const moved = { ...inputs, rootVSqPu: init.vSqPu.map((v) => v * 1.0001) }; // |v| moves by ~5e-5 pu
    const area = createOpfArea({ ...(a.spec as OpfAreaSpec), inexact: true });
    const first = area.solve(inputs, 1, {});
    expect(first.stats.tolerance).toBe(INEXACT_TOL_MAX); // round 1: nothing to go by, loosest
    const second = area.solve(moved, 2, {});
    expect(second.stats.tolerance).toBeUndefined(); // inputs moved < 1e-4 pu: full tolerance
    expect(second.stats.status).toBe('solved');
    const cold = createOpfArea(a.spec).solve(moved, 1, {});
    expect(Math.abs(second.stats.objective - cold.stats.objective)).toBeLessThan(1e-7 * Math.abs(cold.stats.objective));
    for (let t = 0; t < 3; t++)
      expect(Math.abs(second.outputs.rootPQ!.qPu[t]! - cold.outputs.rootPQ!.qPu[t]!)).toBeLessThan(1e-5); // as the warm-start test: Q is weakly determined
  });

  it('warm starts: central path in round 2; after a tiny-μ start fails at change d, the central path until the change is below TINY_RETRY_FRACTION × d; every round at the cold optimum', () => {
    const a = plan.areas[3]!; // area 4 (root 125): a child
    const up = plan.boundaries.find((b) => b.childArea === a.id)!;
    const init = plan.initial[up.id - 1]!;
    const inputsAt = (vScale: number) => ({
      rootVSqPu: init.vSqPu.map((v) => v * vScale),
      rootPrice: { pPerPu: init.pricePPerPu!, qPerPu: init.pricePPerPu!.map((p) => 0.1 * p) },
      childLoads: [],
    });
    // A budget of one iteration: a tiny-μ start that moves at all fails, as the crawling ones do on 10k.
    const area = createOpfArea({ ...(a.spec as OpfAreaSpec), warmPolicy: { tinyBudget: 1 } });
    // |v| changes per round (√scale − 1 of ~1 pu): 2e-3, 1e-2, 1e-2 (≥ half of the failed one), 1e-3.
    const scales = [1, 1.004, 1.024, 1.004, 1.006];
    const starts: string[] = [];
    for (const [i, sc] of scales.entries()) {
      const inputs = inputsAt(sc);
      const r = area.solve(inputs, i + 1, {});
      starts.push(r.stats.attempts!.map((x) => `${x.start}${x.ok ? '' : 'x'}`).join('+'));
      const cold = createOpfArea(a.spec).solve(inputs, 1, {});
      expect(r.stats.status).toBe('solved');
      expect(Math.abs(r.stats.objective - cold.stats.objective)).toBeLessThan(1e-6 * Math.abs(cold.stats.objective));
      expect(r.stats.iterations).toBe(r.stats.attempts!.reduce((n, x) => n + x.iterations, 0));
    }
    expect(starts).toEqual(['cold', 'central', 'tinyx+central', 'central', 'tinyx+central']);
    expect(TINY_RETRY_FRACTION).toBe(0.5);
  });

  it('the inexact tolerance follows the input change: INEXACT_FACTOR × change within [full, INEXACT_TOL_MAX]', () => {
    expect(inexactTolerance(1e-8, Infinity)).toBe(INEXACT_TOL_MAX);
    expect(inexactTolerance(1e-8, 1)).toBe(INEXACT_TOL_MAX);
    expect(inexactTolerance(1e-8, 1e-3)).toBeCloseTo(INEXACT_FACTOR * 1e-3, 15);
    expect(inexactTolerance(1e-8, 1e-5)).toBe(1e-8);
    expect(inexactTolerance(1e-8, 0)).toBe(1e-8);
    expect(inexactTolerance(1e-5, 1)).toBe(1e-5); // never tighter than a looser full tolerance
    // The change: root |v| (from v²) and boundary P, Q, matched by boundary id.
    const prev = { rootVSqPu: [1, 1.0201], childLoads: [{ boundary: 2, pPu: [0.1, 0.2], qPu: [0, 0] }] };
    expect(inputChange(null, prev)).toBe(Infinity);
    expect(inputChange(prev, { ...prev, rootVSqPu: [1, 1.0404] })).toBeCloseTo(0.01, 12);
    expect(inputChange(prev, { ...prev, childLoads: [{ boundary: 2, pPu: [0.1, 0.2], qPu: [0, -0.03] }] })).toBeCloseTo(
      0.03,
      12,
    );
  });

  it('refuses cuts that do not partition the feeder, with the reason', () => {
    expect(() => buildAreaProblems(feeder, study, [{ from: '117', to: '15' }])).toThrow(/named backwards/);
  });
});

/** Totals the optimum determines, within 1e-3 relative of the centralized solve. */
function expectMatches(out: DistributedOutcome): void {
  expect(out.enapp.status).toBe('converged');
  expect(out.results!.status).toBe('solved');
  for (const r of out.comparison!.rows) if (r.determined) expect(r.relDiff, r.quantity).toBeLessThan(1e-3);
  expect(out.comparison!.maxRelDiff).toBeLessThan(1e-3);
  // The merged dispatch is physically consistent: the AC power flow reproduces it.
  expect(out.results!.validation!.maxVoltageDiffPu).toBeLessThan(1e-4);
  expect(out.results!.validation!.maxLossDiffPu).toBeLessThan(1e-5);
}

describe('distributed = centralized on IEEE 123, 4 areas, T = 5 (the default boundary tolerance, 1e-3 pu)', () => {
  for (const objective of ['cost', 'loss'] as const) {
    it(`${objective} objective`, async () => {
      // From 10 h: PV produces, prices vary, batteries both charge and discharge.
      const study: Study = { periods: 5, startHour: 10, priceCentsPerKwh: price, objective };
      const central = solveOpf(feeder, study).results;
      const rounds: RoundRecord[] = [];
      const out = await solveDistributed(
        feeder,
        study,
        CUTS4,
        inProcess,
        { centralized: central, maxRounds: 100 },
        { clock, onRound: (r) => rounds.push(r) },
      );
      expect(out.enapp.message).toMatch(/^converged/);
      expectMatches(out);
      expect(out.results!.totals.pvKwh).toBeGreaterThan(0);
      // The rounds ran until the values changed less than the tolerance divided by the error
      // margin and the prices less than PRICE_TEST_FRACTION × tolerance (see distributed.ts), not a round longer.
      const settled = (r: RoundRecord) =>
        r.maxChangePu < 1e-3 / BOUNDARY_ERROR_MARGIN && r.maxChangePriceRel < PRICE_TEST_FRACTION * 1e-3;
      expect(settled(rounds.at(-1)!)).toBe(true);
      expect(rounds.slice(0, -1).some(settled)).toBe(false);
      expect(rounds.at(-1)!.maxChangePriceRel).toBeGreaterThan(0);
      // Same result shape as the centralized solve.
      expect(out.results!.busNames.length).toBe(central.busNames.length);
      expect(out.results!.periods.length).toBe(5);
    }, 120_000);
  }

  it("without the price exchange (each area only its own objective, the papers' scheme) the answer differs", async () => {
    // Prices frozen at their starting values: a child's import at C^t, no loss sensitivities.
    const study: Study = { periods: 5, startHour: 10, priceCentsPerKwh: price, objective: 'loss' };
    const central = solveOpf(feeder, study).results;
    const frozen: SpawnArea = (area, name) => {
      const t = inProcess(area, name);
      return {
        ...t,
        send: (m) =>
          t.send(
            m.type === 'solve'
              ? {
                  ...m,
                  inputs: {
                    ...m.inputs,
                    rootPrice: undefined,
                    childLoads: m.inputs.childLoads.map((c) => ({ boundary: c.boundary, pPu: c.pPu, qPu: c.qPu })),
                  },
                }
              : m,
          ),
      };
    };
    const out = await solveDistributed(
      feeder,
      study,
      CUTS4,
      frozen,
      { centralized: central, tolerancePu: 1e-5, maxRounds: 100 },
      { clock },
    );
    expect(out.enapp.status).toBe('converged');
    // Losses are what this objective minimises: the uncoordinated areas lose more than the optimum.
    expect(out.results!.totals.lineLossKwh).toBeGreaterThan(central.totals.lineLossKwh * (1 + 1e-3));
  }, 120_000);
});

describe("published coordination (the papers' value-only exchange) on IEEE 123, 4 areas, T = 24, cost", () => {
  it('stops within 6 rounds at a point measurably different from the centralized optimum, the difference reported', async () => {
    const study: Study = { periods: 24, priceCentsPerKwh: price, objective: 'cost' };
    const central = solveOpf(feeder, study).results;
    const out = await solveDistributed(
      feeder,
      study,
      CUTS4,
      inProcess,
      { centralized: central, coordination: 'published' },
      { clock },
    );
    expect(out.enapp.status).toBe('converged');
    expect(out.enapp.rounds.length).toBeLessThanOrEqual(6);
    // Values only: the prices every area was given never moved from their starting values.
    expect(
      out.enapp.boundaries.every((b) => b.priceQPerPu!.every((p) => p === 0) && b.priceVPerPu!.every((p) => p === 0)),
    ).toBe(true);
    expect(out.results!.notes.some((n) => n.includes('published'))).toBe(true);
    // Reactive import is free to a child: the reactive dispatch is off by far more than 1e-3, the cost much less.
    const row = (q: string) => out.comparison!.rows.find((r) => r.quantity === q)!;
    expect(row('PV + battery Q').relDiff).toBeGreaterThan(1e-2);
    expect(row('substation cost').relDiff).toBeLessThan(1e-3);
    expect(out.comparison!.maxRelDiff).toBeGreaterThan(1e-2);
  }, 300_000);
});

describe('suggested partitions of IEEE 123 (k = 2..8, T = 2) converge to the centralized answer', () => {
  const study: Study = { periods: 2, startHour: 12, priceCentsPerKwh: price };
  const central = solveOpf(feeder, study).results;
  for (let k = 2; k <= 8; k++) {
    it(`k = ${k}`, async () => {
      const { cuts } = suggestPartition(feeder, k, 2);
      const out = await solveDistributed(
        feeder,
        study,
        cuts,
        inProcess,
        { centralized: central, tolerancePu: 1e-5, maxRounds: 100 },
        { clock },
      );
      expect(out.plan.areas.length).toBe(k);
      expectMatches(out);
    }, 120_000);
  }
});

describe('OPF areas in their own Node processes', () => {
  afterEach(() => {
    expect(liveAreaProcesses.size).toBe(0);
    expect(startedAreaPids.filter(isAlive)).toEqual([]);
  });
  const study: Study = { periods: 3, startHour: 10, priceCentsPerKwh: price };

  it('converges to the centralized answer, with every process gone afterwards', async () => {
    const central = solveOpf(feeder, study).results;
    const out = await solveDistributed(
      feeder,
      study,
      CUTS4,
      nodeAreaTransport(),
      { centralized: central, tolerancePu: 1e-5, maxRounds: 100 },
      { clock },
    );
    expectMatches(out);
    expect(compareWithCentralized(central, out.results!).maxRelDiff).toBe(out.comparison!.maxRelDiff);
  }, 120_000);

  it('a killed OPF area process ends the run cleanly, naming the area', async () => {
    const out = await solveDistributed(
      feeder,
      study,
      CUTS4,
      nodeAreaTransport({ TESSERA_FAULT: 'crash@3:2' }),
      { restartOnce: false },
      { clock },
    );
    expect(out.enapp.status).toBe('failed');
    expect(out.enapp.message).toBe('area 3 (root 117) solver stopped: exit code 3');
    expect(out.results).toBeNull();
  }, 120_000);

  it('an infeasible study (V_min 1.02 pu) ends infeasible naming the binding limit, its bus, hour and area — not failed', async () => {
    const out = await solveDistributed(feeder, { ...study, vMinPu: 1.02 }, CUTS4, nodeAreaTransport(), {}, { clock });
    expect(out.enapp.status).toBe('infeasible');
    expect(out.enapp.infeasible).toMatchObject({
      round: 1,
      binding: expect.stringMatching(/^voltage lower limit 1\.02 pu at bus \w+ \(hour \d+\)/),
    });
    const { areaName, binding } = out.enapp.infeasible!;
    expect(out.enapp.message).toContain(`area ${areaName} is infeasible in round 1`);
    expect(out.enapp.message).toContain(binding);
    // The bus named is one of that area's own buses.
    const area = out.plan.check.areas.find((a) => areaName.startsWith(`${a.id} `))!;
    expect(area.buses).toContain(/at bus (\w+)/.exec(binding)![1]);
    expect(out.results).toBeNull();
  }, 120_000);

  it('a cancel mid-run ends the run cleanly, every area process stopped', async () => {
    const controller = new AbortController();
    const out = await solveDistributed(
      feeder,
      study,
      CUTS4,
      nodeAreaTransport(),
      { tolerancePu: 1e-12, maxRounds: 100 },
      {
        clock,
        signal: controller.signal,
        onRound: (r) => r.round === 1 && setTimeout(() => controller.abort(), 0),
      },
    );
    expect(out.enapp.status).toBe('cancelled');
    expect(out.enapp.message).toBe('cancelled by the user');
    expect(out.results).toBeNull();
  }, 120_000);
});
