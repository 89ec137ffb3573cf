import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { parseSymMatrix } from '../io/dss/lexer';
import {
  computeLineConstants,
  internalImpedance,
  kronReduce,
  MU0,
  LineConstantsError,
  parseLengthUnit,
  perUnitLength,
  toMeters,
  type BareWire,
  type ComplexMatrix,
  type ConcentricNeutralCable,
  type TapeShieldedCable,
} from './lineConstants';

interface RefLine {
  geometry: string;
  phases: number;
  units: number;
  rmatrix_ohm_per_unit_length: number[];
  xmatrix_ohm_per_unit_length: number[];
  cmatrix_nf_per_unit_length: number[];
}
const ref8500 = JSON.parse(readFileSync(opendssRef('opendss-results', 'ieee8500_line_constants.json'), 'utf8')) as {
  lines: RefLine[];
};

const MI = 1609.344;
const FT = 0.3048;
const IN = 0.0254;

/** Largest |a − b| / max|b| over a matrix (relative to the matrix's largest entry). */
function relDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

// 4_ACSR of the 8500-node feeder's WireData.dss (Rac in ohm/km, GMR and radius in cm), in SI.
const acsr4: BareWire = {
  kind: 'wire',
  rac: 1.572497e-3,
  rdc: 1.572497e-3 / 1.02,
  gmr: 0.133096e-2,
  radius: 0.3175e-2,
};
// LineGeometry 3PH_H-…: three phases on a crossarm, neutral below (metres).
const crossarm = [
  [-0.6096, 9.7536],
  [0.1524, 10.3632],
  [0.6096, 9.7536],
  [0.1524, 8.2296],
];

