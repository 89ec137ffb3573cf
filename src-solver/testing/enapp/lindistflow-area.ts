/**
 * A linearised (LinDistFlow) power flow of one area — the simplest real area solver the ENApp
 * coordinator can drive. Losses are neglected (spec (1)–(3) with l = 0):
 *
 *     P_ij = Σ_{k ∈ subtree(j)} p_k,     Q_ij = Σ_{k ∈ subtree(j)} q_k (− q_C_k v_k, not modelled here)
 *     v_j  = v_i − 2 (r_ij P_ij + x_ij Q_ij)
 *
 * The distributed answer of this model equals the centralized one after as many rounds as the
 * area tree is deep, which makes it the exact yardstick for the coordinator and the process
 * transport (tests), and a fast distributed screening power flow.
 */
import type { AreaInputs, AreaOutputs, AreaSolver } from '../../enapp/protocol';

export interface LinDistFlowAreaSpec {
  /** Local buses in BFS order from the area root (index 0). */
  readonly parent: readonly number[];
  /** Per local bus (the branch from its parent; ignored for the root). */
  readonly rPu: readonly number[];
  readonly xPu: readonly number[];
  /** Net load per bus and period: pLoadPu[bus][t]. */
  readonly pLoadPu: readonly (readonly number[])[];
  readonly qLoadPu: readonly (readonly number[])[];
  readonly periods: number;
  /** Root voltage squared when this area holds the substation. */
  readonly substationVSqPu?: number;
  /** Local bus index of each child boundary. */
  readonly childBoundaries: readonly { readonly boundary: number; readonly bus: number }[];
}

export function createLinDistFlowArea(specIn: unknown): AreaSolver {
  const spec = specIn as LinDistFlowAreaSpec;
  const n = spec.parent.length;
  const T = spec.periods;
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const v = new Float64Array(n);
  return {
    solve(inputs: AreaInputs, _round: number) {
      const t0 = Date.now();
      const rootP: number[] = [];
      const rootQ: number[] = [];
      const childV = spec.childBoundaries.map((c) => ({ boundary: c.boundary, vSqPu: new Array<number>(T) }));
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < n; j++) {
          p[j] = spec.pLoadPu[j]![t]!;
          q[j] = spec.qLoadPu[j]![t]!;
        }
        for (const cl of inputs.childLoads) {
          const bus = spec.childBoundaries.find((c) => c.boundary === cl.boundary)!.bus;
          p[bus]! += cl.pPu[t]!;
          q[bus]! += cl.qPu[t]!;
        }
        // Backward sweep: accumulate subtree sums (BFS order reversed).
        for (let j = n - 1; j > 0; j--) {
          p[spec.parent[j]!]! += p[j]!;
          q[spec.parent[j]!]! += q[j]!;
        }
        v[0] = inputs.rootVSqPu ? inputs.rootVSqPu[t]! : spec.substationVSqPu!;
        for (let j = 1; j < n; j++) v[j] = v[spec.parent[j]!]! - 2 * (spec.rPu[j]! * p[j]! + spec.xPu[j]! * q[j]!);
        rootP.push(p[0]!);
        rootQ.push(q[0]!);
        spec.childBoundaries.forEach((c, i) => (childV[i]!.vSqPu[t] = v[c.bus]!));
      }
      const outputs: AreaOutputs = { rootPQ: { pPu: rootP, qPu: rootQ }, childVSq: childV };
      return {
        outputs,
        stats: { status: 'solved', iterations: 1, seconds: (Date.now() - t0) / 1000, objective: 0 },
        solution: { vSqPu: Array.from(v) },
      };
    },
  };
}
