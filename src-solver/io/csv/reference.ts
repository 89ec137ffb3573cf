/**
 * The reference CSV table pair of the balanced IEEE 123 case (reference-data/ieee123-balanced/csv):
 *
 * - `linedata.csv`: `fbus,tbus,R,X` — one branch per row, ohm. Branches are named `l<row>`
 *   (row = data row, 1-based), matching `Line.l<row>` of the case's OpenDSS script.
 * - `powerdata.csv`: `bus,P_L,Q_L,Q_C,P_der,busType` — one bus per row: peak load kW/kvar, fixed
 *   capacitor kvar (rated at 1 pu), DER rating kW. `busType` is not used.
 *
 * The tables carry no base, substation or device placement, so those are options with the
 * published IEEE 123 values as defaults: substation bus 1 at 1.03 pu, 1000 kVA, 2.4018 kV
 * line-to-neutral. Loads are named `L<bus>`, capacitors `C<bus>`, as in the OpenDSS script.
 *
 * `P_der` is 0.35 × peak load at every one of the 85 load buses: it is the size a DER *would*
 * have at that bus, not a placement (the OpenDSS script places 17 PV and 26 batteries). So PV
 * and batteries are created only at the buses listed in `pvBuses` / `batteryBuses`, rated from
 * `P_der` with the spec's ratios (inverter 1.2 × P, battery 4 h, η 0.95, SOC 0.30–0.95, start 62.5 %).
 */
import type { Battery, Branch, Bus, Capacitor, Feeder, Load, Pv, Shape } from '../../model/feeder';
import type { ImportError, ImportIssue, ImportOutcome } from '../types';
import { SourceMap, locatedValidation } from '../validation';
import { CsvColumns, CsvSyntaxError, parseCsvRecords as parseCsvRecordsNoHeader, parseCsvTable } from './csv';

export interface ReferenceCsvOptions {
  /** Feeder name; default 'ieee123-balanced'. */
  readonly name?: string;
  /** Default '1'; a pair without a bus '1' is fed at its one root (the bus no line runs to), with a warning. */
  readonly substationBus?: string;
  /** Default 1.03 pu. */
  readonly vSetPu?: number;
  /** Default 1000 kVA. */
  readonly baseKva?: number;
  /** Line-to-neutral base of every bus; default 2.4018 kV. */
  readonly vBaseKv?: number;
  /** File names used in messages; default 'linedata.csv' / 'powerdata.csv'. */
  readonly linedataFile?: string;
  readonly powerdataFile?: string;
  /** Buses that get a PV system rated at their P_der; default none. */
  readonly pvBuses?: readonly string[];
  /** Buses that get a battery rated at their P_der; default none. */
  readonly batteryBuses?: readonly string[];
  /** When given, added to the feeder and referenced by every load. */
  readonly loadShape?: Shape;
  /** When given, added to the feeder and referenced by every PV system. */
  readonly pvShape?: Shape;
  /** DER ratios; defaults are the spec's IEEE 123 parameters. */
  readonly der?: Partial<DerRatios>;
}

export interface DerRatios {
  /** Inverter kVA per rated kW (1.2). */
  readonly inverterKvaPerKw: number;
  /** Battery energy per rated kW, hours (4). */
  readonly batteryHours: number;
  readonly etaCharge: number;
  readonly etaDischarge: number;
  readonly socMin: number;
  readonly socMax: number;
  readonly socInitial: number;
}

export const IEEE123_DER_RATIOS: DerRatios = {
  inverterKvaPerKw: 1.2,
  batteryHours: 4,
  etaCharge: 0.95,
  etaDischarge: 0.95,
  socMin: 0.3,
  socMax: 0.95,
  socInitial: 0.625,
};

/** The 17 PV buses and 26 battery buses of the reference case (as its PVSystem.dss / Storage.dss). */
export const IEEE123_PV_BUSES: readonly string[] = [
  '3',
  '9',
  '18',
  '26',
  '35',
  '41',
  '48',
  '53',
  '61',
  '67',
  '73',
  '79',
  '87',
  '94',
  '101',
  '108',
  '116',
];
export const IEEE123_BATTERY_BUSES: readonly string[] = [
  '3',
  '7',
  '11',
  '18',
  '22',
  '30',
  '34',
  '37',
  '41',
  '47',
  '50',
  '53',
  '58',
  '62',
  '67',
  '71',
  '75',
  '79',
  '84',
  '87',
  '92',
  '97',
  '101',
  '106',
  '111',
  '116',
];

