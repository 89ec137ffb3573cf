/**
 * Test support: IEEE 13 (test-data/opendss-feeders/feeders/) as the app's import takes it — the
 * circuit script, its bus coordinates and the two line-code files it redirects to
 * (13Bus/IEEELineCodes.DSS and ../IEEELineCodes.DSS), named as a folder upload names them. Pure:
 * the caller reads the files (`read(path)`, the path relative to the `feeders/` folder).
 */

/** The circuit script: `import.preview`'s `entry` (the folder holds three .dss files and no Master.dss). */
export const IEEE13_ENTRY = '13Bus/IEEE13Nodeckt.dss';

/** Every file the import needs, relative to test-data/opendss-feeders/feeders/. */
export const IEEE13_FILES = [
  IEEE13_ENTRY,
  '13Bus/IEEE13Node_BusXY.csv',
  '13Bus/IEEELineCodes.DSS',
  'IEEELineCodes.DSS',
] as const;

/** The files as `import.preview` takes them (`{ name, text }`, names relative to `feeders/`). */
export function ieee13ImportFiles(read: (path: string) => string): { name: string; text: string }[] {
  return IEEE13_FILES.map((name) => ({ name, text: read(name) }));
}

/**
 * The three-phase tests' battery at bus 675: 150 kW / 600 kWh, inverter 180 kVA, η 95 %, SOC
 * 20–95 % starting at 50 % (a placement without phases: the tests give it its phase).
 */
export const IEEE13_BATTERY_675 = {
  name: 'bess675b',
  bus: '675',
  pRatedKw: 150,
  energyKwh: 600,
  sRatedKva: 180,
  etaCharge: 0.95,
  etaDischarge: 0.95,
  socMin: 0.2,
  socMax: 0.95,
  socInitial: 0.5,
};
