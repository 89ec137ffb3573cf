/**
 * Generator of OPF-like KKT matrices for testing and benchmarking the LDLᵀ factorization.
 *
 * Problem: produce, from a seed, matrices with the sparsity structure and inertia of the
 * interior-point KKT system of the multi-period DistFlow OPF (spec constraints 1–4, 7, 9),
 * without needing the OPF model itself:
 *
 *            variables x (nVar)          multipliers (nCon)
 *     K = [  W + Σ + δw I                 Jᵀ      ]   W: Hessian of the Lagrangian,
 *         [  J                           −δc I    ]   J: constraint Jacobian
 *
 * Notation (spec): a random radial tree of `buses` buses rooted at bus 0 (substation, v fixed);
 * every non-root bus j with parent i has, per period t, the branch flow P_ij, Q_ij, the squared
 * current l_ij and the squared voltage v_j; batteries add Pc, Pd, qB, B (energy) per period,
 * PVs add q_D. Rows per non-root bus and period: (1) real balance, (2) reactive balance,
 * (3) voltage drop, (4) branch power l_ij v_i = P_ij² + Q_ij²; per battery and period (7) state
 * of charge B^t = B^{t−1} + Δt ηc Pc − Δt Pd/ηd, plus (9) the terminal row B^T = B^0.
 *
 * Values: J has the coefficients of (1)–(4), (7) at a random operating point; W has the
 * entries of ∇²(λ(l v_i − P² − Q²)), i.e. (P,P), (Q,Q) and (l, v_i), and the generator makes
 * W + Σ + δw I strictly diagonally dominant with a positive diagonal, hence positive definite.
 * With δc > 0 the matrix is quasi-definite, so its inertia is exactly (nVar, nCon, 0) —
 * the independent answer the tests use.
 *
 * Variables and rows are numbered period-major, then bus, then kind (Ipopt's x-then-λ order),
 * which is a poor elimination order on purpose: the ordering has to do the work.
 *
 * References: spec mpopf-formulation.md §Constraints; Vanderbei, SIAM J. Optim. 5(1), 1995
 * (quasi-definite ⇒ inertia (n, m, 0) under every symmetric permutation).
 */
import { type SymmetricPattern, patternFromTriplets } from '../../sparse/csc';
import { mulberry32 } from '../../random';

export interface OpfKktOptions {
  readonly buses: number;
  readonly periods: number;
  /** Number of batteries, at distinct random non-root buses. Default max(1, buses/32). */
  readonly batteries?: number;
  /** Number of PV inverters (q_D variables). Default buses/8. */
  readonly pvs?: number;
  readonly seed?: number;
  /** δc ≥ 0 on the multiplier block (−δc I). Default 1e-8; 0 gives the unregularized KKT. */
  readonly deltaC?: number;
  /** Probability that bus j hangs off bus j−1 (long feeder trunks); otherwise a random earlier bus. Default 0.7. */
  readonly chainProbability?: number;
}

export interface OpfKkt {
  readonly nVar: number;
  readonly nCon: number;
  readonly pattern: SymmetricPattern;
  readonly values: Float64Array;
  /** parent[j] of the random feeder tree (−1 for the root). */
  readonly parent: Int32Array;
  /** The triplets the matrix was assembled from (lower or upper mixed, duplicates possible). */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly tripletValues: Float64Array;
}

/** Growable triplet list (generator-only; the solver's hot loops never allocate). */
class Triplets {
  rows = new Int32Array(1024);
  cols = new Int32Array(1024);
  vals = new Float64Array(1024);
  size = 0;
  add(i: number, j: number, v: number): void {
    if (this.size === this.rows.length) {
      const cap = this.size * 2;
      const r = new Int32Array(cap);
      r.set(this.rows);
      const c = new Int32Array(cap);
      c.set(this.cols);
      const x = new Float64Array(cap);
      x.set(this.vals);
      this.rows = r;
      this.cols = c;
      this.vals = x;
    }
    this.rows[this.size] = i;
    this.cols[this.size] = j;
    this.vals[this.size] = v;
    this.size++;
  }
}

