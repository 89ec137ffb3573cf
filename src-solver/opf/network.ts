/**
 * The per-unit data of one OPF model: the feeder tree in breadth-first order from its root and,
 * per period, the forecast loads, PV output, prices and root voltage — everything the model
 * builder (model.ts) needs, and nothing it decides. "Fetch data and defaults" lives here; the
 * equations live in model.ts.
 *
 * Per unit: power base `Feeder.baseKva`; impedance base per branch `vBaseKv² · 1000 / baseKva`
 * (ohm) on the `to` bus's line-to-neutral base; current base `baseKva / vBaseKv` (A); energy in
 * per-unit·hours (`kWh / baseKva`).
 *
 * Buses are numbered 0..nBus−1 in BFS order from the root (bus 0). Branch e ∈ 0..nBus−2 is the
 * branch into bus e+1 from its parent, so every non-root bus has exactly one incoming branch.
 *
 * Sub-areas (the distributed ENApp method) reuse this with `AreaOptions`: the root may be a
 * "voltage source" boundary bus with a given `v^t`, and a child area can appear as extra loads.
 */
import { shapeMultiplier, type Feeder, type Shape } from '../model/feeder';
import { compileRadialNetwork, PowerFlowInputError, type RadialNetwork } from '../pf/network';
import { resolveStudy, sampleProfile, StudyError, type ResolvedStudy, type Study } from './study';

/** What makes a model an area model (ENApp); all optional. */
export interface AreaOptions {
  /** Root-bus squared voltage per period (a boundary "voltage source"); default substation vSetPu². */
  readonly rootVoltageSqPu?: readonly number[];
  /** Extra constant-power loads per period, per unit (> 0 consumes), e.g. child areas. */
  readonly extraLoadsPu?: readonly {
    readonly bus: string;
    readonly p: readonly number[];
    readonly q: readonly number[];
  }[];
}

export interface OpfNetwork {
  readonly feederName: string;
  readonly baseKva: number;
  readonly study: ResolvedStudy;
  /** T. */
  readonly periods: number;
  /** Hour of day at which each period starts. */
  readonly hourOfPeriod: Float64Array;
  readonly nBus: number;
  /** Bus names in BFS order; index 0 is the root. */
  readonly busNames: readonly string[];
  readonly busIndex: ReadonlyMap<string, number>;
  /** Parent bus of each bus (−1 for the root). */
  readonly parent: Int32Array;
  /** Branch e (into bus e+1): name, r, x (pu), I_max² (pu, +Infinity when unrated or limits off). */
  readonly branchNames: readonly string[];
  readonly rPu: Float64Array;
  readonly xPu: Float64Array;
  readonly iMaxSqPu: Float64Array;
  /** Current base of branch e, A (to report currents). */
  readonly iBaseA: Float64Array;
  /** Child branches of each bus, CSR: branches childList[childStart[b] .. childStart[b+1]). */
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  /** Loads p_L, q_L per bus and period: pLoadPu[t·nBus + bus] (extra area loads included). */
  readonly pLoadPu: Float64Array;
  readonly qLoadPu: Float64Array;
  /** Capacitor rating q_C per bus at 1 pu (injection q_C v). */
  readonly qCapPu: Float64Array;
  /** Squared root voltage per period. */
  readonly vRootSqPu: Float64Array;
  /** Price C^t, USD/kWh. */
  readonly priceUsdPerKwh: Float64Array;
  /** PV units: bus, forecast output p_D per period (pvPPu[t·nPv + k]), inverter rating S_DR. */
  readonly nPv: number;
  readonly pvNames: readonly string[];
  readonly pvBus: Int32Array;
  readonly pvPPu: Float64Array;
  readonly pvSPu: Float64Array;
  /** Batteries: bus, P_BR, S_BR, E_R (pu·h), ηc, ηd, soc limits (fractions), B^0 (pu·h). */
  readonly nBat: number;
  readonly batNames: readonly string[];
  readonly batBus: Int32Array;
  readonly batPPu: Float64Array;
  readonly batSPu: Float64Array;
  readonly batEPuH: Float64Array;
  readonly batEtaC: Float64Array;
  readonly batEtaD: Float64Array;
  readonly batSocMin: Float64Array;
  readonly batSocMax: Float64Array;
  readonly batB0PuH: Float64Array;
  /** Loads attached to the root bus (not in the model; added to substation power when reported). */
  readonly rootLoadPPu: Float64Array;
  readonly rootLoadQPu: Float64Array;
}

