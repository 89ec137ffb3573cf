/**
 * The multi-period OPF as an NlpProblem — docs/spec/mpopf-formulation.md, all of it:
 *
 *   min  f(x) = objective (loss or cost) + α Σ_t Σ_k ((1−ηc) Pc_k^t + (1/ηd − 1) Pd_k^t)
 *               [+ w Σ_k (B_k^T − B_k^0)² for the soft terminal SOC]
 *   s.t. spec (1)–(4) per non-root bus and period, (7) per battery and period,
 *        (9) per battery ('equal'), (11) disk per battery and period ('disk'),
 *        bounds: (5) on v, (6) on l (rated branches, when asked), (8) on B, (10) on Pc, Pd,
 *        (11) box on qB ('box'), (12) on q_D.
 *
 * Variables and rows are per unit (network.ts); the OBJECTIVE is in engineering units — USD for
 * 'cost' (`Σ_t C^t[USD/kWh] · P_subs^t[kW] · Δt`), kW summed over periods for 'loss' — i.e. the
 * per-unit expression × baseKva, with the α term on powers in kW and the soft penalty
 * `w Σ_k (B_k^T − B_k^0)²` on energies in kWh. Why: with the per-unit objective (gradients ~0.03)
 * the barrier term μ/slack competes with the objective at Ipopt's final μ ≈ 2.5e-9, and the optimum
 * moved by 1.3e-5 relative between tol 1e-8 and 1e-9 (native Ipopt, IEEE 123, T = 5); in
 * engineering units the gradients are O(10) and tol 1e-8 is converged.
 * Notes on choices the spec leaves open:
 * - `l ≥ 0` of spec (6) is implied by (4) (exact or relaxed) because v ≥ V_min² > 0, so l carries
 *   no lower bound: the redundant bound would be active (degenerate) on every branch with no flow.
 * - In the 'disk' mode qB keeps the box |qB| ≤ S_BR that the disk implies: without it qB has no
 *   barrier term and the interior-point method needs hundreds of iterations on IEEE 123 (native
 *   Ipopt: 355 instead of 24, T = 12). The disk row is scaled by 1/S_BR²
 *   (`((Pd − Pc)² + qB²) / S_BR² ≤ 1`) so it is O(1) like the others.
 * - Terminal 'equal' is a constraint row `B_k^T − B_k^0 = 0` (not a fixed variable).
 *
 * Linear rows are written once as coefficients (`lin`) and evaluated as A x + c; the two
 * nonlinear row kinds ((4) and the disk) have their own value, Jacobian and Hessian code.
 */
import type { NlpProblem, SparseStructure } from '../nlp/problem';
import { createIndexMap, type IndexMap } from './index-map';
import { initialPoint } from './init';
import { buildNetwork, type AreaOptions, type OpfNetwork } from './network';
import type { Feeder } from '../model/feeder';
import type { Study } from './study';

export interface OpfModel {
  readonly net: OpfNetwork;
  readonly ix: IndexMap;
  readonly problem: NlpProblem;
  /** Linear objective coefficients, objective units per unit of x (the gradient without the soft terminal term). */
  readonly objectiveLinear: Float64Array;
}

/** A growable triplet list. */
class Triplets {
  rows = new Int32Array(1024);
  cols = new Int32Array(1024);
  vals = new Float64Array(1024);
  nnz = 0;
  add(r: number, c: number, v: number): number {
    if (this.nnz === this.rows.length) {
      const grow = <A extends Int32Array | Float64Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(a.length * 2);
        b.set(a);
        return b;
      };
      this.rows = grow(this.rows);
      this.cols = grow(this.cols);
      this.vals = grow(this.vals);
    }
    this.rows[this.nnz] = r;
    this.cols[this.nnz] = c;
    this.vals[this.nnz] = v;
    return this.nnz++;
  }
}

export function buildOpfModel(feeder: Feeder, study: Study = {}, area: AreaOptions = {}): OpfModel {
  return buildModel(buildNetwork(feeder, study, area));
}

