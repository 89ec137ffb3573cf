/**
 * The per-unit data of one three-phase OPF model (docs/spec/unbalanced-opf.md, "Per unit" and
 * "Sets and data"): nodes, the nodal admittance Y of the linear elements, the source nodes'
 * voltages, loads per phase and connection, PV and battery units with their phases. Built from a
 * balanced single-phase network (balanced.ts) or from the multi-phase network model; the
 * equations live in model.ts.
 *
 * Node indices: 0..nFree−1 are free nodes (the unknowns e, f), nFree..nFree+nSlack−1 source
 * nodes with given voltages; −1 is ground.
 */
import type { ResolvedStudy } from '../opf/study';

export interface Opf3Terminal {
  /** Node the device current J leaves (never ground). */
  readonly a: number;
  /** Node it returns to (−1 = ground). */
  readonly b: number;
  /** Vb_b / Vb_a (1 inside a bus). */
  readonly rho: number;
}

export interface Opf3Load extends Opf3Terminal {
  readonly name: string;
  /** Nominal consumption at rated voltage, per period, per unit (this phase / element). */
  readonly pPu: Float64Array;
  readonly qPu: Float64Array;
  /** Rated voltage across the element, pu of node a's base. */
  readonly vnPu: number;
  /** Fractions of constant Z, I, P for active, then reactive power (sum 1 each). */
  readonly zip: readonly [number, number, number, number, number, number];
  /**
   * OpenDSS's voltage regions of the element (spec (U5b), (U5c)); absent: its `zip` model always
   * (a constant impedance, or a network not built from an OpenDSS model).
   */
  readonly region?: Opf3LoadRegion;
}

/** Per period, how an element's OpenDSS voltage region is modelled (Opf3LoadRegion.mode). */
export const REGION_OWN = 0;
/** Decided inside the solve by (U5c): the element's power scales by 1 + s, s ≥ max(0, |V_ab|²/Vz² − 1). */
export const REGION_FREE = 1;
/** Held in its own (normal) region by (U5b) |V_ab| ≤ Vz. */
export const REGION_HOLD_OWN = 2;
/** Held in the constant-impedance region by (U5b) |V_ab| ≥ Vz: a constant Z of its power at Vz. */
export const REGION_HOLD_Z = 3;

/**
 * OpenDSS switches a load (and a script's PVSystem/Storage/Generator, as a negative load) to
 * the constant impedance it has at Vmaxpu when |V| > Vmaxpu, and leaves its model below Vminpu
 * (docs/spec/unbalanced-opf.md (U5b), (U5c)).
 */
export interface Opf3LoadRegion {
  /** The element's Vmaxpu (pu of its rated voltage). */
  readonly vmaxpu: number;
  /** Vmaxpu × rated voltage, pu of node a's base: |V_ab| above it is the constant-Z region. */
  readonly vZPu: number;
  /**
   * Vminpu × rated voltage (pu of node a's base) when the voltage limits (U6) do not already keep
   * |V_ab| above it: then (U5d) |V_ab| ≥ vLowPu holds the element out of OpenDSS's low-voltage
   * region, which the OPF does not model. null when (U6) implies it.
   */
  readonly vLowPu: number | null;
  /**
   * Upper bound of the (U5c) variable s: (largest |V_ab| the limits (U6) allow / vZPu)² − 1, or 1
   * where no limit bounds |V_ab| (then (U5c) also caps |V_ab| at √2·vZPu).
   */
  readonly sMax: number;
  /** Per period: REGION_OWN (|V_ab| cannot exceed vZPu under (U6)), _FREE, _HOLD_OWN or _HOLD_Z. */
  readonly mode: Uint8Array;
}

export interface Opf3Pv {
  readonly name: string;
  readonly phases: readonly Opf3Terminal[];
  /** Forecast active output per period (unit total, pu). */
  readonly pPu: Float64Array;
  /** Inverter rating (unit total, pu). */
  readonly sPu: number;
}

export interface Opf3Battery {
  readonly name: string;
  readonly phases: readonly Opf3Terminal[];
  /** Unit totals, pu (energy pu·h). */
  readonly pPu: number;
  readonly sPu: number;
  readonly ePuH: number;
  readonly etaC: number;
  readonly etaD: number;
  readonly socMin: number;
  readonly socMax: number;
  readonly b0PuH: number;
}

/**
 * A series element (line or switch) kept as its own branch currents: (U1b) V_from − V_to = Z I,
 * so a near-zero impedance (a switch) stays a well-scaled row instead of a huge admittance.
 * Its shunt admittance, if any, is in Y.
 */
