/**
 * CalcVoltageBases as OpenDSS does it (Solution.pas SetVoltageBases + Utilities.pas
 * NearestBasekV): each bus takes the `Set VoltageBases` value nearest in ratio to √3 × the
 * no-load voltage of its first-referenced node — the node of the first conductor of the
 * first-created element that reaches the bus — not of its lowest node.
 */
import { describe, expect, it } from 'vitest';
import { importUnbalanced } from './import';
import { calcVoltageBases, nearestBaseKv } from './powerflow';

const files = (map: Record<string, string>) => (p: string) => {
  const t = map[p];
  if (t === undefined) throw new Error('no such file');
  return t;
};

const circuit = `Clear
New Circuit.t basekv=12.47 pu=1.0 phases=3 bus1=src MVAsc3=200000 MVAsc1=210000
New Line.l1 bus1=src bus2=b2 phases=3 r1=0.1 x1=0.3 r0=0.3 x0=0.9 c1=0 c0=0 length=1
`;
// Bus b3 gets node 3 from a 12.47 kV single-phase line and node 2 from a 7.2/0.277 kV service
// transformer: which one OpenDSS reads depends only on which element was created first.
const line = 'New Line.a bus1=b2.3 bus2=b3.3 phases=1 r1=0.1 x1=0.3 c1=0 c0=0 length=1\n';
const xfmr =
  'New Transformer.t1 phases=1 windings=2 buses=[b2.2 b3.2] conns=[wye wye] kvs=[7.2 0.277] kvas=[25 25] xhl=2\n';

function basesOf(text: string) {
  const out = importUnbalanced('/m.dss', files({ '/m.dss': text }));
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
  calcVoltageBases(out.network);
  return out.network;
}

describe('CalcVoltageBases as OpenDSS', () => {
  it('takes the nearest base in ratio, not in kV (NearestBasekV: |1 − kV/base|)', () => {
    // 0.31 kV is 0.102 kV from 0.208 and 0.17 kV from 0.48, but 49 % above 0.208 and 35 % below 0.48.
    expect(nearestBaseKv([0.208, 0.48], 0.31)).toBe(0.48);
    expect(nearestBaseKv([0.48, 0.208], 0.25)).toBe(0.208);
    expect(nearestBaseKv([115, 12.47, 4.16], 13.2)).toBe(12.47);
    // No list: the voltage itself; a dead node: 0.
    expect(nearestBaseKv([], 0.4)).toBe(0.4);
    expect(nearestBaseKv([12.47], 0)).toBe(0);
  });

  it("reads the bus's first-referenced node: the same bus gets 12.47 kV when the line came first, 0.48 kV when the transformer did", () => {
    const lineFirst = basesOf(`${circuit}${line}${xfmr}Set VoltageBases=[12.47 0.48]\n`);
    const b3 = lineFirst.buses.get('b3')!;
    expect(b3.nodes).toEqual([2, 3]);
    expect(b3.refNode).toBe(3);
    expect(b3.kvBaseLN * Math.sqrt(3)).toBeCloseTo(12.47, 12);
    const xfmrFirst = basesOf(`${circuit}${xfmr}${line}Set VoltageBases=[12.47 0.48]\n`);
    expect(xfmrFirst.buses.get('b3')!.refNode).toBe(2);
    expect(xfmrFirst.buses.get('b3')!.kvBaseLN * Math.sqrt(3)).toBeCloseTo(0.48, 12);
    // A bus reached by a three-phase element with no node list reads node 1.
    expect(lineFirst.buses.get('b2')!.refNode).toBe(1);
  });

  it('counts an element by when it was created, whatever its class: a load defined before both transformers decides', () => {
    // Transformers are read before loads, so "first read" would give t1's node 2 (0.48 kV); OpenDSS
    // numbers the load's node 3 first, energized at 7.2 kV by t2.
    const t2 =
      'New Transformer.t2 phases=1 windings=2 buses=[b2.3 b3.3] conns=[wye wye] kvs=[7.2 7.2] kvas=[25 25] xhl=2\n';
    const net = basesOf(
      `${circuit}New Load.ld bus1=b3.3 phases=1 kv=7.2 kw=1\n${xfmr}${t2}Set VoltageBases=[12.47 0.48]\n`,
    );
    expect(net.buses.get('b3')!.refNode).toBe(3);
    expect(net.buses.get('b3')!.kvBaseLN * Math.sqrt(3)).toBeCloseTo(12.47, 12);
  });
});
