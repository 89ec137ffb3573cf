/**
 * Unbalanced (multi-phase) power flow on the network model, snapshot and over periods.
 *
 * Method: fixed-point current injection on a factored nodal admittance matrix, as OpenDSS's
 * "normal" solution mode. Y holds every linear element (lines, transformers, capacitors,
 * reactors, the source's Thevenin admittance) plus each load's and generator's admittance at
 * nominal voltage, Yeq. Each iteration evaluates the nonlinear loads at the present voltages and
 * injects only their deviation from Yeq: Y V⁽ᵏ⁺¹⁾ = I_src + Σ (Yeq V⁽ᵏ⁾ − I_load(V⁽ᵏ⁾)), one
 * forward/back substitution with the same factor. Convergence: the map contracts linearly, with a
 * factor of the order of the voltage drop the loads cause (|Z_thevenin·Yeq|, up to twice that for
 * constant power): 7–11 iterations to 1e-11 pu on the IEEE feeders, ~28 on the 8500-node feeder's
 * weak 120/240 V secondaries; Anderson acceleration of the fixed point (`accelerate`) halves those
 * counts without moving the fixed point, and keeps its history across the warm solves of a
 * series (control rounds, periods). A constant-impedance load is exact after one step. It
 * accepts meshed networks (Y has no radial assumption); near voltage collapse it slows, and the
 * iteration limit reports non-convergence rather than a wrong answer.
 * Y is complex symmetric and factored by ./cldl: fully once, then after a tap or capacitor change
 * only the rows of L the change reaches (8500-node feeder, 24 h with controls: 88 factorizations
 * computing 7.4 full factors' worth of rows). The iteration works in the factor's pivot order
 * (interleaved re/im vectors, no permutation per solve) and writes node voltages back when a
 * solve ends or offers an iterate to the caller.
 *
 * Controls (OpenDSS's static control mode): after a converged solution, regulators move their
 * taps toward vreg ± band/2 (with line-drop compensation) and capacitor controls switch; the
 * power flow is repeated until nothing changes (./controls).
 */
import { ComplexLdl } from './cldl';
import type { CMatrix } from './cmatrix';
import type { Conn, UGenerator, ULoad, ULoadShape, UNetwork, UTransformer } from './model';
import {
  capacitorYprim,
  indexNodes,
  lineYprim,
  shuntYprim,
  transformerYprim,
  vsourceYprim,
  type NodeIndex,
  type Stamp,
} from './ybuild';

interface Terminal {
  readonly bus: string;
  readonly nodes: readonly number[];
}

/** Global node index (−1 ground or unknown) of every conductor of the terminals in turn (as ybuild's terminalIndex, concatenated). */
function terminalsIndex(nodes: NodeIndex, terms: readonly Terminal[]): Int32Array {
  let n = 0;
  for (const t of terms) n += t.nodes.length;
  const out = new Int32Array(n);
  let k = 0;
  for (const t of terms) {
    const m = nodes.of.get(t.bus);
    for (const node of t.nodes) out[k++] = node === 0 || !m ? -1 : (m.get(node) ?? -1);
  }
  return out;
}

export interface PfOptions {
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/** One nonlinear injection (load or generator), per phase. */
interface Injector {
  readonly kind: 'load' | 'generator';
  readonly name: string;
  readonly idx: Int32Array;
  readonly phases: number;
  readonly conn: Conn;
  readonly nconds: number;
  readonly vbase: number;
  readonly model: number;
  readonly vminpu: number;
  readonly vmaxpu: number;
  readonly vlowpu: number;
  readonly zipv: readonly number[] | null;
  readonly cvrWatts: number;
  readonly cvrVars: number;
  /** Present per-phase W and var (after multipliers). */
  w: number;
  v: number;
  /** Base per-phase var (models 6 and 7 hold it fixed). */
  readonly vNom: number;
  /**
   * The admittance (per phase, S) this injector puts in Y: its nominal Yeq, fixed so that Y is
   * factored once per structure and control state, not per period; the iteration injects the
   * difference between it and the present load current, whatever the period's level.
   */
  readonly yG: number;
  readonly yB: number;
  /** Per phase: the global nodes (−1 = ground) the phase branch runs from and to. */
  ia: Int32Array;
  ib: Int32Array;
}

export interface StampOwner {
  readonly kind: 'vsource' | 'line' | 'transformer' | 'capacitor' | 'shunt';
  readonly name: string;
  readonly stamp: Stamp;
}

/** The compiled system: node numbering, linear stamps, injectors, factor. */
export class UnbalancedSystem {
  readonly net: UNetwork;
  readonly nodes: NodeIndex;
  readonly owners: StampOwner[] = [];
  readonly injectors: Injector[] = [];
  /** Source Norton injections (per node). */
  private srcRe: Float64Array;
  private srcIm: Float64Array;
  private ldl: ComplexLdl | null = null;
  private tripletOwner: Int32Array = new Int32Array(0);
  /** Triplets of linear owner o: tripletStart[o] … tripletStart[o + 1] (they are pushed in owner order). */
  private tripletStart: Int32Array = new Int32Array(0);
  private tripletA: Int32Array = new Int32Array(0);
  private tripletB: Int32Array = new Int32Array(0);
  private tripletDouble: Uint8Array = new Uint8Array(0);
  private valRe: Float64Array = new Float64Array(0);
  private valIm: Float64Array = new Float64Array(0);
  /** Nodes energized from a source (others are held at 0 V and left out of the solve). */
  readonly live: Uint8Array;
  /** Compact index of live nodes (−1 for dead ones). */
  private compact: Int32Array;
  private nLive = 0;
  /** Live nodes: the order of the solved system. */
  get liveNodes(): number {
    return this.nLive;
  }
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** Per node: 1000 × kV base (volts), for convergence in pu. */
  readonly vbase: Float64Array;
  /** Per node: its bus's base (volts line-to-neutral) as `setBases` found it, 0 for none. */
  readonly nodeBaseV: Float64Array;
  private basesVersion = 0;
  /** The `basesVersion` the solve's per-position weights were computed for. */
  private basesSeen = -1;
  private keepRe: Float64Array | null = null;
  private keepIm: Float64Array | null = null;
  /**
   * The iteration's working vectors, in the factor's pivot order and interleaved (re, im), so
   * the triangular solves need no gather or scatter and every pass over them is sequential (set
   * up with the factor's structure):
   * - xV: the present iterate V; xG: the right-hand side, then G(V) in place;
   * - srcX: the sources' Norton injections; invB, invB2: 1/vbase and 1/vbase² per position;
   * - pivNode: the node at each position, piv: each node's position (−1 dead).
   */
  private work: {
    pivNode: Int32Array;
    piv: Int32Array;
    xV: Float64Array;
    xG: Float64Array;
    srcX: Float64Array;
    invB: Float64Array;
    invB2: Float64Array;
  } | null = null;
  /**
   * The injectors' phase branches, flat for the iteration: injector, positions of the two ends
   * (−1: ground or dead), and per injector its present power and the constants of its fast
   * paths (refreshed by `setInjection`).
   */
  private branches: { inj: Int32Array; a: Int32Array; b: Int32Array } | null = null;
  private readonly injW: Float64Array;
  private readonly injQ: Float64Array;
  /** Present Yeq per phase (w/vbase², −var/vbase²). */
  private readonly injG: Float64Array;
  private readonly injB: Float64Array;
  /** Constant-power band, squared volts: (vminpu·vbase)², (vmaxpu·vbase)², and 1/vmaxpu². */
  private readonly injLo2: Float64Array;
  private readonly injHi2: Float64Array;
  private readonly injHiK: Float64Array;
  /** 1: constant power (model 1, generators), 2: constant impedance (model 2), 0: the general path. */
  private readonly injPath: Uint8Array;
  /** The admittance each injector puts in Y (its yG, yB). */
  private readonly injYG: Float64Array;
  private readonly injYB: Float64Array;
  /** The last iteration's change of every node voltage (set when a solve converges). */
  private readonly stepRe: Float64Array;
  private readonly stepIm: Float64Array;
  private injStampStart = 0;
  /**
   * Anderson acceleration history: ΔF and ΔG of the last AA_MEMORY iterations in a ring of
   * slots, stored element-major (value t of slot j at t·AA_MEMORY + j; t = 2c for the real part
   * at pivot position c, 2c + 1 for its imaginary part, as the iterate) so one pass over the
   * nodes reads every slot from one cache line. Slots not in use hold zeros.
   */
  private aa: {
    len: number;
    df: Float64Array;
    dg: Float64Array;
    lastF: Float64Array;
    lastG: Float64Array;
    hasLast: boolean;
    k: number;
    head: number;
    gram: Float64Array;
    rhs: Float64Array;
    /** γ per slot (0 for slots not in use) and the normal equations' workspace. */
    coef: Float64Array;
    sys: Float64Array;
  } | null = null;
  /** False at the start of a solve: the next `accelerate` starts a new history. */
  private aaFresh = false;
  /** Keep the Anderson history from the previous solve (a warm start of the same system). */
  private aaKeep = false;
  /** The history length; `accelerate` is unrolled for exactly 8 slots. */
  static readonly AA_MEMORY = 8;
  private dirty = true;
  /**
   * Work done so far (for benchmarks): factorizations (full or partial) with the rows of L they
   * computed, and fixed-point iterations (each one triangular solve).
   */
  readonly counters = { factorizations: 0, factorRows: 0, iterations: 0 };
  /** The factor leaves the injectors out (`solveNoLoad` on a fresh system): the next assembly adds them. */
  private pendingInjectors = false;
  /** Owners whose stamps changed since the last assembly (null: refill every value). */
  private changed: Set<number> | null = null;

