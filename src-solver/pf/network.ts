/**
 * The radial network the power flow sweeps: the feeder's tree oriented from the substation, in
 * breadth-first order, with series impedances in per unit.
 *
 * Per unit (spec "Notation"): S_base = feeder.baseKva (per-phase equivalent), V_base = the bus's
 * line-to-neutral `vBaseKv`, Z_base = V_base² / S_base, I_base = S_base / V_base. A branch's
 * impedance is taken on its downstream bus's base (the `Branch` convention for transformers:
 * referred to the `to` bus; in a balanced per-unit model an ideal transformer at nominal ratio
 * disappears, leaving its series impedance).
 *
 * Everything the hot loop touches is a typed array indexed by BFS *position* k (0 = substation);
 * every child sits after its parent, so one reverse pass accumulates branch currents and one
 * forward pass applies KVL. `busAt[k]` / `posOf[bus]` map positions to the feeder's bus order.
 */
import type { Feeder } from '../model/feeder';
import { describeTreeProblem, radialTree } from '../model/tree';

/** The feeder cannot be swept: a broken topology or unusable data. Names the element at fault. */
export class PowerFlowInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PowerFlowInputError';
  }
}

export interface RadialNetwork {
  /** Number of buses (= branches + 1). */
  readonly n: number;
  readonly baseKva: number;
  /** Bus names in the feeder's order (`feeder.buses`). */
  readonly busNames: readonly string[];
  /** Bus name → index in `feeder.buses`. */
  readonly busIndex: ReadonlyMap<string, number>;
  /** BFS position k → index in `feeder.buses`; `busAt[0]` is the substation. */
  readonly busAt: Int32Array;
  /** Index in `feeder.buses` → BFS position. */
  readonly posOf: Int32Array;
  /** BFS position of the parent of position k; −1 for the substation. */
  readonly parentPos: Int32Array;
  /** Index in `feeder.branches` of the branch feeding position k; −1 for the substation. */
  readonly branchAt: Int32Array;
  /** Index in `feeder.branches` → BFS position of its downstream bus. */
  readonly branchPos: Int32Array;
  /** Series resistance / reactance of the branch feeding position k, pu (0 at k = 0). */
  readonly rPu: Float64Array;
  readonly xPu: Float64Array;
  /** Current base at position k, A (= S_base / V_base of the bus). */
  readonly iBaseA: Float64Array;
  /** Per branch (feeder order): the bus on the substation side; flows are reported leaving it. */
  readonly branchUpstreamBus: readonly string[];
}

/**
 * Orient the feeder's tree from the substation and convert impedances to per unit.
 * Throws `PowerFlowInputError` for an unknown bus, a duplicate bus, a loop (mesh or parallel
 * branches; each loop's branches named), a bus the substation cannot reach (named), or a
 * non-positive base.
 */
export function compileRadialNetwork(feeder: Feeder): RadialNetwork {
  const n = feeder.buses.length;
  const baseKva = feeder.baseKva;
  if (!(baseKva > 0) || !Number.isFinite(baseKva)) {
    throw new PowerFlowInputError(`feeder "${feeder.name}": baseKva must be a positive number (got ${baseKva})`);
  }
  const busIndex = new Map<string, number>();
  feeder.buses.forEach((b, i) => {
    if (busIndex.has(b.name)) throw new PowerFlowInputError(`bus "${b.name}" is defined twice`);
    if (!(b.vBaseKv > 0) || !Number.isFinite(b.vBaseKv)) {
      throw new PowerFlowInputError(`bus "${b.name}": vBaseKv must be a positive number (got ${b.vBaseKv})`);
    }
    busIndex.set(b.name, i);
  });
  if (!busIndex.has(feeder.substation.bus)) {
    throw new PowerFlowInputError(`substation bus "${feeder.substation.bus}" is not a bus of the feeder`);
  }
  feeder.branches.forEach((br) => {
    const a = busIndex.get(br.from);
    const b = busIndex.get(br.to);
    if (a === undefined) throw new PowerFlowInputError(`branch "${br.name}": unknown bus "${br.from}"`);
    if (b === undefined) throw new PowerFlowInputError(`branch "${br.name}": unknown bus "${br.to}"`);
    if (a === b) throw new PowerFlowInputError(`branch "${br.name}" connects bus "${br.from}" to itself`);
    if (!(br.rOhm >= 0) || !Number.isFinite(br.xOhm) || !Number.isFinite(br.rOhm)) {
      throw new PowerFlowInputError(`branch "${br.name}": impedance must be finite with rOhm ≥ 0`);
    }
  });

  // Breadth-first orientation from the substation (model/tree.ts, strictly: a tree or an error).
  const rooted = radialTree(feeder);
  if ('error' in rooted)
    throw new PowerFlowInputError(`${describeTreeProblem(rooted)}; the power flow needs a radial feeder`);
  const { tree } = rooted;
  const busAt = Int32Array.from(tree.order);
  const posOf = new Int32Array(n).fill(-1);
  busAt.forEach((bus, k) => (posOf[bus] = k));
  const parentPos = new Int32Array(n).fill(-1);
  const branchAt = new Int32Array(n).fill(-1);
  const branchPos = new Int32Array(feeder.branches.length).fill(-1);
  for (let k = 1; k < n; k++) {
    parentPos[k] = posOf[tree.parent[busAt[k]]];
    branchAt[k] = tree.parentBranch[busAt[k]];
    branchPos[branchAt[k]] = k;
  }

  const rPu = new Float64Array(n);
  const xPu = new Float64Array(n);
  const iBaseA = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const vBaseKv = feeder.buses[busAt[k]].vBaseKv;
    iBaseA[k] = baseKva / vBaseKv;
    if (k === 0) continue;
    const zBaseOhm = (vBaseKv * vBaseKv * 1000) / baseKva;
    const br = feeder.branches[branchAt[k]];
    rPu[k] = br.rOhm / zBaseOhm;
    xPu[k] = br.xOhm / zBaseOhm;
  }
  const branchUpstreamBus = feeder.branches.map((_, e) => feeder.buses[busAt[parentPos[branchPos[e]]]].name);

  return {
    n,
    baseKva,
    busNames: feeder.buses.map((b) => b.name),
    busIndex,
    busAt,
    posOf,
    parentPos,
    branchAt,
    branchPos,
    rPu,
    xPu,
    iBaseA,
    branchUpstreamBus,
  };
}