describe('overhead lines against the OpenDSS engine (8500-node feeder)', () => {
  it('3PH_H-4_ACSR4_ACSR4_ACSR4_ACSR: R, X and C match OpenDSS to 1e-9 (Deri earth, Rdc = Rac/1.02)', () => {
    const want = ref8500.lines.find((l) => l.geometry === '3ph_h-4_acsr4_acsr4_acsr4_acsr')!;
    expect(want.units).toBe(3); // km
    const lc = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: true,
    });
    expect(lc.order).toBe(3);
    const m = perUnitLength(lc, 'km');
    expect(relDiff(m.rmatrix, want.rmatrix_ohm_per_unit_length)).toBeLessThan(1e-9);
    expect(relDiff(m.xmatrix, want.xmatrix_ohm_per_unit_length)).toBeLessThan(1e-9);
    expect(relDiff(m.cmatrix, want.cmatrix_nf_per_unit_length)).toBeLessThan(1e-9);
  });

  it('the same line with Rac as its Rdc is off by the 2 % resistance difference: Deri really takes Rdc', () => {
    const want = ref8500.lines.find((l) => l.geometry === '3ph_h-4_acsr4_acsr4_acsr4_acsr')!;
    const lc = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: { ...acsr4, rdc: acsr4.rac } })),
      nphases: 3,
      reduce: true,
    });
    const r = perUnitLength(lc, 'km').rmatrix;
    expect(r[0] - want.rmatrix_ohm_per_unit_length[0]).toBeGreaterThan(0.02);
  });

  it('unreduced: the 4×4 primitive matrix, and its Kron reduction is the Schur complement Zpp − Zpn·Znn⁻¹·Znp', () => {
    const lc = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: false,
    });
    expect(lc.order).toBe(4);
    const z = lc.zPerMeter;
    // Schur complement with the 1×1 neutral block, in complex arithmetic written out here.
    const [nre, nim] = [z.re[15], z.im[15]];
    const d = nre * nre + nim * nim;
    const reduced = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: true,
    }).zPerMeter;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const [are, aim] = [z.re[i * 4 + 3], z.im[i * 4 + 3]];
        const [bre, bim] = [z.re[3 * 4 + j], z.im[3 * 4 + j]];
        const pre = are * bre - aim * bim;
        const pim = are * bim + aim * bre;
        const qre = (pre * nre + pim * nim) / d;
        const qim = (pim * nre - pre * nim) / d;
        expect(reduced.re[i * 3 + j]).toBeCloseTo(z.re[i * 4 + j] - qre, 15);
        expect(reduced.im[i * 3 + j]).toBeCloseTo(z.im[i * 4 + j] - qim, 15);
      }
    }
    // C unreduced: the phase block of the full inverse is what `reduce` keeps (OpenDSS does not reduce P).
    const cr = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: true,
    }).cPerMeter;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(cr[i * 3 + j]).toBe(lc.cPerMeter[i * 4 + j]);
  });

  it('eliminating two neutrals one by one equals eliminating the 2×2 block at once', () => {
    const five = [...crossarm, [-0.1524, 7.5]].map(([x, y]) => ({ x, y, data: acsr4 }));
    const full = computeLineConstants({ conductors: five, nphases: 3 }).zPerMeter;
    const seq = kronReduce(full, 3);
    // Block: Zpp − Zpn · inv(Znn) · Znp with the 2×2 complex inverse written out.
    const g = (i: number, j: number) => ({ re: full.re[i * 5 + j], im: full.im[i * 5 + j] });
    const mul = (a: { re: number; im: number }, b: { re: number; im: number }) => ({
      re: a.re * b.re - a.im * b.im,
      im: a.re * b.im + a.im * b.re,
    });
    const sub = (a: { re: number; im: number }, b: { re: number; im: number }) => ({
      re: a.re - b.re,
      im: a.im - b.im,
    });
    const det = sub(mul(g(3, 3), g(4, 4)), mul(g(3, 4), g(4, 3)));
    const dd = det.re * det.re + det.im * det.im;
    const invDet = { re: det.re / dd, im: -det.im / dd };
    const inv = [
      [mul(g(4, 4), invDet), mul({ re: -g(3, 4).re, im: -g(3, 4).im }, invDet)],
      [mul({ re: -g(4, 3).re, im: -g(4, 3).im }, invDet), mul(g(3, 3), invDet)],
    ];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let acc = g(i, j);
        for (let a = 0; a < 2; a++)
          for (let b = 0; b < 2; b++) acc = sub(acc, mul(mul(g(i, 3 + a), inv[a][b]), g(3 + b, j)));
        expect(seq.re[i * 3 + j]).toBeCloseTo(acc.re, 14);
        expect(seq.im[i * 3 + j]).toBeCloseTo(acc.im, 14);
      }
    }
  });

  it("Deri's complex-depth earth agrees with Carson's full series (a second method) within 2 % on R and 0.5 % on X", () => {
    const wire: BareWire = { ...acsr4, rdc: acsr4.rac }; // same R in both models: only the earth term differs
    const conductors = crossarm.map(([x, y]) => ({ x, y, data: wire }));
    const deri = computeLineConstants({ conductors, nphases: 3, reduce: true, earthModel: 'deri' }).zPerMeter;
    const carson = computeLineConstants({ conductors, nphases: 3, reduce: true, earthModel: 'fullcarson' }).zPerMeter;
    expect(relDiff(Array.from(deri.re), Array.from(carson.re))).toBeLessThan(0.02);
    expect(relDiff(Array.from(deri.im), Array.from(carson.im))).toBeLessThan(0.005);
    // …and the difference is not nothing: they are different models.
    expect(relDiff(Array.from(deri.re), Array.from(carson.re))).toBeGreaterThan(1e-4);
  });

  it('symmetric matrices; C has positive diagonal and negative off-diagonal entries', () => {
    const lc = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: true,
    });
    const n = lc.order;
    const sym = (m: ComplexMatrix) => {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(m.re[i * n + j]).toBe(m.re[j * n + i]);
    };
    sym(lc.zPerMeter);
    for (let i = 0; i < n; i++) {
      expect(lc.cPerMeter[i * n + i]).toBeGreaterThan(0);
      for (let j = 0; j < n; j++) if (i !== j) expect(lc.cPerMeter[i * n + j]).toBeLessThan(0);
    }
  });
});