  constructor(net: UNetwork) {
    this.net = net;
    this.nodes = indexNodes(net);
    const n = this.nodes.count;
    this.srcRe = new Float64Array(n);
    this.srcIm = new Float64Array(n);
    this.vRe = new Float64Array(n);
    this.vIm = new Float64Array(n);
    this.vbase = new Float64Array(n);
    this.nodeBaseV = new Float64Array(n);
    this.stepRe = new Float64Array(n);
    this.stepIm = new Float64Array(n);
    this.live = new Uint8Array(n);
    this.compact = new Int32Array(n).fill(-1);
    const omega = 2 * Math.PI * net.frequencyHz;
    const idxOf = (t: Terminal) => terminalsIndex(this.nodes, [t]);
    for (const vs of net.vsources) {
      const { y, ysrc, eRe, eIm } = vsourceYprim(vs);
      const idx = terminalsIndex(this.nodes, [vs.bus1, vs.bus2]);
      this.owners.push({ kind: 'vsource', name: vs.name, stamp: { idx, y } });
      const np = vs.phases;
      for (let i = 0; i < np; i++) {
        let ir = 0,
          ii = 0;
        for (let j = 0; j < np; j++) {
          const yr = ysrc.re[i * np + j],
            yi = ysrc.im[i * np + j];
          ir += yr * eRe[j] - yi * eIm[j];
          ii += yr * eIm[j] + yi * eRe[j];
        }
        if (idx[i] >= 0) {
          this.srcRe[idx[i]] += ir;
          this.srcIm[idx[i]] += ii;
        }
        if (idx[np + i] >= 0) {
          this.srcRe[idx[np + i]] -= ir;
          this.srcIm[idx[np + i]] -= ii;
        }
      }
    }
    for (const l of net.lines) {
      this.owners.push({
        kind: 'line',
        name: l.name,
        stamp: {
          idx: terminalsIndex(this.nodes, [l.bus1, l.bus2]),
          y: lineYprim(l),
        },
      });
    }
    for (const xf of net.transformers) {
      const idx = terminalsIndex(
        this.nodes,
        xf.windings.map((w) => w.bus),
      );
      this.owners.push({ kind: 'transformer', name: xf.name, stamp: { idx, y: transformerYprim(xf) } });
    }
    for (const c of net.capacitors) {
      this.owners.push({
        kind: 'capacitor',
        name: c.name,
        stamp: {
          idx: terminalsIndex(this.nodes, [c.bus1, c.bus2]),
          y: capacitorYprim(c, omega),
        },
      });
    }
    for (const s of net.shunts)
      this.owners.push({ kind: 'shunt', name: s.name, stamp: { idx: idxOf(s.bus), y: shuntYprim(s) } });
    this.injStampStart = this.owners.length;
    const addInjector = (
      kind: 'load' | 'generator',
      e: ULoad | UGenerator,
      model: number,
      extra: Partial<Injector>,
    ) => {
      const idx = idxOf(e.bus);
      const vbase = e.conn === 'wye' && e.phases > 1 ? (e.kv * 1000) / Math.sqrt(3) : e.kv * 1000;
      const nominal = kind === 'load' ? net.loadMult : 0;
      const yG = (nominal * e.kw * 1000) / e.phases / (vbase * vbase);
      const yB = (-nominal * e.kvar * 1000) / e.phases / (vbase * vbase);
      this.injectors.push({
        kind,
        name: e.name,
        idx,
        phases: e.phases,
        conn: e.conn,
        nconds: idx.length,
        vbase,
        model,
        vminpu: 0.95,
        vmaxpu: 1.05,
        vlowpu: 0.5,
        zipv: null,
        cvrWatts: 1,
        cvrVars: 2,
        w: 0,
        v: 0,
        vNom: (e.kvar * 1000) / e.phases,
        yG,
        yB,
        ia: new Int32Array(0),
        ib: new Int32Array(0),
        ...extra,
      });
      const inj = this.injectors[this.injectors.length - 1];
      inj.ia = new Int32Array(inj.phases);
      inj.ib = new Int32Array(inj.phases);
      for (let p = 0; p < inj.phases; p++) {
        const [i, j] = this.branch(inj, p);
        inj.ia[p] = idx[i];
        inj.ib[p] = idx[j];
      }
    };
    for (const l of net.loads)
      addInjector('load', l, l.model, {
        vminpu: l.vminpu,
        vmaxpu: l.vmaxpu,
        vlowpu: l.vlowpu,
        zipv: l.zipv,
        cvrWatts: l.cvrWatts,
        cvrVars: l.cvrVars,
      });
    for (const g of net.generators) addInjector('generator', g, 1, { vminpu: 0.9, vmaxpu: 1.1 });
    const ni = this.injectors.length;
    this.injW = new Float64Array(ni);
    this.injQ = new Float64Array(ni);
    this.injG = new Float64Array(ni);
    this.injB = new Float64Array(ni);
    this.injLo2 = new Float64Array(ni);
    this.injHi2 = new Float64Array(ni);
    this.injHiK = new Float64Array(ni);
    this.injPath = new Uint8Array(ni);
    this.injYG = Float64Array.from(this.injectors, (inj) => inj.yG);
    this.injYB = Float64Array.from(this.injectors, (inj) => inj.yB);
    this.injectors.forEach((inj, k) => {
      this.injLo2[k] = (inj.vminpu * inj.vbase) ** 2;
      this.injHi2[k] = (inj.vmaxpu * inj.vbase) ** 2;
      this.injHiK[k] = 1 / (inj.vmaxpu * inj.vmaxpu);
      this.injPath[k] = inj.model === 1 || inj.kind === 'generator' ? 1 : inj.model === 2 ? 2 : 0;
    });
    this.findLive();
  }

