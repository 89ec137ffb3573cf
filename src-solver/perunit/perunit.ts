/**
 * Engineering units → the indexed per-unit arrays the power flow and the OPF work on.
 *
 * Bases (spec "Notation"): one power base `S_base = feeder.baseKva` (per-phase equivalent kVA) and,
 * per bus, the line-to-neutral voltage base `V_base = bus.vBaseKv`. Then
 *   Z_base = V_base² · 1000 / S_base   ohm     (kV² · 1000 / kVA)
 *   I_base = S_base / V_base           A       (kVA / kV)
 * IEEE 123: V_base = 2.4018 kV, S_base = 1000 kVA → Z_base = 5.76864 ohm, I_base = 416.35 A.
 * A branch's ohm values are on its `to` bus's base (for a transformer, `Branch.rOhm` is referred
 * to that side), so its Z_base is the `to` bus's.
 *
 * Indexing: buses keep the feeder's order (index i = feeder.buses[i]); branches keep the feeder's
 * order, but `fromBus[b]`/`toBus[b]` are oriented parent → child from the substation, whatever
 * the feeder's from/to labels say. `order` is the breadth-first bus order from the substation
 * (every parent before its children); `children` is in CSR form.
 */
import type { Feeder } from '../model/feeder';
import { assertValidFeeder } from '../model/validate';

export interface PerUnitFeeder {
  readonly feeder: Feeder;
  readonly baseKva: number;
  readonly nBus: number;
  readonly nBranch: number;
  /** Bus name by index, and index by lower-case name. */
  readonly busNames: readonly string[];
  readonly busIndex: ReadonlyMap<string, number>;
  /** Substation bus index and its voltage set point (pu). */
  readonly root: number;
  readonly vSetPu: number;
  /** Per bus: line-to-neutral base kV, Z_base (ohm), I_base (A). */
  readonly vBaseKv: Float64Array;
  readonly iBaseA: Float64Array;
  /** Breadth-first bus order from the root (length nBus, order[0] = root). */
  readonly order: Int32Array;
  /** Parent bus of each bus, −1 for the root. */
  readonly parentBus: Int32Array;
  /** Branch joining each bus to its parent, −1 for the root. */
  readonly parentBranch: Int32Array;
  /** Children of bus i: childBus[childStart[i] .. childStart[i+1]), via childBranch[same]. */
  readonly childStart: Int32Array;
  readonly childBus: Int32Array;
  readonly childBranch: Int32Array;
  /** Per branch (feeder order): parent-side bus, child-side bus. */
  readonly fromBus: Int32Array;
  readonly toBus: Int32Array;
  /** 1 when the feeder lists the branch child → parent (its labels are the reverse of fromBus/toBus). */
  readonly reversed: Uint8Array;
  /** Per branch: series r, x (pu) and the Z_base they are on (ohm). */
  readonly rPu: Float64Array;
  readonly xPu: Float64Array;
  readonly zBaseOhm: Float64Array;
  /** Per branch: current rating, pu of the child bus's I_base; +Infinity when unrated. */
  readonly iMaxPu: Float64Array;
  /** Per bus: summed peak load P, Q (pu, > 0 consumes) and capacitor rating Q (pu at 1 pu, > 0 injects). */
  readonly loadPPu: Float64Array;
  readonly loadQPu: Float64Array;
  readonly capQPu: Float64Array;
  /** Per load / capacitor / PV / battery (feeder order): its bus index. */
  readonly loadBus: Int32Array;
  readonly capBus: Int32Array;
  readonly pvBus: Int32Array;
  readonly batteryBus: Int32Array;
  /** Per PV: rated P and inverter S (pu). */
  readonly pvPRatedPu: Float64Array;
  readonly pvSRatedPu: Float64Array;
  /** Per battery: power rating P_BR, inverter S_BR (pu), energy rating E_R (pu·h). */
  readonly batteryPRatedPu: Float64Array;
  readonly batterySRatedPu: Float64Array;
  readonly batteryEnergyPuH: Float64Array;
}

/** Z_base in ohm for a line-to-neutral kV base and a per-phase kVA base. */
export const zBaseOhm = (vBaseKv: number, baseKva: number): number => (vBaseKv * vBaseKv * 1000) / baseKva;