export interface Opf3Series {
  readonly name: string;
  /** Nodes per conductor at each end (−1 = ground). */
  readonly from: readonly number[];
  readonly to: readonly number[];
  /** Series impedance, pu, n×n row-major. */
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
  /**
   * A Vsource's Thevenin impedance between its EMF (source nodes) and its terminal (U7''): not a
   * network loss (left out of the loss objective and of the losses), and the substation power is
   * taken at the terminal (the EMF's power less Re(I^H Z I)).
   */
  readonly source?: boolean;
}

export interface Opf3Network {
  readonly name: string;
  readonly baseKva: number;
  readonly study: ResolvedStudy;
  readonly periods: number;
  readonly hourOfPeriod: Float64Array;
  readonly priceUsdPerKwh: Float64Array;
  readonly nFree: number;
  readonly nSlack: number;
  /** Bus and node (1..3 = phases a..c) of every node, free then source. */
  readonly nodeBus: readonly string[];
  readonly nodePhase: readonly number[];
  /** Voltage base of every node, V line-to-neutral (1 for a network already per unit). */
  readonly nodeVBase: Float64Array;
  /** 1 where the per-phase voltage limits (U6) apply (phase nodes with a base). */
  readonly limited: Uint8Array;
  /** Source node voltages per period: slackRe[t·nSlack + s]. */
  readonly slackRe: Float64Array;
  readonly slackIm: Float64Array;
  /** Nodal admittance triplets (pu; duplicates add), over all nodes. */
  readonly yRow: Int32Array;
  readonly yCol: Int32Array;
  readonly yG: Float64Array;
  readonly yB: Float64Array;
  /** 1 where the entry belongs to the loss admittance Y_net of (U15) (not the source impedance). */
  readonly yLoss: Uint8Array;
  /**
   * Norton sources (a Vsource behind its impedance, the impedance in Y with ySource = 1):
   * constant current injected into each free node (pu), or null. The substation power is then
   * (U7') P_sub = Σ_i Re(V_i conj(I_src,i − Σ_j Ysrc_ij V_j)), the power at the source's terminal.
   */
  readonly srcRe: Float64Array | null;
  readonly srcIm: Float64Array | null;
  readonly ySource: Uint8Array;
  readonly series: readonly Opf3Series[];
  readonly loads: readonly Opf3Load[];
  readonly pv: readonly Opf3Pv[];
  readonly batteries: readonly Opf3Battery[];
  /** Start voltages per period (pu): v0Re[t·nFree + i]. */
  readonly v0Re: Float64Array;
  readonly v0Im: Float64Array;
  /** Limits (U6c)–(U6e) (limits.ts); none on networks not built from a multi-phase model. */
  readonly limits?: Opf3Limits;
  /**
   * The element each Y triplet was stamped by (one id per YTriplets.stamp call or lone add): what
   * splitting the network into ENApp areas needs to give a boundary bus's diagonal block to the
   * side its elements are on (enapp/opf3-split.ts).
   */
  readonly yGroup?: Int32Array;
  /** ENApp area hooks (docs/spec/mpopf-formulation.md "Three-phase feeders"); absent on a whole feeder. */
  readonly area?: Opf3AreaHooks;
}

/**
 * What makes a three-phase network one area of a distributed (ENApp) solve — model.ts reads these,
 * all optional and additive (docs/spec/mpopf-formulation.md "Three-phase feeders: per-phase
 * boundary values"). Per-period arrays are indexed [t·k + j] for the j-th of k entries.
 */