  /** Marks the nodes connected (through any element coupling) to a source node. */
  private findLive(): void {
    const n = this.nodes.count;
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    };
    for (let o = 0; o < this.injStampStart; o++) {
      const { idx, y } = this.owners[o].stamp;
      for (let a = 0; a < idx.length; a++) {
        if (idx[a] < 0) continue;
        for (let b = a + 1; b < idx.length; b++) {
          if (idx[b] < 0) continue;
          if (y.re[a * y.n + b] !== 0 || y.im[a * y.n + b] !== 0) parent[find(idx[a])] = find(idx[b]);
        }
      }
    }
    const roots = new Set<number>();
    for (let i = 0; i < n; i++) if (this.srcRe[i] !== 0 || this.srcIm[i] !== 0) roots.add(find(i));
    this.nLive = 0;
    for (let i = 0; i < n; i++) {
      this.live[i] = roots.has(find(i)) ? 1 : 0;
      this.compact[i] = this.live[i] ? this.nLive++ : -1;
    }
  }

  /** Sets the per-phase power of every injector for a period (multipliers applied by the caller). */
  setInjection(k: number, kwTotal: number, kvarTotal: number): void {
    const inj = this.injectors[k];
    inj.w = (kwTotal * 1000) / inj.phases;
    inj.v = (kvarTotal * 1000) / inj.phases;
    const vb2 = inj.vbase * inj.vbase;
    this.injW[k] = inj.w;
    this.injQ[k] = inj.v;
    this.injG[k] = inj.w / vb2;
    this.injB[k] = -inj.v / vb2;
  }

  private ownerIndex: Map<string, number> | null = null;

  /** Index in `owners` of an element (`kind`, lower-case name), or −1. */
  ownerIndexOf(kind: StampOwner['kind'], name: string): number {
    if (!this.ownerIndex) {
      this.ownerIndex = new Map();
      this.owners.forEach((o, k) => {
        const key = `${o.kind}.${o.name}`;
        if (!this.ownerIndex!.has(key)) this.ownerIndex!.set(key, k);
      });
    }
    return this.ownerIndex.get(`${kind}.${name}`) ?? -1;
  }

  /** An element's stamp owner (`kind`, lower-case name). */
  owner(kind: StampOwner['kind'], name: string): StampOwner | undefined {
    const k = this.ownerIndexOf(kind, name);
    return k >= 0 ? this.owners[k] : undefined;
  }

  /** Rebuilds a transformer's stamp (after a tap change). */
  updateTransformer(xf: UTransformer): void {
    const k = this.ownerIndexOf('transformer', xf.name);
    if (k >= 0) {
      this.owners[k].stamp.y = transformerYprim(xf);
      this.changed?.add(k);
    }
    this.dirty = true;
  }

  updateCapacitor(name: string): void {
    const k = this.ownerIndexOf('capacitor', name);
    const c = this.net.capacitors.find((x) => x.name === name);
    if (k >= 0 && c) {
      this.owners[k].stamp.y = capacitorYprim(c, 2 * Math.PI * this.net.frequencyHz);
      this.changed?.add(k);
    }
    this.dirty = true;
  }

  /** Injector admittance Yeq per phase (G, B) at its present power. */
  private yeq(inj: Injector): [number, number] {
    const vb2 = inj.vbase * inj.vbase;
    return [inj.w / vb2, -inj.v / vb2];
  }

  /** Phase branch p of an injector: conductor pair (local). */
  private branch(inj: Injector, p: number): [number, number] {
    if (inj.conn === 'wye') return [p, inj.nconds - 1];
    let q = p + 1;
    if (q >= inj.nconds) q = 0;
    return [p, q];
  }

