/**
 * Property names of the OpenDSS element classes Tessera reads, in OpenDSS's own order (version
 * 9/10 definitions, inherited properties last). The order matters twice, exactly as in OpenDSS:
 * a positional value is the property after the previous one, and an abbreviation resolves to the
 * FIRST property in this order that starts with it (`ph` → phases, `kv` → kV, `Lin` → linecode).
 */

import { GEOMETRY_CLASS_PROPERTIES } from '../../unbalanced/geometryDss';

const PD_INHERITED = ['normamps', 'emergamps', 'faultrate', 'pctperm', 'repair', 'basefreq', 'enabled', 'like'];
const PC_INHERITED = ['spectrum', 'basefreq', 'enabled', 'like'];

export const CLASS_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  vsource: [
    'bus1', 'basekv', 'pu', 'angle', 'frequency', 'phases', 'MVAsc3', 'MVAsc1', 'x1r1', 'x0r0', 'Isc3', 'Isc1', 'R1', 'X1', 'R0', 'X0',
    'ScanType', 'Sequence', 'bus2', 'Z1', 'Z0', 'Z2', 'puZ1', 'puZ0', 'puZ2', 'baseMVA', 'Yearly', 'Daily', 'Duty', 'Model', 'puZideal',
    ...PC_INHERITED,
  ],
  line: [
    'bus1', 'bus2', 'linecode', 'length', 'phases', 'r1', 'x1', 'r0', 'x0', 'C1', 'C0', 'rmatrix', 'xmatrix', 'cmatrix', 'Switch', 'Rg', 'Xg',
    'rho', 'geometry', 'units', 'spacing', 'wires', 'EarthModel', 'cncables', 'tscables', 'B1', 'B0', 'Seasons', 'Ratings', 'LineType',
    ...PD_INHERITED,
  ],
  linecode: [
    'nphases', 'r1', 'x1', 'r0', 'x0', 'C1', 'C0', 'units', 'rmatrix', 'xmatrix', 'cmatrix', 'baseFreq', 'normamps', 'emergamps', 'faultrate',
    'pctperm', 'repair', 'Kron', 'Rg', 'Xg', 'rho', 'neutral', 'B1', 'B0', 'Seasons', 'Ratings', 'LineType', 'like',
  ],
  load: [
    'phases', 'bus1', 'kV', 'kW', 'pf', 'model', 'yearly', 'daily', 'duty', 'growth', 'conn', 'kvar', 'Rneut', 'Xneut', 'status', 'class',
    'Vminpu', 'Vmaxpu', 'Vminnorm', 'Vminemerg', 'xfkVA', 'allocationfactor', 'kVA', '%mean', '%stddev', 'CVRwatts', 'CVRvars', 'kwh',
    'kwhdays', 'Cfactor', 'CVRcurve', 'NumCust', 'ZIPV', '%SeriesRL', 'RelWeight', 'Vlowpu', 'puXharm', 'XRharm', ...PC_INHERITED,
  ],
  capacitor: [
    'bus1', 'bus2', 'phases', 'kvar', 'kv', 'conn', 'cmatrix', 'cuf', 'R', 'XL', 'Harm', 'Numsteps', 'states', ...PD_INHERITED,
  ],
  pvsystem: [
    'phases', 'bus1', 'kv', 'irradiance', 'Pmpp', '%Pmpp', 'Temperature', 'pf', 'conn', 'kvar', 'kVA', '%Cutin', '%Cutout', 'EffCurve',
    'P-TCurve', '%R', '%X', 'model', 'Vminpu', 'Vmaxpu', 'Balanced', 'LimitCurrent', 'yearly', 'daily', 'duty', 'Tyearly', 'Tdaily', 'Tduty',
    'class', 'UserModel', 'UserData', 'debugtrace', 'VarFollowInverter', 'DutyStart', 'WattPriority', 'PFPriority', '%PminNoVars',
    '%PminkvarMax', 'kvarMax', 'kvarMaxAbs', ...PC_INHERITED,
  ],
  storage: [
    'phases', 'bus1', 'kv', 'conn', 'kW', 'kvar', 'pf', 'kVA', '%Cutin', '%Cutout', 'EffCurve', 'VarFollowInverter', 'kvarMax', 'kvarMaxAbs',
    'WattPriority', 'PFPriority', '%PminNoVars', '%PminkvarMax', 'kWrated', '%kWrated', 'kWhrated', 'kWhstored', '%stored', '%reserve',
    'State', '%Discharge', '%Charge', '%EffCharge', '%EffDischarge', '%IdlingkW', '%R', '%X', 'model', 'Vminpu', 'Vmaxpu', 'Balanced',
    'LimitCurrent', 'yearly', 'daily', 'duty', 'DispMode', 'DischargeTrigger', 'ChargeTrigger', 'TimeChargeTrig', 'class', 'DynaDLL',
    'DynaData', 'UserModel', 'UserData', 'debugtrace', ...PC_INHERITED,
  ],
  transformer: [
    'phases', 'windings', 'wdg', 'bus', 'conn', 'kV', 'kVA', 'tap', '%R', 'Rneut', 'Xneut', 'buses', 'conns', 'kVs', 'kVAs', 'taps', 'XHL',
    'XHT', 'XLT', 'Xscarray', 'thermal', 'n', 'm', 'flrise', 'hsrise', '%loadloss', '%noloadloss', 'normhkVA', 'emerghkVA', 'sub', 'MaxTap',
    'MinTap', 'NumTaps', 'subname', '%imag', 'ppm_antifloat', '%Rs', 'bank', 'XfmrCode', 'XRConst', 'X12', 'X13', 'X23', 'LeadLag',
    'WdgCurrents', 'Core', 'RdcOhms', 'Seasons', 'Ratings', ...PD_INHERITED,
  ],
  regcontrol: [
    'transformer', 'winding', 'vreg', 'band', 'ptratio', 'CTprim', 'R', 'X', 'bus', 'delay', 'reversible', 'revvreg', 'revband', 'revR',
    'revX', 'tapdelay', 'debugtrace', 'maxtapchange', 'inversetime', 'tapwinding', 'vlimit', 'PTphase', 'revThreshold', 'revDelay',
    'revNeutral', 'EventLog', 'RemotePTRatio', 'TapNum', 'Reset', 'LDC_Z', 'rev_Z', 'Cogen', 'basefreq', 'enabled', 'like',
  ],
  xfmrcode: [
    'phases', 'windings', 'wdg', 'conn', 'kV', 'kVA', 'tap', '%R', 'Rneut', 'Xneut', 'conns', 'kVs', 'kVAs', 'taps', 'Xhl', 'Xht', 'Xlt',
    'Xscarray', 'thermal', 'n', 'm', 'flrise', 'hsrise', '%loadloss', '%noloadloss', 'normhkVA', 'emerghkVA', 'MaxTap', 'MinTap', 'NumTaps',
    '%imag', 'ppm_antifloat', '%Rs', 'X12', 'X13', 'X23', 'RdcOhms', 'Seasons', 'Ratings', 'like',
  ],
  reactor: [
    'bus1', 'bus2', 'phases', 'kvar', 'kv', 'conn', 'Rmatrix', 'Xmatrix', 'Parallel', 'R', 'X', 'Rp', 'Z1', 'Z2', 'Z0', 'Z', 'RCurve',
    'LCurve', 'LmH', ...PD_INHERITED,
  ],
  capcontrol: [
    'element', 'terminal', 'capacitor', 'type', 'PTratio', 'CTratio', 'ONsetting', 'OFFsetting', 'Delay', 'VoltOverride', 'Vmax', 'Vmin',
    'DelayOFF', 'DeadTime', 'CTPhase', 'PTPhase', 'VBus', 'EventLog', 'UserModel', 'UserData', 'pctMinkvar', 'Reset', 'basefreq', 'enabled',
    'like',
  ],
  generator: [
    'phases', 'bus1', 'kv', 'kW', 'pf', 'kvar', 'model', 'Vminpu', 'Vmaxpu', 'yearly', 'daily', 'duty', 'dispmode', 'dispvalue', 'conn',
    'Rneut', 'Xneut', 'status', 'class', 'Vpu', 'maxkvar', 'minkvar', 'pvfactor', 'forceon', 'kVA', 'MVA', 'Xd', 'Xdp', 'Xdpp', 'H', 'D',
    'UserModel', 'UserData', 'ShaftModel', 'ShaftData', 'DutyStart', 'debugtrace', 'Balanced', 'XRdp', 'UseFuel', 'FuelkWh', '%Fuel',
    '%Reserve', 'Refuel', ...PC_INHERITED,
  ],
  loadshape: [
    'npts', 'interval', 'mult', 'hour', 'mean', 'stddev', 'csvfile', 'sngfile', 'dblfile', 'action', 'qmult', 'UseActual', 'Pmax', 'Qmax',
    'sinterval', 'minterval', 'Pbase', 'Qbase', 'Pmult', 'PQCSVFile', 'MemoryMapping', 'like',
  ],
};
// `Circuit` takes the Vsource properties; `Switch` (not an OpenDSS class — Tessera reads
// `New Switch.x bus1=… bus2=…` as a Line with switch=yes) takes the Line properties.
// WireData, CNData, TSData, LineGeometry, LineSpacing: their lists live with their reader.
Object.assign(CLASS_PROPERTIES as Record<string, readonly string[]>, GEOMETRY_CLASS_PROPERTIES);
(CLASS_PROPERTIES as Record<string, readonly string[]>).circuit = CLASS_PROPERTIES.vsource;
(CLASS_PROPERTIES as Record<string, readonly string[]>).switch = CLASS_PROPERTIES.line;

const lowerLists = new Map<string, string[]>();

/** Canonical (lower-case) property name for a class, resolving abbreviations; null when unknown. */
export function resolveProperty(cls: string, name: string): string | null {
  const list = CLASS_PROPERTIES[cls];
  if (!list) return null;
  let lower = lowerLists.get(cls);
  if (!lower) {
    lower = list.map((p) => p.toLowerCase());
    lowerLists.set(cls, lower);
  }
  const n = name.toLowerCase();
  if (n === '') return null;
  if (lower.includes(n)) return n;
  return lower.find((p) => p.startsWith(n)) ?? null;
}

/** The property after `previous` in the class order (for positional values); null past the end. */
export function nextPositionalProperty(cls: string, previous: string | null): string | null {
  const list = CLASS_PROPERTIES[cls];
  if (!list) return null;
  if (previous === null) return list[0]?.toLowerCase() ?? null;
  const i = list.findIndex((p) => p.toLowerCase() === previous);
  return i >= 0 && i + 1 < list.length ? list[i + 1].toLowerCase() : null;
}
