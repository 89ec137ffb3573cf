/**
 * A battery to add for a what-if — `tessera solve --battery BUS:KW:KWH[:KVA[:PHASES]]` and every
 * configuration the siting study evaluates — with the bundled example's defaults (the reference
 * case's ratios, src-solver/io/csv/reference.ts): inverter 1.2 × kW, initial energy 62.5 %, SOC
 * window 30–95 %, charge and discharge efficiency 95 %.
 *
 * Units are the feeder model's: on the balanced feeders that is the single-phase-equivalent
 * kW/kWh the loads are given in. `phases` is carried as a label (1, 2 or 3; default 3 on a
 * balanced feeder, which has no phases) so a three-phase OPF can place the unit on its phases
 * later; the balanced OPF models every battery alike.
 */
import type { Battery, Feeder } from '../model/feeder';

export interface BatterySpec {
  readonly bus: string;
  readonly kw: number;
  readonly kwh: number;
  /** Inverter rating; default `BATTERY_DEFAULTS.inverterKvaPerKw × kw`. */
  readonly kva?: number;
  /** Number of phases (label on balanced feeders); default 3. */
  readonly phases?: number;
  /** Three-phase feeders: the phase nodes (1–3) the unit connects to (siting/threephase.ts). */
  readonly phaseNodes?: readonly number[];
}

export const BATTERY_DEFAULTS = {
  inverterKvaPerKw: 1.2,
  socInitial: 0.625,
  socMin: 0.3,
  socMax: 0.95,
  etaCharge: 0.95,
  etaDischarge: 0.95,
  phases: 3,
} as const;

/** Options that apply to every added battery (e.g. `--soc-max`). */
export interface BatteryOptions {
  readonly socMin?: number;
  readonly socMax?: number;
  readonly socInitial?: number;
  readonly etaCharge?: number;
  readonly etaDischarge?: number;
}

/** Bad battery text or values: the message says which field and why. */
export class BatterySpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatterySpecError';
  }
}

/** Parse `BUS:KW:KWH[:KVA[:PHASES]]` (KVA may be empty for the default: `650:100:400::1`). */
export function parseBatterySpec(text: string): BatterySpec {
  const parts = text.split(':');
  if (parts.length < 3 || parts.length > 5)
    throw new BatterySpecError(`battery "${text}": expected BUS:KW:KWH[:KVA[:PHASES]]`);
  const [bus, kwS, kwhS, kvaS, phS] = parts.map((p) => p.trim());
  if (!bus) throw new BatterySpecError(`battery "${text}": the bus name is empty`);
  const num = (s: string, what: string): number => {
    const x = Number(s);
    if (s === '' || !Number.isFinite(x) || !(x > 0))
      throw new BatterySpecError(`battery "${text}": ${what} must be a positive number (got "${s}")`);
    return x;
  };
  const kw = num(kwS!, 'KW');
  const kwh = num(kwhS!, 'KWH');
  const spec: { bus: string; kw: number; kwh: number; kva?: number; phases?: number } = { bus, kw, kwh };
  if (kvaS !== undefined && kvaS !== '') {
    spec.kva = num(kvaS, 'KVA');
    if (spec.kva < kw)
      throw new BatterySpecError(
        `battery "${text}": KVA ${spec.kva} is below KW ${kw} (the inverter must carry the rated power)`,
      );
  }
  if (phS !== undefined && phS !== '') {
    const ph = Number(phS);
    if (![1, 2, 3].includes(ph))
      throw new BatterySpecError(`battery "${text}": PHASES must be 1, 2 or 3 (got "${phS}")`);
    spec.phases = ph;
  }
  return spec;
}

/** The feeder's Battery for a spec, named `name`, with the defaults above and the options. */
export function batteryFromSpec(spec: BatterySpec, name: string, opts: BatteryOptions = {}): Battery {
  const d = BATTERY_DEFAULTS;
  const socMin = opts.socMin ?? d.socMin;
  const socMax = opts.socMax ?? d.socMax;
  const socInitial = opts.socInitial ?? Math.min(Math.max(d.socInitial, socMin), socMax);
  if (!(socMin >= 0 && socMin < socMax && socMax <= 1))
    throw new BatterySpecError(`SOC window must satisfy 0 ≤ min < max ≤ 1 (got ${socMin}–${socMax})`);
  if (!(socInitial >= socMin && socInitial <= socMax))
    throw new BatterySpecError(`initial SOC ${socInitial} is outside the window ${socMin}–${socMax}`);
  const etaC = opts.etaCharge ?? d.etaCharge;
  const etaD = opts.etaDischarge ?? d.etaDischarge;
  if (!(etaC > 0 && etaC <= 1 && etaD > 0 && etaD <= 1))
    throw new BatterySpecError(`efficiencies must be in (0, 1] (got ${etaC}, ${etaD})`);
  return {
    name,
    bus: spec.bus,
    pRatedKw: spec.kw,
    energyKwh: spec.kwh,
    sRatedKva: spec.kva ?? d.inverterKvaPerKw * spec.kw,
    etaCharge: etaC,
    etaDischarge: etaD,
    socMin,
    socMax,
    socInitial,
  };
}

/**
 * The feeder with the batteries added (names `new-<bus>` / `new-<bus>-2` …, never clashing with
 * the feeder's own). Throws BatterySpecError for a bus the feeder does not have, or the root bus
 * (the OPF has no battery at the substation).
 */
export function withBatteries(feeder: Feeder, specs: readonly BatterySpec[], opts: BatteryOptions = {}): Feeder {
  if (specs.length === 0) return feeder;
  const buses = new Set(feeder.buses.map((b) => b.name));
  const names = new Set(feeder.batteries.map((b) => b.name));
  const added: Battery[] = [];
  for (const s of specs) {
    if (!buses.has(s.bus))
      throw new BatterySpecError(`battery at bus "${s.bus}": the feeder ${feeder.name} has no such bus`);
    if (s.bus === feeder.substation.bus)
      throw new BatterySpecError(
        `battery at bus "${s.bus}": that is the substation (root) bus, where the OPF places no battery`,
      );
    let name = `new-${s.bus}`;
    for (let k = 2; names.has(name); k++) name = `new-${s.bus}-${k}`;
    names.add(name);
    added.push(batteryFromSpec(s, name, opts));
  }
  return { ...feeder, batteries: [...feeder.batteries, ...added] };
}