  /**
   * Builds (once) and factors Y. `noLoad`: the first factorization leaves the injectors' Yeq out
   * (for `solveNoLoad`); the next assembly puts them in. Returns the zero pivot's original index
   * instead of throwing when `noLoad`.
   */
  private assemble(noLoad = false): number {
    // Triplet list: fixed structure (built once) — linear stamps, then injector Yeq stamps.
    if (!this.ldl) {
      // Two passes over the stamps (count, then fill typed arrays): no growing arrays.
      const compact = this.compact;
      const stampOf = (o: number): Int32Array =>
        o < this.injStampStart ? this.owners[o].stamp.idx : this.injectors[o - this.injStampStart].idx;
      const nOwners = this.injStampStart + this.injectors.length;
      let count = 0;
      for (let o = 0; o < nOwners; o++) {
        const idx = stampOf(o);
        let live = 0;
        for (let a = 0; a < idx.length; a++) if (idx[a] >= 0 && compact[idx[a]] >= 0) live++;
        count += (live * (live + 1)) / 2;
      }
      const owner = new Int32Array(count),
        A = new Int32Array(count),
        B = new Int32Array(count),
        dbl = new Uint8Array(count),
        rows = new Int32Array(count),
        cols = new Int32Array(count);
      const start = new Int32Array(this.injStampStart + 1);
      let t = 0;
      for (let o = 0; o < nOwners; o++) {
        if (o <= this.injStampStart) start[o] = t;
        const idx = stampOf(o);
        const tag = o < this.injStampStart ? o : -1 - (o - this.injStampStart);
        for (let a = 0; a < idx.length; a++) {
          if (idx[a] < 0) continue;
          const ga = compact[idx[a]];
          if (ga < 0) continue;
          for (let b = a; b < idx.length; b++) {
            if (idx[b] < 0) continue;
            const gb = compact[idx[b]];
            if (gb < 0) continue;
            owner[t] = tag;
            A[t] = a;
            B[t] = b;
            dbl[t] = a !== b && ga === gb ? 1 : 0;
            rows[t] = ga;
            cols[t] = gb;
            t++;
          }
        }
      }
      if (nOwners === this.injStampStart) start[this.injStampStart] = t;
      this.tripletStart = start;
      this.tripletOwner = owner;
      this.tripletA = A;
      this.tripletB = B;
      this.tripletDouble = dbl;
      this.valRe = new Float64Array(count);
      this.valIm = new Float64Array(count);
      this.ldl = new ComplexLdl(this.nLive, rows, cols);
      this.setUpWork(this.ldl.permutation);
    }
    // Values: injector stamps never change (their Yeq is fixed at nominal), so after the first
    // assembly only the triplets of elements changed since (taps, capacitor steps) are refilled.
    const all = this.changed === null;
    const withInjectors = all || this.pendingInjectors;
    const injY = !withInjectors
      ? []
      : this.injectors.map((inj) => {
          const g = inj.yG,
            b = inj.yB;
          const m = {
            n: inj.nconds,
            re: new Float64Array(inj.nconds * inj.nconds),
            im: new Float64Array(inj.nconds * inj.nconds),
          } as CMatrix;
          for (let p = 0; p < inj.phases; p++) {
            const [i, j] = this.branch(inj, p);
            m.re[i * m.n + i] += g;
            m.im[i * m.n + i] += b;
            m.re[j * m.n + j] += g;
            m.im[j * m.n + j] += b;
            m.re[i * m.n + j] -= g;
            m.im[i * m.n + j] -= b;
            m.re[j * m.n + i] -= g;
            m.im[j * m.n + i] -= b;
          }
          return m;
        });
    const fill = (t: number) => {
      const o = this.tripletOwner[t];
      const y = o >= 0 ? this.owners[o].stamp.y : injY[-1 - o];
      const k = this.tripletA[t] * y.n + this.tripletB[t];
      const f = this.tripletDouble[t] ? 2 : 1;
      this.valRe[t] = y.re[k] * f;
      this.valIm[t] = y.im[k] * f;
    };
    let bad: number;
    const injStart = this.tripletStart[this.injStampStart];
    if (all) {
      for (let t = 0; t < this.tripletOwner.length; t++) fill(t);
      if (noLoad) {
        this.valRe.fill(0, injStart);
        this.valIm.fill(0, injStart);
      }
      bad = this.ldl.factor(this.valRe, this.valIm);
      this.counters.factorizations++;
      this.counters.factorRows += this.ldl.n;
    } else {
      // Only the changed elements' triplets, and only the rows of the factor they reach.
      const list: number[] = [];
      for (const o of this.changed!)
        for (let t = this.tripletStart[o]; t < this.tripletStart[o + 1]; t++) {
          fill(t);
          list.push(t);
        }
      if (this.pendingInjectors)
        for (let t = injStart; t < this.tripletOwner.length; t++) {
          fill(t);
          list.push(t);
        }
      bad = this.ldl.refactor(this.valRe, this.valIm, list);
      this.counters.factorizations++;
      this.counters.factorRows += this.ldl.lastFactorRows;
    }
    this.pendingInjectors = all && noLoad;
    this.dirty = this.pendingInjectors;
    this.changed = new Set();
    if (bad >= 0 && noLoad) return bad;
    if (bad >= 0) {
      const live = [...this.compact].indexOf(bad);
      throw new Error(
        `the admittance matrix is singular at node ${this.nodes.bus[live]}.${this.nodes.node[live]} (nothing connects it to the rest)`,
      );
    }
    return -1;
  }

  /** The pivot-order working vectors and the flat injector branches (once the factor's order is known). */
  private setUpWork(perm: Int32Array): void {
    const n = this.nodes.count,
      nl = this.nLive;
    const byCompact = new Int32Array(nl);
    for (let i = 0; i < n; i++) if (this.compact[i] >= 0) byCompact[this.compact[i]] = i;
    const pivNode = new Int32Array(nl),
      piv = new Int32Array(n).fill(-1);
    const srcX = new Float64Array(2 * nl);
    for (let k = 0; k < nl; k++) {
      const i = byCompact[perm[k]];
      pivNode[k] = i;
      piv[i] = k;
      srcX[2 * k] = this.srcRe[i];
      srcX[2 * k + 1] = this.srcIm[i];
    }
    this.work = {
      pivNode,
      piv,
      xV: new Float64Array(2 * nl),
      xG: new Float64Array(2 * nl),
      srcX,
      invB: new Float64Array(nl),
      invB2: new Float64Array(nl),
    };
    const inj: number[] = [],
      a: number[] = [],
      b: number[] = [];
    this.injectors.forEach((x, k) => {
      for (let p = 0; p < x.phases; p++) {
        inj.push(k);
        a.push(x.ia[p] >= 0 ? piv[x.ia[p]] : -1);
        b.push(x.ib[p] >= 0 ? piv[x.ib[p]] : -1);
      }
    });
    this.branches = { inj: Int32Array.from(inj), a: Int32Array.from(a), b: Int32Array.from(b) };
  }

  /** Initial voltages: the linear solve with the present Y (loads at their fixed Yeq) and the source injections only. */
  private flatStart(): void {
    const { pivNode, xG, srcX } = this.work!;
    xG.set(srcX);
    this.ldl!.solvePivoted(xG);
    this.vRe.fill(0);
    this.vIm.fill(0);
    for (let k = 0; k < pivNode.length; k++) {
      this.vRe[pivNode[k]] = xG[2 * k];
      this.vIm[pivNode[k]] = xG[2 * k + 1];
    }
  }

  /** Voltage across phase branch p of an injector. */
  private branchV(inj: Injector, p: number): [number, number] {
    const [i, j] = this.branch(inj, p);
    const a = inj.idx[i],
      b = inj.idx[j];
    const ar = a >= 0 ? this.vRe[a] : 0,
      ai = a >= 0 ? this.vIm[a] : 0;
    const br = b >= 0 ? this.vRe[b] : 0,
      bi = b >= 0 ? this.vIm[b] : 0;
    return [ar - br, ai - bi];
  }

  /** Actual branch current of an injector's phase p (flowing from conductor i through the load to j). */
  injectorCurrent(inj: Injector, p: number): [number, number] {
    const [vr, vi] = this.branchV(inj, p);
    return this.injectorCurrentAt(inj, vr, vi);
  }

