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
      labelLayout(): LabelLayout;
    };
  }
}

type Box = { x1: number; y1: number; x2: number; y2: number };
/** Rendered boxes (container pixels) of every bus's label and body and of every glyph, for the e2e layout checks. */
export interface LabelLayout {
  width: number;
  height: number;
  zoom: number;
  buses: { bus: string; label: Box; body: Box; fontPx: number; minFontPx: number }[];
  glyphs: { id: string; body: Box }[];
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
    // And by each bus's nearest neighbour (small feeders): two circles never touch (IEEE 13's 671
    // and 692 are 50 ft apart beside 1,000 ft lines).
    const nearest = new Float64Array(feeder.buses.length).fill(Infinity);
    if (feeder.buses.length <= LABEL_PLACEMENT_MAX)
      for (let i = 0; i < nearest.length; i++)
        for (let j = i + 1; j < nearest.length; j++) {
          const d = Math.hypot(pos.x[i] - pos.x[j], pos.y[i] - pos.y[j]);
          if (d > 0 && d < nearest[i]!) nearest[i] = d;
          if (d > 0 && d < nearest[j]!) nearest[j] = d;
        }
    feeder.buses.forEach((b, i) => {
      const load = busData.loadKw.get(b.name);
      const bound = Math.max(5, Math.min(maxSize, 0.8 * nearest[i]!));
      const size = load ? Math.min(bound, 7 + 2.2 * Math.sqrt(Math.max(0, load.p))) : Math.min(6, bound);
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
    // Small feeders: each label where it covers no other label, bus or symbol, and Fit takes in
    // the labels where they are.
    if (placeLabels(cy)) bounds.current = drawnBounds(cy);
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
        labelLayout: () => {
          const box = (bb: { x1: number; y1: number; x2: number; y2: number }) => ({
            x1: bb.x1,
            y1: bb.y1,
            x2: bb.x2,
            y2: bb.y2,
          });
          return {
            width: cy.width(),
            height: cy.height(),
            zoom: cy.zoom(),
            buses: cy.nodes('node.bus').map((n) => ({
              bus: n.data('bus') as string,
              label: box(n.renderedBoundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false })),
              body: box(n.renderedBoundingBox({ includeNodes: true, includeLabels: false, includeOverlays: false })),
              fontPx: parseFloat(String(n.style('font-size'))) * cy.zoom(),
              minFontPx: parseFloat(String(n.style('min-zoomed-font-size'))),
            })),
            glyphs: cy.nodes('node.glyph').map((n) => ({
              id: n.id(),
              body: box(n.renderedBoundingBox({ includeNodes: true, includeLabels: false, includeOverlays: false })),
            })),
          };
        },
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
    if (placeLabels(cy)) bounds.current = drawnBounds(cy);
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
    // The new symbols are obstacles too: labels move off them; a view still as Fit left it fits again.
    if (placeLabels(cy)) {
      const fitted = isFitted(cy, bounds.current);
      bounds.current = drawnBounds(cy);
      if (fitted) fitTo(cy, bounds.current);
    }
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
        // Called as the graph's tab is shown (a violation clicked on another tab): centre once the
        // container has its size, else the bus lands at the corner of a zero-size viewport.
        let tries = 0;
        const centre = () => {
          if (cy.destroyed()) return;
          cy.resize();
          if ((cy.width() === 0 || cy.height() === 0) && tries++ < 30) {
            requestAnimationFrame(centre);
            return;
          }
          cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
        };
        centre();
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

/** Feeders up to this many buses get their labels placed clear of each other (the check is quadratic). */
const LABEL_PLACEMENT_MAX = 400;
/** Bus labels: font size (model units) and the estimated width of a character and height of a line. */
const LABEL_FONT = 9;
const CHAR_W = 0.62 * LABEL_FONT;
const LINE_H = 1.25 * LABEL_FONT;
type Rect = { x1: number; y1: number; x2: number; y2: number };
/** Label positions around a bus, in order of preference (below, above, right, left, the corners). */
const LABEL_SPOTS = ['b', 't', 'r', 'l', 'br', 'bl', 'tr', 'tl'] as const;
type LabelSpot = (typeof LABEL_SPOTS)[number];
/** A spot moved FAR (class lbl-far) or 2 × FAR (lbl-far2) from its bus: room past a symbol beside it. */
const FAR = 6;
const farShift = (spot: LabelSpot, level: number): [number, number] =>
  spot === 'b'
    ? [0, level * FAR]
    : spot === 't'
      ? [0, -level * FAR]
      : spot === 'r' || spot === 'br' || spot === 'tr'
        ? [level * FAR, 0]
        : [-level * FAR, 0];

/** A label spot's box with no margins (model units): bus at x, y with half-size h, label w × H. */
function spotRect(spot: LabelSpot, x: number, y: number, h: number, w: number, H: number): Rect {
  const below = spot[0] === 'b';
  const above = spot[0] === 't';
  const side = spot.length === 1 ? '' : spot[1];
  if (spot === 'r' || spot === 'l') {
    const x1 = spot === 'r' ? x + h : x - h - w;
    return { x1, x2: x1 + w, y1: y - H / 2, y2: y + H / 2 };
  }
  const y1 = below ? y + h : above ? y - h - H : y - H / 2;
  const x1 = side === 'r' ? x + h : side === 'l' ? x - h - w : x - w / 2;
  return { x1, x2: x1 + w, y1, y2: y1 + H };
}

/**
 * Where cytoscape really draws each spot's label against spotRect (its margins and text padding),
 * measured once on one bus by trying every spot.
 */
function labelCalibration(
  n: cytoscape.NodeSingular,
  h: number,
  w: number,
  H: number,
): Record<LabelSpot, [number, number]> {
  const p = n.position();
  const out = {} as Record<LabelSpot, [number, number]>;
  for (const spot of LABEL_SPOTS) {
    n.removeClass(LABEL_SPOTS.map((x) => `lbl-${x}`).join(' '));
    if (spot !== 'b') n.addClass(`lbl-${spot}`);
    const bb = n.boundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false });
    const r = spotRect(spot, p.x, p.y, h, w, H);
    out[spot] = bb.w > 0 ? [bb.x1 - r.x1, bb.y1 - r.y1] : [0, 0];
  }
  n.removeClass(LABEL_SPOTS.map((x) => `lbl-${x}`).join(' '));
  return out;
}

