/**
 * Test and bench helper: the IEEE 123 balanced case of test-data/ieee123-balanced
 * as a Feeder, built from the CSV tables (network, loads, capacitors), the OpenDSS PVSystem and
 * Storage files (placement and ratings) and the profiles. Pure: the caller reads the files and
 * passes their text (tests use node:fs; test support is pure like the solver tree). Built
 * directly from the reference tables, independently of the product's importers (src-solver/io/)
 * and of the bundled example, so tests can compare those against it.
 */
import type { Battery, Branch, Bus, Capacitor, Feeder, Load, Pv, Shape } from '../../model/feeder';
import type { Profile } from '../../opf/study';

/** Files under reference-data/ieee123-balanced/ this helper needs, relative to that folder. */
export const IEEE123_FILES = {
  linedata: 'csv/linedata.csv',
  powerdata: 'csv/powerdata.csv',
  pv: 'dss/PVSystem.dss',
  storage: 'dss/Storage.dss',
  loadShape: 'profiles/load_shape_24h.csv',
  pvShape: 'profiles/pv_shape_24h.csv',
  price: 'profiles/comed_hourly_prices_2023-11-10.csv',
} as const;

export type Ieee123Texts = Record<keyof typeof IEEE123_FILES, string>;

const V_BASE_KV = 2.4018;

function csvRows(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
}

function dssProps(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const tok of line.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) m.set(tok.slice(0, eq).toLowerCase(), tok.slice(eq + 1));
  }
  return m;
}

function dssName(line: string): string {
  return line.split(/\s+/)[1]!.replace(/"/g, '').split('.')[1]!;
}

/** The hourly shape column (second) of a `hour,value` CSV. */
function shapeValues(text: string): number[] {
  return csvRows(text).map((r) => Number(r[1]));
}

/** An hourly profile from a headerless `hour,value` CSV (every row is an hour, the first is hour 0). */
export function hourlyProfile(text: string): Profile {
  return { intervalH: 1, values: shapeValues(text) };
}

export function ieee123Feeder(tx: Ieee123Texts): Feeder {
  const busSet = new Set<string>();
  const branches: Branch[] = csvRows(tx.linedata)
    .slice(1)
    .map((r, k) => {
      busSet.add(r[0]!);
      busSet.add(r[1]!);
      return {
        name: `l${k + 1}`,
        from: r[0]!,
        to: r[1]!,
        rOhm: Number(r[2]),
        xOhm: Number(r[3]),
        kind: 'line' as const,
      };
    });
  const loads: Load[] = [];
  const capacitors: Capacitor[] = [];
  for (const r of csvRows(tx.powerdata).slice(1)) {
    busSet.add(r[0]!);
    const p = Number(r[1]);
    const q = Number(r[2]);
    const qc = Number(r[3]);
    if (p !== 0 || q !== 0)
      loads.push({ name: `L${r[0]}`, bus: r[0]!, pKw: p, qKvar: q, shape: 'LoadShape', dssModel: 1 });
    if (qc !== 0) capacitors.push({ name: `C${r[0]}`, bus: r[0]!, qKvar: qc });
  }
  const pv: Pv[] = tx.pv
    .split(/\r?\n/)
    .filter((l) => /^New\s+PVSystem/i.test(l))
    .map((l) => {
      const p = dssProps(l);
      return {
        name: dssName(l),
        bus: p.get('bus1')!.split('.')[0]!,
        pRatedKw: Number(p.get('pmpp')),
        sRatedKva: Number(p.get('kva')),
        shape: 'PVShape',
      };
    });
  const batteries: Battery[] = tx.storage
    .split(/\r?\n/)
    .filter((l) => /^New\s+Storage/i.test(l))
    .map((l) => {
      const p = dssProps(l);
      return {
        name: dssName(l),
        bus: p.get('bus1')!.split('.')[0]!,
        pRatedKw: Number(p.get('kwrated')),
        energyKwh: Number(p.get('kwhrated')),
        sRatedKva: Number(p.get('kva')),
        etaCharge: Number(p.get('%effcharge')) / 100,
        etaDischarge: Number(p.get('%effdischarge')) / 100,
        socMin: Number(p.get('%reserve')) / 100,
        socMax: 0.95, // spec table (not an OpenDSS Storage property)
        socInitial: Number(p.get('%stored')) / 100,
      };
    });
  const shapes: Shape[] = [
    { name: 'LoadShape', intervalH: 1, mult: shapeValues(tx.loadShape) },
    { name: 'PVShape', intervalH: 1, mult: shapeValues(tx.pvShape) },
  ];
  const buses: Bus[] = [...busSet].map((name) => ({ name, vBaseKv: V_BASE_KV }));
  return {
    name: 'ieee123_balanced',
    baseKva: 1000,
    substation: { bus: '1', vSetPu: 1.03 },
    buses,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes,
  };
}

/** The ComEd hourly price profile (cents/kWh, hour 0..23). */
export function ieee123Price(tx: Pick<Ieee123Texts, 'price'>): Profile {
  return {
    intervalH: 1,
    values: csvRows(tx.price)
      .slice(1)
      .map((r) => Number(r[2])),
  };
}

/** Reads the files with the caller's reader (e.g. `(rel) => readFileSync(new URL(rel, dir), 'utf8')`). */
export function readIeee123Texts(read: (relativePath: string) => string): Ieee123Texts {
  const out = {} as Record<string, string>;
  for (const [k, rel] of Object.entries(IEEE123_FILES)) out[k] = read(rel);
  return out as Ieee123Texts;
}
