/**
 * The three-phase OPF network (network.ts) from the multi-phase network model of
 * src-solver/unbalanced (an imported OpenDSS feeder), with controllable PV and batteries placed
 * by the caller — docs/spec/unbalanced-opf.md "Sets and data":
 *
 * - Switches and very short lines (largest impedance entry < SERIES_Z_MAX_PU) with all conductors
 *   closed are series elements (U1b) with their n×n impedance, their shunt admittance half at
 *   each end in Y; other lines, and lines with an open conductor, enter Y through their primitive
 *   admittance (ybuild's π model and Kron reduction).
 * - Transformers (taps as they are in the model: given, or set by the power flow's controls),
 *   capacitors (states as they are), shunt reactors: their primitive admittances, in Y.
 * - The Vsource: its EMF as source nodes behind its impedance as a series element (U7''), or
 *   (`sourceModel: 'norton'`) its Thevenin admittance in Y and its Norton current (U7').
 * - Loads per phase branch as the power flow's injectors: model 1 (P), 2 (Z), 3 (P; Q as Z),
 *   4 with integer CVR exponents 0/1/2, 5 (constant |I|), 8 (ZIP); OpenDSS PVSystem / Storage /
 *   Generator elements of the script as constant-power injections. Models 6, 7 and CVR exponents
 *   other than 0, 1, 2 are refused with the load named (their power is not quadratic in V).
 * - Per unit: power base `baseKva` (default 1000 kVA), node bases from the buses' kvBaseLN.
 * - Period t's loads: the study's loadProfile at the period's start hour when given; otherwise the
 *   loads' daily shapes at hour startHour + t·Δt + 1 (OpenDSS daily mode: its first hourly
 *   solution is at 1 h), or the nominal loads (× LoadMult) for a `snapshot` study.
 */
import {
  lineYprim,
  capacitorYprim,
  shuntYprim,
  terminalIndex,
  transformerYprim,
  vsourceYprim,
} from '../unbalanced/ybuild';
import type { UNetwork } from '../unbalanced/model';
import { setPeriodInjections, solveUnbalanced } from '../unbalanced/solve';
import type { SolveHooks, SolveOptions } from '../nlp/index';
import { resolveStudy, sampleProfile, type Study } from '../opf/study';
import { solveOpf3, type Opf3Outcome } from './solve';
import { buildLimits, type Opf3LimitOptions } from './limits';
import { withLimitDiagnosis } from './limitDiagnosis';
import {
  Opf3Error,
  REGION_FREE,
  REGION_HOLD_OWN,
  REGION_HOLD_Z,
  YTriplets,
  type Opf3Battery,
  type Opf3Load,
  type Opf3Network,
  type Opf3Pv,
  type Opf3Series,
  type Opf3Terminal,
} from './network';

/** A controllable unit the OPF dispatches. Single-phase: one phase node; three-phase: [1, 2, 3]. */
export interface Opf3UnitSpec {
  readonly kind: 'pv' | 'battery';
  readonly name: string;
  readonly bus: string;
  /** Phase nodes (1–3) the unit connects to, each to ground (wye). */
  readonly phases: readonly number[];
  /**
   * 'delta': a single-phase unit connected line-to-line between its two `phases` (one device
   * between two nodes, spec (U8)/(U10) with b ≠ ground). Default 'wye'.
   */
  readonly connection?: 'wye' | 'delta';
  /** PV: Pmpp; battery: charge/discharge rating. kW, unit total. */
  readonly pRatedKw: number;
  readonly sRatedKva: number;
  /** PV output multiplier per period (default: the study's pvProfile, else 1). */
  readonly shape?: readonly number[];
  readonly energyKwh?: number;
  readonly etaCharge?: number;
  readonly etaDischarge?: number;
  readonly socMin?: number;
  readonly socMax?: number;
  readonly socInitial?: number;
}

/**
 * Lines whose largest impedance entry is below this (pu) are series elements (U1b); the others
 * enter Y by their primitive admittance. Measured on IEEE 123, T = 24, 10 PV + 10 batteries: the
 * same 28 iterations and objective (to 1e-11) with every line as a series element (7.1 s,
 * n = 31,502) and with only the switches and very short lines (4.4 s, n = 19,934); the switches
 * (1e-3 Ω) as admittances are what the series form is for.
 */
const SERIES_Z_MAX_PU = 1e-3;