/**
 * Overhead lines by Kersting's modified Carson equations (OpenDSS's EarthModel=Carson), against
 * published numbers: the IEEE 13-node feeder's configurations 601 and 602 (556.5 kcmil 26/7 and
 * 4/0 6/1 ACSR on spacing 500: phases at (0, 28), (2.5, 28), (7, 28) ft, neutral at (4, 24) ft,
 * phasing BACN and CABN) whose matrices the vendored IEEE13Nodeckt.dss carries as mtx601/mtx602
 * (Ω/mile, 4 digits); and Kersting's Example 4.1 (336.4 kcmil 26/7 ACSR phases at 29 ft, neutral at
 * (4, 25) ft) with its Example 5.1 shunt admittances (µS/mile).
 */
describe('overhead lines against Kersting / IEEE 13 (Carson earth)', () => {
  const wire = (rOhmMi: number, gmrFt: number, dIn: number): BareWire => ({
    kind: 'wire',
    rac: rOhmMi / MI,
    rdc: rOhmMi / MI / 1.02,
    gmr: gmrFt * FT,
    radius: (dIn / 2) * IN,
  });
  const acsr556 = wire(0.1859, 0.0313, 0.927);
  const acsr4_0 = wire(0.592, 0.00814, 0.563);
  const acsr336 = wire(0.306, 0.0244, 0.721);
  const line = (phasesFt: number[][], neutralFt: number[], phase: BareWire, neutral: BareWire) =>
    perUnitLength(
      computeLineConstants({
        conductors: [...phasesFt, neutralFt].map(([x, y], i) => ({
          x: x * FT,
          y: y * FT,
          data: i < 3 ? phase : neutral,
        })),
        nphases: 3,
        reduce: true,
        earthModel: 'carson',
      }),
      'mi',
    );
  const ieee13 = readFileSync(opendssRef('feeders', '13Bus', 'IEEE13Nodeckt.dss'), 'utf8');
  const code = (name: string, prop: string) => {
    const block = ieee13.slice(ieee13.search(new RegExp(`New linecode\\.${name} `, 'i')));
    return parseSymMatrix(new RegExp(`${prop}\\s*=\\s*\\(([^)]*)\\)`, 'i').exec(block)![1])!.values;
  };
  const within = (got: number[], want: number[], tol: number) =>
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `entry ${i}: ${v} vs ${want[i]}`).toBeLessThan(tol));

  it('IEEE 13 configurations 601 and 602: the published R and X to their 4 digits', () => {
    const [p1, p2, p3] = [
      [0, 28],
      [2.5, 28],
      [7, 28],
    ];
    const c601 = line([p2, p1, p3], [4, 24], acsr556, acsr4_0); // BACN: A in position 2, B in 1, C in 3
    within(c601.rmatrix, code('mtx601', 'rmatrix'), 1e-4);
    within(c601.xmatrix, code('mtx601', 'xmatrix'), 1e-4);
    const c602 = line([p2, p3, p1], [4, 24], acsr4_0, acsr4_0); // CABN
    within(c602.rmatrix, code('mtx602', 'rmatrix'), 1e-4);
    within(c602.xmatrix, code('mtx602', 'xmatrix'), 1e-4);
  });

  it('Kersting Example 4.1 z_abc (Ω/mile) and Example 5.1 y_abc (µS/mile)', () => {
    const m = line(
      [
        [0, 29],
        [2.5, 29],
        [7, 29],
      ],
      [4, 25],
      acsr336,
      acsr4_0,
    );
    within(m.rmatrix, [0.4576, 0.156, 0.1535, 0.156, 0.4666, 0.158, 0.1535, 0.158, 0.4615], 1e-4);
    within(m.xmatrix, [1.078, 0.5017, 0.3849, 0.5017, 1.0482, 0.4236, 0.3849, 0.4236, 1.0651], 1e-4);
    // B = ωC; the textbook's 11.17689 mile/µF (ε0 rounded) leaves a uniform 0.07 % difference.
    const b = m.cmatrix.map((c) => 2 * Math.PI * 60 * c * 1e-3);
    const want = [5.6711, -1.8362, -0.7033, -1.8362, 5.9774, -1.169, -0.7033, -1.169, 5.3911];
    b.forEach((v, i) => expect(Math.abs(v / want[i] - 1)).toBeLessThan(1.5e-3));
  });
});

