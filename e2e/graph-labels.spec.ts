/**
 * Issue #18 "Small feeders": on IEEE 13 (imported three-phase, drawn at its own bus coordinates)
 * Fit shows every bus label whole inside the graph, drawn (not faded out by cytoscape's minimum
 * font size), no two bus labels overlapping and no label covered by a glyph (load circle,
 * capacitor, transformer, regulator, switch) or another bus. Boxes are cytoscape's rendered
 * bounding boxes (the graph's e2e hook), in container pixels; the graph is saved as a PNG.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, useMock } from './fixtures';
import type { HookedGlobal, LabelLayout } from './support/graph-hook';
import { WorkspacePage } from './pages/workspace';
import { IEEE13_ENTRY, ieee13Files } from './support/ieee13';

const OUT = resolve('test-results/graph-labels');

type Box = LabelLayout['glyphs'][number]['body'];
/** Overlap area of two boxes, px² (touching edges do not count). */
const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 1400, height: 900 },
])
  test(`IEEE 13 at ${viewport.width}×${viewport.height}: Fit shows every bus label whole, none overlapping another or hidden by a glyph`, async ({
    page,
    api,
    project,
  }) => {
    test.skip(useMock, 'the in-memory mock backend reads no three-phase model');
    expect(project.name).toBeTruthy();
    mkdirSync(OUT, { recursive: true });
    await page.setViewportSize(viewport);
    const preview = await api.call('import.preview', { files: ieee13Files(), entry: IEEE13_ENTRY });
    expect(preview.ok).toBe(true);
    await api.call('import.commit', { token: preview.token, name: 'IEEE 13' });
    const ws = new WorkspacePage(page);
    await ws.goto();
    await ws.graphReady();
    await page.getByRole('button', { name: /^Fit/ }).first().click();
    await page.waitForTimeout(300);
    await ws.graph.screenshot({ path: join(OUT, `ieee13-${viewport.width}.png`) });
    const layout = await page.evaluate(() => (globalThis as unknown as HookedGlobal).__tesseraGraph!.labelLayout());
    expect(layout.buses.length).toBeGreaterThanOrEqual(15);
    const problems: string[] = [];
    for (const b of layout.buses) {
      const l = b.label;
      if (b.fontPx < b.minFontPx) problems.push(`${b.bus}: label not drawn (${b.fontPx.toFixed(1)} px font)`);
      if (l.x1 < 0 || l.y1 < 0 || l.x2 > layout.width || l.y2 > layout.height)
        problems.push(`${b.bus}: label cut off at the edge (${JSON.stringify(l)})`);
    }
    const buses = layout.buses;
    for (let i = 0; i < buses.length; i++) {
      for (let j = i + 1; j < buses.length; j++)
        if (overlap(buses[i]!.label, buses[j]!.label) > 1)
          problems.push(`labels of ${buses[i]!.bus} and ${buses[j]!.bus} overlap`);
      for (let j = 0; j < buses.length; j++)
        if (j !== i && overlap(buses[i]!.label, buses[j]!.body) > 1)
          problems.push(`label of ${buses[i]!.bus} under bus ${buses[j]!.bus}`);
      for (const g of layout.glyphs)
        if (overlap(buses[i]!.label, g.body) > 1) problems.push(`label of ${buses[i]!.bus} under glyph ${g.id}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
