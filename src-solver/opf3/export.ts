/**
 * The solved dispatch of a three-phase OPF as an OpenDSS script set (`tessera solve
 * --export-dss DIR`, docs/spec/unbalanced-opf.md "Export to OpenDSS"): the feeder's own scripts
 * (copied by the caller, redirected from `Master.dss`) followed by edits that make OpenDSS's daily
 * mode solve exactly what the OPF solved, one solution per period:
 *
 * - Time: `Set mode=daily stepsize=1h number=T`. OpenDSS's daily mode advances the clock before
 *   each solution, so its k-th solution is at hour k, and a fixed-interval LoadShape returns point
 *   round(hour / interval) (1-based, wrapping). Every shape written here has T hourly points:
 *   point k is the OPF's period k (which the OPF evaluated at the feeder's hour startHour + k, see
 *   fromNetwork.ts) — so a start hour other than 0 needs no clock setting.
 * - Loads: every load that follows shapes gets a resampled daily shape — the study's load profile
 *   when the study has one, else its own daily shape sampled at the OPF's hours (mult, qmult and
 *   useActual kept as they were); script PVSystem/Storage/Generator elements with a daily shape
 *   likewise.
 * - PV and batteries: each unit is an OpenDSS Load (model 1, wye on the unit's phases, or a
 *   one-phase delta Load between its two phases for a line-to-line unit) with its
 *   own daily LoadShape, `useactual=yes`, `mult` = the kW it takes (negative when it injects) and
 *   `qmult` = its kvar. Why Loads and not PVSystem/Storage elements: a Load with an actual-valued
 *   shape draws exactly WNominal + j·varNominal = 1000·(mult + j·qmult)/phases per phase whatever
 *   LoadMult is, while OpenDSS's PVSystem adds irradiance/temperature/efficiency curves and cut-in
 *   logic, and its Storage element its own dispatch modes, idling losses, internal impedance and
 *   %stored bookkeeping — none of which is the OPF's model (the OPF's state of charge is written as
 *   a comment per battery). vminpu=0.5 and vmaxpu=2 keep the Load constant-power over every
 *   voltage the OPF allows (OpenDSS switches a Load to constant impedance outside them).
 * - Regulators and capacitors: the taps and capacitor states the OPF held fixed, written as
 *   `Edit Transformer.X wdg=W tap=…` and `Edit Capacitor.C states=[…]`, with every RegControl and
 *   CapControl disabled and `Set ControlMode=OFF` after the mode (setting the mode may change the
 *   control mode).
 *
 * Numbers are written in JavaScript's shortest round-trip form, so the script carries the
 * dispatch to the last bit.
 */
import { sampleProfile } from '../opf/study';
import { shapeMultiplier } from '../unbalanced/powerflow';
import type { UNetwork } from '../unbalanced/model';
import type { UnbalancedPeriod } from '../unbalanced/solve';
import type { Opf3UnitSpec } from './fromNetwork';
import { Opf3Error, type Opf3Network } from './network';
import type { Opf3Period } from './solve';

export interface DssExportOptions {
  /** The feeder's entry script relative to the export folder (forward slashes), redirected first. */
  readonly feederScript: string;
  /** Lines of text for the header comment (objective, status, …). */
  readonly notes?: readonly string[];
}

/** A name safe as an OpenDSS element name. */
const dssName = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');
const num = (x: number): string => (Object.is(x, -0) ? '0' : String(x));
const list = (xs: readonly number[]): string => `(${xs.map(num).join(' ')})`;