/**
 * Kersting, "Distribution System Modeling and Analysis", Example 4.2: three 250 kcmil AA
 * concentric-neutral cables (1/3 neutral, 13 × #14 Cu strands), 6 in apart, impedances by the
 * modified Carson equations (OpenDSS's EarthModel=Carson). The published matrix (Ω/mile) is the
 * "Original 606 Linecode" quoted in the vendored IEEE 13 script (test-data/opendss-feeders/feeders/
 * 13Bus/IEEE13Nodeckt.dss) with the note that it matches Kersting's results; its capacitance
 * 257 nF/mile is Kersting's formula without semiconducting layers (his Example 5.x).
 */
describe('concentric-neutral cable against Kersting (Example 4.2)', () => {
  const cable: ConcentricNeutralCable = {
    kind: 'cn',
    rac: 0.41 / MI, // 250 kcmil AA: 0.4100 Ω/mile
    rdc: 0.41 / MI / 1.02,
    gmr: 0.0171 * FT,
    radius: (0.567 / 2) * IN,
    k: 13,
    diaStrand: 0.0641 * IN, // #14 Cu
    gmrStrand: 0.00208 * FT,
    rStrand: 14.8722 / MI,
    diaCable: 1.29 * IN, // outside diameter over the neutral strands
    epsR: 2.3,
    // Kersting's capacitance runs from the conductor to the strands: R_in = the conductor radius.
    diaIns: 1.0 * IN,
    insLayer: (0.5 - 0.567 / 2) * IN,
    semicon: false,
  };
  const place = (c: ConcentricNeutralCable) => [-0.5, 0, 0.5].map((x) => ({ x: x * FT, y: -4 * FT, data: c }));
  const R = [0.7982, 0.3192, 0.2849, 0.3192, 0.7891, 0.3192, 0.2849, 0.3192, 0.7982];
  const X = [0.4463, 0.0328, -0.0143, 0.0328, 0.4041, 0.0328, -0.0143, 0.0328, 0.4463];

  it('z_abc matches the published 4-digit matrix (Ω/mile) with the Carson earth model', () => {
    const m = perUnitLength(computeLineConstants({ conductors: place(cable), nphases: 3, earthModel: 'carson' }), 'mi');
    m.rmatrix.forEach((v, i) => expect(Math.abs(v - R[i])).toBeLessThan(6e-5));
    m.xmatrix.forEach((v, i) => expect(Math.abs(v - X[i])).toBeLessThan(6e-5));
  });

  it('capacitance without semiconducting layers is the published 257 nF/mile; with them (OpenDSS default) it is larger', () => {
    const m = perUnitLength(computeLineConstants({ conductors: place(cable), nphases: 3, earthModel: 'carson' }), 'mi');
    expect(m.cmatrix[0]).toBeGreaterThan(256.5);
    expect(m.cmatrix[0]).toBeLessThan(257.5);
    expect(m.cmatrix[1]).toBe(0); // shielded cables: no mutual capacitance
    const semi = perUnitLength(
      computeLineConstants({ conductors: place({ ...cable, semicon: true }), nphases: 3, earthModel: 'carson' }),
      'mi',
    );
    expect(semi.cmatrix[0]).toBeGreaterThan(m.cmatrix[0]);
  });
});

/**
 * Kersting, Example 4.3: one 1/0 AA tape-shielded cable (copper tape 5 mil, 0.88 in over the
 * shield) with a separate 1/0 Cu neutral 3 in away; published z = 1.3218 + j0.6744 Ω/mile
 * (modified Carson). Kersting's shield resistance has no lap factor: OpenDSS's
 * √(50/(100 − lap)) is 1 at TapeLap = 50. The IEEE 13 feeder's configuration 607 is the same cable
 * with the neutral 1 in away: its published line code (vendored IEEE13Nodeckt.dss, mtx607) is
 * 1.3425 + j0.5124 Ω/mile and 236 nF/mile.
 */
