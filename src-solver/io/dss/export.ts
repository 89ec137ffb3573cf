/**
 * Feeder (+ optional dispatch) → an OpenDSS script set that OpenDSS runs as is, and that
 * `importDss` reads back into the same model.
 *
 * The script is the balanced single-phase equivalent (phases=1 everywhere, kV line-to-neutral,
 * powers per phase), like the reference IEEE 123 case:
 *   Master.dss      circuit (substation bus, set point), VoltageBases, the Redirects, daily-mode solve
 *   Lines.dss       lines/switches (1-phase, r1 + j·x1 ohm; OpenDSS takes Z0 = Z1 for 1-phase lines),
 *                   transformers/regulators as 1-phase 2-winding transformers on baseKva
 *                   (regulators get a disabled RegControl: taps stay fixed)
 *   LoadShapes.dss  the feeder's shapes (mult and qmult)
 *   Loads.dss, Capacitors.dss, PVSystems.dss, Storage.dss
 *   BusCoords.csv   when buses have coordinates
 * With a dispatch, each controlled device becomes a Load with its own LoadShape (Dispatch.dss):
 * kW=1 kvar=1 scaled by mult = −P(t) and qmult = −Q(t) (a negative load injects), because
 * LoadShape qmult is honoured by Loads. PVSystems.dss/Storage.dss are then still written (for
 * the ratings) but not redirected, so nothing is counted twice.
 */
import { shapeMultiplier, type Feeder } from '../../model/feeder';
import type { Dispatch } from '../dispatch';

/** The dispatch written into the script (see ../dispatch). */
export type DssDispatch = Dispatch;

export class DssExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DssExportError';
  }
}

const n = (v: number): string => String(v);
const arr = (v: readonly number[]): string => `[${v.map(n).join(' ')}]`;

