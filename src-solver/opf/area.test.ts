/**
 * Sub-area models for the distributed (ENApp) method: the same builder on a sub-tree, with the
 * root a boundary "voltage source" (`rootVoltageSqPu`) or a child area replaced by a load
 * (`extraLoadsPu`). At the centralized optimum, restricted to an area and with the boundary
 * values taken from it, every row of the area's model must hold: the area models express exactly
 * the centralized physics (spec "Spatial decomposition").
 */
import { describe, expect, it } from 'vitest';
import { loadIeee123 } from '../../bench/ipopt-ref/export-data';
import type { Feeder } from '../model/feeder';
import { buildOpfModel, type OpfModel } from './model';
import { solveOpf } from './solve';
import type { Study } from './study';

const { feeder, price } = loadIeee123();
const study: Study = { periods: 4, startHour: 10, objective: 'cost', priceCentsPerKwh: price, terminalSoc: 'free' };

/** The feeder cut at branch cutFrom → boundary: the child (rooted at the boundary) or the parent (keeping it). */
function split(f: Feeder, cutFrom: string, boundary: string): { parent: Feeder; child: Feeder } {
  const adj = new Map<string, string[]>();
  for (const b of f.branches) {
    adj.set(b.from, [...(adj.get(b.from) ?? []), b.to]);
    adj.set(b.to, [...(adj.get(b.to) ?? []), b.from]);
  }
  const child = new Set([boundary]);
  const stack = [boundary];
  while (stack.length) {
    for (const o of adj.get(stack.pop()!) ?? []) {
      if (o === cutFrom || child.has(o)) continue;
      child.add(o);
      stack.push(o);
    }
  }
  const inChild = (bus: string): boolean => child.has(bus) && bus !== boundary;
  const keep = (pred: (bus: string) => boolean) => ({
    buses: f.buses.filter((b) => pred(b.name)),
    branches: f.branches.filter((b) => pred(b.from) && pred(b.to)),
    loads: f.loads.filter((l) => pred(l.bus)),
    capacitors: f.capacitors.filter((c) => pred(c.bus)),
    pv: f.pv.filter((p) => pred(p.bus)),
    batteries: f.batteries.filter((b) => pred(b.bus)),
  });
  const parent: Feeder = { ...f, name: 'parent', ...keep((b) => !inChild(b)) };
  // The boundary bus's own devices stay with the parent (it keeps the boundary bus).
  const c = keep((b) => child.has(b));
  const childFeeder: Feeder = {
    ...f,
    name: 'child',
    substation: { bus: boundary, vSetPu: 1 },
    ...c,
    loads: c.loads.filter((l) => l.bus !== boundary),
    capacitors: c.capacitors.filter((x) => x.bus !== boundary),
    pv: c.pv.filter((p) => p.bus !== boundary),
    batteries: c.batteries.filter((b) => b.bus !== boundary),
  };
  return { parent, child: childFeeder };
}

/** Copy the centralized solution into an area model's x, by bus, branch-into-bus and device names. */
function restrict(central: OpfModel, xc: Float64Array, area: OpfModel): Float64Array {
  const c = central;
  const a = area;
  const x = new Float64Array(a.ix.n);
  const bc = (name: string): number => c.net.busIndex.get(name)!;
  const pvC = new Map(c.net.pvNames.map((n, k) => [n, k]));
  const batC = new Map(c.net.batNames.map((n, k) => [n, k]));
  for (let t = 0; t < a.net.periods; t++) {
    for (let b = 1; b < a.net.nBus; b++) {
      const cb = bc(a.net.busNames[b]!);
      x[a.ix.P(b - 1, t)] = xc[c.ix.P(cb - 1, t)]!;
      x[a.ix.Q(b - 1, t)] = xc[c.ix.Q(cb - 1, t)]!;
      x[a.ix.l(b - 1, t)] = xc[c.ix.l(cb - 1, t)]!;
      x[a.ix.v(b, t)] = xc[c.ix.v(cb, t)]!;
    }
    a.net.pvNames.forEach((n, k) => (x[a.ix.qD(k, t)] = xc[c.ix.qD(pvC.get(n)!, t)]!));
    a.net.batNames.forEach((n, k) => {
      const kc = batC.get(n)!;
      x[a.ix.Pc(k, t)] = xc[c.ix.Pc(kc, t)]!;
      x[a.ix.Pd(k, t)] = xc[c.ix.Pd(kc, t)]!;
      x[a.ix.qB(k, t)] = xc[c.ix.qB(kc, t)]!;
      x[a.ix.B(k, t)] = xc[c.ix.B(kc, t)]!;
    });
  }
  return x;
}

function worstRow(m: OpfModel, x: Float64Array): number {
  const g = new Float64Array(m.problem.m);
  m.problem.evalG(x, g);
  let worst = 0;
  for (let r = 0; r < g.length; r++) worst = Math.max(worst, m.problem.gL[r]! - g[r]!, g[r]! - m.problem.gU[r]!);
  return worst;
}

describe('area models (ENApp reuse of the builder)', () => {
  const central = solveOpf(feeder, study);
  const xc = central.nlp.x;
  const { parent, child } = split(feeder, '15', '117');

  it('the cut is the documented 15–117 tie: the child holds devices, the parent the substation', () => {
    expect(central.optimal).toBe(true);
    expect(child.buses.length + parent.buses.length).toBe(feeder.buses.length + 1); // 117 in both
    expect(child.batteries.length).toBeGreaterThan(0);
  });

  it('child area: rooted at the boundary bus with the parent replaced by a voltage source', () => {
    const k117 = central.model.net.busIndex.get('117')!;
    const rootVoltageSqPu = Array.from({ length: study.periods! }, (_, t) => xc[central.model.ix.v(k117, t)]!);
    const area = buildOpfModel(child, study, { rootVoltageSqPu });
    expect(area.net.nBus).toBe(child.buses.length);
    expect(worstRow(area, restrict(central.model, xc, area))).toBeLessThan(1e-8);
    // and the rows do depend on the boundary voltage: a wrong one breaks them
    const wrong = buildOpfModel(child, study, { rootVoltageSqPu: rootVoltageSqPu.map((v) => v * 1.01) });
    expect(worstRow(wrong, restrict(central.model, xc, wrong))).toBeGreaterThan(1e-4);
  });

  it('parent area: the child replaced by a load equal to the power entering it', () => {
    const cm = central.model;
    const k117 = cm.net.busIndex.get('117')!;
    const p: number[] = [];
    const q: number[] = [];
    for (let t = 0; t < study.periods!; t++) {
      let pt = 0;
      let qt = 0;
      for (let c = cm.net.childStart[k117]!; c < cm.net.childStart[k117 + 1]!; c++) {
        pt += xc[cm.ix.P(cm.net.childList[c]!, t)]!;
        qt += xc[cm.ix.Q(cm.net.childList[c]!, t)]!;
      }
      p.push(pt);
      q.push(qt);
    }
    const area = buildOpfModel(parent, study, { extraLoadsPu: [{ bus: '117', p, q }] });
    expect(worstRow(area, restrict(cm, xc, area))).toBeLessThan(1e-8);
    const none = buildOpfModel(parent, study);
    expect(worstRow(none, restrict(cm, xc, none))).toBeGreaterThan(1e-4);
  });
});
