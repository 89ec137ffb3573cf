/**
 * What a click on the graph shows (Network tab): a bus — base voltage, loads, devices of the
 * feeder and of the scenario, its supply branch, depth and area — or a branch — kind, ends,
 * impedance, rating. Everything from the feeder model and the open scenario.
 */
import type { Scenario } from '../../../../src-main/contract';
import type { Feeder } from '../../../../src-solver/model/feeder';
import { formatNumber, plural } from '../../../../src-shared/format';
import type { FeederTree } from '../../../../src-shared/topology';

export type Inspected =
  | { readonly kind: 'bus'; readonly name: string }
  | { readonly kind: 'branch'; readonly from: string; readonly to: string };

const KIND_TEXT = {
  line: 'Line',
  switch: 'Switch',
  transformer: 'Transformer',
  regulator: 'Voltage regulator',
} as const;

export function Details({
  item,
  feeder,
  tree,
  scenario,
  areaOf,
  onClose,
  onBus,
}: {
  item: Inspected;
  feeder: Feeder;
  tree: FeederTree;
  scenario: Scenario;
  areaOf: (bus: string) => number | null;
  onClose: () => void;
  onBus: (bus: string) => void;
}) {
  const head = (title: string) => (
    <div className="details-head">
      <h2>{title}</h2>
      <button className="link" onClick={onClose}>
        Feeder facts
      </button>
    </div>
  );
  if (item.kind === 'bus') {
    const bus = feeder.buses.find((b) => b.name === item.name);
    if (!bus)
      return (
        <div data-testid="details">
          {head(`Bus ${item.name}`)}
          <p className="bad">No such bus in this feeder.</p>
        </div>
      );
    const i = tree.index.get(bus.name)!;
    const loads = feeder.loads.filter((l) => l.bus === bus.name);
    const caps = feeder.capacitors.filter((c) => c.bus === bus.name);
    const pv = scenario.placements.pv.filter((d) => d.bus === bus.name);
    const bats = scenario.placements.batteries.filter((d) => d.bus === bus.name);
    const parent = tree.parent[i]! >= 0 ? tree.names[tree.parent[i]!]! : null;
    const supply = tree.parentBranch[i]! >= 0 ? feeder.branches[tree.parentBranch[i]!]! : null;
    const children = tree.names.filter((_, k) => tree.parent[k] === i);
    const area = areaOf(bus.name);
    return (
      <div data-testid="details" data-bus={bus.name}>
        {head(`Bus ${bus.name}`)}
        <dl className="facts">
          <dt>Base voltage</dt>
          <dd>{formatNumber(bus.vBaseKv, 4)} kV line-to-neutral</dd>
          <dt>Loads</dt>
          <dd>
            {loads.length === 0
              ? 'none'
              : `${formatNumber(
                  loads.reduce((s, l) => s + l.pKw, 0),
                  1,
                )} kW, ${formatNumber(
                  loads.reduce((s, l) => s + l.qKvar, 0),
                  1,
                )} kvar at peak (${plural(loads.length, 'load')})`}
          </dd>
          <dt>Capacitors</dt>
          <dd>
            {caps.length === 0 ? 'none' : caps.map((c) => `${c.name} ${formatNumber(c.qKvar, 0)} kvar`).join(', ')}
          </dd>
          <dt>PV</dt>
          <dd>
            {pv.length === 0
              ? 'none'
              : pv
                  .map((d) => `${d.name} ${formatNumber(d.pRatedKw, 1)} kW / ${formatNumber(d.sRatedKva, 1)} kVA`)
                  .join(', ')}
          </dd>
          <dt>Batteries</dt>
          <dd>
            {bats.length === 0
              ? 'none'
              : bats
                  .map(
                    (d) =>
                      `${d.name} ${formatNumber(d.pRatedKw, 1)} kW / ${formatNumber(d.energyKwh, 1)} kWh, inverter ${formatNumber(d.sRatedKva, 1)} kVA`,
                  )
                  .join(', ')}
          </dd>
          <dt>Supplied from</dt>
          <dd>
            {parent && supply ? (
              <>
                <button className="link" onClick={() => onBus(parent)}>
                  bus {parent}
                </button>{' '}
                by {KIND_TEXT[supply.kind].toLowerCase()} {supply.name} ({formatNumber(supply.rOhm, 4)} + j
                {formatNumber(supply.xOhm, 4)} Ω
                {supply.ampacityA !== undefined ? `, ${formatNumber(supply.ampacityA, 0)} A` : ''})
              </>
            ) : feeder.substation.bus === bus.name ? (
              `the substation (${feeder.substation.vSetPu} pu)`
            ) : (
              'not connected to the substation'
            )}
          </dd>
          <dt>Feeds</dt>
          <dd>{children.length === 0 ? 'no bus (end of the feeder)' : plural(children.length, 'bus', 'buses')}</dd>
          <dt>Depth</dt>
          <dd>{tree.depth[i]! >= 0 ? `${tree.depth[i]} branches from the substation` : '–'}</dd>
          {area !== null && (
            <>
              <dt>Area</dt>
              <dd>{area}</dd>
            </>
          )}
          {bus.x !== undefined && bus.y !== undefined && (
            <>
              <dt>Coordinates</dt>
              <dd>
                {formatNumber(bus.x, 3)}, {formatNumber(bus.y, 3)}
              </dd>
            </>
          )}
        </dl>
      </div>
    );
  }
  const br = feeder.branches.find(
    (b) => (b.from === item.from && b.to === item.to) || (b.from === item.to && b.to === item.from),
  );
  if (!br)
    return (
      <div data-testid="details">
        {head(`Branch ${item.from}–${item.to}`)}
        <p className="bad">No such branch in this feeder.</p>
      </div>
    );
  return (
    <div data-testid="details" data-branch={br.name}>
      {head(`${KIND_TEXT[br.kind]} ${br.name}`)}
      <dl className="facts">
        <dt>From – to</dt>
        <dd>
          <button className="link" onClick={() => onBus(br.from)}>
            bus {br.from}
          </button>{' '}
          –{' '}
          <button className="link" onClick={() => onBus(br.to)}>
            bus {br.to}
          </button>
        </dd>
        <dt>Impedance</dt>
        <dd>
          {formatNumber(br.rOhm, 4)} + j{formatNumber(br.xOhm, 4)} Ω (|Z|{' '}
          {formatNumber(Math.hypot(br.rOhm, br.xOhm), 4)} Ω
          {br.kind === 'transformer' ? ', referred to the low-voltage side' : ''})
        </dd>
        <dt>Rating</dt>
        <dd>{br.ampacityA !== undefined ? `${formatNumber(br.ampacityA, 0)} A` : 'not rated'}</dd>
        <dt>Model</dt>
        <dd>single-phase equivalent (balanced)</dd>
      </dl>
    </div>
  );
}