  /** An injector's phase-branch current at branch voltage (vr, vi). */
  private injectorCurrentAt(inj: Injector, vr: number, vi: number): [number, number] {
    const vmag = Math.hypot(vr, vi);
    const [g, b] = this.yeq(inj);
    const vb = inj.vbase;
    const vlow = inj.vlowpu * vb,
      v95 = inj.vminpu * vb,
      v105 = inj.vmaxpu * vb;
    const mulY = (yr: number, yi: number): [number, number] => [yr * vr - yi * vi, yr * vi + yi * vr];
    if (vmag === 0) return [0, 0];
    // conj(S / V)
    const sOverV = (w: number, q: number): [number, number] => {
      const d = vr * vr + vi * vi;
      return [(w * vr + q * vi) / d, (w * vi - q * vr) / d];
    };
    const model = inj.kind === 'generator' ? 1 : inj.model;
    if (model === 2) return mulY(g, b);
    const y95r = g / (inj.vminpu * inj.vminpu),
      y95i = b / (inj.vminpu * inj.vminpu);
    const y105r = g / (inj.vmaxpu * inj.vmaxpu),
      y105i = b / (inj.vmaxpu * inj.vmaxpu);
    // Interpolation between Vlow and Vmin (OpenDSS): I = ILow + M (|V| − Vlow), as an admittance.
    const interp = (iEndR: number, iEndI: number): [number, number] => {
      const ilr = g * vlow,
        ili = b * vlow;
      const mr = (iEndR - ilr) / (v95 - vlow),
        mi = (iEndI - ili) / (v95 - vlow);
      return mulY((ilr + mr * (vmag - vlow)) / vmag, (ili + mi * (vmag - vlow)) / vmag);
    };
    if (model === 1 || model === 3 || model === 4) {
      if (vmag <= vlow) return mulY(g, b);
      if (vmag <= v95) return interp(y95r * v95, y95i * v95);
      if (vmag > v105) return mulY(y105r, y105i);
      if (model === 1) return sOverV(inj.w, inj.v);
      if (model === 3) {
        const [pr, pi] = sOverV(inj.w, 0);
        const [qr, qi] = mulY(0, b);
        return [pr + qr, pi + qi];
      }
      // Model 4, CVR: P ∝ |V|^CVRwatts, Q ∝ |V|^CVRvars (2: constant-impedance vars), as OpenDSS.
      const vratio = vmag / vb;
      const wf = inj.cvrWatts !== 1 ? Math.pow(vratio, inj.cvrWatts) : vratio;
      const [pr, pi] = wf > 0 ? sOverV(inj.w * wf, 0) : [0, 0];
      let qr: number, qi: number;
      if (inj.cvrVars === 2) [qr, qi] = mulY(0, b);
      else [qr, qi] = sOverV(0, inj.v * Math.pow(vratio, inj.cvrVars));
      return [pr + qr, pi + qi];
    }
    if (model === 6 || model === 7) {
      // Constant P with fixed Q (6: always the base kvar; 7: the base kvar as a fixed reactance).
      const yq = -inj.vNom / (vb * vb);
      if (vmag <= vlow) return mulY(g, b);
      if (vmag <= v95) return mulY(y95r, yq);
      if (vmag > v105) return mulY(y105r, yq);
      if (model === 6) return sOverV(inj.w, inj.vNom);
      const [pr, pi] = sOverV(inj.w, 0);
      const [qr, qi] = mulY(0, yq);
      return [pr + qr, pi + qi];
    }
    if (model === 5) {
      if (vmag <= vlow) return mulY(g, b);
      if (vmag <= v95) return interp(g * vb, b * vb);
      if (vmag > v105) return mulY(g / inj.vmaxpu, b / inj.vmaxpu);
      const [ur, ui] = [vr / vmag, vi / vmag];
      // conj(S / (V/|V| · Vbase))
      return [(inj.w * ur + inj.v * ui) / vb, (inj.w * ui - inj.v * ur) / vb];
    }
    if (model === 8 && inj.zipv) {
      const z = inj.zipv;
      if (vmag <= vlow) return mulY(g, b);
      let cr = 0,
        ci = 0;
      const addY = (yr: number, yi: number) => {
        const [a, c] = mulY(yr, yi);
        cr += a;
        ci += c;
      };
      if (vmag <= v95 || vmag > v105) {
        addY(g * z[0], b * z[3]);
        if (vmag <= v95) {
          const ilr = g * vlow,
            ili = b * vlow;
          const m95r = (y95r * v95 - ilr) / (v95 - vlow),
            m95i = (y95i * v95 - ili) / (v95 - vlow);
          const m95Ir = (g * vb - ilr) / (v95 - vlow),
            m95Ii = (b * vb - ili) / (v95 - vlow);
          addY(((ilr + m95r * (vmag - vlow)) / vmag) * z[2], ((ili + m95i * (vmag - vlow)) / vmag) * z[5]);
          addY(((ilr + m95Ir * (vmag - vlow)) / vmag) * z[1], ((ili + m95Ii * (vmag - vlow)) / vmag) * z[4]);
        } else {
          addY(y105r * z[2], y105i * z[5]);
          addY((g / inj.vmaxpu) * z[1], (b / inj.vmaxpu) * z[4]);
        }
      } else {
        addY(g * z[0], b * z[3]);
        const [ur, ui] = [vr / vmag, vi / vmag];
        cr += (inj.w * z[1] * ur + inj.v * z[4] * ui) / vb;
        ci += (inj.w * z[1] * ui - inj.v * z[4] * ur) / vb;
        const [pr, pi] = sOverV(inj.w * z[2], inj.v * z[5]);
        cr += pr;
        ci += pi;
      }
      if (z[6] > 0) {
        const vx = 500 * (vmag / vb - z[6]);
        if (vx < 20) {
          const e = Math.exp(2 * vx);
          const yv = 0.5 * (1 + (e - 1) / (e + 1));
          cr *= yv;
          ci *= yv;
        }
      }
      return [cr, ci];
    }
    return sOverV(inj.w, inj.v);
  }