const overlapArea = (a: Rect, b: Rect): number =>
  Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));

/** Whether segment p–q passes through rectangle r (Liang–Barsky clipping). */
function segmentHits(px: number, py: number, qx: number, qy: number, r: Rect): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = qx - px;
  const dy = qy - py;
  for (const [p, q] of [
    [-dx, px - r.x1],
    [dx, r.x2 - px],
    [-dy, py - r.y1],
    [dy, r.y2 - py],
  ] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/**
 * Place every bus label (feeders up to LABEL_PLACEMENT_MAX buses) at the first of LABEL_SPOTS that
 * covers no other label, bus or symbol, fewest branches crossed; where every spot collides, the
 * one with the least overlap. Crowded buses choose first. In model units, so it holds at any zoom.
 * Returns false (labels left below their bus) on larger feeders.
 */
function placeLabels(cy: Core): boolean {
  const buses = cy.nodes('node.bus');
  if (buses.length > LABEL_PLACEMENT_MAX) return false;
  const items = buses.map((n) => {
    const p = n.position();
    // The label's size as cytoscape draws it, measured once (first call: every label still below its bus).
    let size = n.scratch('_labelSize') as { w: number; h: number } | undefined;
    if (!size) {
      const bb = n.boundingBox({ includeNodes: false, includeLabels: true, includeOverlays: false });
      const chars = String(n.data('label') ?? '').length;
      size = bb.w > 0 && bb.h > 0 ? { w: bb.w, h: bb.h } : { w: chars * CHAR_W + 2, h: LINE_H };
      n.scratch('_labelSize', size);
    }
    return { n, x: p.x, y: p.y, h: n.outerWidth() / 2, w: size.w, lh: size.h };
  });
  const bodies: Rect[] = items.map((b) => ({ x1: b.x - b.h, y1: b.y - b.h, x2: b.x + b.h, y2: b.y + b.h }));
  const glyphs: Rect[] = cy.nodes('node.glyph').map((n) => {
    const p = n.position();
    const hw = n.outerWidth() / 2;
    const hh = n.outerHeight() / 2;
    return { x1: p.x - hw, y1: p.y - hh, x2: p.x + hw, y2: p.y + hh };
  });
  // The phase letters drawn on laterals ('bc', 'a') are obstacles too.
  for (const e of cy.edges().toArray())
    if (e.data('phaseLabel')) {
      const bb = e.boundingBox({
        includeNodes: false,
        includeEdges: false,
        includeLabels: true,
        includeOverlays: false,
      });
      if (bb.w > 0) glyphs.push({ x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 });
    }
  const segs = cy.edges().map((e) => {
    const a = e.source().position();
    const b = e.target().position();
    return [a.x, a.y, b.x, b.y] as const;
  });
  // Crowded first: the number of other buses within 60 model units.
  const crowd = items.map((a) => items.filter((b) => Math.hypot(a.x - b.x, a.y - b.y) < 60).length);
  const order = items.map((_, i) => i).sort((i, j) => crowd[j]! - crowd[i]! || i - j);
  let calib = cy.scratch('_labelCalibration') as Record<LabelSpot, [number, number]> | undefined;
  if (!calib && items.length > 0) {
    // A plain bus (the substation's border would shift the measurement).
    const probe = items.find((b) => !b.n.hasClass('substation')) ?? items[0]!;
    calib = labelCalibration(probe.n, probe.h, probe.w, probe.lh);
    cy.scratch('_labelCalibration', calib);
  }
  const placed: Rect[] = [];
  for (const i of order) {
    const b = items[i]!;
    let best: { spot: LabelSpot; far: number; cost: number; rect: Rect } | null = null;
    const candidates = [0, 1, 2].flatMap((far) => LABEL_SPOTS.map((spot) => ({ spot, far })));
    candidates.forEach(({ spot, far }, k) => {
      const s0 = spotRect(spot, b.x, b.y, b.h, b.w, b.lh);
      const [cx, cy0] = calib?.[spot] ?? [0, 0];
      const [fx, fy] = farShift(spot, far);
      const dx = cx + fx;
      const dy = cy0 + fy;
      // A unit of clearance on every side.
      const r = { x1: s0.x1 + dx - 1, x2: s0.x2 + dx + 1, y1: s0.y1 + dy - 1, y2: s0.y2 + dy + 1 };
      let hits = 0;
      let area = 0;
      const add = (o: Rect) => {
        const a = overlapArea(r, o);
        if (a > 0) {
          hits++;
          area += a;
        }
      };
      bodies.forEach((o, j) => j !== i && add(o));
      glyphs.forEach(add);
      placed.forEach(add);
      let crossed = 0;
      for (const [px, py, qx, qy] of segs) if (segmentHits(px, py, qx, qy, r)) crossed++;
      const cost = hits * 1e6 + area * 100 + crossed * 10 + k;
      if (!best || cost < best.cost) best = { spot, far, cost, rect: r };
    });
    const chosen = best!;
    placed.push(chosen.rect);
    b.n.removeClass(LABEL_SPOTS.map((x) => `lbl-${x}`).join(' ') + ' lbl-far lbl-far2');
    if (chosen.spot !== 'b') b.n.addClass(`lbl-${chosen.spot}`);
    if (chosen.far > 0) b.n.addClass(chosen.far === 1 ? 'lbl-far' : 'lbl-far2');
  }
  return true;
}

/** Model-unit bounds of everything drawn, labels included (small feeders only: cytoscape measures each label). */
function drawnBounds(cy: Core): Rect {
  const bb = cy.elements().boundingBox({ includeLabels: true, includeOverlays: false });
  return { x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
}

/** Whether the viewport is where fitTo(b) puts it (the planner has not zoomed or panned since). */
function isFitted(cy: Core, b: Rect): boolean {
  const v = fitViewport(cy, b);
  const p = cy.pan();
  return Math.abs(cy.zoom() - v.zoom) < 1e-6 * v.zoom && Math.abs(p.x - v.pan.x) < 0.5 && Math.abs(p.y - v.pan.y) < 0.5;
}

/** Fit the viewport to precomputed bounds (24 px padding, room for the node size). */
function fitTo(cy: Core, b: { x1: number; y1: number; x2: number; y2: number }): void {
  // The container may have changed size since the last render (window resized, panel shown).
  cy.resize();
  cy.viewport(fitViewport(cy, b));
}

function fitViewport(cy: Core, b: Rect): { zoom: number; pan: { x: number; y: number } } {
  const pad = 36;
  const w = Math.max(1, cy.width() - 2 * pad);
  const h = Math.max(1, cy.height() - 2 * pad);
  const zoom = Math.min(
    cy.maxZoom(),
    Math.max(cy.minZoom(), Math.min(w / Math.max(1, b.x2 - b.x1), h / Math.max(1, b.y2 - b.y1))),
  );
  return {
    zoom,
    pan: { x: cy.width() / 2 - (zoom * (b.x1 + b.x2)) / 2, y: cy.height() / 2 - (zoom * (b.y1 + b.y2)) / 2 },
  };
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
        // Legible where a label has to sit over a branch (placeLabels' last resort).
        'text-background-color': '#f7f9fc',
        'text-background-opacity': 0.8,
        'min-zoomed-font-size': big ? 14 : 7,
        'border-width': 0,
      },
    },
    { selector: 'node.bus[!color]', style: { 'background-color': '#4a5a70' } },
    // Labels placed off their default spot below the bus (placeLabels).
    { selector: 'node.bus.lbl-t', style: { 'text-valign': 'top', 'text-margin-y': -2 } },
    {
      selector: 'node.bus.lbl-r',
      style: { 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 3, 'text-margin-y': 0 },
    },
    {
      selector: 'node.bus.lbl-l',
      style: { 'text-valign': 'center', 'text-halign': 'left', 'text-margin-x': -3, 'text-margin-y': 0 },
    },
    { selector: 'node.bus.lbl-br', style: { 'text-halign': 'right', 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-bl', style: { 'text-halign': 'left', 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-tr', style: { 'text-valign': 'top', 'text-halign': 'right', 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-tl', style: { 'text-valign': 'top', 'text-halign': 'left', 'text-margin-y': 0 } },
    // FAR farther out (placeLabels' farShift).
    { selector: 'node.bus.lbl-far', style: { 'text-margin-y': 2 + 6 } },
    { selector: 'node.bus.lbl-far2', style: { 'text-margin-y': 2 + 12 } },
    { selector: 'node.bus.lbl-far2.lbl-t', style: { 'text-margin-y': -2 - 12 } },
    { selector: 'node.bus.lbl-far2.lbl-r', style: { 'text-margin-x': 3 + 12, 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-far2.lbl-l', style: { 'text-margin-x': -3 - 12, 'text-margin-y': 0 } },
    {
      selector: 'node.bus.lbl-far2.lbl-br, node.bus.lbl-far2.lbl-tr',
      style: { 'text-margin-x': 12, 'text-margin-y': 0 },
    },
    {
      selector: 'node.bus.lbl-far2.lbl-bl, node.bus.lbl-far2.lbl-tl',
      style: { 'text-margin-x': -12, 'text-margin-y': 0 },
    },
    { selector: 'node.bus.lbl-far.lbl-t', style: { 'text-margin-y': -2 - 6 } },
    { selector: 'node.bus.lbl-far.lbl-r', style: { 'text-margin-x': 3 + 6, 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-far.lbl-l', style: { 'text-margin-x': -3 - 6, 'text-margin-y': 0 } },
    { selector: 'node.bus.lbl-far.lbl-br, node.bus.lbl-far.lbl-tr', style: { 'text-margin-x': 6, 'text-margin-y': 0 } },
    {
      selector: 'node.bus.lbl-far.lbl-bl, node.bus.lbl-far.lbl-tl',
      style: { 'text-margin-x': -6, 'text-margin-y': 0 },
    },
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
