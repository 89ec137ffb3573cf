/**
 * The feeder as a one-line graph (cytoscape, canvas). Positions are computed here, not by a
 * cytoscape layout: bus coordinates when the feeder has them for every bus, otherwise the tidy
 * tree layout of topology.ts (substation at the top); both go in with `layout: preset`.
 * Devices are small glyph nodes beside their bus; load size is the bus's size; areas colour buses.
 *
 * Elements are built once per feeder. Placements, areas and cuts only update data/classes in
 * one batch, so editing stays fast on 10,000 buses.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import type { CutBranch, Placements } from '../../../src-main/contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { edgeKey, treeLayout, type FeederTree, type LocalAreas } from '../../../src-shared/topology';

export const AREA_COLORS = [
  '#2f6db5',
  '#d9822b',
  '#3a9a5b',
  '#8e5ab5',
  '#c2453d',
  '#2a9d9a',
  '#b59a2f',
  '#6b7a8f',
  '#d45f9b',
  '#5a8f29',
];
export const areaColor = (area: number): string =>
  area <= 0 ? '#9aa4b2' : AREA_COLORS[(area - 1) % AREA_COLORS.length];

export type GraphMode = 'view' | 'areas' | 'place-pv' | 'place-battery';

export interface NetworkGraphProps {
  readonly feeder: Feeder;
  readonly tree: FeederTree;
  readonly placements?: Placements;
  readonly areas?: LocalAreas | null;
  readonly cuts?: readonly CutBranch[];
  readonly mode?: GraphMode;
  readonly onTapEdge?: (from: string, to: string) => void;
  readonly onTapBus?: (bus: string) => void;
  readonly onSelectionChange?: (buses: string[]) => void;
  /** Test id of the container (several graphs can exist, e.g. import preview). */
  readonly testId?: string;
  /** Bus name → colour, overriding the area colours (e.g. the run dashboards' voltage view). */
  readonly busColors?: ReadonlyMap<string, string> | null;
  /**
   * A three-phase feeder's phase letters per bus and per drawn branch: laterals with fewer than
   * three phases are drawn thinner and labelled with their phases ('c', 'ab'), and the hover
   * shows each bus's phases.
   */
  readonly phases?: {
    readonly bus: Readonly<Record<string, string>>;
    readonly branch: Readonly<Record<string, string>>;
  } | null;
  /** More hover rows for a bus (e.g. the base case's per-phase voltages). */
  readonly hoverRows?: ((bus: string) => [string, string][]) | null;
  /** What the load figures are ('three-phase total', 'per phase (single-phase equivalent)'); shown in the hover. */
  readonly powerLabel?: string;
}

export interface NetworkGraphHandle {
  fit(): void;
  zoom(factor: number): void;
  /** Centre on a bus and select it; false when there is no such bus. */
  focusBus(name: string): boolean;
}

interface HoverInfo {
  readonly bus: string;
  readonly x: number;
  readonly y: number;
}

interface GraphTimings {
  elementsMs: number;
  firstRenderMs: number | null;
  fitMs: number | null;
  buses: number;
}

declare global {
  interface Window {
    /** Test hook, present only with `?e2e=1`: read positions, never used by the app itself. */
    __tesseraGraph?: {
      renderedPosition(bus: string): { x: number; y: number } | null;
      edgeMidpoint(from: string, to: string): { x: number; y: number } | null;
      boundingRect(): { left: number; top: number };
      timings: GraphTimings;
      selected(): string[];
      busColor(bus: string): string | null;
      zoom(): number;
      count(selector: string): number;
    };
  }
}

const e2eHooks = typeof location !== 'undefined' && new URLSearchParams(location.search).has('e2e');

function hasCoordinates(feeder: Feeder): boolean {
  return feeder.buses.length > 0 && feeder.buses.every((b) => Number.isFinite(b.x) && Number.isFinite(b.y));
}