  /**
   * Solves the present state. Returns the iteration count, or −1 when it did not converge.
   * `warm`: start from the present voltages (a previous period or control step).
   * `accept`: once the iteration's change is below `accept.below` (pu), each iterate is offered to
   * `accept.test()` (with the voltages set and the last step recorded, as at convergence); the
   * solve stops there when it says yes (the caller has what it needed), else goes on to `tolerance`.
   */
  solve(
    options: PfOptions = {},
    warm = false,
    accept?: { readonly below: number; readonly test: () => boolean },
  ): number {
    const tol = options.tolerance ?? 1e-11;
    const maxIt = options.maxIterations ?? 200;
    if (this.dirty || !this.ldl) this.assemble();
    if (!warm) this.flatStart();
    this.aaFresh = false;
    this.aaKeep = warm;
    let lastChange = Infinity;
    const n = this.nodes.count;
    const { pivNode, xV, xG, srcX, invB, invB2 } = this.work!;
    const nl = pivNode.length;
    const vRe = this.vRe,
      vIm = this.vIm;
    if (this.basesSeen !== this.basesVersion) {
      // Per position 1/vbase (the Anderson weights) and 1/vbase² (the test), once per set of bases.
      for (let i = 0; i < n; i++) this.vbase[i] ||= 1;
      for (let c = 0; c < nl; c++) {
        const vb = this.vbase[pivNode[c]];
        invB[c] = 1 / vb;
        invB2[c] = 1 / (vb * vb);
      }
      this.basesSeen = this.basesVersion;
    }
    // The iterate in pivot order.
    for (let c = 0; c < nl; c++) {
      const i = pivNode[c];
      xV[2 * c] = vRe[i];
      xV[2 * c + 1] = vIm[i];
    }
    const { inj: bInj, a: bA, b: bB } = this.branches!;
    const nb = bInj.length;
    const { injW, injQ, injG, injB, injLo2, injHi2, injHiK, injPath, injYG, injYB } = this;
    for (let it = 1; it <= maxIt; it++) {
      xG.set(srcX);
      for (let q = 0; q < nb; q++) {
        const k = bInj[q],
          a = bA[q],
          b = bB[q];
        const vr = (a >= 0 ? xV[2 * a] : 0) - (b >= 0 ? xV[2 * b] : 0);
        const vi = (a >= 0 ? xV[2 * a + 1] : 0) - (b >= 0 ? xV[2 * b + 1] : 0);
        let ir: number, ii: number;
        const vm2 = vr * vr + vi * vi;
        const path = injPath[k];
        if (path === 1 && vm2 > injLo2[k] && vm2 <= injHi2[k]) {
          // Constant power inside [Vmin, Vmax]: conj(S / V).
          ir = (injW[k] * vr + injQ[k] * vi) / vm2;
          ii = (injW[k] * vi - injQ[k] * vr) / vm2;
        } else if (path === 1 && vm2 > injHi2[k]) {
          // Above Vmax: the constant impedance it has at Vmax (as injectorCurrent, inlined: frequent on light-load secondaries).
          const h = injHiK[k];
          ir = h * (injG[k] * vr - injB[k] * vi);
          ii = h * (injG[k] * vi + injB[k] * vr);
        } else if (path === 2) {
          ir = injG[k] * vr - injB[k] * vi;
          ii = injG[k] * vi + injB[k] * vr;
        } else {
          [ir, ii] = this.injectorCurrentAt(this.injectors[k], vr, vi);
        }
        // compensation: (the Y matrix's admittance)·V − I(V), entering conductor a, leaving b.
        const yg = injYG[k],
          yb = injYB[k];
        const cr = yg * vr - yb * vi - ir;
        const ci = yg * vi + yb * vr - ii;
        if (a >= 0) {
          xG[2 * a] += cr;
          xG[2 * a + 1] += ci;
        }
        if (b >= 0) {
          xG[2 * b] -= cr;
          xG[2 * b + 1] -= ci;
        }
      }
      this.ldl!.solvePivoted(xG);
      this.counters.iterations++;
      // xG = G(V): the plain fixed-point image. Converged when |G(V) − V| < tol (pu) everywhere.
      let change = 0;
      for (let c = 0; c < nl; c++) {
        const dr = xG[2 * c] - xV[2 * c],
          di = xG[2 * c + 1] - xV[2 * c + 1];
        const d = (dr * dr + di * di) * invB2[c];
        if (d > change) change = d;
      }
      const early = accept !== undefined && change < accept.below * accept.below;
      if (change < tol * tol || early) {
        // V ← G(V), the step recorded, in node order (what callers and the controls read).
        const sr = this.stepRe,
          si = this.stepIm;
        for (let c = 0; c < nl; c++) {
          const i = pivNode[c];
          sr[i] = xG[2 * c] - xV[2 * c];
          si[i] = xG[2 * c + 1] - xV[2 * c + 1];
          vRe[i] = xG[2 * c];
          vIm[i] = xG[2 * c + 1];
        }
        if (change < tol * tol || accept!.test()) return it;
        // Not accepted: back to the iterate G was evaluated at, and on.
        this.syncNodes();
      }
      // Safeguard: a residual that more than doubles drops the (possibly stale) history.
      if (change > 4 * lastChange && this.aa) this.dropHistory();
      lastChange = change;
      this.accelerate(xG);
    }
    this.syncNodes();
    return -1;
  }

  /**
   * The no-load solution for CalcVoltageBases: Y without the injectors' admittances, the sources
   * only — the fixed point the iteration reaches with every load at zero, (Y − Yeq) V = I_src,
   * here by one factorization and one solve instead of iterating the loads' compensation
   * currents down to it (11 iterations to 1e-4 pu on the 8500-node feeder). The next solve
   * puts the injectors back. False (nothing solved) when that matrix is singular: a node that
   * only a load ties to the rest.
   */
  solveNoLoad(): boolean {
    let ok: boolean;
    if (!this.ldl) {
      // A fresh system: its first factorization is the no-load one; the next assembly adds the
      // injectors (two factorizations in all).
      ok = this.assemble(true) < 0;
    } else {
      if (this.dirty) this.assemble();
      const first = this.tripletStart[this.injStampStart];
      this.valRe.fill(0, first);
      this.valIm.fill(0, first);
      ok = this.ldl.factor(this.valRe, this.valIm) < 0;
      this.counters.factorizations++;
      this.counters.factorRows += this.ldl.n;
      // The injectors go back in at the next assembly.
      this.pendingInjectors = true;
      this.dirty = true;
    }
    if (ok) {
      const { pivNode, xG, srcX } = this.work!;
      xG.set(srcX);
      this.ldl!.solvePivoted(xG);
      this.vRe.fill(0);
      this.vIm.fill(0);
      for (let k = 0; k < pivNode.length; k++) {
        this.vRe[pivNode[k]] = xG[2 * k];
        this.vIm[pivNode[k]] = xG[2 * k + 1];
      }
    }
    return ok;
  }

  /** Node voltages ← the iterate (pivot order). */
  private syncNodes(): void {
    const { pivNode, xV } = this.work!;
    for (let c = 0; c < pivNode.length; c++) {
      this.vRe[pivNode[c]] = xV[2 * c];
      this.vIm[pivNode[c]] = xV[2 * c + 1];
    }
  }

