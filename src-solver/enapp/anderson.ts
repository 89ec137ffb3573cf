/**
 * Anderson acceleration (type II; Walker & Ni, SIAM J. Numer. Anal. 49(4), 2011) of a fixed-point
 * iteration x ← G(x), applied group by group to one flat vector, with a safeguard.
 *
 * For one group with residuals f_k = G(x_k) − x_k and the last m differences
 * ΔF = [f_{i+1} − f_i], ΔX = [x_{i+1} − x_i] (scaled component-wise by `scale`):
 *
 *     γ = argmin ‖f_k − ΔF γ‖₂                         (least squares, m ≤ memory columns)
 *     x_{k+1} = x_k + β f_k − (ΔX + β ΔF) γ            (β = the mixing / relaxation factor)
 *
 * With no history (the first step, or after a restart) this is the plain relaxed step
 * x_k + β f_k. Groups are independent least-squares problems over disjoint components: the
 * coupling that one γ per group assumes holds inside the group only (enapp/coordinator.ts groups
 * the boundary values of one period together, and the energy exchange of all periods together).
 *
 * Safeguard: when the residual (∞-norm over every group, scaled) grows more than `growth` times
 * from one step to the next, every group's history is dropped and the step is the damped
 * x_k + (β/2) f_k — the acceleration extrapolated where the map is not locally linear.
 * Least squares by modified Gram–Schmidt QR; columns that are (numerically) dependent on earlier
 * ones are dropped, the oldest first.
 */

export interface AndersonOptions {
  /** History columns per group. Default 5. */
  readonly memory?: number;
  /** Residual growth factor that restarts the history. Default 2. */
  readonly growth?: number;
}

export interface AndersonStep {
  /** The next iterate. */
  readonly x: Float64Array;
  /** True when the safeguard restarted the history and damped this step. */
  readonly restarted: boolean;
  /** History columns used (largest over the groups). */
  readonly columns: number;
}

export class GroupedAnderson {
  private readonly memory: number;
  private readonly growth: number;
  /** Per group: previous scaled x and f, and the history of differences (each a column over the group's components). */
  private readonly state: {
    prevX: Float64Array | null;
    prevF: Float64Array | null;
    dX: Float64Array[];
    dF: Float64Array[];
  }[];
  private prevResidual = Infinity;

  constructor(
    private readonly groups: readonly (readonly number[])[],
    private readonly scale: Float64Array,
    options: AndersonOptions = {},
  ) {
    this.memory = options.memory ?? 5;
    this.growth = options.growth ?? 2;
    this.state = groups.map(() => ({ prevX: null, prevF: null, dX: [], dF: [] }));
  }

  /** Forget the history (e.g. when the map changes). */
  reset(): void {
    for (const s of this.state) {
      s.prevX = null;
      s.prevF = null;
      s.dX = [];
      s.dF = [];
    }
  }

  /**
   * One step from x_k and g_k = G(x_k) with mixing β. `accelerate` false: record the history but
   * take the plain relaxed step (the coordinator starts accelerating from round 2).
   */
  step(x: Float64Array, g: Float64Array, beta: number, accelerate = true): AndersonStep {
    const next = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) next[i] = x[i]! + beta * (g[i]! - x[i]!);
    let residual = 0;
    for (let i = 0; i < x.length; i++) residual = Math.max(residual, Math.abs(g[i]! - x[i]!) / this.scale[i]!);
    const restarted = residual > this.growth * this.prevResidual;
    this.prevResidual = residual;
    if (restarted) {
      this.reset();
      for (let i = 0; i < x.length; i++) next[i] = x[i]! + 0.5 * beta * (g[i]! - x[i]!);
    }
    let columns = 0;
    this.groups.forEach((idx, gi) => {
      const s = this.state[gi]!;
      const n = idx.length;
      const xs = new Float64Array(n);
      const fs = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const i = idx[k]!;
        xs[k] = x[i]! / this.scale[i]!;
        fs[k] = (g[i]! - x[i]!) / this.scale[i]!;
      }
      if (!restarted && s.prevX && s.prevF) {
        s.dX.push(xs.map((v, k) => v - s.prevX![k]!));
        s.dF.push(fs.map((v, k) => v - s.prevF![k]!));
        if (s.dX.length > this.memory) {
          s.dX.shift();
          s.dF.shift();
        }
      }
      s.prevX = xs;
      s.prevF = fs;
      if (!accelerate || restarted || s.dF.length === 0) return;
      const { gamma, used } = leastSquares(s.dF, fs);
      columns = Math.max(columns, used.length);
      used.forEach((c, j) => {
        const gj = gamma[j]!;
        const dx = s.dX[c]!;
        const df = s.dF[c]!;
        for (let k = 0; k < n; k++) {
          const i = idx[k]!;
          next[i]! -= gj * (dx[k]! + beta * df[k]!) * this.scale[i]!;
        }
      });
    });
    return { x: next, restarted, columns };
  }
}

/**
 * min ‖b − A γ‖₂ over the columns of A (each a Float64Array), by modified Gram–Schmidt; a column
 * whose remainder is below 1e-10 of its norm is dropped (the oldest columns come first and are
 * the first dropped when dependent: they are tried last). Returns γ for the columns used.
 */
export function leastSquares(cols: readonly Float64Array[], b: Float64Array): { gamma: number[]; used: number[] } {
  const n = b.length;
  const q: Float64Array[] = [];
  const r: number[][] = [];
  const used: number[] = [];
  // Newest first, so a dependent older column is the one dropped.
  for (let c = cols.length - 1; c >= 0; c--) {
    const v = Float64Array.from(cols[c]!);
    const norm0 = norm2(v);
    if (!(norm0 > 0)) continue;
    const rc: number[] = [];
    for (const qj of q) {
      let d = 0;
      for (let k = 0; k < n; k++) d += qj[k]! * v[k]!;
      for (let k = 0; k < n; k++) v[k]! -= d * qj[k]!;
      rc.push(d);
    }
    const norm = norm2(v);
    if (norm < 1e-10 * norm0) continue;
    for (let k = 0; k < n; k++) v[k]! /= norm;
    rc.push(norm);
    q.push(v);
    r.push(rc);
    used.push(c);
  }
  // R γ = Qᵀ b, R upper triangular with r[j][i] = R_{i,j}.
  const qtb = q.map((qj) => {
    let d = 0;
    for (let k = 0; k < n; k++) d += qj[k]! * b[k]!;
    return d;
  });
  const m = q.length;
  const gamma = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = qtb[i]!;
    for (let j = i + 1; j < m; j++) s -= r[j]![i]! * gamma[j]!;
    gamma[i] = s / r[i]![i]!;
  }
  return { gamma, used };
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k]! * v[k]!;
  return Math.sqrt(s);
}
