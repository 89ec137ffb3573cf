/**
 * The one-phase case (docs/spec/unbalanced-opf.md): the bundled balanced IEEE 123 study written
 * as a balanced three-phase feeder gives three times the existing balanced OPF's objective — an
 * independent check (different variables, equations and element models: DistFlow branch flows vs
 * rectangular voltages with coupled 3×3 line admittances) of the whole formulation.
 */
import { describe, expect, it } from 'vitest';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import { checkDerivatives } from '../nlp/index';
import { buildNetwork } from '../opf/network';
import { solveOpf } from '../opf/solve';
import type { Study } from '../opf/study';
import { balancedAsThreePhase, balancedStartVoltages } from './balanced';
import { buildOpf3Model } from './model';
import { solveOpf3 } from './solve';

const { feeder, price } = loadIeee123();

describe('opf3 on the balanced IEEE 123 as a three-phase feeder', () => {
  it('has exact first and second derivatives (finite differences)', () => {
    for (const objective of ['cost', 'loss'] as const) {
      for (const batteryLimit of ['box', 'disk'] as const) {
        const study: Study = {
          periods: 1,
          startHour: 11,
          priceCentsPerKwh: price,
          objective,
          batteryLimit,
          terminalSoc: 'soft',
        };
        const model = buildOpf3Model(balancedAsThreePhase(buildNetwork(feeder, study)));
        const x = Float64Array.from(model.problem.x0, (v, k) => v + 0.01 * Math.sin(k));
        // Every row is quadratic, so central differences are exact up to round-off: a large step
        // (1e-3) keeps round-off (ε·|f|/h) below the tolerance where the default 1e-6 does not.
        const res = checkDerivatives(model.problem, x, { step: 1e-3, tol: 1e-6, maxColumns: 500 });
        expect(res.ok, res.report).toBe(true);
      }
    }
  });

  for (const [label, study] of [
    ['cost, equal terminal SOC, box', { periods: 3, startHour: 10, priceCentsPerKwh: price }],
    [
      'loss, free terminal SOC, disk',
      {
        periods: 3,
        startHour: 17,
        priceCentsPerKwh: price,
        objective: 'loss',
        terminalSoc: 'free',
        batteryLimit: 'disk',
      },
    ],
  ] as [string, Study][]) {
    it(`gives three times the balanced objective (${label})`, () => {
      const one = solveOpf(feeder, study, { validate: false });
      expect(one.optimal).toBe(true);
      const three = solveOpf3(balancedAsThreePhase(one.model.net, 3, balancedStartVoltages(one.model.net)));
      expect(three.optimal, three.nlp.message).toBe(true);
      expect(Math.abs(three.objective / (3 * one.results.objective) - 1)).toBeLessThan(1e-6);
      // Per-phase voltages are the balanced ones on every phase.
      const net3 = three.model.net;
      three.periods.forEach((p, t) => {
        const vBal = one.results.periods[t]!.vPu;
        let worst = 0;
        for (let i = 0; i < net3.nFree; i++) {
          const b = one.model.net.busIndex.get(net3.nodeBus[i]!)!;
          worst = Math.max(worst, Math.abs(p.vPu[i]! - vBal[b]!));
        }
        expect(worst).toBeLessThan(1e-6);
      });
    });
  }
});