  /**
   * Anderson acceleration (type II, memory AA_MEMORY = 8) of the fixed point V = G(V): the next
   * iterate is G(V) minus the combination of recent G-differences that best cancels the present
   * residual f = G(V) − V in least squares (scaled per node by its voltage base). It leaves the
   * fixed point unchanged (the stopping test above is on the plain residual) and cuts the
   * iterations on weak secondaries where the plain map contracts slowly (ρ ≈ 0.4–0.6); with an
   * ill-conditioned history it restarts from the plain step, and a residual that more than
   * doubles drops the history.
   *
   * A warm solve (the next control round or period of the same system) keeps the history: the
   * slow modes are the loads on the weak secondaries, which a tap change or a new load level
   * barely moves, so the secant pairs stay informative (8500-node feeder, 24 h with controls:
   * 1011 iterations with memory 3 and a fresh history per solve, 726 with this).
   *
   * Cost: the history lives in a preallocated ring (no allocation per iteration), the Gram matrix
   * ΔFᵀΔF gains one row per iteration and its right-hand sides ΔFᵀf follow from f = f_old + ΔF.
   * A step is two passes over the nodes: the new differences with their Gram row (all eight dot
   * products at once), then the combination. The history is element-major, so each pass reads
   * it once, in order — a third of the memory traffic of one array per slot, which made this
   * the costliest part of an iteration on the 8500-node feeder.
   */
  private accelerate(g: Float64Array): void {
    const nl = this.nLive;
    const m = UnbalancedSystem.AA_MEMORY;
    const len = 2 * nl;
    let a = this.aa;
    if (!a || a.len !== len) {
      a = this.aa = {
        len,
        df: new Float64Array(len * m),
        dg: new Float64Array(len * m),
        lastF: new Float64Array(len),
        lastG: new Float64Array(len),
        hasLast: false,
        k: 0,
        head: 0,
        gram: new Float64Array(m * m),
        rhs: new Float64Array(m),
        coef: new Float64Array(m),
        sys: new Float64Array(m * (m + 1)),
      };
    }
    if (!this.aaFresh) {
      // New solve: no last pair (a kept history stays).
      a.hasLast = false;
      if (!this.aaKeep) this.dropHistory();
      this.aaFresh = true;
    }
    const { lastF, lastG, gram, rhs, df, dg } = a;
    // Residuals in pu: weight 1/vbase per position.
    const { xV: x, invB: w } = this.work!;
    if (a.hasLast) {
      // New slot: ΔF = f − lastF, ΔG = g − lastG; then lastF/lastG ← f, g. In the same pass, the
      // new slot's Gram row (ΔF_jᵀ ΔF_new for every slot; unused slots are zero) and ΔF_newᵀ f_old.
      const slot = a.k < m ? (a.head + a.k) % m : a.head;
      if (a.k < m) a.k++;
      else a.head = (a.head + 1) % m;
      let dfOld = 0;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0;
      for (let c = 0; c < nl; c++) {
        const wc = w[c];
        const t = 2 * c;
        const gr = g[t],
          gi = g[t + 1];
        const fr = (gr - x[t]) * wc,
          fi = (gi - x[t + 1]) * wc;
        const dr = fr - lastF[t],
          di = fi - lastF[t + 1];
        dfOld += dr * lastF[t] + di * lastF[t + 1];
        lastF[t] = fr;
        lastF[t + 1] = fi;
        const br = t * m,
          bi = br + m;
        df[br + slot] = dr;
        df[bi + slot] = di;
        dg[br + slot] = gr - lastG[t];
        dg[bi + slot] = gi - lastG[t + 1];
        lastG[t] = gr;
        lastG[t + 1] = gi;
        s0 += df[br] * dr + df[bi] * di;
        s1 += df[br + 1] * dr + df[bi + 1] * di;
        s2 += df[br + 2] * dr + df[bi + 2] * di;
        s3 += df[br + 3] * dr + df[bi + 3] * di;
        s4 += df[br + 4] * dr + df[bi + 4] * di;
        s5 += df[br + 5] * dr + df[bi + 5] * di;
        s6 += df[br + 6] * dr + df[bi + 6] * di;
        s7 += df[br + 7] * dr + df[bi + 7] * di;
      }
      const row = [s0, s1, s2, s3, s4, s5, s6, s7];
      // The right-hand sides ΔF_jᵀ f follow from f = f_old + ΔF_new: ΔF_jᵀ f_old + ΔF_jᵀ ΔF_new.
      for (let j = 0; j < a.k; j++) {
        const sk = (a.head + j) % m;
        gram[sk * m + slot] = gram[slot * m + sk] = row[sk];
        if (sk !== slot) rhs[sk] += row[sk];
      }
      rhs[slot] = dfOld + gram[slot * m + slot];
    } else {
      // A history kept from the previous solve: its right-hand sides against the present f.
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0;
      for (let c = 0; c < nl; c++) {
        const wc = w[c],
          t = 2 * c;
        const fr = (g[t] - x[t]) * wc,
          fi = (g[t + 1] - x[t + 1]) * wc;
        lastF[t] = fr;
        lastF[t + 1] = fi;
        lastG[t] = g[t];
        lastG[t + 1] = g[t + 1];
        const br = t * m,
          bi = br + m;
        s0 += df[br] * fr + df[bi] * fi;
        s1 += df[br + 1] * fr + df[bi + 1] * fi;
        s2 += df[br + 2] * fr + df[bi + 2] * fi;
        s3 += df[br + 3] * fr + df[bi + 3] * fi;
        s4 += df[br + 4] * fr + df[bi + 4] * fi;
        s5 += df[br + 5] * fr + df[bi + 5] * fi;
        s6 += df[br + 6] * fr + df[bi + 6] * fi;
        s7 += df[br + 7] * fr + df[bi + 7] * fi;
      }
      const row = [s0, s1, s2, s3, s4, s5, s6, s7];
      for (let j = 0; j < a.k; j++) {
        const sj = (a.head + j) % m;
        rhs[sj] = row[sj];
      }
      a.hasLast = true;
    }
    const k = a.k;
    const coef = a.coef;
    coef.fill(0);
    let ok = k > 0;
    if (ok) {
      // Normal equations (ΔFᵀΔF) γ = ΔFᵀ f, k ≤ memory, by Gaussian elimination with a conditioning check.
      const M = a.sys,
        wd = k + 1;
      let scale = 0;
      for (let i = 0; i < k; i++) {
        const si = (a.head + i) % m;
        for (let j = 0; j < k; j++) M[i * wd + j] = gram[si * m + ((a.head + j) % m)];
        M[i * wd + k] = rhs[si];
        scale = Math.max(scale, M[i * wd + i]);
      }
      ok = scale > 0;
      for (let c = 0; c < k && ok; c++) {
        if (!(Math.abs(M[c * wd + c]) > 1e-12 * scale)) {
          ok = false;
          break;
        }
        for (let r = c + 1; r < k; r++) {
          const fct = M[r * wd + c] / M[c * wd + c];
          for (let t = c; t <= k; t++) M[r * wd + t] -= fct * M[c * wd + t];
        }
      }
      if (ok) {
        for (let r = k - 1; r >= 0; r--) {
          let s = M[r * wd + k];
          for (let t = r + 1; t < k; t++) s -= M[r * wd + t] * coef[(a.head + t) % m];
          const gam = s / M[r * wd + r];
          if (!(Number.isFinite(gam) && Math.abs(gam) < 1e3)) {
            ok = false;
            break;
          }
          coef[(a.head + r) % m] = gam;
        }
      }
      if (!ok) {
        coef.fill(0);
        this.dropHistory();
      }
    }
    if (!ok) {
      x.set(g);
      return;
    }
    // next = g − Σ γ_j ΔG_j (γ = 0 on unused slots, whose ΔG are zero), into the iterate.
    const [g0, g1, g2, g3, g4, g5, g6, g7] = coef;
    for (let t = 0; t < len; t++) {
      const br = t * m;
      x[t] =
        g[t] -
        (g0 * dg[br] +
          g1 * dg[br + 1] +
          g2 * dg[br + 2] +
          g3 * dg[br + 3] +
          g4 * dg[br + 4] +
          g5 * dg[br + 5] +
          g6 * dg[br + 6] +
          g7 * dg[br + 7]);
    }
  }

  /** Empties the Anderson history (its slots back to zero). */
  private dropHistory(): void {
    const a = this.aa;
    if (!a) return;
    if (a.k > 0) {
      a.df.fill(0);
      a.dg.fill(0);
    }
    a.k = 0;
    a.head = 0;
  }