/** Reads the linedata/powerdata pair (texts passed in; no file access here). */
export function importReferenceCsv(
  linedataText: string,
  powerdataText: string,
  options: ReferenceCsvOptions = {},
): ImportOutcome {
  const lineFile = options.linedataFile ?? 'linedata.csv';
  const powerFile = options.powerdataFile ?? 'powerdata.csv';
  const vBaseKv = options.vBaseKv ?? 2.4018;
  const ratios: DerRatios = { ...IEEE123_DER_RATIOS, ...options.der };
  const errors: ImportError[] = [];
  const warnings: ImportIssue[] = [];
  const sources = new SourceMap({ file: powerFile, line: 1 });

  let lineTable, powerTable;
  try {
    lineTable = parseCsvTable(linedataText, lineFile);
    powerTable = parseCsvTable(powerdataText, powerFile);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, errors: [e.issue], warnings };
    throw e;
  }
  const lc = new CsvColumns(lineTable, errors);
  const pc = new CsvColumns(powerTable, errors);
  const haveLine = lc.require(['fbus', 'tbus', 'R', 'X']);
  const havePower = pc.require(['bus', 'P_L', 'Q_L', 'Q_C', 'P_der']);
  if (!haveLine || !havePower) return { ok: false, errors, warnings };

  const buses: Bus[] = [];
  const loads: Load[] = [];
  const capacitors: Capacitor[] = [];
  const derKwByBus = new Map<string, number>();
  const busNames = new Map<string, string>();
  for (const row of powerTable.rows) {
    const bus = pc.requiredText(row, 'bus');
    if (bus === '') continue;
    const at = { file: powerFile, line: row.line };
    if (busNames.has(bus.toLowerCase())) {
      errors.push({ ...at, column: 1, message: `row ${row.line}: bus "${bus}" is listed twice` });
      continue;
    }
    busNames.set(bus.toLowerCase(), bus);
    buses.push({ name: bus, vBaseKv });
    sources.set('bus', bus, at);
    const pKw = pc.number(row, 'P_L');
    const qKvar = pc.number(row, 'Q_L');
    const qcKvar = pc.number(row, 'Q_C');
    const derKw = pc.number(row, 'P_der');
    if (pKw !== 0 || qKvar !== 0) {
      const load: Load = options.loadShape
        ? { name: `L${bus}`, bus, pKw, qKvar, shape: options.loadShape.name }
        : { name: `L${bus}`, bus, pKw, qKvar };
      loads.push(load);
      sources.set('load', load.name, at);
    }
    if (qcKvar !== 0) {
      capacitors.push({ name: `C${bus}`, bus, qKvar: qcKvar });
      sources.set('capacitor', `C${bus}`, at);
    }
    derKwByBus.set(bus.toLowerCase(), derKw);
  }

  const branches: Branch[] = [];
  lineTable.rows.forEach((row, k) => {
    const name = `l${k + 1}`;
    const at = { file: lineFile, line: row.line };
    const from = lc.requiredText(row, 'fbus');
    const to = lc.requiredText(row, 'tbus');
    for (const [col, bus] of [
      ['fbus', from],
      ['tbus', to],
    ] as const) {
      if (bus !== '' && !busNames.has(bus.toLowerCase()))
        lc.fail(row, col, `bus "${bus}" is not listed in ${powerFile}`);
    }
    const rOhm = lc.number(row, 'R');
    const xOhm = lc.number(row, 'X');
    branches.push({
      name,
      from: busNames.get(from.toLowerCase()) ?? from,
      to: busNames.get(to.toLowerCase()) ?? to,
      rOhm,
      xOhm,
      kind: 'line',
    });
    sources.set('branch', name, at);
  });

  const derAt = (bus: string, kind: string): number | undefined => {
    const kw = derKwByBus.get(bus.toLowerCase());
    if (kw === undefined) {
      errors.push({
        file: powerFile,
        line: 1,
        message: `${kind} placement names bus "${bus}", which is not in ${powerFile}`,
      });
      return undefined;
    }
    if (!(kw > 0)) {
      errors.push({
        file: powerFile,
        line: sources.locate(`bus ${bus}`).line,
        message: `${kind} placed at bus "${bus}", whose P_der is ${kw} (a positive rating is needed)`,
      });
      return undefined;
    }
    return kw;
  };
  const pv: Pv[] = [];
  for (const bus of options.pvBuses ?? []) {
    const kw = derAt(bus, 'PV');
    if (kw === undefined) continue;
    const name = busNames.get(bus.toLowerCase())!;
    const unit: Pv = { name: `PV${name}`, bus: name, pRatedKw: kw, sRatedKva: ratios.inverterKvaPerKw * kw };
    pv.push(options.pvShape ? { ...unit, shape: options.pvShape.name } : unit);
    sources.set('pv', unit.name, sources.locate(`bus ${name}`));
  }
  const batteries: Battery[] = [];
  for (const bus of options.batteryBuses ?? []) {
    const kw = derAt(bus, 'battery');
    if (kw === undefined) continue;
    const name = busNames.get(bus.toLowerCase())!;
    batteries.push({
      name: `Battery${name}`,
      bus: name,
      pRatedKw: kw,
      energyKwh: ratios.batteryHours * kw,
      sRatedKva: ratios.inverterKvaPerKw * kw,
      etaCharge: ratios.etaCharge,
      etaDischarge: ratios.etaDischarge,
      socMin: ratios.socMin,
      socMax: ratios.socMax,
      socInitial: ratios.socInitial,
    });
    sources.set('battery', `Battery${name}`, sources.locate(`bus ${name}`));
  }
  if (errors.length > 0) return { ok: false, errors, warnings };

  // The pair has no substation column: bus "1" by convention (the published case). A pair
  // without a bus "1" (e.g. `tessera gen scaled`'s copies, named c0_1, c1_1, …) is fed at its
  // root when it has exactly one: the one bus no line runs to; said in a warning.
  let substationBus = options.substationBus ?? '1';
  if (options.substationBus === undefined && !busNames.has('1')) {
    const fed = new Set(branches.map((b) => b.to.toLowerCase()));
    const roots = buses.filter((b) => !fed.has(b.name.toLowerCase()));
    if (roots.length === 1) {
      substationBus = roots[0]!.name;
      warnings.push({
        file: powerFile,
        line: sources.locate(`bus ${substationBus}`).line,
        message: `no bus "1" (the substation by convention): the substation is bus "${substationBus}", the only bus no line runs to`,
      });
    }
  }

  const shapes: Shape[] = [];
  if (options.loadShape) shapes.push(options.loadShape);
  if (options.pvShape && options.pvShape.name !== options.loadShape?.name) shapes.push(options.pvShape);
  const feeder: Feeder = {
    name: options.name ?? 'ieee123-balanced',
    baseKva: options.baseKva ?? 1000,
    substation: {
      bus: busNames.get(substationBus.toLowerCase()) ?? substationBus,
      vSetPu: options.vSetPu ?? 1.03,
    },
    buses,
    branches,
    loads,
    capacitors,
    pv,
    batteries,
    shapes,
  };
  const checked = locatedValidation(feeder, sources);
  if (checked.errors.length > 0)
    return { ok: false, errors: checked.errors, warnings: [...warnings, ...checked.warnings] };
  return { ok: true, feeder, warnings: [...warnings, ...checked.warnings], ignored: [], reduction: null };
}

