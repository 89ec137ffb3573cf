import { describe, expect, it } from 'vitest';
import { CHOSEN_COLOR, marginalValueColors, OTHER_COLOR, VALUE_STOPS, valueColor } from './siting-map';

const site = (bus: string) => ({ bus, phases: 3, kw: 60, kwh: 240, kva: 72 });

describe('siting marginal-value map colours', () => {
  it('puts the lowest and highest value at the ends of the scale and interpolates between stops', () => {
    expect(valueColor(2, 2, 10)).toBe(VALUE_STOPS[0]);
    expect(valueColor(10, 2, 10)).toBe(VALUE_STOPS[4]);
    expect(valueColor(6, 2, 10)).toBe(VALUE_STOPS[2]);
    // Half-way between stop 0 (#fff1dc) and stop 1 (#fdd0a2): each channel the mean, rounded.
    expect(valueColor(3, 2, 10)).toBe('#fee1bf');
    expect(valueColor(99, 2, 10)).toBe(VALUE_STOPS[4]);
    expect(valueColor(5, 5, 5)).toBe(VALUE_STOPS[2]);
  });

  it('colours candidates by value, the first feasible configuration highlighted, other buses grey', () => {
    const report = {
      marginalValue: [
        { bus: 'a', usdPerKwYear: 30, meanLmpUsdPerKwh: 0.05 },
        { bus: 'b', usdPerKwYear: 10, meanLmpUsdPerKwh: 0.04 },
        { bus: 'c', usdPerKwYear: 20, meanLmpUsdPerKwh: 0.045 },
      ],
      ranked: [
        { feasible: false, sites: [site('b')] },
        { feasible: true, sites: [site('a')] },
      ],
    } as unknown as Parameters<typeof marginalValueColors>[0];
    const m = marginalValueColors(report, ['root', 'a', 'b', 'c']);
    expect(m.range).toEqual({ lo: 10, hi: 30 });
    expect(m.chosen).toEqual(['a']);
    expect(m.colors.get('a')).toBe(CHOSEN_COLOR);
    expect(m.colors.get('b')).toBe(VALUE_STOPS[0]);
    expect(m.colors.get('c')).toBe(VALUE_STOPS[2]);
    expect(m.colors.get('root')).toBe(OTHER_COLOR);
  });

  it('three-phase: each bus by its value on the chosen phase, or by its best phase; the site on its phase', () => {
    const mv = (bus: string, ph: number, v: number) => ({
      bus,
      phaseNodes: [ph],
      usdPerKwYear: v,
      meanLmpUsdPerKwh: 0,
    });
    const report = {
      marginalValue: [mv('a', 1, 30), mv('a', 2, 10), mv('b', 2, 20), mv('c', 3, 40)],
      ranked: [{ feasible: true, sites: [{ ...site('c'), phases: 1, phaseNodes: [3] }] }],
    } as unknown as Parameters<typeof marginalValueColors>[0];
    const best = marginalValueColors(report, ['a', 'b', 'c']);
    expect(best.range).toEqual({ lo: 10, hi: 40 });
    expect(best.colors.get('a')).toBe(valueColor(30, 10, 40));
    expect(best.colors.get('c')).toBe(CHOSEN_COLOR);
    const b = marginalValueColors(report, ['a', 'b', 'c'], 2);
    expect(b.range).toEqual({ lo: 10, hi: 20 });
    expect(b.colors.get('a')).toBe(VALUE_STOPS[0]);
    expect(b.colors.get('b')).toBe(VALUE_STOPS[4]);
    expect(b.colors.get('c')).toBe(OTHER_COLOR);
    expect(b.chosen).toEqual([]);
    expect(marginalValueColors(report, ['a', 'b', 'c'], 3).chosen).toEqual(['c']);
  });
});
