import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Feeder } from '../model/feeder';
import { solvePowerFlow } from '../pf/powerflow';
import { exampleFolderFiles } from './export';
import { loadExampleProject } from './project';
import { generateScaledFeeder } from './scaled';

const EXAMPLE = new URL('../../resources/examples/ieee123/', import.meta.url);
const readExample = (rel: string): string => readFileSync(new URL(rel, EXAMPLE), 'utf8');

/** Per-bus totals, so feeders can be compared whatever their element names. */
function perBus(f: Feeder) {
  const m = new Map<string, number[]>(f.buses.map((b) => [b.name, [0, 0, 0, 0, 0, 0]]));
  const add = (bus: string, k: number, x: number) => (m.get(bus)![k] += x);
  f.loads.forEach((l) => add(l.bus, 0, l.pKw) + add(l.bus, 1, l.qKvar));
  f.capacitors.forEach((c) => add(c.bus, 2, c.qKvar));
  f.pv.forEach((p) => add(p.bus, 3, p.pRatedKw) + add(p.bus, 4, p.sRatedKva));
  f.batteries.forEach((b) => add(b.bus, 5, b.energyKwh));
  return m;
}

describe('exampleFolderFiles round trip through loadExampleProject', () => {
  const project = loadExampleProject(readExample('example.json'), readExample);
  const big = generateScaledFeeder(project.feeder, 6);
  const files = exampleFolderFiles(big, {
    title: 't',
    description: 'd',
    priceCentsPerKwh: project.priceCentsPerKwh!,
    study: { periods: 24 },
  });
  const back = loadExampleProject(files.get('example.json')!, (p) => files.get(p)!).feeder;

  it('keeps the network, every bus’s load, capacitor, PV and battery, and the shapes', () => {
    expect(back.buses.map((b) => b.name)).toEqual(big.buses.map((b) => b.name));
    expect(back.branches.map((b) => [b.from, b.to, b.rOhm, b.xOhm])).toEqual(
      big.branches.map((b) => [b.from, b.to, b.rOhm, b.xOhm]),
    );
    const a = perBus(big);
    const b = perBus(back);
    for (const [bus, v] of a) v.forEach((x, k) => expect(b.get(bus)![k]).toBeCloseTo(x, 12));
    expect(back.substation).toEqual(big.substation);
    expect(back.shapes.map((s) => s.mult)).toEqual(big.shapes.map((s) => s.mult));
  });

  it('gives the same power flow', () => {
    const p1 = solvePowerFlow(big, { periods: 24 }).periods;
    const p2 = solvePowerFlow(back, { periods: 24 }).periods;
    p1.forEach((p, t) => {
      expect(p2[t].substationKw).toBeCloseTo(p.substationKw, 9);
      expect(p2[t].vmin).toEqual({ pu: expect.closeTo(p.vmin.pu, 12), bus: p.vmin.bus });
    });
  });

  it('refuses a feeder the reference CSV cannot express, naming the element', () => {
    const odd = { ...big, batteries: [{ ...big.batteries[0], energyKwh: 1 }] };
    expect(() => exampleFolderFiles(odd, { title: 't', description: 'd' })).toThrow(
      /battery c0_Battery3 does not follow the reference ratios/,
    );
  });
});