/** Positions in model units; coordinates are flipped so north is up and scaled to ~40 px spacing. */
function positions(feeder: Feeder, tree: FeederTree): { x: Float64Array; y: Float64Array } {
  if (!hasCoordinates(feeder)) return treeLayout(tree);
  const n = feeder.buses.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  feeder.buses.forEach((b) => {
    minX = Math.min(minX, b.x!);
    maxX = Math.max(maxX, b.x!);
    minY = Math.min(minY, b.y!);
    maxY = Math.max(maxY, b.y!);
  });
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = (40 * Math.sqrt(n)) / span;
  feeder.buses.forEach((b, i) => {
    x[i] = (b.x! - minX) * scale;
    y[i] = (maxY - b.y!) * scale;
  });
  return { x, y };
}

export const NetworkGraph = forwardRef<NetworkGraphHandle, NetworkGraphProps>(function NetworkGraph(props, ref) {
  const {
    feeder,
    tree,
    placements,
    areas,
    cuts,
    mode = 'view',
    testId = 'network-graph',
    busColors,
    phases,
    hoverRows,
    powerLabel,
  } = props;
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const handlers = useRef(props);
  handlers.current = props;
  const [hover, setHover] = useState<HoverInfo | null>(null);
  /** Bounds of the bus positions, model units: fitting from them skips cytoscape's label-aware bounding box (seconds on 10k buses). */
  const bounds = useRef({ x1: 0, y1: 0, x2: 1, y2: 1 });
  const big = feeder.buses.length > 2000;

  const busData = useMemo(() => {
    const loadKw = new Map<string, { p: number; q: number }>();
    for (const l of feeder.loads) {
      const cur = loadKw.get(l.bus) ?? { p: 0, q: 0 };
      loadKw.set(l.bus, { p: cur.p + l.pKw, q: cur.q + l.qKvar });
    }
    const capKvar = new Map<string, number>();
    for (const c of feeder.capacitors) capKvar.set(c.bus, (capKvar.get(c.bus) ?? 0) + c.qKvar);
    return { loadKw, capKvar };
  }, [feeder]);

  // Build the graph once per feeder.
  useEffect(() => {
    if (!container.current) return;
    const t0 = performance.now();
    const pos = positions(feeder, tree);
    const elements: ElementDefinition[] = [];
    const index = new Map(feeder.buses.map((b, i) => [b.name, i]));
    // Glyphs are bounded by the layout's spacing (the median branch length on screen units), so
    // load circles never swallow their neighbours and labels on small feeders.
    const lengths = feeder.branches
      .map((br) => {
        const a = index.get(br.from);
        const b = index.get(br.to);
        return a === undefined || b === undefined ? NaN : Math.hypot(pos.x[a] - pos.x[b], pos.y[a] - pos.y[b]);
      })
      .filter((d) => d > 0)
      .sort((a, b) => a - b);
    const spacing = lengths.length ? lengths[Math.floor(lengths.length / 2)]! : 40;
    const maxSize = Math.max(6, Math.min(26, 0.45 * spacing));
    feeder.buses.forEach((b, i) => {
      const load = busData.loadKw.get(b.name);
      const size = load ? Math.min(maxSize, 7 + 2.2 * Math.sqrt(Math.max(0, load.p))) : Math.min(6, maxSize);
      elements.push({
        group: 'nodes',
        data: { id: `b:${b.name}`, bus: b.name, label: b.name, size, area: 0 },
        position: { x: pos.x[i], y: pos.y[i] },
        classes: b.name === feeder.substation.bus ? 'bus substation' : load ? 'bus load' : 'bus',
      });
      const cap = busData.capKvar.get(b.name);
      if (cap) {
        // Capacitor: two plates beside the bus (the one-line symbol).
        for (const dy of [-1.8, 1.8])
          elements.push({
            group: 'nodes',
            data: { id: `c:${b.name}:${dy}`, label: '' },
            position: { x: pos.x[i] - 13, y: pos.y[i] + 9 + dy },
            classes: 'glyph cap',
            selectable: false,
            grabbable: false,
          });
      }
    });
    feeder.branches.forEach((br) => {
      elements.push({
        group: 'edges',
        data: {
          id: `e:${edgeKey(br.from, br.to)}`,
          source: `b:${br.from}`,
          target: `b:${br.to}`,
          from: br.from,
          to: br.to,
          kind: br.kind,
        },
        classes: br.kind,
      });
      // One-line symbols at the middle of transformers (two circles), regulators (circle with R)
      // and switches (a square); drawn over the branch, taps pass through to it.
      if (br.kind === 'line' || big) return;
      const a = index.get(br.from);
      const c = index.get(br.to);
      if (a === undefined || c === undefined) return;
      const mx = (pos.x[a] + pos.x[c]) / 2;
      const my = (pos.y[a] + pos.y[c]) / 2;
      const len = Math.hypot(pos.x[c] - pos.x[a], pos.y[c] - pos.y[a]) || 1;
      const ux = (pos.x[c] - pos.x[a]) / len;
      const uy = (pos.y[c] - pos.y[a]) / len;
      const glyph = (id: string, x: number, y: number, cls: string, label = '') =>
        elements.push({
          group: 'nodes',
          data: { id, label },
          position: { x, y },
          classes: `glyph branch-glyph ${cls}`,
          selectable: false,
          grabbable: false,
        });
      if (br.kind === 'transformer') {
        glyph(`x1:${br.name}`, mx - 2.8 * ux, my - 2.8 * uy, 'xf');
        glyph(`x2:${br.name}`, mx + 2.8 * ux, my + 2.8 * uy, 'xf');
      } else if (br.kind === 'regulator') glyph(`r:${br.name}`, mx, my, 'reg', 'R');
      else glyph(`s:${br.name}`, mx, my, 'sw');
    });
    let x1 = Infinity,
      y1 = Infinity,
      x2 = -Infinity,
      y2 = -Infinity;
    for (let i = 0; i < pos.x.length; i++) {
      x1 = Math.min(x1, pos.x[i]);
      x2 = Math.max(x2, pos.x[i]);
      y1 = Math.min(y1, pos.y[i]);
      y2 = Math.max(y2, pos.y[i]);
    }
    // Fit takes in what is drawn around the bus centres: the largest glyph, the device symbols
    // beside a bus, and the labels under it (model units, so they scale with the zoom).
    const longest = feeder.buses.length <= 2000 ? feeder.buses.reduce((m, b) => Math.max(m, b.name.length), 0) : 0;
    const mx = Math.max(maxSize / 2, 18) + longest * 2.8;
    bounds.current = pos.x.length
      ? { x1: x1 - mx, y1: y1 - Math.max(maxSize / 2, 16), x2: x2 + mx, y2: y2 + maxSize / 2 + 14 }
      : { x1: 0, y1: 0, x2: 1, y2: 1 };
    const elementsMs = performance.now() - t0;
    const timings: GraphTimings = { elementsMs, firstRenderMs: null, fitMs: null, buses: feeder.buses.length };
    const cy = cytoscape({
      container: container.current,
      elements,
      layout: { name: 'preset', fit: false },
      style: graphStyle(big),
      minZoom: 0.02,
      maxZoom: 6,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: true,
      selectionType: 'additive',
      autoungrabify: true,
      pixelRatio: big ? 1 : 'auto',
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      hideLabelsOnViewport: true,
      motionBlur: false,
    });
    cyRef.current = cy;
    cy.one('render', () => {
      timings.firstRenderMs = performance.now() - t0;
    });
    const tFit = performance.now();
    fitTo(cy, bounds.current);
    timings.fitMs = performance.now() - tFit;

    cy.on('tap', 'edge', (ev) => {
      const d = ev.target.data();
      handlers.current.onTapEdge?.(d.from, d.to);
    });
    cy.on('tap', 'node.bus', (ev) => handlers.current.onTapBus?.(ev.target.data('bus')));
    const reportSelection = () =>
      handlers.current.onSelectionChange?.(cy.$('node.bus:selected').map((n) => n.data('bus') as string));
    let selTimer: ReturnType<typeof setTimeout> | null = null;
    cy.on('select unselect', 'node.bus', () => {
      if (selTimer) clearTimeout(selTimer);
      selTimer = setTimeout(reportSelection, 30);
    });
    cy.on('mouseover', 'node.bus', (ev) => {
      const p = ev.target.renderedPosition();
      setHover({ bus: ev.target.data('bus'), x: p.x, y: p.y });
    });
    cy.on('mouseout', 'node.bus', () => setHover(null));
    cy.on('viewport', () => setHover(null));

    if (e2eHooks) {
      window.__tesseraGraph = {
        renderedPosition: (bus) => {
          const n = cy.$id(`b:${bus}`);
          return n.nonempty() ? n.renderedPosition() : null;
        },
        edgeMidpoint: (from, to) => {
          const e = cy.$id(`e:${edgeKey(from, to)}`);
          return e.nonempty() ? e.renderedMidpoint() : null;
        },
        boundingRect: () => {
          const r = container.current!.getBoundingClientRect();
          return { left: r.left, top: r.top };
        },
        timings,
        selected: () => cy.$('node.bus:selected').map((n) => n.data('bus') as string),
        zoom: () => cy.zoom(),
        count: (selector) => cy.$(selector).length,
        busColor: (bus) => {
          const n = cy.$id(`b:${bus}`);
          return n.nonempty() ? ((n.data('color') as string | undefined) ?? null) : null;
        },
      };
    }
    return () => {
      if (selTimer) clearTimeout(selTimer);
      cy.destroy();
      cyRef.current = null;
      if (e2eHooks) delete window.__tesseraGraph;
    };
  }, [feeder, tree, busData, big]);

  // Phases of each lateral: edge width by phase count, the letters on branches with fewer than three.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const names = new Map(feeder.branches.map((b) => [edgeKey(b.from, b.to), b.name]));
    cy.batch(() => {
      cy.edges().forEach((e) => {
        const name = names.get(edgeKey(e.data('from'), e.data('to')));
        const letters = phases && name ? (phases.branch[name] ?? '') : '';
        e.removeClass('ph1 ph2');
        if (letters.length === 1 || letters.length === 2) e.addClass(`ph${letters.length}`);
        e.data('phaseLabel', letters.length > 0 && letters.length < 3 && !big ? letters : '');
        e.data('phases', letters);
      });
    });
  }, [phases, feeder, big]);

  // Areas and cuts: colour buses, mark cut branches.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const cutKeys = new Set((cuts ?? []).map((c) => edgeKey(c.from, c.to)));
    cy.batch(() => {
      cy.nodes('.bus').forEach((n) => {
        const i = tree.index.get(n.data('bus'));
        const a = areas && i !== undefined ? areas.areaOf[i] : 0;
        n.data('color', areas && areas.count > 1 ? areaColor(a) : '#4a5a70');
      });
      cy.edges().forEach((e) => {
        const isCut = cutKeys.has(edgeKey(e.data('from'), e.data('to')));
        if (isCut) e.addClass('cut');
        else e.removeClass('cut');
      });
    });
    // busColors: a caller's colouring switched off repaints the areas (its own effect runs after this one).
  }, [areas, cuts, tree, feeder, busColors]);

  // Bus colours given by the caller (voltage view) win over area colours; runs after the area effect.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !busColors) return;
    cy.batch(() => {
      cy.nodes('.bus').forEach((n) => {
        const c = busColors.get(n.data('bus'));
        if (c) n.data('color', c);
      });
    });
  }, [busColors, areas, cuts, tree, feeder]);

  // Devices: PV and battery glyphs from the scenario's placements.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.remove('node.glyph.pv, node.glyph.battery');
      const add = (kind: 'pv' | 'battery', buses: Set<string>) => {
        const items: ElementDefinition[] = [];
        for (const bus of buses) {
          const n = cy.$id(`b:${bus}`);
          if (n.empty()) continue;
          const p = n.position();
          items.push({
            group: 'nodes',
            data: { id: `${kind}:${bus}` },
            position: { x: p.x + (kind === 'pv' ? 12 : -12), y: p.y - 10 },
            classes: `glyph ${kind}`,
            selectable: false,
            grabbable: false,
          });
        }
        cy.add(items);
      };
      add('pv', new Set((placements?.pv ?? []).map((d) => d.bus)));
      add('battery', new Set((placements?.batteries ?? []).map((d) => d.bus)));
    });
  }, [placements, feeder]);

  useEffect(() => {
    const el = container.current;
    if (el) el.dataset.mode = mode;
    const cy = cyRef.current;
    if (cy) cy.boxSelectionEnabled(mode === 'areas' || mode === 'view');
  }, [mode]);

  useImperativeHandle(
    ref,
    () => ({
      fit: () => cyRef.current && fitTo(cyRef.current, bounds.current),
      zoom: (factor) => {
        const cy = cyRef.current;
        if (!cy) return;
        cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      },
      focusBus: (name) => {
        const cy = cyRef.current;
        const n = cy?.$id(`b:${name}`);
        if (!cy || !n || n.empty()) return false;
        cy.$(':selected').unselect();
        n.select();
        cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
        return true;
      },
    }),
    [],
  );

  const info = hover
    ? [
        ...busInfo(hover.bus, feeder, busData, placements, areas, tree, powerLabel),
        ...(phases?.bus[hover.bus]
          ? ([['Phases', phases.bus[hover.bus]!.toUpperCase().split('').join(', ')]] as [string, string][])
          : []),
        ...(hoverRows?.(hover.bus) ?? []),
      ]
    : null;
  return (
    <div className="graph-wrap">
      <div ref={container} className="graph" data-testid={testId} data-buses={feeder.buses.length} />
      {hover && info && (
        <div
          className="tooltip"
          role="tooltip"
          data-testid="bus-tooltip"
          style={{ left: hover.x + 14, top: hover.y + 10 }}
        >
          <strong>Bus {hover.bus}</strong>
          <dl>
            {info.map(([k, v]) => (
              <FragmentRow key={k} k={k} v={v} />
            ))}
          </dl>
        </div>
      )}
    </div>
  );
});

