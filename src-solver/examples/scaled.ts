/**
 * A large test feeder built from copies of a small one — the 10,240-bus benchmark feeder
 * (80 copies of the balanced IEEE 123 case) that the power-flow, OPF and distributed benchmarks
 * share. Pure and deterministic: the same base and options always give the same feeder.
 *
 * Construction: copies are numbered 0 … copies−1 and arranged as a complete tree in heap order:
 * copy c's children are copies B·c + 1 … B·c + B (B = attachBuses.length, 4 by default), child m
 * hanging off copy c's bus `attachBuses[m]` through a tie line of `tieROhm + j·tieXOhm`, into the
 * child's substation bus. Copy 0's substation bus is the feeder's substation. Every copy's loads,
 * capacitors, PV and batteries (power, energy and inverter ratings) are divided by `copies`, so
 * the whole feeder carries exactly one base feeder's load. Bus and element names are prefixed
 * `c<copy>_` (no dots: OpenDSS reads a dot in a bus name as a phase). Shapes are shared.
 */
import type { Branch, Feeder } from '../model/feeder';

export interface ScaledFeederOptions {
  /** Buses of each copy that feed its child copies, in child order. Default IEEE 123's 13, 60, 44, 76. */
  readonly attachBuses?: readonly string[];
  /** Tie-line series resistance / reactance, ohm. Defaults 0.01 and 0.02. */
  readonly tieROhm?: number;
  readonly tieXOhm?: number;
  /** Feeder name. Default `<base name>-x<copies>`. */
  readonly name?: string;
}

export const IEEE123_ATTACH_BUSES: readonly string[] = ['13', '60', '44', '76'];

/** Prefix of copy `k`'s names. */
export const copyPrefix = (k: number): string => `c${k}_`;

export function generateScaledFeeder(base: Feeder, copies = 80, options: ScaledFeederOptions = {}): Feeder {
  const attach = options.attachBuses ?? IEEE123_ATTACH_BUSES;
  const tieROhm = options.tieROhm ?? 0.01;
  const tieXOhm = options.tieXOhm ?? 0.02;
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`copies must be a positive integer (got ${copies})`);
  if (attach.length === 0) throw new Error('attachBuses must name at least one bus');
  const baseBus = new Map(base.buses.map((b) => [b.name, b]));
  for (const a of attach)
    if (!baseBus.has(a)) throw new Error(`attach bus "${a}" is not a bus of feeder "${base.name}"`);
  const root = base.substation.bus;
  const f = 1 / copies;
  const B = attach.length;

  const buses: Feeder['buses'][number][] = [];
  const branches: Branch[] = [];
  const loads: Feeder['loads'][number][] = [];
  const capacitors: Feeder['capacitors'][number][] = [];
  const pv: Feeder['pv'][number][] = [];
  const batteries: Feeder['batteries'][number][] = [];
  for (let k = 0; k < copies; k++) {
    const p = copyPrefix(k);
    for (const b of base.buses) buses.push({ ...b, name: p + b.name });
    for (const br of base.branches) branches.push({ ...br, name: p + br.name, from: p + br.from, to: p + br.to });
    if (k > 0) {
      const parent = Math.floor((k - 1) / B);
      const m = (k - 1) % B;
      const from = copyPrefix(parent) + attach[m];
      branches.push({ name: `tie_c${parent}_c${k}`, from, to: p + root, rOhm: tieROhm, xOhm: tieXOhm, kind: 'line' });
    }
    for (const l of base.loads)
      loads.push({ ...l, name: p + l.name, bus: p + l.bus, pKw: l.pKw * f, qKvar: l.qKvar * f });
    for (const c of base.capacitors) capacitors.push({ ...c, name: p + c.name, bus: p + c.bus, qKvar: c.qKvar * f });
    for (const u of base.pv)
      pv.push({ ...u, name: p + u.name, bus: p + u.bus, pRatedKw: u.pRatedKw * f, sRatedKva: u.sRatedKva * f });
    for (const b of base.batteries) {
      batteries.push({
        ...b,
        name: p + b.name,
        bus: p + b.bus,
        pRatedKw: b.pRatedKw * f,
        energyKwh: b.energyKwh * f,
        sRatedKva: b.sRatedKva * f,
      });
    }
  }
  return {
    name: options.name ?? `${base.name}-x${copies}`,
    baseKva: base.baseKva,
    substation: { ...base.substation, bus: copyPrefix(0) + root },
    buses,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes: base.shapes,
  };
}