function objectName(cls: string, name: string): string {
  if (/["']/.test(name))
    throw new DssExportError(`${cls} name ${JSON.stringify(name)} has quotes, which OpenDSS cannot read`);
  return /[\s,=()[\]{}!]/.test(name) ? `"${cls}.${name}"` : `${cls}.${name}`;
}

function busName(name: string): string {
  if (/[\s.,=()[\]{}!"']/.test(name))
    throw new DssExportError(
      `bus name ${JSON.stringify(name)} cannot be written to OpenDSS (no blanks, dots, quotes or brackets in bus names)`,
    );
  return name;
}

/** The script set as file name → text. Throws DssExportError for names OpenDSS cannot hold. */
export function exportDss(feeder: Feeder, dispatch?: DssDispatch): Record<string, string> {
  const files: Record<string, string> = {};
  const base = new Map(feeder.buses.map((b) => [b.name.toLowerCase(), b.vBaseKv]));
  const kv = (bus: string): number => base.get(bus.toLowerCase()) ?? NaN;
  const header = (what: string) =>
    `! ${what} of feeder ${feeder.name}, written by Tessera (balanced single-phase equivalent)\n`;

  // Lines, switches, transformers, regulators.
  const lines: string[] = [header('Branches')];
  for (const b of feeder.branches) {
    const amps = b.ampacityA !== undefined ? ` normamps=${n(b.ampacityA)}` : '';
    if (b.kind === 'line' || b.kind === 'switch') {
      const sw = b.kind === 'switch' ? ' switch=yes' : '';
      lines.push(
        `New ${objectName('Line', b.name)} phases=1 bus1=${busName(b.from)} bus2=${busName(b.to)}${sw} length=1 units=none r1=${n(b.rOhm)} x1=${n(b.xOhm)} r0=${n(b.rOhm)} x0=${n(b.xOhm)} c1=0 c0=0${amps}`,
      );
    } else {
      // Percent impedance on (baseKva, to-bus kV), all of it on the `to` side's base as Branch.rOhm is.
      const zBase = (kv(b.to) * kv(b.to) * 1000) / feeder.baseKva;
      const rPct = (b.rOhm / zBase) * 100;
      const xPct = (b.xOhm / zBase) * 100;
      lines.push(
        `New ${objectName('Transformer', b.name)} phases=1 windings=2 buses=[${busName(b.from)} ${busName(b.to)}] kVs=[${n(kv(b.from))} ${n(kv(b.to))}] kVAs=[${n(feeder.baseKva)} ${n(feeder.baseKva)}] %Rs=[${n(rPct / 2)} ${n(rPct / 2)}] XHL=${n(xPct)} %noloadloss=0 %imag=0`,
      );
      if (b.kind === 'regulator')
        lines.push(
          `New ${objectName('RegControl', b.name)} transformer=${b.name} winding=2 vreg=120 band=2 ptratio=${n((kv(b.to) * 1000) / 120)} enabled=no  ! tap held fixed`,
        );
    }
  }
  files['Lines.dss'] = lines.join('\n') + '\n';

  // Shapes (the feeder's), then loads and capacitors.
  const shapeLines = [header('Load shapes')];
  for (const s of feeder.shapes) {
    shapeLines.push(
      `New ${objectName('LoadShape', s.name)} npts=${s.mult.length} interval=${n(s.intervalH)} mult=${arr(s.mult)}${s.qmult ? ` qmult=${arr(s.qmult)}` : ''}`,
    );
  }
  files['LoadShapes.dss'] = shapeLines.join('\n') + '\n';
  files['Loads.dss'] =
    [
      header('Loads'),
      ...feeder.loads.map(
        (l) =>
          `New ${objectName('Load', l.name)} bus1=${busName(l.bus)} phases=1 kV=${n(kv(l.bus))} kW=${n(l.pKw)} kvar=${n(l.qKvar)} model=${l.dssModel ?? 1} vminpu=0.8 vmaxpu=1.2${l.shape !== undefined ? ` daily=${l.shape}` : ''}`,
      ),
    ].join('\n') + '\n';
  files['Capacitors.dss'] =
    [
      header('Capacitors'),
      ...feeder.capacitors.map(
        (c) =>
          `New ${objectName('Capacitor', c.name)} bus1=${busName(c.bus)} phases=1 kV=${n(kv(c.bus))} kvar=${n(c.qKvar)}`,
      ),
    ].join('\n') + '\n';
  files['PVSystems.dss'] =
    [
      header('PV systems'),
      ...feeder.pv.map(
        (p) =>
          `New ${objectName('PVSystem', p.name)} bus1=${busName(p.bus)} phases=1 kV=${n(kv(p.bus))} kVA=${n(p.sRatedKva)} Pmpp=${n(p.pRatedKw)} irradiance=1 %cutin=0.001 %cutout=0.001${p.shape !== undefined ? ` daily=${p.shape}` : ''}`,
      ),
    ].join('\n') + '\n';
  files['Storage.dss'] =
    [
      header('Batteries'),
      ...feeder.batteries.map(
        (b) =>
          `New ${objectName('Storage', b.name)} bus1=${busName(b.bus)} phases=1 kV=${n(kv(b.bus))} kVA=${n(b.sRatedKva)} kWrated=${n(b.pRatedKw)} kWhrated=${n(b.energyKwh)} %stored=${n(b.socInitial * 100)} %reserve=${n(b.socMin * 100)} %EffCharge=${n(b.etaCharge * 100)} %EffDischarge=${n(b.etaDischarge * 100)} %IdlingkW=0 DispMode=External` +
          (b.socMax !== 1 ? `  ! Tessera socMax=${n(b.socMax)} (OpenDSS has no SOC ceiling)` : ''),
      ),
    ].join('\n') + '\n';

  if (dispatch) files['Dispatch.dss'] = dispatchScript(feeder, dispatch, kv);

  const coords = feeder.buses.filter((b) => b.x !== undefined && b.y !== undefined);
  if (coords.length > 0)
    files['BusCoords.csv'] = coords.map((b) => `${busName(b.name)}, ${n(b.x!)}, ${n(b.y!)}`).join('\n') + '\n';

  const sub = feeder.substation;
  const basesLl = [...new Set(feeder.buses.map((b) => Number((b.vBaseKv * Math.sqrt(3)).toPrecision(7))))].sort(
    (a, b) => b - a,
  );
  const master = [
    `! Feeder ${feeder.name}: balanced single-phase equivalent written by Tessera (base ${feeder.baseKva} kVA per phase)`,
    'Clear',
    `New ${objectName('Circuit', feeder.name)} basekv=${n(kv(sub.bus))} pu=${n(sub.vSetPu)} phases=1 bus1=${busName(sub.bus)} R1=0 X1=0.00000001 R0=0 X0=0.00000001`,
    'Redirect Lines.dss',
    'Redirect LoadShapes.dss',
    'Redirect Loads.dss',
    'Redirect Capacitors.dss',
    ...(dispatch
      ? [
          '! PV and batteries run from their dispatch shapes (Dispatch.dss); PVSystems.dss and Storage.dss hold their ratings',
          'Redirect Dispatch.dss',
        ]
      : ['Redirect PVSystems.dss', 'Redirect Storage.dss']),
    `Set VoltageBases=${arr(basesLl)}  ! line-to-line kV`,
    'CalcVoltageBases',
    ...(coords.length > 0 ? ['BusCoords BusCoords.csv'] : []),
    ...(dispatch
      ? [`Set mode=daily stepsize=${n(dispatch.intervalH * 3600)}s number=${dispatch.periods}`, 'Solve']
      : []),
  ];
  files['Master.dss'] = master.join('\n') + '\n';
  return files;
}

function dispatchScript(feeder: Feeder, d: DssDispatch, kv: (bus: string) => number): string {
  const T = d.periods;
  const series = (
    table: Readonly<Record<string, readonly number[]>> | undefined,
    name: string,
    what: string,
  ): number[] => {
    const v = table?.[name];
    if (v === undefined) return new Array<number>(T).fill(0);
    if (v.length !== T) throw new DssExportError(`dispatch ${what} of ${name} has ${v.length} values for ${T} periods`);
    return [...v];
  };
  const neg = (v: readonly number[]) => v.map((x) => (x === 0 ? 0 : -x));
  const out = [
    `! Dispatch of feeder ${feeder.name}: ${T} periods of ${d.intervalH} h. Each device is a Load of kW=1 kvar=1`,
    '! whose own LoadShape gives mult = −P(t) and qmult = −Q(t) (negative load = injection).',
  ];
  for (const p of feeder.pv) {
    const shape = `dispatch_pv_${p.name}`;
    // P follows the PV's own shape at each period's start hour, as in the power flow and the OPF
    const pvShape = p.shape === undefined ? undefined : feeder.shapes.find((x) => x.name === p.shape);
    if (p.shape !== undefined && !pvShape) throw new DssExportError(`PV ${p.name}: shape "${p.shape}" is not defined`);
    const pKw = Array.from(
      { length: T },
      (_, t) => (pvShape ? shapeMultiplier(pvShape, t * d.intervalH) : 1) * p.pRatedKw,
    );
    out.push(
      `New ${objectName('LoadShape', shape)} npts=${T} interval=${n(d.intervalH)} mult=${arr(neg(pKw))} qmult=${arr(neg(series(d.pvKvar, p.name, 'pvKvar')))}`,
    );
    out.push(
      `New ${objectName('Load', `pv_${p.name}`)} bus1=${busName(p.bus)} phases=1 kV=${n(kv(p.bus))} kW=1 kvar=1 model=1 vminpu=0.5 vmaxpu=1.5 daily=${shape}`,
    );
  }
  for (const b of feeder.batteries) {
    const shape = `dispatch_battery_${b.name}`;
    out.push(
      `New ${objectName('LoadShape', shape)} npts=${T} interval=${n(d.intervalH)} mult=${arr(neg(series(d.batteryKw, b.name, 'batteryKw')))} qmult=${arr(neg(series(d.batteryKvar, b.name, 'batteryKvar')))}`,
    );
    out.push(
      `New ${objectName('Load', `battery_${b.name}`)} bus1=${busName(b.bus)} phases=1 kV=${n(kv(b.bus))} kW=1 kvar=1 model=1 vminpu=0.5 vmaxpu=1.5 daily=${shape}`,
    );
  }
  return out.join('\n') + '\n';
}