/** Common-mode anchor admittance (pu) at buses of ungrounded islands. */
const FLOAT_ANCHOR = 1;

export interface FromNetworkOptions {
  readonly baseKva?: number;
  /** One period at the nominal loads (no shapes); needs periods = 1. */
  readonly snapshot?: boolean;
  /**
   * Load elements held in one OpenDSS voltage region (U5b) instead of deciding it in the solve
   * (U5c): key `${name}@${t}` (`name` of Opf3Load, period t), value the region. `solveThreePhaseOpf`
   * fills it for elements whose (U5c) relaxation was not tight at a solution.
   */
  readonly regionHolds?: ReadonlyMap<string, 'own' | 'z'>;
  /**
   * How a Vsource enters the model: 'thevenin' (default; (U7'')) its EMF as source nodes behind
   * its impedance as a series element (U1b), the substation power a price-sized linear objective
   * in the element's currents; 'norton' (U7') its admittance in Y and its Norton current
   * injected, the substation power a quadratic in the terminal voltages whose gradient carries
   * the source admittance.
   */
  readonly sourceModel?: 'thevenin' | 'norton';
  /** Optional limits (U6d) VUF and (U6e) currents; the line-to-line limits (U6c) always apply. */
  readonly limits?: Opf3LimitOptions;
  /**
   * What does not depend on the load regions — the compiled system and the start power flows —
   * kept between builds of the same network and study (`solveThreePhaseOpf` passes one to every
   * region round; filled by the first build).
   */
  readonly cache?: Opf3BuildCache;
}

/** See FromNetworkOptions.cache. */
export interface Opf3BuildCache {
  system?: ReturnType<typeof solveUnbalanced>['system'];
  vStart?: { re: Float64Array; im: Float64Array }[];
}