describe('tape-shielded cable against Kersting (Example 4.3) and IEEE 13 configuration 607', () => {
  const ts: TapeShieldedCable = {
    kind: 'ts',
    rac: 0.97 / MI, // 1/0 AA
    rdc: 0.97 / MI / 1.02,
    gmr: 0.0111 * FT,
    radius: (0.368 / 2) * IN,
    diaShield: 0.88 * IN,
    tapeLayer: 0.005 * IN,
    tapeLap: 50,
    epsR: 2.3,
    // Kersting's capacitance: conductor radius to the shield's radius d_s/2.
    diaIns: 0.88 * IN,
    insLayer: (0.44 - 0.184) * IN,
  };
  const cu10: BareWire = {
    kind: 'wire',
    rac: 0.607 / MI,
    rdc: 0.607 / MI / 1.02,
    gmr: 0.01113 * FT,
    radius: (0.368 / 2) * IN,
  };
  const line = (sepIn: number) =>
    computeLineConstants({
      conductors: [
        { x: 0, y: -4 * FT, data: ts },
        { x: sepIn * IN, y: -4 * FT, data: cu10 },
      ],
      nphases: 1,
      reduce: true,
      earthModel: 'carson',
    });

  it('Example 4.3: 1.3218 + j0.6744 Ω/mile', () => {
    const m = perUnitLength(line(3), 'mi');
    expect(m.order).toBe(1);
    expect(Math.abs(m.rmatrix[0] - 1.3218)).toBeLessThan(1.5e-4);
    expect(Math.abs(m.xmatrix[0] - 0.6744)).toBeLessThan(1.5e-4);
  });

  it('configuration 607 (neutral 1 in away): 1.3425 + j0.5124 Ω/mile and 236 nF/mile, to the published rounding', () => {
    const m = perUnitLength(line(1), 'mi');
    expect(Math.abs(m.rmatrix[0] - 1.3425)).toBeLessThan(4e-4);
    expect(Math.abs(m.xmatrix[0] - 0.5124)).toBeLessThan(4e-4);
    expect(Math.abs(m.cmatrix[0] - 236) / 236).toBeLessThan(0.003);
  });

  it('the tape overlap raises the shield resistance as OpenDSS models it (lap 20 % ≠ lap 50 %)', () => {
    const m50 = perUnitLength(line(3), 'mi');
    const lap20 = computeLineConstants({
      conductors: [
        { x: 0, y: -4 * FT, data: { ...ts, tapeLap: 20 } },
        { x: 3 * IN, y: -4 * FT, data: cu10 },
      ],
      nphases: 1,
      reduce: true,
      earthModel: 'carson',
    });
    expect(perUnitLength(lap20, 'mi').xmatrix[0]).not.toBeCloseTo(m50.xmatrix[0], 3);
  });
});

