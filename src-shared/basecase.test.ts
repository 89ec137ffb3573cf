import { describe, expect, it } from 'vitest';
import type { BaseCaseResult } from '../src-main/contract';
import { baseCaseProfileOption, busVoltage } from './basecase';
import { ansiViolation, phaseLetters } from './threephase';

/** A three-bus feeder: source (abc) → 2 (abc) → 3 (phase c only), one period. */
const result: BaseCaseResult = {
  scenarioId: 1,
  feederId: 1,
  model: 'three-phase',
  mode: 'snapshot',
  controls: true,
  buses: ['s', '2', '3'],
  distance: [0, 1.5, 2],
  distanceUnit: 'km',
  busPhases: ['abc', 'abc', 'c'],
  edges: [
    [0, 1],
    [1, 2],
  ],
  periods: [
    {
      hour: 0,
      converged: true,
      iterations: 3,
      substationKw: 1,
      substationKvar: 0,
      lossKw: 0,
      lossKvar: 0,
      vPu: [
        [1, 0.97, null],
        [1, 1.06, null],
        [1, 0.99, 0.9],
      ],
      regulatorTaps: {},
      capacitorStates: {},
      vufMax: null,
    },
  ],
  violations: [],
  violationCount: 0,
  overloads: [],
  overloadCount: 0,
  ratedBranches: 0,
  elapsedSeconds: 0,
};

describe('base-case helpers', () => {
  it('the worst phase is the one farthest from 1 pu; a phase the bus lacks shows nothing', () => {
    expect(busVoltage(result, 0, 1, 'worst')).toEqual({ vPu: 1.06, phase: 'B' });
    expect(busVoltage(result, 0, 2, 'worst')).toEqual({ vPu: 0.9, phase: 'C' });
    expect(busVoltage(result, 0, 2, 'A')).toBeNull();
    expect(busVoltage(result, 0, 1, 'C')).toEqual({ vPu: 0.99, phase: 'C' });
  });

  it('the profile draws one series of parent→child segments per phase, leaving out the phases a lateral lacks', () => {
    const o = baseCaseProfileOption(result, 0) as { series: { name: string; type: string; data: unknown[] }[] };
    const lines = o.series.filter((s) => s.type === 'line');
    expect(lines.map((s) => s.name)).toEqual(['Phase A', 'Phase B', 'Phase C']);
    // Phase A: only s→2 (bus 3 has no phase a); phase C: both edges.
    expect(lines[0]!.data).toEqual([[0, 1], [1.5, 0.97], null]);
    expect(lines[2]!.data).toEqual([[0, 1], [1.5, 0.99], null, [1.5, 0.99], [2, 0.9], null]);
  });

  it('ANSI C84.1: inside Range A nothing; between A and B the A limit; beyond B the B limit', () => {
    expect(ansiViolation(1.0)).toBeNull();
    expect(ansiViolation(0.95)).toBeNull();
    expect(ansiViolation(0.93)).toEqual({ range: 'A', side: 'low', limitPu: 0.95 });
    expect(ansiViolation(0.9)).toEqual({ range: 'B', side: 'low', limitPu: 0.917 });
    expect(ansiViolation(1.055)).toEqual({ range: 'A', side: 'high', limitPu: 1.05 });
    expect(ansiViolation(1.06)).toEqual({ range: 'B', side: 'high', limitPu: 1.058 });
    expect(phaseLetters([3, 1, 4, 0])).toBe('ac');
  });
});
