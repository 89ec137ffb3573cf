/**
 * Where each spec symbol lives in the NLP's x and g vectors.
 *
 * Variables are ordered period-major: one block per period t, and within it, bus by bus in BFS
 * order, the four branch-flow variables of the branch into that bus, then the PV and battery
 * variables:
 *
 *     x = [ block(t=0) | block(t=1) | … | block(T−1) ]
 *     block(t) = [ P_e Q_e l_e v_{e+1} ]_{e=0..nBr−1}  [ q_D_k ]_{k<nPv}  [ Pc_k Pd_k qB_k B_k ]_{k<nBat}
 *
 * Why this order: periods interact only through the battery energies B (spec (7)), so the KKT
 * matrix is block-diagonal per period plus a thin chain B^{t−1}–B^t; within a period, each bus's
 * rows touch only its own, its parent's and its children's variables, so a tree (BFS) order keeps
 * the fill of the LDLᵀ factor small even before a fill-reducing ordering is applied, and a
 * sub-area's model has the same layout (the ENApp areas reuse it).
 *
 * Constraints follow the same period-major layout:
 *
 *     block(t) = [ real(1) reactive(2) kvl(3) branchPower(4) ]_{e}  [ soc(7) ]_{k<nBat}  [ disk(11) ]_{k<nBat, disk only}
 *     then, after the last period: [ terminal(9) ]_{k<nBat, 'equal' only}
 */
export interface IndexMap {
  readonly periods: number;
  readonly nBr: number;
  readonly nPv: number;
  readonly nBat: number;
  /** Variables per period block. */
  readonly varsPerPeriod: number;
  /** Constraints per period block. */
  readonly consPerPeriod: number;
  readonly n: number;
  readonly m: number;
  /** P_e^t: sending-end real flow of branch e (into bus e+1). */
  P(e: number, t: number): number;
  /** Q_e^t: sending-end reactive flow of branch e. */
  Q(e: number, t: number): number;
  /** l_e^t: squared current magnitude of branch e. */
  l(e: number, t: number): number;
  /** v_b^t: squared voltage of a non-root bus b ≥ 1 (the root's is a constant). */
  v(b: number, t: number): number;
  /** q_D_k^t: reactive power of PV k (> 0 injects). */
  qD(k: number, t: number): number;
  /** Pc_k^t ≥ 0: charging power of battery k. */
  Pc(k: number, t: number): number;
  /** Pd_k^t ≥ 0: discharging power of battery k. */
  Pd(k: number, t: number): number;
  /** qB_k^t: reactive power of battery k's inverter (> 0 injects). */
  qB(k: number, t: number): number;
  /** B_k^t: energy stored in battery k at the end of period t (pu·h). */
  B(k: number, t: number): number;
  /** Rows of spec (1)–(4) for branch e in period t. */
  realBalance(e: number, t: number): number;
  reactiveBalance(e: number, t: number): number;
  kvl(e: number, t: number): number;
  branchPower(e: number, t: number): number;
  /** Row of spec (7) for battery k in period t. */
  soc(k: number, t: number): number;
  /** Row of the disk form of spec (11) (−1 when the study uses the box). */
  disk(k: number, t: number): number;
  /** Row of spec (9) for battery k (−1 unless terminalSoc is 'equal'). */
  terminal(k: number): number;
  /** Which symbol x_j is: its kind, period and the index of its branch / bus / PV / battery (the inverse of P … B). */
  variable(j: number): OpfVariable;
}

/** A variable of the OPF by name: `kind` of spec symbol, period t, and e (branch), b (bus), or k (PV or battery). */
export interface OpfVariable {
  readonly kind: 'P' | 'Q' | 'l' | 'v' | 'qD' | 'Pc' | 'Pd' | 'qB' | 'B';
  readonly period: number;
  /** Branch e for P, Q, l; bus b (≥ 1) for v; PV k for qD; battery k for Pc, Pd, qB, B. */
  readonly index: number;
}

const FLOW_KINDS = ['P', 'Q', 'l', 'v'] as const;
const BATTERY_KINDS = ['Pc', 'Pd', 'qB', 'B'] as const;

export function createIndexMap(
  periods: number,
  nBr: number,
  nPv: number,
  nBat: number,
  disk: boolean,
  terminalEqual: boolean,
): IndexMap {
  const nv = 4 * nBr + nPv + 4 * nBat;
  const pvOff = 4 * nBr;
  const batOff = pvOff + nPv;
  const nDisk = disk ? nBat : 0;
  const nc = 4 * nBr + nBat + nDisk;
  const socOff = 4 * nBr;
  const diskOff = socOff + nBat;
  const termOff = periods * nc;
  return {
    periods,
    nBr,
    nPv,
    nBat,
    varsPerPeriod: nv,
    consPerPeriod: nc,
    n: periods * nv,
    m: periods * nc + (terminalEqual ? nBat : 0),
    P: (e, t) => t * nv + 4 * e,
    Q: (e, t) => t * nv + 4 * e + 1,
    l: (e, t) => t * nv + 4 * e + 2,
    v: (b, t) => t * nv + 4 * (b - 1) + 3,
    qD: (k, t) => t * nv + pvOff + k,
    Pc: (k, t) => t * nv + batOff + 4 * k,
    Pd: (k, t) => t * nv + batOff + 4 * k + 1,
    qB: (k, t) => t * nv + batOff + 4 * k + 2,
    B: (k, t) => t * nv + batOff + 4 * k + 3,
    realBalance: (e, t) => t * nc + 4 * e,
    reactiveBalance: (e, t) => t * nc + 4 * e + 1,
    kvl: (e, t) => t * nc + 4 * e + 2,
    branchPower: (e, t) => t * nc + 4 * e + 3,
    soc: (k, t) => t * nc + socOff + k,
    disk: (k, t) => (disk ? t * nc + diskOff + k : -1),
    terminal: (k) => (terminalEqual ? termOff + k : -1),
    variable(j: number): OpfVariable {
      if (!Number.isInteger(j) || j < 0 || j >= periods * nv) throw new RangeError(`no OPF variable ${j}`);
      const period = Math.floor(j / nv);
      const r = j - period * nv;
      if (r < pvOff) {
        const kind = FLOW_KINDS[r % 4]!;
        const e = Math.floor(r / 4);
        return { kind, period, index: kind === 'v' ? e + 1 : e };
      }
      if (r < batOff) return { kind: 'qD', period, index: r - pvOff };
      return { kind: BATTERY_KINDS[(r - batOff) % 4]!, period, index: Math.floor((r - batOff) / 4) };
    },
  };
}