describe('skin effect (Deri internal impedance)', () => {
  /** I_n(z) = (1/π)∫₀^π e^{z cos θ} cos nθ dθ by composite Simpson — a second method for the Bessel series. */
  function besselByIntegral(n: number, zre: number, zim: number): { re: number; im: number } {
    const m = 4000;
    let re = 0;
    let im = 0;
    for (let k = 0; k <= m; k++) {
      const th = (Math.PI * k) / m;
      const wgt = k === 0 || k === m ? 1 : k % 2 ? 4 : 2;
      const c = Math.cos(th);
      const mag = Math.exp(zre * c) * Math.cos(n * th) * wgt;
      re += mag * Math.cos(zim * c);
      im += mag * Math.sin(zim * c);
    }
    const h = Math.PI / m / 3 / Math.PI;
    return { re: re * h, im: im * h };
  }
  const rdc = 1.5417e-3; // Ω/m (4 ACSR)
  const zintByIntegral = (f: number) => {
    const s = Math.sqrt((f * MU0) / rdc);
    const i0 = besselByIntegral(0, s, s);
    const i1 = besselByIntegral(1, s, s);
    const d = i1.re * i1.re + i1.im * i1.im;
    const q = { re: (i0.re * i1.re + i0.im * i1.im) / d, im: (i0.im * i1.re - i0.re * i1.im) / d };
    const k = Math.sqrt(rdc * f * MU0) / 2;
    return { re: (q.re - q.im) * k, im: (q.re + q.im) * k };
  };

  it('matches the integral representation of I0/I1 from 60 Hz to 1 MHz (|α| from 0.2 to 30)', () => {
    for (const f of [60, 1e3, 1e4, 1e5, 5e5]) {
      const a = internalImpedance(rdc, f);
      const b = zintByIntegral(f);
      expect(Math.abs(a.re - b.re) / Math.abs(b.re)).toBeLessThan(1e-9);
      expect(Math.abs(a.im - b.im) / Math.abs(b.im)).toBeLessThan(1e-9);
    }
  });

  it('has the textbook limits: Rdc + jωμ0/8π at low frequency, (1+j)√(Rdc f μ0)/2 at high frequency', () => {
    const lo = internalImpedance(rdc, 1);
    expect(lo.re / rdc - 1).toBeLessThan(1e-7);
    expect(lo.re / rdc - 1).toBeGreaterThan(0);
    expect(lo.im / ((2 * Math.PI * MU0) / (8 * Math.PI))).toBeCloseTo(1, 6);
    const f = 2e7; // |α| > 35
    const hi = internalImpedance(rdc, f);
    expect(hi.re).toBeCloseTo(Math.sqrt(rdc * f * MU0) / 2, 12);
    expect(hi.im).toBeCloseTo(hi.re, 12);
    // R grows with frequency in between.
    expect(internalImpedance(rdc, 1e5).re).toBeGreaterThan(internalImpedance(rdc, 1e4).re);
  });

  it('above 1 kHz the self impedance uses the radius and the internal reactance (no GMR): a round wire agrees across the switch', () => {
    // GMR = e^(-1/4)·r is exactly the internal inductance μ0/8π of a round wire at low frequency,
    // so the power-frequency (GMR) and harmonic (radius + Zint) forms nearly meet at 999/1001 Hz.
    const wire: BareWire = { kind: 'wire', rac: rdc, rdc, gmr: Math.exp(-0.25) * 0.003175, radius: 0.003175 };
    const one = (f: number) =>
      computeLineConstants({ conductors: [{ x: 0, y: 10, data: wire }], nphases: 1, frequency: f }).zPerMeter;
    const below = one(999.999);
    const above = one(1000);
    expect(Math.abs(above.im[0] - below.im[0]) / below.im[0]).toBeLessThan(2e-3);
    expect(above.re[0]).toBeGreaterThan(below.re[0]); // skin effect now counted in R
  });
});

