/**
 * PV and batteries a planner places on a three-phase feeder from the command line:
 * `--battery BUS[.PHASES]:KW:KWH[:KVA]` and `--pv BUS[.PHASES]:KW[:KVA]`, with OpenDSS-style
 * phase suffixes (`675.1` a single-phase unit on phase 1, `675.1.2.3` a three-phase unit; no suffix:
 * all the bus's phases). The OPF models single-phase units — one phase to neutral, or line-to-line
 * between two phases (`684.1.3`, or a two-phase bus without suffix) — and three-phase units
 * dispatched balanced (docs/spec/unbalanced-opf.md (U8), (U10)).
 *
 * Defaults are the balanced `--battery`'s (src-solver/siting/battery.ts): battery inverter
 * 1.2 × kW, start 62.5 %, SOC window 30–95 %, efficiencies 95 %; PV inverter 1.1 × kW (the seeded
 * placement's ratio, placement.ts).
 */
import { BATTERY_DEFAULTS } from '../siting/battery';
import type { UNetwork } from '../unbalanced/model';
import type { Opf3UnitSpec } from './fromNetwork';
import { Opf3Error } from './network';

export const PV_KVA_PER_KW = 1.1;

export interface UnitOptions {
  readonly socMax?: number;
  readonly socMin?: number;
  readonly socInitial?: number;
}

/** `BUS[.P[.P…]]` → bus and phases (null: all the bus's phases). */
function busAndPhases(text: string, what: string): { bus: string; phases: number[] | null } {
  const [bus, ...rest] = text.split('.');
  if (!bus) throw new Opf3Error(`${what}: the bus name is empty`);
  if (rest.length === 0) return { bus: bus.toLowerCase(), phases: null };
  const phases = rest.map((p) => {
    const n = Number(p);
    if (p === '' || !Number.isInteger(n) || n < 1 || n > 3)
      throw new Opf3Error(`${what}: phase "${p}" must be 1, 2 or 3`);
    return n;
  });
  if (new Set(phases).size !== phases.length) throw new Opf3Error(`${what}: phase repeated in "${text}"`);
  return { bus: bus.toLowerCase(), phases };
}

function positive(text: string, s: string | undefined, what: string): number {
  const x = Number(s);
  if (s === undefined || s.trim() === '' || !Number.isFinite(x) || !(x > 0))
    throw new Opf3Error(`${text}: ${what} must be a positive number (got "${s ?? ''}")`);
  return x;
}

/**
 * The unit's phases on the feeder (the given ones, each present on the bus, or all of its
 * phases) and its connection: one phase to neutral, two phases line-to-line, three phases.
 */
function resolvePhases(
  net: UNetwork,
  what: string,
  bus: string,
  phases: number[] | null,
): { phases: number[]; connection: 'wye' | 'delta' } {
  const b = net.buses.get(bus);
  if (!b) throw new Opf3Error(`${what}: the feeder ${net.name} has no bus "${bus}"`);
  const has = b.nodes.filter((n) => n >= 1 && n <= 3);
  const ph = phases ?? has;
  for (const p of ph)
    if (!has.includes(p))
      throw new Opf3Error(`${what}: bus ${bus} has no phase ${p} (it has ${has.join('.') || 'none'})`);
  if (ph.length === 0) throw new Opf3Error(`${what}: bus ${bus} has no phase conductors`);
  // a line-to-line unit keeps OpenDSS's order as written (684.1.3: from phase 1 to phase 3)
  return ph.length === 2
    ? { phases: [...ph], connection: 'delta' }
    : { phases: [...ph].sort((a, c) => a - c), connection: 'wye' };
}

function uniqueName(taken: Set<string>, base: string): string {
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}`;
  taken.add(name);
  return name;
}

/**
 * The units of the `--pv` and `--battery` texts on `net`; names `pv-<bus>` / `bat-<bus>` (then
 * `-2`, …). Throws Opf3Error naming the text and the field for anything wrong.
 */
export function parseUnitSpecs(
  net: UNetwork,
  pvTexts: readonly string[],
  batteryTexts: readonly string[],
  opts: UnitOptions = {},
): Opf3UnitSpec[] {
  const taken = new Set<string>();
  const units: Opf3UnitSpec[] = [];
  for (const text of pvTexts) {
    const what = `--pv ${text}`;
    const parts = text.split(':');
    if (parts.length < 2 || parts.length > 3) throw new Opf3Error(`${what}: expected BUS[.PHASES]:KW[:KVA]`);
    const { bus, phases } = busAndPhases(parts[0]!.trim(), what);
    const kw = positive(what, parts[1], 'KW');
    const kva = parts[2] !== undefined && parts[2].trim() !== '' ? positive(what, parts[2], 'KVA') : PV_KVA_PER_KW * kw;
    if (kva < kw) throw new Opf3Error(`${what}: KVA ${kva} is below KW ${kw}`);
    units.push({
      kind: 'pv',
      name: uniqueName(taken, `pv-${bus}`),
      bus,
      ...resolvePhases(net, what, bus, phases),
      pRatedKw: kw,
      sRatedKva: kva,
    });
  }
  const d = BATTERY_DEFAULTS;
  const socMin = opts.socMin ?? d.socMin;
  const socMax = opts.socMax ?? d.socMax;
  const socInitial = opts.socInitial ?? Math.min(Math.max(d.socInitial, socMin), socMax);
  if (!(socMin >= 0 && socMin < socMax && socMax <= 1))
    throw new Opf3Error(`SOC window must satisfy 0 ≤ min < max ≤ 1 (got ${socMin}–${socMax})`);
  for (const text of batteryTexts) {
    const what = `--battery ${text}`;
    const parts = text.split(':');
    if (parts.length < 3 || parts.length > 4) throw new Opf3Error(`${what}: expected BUS[.PHASES]:KW:KWH[:KVA]`);
    const { bus, phases } = busAndPhases(parts[0]!.trim(), what);
    const kw = positive(what, parts[1], 'KW');
    const kwh = positive(what, parts[2], 'KWH');
    const kva =
      parts[3] !== undefined && parts[3].trim() !== '' ? positive(what, parts[3], 'KVA') : d.inverterKvaPerKw * kw;
    if (kva < kw)
      throw new Opf3Error(`${what}: KVA ${kva} is below KW ${kw} (the inverter must carry the rated power)`);
    units.push({
      kind: 'battery',
      name: uniqueName(taken, `bat-${bus}`),
      bus,
      ...resolvePhases(net, what, bus, phases),
      pRatedKw: kw,
      sRatedKva: kva,
      energyKwh: kwh,
      etaCharge: d.etaCharge,
      etaDischarge: d.etaDischarge,
      socMin,
      socMax,
      socInitial,
    });
  }
  return units;
}
