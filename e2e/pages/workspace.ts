import type { HookedGlobal } from '../support/graph-hook';
import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the open project: sidebar, graph, tabs and their panels. */
export class WorkspacePage {
  readonly root: Locator;
  readonly graph: Locator;
  readonly saveState: Locator;
  readonly partitionStatus: Locator;
  readonly cutCount: Locator;
  readonly batteryCount: Locator;
  readonly pvCount: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('workspace');
    this.graph = page.getByTestId('network-graph');
    this.saveState = page.getByTestId('save-state');
    this.partitionStatus = page.getByTestId('partition-status');
    this.cutCount = page.getByTestId('cut-count');
    this.batteryCount = page.getByTestId('battery-count');
    this.pvCount = page.getByTestId('pv-count');
  }

  /** The app with its test hooks (graph positions) switched on. */
  async goto(): Promise<void> {
    await this.page.goto('/?e2e=1');
  }

  async tab(name: 'Network' | 'Areas' | 'PV & batteries' | 'Study settings'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async selectFeeder(name: string): Promise<void> {
    await this.page
      .getByRole('list', { name: 'Feeders' })
      .getByRole('button', { name: new RegExp(`^${name}\\b`) })
      .click();
    await this.graphReady();
  }

  /**
   * The graph has drawn: first its own signal (the hook's first render, however long the CPU-bound
   * drawing takes on a loaded machine; the test's timeout bounds it), then it is on screen.
   */
  async graphReady(): Promise<void> {
    await this.page.waitForFunction(
      () => (globalThis as unknown as HookedGlobal).__tesseraGraph?.timings.firstRenderMs != null,
    );
    await expect(this.graph).toBeVisible();
  }

  /** Centre the graph on a bus with the search box (as a planner would). */
  async findBus(bus: string): Promise<void> {
    const box = this.page.getByLabel('Find bus');
    await box.fill(bus);
    await box.press('Enter');
    await this.page.waitForTimeout(350); // the centring animation takes 200 ms
  }

  /** Click the middle of the branch between two buses, at its real screen position. */
  async clickBranch(from: string, to: string): Promise<void> {
    await this.findBus(from);
    const at = await this.settled(() =>
      this.page.evaluate(
        ([a, b]) => {
          const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
          const m = g.edgeMidpoint(a, b);
          const r = g.boundingRect();
          return m && { x: m.x + r.left, y: m.y + r.top };
        },
        [from, to] as const,
      ),
    );
    if (!at) throw new Error(`no branch ${from}–${to} on the graph`);
    await this.page.mouse.click(at.x, at.y);
  }

  /**
   * A screen position once the view has stopped moving (finding a bus pans and zooms with an
   * animation: a position read mid-way lands the click on another element).
   */
  private async settled(
    read: () => Promise<{ x: number; y: number } | null>,
  ): Promise<{ x: number; y: number } | null> {
    let last = await read();
    for (let i = 0; i < 50; i++) {
      await this.page.waitForTimeout(100);
      const now = await read();
      if (!now || !last) return now;
      if (Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5) return now;
      last = now;
    }
    return last;
  }

  async clickBus(bus: string): Promise<void> {
    await this.findBus(bus);
    const at = await this.settled(() =>
      this.page.evaluate((b) => {
        const g = (globalThis as unknown as HookedGlobal).__tesseraGraph!;
        const p = g.renderedPosition(b);
        const r = g.boundingRect();
        return p && { x: p.x + r.left, y: p.y + r.top };
      }, bus),
    );
    if (!at) throw new Error(`no bus ${bus} on the graph`);
    await this.page.mouse.click(at.x, at.y);
  }

  async saved(): Promise<void> {
    await expect(this.saveState).toHaveText('All changes saved');
  }
}