describe('units and bad input', () => {
  it('reads OpenDSS unit words by their first letters and converts as OpenDSS (mile = 1609.344 m)', () => {
    expect(parseLengthUnit('Meter')).toBe('m');
    expect(parseLengthUnit('m')).toBe('m');
    expect(parseLengthUnit('miles')).toBe('mi');
    expect(parseLengthUnit('kft')).toBe('kft');
    expect(parseLengthUnit('FT')).toBe('ft');
    expect(parseLengthUnit('feet')).toBeNull(); // OpenDSS would silently read "none" (metres): refused instead
    expect(parseLengthUnit('inch')).toBe('in');
    expect(parseLengthUnit('none')).toBe('none');
    expect(parseLengthUnit('3')).toBe('km');
    expect(parseLengthUnit('furlong')).toBeNull();
    expect(toMeters('mi')).toBe(1609.344);
    expect(toMeters('kft')).toBe(304.8);
    expect(toMeters('none')).toBe(1);
  });

  it('per-unit conversion scales R, X by metres per unit and C to nF', () => {
    const lc = computeLineConstants({
      conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })),
      nphases: 3,
      reduce: true,
    });
    const km = perUnitLength(lc, 'km');
    const mi = perUnitLength(lc, 'mi');
    expect(mi.rmatrix[0] / km.rmatrix[0]).toBeCloseTo(1.609344, 12);
    expect(km.cmatrix[0]).toBeCloseTo(lc.cPerMeter[0] * 1e12, 6);
  });

  const bad = (input: Parameters<typeof computeLineConstants>[0], message: RegExp) =>
    expect(() => computeLineConstants(input)).toThrow(message);
  it('refuses impossible cross-sections with the conductor named', () => {
    bad({ conductors: [{ x: 0, y: 0, data: acsr4 }], nphases: 1 }, /conductor 1: height must be > 0/);
    bad(
      {
        conductors: [
          { x: 0, y: 10, data: acsr4 },
          { x: 0.001, y: 10, data: acsr4 },
        ],
        nphases: 1,
      },
      /conductors 1 and 2 occupy the same space/,
    );
    bad(
      { conductors: [{ x: 0, y: 10, data: acsr4 }], nphases: 2 },
      /nphases must be an integer from 1 to the number of conductors \(1\)/,
    );
    bad(
      { conductors: [{ x: 0, y: 10, data: { ...acsr4, gmr: 0 } }], nphases: 1 },
      /conductor 1: GMR must be a positive number/,
    );
    bad(
      { conductors: [{ x: 0, y: 10, data: { ...acsr4, rdc: Number.NaN } }], nphases: 1 },
      /conductor 1: Rdc must be a positive number/,
    );
    bad(
      { conductors: [{ x: Infinity, y: 10, data: acsr4 }], nphases: 1 },
      /conductor 1: position is not a finite number/,
    );
    bad(
      { conductors: [{ x: 0, y: 10, data: acsr4 }], nphases: 1, frequency: 0 },
      /frequency must be a positive number/,
    );
    // 1e300 Hz: each entry is finite, their products in the Kron reduction overflow.
    bad(
      { conductors: crossarm.map(([x, y]) => ({ x, y, data: acsr4 })), nphases: 3, reduce: true, frequency: 1e300 },
      /non-finite impedances/,
    );
    bad(
      { conductors: [{ x: 0, y: 10, data: acsr4 }], nphases: 1, rhoEarth: -5 },
      /earth resistivity must be a positive number/,
    );
  });

  it('refuses a cable as a neutral, a bare phase among cables, and a conductor inside a concentric neutral', () => {
    const cn: ConcentricNeutralCable = {
      kind: 'cn',
      rac: 1e-4,
      rdc: 1e-4,
      gmr: 0.005,
      radius: 0.007,
      k: 13,
      diaStrand: 0.0016,
      gmrStrand: 0.0006,
      rStrand: 0.009,
      diaCable: 0.033,
      epsR: 2.3,
      diaIns: 0.027,
      insLayer: 0.0056,
    };
    const err = (input: Parameters<typeof computeLineConstants>[0]) => {
      try {
        computeLineConstants(input);
      } catch (e) {
        expect(e).toBeInstanceOf(LineConstantsError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(
      err({
        conductors: [
          { x: 0, y: -1, data: acsr4 },
          { x: 0.5, y: -1, data: cn },
        ],
        nphases: 1,
      }),
    ).toMatch(/conductor 2: a CN\/TS cable can only be a phase conductor/);
    expect(
      err({
        conductors: [
          { x: 0, y: -1, data: cn },
          { x: 0.5, y: -1, data: acsr4 },
          { x: 1, y: -1, data: acsr4 },
        ],
        nphases: 2,
      }),
    ).toMatch(/conductor 2: in a cable line .* every phase conductor must be a cable/);
    expect(
      err({
        conductors: [
          { x: 0, y: -1, data: cn },
          { x: 0.012, y: -1, data: acsr4 },
        ],
        nphases: 1,
      }),
    ).toMatch(/conductor 2 lies inside the neutral\/shield of cable 1/);
    expect(err({ conductors: [{ x: 0, y: -1, data: { ...cn, k: 1 } }], nphases: 1 })).toMatch(/at least 2 strands/);
    expect(err({ conductors: [{ x: 0, y: -1, data: { ...cn, insLayer: 0.02 } }], nphases: 1 })).toMatch(
      /InsLayer .* must be less than the radius over the insulation/,
    );
  });
});