export function opf3FromNetwork(
  net: UNetwork,
  studyIn: Study,
  units: readonly Opf3UnitSpec[] = [],
  options: FromNetworkOptions = {},
): Opf3Network {
  const study = resolveStudy(studyIn);
  const T = study.periods;
  if (options.snapshot && T !== 1) throw new Opf3Error('a snapshot study has exactly one period');
  const base = options.baseKva ?? 1000;
  // Voltage bases (CalcVoltageBases when the model has none) and the compiled system.
  const cache = options.cache ?? {};
  cache.system ??= solveUnbalanced(net, { controls: false, hours: 0 }).system;
  const system = cache.system;
  const sys = system;
  const idx = sys.nodes;
  const nFree = idx.count;
  const hourOf = (t: number): number => study.startHour + t * study.dtH;
  const pfHour = (t: number): number | null => (options.snapshot ? null : hourOf(t) + 1);
  const vb = Float64Array.from(system.vbase);
  for (let i = 0; i < nFree; i++) {
    if (!system.live[i])
      throw new Opf3Error(
        `node ${idx.bus[i]}.${idx.node[i]} is not connected to the source (de-energized nodes are not supported by the OPF)`,
      );
  }
  const pu = (i: number, j: number): number => (vb[i]! * vb[j]!) / (1000 * base);

  const y = new YTriplets();
  const stamp = (nodes: readonly number[], re: Float64Array, im: Float64Array, loss: boolean, source = false): void => {
    const n = nodes.length;
    const r = new Float64Array(n * n);
    const m = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (nodes[a]! < 0 || nodes[b]! < 0) continue;
        const f = pu(nodes[a]!, nodes[b]!);
        r[a * n + b] = re[a * n + b]! * f;
        m[a * n + b] = im[a * n + b]! * f;
      }
    }
    y.stamp(nodes, r, m, loss, source);
  };

  // Vsource: either (U7'') its EMF as source nodes behind its impedance as a series element, or
  // (U7') its Thevenin admittance in Y and its Norton current as a constant injection.
  const thevenin = (options.sourceModel ?? 'thevenin') === 'thevenin';
  const srcRe = new Float64Array(nFree);
  const srcIm = new Float64Array(nFree);
  const series: Opf3Series[] = [];
  const emf: { bus: string; phase: number; vb: number; re: number; im: number }[] = [];
  for (const vs of net.vsources) {
    const { y: yv, ysrc, eRe, eIm } = vsourceYprim(vs);
    const b1 = terminalIndex(idx, vs.bus1);
    const b2 = terminalIndex(idx, vs.bus2);
    if (b2.some((k) => k >= 0))
      throw new Opf3Error(`Vsource ${vs.name}: only a grounded source (bus2 = ground) is supported by the OPF`);
    if (thevenin) {
      const np = vs.phases;
      const terminals = b1.slice(0, np);
      const vbOf = (i: number): number => (terminals[i]! >= 0 ? vb[terminals[i]!]! : 1000 * vs.baseKv);
      const from = terminals.map((_, i) => {
        emf.push({
          bus: `vsource.${vs.name}`,
          phase: i + 1,
          vb: vbOf(i),
          re: eRe[i]! / vbOf(i),
          im: eIm[i]! / vbOf(i),
        });
        return nFree + emf.length - 1;
      });
      const zRe = new Float64Array(np * np);
      const zIm = new Float64Array(np * np);
      for (let a = 0; a < np; a++)
        for (let c = 0; c < np; c++) {
          const f = (1000 * base) / (vbOf(a) * vbOf(c));
          zRe[a * np + c] = vs.z.re[a * np + c]! * f;
          zIm[a * np + c] = vs.z.im[a * np + c]! * f;
        }
      series.push({ name: `vsource ${vs.name}`, from, to: terminals, zRe, zIm, source: true });
      continue;
    }
    stamp([...b1, ...b2], yv.re, yv.im, false, true);
    const np = vs.phases;
    for (let i = 0; i < np; i++) {
      if (b1[i]! < 0) continue;
      let ir = 0;
      let ii = 0;
      for (let j = 0; j < np; j++) {
        ir += ysrc.re[i * np + j]! * eRe[j]! - ysrc.im[i * np + j]! * eIm[j]!;
        ii += ysrc.re[i * np + j]! * eIm[j]! + ysrc.im[i * np + j]! * eRe[j]!;
      }
      srcRe[b1[i]!]! += (ir * vb[b1[i]!]!) / (1000 * base);
      srcIm[b1[i]!]! += (ii * vb[b1[i]!]!) / (1000 * base);
    }
  }

  for (const l of net.lines) {
    const from = terminalIndex(idx, l.bus1);
    const to = terminalIndex(idx, l.bus2);
    const open = l.open.some((c) => c.some(Boolean));
    const sameBase = from.every((a, k) => a >= 0 && to[k]! >= 0 && Math.abs(vb[a]! - vb[to[k]!]!) <= 1e-9 * vb[a]!);
    let zMax = 0;
    if (sameBase)
      for (let a = 0; a < l.z.re.length; a++)
        zMax = Math.max(
          zMax,
          Math.hypot(l.z.re[a]!, l.z.im[a]!) * ((1000 * base) / vb[from[Math.floor(a / l.phases)]!]! ** 2),
        );
    if (open || !sameBase || zMax > SERIES_Z_MAX_PU) {
      const yp = lineYprim(l);
      stamp([...from, ...to], yp.re, yp.im, true);
      continue;
    }
    const n = l.phases;
    const zRe = new Float64Array(n * n);
    const zIm = new Float64Array(n * n);
    for (let a = 0; a < n * n; a++) {
      const p = Math.floor(a / n);
      const f = (1000 * base) / (vb[from[p]!]! * vb[from[p]!]!);
      zRe[a] = l.z.re[a]! * f;
      zIm[a] = l.z.im[a]! * f;
    }
    series.push({ name: `line ${l.name}`, from, to, zRe, zIm });
    const half = (arr: Float64Array): Float64Array => Float64Array.from(arr, (v) => v / 2);
    if (l.yShunt.re.some((v) => v !== 0) || l.yShunt.im.some((v) => v !== 0)) {
      stamp(from, half(l.yShunt.re), half(l.yShunt.im), true);
      stamp(to, half(l.yShunt.re), half(l.yShunt.im), true);
    }
  }
  // (U6b) Buses of ungrounded islands (floatingBuses): their common-mode voltage is held by the
  // windings' anti-float admittance alone (ppm of the rating), which leaves the KKT matrix nearly
  // singular and the interior-point method crawling under inertia correction. With no other path
  // to ground the common-mode voltage carries no current, so the OPF adds a common-mode-only
  // admittance there (FLOAT_ANCHOR, pu) that fixes it without changing any other voltage.
  const deltaOnly = floatingBuses(net);
  // Not where the island's lines have shunt capacitance: that is a path to ground which makes the
  // common mode physical (charging currents depend on it, and through the line impedances so do
  // the line-to-line voltages — IEEE 37's cables: 3.9e-3 pu at 799r with the anchor), and it
  // conditions the mode well enough by itself.
  const charged = chargedIslandBuses(net, deltaOnly);
  for (const bus of deltaOnly) {
    if (charged.has(bus)) continue;
    // the anchor: (−j·FLOAT_ANCHOR / k)·𝟙𝟙ᵀ over the bus's k phase nodes — it carries current only
    // for a common-mode (zero-sequence) voltage, so it fixes that mode without loading the others
    const nodes = [...(idx.of.get(bus)?.entries() ?? [])].filter(([n]) => n >= 1 && n <= 3).map(([, i]) => i);
    for (const a of nodes) for (const b of nodes) y.add(a, b, 0, -FLOAT_ANCHOR / nodes.length, false);
  }
  for (const xf of net.transformers) {
    const yp = transformerYprim(xf);
    stamp(
      xf.windings.flatMap((w) => terminalIndex(idx, w.bus)),
      yp.re,
      yp.im,
      true,
    );
  }
  const omega = 2 * Math.PI * net.frequencyHz;
  for (const c of net.capacitors) {
    const yp = capacitorYprim(c, omega);
    stamp([...terminalIndex(idx, c.bus1), ...terminalIndex(idx, c.bus2)], yp.re, yp.im, true);
  }
  for (const s of net.shunts) {
    const yp = shuntYprim(s);
    stamp(terminalIndex(idx, s.bus), yp.re, yp.im, true);
  }

  // Loads and fixed generators: the power flow's injectors, per phase branch, per period.
  const loads: Opf3Load[] = [];
  const nLoad = net.loads.length;
  const perPeriod = sys.injectors.map(() => ({ w: new Float64Array(T), v: new Float64Array(T) }));
  for (let t = 0; t < T; t++) {
    setPeriodInjections(net, sys, pfHour(t), 'daily');
    sys.injectors.forEach((inj, k) => {
      let m = 1;
      if (k < nLoad && study.loadProfile && !net.loads[k]!.fixed) {
        // the study's profile replaces the load's own shape (nominal × LoadMult × profile)
        const l = net.loads[k]!;
        m = sampleProfile(study.loadProfile, hourOf(t));
        perPeriod[k]!.w[t] = (l.kw * net.loadMult * m * 1000) / inj.phases;
        perPeriod[k]!.v[t] = (l.kvar * net.loadMult * m * 1000) / inj.phases;
        return;
      }
      perPeriod[k]!.w[t] = inj.w;
      perPeriod[k]!.v[t] = inj.v;
    });
  }
  sys.injectors.forEach((inj, k) => {
    const isLoad = k < nLoad;
    const where = isLoad
      ? `load ${inj.name} (${net.loads[k]!.at.file}:${net.loads[k]!.at.line})`
      : `${net.generators[k - nLoad]!.kind} ${inj.name}`;
    const model = isLoad ? inj.model : 1;
    const zip = loadZip(model, inj, where);
    for (let p = 0; p < inj.phases; p++) {
      const a = inj.ia[p]!;
      const b = inj.ib[p]!;
      if (a < 0 && b < 0) continue;
      const [ta, tb] = a >= 0 ? [a, b] : [b, a];
      // (a generator's w, v are already negative: setPeriodInjections makes it a negative load)
      const pPu = Float64Array.from(perPeriod[k]!.w, (w) => w / (1000 * base));
      const qPu = Float64Array.from(perPeriod[k]!.v, (v) => v / (1000 * base));
      loads.push({
        name: `${inj.name}.${p + 1}`,
        a: ta,
        b: tb,
        rho: tb >= 0 ? vb[tb]! / vb[ta]! : 1,
        pPu,
        qPu,
        vnPu: inj.vbase / vb[ta]!,
        zip,
      });
    }
  });

  cache.vStart ??= startVoltages(
    net,
    system,
    T,
    pfHour,
    study.loadProfile ? (t) => sampleProfile(study.loadProfile!, hourOf(t)) : null,
  );
  const vStartAll = cache.vStart;

  // (U6) applies line-to-neutral on phase nodes with a base — not on a bus fed only by delta
  // windings: its node-to-ground voltages float (held by the windings' anti-float admittance
  // alone), so a line-to-neutral limit there is meaningless (line-to-line limits (U6c) apply there instead, limits.ts).
  const limited = new Uint8Array(nFree);
  for (let i = 0; i < nFree; i++)
    limited[i] = idx.node[i]! >= 1 && idx.node[i]! <= 3 && vb[i]! > 1 && !deltaOnly.has(idx.bus[i]!) ? 1 : 0;

  // OpenDSS's voltage regions (U5b)–(U5d): above Vmaxpu (of the element's rated voltage) the
  // element is the constant impedance it has at Vmaxpu. Decided inside the solve (U5c) where the
  // element consumes active power (the objective then pays for the region's extra power, so the
  // relaxation is tight); held in the region of the start power flow otherwise (a script's
  // generator, a negative load) or where the caller holds it (regionHolds).
  let li = 0;
  sys.injectors.forEach((inj) => {
    for (let p = 0; p < inj.phases; p++) {
      if (inj.ia[p]! < 0 && inj.ib[p]! < 0) continue;
      const ld = loads[li++]!;
      const [, ip, pp, , iq, pq] = ld.zip;
      if (ip === 0 && pp === 0 && iq === 0 && pq === 0) continue; // constant Z: one region
      const vZPu = inj.vmaxpu * ld.vnPu;
      const vLow = inj.vminpu * ld.vnPu;
      const wyeLimited = ld.b < 0 && limited[ld.a] === 1;
      const reachable = !(wyeLimited && study.vMaxPu <= vZPu);
      // the largest |V_ab| (U6) allows: |V_a| on a limited wye element, |V_a| + ρ|V_b| line-to-line
      const vabMax = wyeLimited
        ? study.vMaxPu
        : ld.b >= 0 && limited[ld.a] && limited[ld.b]
          ? study.vMaxPu * (1 + ld.rho)
          : Math.SQRT2 * vZPu;
      const sMax = Math.max(0, (vabMax / vZPu) ** 2 - 1);
      const vLowPu = wyeLimited && study.vMinPu >= vLow ? null : vLow;
      if (!reachable && vLowPu === null) continue;
      const mode = new Uint8Array(T);
      for (let t = 0; t < T; t++) {
        const held = options.regionHolds?.get(`${ld.name}@${t}`);
        if (held) {
          mode[t] = held === 'z' ? REGION_HOLD_Z : REGION_HOLD_OWN;
          continue;
        }
        if (!reachable) continue;
        const consumes = ld.pPu[t]! > 0 && (pp > 0 || ip > 0);
        if (consumes) {
          mode[t] = REGION_FREE;
          continue;
        }
        if (ld.pPu[t] === 0 && ld.qPu[t] === 0) continue;
        const v = vStartAll[t]!;
        const vAt = (node: number, part: 're' | 'im'): number => (node < 0 ? 0 : v[part][node]! / vb[node]!);
        const vab = Math.hypot(vAt(ld.a, 're') - ld.rho * vAt(ld.b, 're'), vAt(ld.a, 'im') - ld.rho * vAt(ld.b, 'im'));
        mode[t] = vab > vZPu ? REGION_HOLD_Z : REGION_HOLD_OWN;
      }
      loads[li - 1] = { ...ld, region: { vmaxpu: inj.vmaxpu, vZPu, vLowPu, sMax, mode } };
    }
  });

  // Controllable units.
  const hourOfPeriod = Float64Array.from({ length: T }, (_, t) => hourOf(t));
  const terminals = (u: Opf3UnitSpec): Opf3Terminal[] => {
    const m = idx.of.get(u.bus.toLowerCase());
    if (!m) throw new Opf3Error(`${u.kind} ${u.name}: unknown bus "${u.bus}"`);
    if (u.phases.length < 1 || u.phases.length > 3 || new Set(u.phases).size !== u.phases.length)
      throw new Opf3Error(
        `${u.kind} ${u.name}: give one phase (single-phase unit), two (a split-phase 120/240 V unit, two phases of a three-phase bus, or a line-to-line unit) or three (three-phase unit), each once; got [${u.phases.join(', ')}]`,
      );
    const nodes = u.phases.map((ph) => {
      const a = m.get(ph);
      if (a === undefined || ph < 1 || ph > 3)
        throw new Opf3Error(`${u.kind} ${u.name}: bus ${u.bus} has no phase ${ph}`);
      return a;
    });
    if (u.connection === 'delta') {
      if (nodes.length !== 2)
        throw new Opf3Error(`${u.kind} ${u.name}: a line-to-line unit needs two phases, got ${u.phases.length}`);
      return [{ a: nodes[0]!, b: nodes[1]!, rho: vb[nodes[1]!]! / vb[nodes[0]!]! }];
    }
    return nodes.map((a) => ({ a, b: -1, rho: 1 }));
  };
  const pv: Opf3Pv[] = [];
  const batteries: Opf3Battery[] = [];
  for (const u of units) {
    if (!(u.sRatedKva >= u.pRatedKw && u.pRatedKw > 0))
      throw new Opf3Error(`${u.kind} ${u.name}: need 0 < kW rating ≤ kVA rating`);
    if (u.kind === 'pv') {
      const pPu = Float64Array.from({ length: T }, (_, t) => {
        const m = u.shape ? u.shape[t]! : study.pvProfile ? sampleProfile(study.pvProfile, hourOf(t)) : 1;
        return Math.min((u.pRatedKw * m) / base, u.sRatedKva / base);
      });
      pv.push({ name: u.name, phases: terminals(u), pPu, sPu: u.sRatedKva / base });
    } else {
      const e = u.energyKwh ?? 0;
      if (!(e > 0)) throw new Opf3Error(`battery ${u.name}: energyKwh must be > 0`);
      batteries.push({
        name: u.name,
        phases: terminals(u),
        pPu: u.pRatedKw / base,
        sPu: u.sRatedKva / base,
        ePuH: e / base,
        etaC: u.etaCharge ?? 0.95,
        etaD: u.etaDischarge ?? 0.95,
        socMin: u.socMin ?? 0.1,
        socMax: u.socMax ?? 0.9,
        b0PuH: ((u.socInitial ?? 0.5) * e) / base,
      });
    }
  }

  // Start voltages: the power flow of each period (loads only), per unit.
  const v0Re = new Float64Array(T * nFree);
  const v0Im = new Float64Array(T * nFree);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < nFree; i++) {
      v0Re[t * nFree + i] = vStartAll[t]!.re[i]! / vb[i]!;
      v0Im[t * nFree + i] = vStartAll[t]!.im[i]! / vb[i]!;
    }
  }

  const priceUsdPerKwh = Float64Array.from(hourOfPeriod, (h) => sampleProfile(study.priceCentsPerKwh, h) / 100);
  const built: Opf3Network = {
    name: net.name,
    baseKva: base,
    study,
    periods: T,
    hourOfPeriod,
    priceUsdPerKwh,
    nFree,
    nSlack: emf.length,
    nodeBus: emf.length ? [...idx.bus.slice(0, nFree), ...emf.map((s) => s.bus)] : idx.bus,
    nodePhase: emf.length ? [...idx.node.slice(0, nFree), ...emf.map((s) => s.phase)] : idx.node,
    nodeVBase: emf.length ? Float64Array.from([...vb.subarray(0, nFree), ...emf.map((s) => s.vb)]) : vb,
    limited,
    slackRe: Float64Array.from({ length: T * emf.length }, (_, k) => emf[k % emf.length]!.re),
    slackIm: Float64Array.from({ length: T * emf.length }, (_, k) => emf[k % emf.length]!.im),
    ...y.arrays(),
    srcRe: thevenin ? null : srcRe,
    srcIm: thevenin ? null : srcIm,
    series,
    loads,
    pv,
    batteries,
    v0Re,
    v0Im,
  };
  // (U6c)–(U6e) (limits.ts)
  return { ...built, limits: buildLimits(net, built, deltaOnly, options.limits) };
}

