/**
 * The multi-phase network model, in engineering units (volts, amperes, ohms, siemens, kW, kvar).
 *
 * Conventions (as OpenDSS's, so an imported feeder keeps its meaning):
 * - A bus has nodes: 1, 2, 3 are phases a, b, c; 4 and above are neutrals or other conductors a
 *   script names; node 0 is ground (the reference, never an unknown).
 * - An element terminal is a list of conductors, each mapped to a node of one bus
 *   (`{ bus, nodes }`); `nodes[k]` is where conductor k+1 lands. A wye element's neutral
 *   conductor is the one after its phases (0 = grounded when the script does not name it).
 * - Every bus carries `kvBaseLN`, the line-to-neutral voltage base in kV chosen as OpenDSS's
 *   CalcVoltageBases does (from `Set VoltageBases` and a no-load solution); per-unit voltages
 *   are |V| / (1000·kvBaseLN), line-to-line ones |Vi − Vj| / (1000·√3·kvBaseLN).
 * - Powers of loads, capacitors and generators are three-phase (element) totals as written in the
 *   script; per phase = total / phases.
 * - Matrices are dense complex `CMatrix` (row-major), per element, already multiplied by length.
 */
import type { CMatrix } from './cmatrix';

export interface Terminal {
  /** Lower-case bus name. */
  readonly bus: string;
  /** Node of each conductor (0 = ground). */
  readonly nodes: readonly number[];
}

export type Conn = 'wye' | 'delta';

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
}

export interface UBus {
  readonly name: string;
  /** Non-ground nodes present on the bus, ascending. */
  readonly nodes: number[];
  /**
   * The node OpenDSS numbers first at this bus (the first conductor of the first-created element
   * that references it); CalcVoltageBases picks the bus's base from this node's voltage.
   * Absent: the lowest node.
   */
  refNode?: number;
  /** Line-to-neutral voltage base, kV (0 when CalcVoltageBases found none). */
  kvBaseLN: number;
  x?: number;
  y?: number;
}

export interface UVsource {
  readonly name: string;
  readonly bus1: Terminal;
  readonly bus2: Terminal;
  readonly phases: number;
  /** Line-to-line base kV (line-to-neutral for 1 phase). */
  readonly baseKv: number;
  readonly pu: number;
  readonly angleDeg: number;
  /** Series impedance matrix, ohms (phases×phases). */
  readonly z: CMatrix;
}

/** Line, switch (a line flagged as switch), or series reactor. */
export interface ULine {
  readonly kind: 'line' | 'switch' | 'reactor';
  readonly name: string;
  readonly bus1: Terminal;
  readonly bus2: Terminal;
  readonly phases: number;
  /** Series impedance, ohms, phases×phases (whole length). */
  readonly z: CMatrix;
  /** Total shunt admittance, siemens, phases×phases (half at each end, as OpenDSS's π model). */
  readonly yShunt: CMatrix;
  readonly normAmps?: number;
  /** emergamps as the script gives it (none: not given). */
  readonly emergAmps?: number;
  /** Per terminal, per conductor: true where opened (Open command / enabled switch state). */
  readonly open: boolean[][];
  readonly at: SourceLoc;
}

export interface UWinding {
  readonly bus: Terminal;
  readonly conn: Conn;
  /** Rated kV: line-to-line for 2- and 3-phase banks, the winding's own voltage for 1-phase. */
  readonly kv: number;
  readonly kva: number;
  /** Per-unit resistance on winding 1's kVA base (OpenDSS's %R/100). */
  readonly rPu: number;
  /** Present tap, per unit of rated voltage. */
  tap: number;
  readonly minTap: number;
  readonly maxTap: number;
  readonly numTaps: number;
}

export interface UTransformer {
  readonly name: string;
  readonly phases: number;
  readonly windings: UWinding[];
  /** Short-circuit reactances, per unit on winding 1's kVA: X12, X13, …, X23, … (pairs i<j). */
  readonly xsc: number[];
  readonly imagPct: number;
  readonly noLoadLossPct: number;
  /** ppm_antifloat × 1e-6. */
  readonly ppmFloat: number;
  /** Delta winding phase i spans conductors i and i+dir (dir −1: the ANSI 30° lag of a delta HV). */
  readonly deltaDirection: 1 | -1;
  readonly bank?: string;
  readonly at: SourceLoc;
}

