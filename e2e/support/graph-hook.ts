/** The renderer's `?e2e=1` graph hook (src-renderer/src/graph/NetworkGraph.tsx), typed for the Node-side tests. */
export interface GraphHook {
  renderedPosition(bus: string): { x: number; y: number } | null;
  edgeMidpoint(from: string, to: string): { x: number; y: number } | null;
  boundingRect(): { left: number; top: number };
  timings: { elementsMs: number; firstRenderMs: number | null; fitMs: number | null; buses: number };
  selected(): string[];
  /** The fill colour the graph gives a bus (its area's colour when cut into areas). */
  busColor(bus: string): string | null;
  zoom(): number;
  /** How many graph elements match a cytoscape selector (e.g. 'node.glyph.xf'). */
  count(selector: string): number;
  /** Rendered boxes (container pixels) of every bus's label and body and of every glyph. */
  labelLayout(): LabelLayout;
}
type Box = { x1: number; y1: number; x2: number; y2: number };
export interface LabelLayout {
  width: number;
  height: number;
  zoom: number;
  buses: { bus: string; label: Box; body: Box; fontPx: number; minFontPx: number }[];
  glyphs: { id: string; body: Box }[];
}
export type HookedGlobal = { __tesseraGraph?: GraphHook };

/** The few browser globals the timing probes use inside page.evaluate (the e2e tsconfig has no DOM lib). */
export type BrowserGlobals = {
  dispatchEvent(e: unknown): boolean;
  KeyboardEvent: new (type: string, init: { key: string }) => unknown;
  requestAnimationFrame(cb: () => void): number;
  performance: { now(): number };
};