/** Validates (throws FeederValidationError listing every error), then converts. */
export function toPerUnit(feeder: Feeder): PerUnitFeeder {
  assertValidFeeder(feeder);
  const nBus = feeder.buses.length;
  const nBranch = feeder.branches.length;
  const S = feeder.baseKva;
  const busNames = feeder.buses.map((b) => b.name);
  const busIndex = new Map<string, number>();
  busNames.forEach((n, i) => busIndex.set(n.toLowerCase(), i));
  const idx = (name: string): number => busIndex.get(name.toLowerCase())!;

  const vBaseKv = Float64Array.from(feeder.buses, (b) => b.vBaseKv);
  const iBaseA = Float64Array.from(vBaseKv, (v) => S / v);

  // Undirected adjacency (CSR) to orient the tree from the root by BFS.
  const degree = new Int32Array(nBus + 1);
  const labelFrom = new Int32Array(nBranch);
  const labelTo = new Int32Array(nBranch);
  feeder.branches.forEach((br, b) => {
    labelFrom[b] = idx(br.from);
    labelTo[b] = idx(br.to);
    degree[labelFrom[b] + 1]++;
    degree[labelTo[b] + 1]++;
  });
  for (let i = 0; i < nBus; i++) degree[i + 1] += degree[i];
  const adjStart = degree;
  const fill = adjStart.slice(0, nBus);
  const adjBranch = new Int32Array(2 * nBranch);
  for (let b = 0; b < nBranch; b++) {
    adjBranch[fill[labelFrom[b]]++] = b;
    adjBranch[fill[labelTo[b]]++] = b;
  }

  const root = idx(feeder.substation.bus);
  const order = new Int32Array(nBus);
  const parentBus = new Int32Array(nBus).fill(-1);
  const parentBranch = new Int32Array(nBus).fill(-1);
  const visited = new Uint8Array(nBus);
  const fromBus = new Int32Array(nBranch);
  const toBus = new Int32Array(nBranch);
  const reversed = new Uint8Array(nBranch);
  order[0] = root;
  visited[root] = 1;
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const u = order[head];
    for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
      const b = adjBranch[k];
      const v = labelFrom[b] === u ? labelTo[b] : labelFrom[b];
      if (visited[v]) continue;
      visited[v] = 1;
      parentBus[v] = u;
      parentBranch[v] = b;
      fromBus[b] = u;
      toBus[b] = v;
      reversed[b] = labelFrom[b] === u ? 0 : 1;
      order[tail++] = v;
    }
  }

  // Children in CSR, listed in BFS order.
  const childStart = new Int32Array(nBus + 1);
  for (let i = 0; i < nBus; i++) if (parentBus[i] >= 0) childStart[parentBus[i] + 1]++;
  for (let i = 0; i < nBus; i++) childStart[i + 1] += childStart[i];
  const childBus = new Int32Array(nBus - 1);
  const childBranch = new Int32Array(nBus - 1);
  const cursor = childStart.slice(0, nBus);
  for (let k = 1; k < nBus; k++) {
    const v = order[k];
    const p = parentBus[v];
    childBus[cursor[p]] = v;
    childBranch[cursor[p]++] = parentBranch[v];
  }

  const rPu = new Float64Array(nBranch);
  const xPu = new Float64Array(nBranch);
  const zBase = new Float64Array(nBranch);
  const iMaxPu = new Float64Array(nBranch);
  feeder.branches.forEach((br, b) => {
    zBase[b] = zBaseOhm(vBaseKv[labelTo[b]], S);
    rPu[b] = br.rOhm / zBase[b];
    xPu[b] = br.xOhm / zBase[b];
    iMaxPu[b] = br.ampacityA === undefined ? Infinity : br.ampacityA / iBaseA[toBus[b]];
  });

  const loadPPu = new Float64Array(nBus);
  const loadQPu = new Float64Array(nBus);
  const capQPu = new Float64Array(nBus);
  const loadBus = Int32Array.from(feeder.loads, (l) => idx(l.bus));
  feeder.loads.forEach((l, k) => {
    loadPPu[loadBus[k]] += l.pKw / S;
    loadQPu[loadBus[k]] += l.qKvar / S;
  });
  const capBus = Int32Array.from(feeder.capacitors, (c) => idx(c.bus));
  feeder.capacitors.forEach((c, k) => (capQPu[capBus[k]] += c.qKvar / S));

  return {
    feeder,
    baseKva: S,
    nBus,
    nBranch,
    busNames,
    busIndex,
    root,
    vSetPu: feeder.substation.vSetPu,
    vBaseKv,
    iBaseA,
    order,
    parentBus,
    parentBranch,
    childStart,
    childBus,
    childBranch,
    fromBus,
    toBus,
    reversed,
    rPu,
    xPu,
    zBaseOhm: zBase,
    iMaxPu,
    loadPPu,
    loadQPu,
    capQPu,
    loadBus,
    capBus,
    pvBus: Int32Array.from(feeder.pv, (p) => idx(p.bus)),
    batteryBus: Int32Array.from(feeder.batteries, (b) => idx(b.bus)),
    pvPRatedPu: Float64Array.from(feeder.pv, (p) => p.pRatedKw / S),
    pvSRatedPu: Float64Array.from(feeder.pv, (p) => p.sRatedKva / S),
    batteryPRatedPu: Float64Array.from(feeder.batteries, (b) => b.pRatedKw / S),
    batterySRatedPu: Float64Array.from(feeder.batteries, (b) => b.sRatedKva / S),
    batteryEnergyPuH: Float64Array.from(feeder.batteries, (b) => b.energyKwh / S),
  };
}

/**
 * Multipliers of a shape for periods 1..T (period t uses point t−1, wrapping around when the
 * shape is shorter); 1 for every period when `shape` is undefined. `reactive` picks qmult
 * (falling back to mult). Throws when the name is unknown.
 */
export function shapeSeries(feeder: Feeder, shape: string | undefined, periods: number, reactive = false): Float64Array {
  const out = new Float64Array(periods).fill(1);
  if (shape === undefined) return out;
  const s = feeder.shapes.find((x) => x.name.toLowerCase() === shape.toLowerCase());
  if (!s) throw new Error(`shape "${shape}" is not defined in feeder ${feeder.name}`);
  const values = reactive && s.qmult ? s.qmult : s.mult;
  for (let t = 0; t < periods; t++) out[t] = values[t % values.length];
  return out;
}