/**
 * Buses of ungrounded islands: buses joined by lines/switches/reactors form an island; it is
 * grounded when a Vsource, a wye transformer winding, or a wye load, capacitor, shunt or
 * generator with a grounded neutral sits in it. The rest (a delta secondary and its laterals)
 * have node-to-ground voltages fixed only by anti-float admittances.
 */
export function floatingBuses(net: UNetwork): Set<string> {
  const parent = new Map<string, string>();
  const find = (b: string): string => {
    let r = b;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(b, r);
    return r;
  };
  for (const b of net.buses.keys()) parent.set(b, b);
  for (const l of net.lines) parent.set(find(l.bus1.bus), find(l.bus2.bus));
  const grounded = new Set<string>();
  const wyeGround = (t: { bus: string; nodes: readonly number[] }, phases: number): void => {
    if (t.nodes.length <= phases || t.nodes[phases] === 0) grounded.add(find(t.bus));
  };
  for (const v of net.vsources) grounded.add(find(v.bus1.bus));
  for (const xf of net.transformers) for (const w of xf.windings) if (w.conn === 'wye') wyeGround(w.bus, xf.phases);
  for (const l of net.loads) if (l.conn === 'wye') wyeGround(l.bus, l.phases);
  for (const g of net.generators) if (g.conn === 'wye') wyeGround(g.bus, g.phases);
  for (const c of net.capacitors) if (c.conn === 'wye') grounded.add(find(c.bus1.bus));
  for (const sh of net.shunts) if (sh.conn === 'wye') grounded.add(find(sh.bus.bus));
  const out = new Set<string>();
  for (const b of net.buses.keys()) if (!grounded.has(find(b))) out.add(b);
  return out;
}