export function opfLikeKkt(options: OpfKktOptions): OpfKkt {
  const N = options.buses;
  const T = options.periods;
  if (!(N >= 2 && T >= 1)) throw new RangeError('opfLikeKkt: need at least 2 buses and 1 period');
  const rand = mulberry32(options.seed ?? 1);
  const deltaC = options.deltaC ?? 1e-8;
  const chainP = options.chainProbability ?? 0.7;
  const nBat = Math.min(N - 1, options.batteries ?? Math.max(1, Math.floor(N / 32)));
  const nPv = Math.min(N - 1, options.pvs ?? Math.floor(N / 8));
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();

  // --- The feeder: random tree, branch impedances (pu), battery and PV locations. ---
  const parent = new Int32Array(N);
  parent[0] = -1;
  for (let j = 1; j < N; j++) parent[j] = rand() < chainP ? j - 1 : Math.floor(rand() * j);
  const children: number[][] = Array.from({ length: N }, () => []);
  for (let j = 1; j < N; j++) children[parent[j]].push(j);
  const r = new Float64Array(N);
  const x = new Float64Array(N);
  for (let j = 1; j < N; j++) {
    r[j] = uniform(0.001, 0.05);
    x[j] = uniform(0.001, 0.05);
  }
  const pickBuses = (count: number): Int32Array => {
    const order = Array.from({ length: N - 1 }, (_, k) => k + 1);
    for (let k = order.length - 1; k > 0; k--) {
      const s = Math.floor(rand() * (k + 1));
      [order[k], order[s]] = [order[s], order[k]];
    }
    return Int32Array.from(order.slice(0, count)).sort();
  };
  const batAt = new Int32Array(N).fill(-1);
  pickBuses(nBat).forEach((bus, b) => (batAt[bus] = b));
  const pvAt = new Int32Array(N).fill(-1);
  pickBuses(nPv).forEach((bus, k) => (pvAt[bus] = k));

  // --- Variable numbering, period-major: per period, per non-root bus (P, Q, l, v), then
  //     per battery (Pc, Pd, qB, B), then per PV (q_D). ---
  const perPeriodVar = 4 * (N - 1) + 4 * nBat + nPv;
  const nVar = perPeriodVar * T;
  const ixP = (j: number, t: number): number => t * perPeriodVar + 4 * (j - 1);
  const ixQ = (j: number, t: number): number => ixP(j, t) + 1;
  const ixL = (j: number, t: number): number => ixP(j, t) + 2;
  const ixV = (j: number, t: number): number => ixP(j, t) + 3;
  const batBase = (b: number, t: number): number => t * perPeriodVar + 4 * (N - 1) + 4 * b;
  const ixPv = (k: number, t: number): number => t * perPeriodVar + 4 * (N - 1) + 4 * nBat + k;

  // Rows: per period, per non-root bus (bal P, bal Q, drop, power), then per battery (SOC);
  // finally one terminal-SOC row per battery.
  const perPeriodCon = 4 * (N - 1) + nBat;
  const nCon = perPeriodCon * T + nBat;
  const row = (j: number, t: number, kind: number): number => nVar + t * perPeriodCon + 4 * (j - 1) + kind;
  const socRow = (b: number, t: number): number => nVar + t * perPeriodCon + 4 * (N - 1) + b;
  const terminalRow = (b: number): number => nVar + perPeriodCon * T + b;

  const trip = new Triplets();
  const diagW = new Float64Array(nVar); // accumulates |off-diagonal| row sums of W for dominance
  const addW = (i: number, j: number, v: number): void => {
    trip.add(i, j, v);
    diagW[i] += Math.abs(v);
    diagW[j] += Math.abs(v);
  };
  const etaC = 0.95;
  const etaD = 0.95;
  const dtH = 1;

  for (let t = 0; t < T; t++) {
    for (let j = 1; j < N; j++) {
      const i = parent[j];
      const Pij = uniform(-0.5, 1);
      const Qij = uniform(-0.5, 1);
      const lij = uniform(0.1, 2);
      const vi = uniform(0.9, 1.1);
      // spec (1) real balance at j: Σ P_jk − (P_ij − r l_ij) + … − Pd + Pc = 0
      const rb = row(j, t, 0);
      for (const k of children[j]) trip.add(rb, ixP(k, t), 1);
      trip.add(rb, ixP(j, t), -1);
      trip.add(rb, ixL(j, t), r[j]);
      // spec (2) reactive balance at j: Σ Q_jk − (Q_ij − x l_ij) − q_C v_j − q_D − qB = 0
      const qb = row(j, t, 1);
      for (const k of children[j]) trip.add(qb, ixQ(k, t), 1);
      trip.add(qb, ixQ(j, t), -1);
      trip.add(qb, ixL(j, t), x[j]);
      if (rand() < 0.05) trip.add(qb, ixV(j, t), -uniform(0.01, 0.1)); // a shunt capacitor
      if (batAt[j] >= 0) {
        const base = batBase(batAt[j], t);
        trip.add(rb, base + 1, -1); // −Pd
        trip.add(rb, base + 0, 1); // +Pc
        trip.add(qb, base + 2, -1); // −qB
      }
      if (pvAt[j] >= 0) trip.add(qb, ixPv(pvAt[j], t), -1);
      // spec (3) voltage drop: v_j − v_i + 2(r P + x Q) − (r² + x²) l = 0   (v_root is fixed)
      const dr = row(j, t, 2);
      trip.add(dr, ixV(j, t), 1);
      if (i > 0) trip.add(dr, ixV(i, t), -1);
      trip.add(dr, ixP(j, t), 2 * r[j]);
      trip.add(dr, ixQ(j, t), 2 * x[j]);
      trip.add(dr, ixL(j, t), -(r[j] * r[j] + x[j] * x[j]));
      // spec (4) branch power: l_ij v_i − P_ij² − Q_ij² = 0
      const pw = row(j, t, 3);
      trip.add(pw, ixL(j, t), i > 0 ? vi : 1.03 * 1.03);
      if (i > 0) trip.add(pw, ixV(i, t), lij);
      trip.add(pw, ixP(j, t), -2 * Pij);
      trip.add(pw, ixQ(j, t), -2 * Qij);
      // ∇² of λ·(4): −2λ on (P,P), (Q,Q); +λ on (l, v_i)   (lower triangle: row ≥ col)
      const lambda = uniform(-1, 1);
      addW(ixP(j, t), ixP(j, t), -2 * lambda);
      addW(ixQ(j, t), ixQ(j, t), -2 * lambda);
      if (i > 0) {
        const a = ixL(j, t);
        const b = ixV(i, t);
        addW(Math.max(a, b), Math.min(a, b), lambda);
      }
    }
    for (let b = 0; b < nBat; b++) {
      // spec (7) state of charge: B^t − B^{t−1} − Δt ηc Pc + Δt Pd/ηd = 0
      const base = batBase(b, t);
      const sr = socRow(b, t);
      trip.add(sr, base + 3, 1);
      if (t > 0) trip.add(sr, batBase(b, t - 1) + 3, -1);
      trip.add(sr, base + 0, -dtH * etaC);
      trip.add(sr, base + 1, dtH / etaD);
    }
  }
  // spec (9) terminal SOC: B^T = B^0
  for (let b = 0; b < nBat; b++) trip.add(terminalRow(b), batBase(b, T - 1) + 3, 1);

  // W + Σ + δw I: a positive diagonal that dominates every row of W (the (P,P), (Q,Q) entries
  // were added above as diagonal triplets; diagW over-counts them, which only adds margin).
  for (let k = 0; k < nVar; k++) trip.add(k, k, diagW[k] + uniform(0.1, 10));
  // −δc I on the multiplier block (always present in the pattern, even when δc = 0).
  for (let c = 0; c < nCon; c++) trip.add(nVar + c, nVar + c, -deltaC);

  const rows = trip.rows.slice(0, trip.size);
  const cols = trip.cols.slice(0, trip.size);
  const tripletValues = trip.vals.slice(0, trip.size);
  const { pattern, map } = patternFromTriplets(nVar + nCon, rows, cols);
  const values = new Float64Array(pattern.rowIdx.length);
  for (let k = 0; k < trip.size; k++) values[map[k]] += tripletValues[k];
  return { nVar, nCon, pattern, values, parent, rows, cols, tripletValues };
}