/** Thrown when the feeder cannot be modelled (not a tree, unknown bus, element at the root). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

function shapeValue(
  shapes: ReadonlyMap<string, Shape>,
  name: string | undefined,
  hour: number,
  reactive: boolean,
): number {
  if (name === undefined) return 1;
  const s = shapes.get(name);
  if (!s) throw new NetworkError(`unknown shape "${name}"`);
  return shapeMultiplier(s, hour, reactive);
}

export function buildNetwork(feeder: Feeder, studyIn: Study = {}, area: AreaOptions = {}): OpfNetwork {
  const study = resolveStudy(studyIn);
  const T = study.periods;
  const base = feeder.baseKva;
  const hourOfPeriod = new Float64Array(T);
  for (let t = 0; t < T; t++) hourOfPeriod[t] = study.startHour + t * study.dtH;

  // The tree in BFS order from the root and its per-unit impedances: the power flow's
  // orientation (pf/network.ts), so OPF, validation and power flow number buses alike.
  let radial: RadialNetwork;
  try {
    radial = compileRadialNetwork(feeder);
  } catch (e) {
    if (e instanceof PowerFlowInputError) throw new NetworkError(e.message);
    throw e;
  }
  const nBus = radial.n;
  const nBr = nBus - 1;
  const busNames = Array.from(radial.busAt, (i) => feeder.buses[i]!.name);
  const busIndex = new Map(busNames.map((name, k) => [name, k]));
  const parent = radial.parentPos.slice();
  // Branch e feeds bus e + 1 (BFS position e + 1 of the radial network).
  const rPu = radial.rPu.slice(1);
  const xPu = radial.xPu.slice(1);
  const iBaseA = radial.iBaseA.slice(1);
  const iMaxSqPu = new Float64Array(nBr).fill(Infinity);
  const branchNames: string[] = [];
  for (let e = 0; e < nBr; e++) {
    const br = feeder.branches[radial.branchAt[e + 1]!]!;
    if (study.currentLimits && br.ampacityA !== undefined) iMaxSqPu[e] = (br.ampacityA / iBaseA[e]!) ** 2;
    branchNames.push(br.name);
  }
  const childCount = new Int32Array(nBus + 1);
  for (let b = 1; b < nBus; b++) childCount[parent[b]! + 1]!++;
  const childStart = new Int32Array(nBus + 1);
  for (let b = 0; b < nBus; b++) childStart[b + 1] = childStart[b]! + childCount[b + 1]!;
  const childList = new Int32Array(nBr);
  const fill = childStart.slice(0, nBus);
  for (let b = 1; b < nBus; b++) childList[fill[parent[b]!]++] = b - 1;

  const bus = (name: string, what: string): number => {
    const k = busIndex.get(name);
    if (k === undefined) throw new NetworkError(`${what} is at unknown bus "${name}"`);
    return k;
  };
  const shapes = new Map(feeder.shapes.map((s) => [s.name, s]));

  // Loads (feeder shapes, or the study's override), extra area loads, root loads kept aside.
  const pLoadPu = new Float64Array(T * nBus);
  const qLoadPu = new Float64Array(T * nBus);
  const rootLoadPPu = new Float64Array(T);
  const rootLoadQPu = new Float64Array(T);
  for (const ld of feeder.loads) {
    const k = bus(ld.bus, `load ${ld.name}`);
    for (let t = 0; t < T; t++) {
      const h = hourOfPeriod[t]!;
      const mp = study.loadProfile ? sampleProfile(study.loadProfile, h) : shapeValue(shapes, ld.shape, h, false);
      const mq = study.loadProfile ? mp : shapeValue(shapes, ld.shape, h, true);
      if (k === 0) {
        rootLoadPPu[t]! += (ld.pKw * mp) / base;
        rootLoadQPu[t]! += (ld.qKvar * mq) / base;
      } else {
        pLoadPu[t * nBus + k]! += (ld.pKw * mp) / base;
        qLoadPu[t * nBus + k]! += (ld.qKvar * mq) / base;
      }
    }
  }
  for (const el of area.extraLoadsPu ?? []) {
    const k = bus(el.bus, 'an extra load');
    if (el.p.length < T || el.q.length < T) throw new NetworkError(`extra load at ${el.bus} needs ${T} periods`);
    for (let t = 0; t < T; t++) {
      if (k === 0) {
        rootLoadPPu[t]! += el.p[t]!;
        rootLoadQPu[t]! += el.q[t]!;
      } else {
        pLoadPu[t * nBus + k]! += el.p[t]!;
        qLoadPu[t * nBus + k]! += el.q[t]!;
      }
    }
  }
  const qCapPu = new Float64Array(nBus);
  for (const c of feeder.capacitors) {
    const k = bus(c.bus, `capacitor ${c.name}`);
    if (k === 0) throw new NetworkError(`capacitor ${c.name} at the root bus is not supported`);
    qCapPu[k]! += c.qKvar / base;
  }

  const vRootSqPu = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    vRootSqPu[t] = area.rootVoltageSqPu ? area.rootVoltageSqPu[t]! : feeder.substation.vSetPu ** 2;
    if (!(vRootSqPu[t]! > 0)) throw new NetworkError(`root voltage of period ${t + 1} must be > 0`);
  }
  const priceUsdPerKwh = new Float64Array(T);
  for (let t = 0; t < T; t++) priceUsdPerKwh[t] = sampleProfile(study.priceCentsPerKwh, hourOfPeriod[t]!) / 100;

  const nPv = feeder.pv.length;
  const pvBus = new Int32Array(nPv);
  const pvPPu = new Float64Array(T * nPv);
  const pvSPu = new Float64Array(nPv);
  feeder.pv.forEach((pv, k) => {
    pvBus[k] = bus(pv.bus, `PV ${pv.name}`);
    if (pvBus[k] === 0) throw new NetworkError(`PV ${pv.name} at the root bus is not supported`);
    pvSPu[k] = pv.sRatedKva / base;
    for (let t = 0; t < T; t++) {
      const h = hourOfPeriod[t]!;
      const m = study.pvProfile ? sampleProfile(study.pvProfile, h) : shapeValue(shapes, pv.shape, h, false);
      pvPPu[t * nPv + k] = Math.min((pv.pRatedKw * m) / base, pvSPu[k]!);
    }
  });

  const nBat = feeder.batteries.length;
  const batBus = new Int32Array(nBat);
  const f64 = (): Float64Array => new Float64Array(nBat);
  const [batPPu, batSPu, batEPuH, batEtaC, batEtaD, batSocMin, batSocMax, batB0PuH] = [
    f64(),
    f64(),
    f64(),
    f64(),
    f64(),
    f64(),
    f64(),
    f64(),
  ];
  feeder.batteries.forEach((b, k) => {
    batBus[k] = bus(b.bus, `battery ${b.name}`);
    if (batBus[k] === 0) throw new NetworkError(`battery ${b.name} at the root bus is not supported`);
    if (!(b.sRatedKva >= b.pRatedKw)) throw new NetworkError(`battery ${b.name}: inverter kVA must be ≥ its kW rating`);
    batPPu[k] = b.pRatedKw / base;
    batSPu[k] = b.sRatedKva / base;
    batEPuH[k] = b.energyKwh / base;
    batEtaC[k] = b.etaCharge;
    batEtaD[k] = b.etaDischarge;
    batSocMin[k] = b.socMin;
    batSocMax[k] = b.socMax;
    batB0PuH[k] = (b.socInitial * b.energyKwh) / base;
  });
  if (study.vMinPu >= study.vMaxPu) throw new StudyError('vMinPu must be below vMaxPu');

  return {
    feederName: feeder.name,
    baseKva: base,
    study,
    periods: T,
    hourOfPeriod,
    nBus,
    busNames,
    busIndex,
    parent,
    branchNames,
    rPu,
    xPu,
    iMaxSqPu,
    iBaseA,
    childStart,
    childList,
    pLoadPu,
    qLoadPu,
    qCapPu,
    vRootSqPu,
    priceUsdPerKwh,
    nPv,
    pvNames: feeder.pv.map((p) => p.name),
    pvBus,
    pvPPu,
    pvSPu,
    nBat,
    batNames: feeder.batteries.map((b) => b.name),
    batBus,
    batPPu,
    batSPu,
    batEPuH,
    batEtaC,
    batEtaD,
    batSocMin,
    batSocMax,
    batB0PuH,
    rootLoadPPu,
    rootLoadQPu,
  };
}
