import { describe, expect, it } from 'vitest';
import type { Feeder } from './feeder';
import { FeederValidationError, assertValidFeeder, validateFeeder } from './validate';

/** A 4-bus feeder: 1 —l1— 2 —l2— 3, 2 —l3— 4, one of each device. Valid. */
function small(overrides: Partial<Feeder> = {}): Feeder {
  return {
    name: 'small',
    baseKva: 1000,
    substation: { bus: '1', vSetPu: 1.03 },
    buses: ['1', '2', '3', '4'].map((name) => ({ name, vBaseKv: 2.4018 })),
    branches: [
      { name: 'l1', from: '1', to: '2', rOhm: 0.1, xOhm: 0.2, kind: 'line' },
      { name: 'l2', from: '2', to: '3', rOhm: 0.1, xOhm: 0.2, kind: 'line' },
      { name: 'l3', from: '4', to: '2', rOhm: 0.1, xOhm: 0.2, kind: 'line' },
    ],
    loads: [{ name: 'L3', bus: '3', pKw: 10, qKvar: 5, shape: 'day' }],
    capacitors: [{ name: 'C4', bus: '4', qKvar: 50 }],
    pv: [{ name: 'PV3', bus: '3', pRatedKw: 5, sRatedKva: 6 }],
    batteries: [
      {
        name: 'B4',
        bus: '4',
        pRatedKw: 5,
        energyKwh: 20,
        sRatedKva: 6,
        etaCharge: 0.95,
        etaDischarge: 0.95,
        socMin: 0.3,
        socMax: 0.95,
        socInitial: 0.625,
      },
    ],
    shapes: [{ name: 'day', intervalH: 1, mult: [0.5, 1] }],
    ...overrides,
  };
}

const errorsOf = (f: Feeder) => validateFeeder(f).filter((i) => i.severity === 'error');