  /**
   * Runs `fn` with every node voltage moved by `scale` × the last iteration's change (the
   * converged solve's final step), then restores them: what a quantity would be if the solution
   * were off by that much along the direction the iteration was still moving. `nodes`: only
   * those nodes are moved (all that `fn` reads), for a caller that knows them.
   */
  withPerturbation<T>(scale: number, fn: () => T, nodes?: Int32Array): T {
    const { vRe, vIm, stepRe, stepIm } = this;
    if (nodes) {
      const n = nodes.length;
      const keepRe = new Float64Array(n),
        keepIm = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const i = nodes[k];
        keepRe[k] = vRe[i];
        keepIm[k] = vIm[i];
        vRe[i] += scale * stepRe[i];
        vIm[i] += scale * stepIm[i];
      }
      try {
        return fn();
      } finally {
        for (let k = 0; k < n; k++) {
          vRe[nodes[k]] = keepRe[k];
          vIm[nodes[k]] = keepIm[k];
        }
      }
    }
    const n = this.nodes.count;
    const keepRe = (this.keepRe ??= new Float64Array(n)),
      keepIm = (this.keepIm ??= new Float64Array(n));
    keepRe.set(vRe);
    keepIm.set(vIm);
    for (let i = 0; i < n; i++) {
      vRe[i] += scale * stepRe[i];
      vIm[i] += scale * stepIm[i];
    }
    try {
      return fn();
    } finally {
      vRe.set(keepRe);
      vIm.set(keepIm);
    }
  }

  /** Terminal currents of a linear element (Yprim · V), per local conductor, amperes (into the element). */
  elementCurrents(o: StampOwner): { re: Float64Array; im: Float64Array } {
    const { idx, y } = o.stamp;
    const re = new Float64Array(idx.length),
      im = new Float64Array(idx.length);
    for (let a = 0; a < idx.length; a++) {
      let sr = 0,
        si = 0;
      for (let b = 0; b < idx.length; b++) {
        const g = idx[b];
        if (g < 0) continue;
        const yr = y.re[a * y.n + b],
          yi = y.im[a * y.n + b];
        sr += yr * this.vRe[g] - yi * this.vIm[g];
        si += yr * this.vIm[g] + yi * this.vRe[g];
      }
      re[a] = sr;
      im[a] = si;
    }
    return { re, im };
  }

  /** Σ V·conj(I) over an element's conductors (W, var): its losses (or, for a source, minus its output + internal). */
  elementPower(o: StampOwner, conductors?: readonly number[]): [number, number] {
    if (!conductors) {
      // Σ V·conj(Y V) without temporaries (called for every element every period).
      const { idx, y } = o.stamp;
      const vRe = this.vRe,
        vIm = this.vIm;
      let p = 0,
        q = 0;
      for (let a = 0; a < idx.length; a++) {
        const ga = idx[a];
        if (ga < 0) continue;
        let ir = 0,
          ii = 0;
        for (let b = 0; b < idx.length; b++) {
          const gb = idx[b];
          if (gb < 0) continue;
          const yr = y.re[a * y.n + b],
            yi = y.im[a * y.n + b];
          ir += yr * vRe[gb] - yi * vIm[gb];
          ii += yr * vIm[gb] + yi * vRe[gb];
        }
        p += vRe[ga] * ir + vIm[ga] * ii;
        q += vIm[ga] * ir - vRe[ga] * ii;
      }
      return [p, q];
    }
    const { re, im } = this.elementCurrents(o);
    let p = 0,
      q = 0;
    const list = conductors ?? [...o.stamp.idx.keys()];
    for (const a of list) {
      const g = o.stamp.idx[a];
      if (g < 0) continue;
      p += this.vRe[g] * re[a] + this.vIm[g] * im[a];
      q += this.vIm[g] * re[a] - this.vRe[g] * im[a];
    }
    return [p, q];
  }

  /**
   * Sets per-bus voltage bases used for convergence tests (volts line-to-neutral; 1 where a bus
   * has none) and `nodeBaseV` (0 where none). The solve reads `vbase` again only after this.
   */
  setBases(): void {
    for (let i = 0; i < this.nodes.count; i++) {
      const b = this.net.buses.get(this.nodes.bus[i]);
      const base = b && b.kvBaseLN > 0 ? b.kvBaseLN * 1000 : 0;
      this.nodeBaseV[i] = base;
      this.vbase[i] = base > 0 ? base : 1;
    }
    this.basesVersion++;
  }

  /** Voltage of a node as [re, im] (0 for ground). */
  v(bus: string, node: number): [number, number] {
    if (node === 0) return [0, 0];
    const i = this.nodes.of.get(bus)?.get(node);
    return i === undefined ? [0, 0] : [this.vRe[i], this.vIm[i]];
  }
}

/**
 * OpenDSS's CalcVoltageBases: solve with no loads, then give each bus the `Set VoltageBases`
 * value (line-to-line kV) nearest in ratio (|1 − kV/base| smallest, the first listed on a tie) to
 * √3 × the voltage of the bus's first-referenced node (`refNode`, else its lowest); the bus base
 * is that / √3. A bus whose node is dead (0 V) keeps base 0.
 */
export function calcVoltageBases(net: UNetwork, system?: UnbalancedSystem): void {
  const bases = net.voltageBasesKv;
  const sys = system ?? new UnbalancedSystem(net);
  for (let k = 0; k < sys.injectors.length; k++) sys.setInjection(k, 0, 0);
  // Exact, else (a node only a load ties to the rest) iterated to 1e-4 pu: the bases of a list
  // are a factor ≥ 2 apart, so the choice needs a few digits only.
  if (!sys.solveNoLoad()) sys.solve({ maxIterations: 100, tolerance: 1e-4 });
  for (const b of net.buses.values()) {
    if (b.nodes.length === 0) continue;
    const [vr, vi] = sys.v(b.name, b.refNode ?? b.nodes[0]);
    const kvll = (Math.hypot(vr, vi) * Math.sqrt(3)) / 1000;
    b.kvBaseLN = nearestBaseKv(bases, kvll) / Math.sqrt(3);
  }
}

/** The `Set VoltageBases` value nearest in ratio to `kvll` (OpenDSS's NearestBasekV); `kvll` itself without a list, 0 for 0. */
export function nearestBaseKv(bases: readonly number[], kvll: number): number {
  if (bases.length === 0 || kvll === 0) return kvll;
  let best = bases[0];
  let bestDiff = Infinity;
  for (const v of bases) {
    if (!(v > 0)) continue;
    const d = Math.abs(1 - kvll / v);
    if (d < bestDiff) {
      bestDiff = d;
      best = v;
    }
  }
  return best;
}

/** Multiplier of a shape at an hour (OpenDSS: interval shapes repeat; hour shapes interpolate). */
export function shapeMultiplier(shape: ULoadShape, hour: number): { p: number; q: number | null } {
  const n = shape.mult.length;
  if (n === 0) return { p: 1, q: null };
  if (shape.intervalHours > 0) {
    // OpenDSS: point index round(h / Δ), wrapping, index 0 meaning the last point (1-based).
    let k = Math.round(hour / shape.intervalHours) % n;
    if (k < 0) k += n;
    const i = k === 0 ? n - 1 : k - 1;
    return { p: shape.mult[i], q: shape.qmult ? (shape.qmult[i] ?? null) : null };
  }
  const hours = shape.hours ?? [];
  const last = hours[hours.length - 1] ?? 1;
  let h = hour % last;
  if (h < 0) h += last;
  for (let k = 0; k < hours.length; k++) if (hours[k] >= h) return { p: shape.mult[k], q: shape.qmult?.[k] ?? null };
  return { p: shape.mult[n - 1], q: shape.qmult?.[n - 1] ?? null };
}
