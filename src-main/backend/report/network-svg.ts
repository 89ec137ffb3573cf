/**
 * The network picture of the report: a static SVG of the feeder at its real coordinates when
 * every bus has them, otherwise the one-line view's own tidy tree layout (src-shared/topology.ts,
 * so the picture matches the screen); branches coloured by area, the substation as a square, PV
 * and battery buses marked, devices the study adds (not in the imported feeder) ringed in red,
 * and bus names on feeders small enough to read them (≤ 300 buses).
 */
import type { CutBranch } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { areasFromCuts, buildTree, treeLayout } from '../../../src-shared/topology';

export const AREA_COLORS = [
  '#2f6fb0',
  '#d9822b',
  '#3a9e5c',
  '#c23b3b',
  '#7a5cb8',
  '#8c6d46',
  '#d16aa8',
  '#6b6b6b',
  '#b5b531',
  '#2fb5c2',
];

export function areaColor(area: number): string {
  return area <= 0 ? '#999999' : AREA_COLORS[(area - 1) % AREA_COLORS.length]!;
}

export interface NetworkSvgOptions {
  /** Buses whose devices the study adds (drawn with a red ring). */
  readonly newDeviceBuses?: ReadonlySet<string>;
  /** Bus names on the picture: default when the feeder has at most 300 buses. */
  readonly labels?: boolean;
}

/** Real coordinates (north up) when every bus has them, else the tidy tree layout. */
function layout(
  feeder: Feeder,
  tree: ReturnType<typeof buildTree>,
): { x: ArrayLike<number>; y: ArrayLike<number>; real: boolean } {
  const all = feeder.buses.length > 0 && feeder.buses.every((b) => Number.isFinite(b.x) && Number.isFinite(b.y));
  if (!all) return { ...treeLayout(tree), real: false };
  // tree.names is feeder.buses' order (buildTree).
  return { x: feeder.buses.map((b) => b.x!), y: feeder.buses.map((b) => -b.y!), real: true };
}

export function networkSvg(
  feeder: Feeder,
  cuts: readonly CutBranch[],
  width = 680,
  height = 520,
  options: NetworkSvgOptions = {},
): { svg: string; areas: number; areaSizes: number[]; realCoordinates: boolean; labelled: boolean } {
  const tree = buildTree(feeder);
  const { x, y, real } = layout(feeder, tree);
  const areas = areasFromCuts(tree, cuts);
  const n = tree.names.length;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, x[i]!);
    x1 = Math.max(x1, x[i]!);
    y0 = Math.min(y0, y[i]!);
    y1 = Math.max(y1, y[i]!);
  }
  const labelled = options.labels ?? tree.names.length <= 300;
  // Room for the labels and glyphs at the edges; real coordinates keep their aspect ratio.
  const pad = labelled ? 22 : 14;
  let sx = (width - 2 * pad) / Math.max(x1 - x0, 1e-9);
  let sy = (height - 2 * pad) / Math.max(y1 - y0, 1e-9);
  if (real) sx = sy = Math.min(sx, sy);
  const px = (i: number): string => (pad + (x[i]! - x0) * sx).toFixed(1);
  const py = (i: number): string => (pad + (y[i]! - y0) * sy).toFixed(1);
  const r = n > 2000 ? 0.6 : n > 300 ? 1.5 : 2.5;
  const stroke = n > 2000 ? 0.5 : 1.2;
  // Branches grouped by area into one path each (small files for 10,000-bus feeders).
  const paths = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const p = tree.parent[i]!;
    if (p < 0) continue;
    const a = areas.areaOf[i]!;
    let list = paths.get(a);
    if (!list) paths.set(a, (list = []));
    list.push(`M${px(p)} ${py(p)}L${px(i)} ${py(i)}`);
  }
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  for (const [a, d] of paths)
    parts.push(`<path d="${d.join('')}" stroke="${areaColor(a)}" stroke-width="${stroke}" fill="none"/>`);
  const pvBuses = new Set(feeder.pv.map((d) => d.bus));
  const batBuses = new Set(feeder.batteries.map((d) => d.bus));
  // Bus dots only on small feeders: on large ones they merge into the lines and only cost print time.
  if (n <= 2000)
    for (let i = 0; i < n; i++)
      parts.push(`<circle cx="${px(i)}" cy="${py(i)}" r="${r}" fill="${areaColor(areas.areaOf[i]!)}"/>`);
  for (let i = 0; i < n; i++) {
    const name = tree.names[i]!;
    if (batBuses.has(name))
      parts.push(
        `<rect x="${(Number(px(i)) + r).toFixed(1)}" y="${(Number(py(i)) - 3 * r).toFixed(1)}" width="${2 * r + 1}" height="${2 * r + 1}" fill="#1b7f3a"/>`,
      );
    if (pvBuses.has(name))
      parts.push(
        `<circle cx="${(Number(px(i)) - r - 1).toFixed(1)}" cy="${(Number(py(i)) - 2 * r).toFixed(1)}" r="${r + 0.5}" fill="#e8b400"/>`,
      );
  }
  const ring = options.newDeviceBuses;
  if (ring)
    for (let i = 0; i < n; i++)
      if (ring.has(tree.names[i]!))
        parts.push(
          `<circle cx="${px(i)}" cy="${py(i)}" r="${(3 * r + 2).toFixed(1)}" fill="none" stroke="#d11f1f" stroke-width="1.4"/>`,
        );
  if (tree.root >= 0)
    parts.push(
      `<rect x="${Number(px(tree.root)) - 6}" y="${Number(py(tree.root)) - 6}" width="12" height="12" fill="#222"/>`,
    );
  if (labelled) {
    const size = n > 150 ? 6 : 8;
    for (let i = 0; i < n; i++)
      parts.push(
        `<text x="${(Number(px(i)) + r + 1.5).toFixed(1)}" y="${(Number(py(i)) + r + size * 0.9).toFixed(1)}" font-size="${size}" font-family="DejaVu Sans, Arial, sans-serif" fill="#333">${escapeXml(tree.names[i]!)}</text>`,
      );
  }
  parts.push('</svg>');
  return { svg: parts.join(''), areas: areas.count, areaSizes: areas.sizes.slice(1), realCoordinates: real, labelled };
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
