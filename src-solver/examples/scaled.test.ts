import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFeeder } from '../model/validate';
import { compileRadialNetwork } from '../pf/network';
import { solvePowerFlow } from '../pf/powerflow';
import { loadExampleProject } from './project';
import { copyPrefix, generateScaledFeeder } from './scaled';

const EXAMPLE = new URL('../../resources/examples/ieee123/', import.meta.url);
const readExample = (rel: string): string => readFileSync(new URL(rel, EXAMPLE), 'utf8');

describe('generateScaledFeeder: 80 copies of IEEE 123', () => {
  const base = loadExampleProject(readExample('example.json'), readExample).feeder;
  const big = generateScaledFeeder(base);
  const sum = (xs: readonly { pKw?: number; qKvar?: number }[], k: 'pKw' | 'qKvar') =>
    xs.reduce((s, x) => s + (x[k] ?? 0), 0);

  it('has 10,240 buses in one radial tree and passes validation', () => {
    expect(big.buses).toHaveLength(10_240);
    expect(big.branches).toHaveLength(10_239);
    expect(validateFeeder(big).filter((i) => i.severity === 'error')).toEqual([]);
    const net = compileRadialNetwork(big); // throws on a loop or an island
    expect(net.n).toBe(10_240);
  });

  it('hangs copy c’s children off its buses 13, 60, 44, 76 through 0.01 + j0.02 Ω', () => {
    const ties = big.branches.filter((b) => b.name.startsWith('tie_'));
    expect(ties).toHaveLength(79);
    // Copy 0 feeds copies 1–4; copy 1 feeds 5–8; copy 19 feeds 77–79 (80 copies in all).
    const tieInto = (k: number) => ties.find((t) => t.to === `${copyPrefix(k)}1`)!;
    expect([1, 2, 3, 4].map((k) => tieInto(k).from)).toEqual(['c0_13', 'c0_60', 'c0_44', 'c0_76']);
    expect([5, 6, 7, 8].map((k) => tieInto(k).from)).toEqual(['c1_13', 'c1_60', 'c1_44', 'c1_76']);
    expect(tieInto(79).from).toBe('c19_44');
    for (const t of ties) expect([t.rOhm, t.xOhm]).toEqual([0.01, 0.02]);
    expect(big.substation).toEqual({ bus: 'c0_1', vSetPu: 1.03 });
  });

  it('carries exactly one IEEE 123 load, capacitor, PV and battery total', () => {
    expect(sum(big.loads, 'pKw')).toBeCloseTo(sum(base.loads, 'pKw'), 9);
    expect(sum(big.loads, 'qKvar')).toBeCloseTo(sum(base.loads, 'qKvar'), 9);
    expect(sum(big.capacitors, 'qKvar')).toBeCloseTo(sum(base.capacitors, 'qKvar'), 9);
    expect(big.pv.reduce((s, p) => s + p.pRatedKw, 0)).toBeCloseTo(
      base.pv.reduce((s, p) => s + p.pRatedKw, 0),
      9,
    );
    expect(big.batteries.reduce((s, b) => s + b.energyKwh, 0)).toBeCloseTo(
      base.batteries.reduce((s, b) => s + b.energyKwh, 0),
      9,
    );
    expect(big.pv).toHaveLength(80 * 17);
    expect(big.batteries).toHaveLength(80 * 26);
  });

  it('keeps every voltage within 0.95–1.05 pu over the day and at peak load without PV', () => {
    const day = solvePowerFlow(big, { periods: 24 });
    const peak = solvePowerFlow(big, { periods: 1, loadScale: [1], pvScale: [0] }).periods[0];
    for (const p of [...day.periods, peak]) {
      expect(p.vmin.pu).toBeGreaterThan(0.95);
      expect(p.vmax.pu).toBeLessThan(1.05);
      expect(p.maxMismatchPu).toBeLessThanOrEqual(1e-10);
    }
    // Energy balance at peak: the source supplies the (one IEEE 123) load plus the losses.
    const capKvar = big.capacitors.reduce(
      (s, c) => s + c.qKvar * peak.vPu[big.buses.findIndex((b) => b.name === c.bus)] ** 2,
      0,
    );
    expect(peak.substationKw - sum(big.loads, 'pKw')).toBeCloseTo(peak.lossKw, 5);
    expect(peak.substationKvar - sum(big.loads, 'qKvar') + capKvar).toBeCloseTo(peak.lossKvar, 5);
    console.log(
      `scaled x80 peak: vmin ${peak.vmin.pu.toFixed(5)} at ${peak.vmin.bus}, losses ${peak.lossKw.toFixed(3)} kW, ${peak.iterations} sweeps`,
    );
  });

  it('rejects an attach bus the base does not have', () => {
    expect(() => generateScaledFeeder(base, 4, { attachBuses: ['13', '999'] })).toThrow(/attach bus "999"/);
  });
});