describe('validateFeeder', () => {
  it('accepts a valid radial feeder', () => {
    expect(validateFeeder(small())).toEqual([]);
    expect(() => assertValidFeeder(small())).not.toThrow();
  });

  it('names the branches of a loop', () => {
    const f = small();
    const looped = small({
      branches: [...f.branches, { name: 'tie', from: '3', to: '4', rOhm: 0.1, xOhm: 0.1, kind: 'switch' }],
    });
    const errs = errorsOf(looped);
    expect(errs).toHaveLength(1);
    expect(errs[0].code).toBe('notATree');
    // The loop is 3–2 (l2), 2–4 (l3), 4–3 (tie).
    expect(errs[0].message).toContain('branches l2, l3, tie form a loop');
  });

  it('names a two-branch loop from parallel branches', () => {
    const f = small();
    const errs = errorsOf(
      small({ branches: [...f.branches, { name: 'l1b', from: '2', to: '1', rOhm: 1, xOhm: 1, kind: 'line' }] }),
    );
    expect(errs.map((e) => e.message)).toEqual([expect.stringContaining('branches l1, l1b form a loop')]);
  });

  it('names the buses of each island', () => {
    const f = small();
    const errs = errorsOf(
      small({
        buses: [
          ...f.buses,
          { name: 'x', vBaseKv: 2.4018 },
          { name: 'y', vBaseKv: 2.4018 },
          { name: 'z', vBaseKv: 2.4018 },
        ],
        branches: [...f.branches, { name: 'lxy', from: 'x', to: 'y', rOhm: 1, xOhm: 1, kind: 'line' }],
      }),
    );
    expect(errs.map((e) => e.code)).toEqual(['island', 'island']);
    expect(errs[0].message).toBe('2 buses x, y are not connected to the substation bus 1');
    expect(errs[1].message).toBe('bus z is not connected to the substation bus 1');
  });

  it('reports duplicate names case-insensitively, per kind', () => {
    const f = small();
    const errs = errorsOf(small({ loads: [...f.loads, { name: 'l3', bus: '4', pKw: 1, qKvar: 0 }] }));
    expect(errs).toEqual([expect.objectContaining({ code: 'duplicateName', element: 'load l3' })]);
    // A load and a branch may share a name.
    expect(errorsOf(small({ loads: [{ name: 'l1', bus: '3', pKw: 1, qKvar: 0 }] }))).toEqual([]);
  });

  it('reports branches to missing buses and self loops', () => {
    const f = small();
    const errs = errorsOf(
      small({
        branches: [
          ...f.branches,
          { name: 'bad', from: '3', to: '99', rOhm: 1, xOhm: 1, kind: 'line' },
          { name: 'self', from: '3', to: '3', rOhm: 1, xOhm: 1, kind: 'line' },
        ],
      }),
    );
    expect(errs.map((e) => [e.code, e.element])).toEqual([
      ['missingBus', 'branch bad'],
      ['selfLoop', 'branch self'],
    ]);
  });

  it('rejects negative, missing or zero impedance where it matters, allows an ideal switch', () => {
    const f = small();
    const withBranch2 = (b: Partial<Feeder['branches'][number]>) =>
      small({ branches: [f.branches[0], { ...f.branches[1], ...b }, f.branches[2]] });
    expect(errorsOf(withBranch2({ rOhm: -0.1 }))[0].code).toBe('badImpedance');
    expect(errorsOf(withBranch2({ xOhm: NaN }))[0].code).toBe('badImpedance');
    expect(errorsOf(withBranch2({ xOhm: undefined as unknown as number }))[0].code).toBe('badImpedance');
    expect(errorsOf(withBranch2({ rOhm: 0, xOhm: 0 }))[0].message).toContain('needs a non-zero impedance');
    expect(errorsOf(withBranch2({ rOhm: 0, xOhm: 0, kind: 'switch' }))).toEqual([]);
    expect(errorsOf(withBranch2({ ampacityA: 0 }))[0].code).toBe('badRating');
  });

  it('rejects a line across two base voltages but accepts a transformer', () => {
    const f = small();
    const buses = f.buses.map((b) => (b.name === '3' ? { ...b, vBaseKv: 0.277 } : b));
    expect(errorsOf(small({ buses }))[0].code).toBe('baseMismatch');
    const branches = f.branches.map((b) => (b.name === 'l2' ? { ...b, kind: 'transformer' as const } : b));
    expect(errorsOf(small({ buses, branches }))).toEqual([]);
  });

  it('reports devices on unknown buses and unknown shapes', () => {
    const errs = errorsOf(
      small({
        capacitors: [{ name: 'C9', bus: '9', qKvar: 10 }],
        pv: [{ name: 'PV3', bus: '3', pRatedKw: 5, sRatedKva: 6, shape: 'sun' }],
      }),
    );
    expect(errs.map((e) => [e.code, e.element])).toEqual([
      ['unknownBus', 'capacitor C9'],
      ['unknownShape', 'pv PV3'],
    ]);
  });

  it('reports ratings that contradict each other', () => {
    const b = small().batteries[0];
    const codes = (over: Partial<typeof b>) => errorsOf(small({ batteries: [{ ...b, ...over }] })).map((e) => e.code);
    expect(codes({ sRatedKva: 4 })).toEqual(['ratingConflict']);
    expect(codes({ socMin: 0.96 })).toEqual(['ratingConflict']);
    expect(codes({ socInitial: 0.2 })).toEqual(['ratingConflict']);
    expect(codes({ etaCharge: 1.2 })).toEqual(['badRating']);
    expect(codes({ energyKwh: 0 })).toEqual(['badRating']);
    expect(errorsOf(small({ pv: [{ name: 'PV3', bus: '3', pRatedKw: 5, sRatedKva: 4 }] })).map((e) => e.code)).toEqual([
      'ratingConflict',
    ]);
  });

  it('checks the substation, base and shapes', () => {
    expect(errorsOf(small({ substation: { bus: 'nowhere', vSetPu: 1 } })).map((e) => e.code)).toEqual(['unknownBus']);
    expect(errorsOf(small({ substation: { bus: '1', vSetPu: 103 } })).map((e) => e.code)).toEqual(['badValue']);
    expect(errorsOf(small({ baseKva: 0 })).map((e) => e.code)).toEqual(['badFeeder']);
    expect(
      errorsOf(small({ shapes: [{ name: 'day', intervalH: 1, mult: [1, 2], qmult: [1] }] })).map((e) => e.code),
    ).toEqual(['badShape']);
    expect(errorsOf(small({ shapes: [{ name: 'day', intervalH: 0, mult: [1] }] })).map((e) => e.code)).toEqual([
      'badShape',
    ]);
  });

  it('assertValidFeeder throws every error at once', () => {
    const f = small({ baseKva: -1, capacitors: [{ name: 'C9', bus: '9', qKvar: 10 }] });
    try {
      assertValidFeeder(f);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FeederValidationError);
      expect((e as FeederValidationError).issues).toHaveLength(2);
      expect((e as Error).message).toContain('capacitor C9');
    }
  });
});