/** Buses of `floating` whose island (buses joined by lines) has a line with shunt admittance. */
export function chargedIslandBuses(net: UNetwork, floating: ReadonlySet<string>): Set<string> {
  const parent = new Map<string, string>();
  const find = (b: string): string => {
    let r = b;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(b, r);
    return r;
  };
  for (const b of floating) parent.set(b, b);
  const roots = new Set<string>();
  for (const l of net.lines)
    if (floating.has(l.bus1.bus) && floating.has(l.bus2.bus)) parent.set(find(l.bus1.bus), find(l.bus2.bus));
  for (const l of net.lines) {
    if (!floating.has(l.bus1.bus)) continue;
    if (l.yShunt.re.some((v) => v !== 0) || l.yShunt.im.some((v) => v !== 0)) roots.add(find(l.bus1.bus));
  }
  return new Set([...floating].filter((b) => roots.has(find(b))));
}

/** The power flow (loads only, controls frozen) of every period: node voltages in volts. */
function startVoltages(
  net: UNetwork,
  system: ReturnType<typeof solveUnbalanced>['system'],
  T: number,
  pfHour: (t: number) => number | null,
  profile: ((t: number) => number) | null,
): { re: Float64Array; im: Float64Array }[] {
  const out: { re: Float64Array; im: Float64Array }[] = [];
  for (let t = 0; t < T; t++) {
    setPeriodInjections(net, system, pfHour(t), 'daily');
    if (profile) {
      const m = profile(t);
      net.loads.forEach((l, k) => {
        if (!l.fixed) system.setInjection(k, l.kw * net.loadMult * m, l.kvar * net.loadMult * m);
      });
    }
    if (system.solve({}, t > 0) < 0) throw new Opf3Error(`the start power flow of period ${t + 1} did not converge`);
    out.push({ re: Float64Array.from(system.vRe), im: Float64Array.from(system.vIm) });
  }
  return out;
}

