/**
 * Line constants: the series impedance and shunt capacitance matrices of an overhead line or an
 * underground cable run, computed from its conductors' positions and data the way OpenDSS's
 * line-constants code does (LineConstants / CableConstants in the OpenDSS engine), so a feeder
 * whose lines are given by LineGeometry + WireData / CNData / TSData (or LineSpacing + wires)
 * gets the same per-length matrices OpenDSS uses.
 *
 * Physics, per metre, at frequency f (ω = 2πf), earth resistivity ρ (OpenDSS default 100 Ω·m):
 *  - Self impedance of conductor i: Zint_i + jωμ0/2π·ln(1/GMR_i) + Ze(i,i); mutual impedance:
 *    jωμ0/2π·ln(1/D_ij) + Ze(i,j). Between 40 Hz and 1 kHz ("power frequency") the internal
 *    reactance is dropped and the published GMR carries the internal inductance, as in OpenDSS.
 *  - Earth return Ze: OpenDSS's default earth model is **Deri** (`Set EarthModel=Deri`, the
 *    default in OpenDSS's options list: "Deri*"): the complex-depth image method,
 *    Ze(i,i) = jωμ0/2π·ln(2(h_i + p)), Ze(i,j) = jωμ0/2π·ln(√((h_i+h_j+2p)² + (x_i−x_j)²)) with
 *    p = 1/√(jωμ0/ρ). With Deri the internal impedance is the round-conductor skin-effect formula
 *    on Rdc: Zint = (1+j)·√(Rdc·f·μ0)/2 · I0(α)/I1(α), α = (1+j)·√(f·μ0/Rdc) (real part only at
 *    power frequency — which is ≈ Rdc, so with Deri the wire's Rdc, not its Rac, sets R).
 *    `carson` (OpenDSS's "Carson": Kersting's simplified Carson equations, Zint = Rac) and
 *    `fullcarson` (Carson's series as OpenDSS writes it, Tleis's notation) are available too.
 *  - Kron reduction eliminates the conductors after the phases (neutrals), last one first.
 *  - Overhead capacitance: potential coefficients with images, P_ii = ln(2h_i/r_i)/(2πε0),
 *    P_ij = ln(D'_ij/D_ij)/(2πε0); C = P⁻¹ over ALL conductors, and the reduced C is its
 *    phase block (OpenDSS keeps the full inverse's phase rows, it does not Kron-reduce P).
 *  - Cables (CN: concentric neutral, TS: tape shield): each phase cable's neutral/shield is an
 *    extra conductor added after all conductors and always eliminated (Kersting's model, as
 *    OpenDSS builds it: CN of k strands on radius R = (dCable − dStrand)/2 with
 *    GMR_cn = (GMR_s·k·R^(k−1))^(1/k), resistance r_s/k, distance to another conductor
 *    (D^k − R^k)^(1/k); TS with R_ts = 0.3183·ρ_Cu/(d_s·t·√(50/(100 − lap))) and GMR
 *    (d_s − t)/2). Capacitance is only from each cable's insulation:
 *    C = 2πε0εr / ln(R_out/R_in) (R_out = DiaIns/2, R_in = R_out − InsLayer); bare conductors in
 *    a cable geometry have no capacitance.
 * Constants are OpenDSS's own (μ0 = 12.56637e-7, ε0 = 8.854e-12, 2π = 6.283185307), so answers
 * agree to rounding, not just to physics.
 *
 * Pure ECMAScript; small dense complex matrices of our own (n ≤ a few tens).
 */

// ---- OpenDSS's constants (LineConstants.pas) ----
export const MU0 = 12.56637e-7;
export const EPS0 = 8.854e-12;
const TWO_PI = 6.283185307;
/** Copper tape shield resistivity, Ω·m (OpenDSS's value). */
const RHO_TS = 2.3718e-8;

// ---- length units (OpenDSS's LineUnits) ----

export type LengthUnit = 'none' | 'mi' | 'kft' | 'km' | 'm' | 'ft' | 'in' | 'cm' | 'mm';

const TO_METERS: Readonly<Record<LengthUnit, number>> = {
  none: 1,
  mi: 1609.344,
  kft: 304.8,
  km: 1000,
  m: 1,
  ft: 0.3048,
  in: 0.0254,
  cm: 0.01,
  mm: 0.001,
};