export type LoadModel = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface ULoad {
  readonly name: string;
  readonly bus: Terminal;
  readonly phases: number;
  readonly conn: Conn;
  /** kV as written: line-to-line for phases > 1, across the element for 1 phase. */
  readonly kv: number;
  /** Element totals at nominal voltage (after allocation). */
  kw: number;
  kvar: number;
  readonly model: LoadModel;
  readonly vminpu: number;
  readonly vmaxpu: number;
  readonly vlowpu: number;
  readonly cvrWatts: number;
  readonly cvrVars: number;
  /** ZIP coefficients (model 8): Z, I, P for active then reactive power. */
  readonly zipv: readonly number[] | null;
  /** status=fixed: shapes and load multipliers do not apply. */
  readonly fixed: boolean;
  readonly daily: string | null;
  readonly yearly: string | null;
  readonly duty: string | null;
  readonly at: SourceLoc;
}

/** PVSystem, Storage or Generator, as a PQ injection per phase for the power flow. */
export interface UGenerator {
  readonly kind: 'pvsystem' | 'storage' | 'generator';
  readonly name: string;
  readonly bus: Terminal;
  readonly phases: number;
  readonly conn: Conn;
  readonly kv: number;
  /** Output at nominal (positive = into the network). */
  kw: number;
  kvar: number;
  readonly daily: string | null;
  readonly yearly: string | null;
  readonly duty: string | null;
  readonly at: SourceLoc;
}

export interface UCapacitor {
  readonly name: string;
  readonly bus1: Terminal;
  /** Bus 2 (the neutral side of a wye bank; grounded unless given). */
  readonly bus2: Terminal;
  readonly phases: number;
  readonly conn: Conn;
  readonly kv: number;
  /** kvar per step (bank total). */
  readonly kvarSteps: readonly number[];
  /** 1 = step in, 0 = out. */
  states: number[];
  readonly at: SourceLoc;
}

/** Shunt reactor (bus2 not given): an admittance to ground or delta between phases. */
export interface UShunt {
  readonly name: string;
  readonly bus: Terminal;
  readonly phases: number;
  readonly conn: Conn;
  /** Admittance per phase, siemens. */
  readonly g: number;
  readonly b: number;
  readonly at: SourceLoc;
}

export interface URegControl {
  readonly name: string;
  readonly transformer: string;
  readonly winding: number;
  readonly vreg: number;
  readonly band: number;
  readonly ptratio: number;
  readonly ctprim: number;
  readonly r: number;
  readonly x: number;
  /** PT phase (1-based conductor of the controlled winding). */
  readonly ptphase: number;
  readonly maxTapChange: number;
  readonly tapWinding: number;
  /** Seconds before acting: in static mode the controls with the shortest delay act first. */
  readonly delay: number;
  /** Seconds between successive tap steps in time control mode (OpenDSS's TapDelay, 2 s). */
  readonly tapDelay?: number;
  readonly enabled: boolean;
  readonly at: SourceLoc;
}

export interface UCapControl {
  readonly name: string;
  readonly capacitor: string;
  /** Monitored element, `class.name` lower case. */
  readonly element: string;
  readonly terminal: number;
  readonly type: 'voltage' | 'kvar' | 'current' | 'pf' | 'time';
  readonly ptratio: number;
  readonly ctratio: number;
  readonly onSetting: number;
  readonly offSetting: number;
  readonly voltOverride: boolean;
  readonly vmin: number;
  readonly vmax: number;
  readonly ptPhase: number;
  readonly ctPhase: number;
  readonly delay: number;
  readonly delayOff: number;
  readonly enabled: boolean;
  readonly at: SourceLoc;
}

export interface ULoadShape {
  readonly name: string;
  /** Multipliers, one per point (pu of the load's kW, or kW when useActual). */
  readonly mult: readonly number[];
  readonly qmult: readonly number[] | null;
  /** Hours between points (0 when explicit hours are given in `hours`). */
  readonly intervalHours: number;
  readonly hours: readonly number[] | null;
  readonly useActual: boolean;
}

export interface UNetwork {
  readonly name: string;
  readonly frequencyHz: number;
  readonly buses: Map<string, UBus>;
  readonly vsources: UVsource[];
  readonly lines: ULine[];
  readonly transformers: UTransformer[];
  readonly loads: ULoad[];
  readonly generators: UGenerator[];
  readonly capacitors: UCapacitor[];
  readonly shunts: UShunt[];
  readonly regControls: URegControl[];
  readonly capControls: UCapControl[];
  readonly loadShapes: Map<string, ULoadShape>;
  /** Line-to-line kV of `Set VoltageBases`. */
  readonly voltageBasesKv: number[];
  /** `Set ControlMode` (OFF freezes taps and capacitor states). */
  controlMode: 'static' | 'off' | 'time' | 'event';
  /** `Set LoadMult`. */
  loadMult: number;
}