/** ZIP fractions [Zp, Ip, Pp, Zq, Iq, Pq] of an OpenDSS load model, or a clear refusal. */
function loadZip(
  model: number,
  inj: { zipv: readonly number[] | null; cvrWatts: number; cvrVars: number },
  where: string,
): [number, number, number, number, number, number] {
  const byExp = (e: number, what: string): [number, number, number] => {
    if (e === 0) return [0, 0, 1];
    if (e === 1) return [0, 1, 0];
    if (e === 2) return [1, 0, 0];
    throw new Opf3Error(`${where}: CVR${what}=${e} is not supported by the three-phase OPF (exponents 0, 1, 2 only)`);
  };
  switch (model) {
    case 1:
      return [0, 0, 1, 0, 0, 1];
    case 2:
      return [1, 0, 0, 1, 0, 0];
    case 3:
      return [0, 0, 1, 1, 0, 0];
    case 4:
      return [...byExp(inj.cvrWatts, 'watts'), ...byExp(inj.cvrVars, 'vars')];
    case 5:
      return [0, 1, 0, 0, 1, 0];
    case 8: {
      const z = inj.zipv;
      if (!z || z.length < 6) throw new Opf3Error(`${where}: model 8 needs ZIPV`);
      if (z[6] !== undefined && z[6] > 0)
        throw new Opf3Error(`${where}: a ZIPV cut-off voltage is not supported by the three-phase OPF`);
      return [z[0]!, z[1]!, z[2]!, z[3]!, z[4]!, z[5]!];
    }
    default:
      throw new Opf3Error(
        `${where}: load model ${model} is not supported by the three-phase OPF (models 1, 2, 3, 4 with integer CVR exponents, 5, 8)`,
      );
  }
}