/** Metres in one `unit` ('none' counts as metres, as in OpenDSS). */
export function toMeters(unit: LengthUnit): number {
  return TO_METERS[unit];
}

/**
 * OpenDSS's reading of a units word (its first two letters decide: `mi`, `kf`, `km`, `m`/`me`,
 * `ft`, `in`, `cm`, `mm`, `no`ne); null when it is none of these. OpenDSS's numeric codes
 * 0–8 (none, mi, kft, km, m, ft, in, cm, mm) are accepted too.
 */
export function parseLengthUnit(text: string): LengthUnit | null {
  const t = text.trim().toLowerCase();
  const codes: LengthUnit[] = ['none', 'mi', 'kft', 'km', 'm', 'ft', 'in', 'cm', 'mm'];
  if (/^[0-8]$/.test(t)) return codes[Number(t)];
  const s = t.slice(0, 2);
  switch (s) {
    case 'no':
      return 'none';
    case 'mi':
      return 'mi';
    case 'kf':
      return 'kft';
    case 'km':
      return 'km';
    case 'm':
    case 'me':
      return 'm';
    case 'ft':
      return 'ft';
    case 'in':
      return 'in';
    case 'cm':
      return 'cm';
    case 'mm':
      return 'mm';
    default:
      return null;
  }
}

// ---- complex scalars ----

interface C {
  re: number;
  im: number;
}
const cx = (re: number, im = 0): C => ({ re, im });
const cadd = (a: C, b: C): C => ({ re: a.re + b.re, im: a.im + b.im });
const cmul = (a: C, b: C): C => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const cscale = (a: C, s: number): C => ({ re: a.re * s, im: a.im * s });
function cdiv(a: C, b: C): C {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
}
const cabs = (a: C): number => Math.hypot(a.re, a.im);
/** Principal square root. */
function csqrt(a: C): C {
  const r = cabs(a);
  if (r === 0) return cx(0);
  const re = Math.sqrt((r + a.re) / 2);
  const im = Math.sqrt((r - a.re) / 2);
  return { re, im: a.im < 0 ? -im : im };
}
/** Principal logarithm. */
const cln = (a: C): C => ({ re: Math.log(cabs(a)), im: Math.atan2(a.im, a.re) });

/** Modified Bessel functions I0 and I1 of a complex argument (power series; |z| ≤ 35 here). */
function besselI0I1(z: C): { i0: C; i1: C } {
  const q = cscale(cmul(z, z), 0.25); // z²/4
  let t0 = cx(1); // (z²/4)^k / (k!)²
  let t1 = cx(1); // (z²/4)^k / (k!(k+1)!)
  let s0 = cx(1);
  let s1 = cx(1);
  for (let k = 1; k < 500; k++) {
    t0 = cscale(cmul(t0, q), 1 / (k * k));
    t1 = cscale(cmul(t1, q), 1 / (k * (k + 1)));
    s0 = cadd(s0, t0);
    s1 = cadd(s1, t1);
    if (cabs(t0) <= 1e-17 * cabs(s0) && cabs(t1) <= 1e-17 * cabs(s1)) break;
  }
  return { i0: s0, i1: cmul(cscale(z, 0.5), s1) };
}

/**
 * Internal impedance (Ω/m) of a solid round conductor of DC resistance `rdc` (Ω/m) at `frequency`
 * (Hz), with skin effect — the formula OpenDSS uses with the Deri earth model:
 * Zint = (1+j)·√(Rdc·f·μ0)/2 · I0(α)/I1(α), α = (1+j)·√(f·μ0/Rdc) (I0/I1 taken as 1 past |α| = 35).
 * Its limits: Rdc + jωμ0/(8π) at low frequency; (1+j)·√(Rdc·f·μ0)/2 at high frequency.
 */
export function internalImpedance(rdc: number, frequency: number): { re: number; im: number } {
  const alpha = cscale(cx(1, 1), Math.sqrt((frequency * MU0) / rdc));
  let ratio = cx(1);
  if (cabs(alpha) <= 35) {
    const { i0, i1 } = besselI0I1(alpha);
    ratio = cdiv(i0, i1);
  }
  return cscale(cmul(cx(1, 1), ratio), Math.sqrt(rdc * frequency * MU0) / 2);
}