export interface Opf3AreaHooks {
  /**
   * Child area: its source nodes (the boundary bus's nodes, slackRe/slackIm given by the parent)
   * are variables pinned by equality rows to the given values, so the rows' multipliers are the
   * derivative of the area's Lagrangian with respect to the given source voltage (ix.pinRow).
   */
  readonly pinSources?: boolean;
  /**
   * Child area with pinSources: when > 0 the pins are elastic — each part of a source voltage may
   * leave its given value by σ⁺ − σ⁻ (σ± ≥ 0) at this objective weight per pu (an ℓ1 penalty), so
   * the area is feasible at any given voltage; the pin rows' multipliers still price the source
   * voltage (|λ| ≤ weight), and the slack is zero wherever the price is below the weight.
   */
  readonly pinSlackWeight?: number;
  /**
   * Child area, exact coordination: the objective prices the power leaving each source node into
   * the area, Σ_t Σ_s (πP P_s + πQ Q_s) with P_s + j Q_s = V_s conj(I_s), [t·nSlack + s], in place
   * of (U7)'s energy price (πP = price, πQ = 0); also with the loss objective.
   */
  readonly sourcePowerPrice?: { readonly p: Float64Array; readonly q: Float64Array };
  /**
   * Child area, exact coordination: a proximal term Σ_t Σ_s (weightP/2 (P_s − p)² + weightQ/2
   * (Q_s − q)²) on the power drawn at each source node, linear in its current I_s at the voltage
   * e + j f (the given one): P_s = e Ir + f Ii, Q_s = f Ir − e Ii; all [t·nSlack + s]. Zero where the
   * area draws (p, q): the coordinator's fixed point is unchanged.
   */
  readonly sourceCurrentProx?: {
    readonly e: Float64Array;
    readonly f: Float64Array;
    readonly weightP: Float64Array;
    readonly weightQ: Float64Array;
    readonly p: Float64Array;
    readonly q: Float64Array;
  };
  /**
   * Parent area, exact coordination: a proximal term Σ_t Σ_j weight/2 ((e − e0)² + (f − f0)²) on
   * the voltage of `nodes`, centred at e0 + j f0 = (e, f), [t·K + j] (zero at the coordinator's
   * fixed point, where the parent holds the exchanged boundary voltage).
   */
  readonly voltageProx?: {
    readonly nodes: Int32Array;
    readonly weight: Float64Array;
    readonly e: Float64Array;
    readonly f: Float64Array;
  };
  /** Parent area, exact coordination: the objective adds Σ_t Σ_j (πe e + πf f) at `nodes` (a child's price of its source voltage). */
  readonly voltagePrice?: { readonly nodes: Int32Array; readonly e: Float64Array; readonly f: Float64Array };
  /**
   * Parent area, a child's draw as a linearised load model (its sensitivity to the boundary
   * voltage): the constant-power load named `load` draws its pPu/qPu plus Σ_j (p[·] e_j + p[·+1] f_j)
   * (active) and Σ_j (q[·] e_j + q[·+1] f_j) (reactive) over `nodes`, index t·2K + 2j (K nodes):
   * its (U3) power rows gain those terms with the opposite sign.
   */
  readonly loadVoltageTerms?: readonly {
    readonly load: string;
    readonly nodes: Int32Array;
    readonly p: Float64Array;
    readonly q: Float64Array;
  }[];
}

export class Opf3Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Opf3Error';
  }
}

/** A growable list of complex admittance triplets. */
export class YTriplets {
  row: number[] = [];
  col: number[] = [];
  g: number[] = [];
  b: number[] = [];
  loss: number[] = [];
  source: number[] = [];
  /** Element id of each triplet (Opf3Network.yGroup). */
  group: number[] = [];
  private groups = 0;
  private inStamp = false;
  add(i: number, j: number, g: number, b: number, loss: boolean, source = false): void {
    if (i < 0 || j < 0 || (g === 0 && b === 0)) return;
    this.group.push(this.inStamp ? this.groups - 1 : this.groups++);
    this.row.push(i);
    this.col.push(j);
    this.g.push(g);
    this.b.push(b);
    this.loss.push(loss ? 1 : 0);
    this.source.push(source ? 1 : 0);
  }
  /** Stamps a primitive admittance (n×n, row-major re/im) over the given nodes (−1 = ground). */
  stamp(nodes: readonly number[], re: ArrayLike<number>, im: ArrayLike<number>, loss: boolean, source = false): void {
    const n = nodes.length;
    this.groups++;
    this.inStamp = true;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) this.add(nodes[i]!, nodes[j]!, re[i * n + j]!, im[i * n + j]!, loss, source);
    this.inStamp = false;
  }
  arrays(): Pick<Opf3Network, 'yRow' | 'yCol' | 'yG' | 'yB' | 'yLoss' | 'ySource' | 'yGroup'> {
    return {
      yGroup: Int32Array.from(this.group),
      yRow: Int32Array.from(this.row),
      yCol: Int32Array.from(this.col),
      yG: Float64Array.from(this.g),
      yB: Float64Array.from(this.b),
      yLoss: Uint8Array.from(this.loss),
      ySource: Uint8Array.from(this.source),
    };
  }
}

/** One linear complex combination Σ (cr + j ci)·V_node over free or source nodes (−1: ground, skipped). */
export interface ComplexTerms {
  readonly nodes: readonly number[];
  readonly re: readonly number[];
  readonly im: readonly number[];
}

/** Limit data (U6c)–(U6e), built and turned into rows by limits.ts. */
export interface Opf3Limits {
  /** (U6c) phase-node pairs of buses on ungrounded islands. */
  readonly lineToLine: readonly { readonly i: number; readonly j: number; readonly name: string }[];
  /** (U6d) buses with phases a, b, c (free node indices) and k = VUF max as a fraction; empty when off. */
  readonly vuf: readonly { readonly bus: string; readonly abc: readonly [number, number, number] }[];
  readonly vufMax: number;
  /** (U6e) per limited conductor: a series element's current, or a terminal current of a Y line. */
  readonly currents: readonly (
    | {
        readonly name: string;
        readonly kind: 'series';
        readonly series: number;
        readonly conductor: number;
        readonly scale: number;
      }
    | { readonly name: string; readonly kind: 'terminal'; readonly terms: ComplexTerms }
  )[];
}