export interface ThreePhaseOpfRun {
  readonly network: Opf3Network;
  readonly outcome: Opf3Outcome;
  /**
   * Solves: 1 when every load's voltage region decided in the solve (U5c) was tight at the
   * solution; more when elements had to be held in a region (U5b) and the OPF solved again.
   */
  readonly rounds: number;
  /** NLP iterations of all the solves. */
  readonly totalIterations: number;
}

/**
 * Largest power (pu) a (U5c) element may draw beyond OpenDSS's model at its voltage,
 * (s − max(0, |V_ab|²/Vz² − 1))·|S|, for the region to count as decided: the interior-point
 * method ends each s a little off its bound (μ over the solver's objective scale; on IEEE 123
 * 1e-6 of the load, 4e-8 pu, which moved the power flow's voltages by 6e-8 pu).
 */
const REGION_GAP_TOL_PU = 1e-7;

/**
 * Load elements whose region relaxation (U5c) is not tight at the solution x — the solve made
 * them consume more than OpenDSS's model would at their voltage, which pays only where the
 * extra consumption relieves a binding limit or the price is negative — with the region their
 * voltage puts them in: key `${name}@${t}`.
 */
export function looseRegions(model: ReturnType<typeof solveOpf3>['model'], x: Float64Array): Map<string, 'own' | 'z'> {
  const { net, ix } = model;
  const out = new Map<string, 'own' | 'z'>();
  const nLoad = net.loads.length;
  for (let t = 0; t < net.periods; t++) {
    const at = (node: number): [number, number] =>
      node < 0 ? [0, 0] : [x[ix.e[t * net.nFree + node]!]!, x[ix.e[t * net.nFree + node]! + 1]!];
    net.loads.forEach((ld, k) => {
      const sIx = ix.regionS[t * nLoad + k]!;
      if (sIx < 0) return;
      const [ea, fa] = at(ld.a);
      const [eb, fb] = at(ld.b);
      const over = ((ea - ld.rho * eb) ** 2 + (fa - ld.rho * fb) ** 2) / ld.region!.vZPu ** 2 - 1;
      const gapPu = (x[sIx]! - Math.max(0, over)) * Math.hypot(ld.pPu[t]!, ld.qPu[t]!);
      if (gapPu > REGION_GAP_TOL_PU) out.set(`${ld.name}@${t}`, over > 0 ? 'z' : 'own');
    });
  }
  return out;
}