// ---- small dense complex matrices (row-major re/im) ----

/** An n×n complex matrix, row-major: element (i, j) is re[i*n+j] + j·im[i*n+j]. */
export interface ComplexMatrix {
  readonly n: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

function cmatrix(n: number): ComplexMatrix {
  return { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
}
function cget(m: ComplexMatrix, i: number, j: number): C {
  return { re: m.re[i * m.n + j], im: m.im[i * m.n + j] };
}
function csetSym(m: ComplexMatrix, i: number, j: number, v: C): void {
  m.re[i * m.n + j] = v.re;
  m.im[i * m.n + j] = v.im;
  m.re[j * m.n + i] = v.re;
  m.im[j * m.n + i] = v.im;
}

/**
 * Kron reduction of the last row/column: Z'_ij = Z_ij − Z_ik·Z_kj / Z_kk (k = n−1), as OpenDSS's
 * TCMatrix.Kron eliminates one conductor at a time.
 */
function kronLast(m: ComplexMatrix): ComplexMatrix {
  const n = m.n - 1;
  const out = cmatrix(n);
  const zkk = cget(m, n, n);
  if (zkk.re === 0 && zkk.im === 0)
    throw new LineConstantsError('Kron reduction: a neutral conductor has zero self impedance');
  for (let i = 0; i < n; i++) {
    const zik = cget(m, i, n);
    for (let j = 0; j < n; j++) {
      const v = cdiv(cmul(zik, cget(m, n, j)), zkk);
      out.re[i * n + j] = m.re[i * m.n + j] - v.re;
      out.im[i * n + j] = m.im[i * m.n + j] - v.im;
    }
  }
  return out;
}

/** Kron-reduces to the first `order` rows/columns (unchanged when order ≥ n). */
export function kronReduce(m: ComplexMatrix, order: number): ComplexMatrix {
  let z = m;
  while (z.n > order) z = kronLast(z);
  return z;
}

/** Inverse of a real symmetric positive definite matrix (Gauss–Jordan with partial pivoting). */
function invertReal(n: number, a: Float64Array): Float64Array {
  const w = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(w[r * n + c]) > Math.abs(w[p * n + c])) p = r;
    const piv = w[p * n + c];
    if (!(Math.abs(piv) > 0) || !Number.isFinite(piv))
      throw new LineConstantsError('the potential-coefficient matrix is singular (conductors at the same place?)');
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        let t = w[c * n + k];
        w[c * n + k] = w[p * n + k];
        w[p * n + k] = t;
        t = inv[c * n + k];
        inv[c * n + k] = inv[p * n + k];
        inv[p * n + k] = t;
      }
    }
    for (let k = 0; k < n; k++) {
      w[c * n + k] /= piv;
      inv[c * n + k] /= piv;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = w[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        w[r * n + k] -= f * w[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

// ---- conductor data (SI: metres, ohms per metre) ----

/** A bare wire (WireData): per-metre resistances and metre dimensions. */
export interface BareWire {
  readonly kind: 'wire';
  /** Ω/m. */
  readonly rdc: number;
  /** Ω/m (at the power frequency). */
  readonly rac: number;
  /** m. */
  readonly gmr: number;
  /** m. */
  readonly radius: number;
  /** m; the radius used for capacitance (bundles), defaults to radius. */
  readonly capRadius?: number;
}

/** A cable's insulation (CableData): permittivity and metre dimensions. */
export interface CableInsulation {
  readonly epsR: number;
  /** Insulation thickness, m. */
  readonly insLayer: number;
  /** Diameter over the insulation, m. */
  readonly diaIns: number;
  /** Diameter over the whole cable, m (used by CN cables: the strands' circle). */
  readonly diaCable?: number;
}

/** A concentric-neutral cable (CNData): its phase core as a wire, insulation and k neutral strands. */
export interface ConcentricNeutralCable extends Omit<BareWire, 'kind'>, CableInsulation {
  readonly kind: 'cn';
  /** Number of neutral strands (≥ 2). */
  readonly k: number;
  /** Strand diameter, m. */
  readonly diaStrand: number;
  /** Strand GMR, m. */
  readonly gmrStrand: number;
  /** Strand resistance, Ω/m. */
  readonly rStrand: number;
  /**
   * Semiconducting layers around the insulation (the default, as OpenDSS): C from the insulation
   * alone. false: Kersting's formula with the strands as the outer electrode,
   * C = 2πε0εr / (ln(R/R_in) − ln(k·r_s/R)/k), R the strands' circle, r_s a strand's radius.
   */
  readonly semicon?: boolean;
}

/** A tape-shielded cable (TSData): its phase core as a wire, insulation and a copper tape shield. */
export interface TapeShieldedCable extends Omit<BareWire, 'kind'>, CableInsulation {
  readonly kind: 'ts';
  /** Diameter over the tape shield, m. */
  readonly diaShield: number;
  /** Tape thickness, m. */
  readonly tapeLayer: number;
  /** Tape overlap, percent (0–100). */
  readonly tapeLap: number;
}

export type ConductorData = BareWire | ConcentricNeutralCable | TapeShieldedCable;

/** One conductor of a line's cross-section: position (m; y is height, negative for buried cables) and data. */
export interface PlacedConductor {
  readonly x: number;
  readonly y: number;
  readonly data: ConductorData;
}

export type EarthModel = 'deri' | 'carson' | 'fullcarson';

export interface LineConstantsInput {
  /** Phase conductors first, then neutrals. */
  readonly conductors: readonly PlacedConductor[];
  readonly nphases: number;
  /** Hz; 60 unless given. */
  readonly frequency?: number;
  /** Ω·m; 100 unless given (OpenDSS's default). */
  readonly rhoEarth?: number;
  /** OpenDSS's default: 'deri'. */
  readonly earthModel?: EarthModel;
  /** Kron-reduce to the phase conductors. */
  readonly reduce?: boolean;
}

export interface LineConstants {
  /** Order of the matrices: nphases when reduced, else the number of conductors. */
  readonly order: number;
  /** Series impedance, Ω per metre. */
  readonly zPerMeter: ComplexMatrix;
  /** Shunt capacitance, F per metre (row-major order×order, symmetric). */
  readonly cPerMeter: Float64Array;
  /** The unreduced primitive impedance (all conductors, cable neutrals already eliminated), Ω/m. */
  readonly zPrimitivePerMeter: ComplexMatrix;
}

export class LineConstantsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineConstantsError';
  }
}

const isCable = (d: ConductorData): d is ConcentricNeutralCable | TapeShieldedCable =>
  d.kind === 'cn' || d.kind === 'ts';

function checkFinitePositive(what: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw new LineConstantsError(`${what} must be a positive number (got ${v})`);
}

function validate(input: LineConstantsInput, cable: boolean): void {
  const { conductors, nphases } = input;
  const n = conductors.length;
  if (n < 1) throw new LineConstantsError('a line needs at least one conductor');
  if (!Number.isInteger(nphases) || nphases < 1 || nphases > n)
    throw new LineConstantsError(
      `nphases must be an integer from 1 to the number of conductors (${n}); got ${nphases}`,
    );
  conductors.forEach((c, idx) => {
    const k = idx + 1;
    if (!Number.isFinite(c.x) || !Number.isFinite(c.y))
      throw new LineConstantsError(`conductor ${k}: position is not a finite number`);
    const d = c.data;
    checkFinitePositive(`conductor ${k}: GMR`, d.gmr);
    checkFinitePositive(`conductor ${k}: radius`, d.radius);
    checkFinitePositive(`conductor ${k}: Rdc`, d.rdc);
    if (!Number.isFinite(d.rac) || d.rac < 0)
      throw new LineConstantsError(`conductor ${k}: Rac must be a non-negative number (got ${d.rac})`);
    if (isCable(d)) {
      if (idx >= nphases)
        throw new LineConstantsError(
          `conductor ${k}: a CN/TS cable can only be a phase conductor (conductors 1..${nphases}); neutrals are bare wires`,
        );
      if (!(d.epsR >= 1))
        throw new LineConstantsError(`conductor ${k}: insulation permittivity epsR must be ≥ 1 (got ${d.epsR})`);
      checkFinitePositive(`conductor ${k}: InsLayer`, d.insLayer);
      checkFinitePositive(`conductor ${k}: DiaIns`, d.diaIns);
      if (d.diaIns / 2 - d.insLayer <= 0)
        throw new LineConstantsError(
          `conductor ${k}: InsLayer (${d.insLayer} m) must be less than the radius over the insulation (${d.diaIns / 2} m)`,
        );
      if (d.kind === 'cn') {
        if (!Number.isInteger(d.k) || d.k < 2)
          throw new LineConstantsError(`conductor ${k}: a concentric neutral needs at least 2 strands (k=${d.k})`);
        checkFinitePositive(`conductor ${k}: DiaCable`, d.diaCable ?? NaN);
        checkFinitePositive(`conductor ${k}: DiaStrand`, d.diaStrand);
        checkFinitePositive(`conductor ${k}: GmrStrand`, d.gmrStrand);
        checkFinitePositive(`conductor ${k}: Rstrand`, d.rStrand);
        if (d.diaCable! <= d.diaStrand) throw new LineConstantsError(`conductor ${k}: DiaCable must exceed DiaStrand`);
      } else {
        checkFinitePositive(`conductor ${k}: DiaShield`, d.diaShield);
        checkFinitePositive(`conductor ${k}: TapeLayer`, d.tapeLayer);
        if (!(d.tapeLap >= 0 && d.tapeLap < 100))
          throw new LineConstantsError(
            `conductor ${k}: TapeLap must be from 0 to below 100 percent (got ${d.tapeLap})`,
          );
        if (d.diaShield <= d.tapeLayer) throw new LineConstantsError(`conductor ${k}: DiaShield must exceed TapeLayer`);
      }
    }
  });
  if (cable) {
    for (let i = 0; i < nphases; i++) {
      if (!isCable(conductors[i].data))
        throw new LineConstantsError(
          `conductor ${i + 1}: in a cable line (CNData/TSData) every phase conductor must be a cable; conductor ${i + 1} is a bare wire`,
        );
    }
  } else {
    conductors.forEach((c, i) => {
      if (c.y <= 0)
        throw new LineConstantsError(`conductor ${i + 1}: height must be > 0 for an overhead conductor (got ${c.y} m)`);
    });
  }
  // Overlap test as OpenDSS's overhead one: centres closer than the sum of the (core) radii.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = conductors[i];
      const b = conductors[j];
      const dij = Math.hypot(a.x - b.x, a.y - b.y);
      if (dij < a.data.radius + b.data.radius)
        throw new LineConstantsError(`conductors ${i + 1} and ${j + 1} occupy the same space (${dij} m apart)`);
    }
  }
}