/** Master.dss of the export: the feeder, then the dispatch, the fixed controls and the daily run. */
export function exportDispatchDss(
  net: UNetwork,
  opf: Opf3Network,
  periods: readonly Opf3Period[],
  units: readonly Opf3UnitSpec[],
  options: DssExportOptions,
): string {
  const s = opf.study;
  const T = opf.periods;
  if (s.dtH !== 1)
    throw new Opf3Error(`the OpenDSS export runs hourly daily mode: the study's periods must be 1 h (got ${s.dtH} h)`);
  if (periods.length !== T) throw new Opf3Error(`the export needs every period's solution (${periods.length} of ${T})`);
  const out: string[] = [];
  const w = (line = ''): void => void out.push(line);
  w('! Tessera three-phase OPF dispatch (tessera solve --export-dss), for OpenDSS daily mode.');
  w(
    `! Feeder ${net.name}; ${T} period(s) of 1 h from hour ${s.startHour}: OpenDSS's daily solution k (hour k) is the OPF's period k.`,
  );
  for (const n of options.notes ?? []) w(`! ${n}`);
  w();
  w(`Redirect "${options.feederScript}"`);
  w();

  // Loads (and script generators) on shapes resampled at the OPF's hours.
  const hours = Array.from(opf.hourOfPeriod);
  w('! Load shapes as the OPF evaluated them, one point per period.');
  const shapeFor = new Map<string, string>();
  const resampled = (key: string, define: () => string): string => {
    let name = shapeFor.get(key);
    if (name === undefined) {
      name = dssName(`tessera_shape_${shapeFor.size + 1}`);
      shapeFor.set(key, name);
      w(`New LoadShape.${name} npts=${T} interval=1 ${define()}`);
    }
    return name;
  };
  const ownShape = (shapeName: string | null): string => {
    const shape = shapeName ? net.loadShapes.get(shapeName) : undefined;
    if (!shape) return resampled('flat', () => `mult=${list(hours.map(() => 1))}`);
    return resampled(`shape ${shapeName}`, () => {
      const m = hours.map((h) => shapeMultiplier(shape, h + 1));
      const q = m.map((x) => x.q);
      const withQ = q.every((x) => x !== null) ? ` qmult=${list(q as number[])}` : '';
      return `${shape.useActual ? 'useactual=yes ' : ''}mult=${list(m.map((x) => x.p))}${withQ}`;
    });
  };
  const profile = s.loadProfile;
  for (const l of net.loads) {
    if (l.fixed) continue;
    const shape = profile
      ? resampled('study load profile', () => `mult=${list(hours.map((h) => sampleProfile(profile, h)))}`)
      : ownShape(l.daily);
    w(`Edit Load.${l.name} daily=${shape}`);
  }
  const classOf = { pvsystem: 'PVSystem', storage: 'Storage', generator: 'Generator' } as const;
  for (const g of net.generators) if (g.daily) w(`Edit ${classOf[g.kind]}.${g.name} daily=${ownShape(g.daily)}`);
  w();

  // Units: Loads with actual-valued shapes (kW and kvar taken from the network, per unit total).
  w(
    '! PV and batteries as dispatched by the OPF: Loads on actual-valued shapes (kW, kvar taken; negative = injected).',
  );
  const pvSpecs = units.filter((u) => u.kind === 'pv');
  const batSpecs = units.filter((u) => u.kind === 'battery');
  const unit = (u: Opf3UnitSpec, kw: number[], kvar: number[], soc?: number[]): void => {
    const bus = net.buses.get(u.bus.toLowerCase());
    if (!bus) throw new Opf3Error(`${u.kind} ${u.name}: unknown bus ${u.bus}`);
    const name = dssName(`tessera_${u.kind}_${u.name}`);
    const delta = u.connection === 'delta';
    const nph = delta ? 1 : u.phases.length;
    const kv = nph === 1 && !delta ? bus.kvBaseLN : bus.kvBaseLN * Math.sqrt(3);
    if (soc) w(`! battery ${u.name}: state of charge at the end of each period, kWh ${list(soc)}`);
    w(`New LoadShape.${name} npts=${T} interval=1 useactual=yes mult=${list(kw)} qmult=${list(kvar)}`);
    w(
      `New Load.${name} bus1=${bus.name}.${u.phases.join('.')} phases=${nph} conn=${delta ? 'delta' : 'wye'} kV=${num(kv)} kW=1 kvar=0 model=1 vminpu=0.5 vmaxpu=2 daily=${name}`,
    );
  };
  pvSpecs.forEach((u, k) =>
    unit(
      u,
      periods.map((_, t) => -opf.pv[k]!.pPu[t]! * opf.baseKva),
      periods.map((p) => -p.pvKvar[k]!),
    ),
  );
  batSpecs.forEach((u, k) =>
    unit(
      u,
      periods.map((p) => p.batteryChargeKw[k]! - p.batteryDischargeKw[k]!),
      periods.map((p) => -p.batteryKvar[k]!),
      periods.map((p) => p.batterySocKwh[k]!),
    ),
  );
  w();

  // Controls fixed as solved.
  w('! Regulator taps and capacitor states as the OPF held them; their controls off.');
  const regulated = new Set(net.regControls.map((r) => r.transformer));
  for (const r of net.regControls) w(`Edit RegControl.${r.name} enabled=no`);
  for (const c of net.capControls) w(`Edit CapControl.${c.name} enabled=no`);
  for (const xf of net.transformers) {
    if (!regulated.has(xf.name)) continue;
    xf.windings.forEach((wd, i) => w(`Edit Transformer.${xf.name} wdg=${i + 1} tap=${num(wd.tap)}`));
  }
  for (const c of net.capacitors) w(`Edit Capacitor.${c.name} states=[${c.states.join(' ')}]`);
  w();
  w(`Set mode=daily stepsize=1h number=${T}`);
  w('Set ControlMode=OFF');
  w('Solve');
  return `${out.join('\n')}\n`;
}