export function buildModel(net: OpfNetwork, x0In?: Float64Array): OpfModel {
  const s = net.study;
  const T = net.periods;
  const nBus = net.nBus;
  const nBr = nBus - 1;
  const { nPv, nBat } = net;
  const disk = s.batteryLimit === 'disk';
  const ix = createIndexMap(T, nBr, nPv, nBat, disk, s.terminalSoc === 'equal');
  const { n, m } = ix;
  const dt = s.dtH;
  const vRoot = net.vRootSqPu;

  // Devices per bus (CSR), for the balance rows.
  const csr = (busOf: Int32Array): { start: Int32Array; list: Int32Array } => {
    const start = new Int32Array(nBus + 1);
    for (const b of busOf) start[b + 1]!++;
    for (let b = 0; b < nBus; b++) start[b + 1]! += start[b]!;
    const list = new Int32Array(busOf.length);
    const fill = start.slice(0, nBus);
    busOf.forEach((b, k) => {
      list[fill[b]!] = k;
      fill[b]!++;
    });
    return { start, list };
  };
  const pvAt = csr(net.pvBus);
  const batAt = csr(net.batBus);

  // ---- Linear rows: coefficients A (triplets) and constants c, so g_lin = A x + c. ----
  const jac = new Triplets();
  const gConst = new Float64Array(m);
  const lin = (row: number, col: number, coef: number): void => void jac.add(row, col, coef);

  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) {
      const j = e + 1;
      const i = net.parent[j]!;
      const r = net.rPu[e]!;
      const x = net.xPu[e]!;
      const pL = net.pLoadPu[t * nBus + j]!;
      const qL = net.qLoadPu[t * nBus + j]!;

      // spec (1) real balance: Σ_k P_jk − (P_ij − r_ij l_ij) + p_L_j − p_D_j − Pd_j + Pc_j = 0
      let row = ix.realBalance(e, t);
      for (let c = net.childStart[j]!; c < net.childStart[j + 1]!; c++) lin(row, ix.P(net.childList[c]!, t), 1);
      lin(row, ix.P(e, t), -1);
      lin(row, ix.l(e, t), r);
      let pD = 0;
      for (let c = pvAt.start[j]!; c < pvAt.start[j + 1]!; c++) pD += net.pvPPu[t * nPv + pvAt.list[c]!]!;
      for (let c = batAt.start[j]!; c < batAt.start[j + 1]!; c++) {
        lin(row, ix.Pd(batAt.list[c]!, t), -1);
        lin(row, ix.Pc(batAt.list[c]!, t), 1);
      }
      gConst[row] = pL - pD;

      // spec (2) reactive balance: Σ_k Q_jk − (Q_ij − x_ij l_ij) + q_L_j − q_C_j v_j − q_D_j − qB_j = 0
      row = ix.reactiveBalance(e, t);
      for (let c = net.childStart[j]!; c < net.childStart[j + 1]!; c++) lin(row, ix.Q(net.childList[c]!, t), 1);
      lin(row, ix.Q(e, t), -1);
      lin(row, ix.l(e, t), x);
      if (net.qCapPu[j] !== 0) lin(row, ix.v(j, t), -net.qCapPu[j]!);
      for (let c = pvAt.start[j]!; c < pvAt.start[j + 1]!; c++) lin(row, ix.qD(pvAt.list[c]!, t), -1);
      for (let c = batAt.start[j]!; c < batAt.start[j + 1]!; c++) lin(row, ix.qB(batAt.list[c]!, t), -1);
      gConst[row] = qL;

      // spec (3) KVL: v_j − v_i + 2(r_ij P_ij + x_ij Q_ij) − (r_ij² + x_ij²) l_ij = 0
      row = ix.kvl(e, t);
      lin(row, ix.v(j, t), 1);
      if (i > 0) lin(row, ix.v(i, t), -1);
      else gConst[row] = -vRoot[t]!;
      lin(row, ix.P(e, t), 2 * r);
      lin(row, ix.Q(e, t), 2 * x);
      lin(row, ix.l(e, t), -(r * r + x * x));
    }
    // spec (7) state of charge: B_k^t − B_k^{t−1} − Δt ηc Pc_k^t + Δt Pd_k^t / ηd = 0, B_k^0 given
    for (let k = 0; k < nBat; k++) {
      const row = ix.soc(k, t);
      lin(row, ix.B(k, t), 1);
      if (t > 0) lin(row, ix.B(k, t - 1), -1);
      else gConst[row] = -net.batB0PuH[k]!;
      lin(row, ix.Pc(k, t), -dt * net.batEtaC[k]!);
      lin(row, ix.Pd(k, t), dt / net.batEtaD[k]!);
    }
  }
  // spec (9) terminal SOC ('equal'): B_k^T − B_k^0 = 0
  if (s.terminalSoc === 'equal') {
    for (let k = 0; k < nBat; k++) {
      lin(ix.terminal(k), ix.B(k, T - 1), 1);
      gConst[ix.terminal(k)] = -net.batB0PuH[k]!;
    }
  }
  const nLin = jac.nnz;

  // ---- Nonlinear rows: positions of their Jacobian entries (values filled per evaluation). ----
  // spec (4) branch power: l_ij v_i − P_ij² − Q_ij² = 0 (relaxed: ≥ 0). Entries: l, P, Q, [v_i].
  const bpStart = new Int32Array(T * nBr);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) {
      const row = ix.branchPower(e, t);
      const i = net.parent[e + 1]!;
      bpStart[t * nBr + e] = jac.add(row, ix.l(e, t), 0);
      jac.add(row, ix.P(e, t), 0);
      jac.add(row, ix.Q(e, t), 0);
      if (i > 0) jac.add(row, ix.v(i, t), 0);
    }
  }
  // Variable indices of every (4) row, flat over k = t·nBr + e, so the hot loops below are plain
  // array walks (bpVi = −1 when the parent is the root, whose v is the constant vRoot[t]).
  const nBp = T * nBr;
  const bpL = new Int32Array(nBp);
  const bpP = new Int32Array(nBp);
  const bpQ = new Int32Array(nBp);
  const bpVi = new Int32Array(nBp);
  const bpRow = new Int32Array(nBp);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) {
      const k = t * nBr + e;
      const i = net.parent[e + 1]!;
      bpL[k] = ix.l(e, t);
      bpP[k] = ix.P(e, t);
      bpQ[k] = ix.Q(e, t);
      bpVi[k] = i > 0 ? ix.v(i, t) : -1;
      bpRow[k] = ix.branchPower(e, t);
    }
  }
  // spec (11) disk: ((Pd − Pc)² + qB²) / S_BR² ≤ 1. Entries: Pc, Pd, qB.
  const diskStart = new Int32Array(disk ? T * nBat : 0);
  if (disk) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < nBat; k++) {
        const row = ix.disk(k, t);
        diskStart[t * nBat + k] = jac.add(row, ix.Pc(k, t), 0);
        jac.add(row, ix.Pd(k, t), 0);
        jac.add(row, ix.qB(k, t), 0);
      }
    }
  }
  const jacNnz = jac.nnz;
  const jacRows = jac.rows.slice(0, jacNnz);
  const jacCols = jac.cols.slice(0, jacNnz);
  const jacConst = jac.vals.slice(0, jacNnz);
  // the linear rows' entries [0, nLin) never change (NlpProblem.constantJacobian)
  const constantJacobian = new Uint8Array(jacNnz).fill(1, 0, nLin);

  // ---- Hessian of the Lagrangian (lower triangle): positions per nonlinear row. ----
  const hes = new Triplets();
  const lower = (a: number, b: number): number => (a >= b ? hes.add(a, b, 0) : hes.add(b, a, 0));
  const bpHes = new Int32Array(T * nBr); // first of (P,P), (Q,Q), [(l, v_i)]
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) {
      const i = net.parent[e + 1]!;
      bpHes[t * nBr + e] = lower(ix.P(e, t), ix.P(e, t));
      lower(ix.Q(e, t), ix.Q(e, t));
      if (i > 0) lower(ix.l(e, t), ix.v(i, t));
    }
  }
  const diskHes = new Int32Array(disk ? T * nBat : 0); // (Pc,Pc), (Pd,Pd), (Pd,Pc), (qB,qB)
  if (disk) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < nBat; k++) {
        diskHes[t * nBat + k] = lower(ix.Pc(k, t), ix.Pc(k, t));
        lower(ix.Pd(k, t), ix.Pd(k, t));
        lower(ix.Pd(k, t), ix.Pc(k, t));
        lower(ix.qB(k, t), ix.qB(k, t));
      }
    }
  }
  const soft = s.terminalSoc === 'soft' && nBat > 0;
  const softHes = soft ? hes.nnz : -1; // (B_k^T, B_k^T) for each k
  if (soft) for (let k = 0; k < nBat; k++) lower(ix.B(k, T - 1), ix.B(k, T - 1));
  const hesNnz = hes.nnz;
  const hesRows = hes.rows.slice(0, hesNnz);
  const hesCols = hes.cols.slice(0, hesNnz);

  // ---- Objective: linear part c·x (+ soft terminal penalty). ----
  const objectiveLinear = new Float64Array(n);
  for (let t = 0; t < T; t++) {
    if (s.objective === 'loss') {
      // loss minimisation: Σ_t Σ_ij r_ij l_ij^t
      for (let e = 0; e < nBr; e++) objectiveLinear[ix.l(e, t)]! += net.rPu[e]!;
    } else {
      // substation energy cost: Σ_t C^t P_subs^t Δt, P_subs^t = Σ_{(root,j)} P_root,j^t
      for (let c = net.childStart[0]!; c < net.childStart[1]!; c++)
        objectiveLinear[ix.P(net.childList[c]!, t)]! += net.priceUsdPerKwh[t]! * dt;
    }
    // battery-loss term: α Σ_k ((1−ηc) Pc_k^t + (1/ηd − 1) Pd_k^t)
    for (let k = 0; k < nBat; k++) {
      objectiveLinear[ix.Pc(k, t)]! += s.alpha * (1 - net.batEtaC[k]!);
      objectiveLinear[ix.Pd(k, t)]! += s.alpha * (1 / net.batEtaD[k]! - 1);
    }
  }
  for (let c = 0; c < n; c++) objectiveLinear[c]! *= net.baseKva;
  /** Soft terminal weight on per-unit energies: w [objective/kWh²] · baseKva². */
  const w = s.softTerminalWeight * net.baseKva * net.baseKva;

  // ---- Bounds. ----
  const xL = new Float64Array(n).fill(-Infinity);
  const xU = new Float64Array(n).fill(Infinity);
  const vMinSq = s.vMinPu * s.vMinPu;
  const vMaxSq = s.vMaxPu * s.vMaxPu;
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) {
      // spec (5) voltage limits V_min² ≤ v_j ≤ V_max²
      xL[ix.v(e + 1, t)] = vMinSq;
      xU[ix.v(e + 1, t)] = vMaxSq;
      // spec (6) current limits l_ij ≤ I_max² (where rated and asked for; l ≥ 0 is implied by (4))
      xU[ix.l(e, t)] = net.iMaxSqPu[e]!;
    }
    for (let k = 0; k < nPv; k++) {
      // spec (12) PV reactive |q_D| ≤ sqrt(S_DR² − p_D²)
      const p = net.pvPPu[t * nPv + k]!;
      const qMax = Math.sqrt(Math.max(0, net.pvSPu[k]! ** 2 - p * p));
      xL[ix.qD(k, t)] = -qMax;
      xU[ix.qD(k, t)] = qMax;
    }
    for (let k = 0; k < nBat; k++) {
      // spec (10) battery power 0 ≤ Pc, Pd ≤ P_BR
      xL[ix.Pc(k, t)] = 0;
      xU[ix.Pc(k, t)] = net.batPPu[k]!;
      xL[ix.Pd(k, t)] = 0;
      xU[ix.Pd(k, t)] = net.batPPu[k]!;
      // spec (11) box |qB| ≤ sqrt(S_BR² − P_BR²); the disk mode has a constraint row and the implied |qB| ≤ S_BR
      const qMax = disk ? net.batSPu[k]! : Math.sqrt(Math.max(0, net.batSPu[k]! ** 2 - net.batPPu[k]! ** 2));
      xL[ix.qB(k, t)] = -qMax;
      xU[ix.qB(k, t)] = qMax;
      // spec (8) SOC limits soc_min E_R ≤ B ≤ soc_max E_R
      xL[ix.B(k, t)] = net.batSocMin[k]! * net.batEPuH[k]!;
      xU[ix.B(k, t)] = net.batSocMax[k]! * net.batEPuH[k]!;
    }
  }
  const gL = new Float64Array(m);
  const gU = new Float64Array(m);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < nBr; e++) gU[ix.branchPower(e, t)] = s.relax ? Infinity : 0;
    if (disk) {
      for (let k = 0; k < nBat; k++) {
        gL[ix.disk(k, t)] = -Infinity;
        gU[ix.disk(k, t)] = 1;
      }
    }
  }

  const x0 = x0In ?? initialPoint(net, ix);
  const invS2 = new Float64Array(nBat);
  for (let k = 0; k < nBat; k++) invS2[k] = 1 / net.batSPu[k]! ** 2;

  // The KKT ordering's hint (NlpProblem.periods): the period blocks of the index map; the
  // terminal rows after the last block belong to no period.
  const ofVar = new Int32Array(n);
  for (let j = 0; j < n; j++) ofVar[j] = Math.floor(j / ix.varsPerPeriod);
  const ofCon = new Int32Array(m).fill(-1);
  for (let i = 0; i < T * ix.consPerPeriod; i++) ofCon[i] = Math.floor(i / ix.consPerPeriod);
  const problem: NlpProblem = {
    periods: { count: T, ofVar, ofCon },
    n,
    m,
    xL,
    xU,
    gL,
    gU,
    x0,
    constantJacobian,
    jacobianStructure(): SparseStructure {
      return { rows: jacRows, cols: jacCols };
    },
    hessianStructure(): SparseStructure {
      return { rows: hesRows, cols: hesCols };
    },
    evalF(x) {
      let f = 0;
      for (let c = 0; c < n; c++) f += objectiveLinear[c]! * x[c]!;
      if (soft) for (let k = 0; k < nBat; k++) f += w * (x[ix.B(k, T - 1)]! - net.batB0PuH[k]!) ** 2;
      return f;
    },
    evalGradF(x, out) {
      out.set(objectiveLinear);
      if (soft) for (let k = 0; k < nBat; k++) out[ix.B(k, T - 1)]! += 2 * w * (x[ix.B(k, T - 1)]! - net.batB0PuH[k]!);
    },
    evalG(x, out) {
      out.set(gConst);
      for (let k = 0; k < nLin; k++) out[jacRows[k]!]! += jacConst[k]! * x[jacCols[k]!]!;
      // spec (4): l_ij v_i − P_ij² − Q_ij²
      for (let k = 0; k < nBp; k++) {
        const vi = bpVi[k]! >= 0 ? x[bpVi[k]!]! : vRoot[(k / nBr) | 0]!;
        const P = x[bpP[k]!]!;
        const Q = x[bpQ[k]!]!;
        out[bpRow[k]!] = x[bpL[k]!]! * vi - P * P - Q * Q;
      }
      if (disk) {
        for (let t = 0; t < T; t++) {
          for (let k = 0; k < nBat; k++) {
            const pn = x[ix.Pd(k, t)]! - x[ix.Pc(k, t)]!;
            const q = x[ix.qB(k, t)]!;
            out[ix.disk(k, t)] = (pn * pn + q * q) * invS2[k]!;
          }
        }
      }
    },
    evalJacobian(x, out) {
      out.set(jacConst);
      for (let k = 0; k < nBp; k++) {
        const p = bpStart[k]!;
        const vi = bpVi[k]!;
        out[p] = vi >= 0 ? x[vi]! : vRoot[(k / nBr) | 0]!; // ∂/∂l = v_i
        out[p + 1] = -2 * x[bpP[k]!]!; // ∂/∂P
        out[p + 2] = -2 * x[bpQ[k]!]!; // ∂/∂Q
        if (vi >= 0) out[p + 3] = x[bpL[k]!]!; // ∂/∂v_i = l
      }
      for (let t = 0; t < T; t++) {
        if (disk) {
          for (let k = 0; k < nBat; k++) {
            const p = diskStart[t * nBat + k]!;
            const d = 2 * (x[ix.Pd(k, t)]! - x[ix.Pc(k, t)]!) * invS2[k]!;
            out[p] = -d;
            out[p + 1] = d;
            out[p + 2] = 2 * x[ix.qB(k, t)]! * invS2[k]!;
          }
        }
      }
    },
    evalHessian(_x, sigmaF, lambda, out) {
      for (let k = 0; k < nBp; k++) {
        const lam = lambda[bpRow[k]!]!;
        const p = bpHes[k]!;
        out[p] = -2 * lam;
        out[p + 1] = -2 * lam;
        if (bpVi[k]! >= 0) out[p + 2] = lam;
      }
      for (let t = 0; t < T; t++) {
        if (disk) {
          for (let k = 0; k < nBat; k++) {
            const lam2 = 2 * lambda[ix.disk(k, t)]! * invS2[k]!;
            const p = diskHes[t * nBat + k]!;
            out[p] = lam2;
            out[p + 1] = lam2;
            out[p + 2] = -lam2;
            out[p + 3] = lam2;
          }
        }
      }
      if (soft) for (let k = 0; k < nBat; k++) out[softHes + k] = 2 * w * sigmaF;
    },
  };
  return { net, ix, problem, objectiveLinear };
}