/**
 * Builds and solves the three-phase OPF of an imported feeder. Loads' OpenDSS voltage regions
 * (constant Z above Vmaxpu) are decided inside the solve (U5c); where that relaxation is not
 * tight at the solution, the elements are held in the region their voltage is in (U5b) and the
 * OPF solved again (at most `maxRounds` solves), so that the solution is one the power flow —
 * and OpenDSS — reproduce.
 */
export function solveThreePhaseOpf(
  net: UNetwork,
  study: Study,
  units: readonly Opf3UnitSpec[] = [],
  options: FromNetworkOptions & {
    readonly nlp?: SolveOptions;
    readonly hooks?: SolveHooks;
    readonly maxRounds?: number;
  } = {},
): ThreePhaseOpfRun {
  const cache: Opf3BuildCache = {};
  const holds = new Map(options.regionHolds ?? []);
  let network = opf3FromNetwork(net, study, units, { ...options, cache, regionHolds: holds });
  let outcome = withLimitDiagnosis(solveOpf3(network, options.nlp, options.hooks));
  let totalIterations = outcome.nlp.iterations;
  const maxRounds = options.maxRounds ?? 4;
  let rounds = 1;
  while (outcome.optimal && rounds < maxRounds) {
    const loose = looseRegions(outcome.model, outcome.nlp.x);
    if (loose.size === 0) break;
    for (const [key, region] of loose) holds.set(key, region);
    network = opf3FromNetwork(net, study, units, { ...options, cache, regionHolds: holds });
    outcome = withLimitDiagnosis(solveOpf3(network, options.nlp, options.hooks));
    totalIterations += outcome.nlp.iterations;
    rounds++;
  }
  return { network, outcome, rounds, totalIterations };
}