/** `2023-11-10 00:00:00`, `2023-01-01T01:00`: an hourly timestamp, read as UTC hours since 1970. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
function timestampHours(s: string): number | null {
  const m = TIMESTAMP.exec(s.trim());
  if (!m) return null;
  return (
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) / 3_600_000
  );
}

/**
 * An hourly profile, one value per row, the value in the last column. Rows are keyed either by
 * the hour (`hour,multiplier`: 0, 1, 2, … in order — the reference profiles) or by a timestamp in
 * any column (a market's hourly export: `"Real-Time","2023-11-10 00:00:00",1.6`), one hour apart.
 * A first row without a number in its last column is a header and is skipped. Returns a Shape
 * with a 1 h interval.
 */
export function importProfileCsv(
  text: string,
  name: string,
  file = `${name}.csv`,
): { ok: true; shape: Shape } | { ok: false; errors: ImportError[] } {
  const errors: ImportError[] = [];
  let records;
  try {
    records = parseCsvRecordsNoHeader(text.replace(/^\uFEFF/, ''), file);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, errors: [e.issue] };
    throw e;
  }
  const num = (c: string | undefined) => (c === undefined || c.trim() === '' ? Number.NaN : Number(c));
  if (records.length > 0 && !Number.isFinite(num(records[0]!.cells.at(-1)))) records = records.slice(1);
  const mult: number[] = [];
  let previous: number | null = null;
  for (const r of records) {
    const value = num(r.cells.at(-1));
    const stampAt = r.cells.slice(0, -1).findIndex((c) => timestampHours(c) !== null);
    if (r.cells.length < 2 || !Number.isFinite(value)) {
      errors.push({
        file,
        line: r.line,
        message: `row ${r.line}: expected "hour,value" or "timestamp,value", got "${r.cells.join(',')}"`,
      });
      continue;
    }
    if (stampAt >= 0) {
      const h = timestampHours(r.cells[stampAt]!)!;
      if (previous !== null && Math.abs(h - previous - 1) > 1e-9)
        errors.push({
          file,
          line: r.line,
          column: stampAt + 1,
          message: `row ${r.line}: ${r.cells[stampAt]!.trim()} is ${Math.round((h - previous) * 100) / 100} h after the previous row; an hourly profile needs rows 1 h apart`,
        });
      previous = h;
    } else {
      const hour = num(r.cells[0]);
      if (!Number.isFinite(hour)) {
        errors.push({
          file,
          line: r.line,
          message: `row ${r.line}: expected "hour,value" or "timestamp,value", got "${r.cells.join(',')}"`,
        });
        continue;
      }
      if (hour !== mult.length)
        errors.push({
          file,
          line: r.line,
          column: 1,
          message: `row ${r.line}: hour ${hour} out of order (expected ${mult.length})`,
        });
    }
    mult.push(value);
  }
  if (mult.length === 0 && errors.length === 0) errors.push({ file, line: 1, message: 'the profile has no rows' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, shape: { name, intervalH: 1, mult } };
}
