import { describe, expect, it } from 'vitest';
import { ComplexLdl } from './cldl';
import { cinverse, cmatrix } from './cmatrix';
import { importUnbalanced } from './import';
import { solveUnbalanced } from './solve';

const files = (map: Record<string, string>) => (p: string) => {
  const t = map[p];
  if (t === undefined) throw new Error('no such file');
  return t;
};

const base = `Clear
New Circuit.t basekv=12.47 pu=1.0 phases=3 bus1=src MVAsc3=200000 MVAsc1=210000
New Line.l1 bus1=src bus2=b2 phases=3 r1=0.1 x1=0.3 r0=0.3 x0=0.9 c1=0 c0=0 length=1
`;

function ok(text: string, extra?: string[]) {
  const out = importUnbalanced('/m.dss', files({ '/m.dss': text }), { extraLines: extra });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return out;
}
function errors(text: string) {
  const out = importUnbalanced('/m.dss', files({ '/m.dss': text }));
  expect(out.ok).toBe(false);
  return out.ok ? [] : out.errors;
}

describe('three-phase OpenDSS import', () => {
  it('allocates xfkVA × AllocationFactor loads and takes kVA/pf as OpenDSS does', () => {
    const out = ok(`${base}New Load.a bus1=b2 kv=12.47 xfkVA=1000 allocationfactor=0.6 pf=0.9
New Load.b bus1=b2 kv=12.47 kVA=500 pf=-0.8
Set VoltageBases=[12.47]
`);
    const [a, b] = out.network.loads;
    expect(a.kw).toBeCloseTo(540, 9);
    expect(a.kvar).toBeCloseTo(540 * Math.tan(Math.acos(0.9)), 9);
    expect(b.kw).toBeCloseTo(400, 9);
    expect(b.kvar).toBeCloseTo(-300, 9);
    expect(out.report.loadKw).toBeCloseTo(940, 9);
    expect(out.report.voltageBasesKv).toEqual([12.47]);
  });

  it('applies BatchEdit, Disable and Open, and commands after the script', () => {
    const out = ok(
      `${base}New Line.l2 bus1=b2 bus2=b3 phases=3 r1=0.1 x1=0.3 length=1
New Load.a bus1=b3 kv=12.47 kw=100
New Load.b bus1=b3 kv=12.47 kw=100
BatchEdit Load..* kw=50
Disable Load.b
Open Line.l2 2 1
`,
      ['Load.a.kvar=7'],
    );
    expect(out.network.loads.map((l) => [l.name, l.kw, l.kvar])).toEqual([['a', 50, 7]]);
    const l2 = out.network.lines.find((l) => l.name === 'l2')!;
    expect(l2.open).toEqual([
      [false, false, false],
      [true, false, false],
    ]);
  });

  it('names the element and the place for bad input, never drops it', () => {
    expect(errors(`${base}New Load.x bus1=b2 kv=12.47 kw=1e308`)[0]).toMatchObject({
      file: '/m.dss',
      line: 4,
      message: expect.stringMatching(/load\.x: kw=1e308 is out of any sensible range/),
    });
    expect(errors(`${base}New Load.x bus1=b2 kv=12.47 kw=abc`)[0].message).toMatch(/load\.x: kw="abc" is not a number/);
    expect(errors(`${base}New Fault.f1 bus1=b2`)[0].message).toMatch(/fault\.f1: the class fault is not supported/);
    expect(errors(`${base}New Line.g bus1=b2 bus2=b5 geometry=x length=1`)[0].message).toMatch(
      /line\.g: .*geometry=x: no LineGeometry of that name is defined/,
    );
    expect(errors(`${base}New Line.c bus1=b2 bus2=b5 linecode=nope`)[0].message).toMatch(
      /LineCode "nope" is not defined/,
    );
    expect(errors(`${base}New Transformer.t1 buses=[b2] kvs=[12.47 4.16]`)[0].message).toMatch(
      /transformer\.t1: winding 2 has no bus/,
    );
  });

  it('a constant-impedance load on a line matches the closed-form circuit solution', () => {
    // Balanced, stiff source, series Z = 1 + 3j Ω per phase (no mutuals: r0 = r1), load 1 MW at nominal.
    const out = ok(`Clear
New Circuit.t basekv=12.47 pu=1.0 phases=3 bus1=src r1=0 x1=1e-6 r0=0 x0=1e-6
New Line.l1 bus1=src bus2=b2 phases=3 r1=1 x1=3 r0=1 x0=3 c1=0 c0=0 length=1
New Load.z bus1=b2 kv=12.47 kw=1000 kvar=0 model=2
Set VoltageBases=[12.47]
`);
    const { periods } = solveUnbalanced(out.network);
    const rLoad = (12470 / Math.sqrt(3)) ** 2 / (1000e3 / 3);
    // |V_load| / |E| = |R / (R + 1 + 3j)|, with the source's 1 µΩ reactance negligible at 1e-9.
    const expected = rLoad / Math.hypot(rLoad + 1, 3);
    for (const n of ['1', '2', '3']) expect(periods[0].nodeVoltagesPu.b2[n]).toBeCloseTo(expected, 8);
    const p = (3 * ((expected * 12470) / Math.sqrt(3)) ** 2) / rLoad / 1000;
    const i2 = ((expected * 12470) / Math.sqrt(3) / rLoad) ** 2;
    expect(periods[0].substationKw).toBeCloseTo(p + (3 * i2 * 1) / 1000, 4);
    expect(periods[0].lossKw).toBeCloseTo((3 * i2) / 1000, 4);
  });
});

