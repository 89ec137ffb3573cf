/**
 * A run's dashboards: the totals table of the source papers and the charts a planner reads at a
 * glance (overview), every battery as small multiples, the voltage view (bus × period heatmap and
 * the network coloured by voltage with a period slider) and the OPF vs AC power flow validation.
 * Every option comes from src-shared/charts.ts, every number's text from src-shared/format.ts, so
 * the PDF report shows the same charts and the same numbers.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunDetail } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import {
  batteryFleetOption,
  batteryMultiplesHeight,
  batteryMultiplesOption,
  batteryOrder,
  lossOption,
  periodLabels,
  priceCostOption,
  pvOption,
  substationOption,
  VOLTAGE_STOPS,
  voltageColor,
  voltageEnvelopeOption,
  voltageHeatmapOption,
  voltageRange,
  voltageRows,
} from '../../../src-shared/charts';
import { formatInUnit, formatKw, formatNumber, formatPu, formatSci, totalsRows } from '../../../src-shared/format';
import {
  ANSI_RANGE_A,
  ANSI_RANGE_B,
  batteryFigures,
  electricalDistanceOhm,
  voltageViolations,
} from '../../../src-shared/study';
import { NetworkGraph, type NetworkGraphHandle } from '../graph/NetworkGraph';
import type { FeederTree } from '../../../src-shared/topology';
import { EChart } from './EChart';
import { BranchLoadingList } from './BranchLoadingList';
import { voltageProfileRangeOption } from '../../../src-shared/profile';
import { useWithBranchSeries } from '../runs/useBranchSeries';
import { ElementDetails, type RunElement } from '../runs/ElementDetails';

/** The totals table; `data-value` carries the unrounded number for tests that compare sources. */
export function TotalsTable({ run, testId = 'totals-table' }: { run: RunDetail; testId?: string }) {
  const rows = totalsRows(run);
  return (
    <table className="grid totals" data-testid={testId}>
      <thead>
        <tr>
          <th>Total over {run.periods} periods</th>
          <th className="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key} data-value={r.value ?? ''}>
            <td>{r.label}</td>
            <td className="num">{r.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Overview: totals and the system charts. `onReady` fires once every chart has drawn. */
export function Overview({ run, onReady }: { run: RunDetail; onReady?: () => void }) {
  const options = useMemo(() => {
    const hasPv = run.pvNames.length > 0 && (run.series.pvKw ?? []).some((v) => Math.abs(v) > 1e-9);
    return [
      ...(run.batteryNames.length > 0
        ? [
            {
              id: 'battery-fleet',
              title: `Batteries: stored energy and net power (${run.batteryNames.length === 1 ? 'one battery' : `all ${run.batteryNames.length}`})`,
              option: batteryFleetOption(run),
            },
          ]
        : []),
      { id: 'substation', title: 'Substation P and Q against demand and PV', option: substationOption(run) },
      { id: 'price-cost', title: 'Energy price and cost per period', option: priceCostOption(run) },
      { id: 'losses', title: 'Line losses per period', option: lossOption(run) },
      ...(hasPv ? [{ id: 'pv', title: 'PV real and reactive power', option: pvOption(run) }] : []),
      { id: 'voltage-envelope', title: 'Lowest and highest bus voltage', option: voltageEnvelopeOption(run) },
    ];
  }, [run]);
  const drawn = useRef(new Set<string>());
  const ready = useRef(onReady);
  ready.current = onReady;
  useEffect(() => {
    drawn.current = new Set();
  }, [options]);
  const mark = (id: string) => {
    drawn.current.add(id);
    if (drawn.current.size === options.length) ready.current?.();
  };
  const simultaneous = run.maxSimultaneousChargeDischargeKw;
  return (
    <div className="dash-overview">
      <div className="dash-side">
        <h3>Totals</h3>
        <TotalsTable run={run} />
        <p
          className="muted small"
          data-testid="simultaneous-note"
          title="Largest simultaneous charge and discharge of one battery in one period (min of the two), kW"
        >
          {simultaneous !== null && simultaneous < 1e-3 ? (
            <>
              No battery charges and discharges in the same hour (<strong>{formatKw(simultaneous)}</strong>)
            </>
          ) : (
            <>
              A battery charges and discharges in the same hour by up to <strong>{formatKw(simultaneous)}</strong>:
              raise α to discourage it
            </>
          )}
          .
        </p>
        {run.batteryNames.length > 0 && <BatteryTable run={run} />}
        {run.pvNames.length === 0 && (
          <p className="muted small" data-testid="no-pv-note">
            This scenario has no PV.
          </p>
        )}
      </div>
      <div className="dash-charts">
        {options.map((o) => (
          <figure key={o.id} className="chart-card">
            <figcaption>{o.title}</figcaption>
            <EChart option={o.option} height={210} testId={`chart-${o.id}`} onDrawn={() => mark(o.id)} />
          </figure>
        ))}
      </div>
    </div>
  );
}

/** Batteries listed at once; a feeder with more shows its busiest first and a button for the rest. */
const BATTERY_ROWS_SHOWN = 50;

/** Every battery: size, equivalent full cycles, energy through it, and what its shifting is worth. */
export function BatteryTable({ run }: { run: RunDetail }) {
  const all = useMemo(() => batteryFigures(run), [run]);
  const [showAll, setShowAll] = useState(false);
  // Thousands of rows would slow the Overview for nothing: the busiest batteries first, the rest on request.
  const rows = useMemo(
    () =>
      showAll || all.length <= BATTERY_ROWS_SHOWN
        ? all
        : [...all].sort((a, b) => b.dischargedKwh - a.dischargedKwh).slice(0, BATTERY_ROWS_SHOWN),
    [all, showAll],
  );
  return (
    <>
      <h3>Batteries</h3>
      {rows.length < all.length && (
        <p className="muted small" data-testid="battery-table-partial">
          The {rows.length} busiest of {formatNumber(all.length, 0)} batteries (by energy discharged).{' '}
          <button type="button" className="link" onClick={() => setShowAll(true)}>
            Show all {formatNumber(all.length, 0)}
          </button>
        </p>
      )}
      <div className="table-scroll">
        <table className="grid" data-testid="battery-table" aria-label="Battery results">
          <thead>
            <tr>
              <th>Battery</th>
              <th>Bus</th>
              <th className="num" title="Power rating, kW / energy rating, kWh">
                Size
              </th>
              <th className="num" title="Equivalent full cycles: energy discharged ÷ usable energy">
                Cycles
              </th>
              <th className="num" title="Energy discharged over the study, kWh">
                Out kWh
              </th>
              <th className="num" title="Arbitrage value: Σ price × (discharge − charge) × Δt at the study's prices">
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.name} data-battery={b.name}>
                <td>{b.name}</td>
                <td>{b.bus}</td>
                <td className="num">
                  {formatNumber(b.pRatedKw, 0)} kW / {formatNumber(b.energyKwh, 0)} kWh
                </td>
                <td className="num">{formatNumber(b.cycles, 2)}</td>
                <td className="num">{formatNumber(b.dischargedKwh, 1)}</td>
                <td className="num">{formatInUnit(b.arbitrageUsd, 'USD')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Buses outside ANSI C84.1 Range A (and B), worst first; a click shows the bus at its worst hour. */
function ViolationList({
  violations,
  onLocate,
}: {
  violations: ReturnType<typeof voltageViolations>;
  onLocate: (bus: string, at: string) => void;
}) {
  const hoursTitle =
    'Periods outside Range A (normal service); in brackets, outside Range B (infrequent, to be corrected)';
  return (
    <figure className="chart-card violations" data-testid="voltage-violations" data-count={violations.length}>
      <figcaption
        title={`ANSI C84.1 service voltage: Range A ${ANSI_RANGE_A.min}–${ANSI_RANGE_A.max} pu (normal), Range B ${ANSI_RANGE_B.min}–${ANSI_RANGE_B.max} pu (infrequent)`}
      >
        Voltage limits (ANSI C84.1 Range A {ANSI_RANGE_A.min}–{ANSI_RANGE_A.max} pu)
      </figcaption>
      {violations.length === 0 ? (
        <p className="good small">Every bus is within Range A in every period.</p>
      ) : (
        <>
          <p className="small">
            {violations.length} bus{violations.length === 1 ? '' : 'es'} outside Range A
            {violations.some((v) => v.range === 'B')
              ? `, ${violations.filter((v) => v.range === 'B').length} also outside Range B`
              : ''}
            . Click one to see it on the network at its worst hour.
          </p>
          <div className="table-scroll">
            <table className="grid">
              <thead>
                <tr>
                  <th>Bus</th>
                  <th>Outside</th>
                  <th className="num" title={hoursTitle}>
                    Hours A (B)
                  </th>
                  <th className="num">Worst</th>
                  <th>At</th>
                </tr>
              </thead>
              <tbody>
                {violations.slice(0, 200).map((v) => (
                  <tr key={v.bus} data-bus={v.bus}>
                    <td>
                      <button className="link" onClick={() => onLocate(v.bus, v.worstAt)}>
                        {v.bus}
                      </button>
                    </td>
                    <td className={v.range === 'B' ? 'bad' : 'warn'}>Range {v.range}</td>
                    <td className="num">
                      {v.hours}
                      {v.hoursB > 0 ? ` (${v.hoursB})` : ''}
                    </td>
                    <td className="num">{formatPu(v.worstPu)}</td>
                    <td>{v.worstAt}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </figure>
  );
}

const PAGE = 12;

/** Every battery's SOC, charge/discharge and reactive power, largest throughput first, 12 per page. */
export function Batteries({ run }: { run: RunDetail }) {
  const order = useMemo(() => batteryOrder(run), [run]);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(order.length / PAGE));
  const shown = order.slice(page * PAGE, page * PAGE + PAGE);
  const key = shown.join(',');
  // Fewer batteries than columns: as many columns as batteries, so one battery fills the width.
  const columns = Math.max(1, Math.min(3, shown.length));
  const option = useMemo(
    () => batteryMultiplesOption(run, key ? key.split(',').map(Number) : [], columns, columns === 1 ? 260 : 170),
    [run, key, columns],
  );
  if (order.length === 0) return <p className="empty">This scenario has no battery.</p>;
  return (
    <div data-testid="battery-multiples" data-count={order.length}>
      <div className="dash-head">
        <p className="muted small">
          {order.length} batter{order.length === 1 ? 'y' : 'ies'}, largest energy throughput first. Dashed red lines:
          SOC limits and ±rated power. Charge is drawn below zero. Largest simultaneous charge and discharge:{' '}
          <strong>{formatKw(run.maxSimultaneousChargeDischargeKw)}</strong>.
        </p>
        {pages > 1 && (
          <div className="pager">
            <button
              onClick={() => setPage((p) => Math.max(0, p - 1))}
              disabled={page === 0}
              aria-label="Previous batteries"
            >
              ‹
            </button>
            <span className="small">
              {page * PAGE + 1}–{page * PAGE + shown.length} of {order.length}
            </span>
            <button
              onClick={() => setPage((p) => Math.min(pages - 1, p + 1))}
              disabled={page >= pages - 1}
              aria-label="Next batteries"
            >
              ›
            </button>
          </div>
        )}
      </div>
      <EChart
        option={option}
        height={batteryMultiplesHeight(shown.length, columns, columns === 1 ? 260 : 170)}
        testId="chart-batteries"
      />
    </div>
  );
}

/** Voltages: bus × period heatmap, and the network coloured by voltage at the period of the slider. */
export function Voltages({ run, feeder, tree }: { run: RunDetail; feeder: Feeder | null; tree: FeederTree | null }) {
  const rows = useMemo(() => voltageRows(run), [run]);
  const range = useMemo(() => voltageRange(run, rows), [run, rows]);
  const heatmap = useMemo(() => voltageHeatmapOption(run, rows), [run, rows]);
  const labels = useMemo(() => periodLabels(run), [run]);
  const [t, setT] = useState(0);
  const period = Math.min(t, run.periods - 1);
  const { colors, lowest } = useMemo(() => {
    const T = run.periods;
    const v = run.series.voltagePu ?? [];
    const m = new Map<string, string>();
    let lowest = { bus: '', v: Infinity };
    run.busNames.forEach((bus, i) => {
      const x = v[i * T + period];
      if (x === undefined) return;
      m.set(bus, voltageColor(x, range));
      if (x < lowest.v) lowest = { bus, v: x };
    });
    return { colors: m, lowest };
  }, [run, period, range]);
  const heatHeight = Math.min(560, Math.max(260, rows.rows * 4 + 60));
  const violations = useMemo(() => voltageViolations(run), [run]);
  const distance = useMemo(() => (feeder && tree ? electricalDistanceOhm(feeder, tree) : null), [feeder, tree]);
  const profile = useMemo(
    () => (tree && distance ? voltageProfileRangeOption(run, tree, distance, period) : null),
    [run, tree, distance, period],
  );
  const graph = useRef<NetworkGraphHandle>(null);
  const [inspect, setInspect] = useState<RunElement | null>(null);
  // Branch currents and loading arrive separately (runs.branchSeries); until then the lists wait.
  const branches = useWithBranchSeries(run);
  const networkCard = useRef<HTMLElement>(null);
  // Bring the network into view (it sits below the lists), then centre the bus on it.
  const show = (bus: string) => {
    networkCard.current?.scrollIntoView?.({ block: 'nearest' });
    graph.current?.focusBus(bus);
  };
  const locate = (bus: string, at: string) => {
    const k = labels.indexOf(at);
    if (k >= 0) setT(k);
    show(bus);
    setInspect({ kind: 'bus', name: bus });
  };
  return (
    <div className="dash-voltage">
      <ViolationList violations={violations} onLocate={locate} />
      {branches.run ? (
        <BranchLoadingList
          run={branches.run}
          onLocate={(r) => {
            setT(r.peakPeriod);
            show(r.to);
            setInspect({ kind: 'branch', from: r.from, to: r.to });
          }}
        />
      ) : (
        <figure className="chart-card violations" data-testid="branch-loading-pending">
          <figcaption>Branch loading (% of the normal rating)</figcaption>
          <p className={branches.error ? 'bad small' : 'muted small'}>
            {branches.error ?? 'Reading the branch results…'}
          </p>
        </figure>
      )}
      {profile && (
        <figure className="chart-card">
          <figcaption className="profile-head">
            <span data-testid="profile-hour">
              Voltage along the feeder at {labels[period]} (period {period + 1}): each dot a bus, each segment a branch;
              triangles: each bus’s lowest and highest over the study
            </span>
            <span className="pager">
              <button onClick={() => setT(Math.max(0, period - 1))} disabled={period === 0} aria-label="Previous hour">
                ‹
              </button>
              <button
                onClick={() => setT(Math.min(run.periods - 1, period + 1))}
                disabled={period >= run.periods - 1}
                aria-label="Next hour"
              >
                ›
              </button>
            </span>
          </figcaption>
          <EChart option={profile} height={260} testId="chart-voltage-profile" />
        </figure>
      )}
      <figure className="chart-card">
        <figcaption>
          Bus voltage by period
          {rows.groupSize > 1 ? ` (each row: the lowest of ${rows.groupSize} consecutive buses)` : ''}
        </figcaption>
        <EChart option={heatmap} height={heatHeight} testId="chart-voltage-heatmap" />
      </figure>
      <figure className="chart-card network-card" ref={networkCard}>
        <figcaption>
          Network at{' '}
          <output data-testid="voltage-period">
            {labels[period]} (period {period + 1})
          </output>{' '}
          · lowest {formatPu(lowest.v)} at bus {lowest.bus}
        </figcaption>
        <label className="slider">
          <span className="small muted">Period</span>
          <input
            type="range"
            min={0}
            max={run.periods - 1}
            step={1}
            value={period}
            onChange={(e) => setT(Number(e.target.value))}
            aria-label="Period"
          />
        </label>
        <div className="network-voltage">
          {feeder && tree ? (
            <NetworkGraph
              ref={graph}
              feeder={feeder}
              tree={tree}
              busColors={colors}
              testId="voltage-graph"
              onTapBus={(bus) => setInspect({ kind: 'bus', name: bus })}
              onTapEdge={(from, to) => setInspect({ kind: 'branch', from, to })}
            />
          ) : (
            <p className="muted pad">Loading the network…</p>
          )}
        </div>
        <div className="voltage-scale" aria-label="Voltage colour scale">
          <span className="small">{range[0].toFixed(3)} pu</span>
          <i style={{ background: `linear-gradient(to right, ${VOLTAGE_STOPS.join(', ')})` }} />
          <span className="small">{range[1].toFixed(3)} pu</span>
        </div>
        <p className="muted small">Click a bus or a branch for its voltage, power and loading over the study.</p>
      </figure>
      {inspect && <ElementDetails run={branches.run ?? run} item={inspect} onClose={() => setInspect(null)} />}
    </div>
  );
}

/** OPF vs the independent AC power flow, per period and the largest discrepancies. */
export function Validation({ run }: { run: RunDetail }) {
  const v = run.validation;
  const labels = periodLabels(run);
  if (!v && run.threePhase)
    return (
      <p className="empty" data-testid="validation-three-phase">
        Validated by the three-phase power flow: largest node-voltage discrepancy{' '}
        {formatSci(run.threePhase.validation.maxDiffPu)} pu
        {run.threePhase.validation.at ? ` at ${run.threePhase.validation.at}` : ''} (per hour in the per-phase panel
        above).
      </p>
    );
  if (!v) return <p className="empty">This run has no AC power flow validation (it did not finish with a solution).</p>;
  return (
    <div data-testid="validation">
      <dl className="facts kpis">
        <dt>Largest voltage difference</dt>
        <dd data-testid="validation-voltage">{formatSci(v.maxVoltageDiffPu)} pu</dd>
        <dt>Largest loss difference</dt>
        <dd>{formatSci(v.maxLossDiffPu)} pu</dd>
        <dt>Largest substation power difference</dt>
        <dd>{formatSci(v.maxSubstationDiffPu)} pu</dd>
      </dl>
      <div className="table-scroll tall">
        <table className="grid" data-testid="validation-table">
          <thead>
            <tr>
              <th>Period</th>
              <th className="num">OPF loss kW</th>
              <th className="num">AC PF loss kW</th>
              <th className="num">OPF substation kW</th>
              <th className="num">AC PF substation kW</th>
              <th className="num">OPF substation kvar</th>
              <th className="num">AC PF substation kvar</th>
              <th className="num">Δ substation kW</th>
            </tr>
          </thead>
          <tbody>
            {v.periods.map((p, t) => (
              <tr key={t}>
                <td>{labels[t] ?? t + 1}</td>
                <td className="num">{formatNumber(p.lossKwOpf, 3)}</td>
                <td className="num">{formatNumber(p.lossKwPf, 3)}</td>
                <td className="num">{formatNumber(p.substationKwOpf, 2)}</td>
                <td className="num">{formatNumber(p.substationKwPf, 2)}</td>
                <td className="num">{formatNumber(p.substationKvarOpf, 2)}</td>
                <td className="num">{formatNumber(p.substationKvarPf, 2)}</td>
                <td className="num">{formatSci(p.substationKwPf - p.substationKwOpf)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
