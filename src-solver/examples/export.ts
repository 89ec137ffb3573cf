/**
 * Write a feeder as an example-project folder (the form `loadExampleProject` reads): the
 * reference CSV pair (`feeder/linedata.csv`, `feeder/powerdata.csv`), the hourly profiles and an
 * `example.json` manifest. Pure: returns relative path → text; the caller writes the files.
 *
 * The reference CSV pair carries one DER rating `P_der` per bus and derives PV and battery
 * ratings from it with fixed ratios (importReferenceCsv's `DerRatios`), so only feeders that
 * follow that pattern can be written: one load per bus, PV and battery at a bus sharing one
 * rating, inverter kVA = 1.2 × kW, battery energy = 4 h × kW, the spec's η and SOC limits, a
 * single base voltage, one load shape and one PV shape. Anything else is refused with the
 * element named (a lossless general writer belongs to io/).
 */
import type { Feeder } from '../model/feeder';
import { IEEE123_DER_RATIOS } from '../io/csv/reference';
import type { ExampleManifest } from './project';

/** Numbers written with full round-trip precision, without exponent noise for ordinary values. */
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(15))));

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

export interface ExampleFolderOptions {
  readonly title: string;
  readonly description: string;
  /** Price profile, cents/kWh per hour (optional). */
  readonly priceCentsPerKwh?: readonly number[];
  readonly study?: ExampleManifest['study'];
}

export function exampleFolderFiles(feeder: Feeder, options: ExampleFolderOptions): Map<string, string> {
  const r = IEEE123_DER_RATIOS;
  const fail = (what: string): never => {
    throw new Error(`cannot write feeder "${feeder.name}" as reference CSV: ${what}`);
  };
  const vBaseKv = feeder.buses[0]?.vBaseKv ?? fail('it has no buses');
  for (const b of feeder.buses)
    if (b.vBaseKv !== vBaseKv) fail(`bus ${b.name} has base ${b.vBaseKv} kV, not ${vBaseKv} kV`);
  const shapeNames = (names: (string | undefined)[], kind: string): string | undefined => {
    const set = new Set(names);
    if (set.size > 1) fail(`its ${kind} use more than one shape`);
    return [...set][0];
  };
  const loadShapeName = shapeNames(
    feeder.loads.map((l) => l.shape),
    'loads',
  );
  const pvShapeName = shapeNames(
    feeder.pv.map((p) => p.shape),
    'PV systems',
  );
  const shape = (name: string | undefined, kind: string) => {
    if (name === undefined) return fail(`its ${kind} have no shape`);
    const s = feeder.shapes.find((x) => x.name === name) ?? fail(`shape ${name} is missing`);
    if (s.intervalH !== 1 || (s.qmult && s.qmult.some((q, i) => q !== s.mult[i])))
      fail(`shape ${name} is not a plain hourly shape`);
    return s.mult;
  };

  const index = new Map(feeder.buses.map((b, i) => [b.name, i]));
  const n = feeder.buses.length;
  const pL = new Float64Array(n);
  const qL = new Float64Array(n);
  const qC = new Float64Array(n);
  const der = new Float64Array(n);
  const hasLoad = new Uint8Array(n);
  for (const l of feeder.loads) {
    const i = index.get(l.bus)!;
    if (hasLoad[i]) fail(`bus ${l.bus} has more than one load`);
    hasLoad[i] = 1;
    pL[i] = l.pKw;
    qL[i] = l.qKvar;
  }
  for (const c of feeder.capacitors) qC[index.get(c.bus)!] += c.qKvar;
  const setDer = (bus: string, kw: number, what: string) => {
    const i = index.get(bus)!;
    if (der[i] !== 0 && !close(der[i], kw))
      fail(`${what} at bus ${bus} is rated ${kw} kW, another device there ${der[i]} kW`);
    der[i] = kw;
  };
  for (const p of feeder.pv) {
    if (!close(p.sRatedKva, r.inverterKvaPerKw * p.pRatedKw))
      fail(`PV ${p.name}: inverter is not ${r.inverterKvaPerKw} × kW`);
    setDer(p.bus, p.pRatedKw, `PV ${p.name}`);
  }
  for (const b of feeder.batteries) {
    const ok =
      close(b.sRatedKva, r.inverterKvaPerKw * b.pRatedKw) &&
      close(b.energyKwh, r.batteryHours * b.pRatedKw) &&
      b.etaCharge === r.etaCharge &&
      b.etaDischarge === r.etaDischarge &&
      b.socMin === r.socMin &&
      b.socMax === r.socMax &&
      b.socInitial === r.socInitial;
    if (!ok) fail(`battery ${b.name} does not follow the reference ratios`);
    setDer(b.bus, b.pRatedKw, `battery ${b.name}`);
  }

  const files = new Map<string, string>();
  files.set(
    'feeder/linedata.csv',
    ['fbus,tbus,R,X', ...feeder.branches.map((b) => `${b.from},${b.to},${fmt(b.rOhm)},${fmt(b.xOhm)}`)].join('\n') +
      '\n',
  );
  files.set(
    'feeder/powerdata.csv',
    [
      'bus,P_L,Q_L,Q_C,P_der,busType',
      ...feeder.buses.map((b, i) => `${b.name},${fmt(pL[i])},${fmt(qL[i])},${fmt(qC[i])},${fmt(der[i])},0`),
    ].join('\n') + '\n',
  );
  const profile = (values: readonly number[]) => values.map((v, h) => `${h},${fmt(v)}`).join('\n') + '\n';
  files.set('profiles/load_shape_24h.csv', profile(shape(loadShapeName, 'loads')));
  files.set(
    'profiles/pv_shape_24h.csv',
    profile(feeder.pv.length > 0 ? shape(pvShapeName, 'PV systems') : new Array(24).fill(0)),
  );
  if (options.priceCentsPerKwh) files.set('profiles/price_cents_per_kwh_24h.csv', profile(options.priceCentsPerKwh));

  const manifest: ExampleManifest = {
    title: options.title,
    description: options.description,
    feeder: {
      format: 'reference-csv',
      name: feeder.name,
      linedata: 'feeder/linedata.csv',
      powerdata: 'feeder/powerdata.csv',
      pvBuses: feeder.pv.map((p) => p.bus),
      batteryBuses: feeder.batteries.map((b) => b.bus),
      substationBus: feeder.substation.bus,
      vSetPu: feeder.substation.vSetPu,
      baseKva: feeder.baseKva,
      vBaseKv,
    },
    profiles: {
      load: 'profiles/load_shape_24h.csv',
      pv: 'profiles/pv_shape_24h.csv',
      ...(options.priceCentsPerKwh ? { price: 'profiles/price_cents_per_kwh_24h.csv' } : {}),
    },
    ...(options.study ? { study: options.study } : {}),
  };
  files.set('example.json', JSON.stringify(manifest, null, 2) + '\n');
  return files;
}