describe('three-phase power flow: topology', () => {
  it('a section cut off by an open switch is dead (0 V), the rest solves; a loop closed by a switch is accepted', () => {
    const out = ok(`${base}New Line.sw bus1=b2 bus2=b3 phases=3 switch=y
New Line.l3 bus1=b3 bus2=b4 phases=3 r1=0.1 x1=0.3 length=1
New Load.far bus1=b4 kv=12.47 kw=100
New Line.l4 bus1=b2 bus2=b5 phases=3 r1=0.1 x1=0.3 length=1
New Line.l5 bus1=b5 bus2=src phases=3 r1=0.1 x1=0.3 length=1
New Load.near bus1=b5 kv=12.47 kw=300 kvar=100
Set VoltageBases=[12.47]
Open Line.sw 1
`);
    const { periods } = solveUnbalanced(out.network);
    const p = periods[0];
    expect(p.converged).toBe(true);
    expect(p.nodeVoltagesPu.b4).toEqual({ 1: 0, 2: 0, 3: 0 });
    expect(p.nodeVoltagesPu.b5['1']).toBeGreaterThan(0.99);
    expect(p.vminBus.startsWith('b4')).toBe(false);
    // Only the near load is served: the source delivers its 300 kW plus losses.
    expect(p.substationKw - p.lossKw).toBeCloseTo(300, 6);
  });
});

describe('complex sparse LDLᵀ', () => {
  it('solves a complex symmetric system as a dense inverse does', () => {
    const n = 12;
    const a = cmatrix(n);
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const rows: number[] = [],
      cols: number[] = [],
      re: number[] = [],
      im: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        if (i !== j && (i * 7 + j * 3) % 4 !== 0) continue;
        const vr = i === j ? 5 + rnd() : rnd(),
          vi = i === j ? -10 + rnd() : rnd();
        a.re[i * n + j] = a.re[j * n + i] = vr;
        a.im[i * n + j] = a.im[j * n + i] = vi;
        rows.push(i);
        cols.push(j);
        re.push(vr);
        im.push(vi);
      }
    }
    const ldl = new ComplexLdl(n, Int32Array.from(rows), Int32Array.from(cols));
    expect(ldl.factor(Float64Array.from(re), Float64Array.from(im))).toBe(-1);
    const br = Float64Array.from({ length: n }, () => rnd()),
      bi = Float64Array.from({ length: n }, () => rnd());
    const inv = cinverse(a);
    const xr = new Float64Array(n),
      xi = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        xr[i] += inv.re[i * n + j] * br[j] - inv.im[i * n + j] * bi[j];
        xi[i] += inv.re[i * n + j] * bi[j] + inv.im[i * n + j] * br[j];
      }
    ldl.solve(br, bi);
    for (let i = 0; i < n; i++) {
      expect(br[i]).toBeCloseTo(xr[i], 12);
      expect(bi[i]).toBeCloseTo(xi[i], 12);
    }
  });
});