/** Fit the viewport to precomputed bounds (24 px padding, room for the node size). */
function fitTo(cy: Core, b: { x1: number; y1: number; x2: number; y2: number }): void {
  // The container may have changed size since the last render (window resized, panel shown).
  cy.resize();
  const pad = 36;
  const w = Math.max(1, cy.width() - 2 * pad);
  const h = Math.max(1, cy.height() - 2 * pad);
  const zoom = Math.min(
    cy.maxZoom(),
    Math.max(cy.minZoom(), Math.min(w / Math.max(1, b.x2 - b.x1), h / Math.max(1, b.y2 - b.y1))),
  );
  cy.viewport({
    zoom,
    pan: { x: cy.width() / 2 - (zoom * (b.x1 + b.x2)) / 2, y: cy.height() / 2 - (zoom * (b.y1 + b.y2)) / 2 },
  });
}

function FragmentRow({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}

function busInfo(
  bus: string,
  feeder: Feeder,
  data: { loadKw: Map<string, { p: number; q: number }>; capKvar: Map<string, number> },
  placements: Placements | undefined,
  areas: LocalAreas | null | undefined,
  tree: FeederTree,
  powerLabel?: string,
): [string, string][] {
  const i = tree.index.get(bus);
  const b = i !== undefined ? feeder.buses[i] : undefined;
  const rows: [string, string][] = [];
  if (b) rows.push(['Base voltage', `${b.vBaseKv.toFixed(4)} kV (L-N)`]);
  if (bus === feeder.substation.bus) rows.push(['Substation', `${feeder.substation.vSetPu} pu set point`]);
  const load = data.loadKw.get(bus);
  rows.push([
    'Peak load',
    load ? `${load.p.toFixed(1)} kW, ${load.q.toFixed(1)} kvar${powerLabel ? ` (${powerLabel})` : ''}` : 'none',
  ]);
  const cap = data.capKvar.get(bus);
  if (cap) rows.push(['Capacitor', `${cap.toFixed(0)} kvar`]);
  for (const pv of placements?.pv ?? [])
    if (pv.bus === bus) rows.push([`PV ${pv.name}`, `${pv.pRatedKw.toFixed(1)} kW / ${pv.sRatedKva.toFixed(1)} kVA`]);
  for (const bt of placements?.batteries ?? [])
    if (bt.bus === bus)
      rows.push([`Battery ${bt.name}`, `${bt.pRatedKw.toFixed(1)} kW, ${bt.energyKwh.toFixed(1)} kWh`]);
  if (i !== undefined) {
    rows.push(['Depth', String(tree.depth[i])]);
    if (areas && areas.count > 1) rows.push(['Area', String(areas.areaOf[i])]);
  }
  return rows;
}

function graphStyle(big: boolean): cytoscape.StylesheetJson {
  return [
    {
      selector: 'node.bus',
      style: {
        width: 'data(size)',
        height: 'data(size)',
        'background-color': 'data(color)',
        // On big feeders labels are drawn only for the selected bus: measuring 10k labels costs seconds.
        label: big ? '' : 'data(label)',
        'font-size': 9,
        color: '#3b4656',
        'text-valign': 'bottom',
        'text-margin-y': 2,
        'min-zoomed-font-size': big ? 14 : 7,
        'border-width': 0,
      },
    },
    { selector: 'node.bus[!color]', style: { 'background-color': '#4a5a70' } },
    {
      selector: 'node.substation',
      style: {
        shape: 'rectangle',
        width: 16,
        height: 16,
        'background-color': '#12263f',
        'border-width': 2,
        'border-color': '#fff',
      },
    },
    {
      selector: 'node.bus:selected',
      style: {
        'border-width': 3,
        'border-color': '#f2b705',
        'overlay-opacity': 0,
        label: 'data(label)',
        'min-zoomed-font-size': 0,
      },
    },
    {
      selector: 'node.glyph',
      style: { width: 9, height: 9, label: '', events: 'no', 'border-width': 1, 'border-color': '#fff' },
    },
    { selector: 'node.glyph.pv', style: { shape: 'triangle', 'background-color': '#e0a100' } },
    {
      selector: 'node.glyph.battery',
      style: { shape: 'round-rectangle', width: 11, height: 7, 'background-color': '#1f8f4e' },
    },
    {
      selector: 'node.glyph.cap',
      style: { shape: 'rectangle', width: 11, height: 2, 'border-width': 0, 'background-color': '#2a7fb8' },
    },
    {
      selector: 'node.glyph.xf',
      style: {
        shape: 'ellipse',
        width: 8,
        height: 8,
        'background-opacity': 0,
        'border-width': 1.5,
        'border-color': '#12263f',
      },
    },
    {
      selector: 'node.glyph.reg',
      style: {
        shape: 'ellipse',
        width: 10,
        height: 10,
        'background-color': '#fff',
        'border-width': 1.5,
        'border-color': '#12263f',
        label: 'data(label)',
        'font-size': 6,
        'text-valign': 'center',
        'text-halign': 'center',
        color: '#12263f',
        'min-zoomed-font-size': 0,
      },
    },
    {
      selector: 'node.glyph.sw',
      style: {
        shape: 'rectangle',
        width: 7,
        height: 7,
        'background-color': '#fff',
        'border-width': 1.5,
        'border-color': '#12263f',
      },
    },
    {
      selector: 'edge',
      style: { width: 2, 'line-color': '#8d99ab', 'curve-style': 'straight', 'overlay-padding': 4 },
    },
    { selector: 'edge.switch', style: { 'line-style': 'dotted' } },
    // Laterals with fewer than three phases: thinner, and labelled with their phases.
    { selector: 'edge.ph2', style: { width: 1.5 } },
    { selector: 'edge.ph1', style: { width: 1, 'line-style': 'dashed', 'line-dash-pattern': [6, 2] } },
    {
      selector: 'edge[phaseLabel != ""]',
      style: {
        label: 'data(phaseLabel)',
        'font-size': 7,
        color: '#5b6575',
        'text-rotation': 'autorotate',
        'text-margin-y': -5,
        'min-zoomed-font-size': 6,
      },
    },
    { selector: 'edge.transformer, edge.regulator', style: { width: 3, 'line-color': '#5d6b80' } },
    {
      selector: 'edge.cut',
      style: {
        width: 4,
        'line-color': '#c2453d',
        'line-style': 'dashed',
        'mid-target-arrow-shape': 'tee',
        'mid-target-arrow-color': '#c2453d',
        'arrow-scale': 1.4,
      },
    },
  ];
}