/**
 * The line constants of a cross-section: Z (Ω/m) and C (F/m), Kron-reduced to the phases when
 * `reduce` is set. Throws LineConstantsError on impossible data (named conductor and value).
 */
export function computeLineConstants(input: LineConstantsInput): LineConstants {
  const f = input.frequency ?? 60;
  const rho = input.rhoEarth ?? 100;
  const model = input.earthModel ?? 'deri';
  if (!(f > 0) || !Number.isFinite(f)) throw new LineConstantsError(`frequency must be a positive number (got ${f})`);
  if (!(rho > 0) || !Number.isFinite(rho))
    throw new LineConstantsError(`earth resistivity must be a positive number (got ${rho})`);
  const conds = input.conductors;
  const cable = conds.some((c) => isCable(c.data));
  validate(input, cable);

  const n = conds.length;
  const np = input.nphases;
  const w = TWO_PI * f;
  const lfactor = (w * MU0) / TWO_PI; // multiplies j·ln(…)
  const me = csqrt(cx(0, (w * MU0) / rho));
  const invMe = cdiv(cx(1), me);
  const powerFreq = f < 1000 && f > 40;
  const x = conds.map((c) => c.x);
  const y = conds.map((c) => c.y);

  /** Earth-return term between positions a and b (conductor indices; a CN/TS uses its cable's place). */
  const ze = (i: number, j: number): C => {
    const yi = Math.abs(y[i]);
    const yj = Math.abs(y[j]);
    switch (model) {
      case 'carson':
        return cx((w * MU0) / 8, lfactor * Math.log(658.5 * Math.sqrt(rho / f)));
      case 'fullcarson': {
        let dij: number;
        let theta: number;
        if (i === j) {
          theta = 0;
          dij = 2 * yi;
        } else {
          dij = Math.hypot(yi + yj, x[i] - x[j]);
          theta = Math.acos((yi + yj) / dij);
        }
        const m = 2.8099e-3 * dij * Math.sqrt(f / rho);
        const b1 = 1 / (3 * Math.sqrt(2));
        const b2 = 1 / 16;
        const b3 = b1 / 3 / 5;
        const b4 = b2 / 4 / 6;
        const d2 = (b2 * Math.PI) / 4;
        const d4 = (b4 * Math.PI) / 4;
        const c2 = 1.3659315;
        const c4 = c2 + 1 / 4 + 1 / 6;
        const re =
          Math.PI / 8 -
          b1 * m * Math.cos(theta) +
          b2 * m * m * (Math.log(Math.exp(c2) / m) * Math.cos(2 * theta) + theta * Math.sin(2 * theta)) +
          b3 * m ** 3 * Math.cos(3 * theta) -
          d4 * m ** 4 * Math.cos(4 * theta);
        const im =
          0.5 * Math.log(1.85138 / m) +
          b1 * m * Math.cos(theta) -
          d2 * m * m * Math.cos(2 * theta) +
          b3 * m ** 3 * Math.cos(3 * theta) -
          b4 * m ** 4 * (Math.log(Math.exp(c4) / m) * Math.cos(4 * theta) + theta * Math.sin(4 * theta)) +
          0.5 * Math.log(dij);
        return cscale(cx(re, im), (w * MU0) / Math.PI);
      }
      case 'deri': {
        let arg: C;
        if (i !== j) {
          const h = cadd(cx(yi + yj), cscale(invMe, 2));
          const dx = x[i] - x[j];
          arg = csqrt(cadd(cmul(h, h), cx(dx * dx)));
        } else {
          arg = cscale(cadd(cx(yi), invMe), 2);
        }
        return cmul(cx(0, lfactor), cln(arg));
      }
    }
  };

  /** Internal impedance of conductor i's core (Ω/m). */
  const zint = (d: ConductorData): C => {
    if (model !== 'deri') return cx(d.rac, (w * MU0) / (8 * Math.PI));
    const z = internalImpedance(d.rdc, f);
    return cx(z.re, z.im);
  };

  const selfZ = (d: ConductorData, i: number): C => {
    const zi = zint(d);
    let spacing: C;
    if (powerFreq) {
      zi.im = 0;
      spacing = cx(0, lfactor * Math.log(1 / d.gmr));
    } else {
      spacing = cx(0, lfactor * Math.log(1 / d.radius));
    }
    return cadd(zi, cadd(spacing, ze(i, i)));
  };
  const mutualZ = (dij: number, i: number, j: number): C => cadd(cx(0, lfactor * Math.log(1 / dij)), ze(i, j));
  const dist = (i: number, j: number): number => Math.hypot(x[i] - x[j], y[i] - y[j]);

  // Primitive impedance: conductors, then (cables) one neutral/shield per phase cable.
  const N = cable ? n + np : n;
  const zfull = cmatrix(N);
  for (let i = 0; i < n; i++) csetSym(zfull, i, i, selfZ(conds[i].data, i));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) csetSym(zfull, i, j, mutualZ(dist(i, j), i, j));
  if (cable) {
    for (let i = 0; i < np; i++) {
      const d = conds[i].data as ConcentricNeutralCable | TapeShieldedCable;
      const idx = n + i;
      let r: number;
      let gmr: number;
      if (d.kind === 'cn') {
        r = d.rStrand / d.k;
        const radCn = 0.5 * (d.diaCable! - d.diaStrand);
        gmr = Math.pow(d.gmrStrand * d.k * Math.pow(radCn, d.k - 1), 1 / d.k);
      } else {
        r = (0.3183 * RHO_TS) / (d.diaShield * d.tapeLayer * Math.sqrt(50 / (100 - d.tapeLap)));
        gmr = 0.5 * (d.diaShield - d.tapeLayer);
      }
      csetSym(zfull, idx, idx, cadd(cx(r, lfactor * Math.log(1 / gmr)), ze(i, i)));
      for (let j = 0; j < i; j++) csetSym(zfull, idx, n + j, mutualZ(dist(i, j), i, j));
      for (let j = 0; j < n; j++) {
        let dij: number;
        if (d.kind === 'cn') {
          const radCn = 0.5 * (d.diaCable! - d.diaStrand);
          dij = i === j ? radCn : Math.pow(Math.pow(dist(i, j), d.k) - Math.pow(radCn, d.k), 1 / d.k);
        } else {
          dij = i === j ? 0.5 * (d.diaShield - d.tapeLayer) : dist(i, j);
        }
        if (!(dij > 0) || !Number.isFinite(dij))
          throw new LineConstantsError(`conductor ${j + 1} lies inside the neutral/shield of cable ${i + 1}`);
        csetSym(zfull, idx, j, mutualZ(dij, i, j));
      }
    }
  }
  const zPrimitive = kronReduce(zfull, n);

  // Capacitance (F/m) over all n conductors.
  const cAll = new Float64Array(n * n);
  if (cable) {
    for (let i = 0; i < np; i++) {
      const d = conds[i].data as ConcentricNeutralCable | TapeShieldedCable;
      const radOut = 0.5 * d.diaIns;
      const radIn = radOut - d.insLayer;
      let denom = Math.log(radOut / radIn);
      if (d.kind === 'cn' && d.semicon === false) {
        const radCn = 0.5 * (d.diaCable! - d.diaStrand);
        denom = Math.log(radCn / radIn) - Math.log((d.k * 0.5 * d.diaStrand) / radCn) / d.k;
      }
      cAll[i * n + i] = ((TWO_PI * EPS0 * d.epsR) / denom) * (TWO_PI / (2 * Math.PI));
    }
  } else {
    const p = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const d = conds[i].data;
      const capR = d.capRadius !== undefined && d.capRadius > 0 ? d.capRadius : d.radius;
      p[i * n + i] = Math.log((2 * y[i]) / capR);
      for (let j = 0; j < i; j++) {
        const dij = dist(i, j);
        const dijp = Math.hypot(x[i] - x[j], y[i] + y[j]);
        p[i * n + j] = p[j * n + i] = Math.log(dijp / dij);
      }
    }
    const inv = invertReal(n, p);
    // OpenDSS inverts jωP with ω = 6.283185307·f and reads C back as Im(Y)/(2πf) with the exact
    // 2π: the ratio (1 − 3e-11) is kept so the numbers are the engine's, not merely physics'.
    const scale = TWO_PI * EPS0 * (TWO_PI / (2 * Math.PI));
    for (let k = 0; k < n * n; k++) cAll[k] = scale * inv[k];
  }

  const order = input.reduce && np < n ? np : n;
  const z = kronReduce(zPrimitive, order);
  const c = new Float64Array(order * order);
  for (let i = 0; i < order; i++) for (let j = 0; j < order; j++) c[i * order + j] = cAll[i * n + j];
  // Extreme but individually valid numbers (a 1e-300 m GMR, wires 1e15 m apart) must not leak out as Inf/NaN.
  const finite = (a: Float64Array): boolean => a.every(Number.isFinite);
  if (!finite(z.re) || !finite(z.im) || !finite(c))
    throw new LineConstantsError('the conductor data give non-finite impedances (check dimensions and units)');
  return { order, zPerMeter: z, cPerMeter: c, zPrimitivePerMeter: zPrimitive };
}

/** Per-length matrices in a line's length unit: what a Line's rmatrix/xmatrix/cmatrix would hold. */
export interface LineMatrices {
  readonly order: number;
  /** Row-major order×order, Ω per `unit`. */
  readonly rmatrix: number[];
  /** Row-major order×order, Ω per `unit`. */
  readonly xmatrix: number[];
  /** Row-major order×order, nF per `unit`. */
  readonly cmatrix: number[];
  readonly unit: LengthUnit;
}

/** Converts per-metre constants to a line's length unit (R, X in Ω/unit; C in nF/unit). */
export function perUnitLength(lc: LineConstants, unit: LengthUnit): LineMatrices {
  const k = toMeters(unit);
  return {
    order: lc.order,
    rmatrix: Array.from(lc.zPerMeter.re, (v) => v * k),
    xmatrix: Array.from(lc.zPerMeter.im, (v) => v * k),
    cmatrix: Array.from(lc.cPerMeter, (v) => v * k * 1e9),
    unit,
  };
}