/**
 * Largest |V| difference (pu) between the OPF's node voltages and a power flow's per period
 * (e.g. the exported scripts run by the three-phase power flow in daily mode), and where. Buses
 * in `floating` (ungrounded islands) are compared line-to-line, as validate.ts does.
 */
export function compareNodeVoltages(
  opf: Opf3Network,
  periods: readonly Opf3Period[],
  pf: readonly UnbalancedPeriod[],
  floating: ReadonlySet<string>,
): { maxDiffPu: number; at: string; compared: number } {
  let maxDiffPu = 0;
  let at = '';
  let compared = 0;
  const byBus = new Map<string, number[]>();
  for (let i = 0; i < opf.nFree; i++) {
    const list = byBus.get(opf.nodeBus[i]!) ?? [];
    list.push(i);
    byBus.set(opf.nodeBus[i]!, list);
  }
  periods.forEach((p, t) => {
    const q = pf[t];
    if (!q) throw new Opf3Error(`the power flow has no period ${t + 1}`);
    const pfV = (bus: string, node: number): [number, number] | null => {
      const m = q.nodeVoltagesPu[bus]?.[node];
      const a = q.nodeAnglesDeg[bus]?.[node];
      return m === undefined || a === undefined
        ? null
        : [m * Math.cos((a * Math.PI) / 180), m * Math.sin((a * Math.PI) / 180)];
    };
    const opfV = (i: number): [number, number] => [
      p.vPu[i]! * Math.cos((p.angleDeg[i]! * Math.PI) / 180),
      p.vPu[i]! * Math.sin((p.angleDeg[i]! * Math.PI) / 180),
    ];
    for (const [bus, nodes] of byBus) {
      const phases = nodes.filter((i) => opf.nodePhase[i]! >= 1 && opf.nodePhase[i]! <= 3);
      for (const i of floating.has(bus) ? phases : nodes) {
        let d: number;
        if (floating.has(bus)) {
          // line-to-line from this phase node to the bus's next one (pu of the line-to-neutral base)
          const j = phases[(phases.indexOf(i) + 1) % phases.length]!;
          if (phases.length < 2) continue;
          const a = pfV(bus, opf.nodePhase[i]!);
          const b = pfV(bus, opf.nodePhase[j]!);
          if (!a || !b) continue;
          const [ar, ai] = opfV(i);
          const [br, bi] = opfV(j);
          d = Math.abs(Math.hypot(a[0] - b[0], a[1] - b[1]) - Math.hypot(ar - br, ai - bi));
        } else {
          const m = q.nodeVoltagesPu[bus]?.[opf.nodePhase[i]!];
          if (m === undefined) continue;
          d = Math.abs(m - p.vPu[i]!);
        }
        compared++;
        if (d > maxDiffPu || at === '') {
          maxDiffPu = Math.max(maxDiffPu, d);
          if (d >= maxDiffPu) at = `${bus}.${opf.nodePhase[i]} (hour ${opf.hourOfPeriod[t]})`;
        }
      }
    }
  });
  return { maxDiffPu, at, compared };
}
