import { expect, type Locator, type Page } from '@playwright/test';
import type { HookedGlobal } from '../support/graph-hook';

/** The few DOM facilities the progress recorder uses inside page.evaluate (the e2e tsconfig has no DOM lib). */
type ProgressGlobals = {
  document: { body: unknown; querySelector(s: string): { textContent: string | null } | null };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
  __sitingProgressSeen?: string[];
};

/** Page object for the scenario's Siting tab: the study form, live progress, the studies, the ranked table and the map. */
export class SitingPage {
  readonly form: Locator;
  readonly status: Locator;
  readonly studies: Locator;
  readonly error: Locator;
  readonly startButton: Locator;
  readonly heading: Locator;
  readonly table: Locator;
  readonly map: Locator;
  readonly legend: Locator;
  readonly mapPhase: Locator;

  constructor(readonly page: Page) {
    this.form = page.locator('.siting-form');
    this.status = page.locator('.siting-progress');
    this.studies = page.locator('.siting-list');
    this.error = page.locator('.siting-side .error');
    this.startButton = page.getByRole('button', { name: 'Start study' });
    this.heading = page.locator('.siting-main h3').first();
    this.table = page.locator('.siting-table').first();
    this.map = page.getByTestId('siting-map');
    this.legend = page.locator('.siting-map-legend');
    this.mapPhase = page.getByTestId('siting-map-phase');
  }

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Siting' }).click();
    await expect(this.page.getByRole('heading', { name: 'BESS siting study' })).toBeVisible();
  }

  /** Candidates typed as buses or bus phases ("611.3, 652.1"). */
  async typeCandidates(text: string): Promise<void> {
    await this.form.getByRole('radio', { name: 'these buses or phases' }).check();
    await this.form.getByLabel('candidates').fill(text);
  }

  async setDays(days: number): Promise<void> {
    await this.form.getByLabel('representative days').fill(String(days));
  }

  async setSizes(text: string): Promise<void> {
    await this.form.getByLabel('sizes kW/kWh').fill(text);
  }

  /** "my year": the three hourly CSV files (paths), each set when given. */
  async useYear(files: { load?: string; pv?: string; price?: string }): Promise<void> {
    await this.page.getByTestId('siting-own-year').check();
    for (const k of ['load', 'pv', 'price'] as const) {
      const f = files[k];
      if (f !== undefined) await this.page.getByTestId(`siting-year-${k}`).setInputFiles(f);
    }
  }

  /**
   * Record every text the live-progress box shows from now on (a DOM observer in the page): a small
   * study can pass from its first progress to its end between two polls of an assertion, so the
   * test reads what was shown instead of racing it. `seen()` returns the texts in order.
   */
  async recordProgress(): Promise<{ seen: () => Promise<string[]> }> {
    await this.page.evaluate(() => {
      const g = globalThis as unknown as ProgressGlobals;
      const seen: string[] = [];
      g.__sitingProgressSeen = seen;
      new g.MutationObserver(() => {
        const text = g.document.querySelector('.siting-progress')?.textContent ?? null;
        if (text !== null && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
    });
    return {
      seen: () =>
        this.page.evaluate(() => [...((globalThis as unknown as ProgressGlobals).__sitingProgressSeen ?? [])]),
    };
  }

  async start(): Promise<void> {
    await this.startButton.click();
  }

  /**
   * `count` studies of the list have ended (done, failed or cancelled: a state only the end gives,
   * so a study just started is not taken for one that ended) and the form is back — however long
   * that takes; the test's timeout bounds it.
   */
  async waitEnded(count = 1): Promise<void> {
    const ended = this.studies.getByRole('button').filter({ hasText: /— (done|failed|cancelled)\b/ });
    await expect(ended).toHaveCount(count, { timeout: 0 });
    await expect(this.startButton).toBeVisible();
  }

  /** The ranked table's row of a rank. */
  row(rank: number): Locator {
    return this.table.locator('tbody tr').filter({ has: this.page.locator(`td:first-child:text-is("${rank}")`) });
  }

  /** "open run" on a ranked line: its verified OPF becomes a normal run (the workspace shows Runs). */
  async openRun(rank: number): Promise<void> {
    await this.row(rank).getByRole('button', { name: 'open run' }).click();
  }

  /**
   * The fill colour the marginal-value map gives a bus, or null when the graph hook (set by the
   * graph mounted last) is not the map's — its container is not the map's element — so a poll
   * waits for the map rather than reading the workspace's graph.
   */
  async mapColor(bus: string): Promise<string | null> {
    return this.page.evaluate((b) => {
      const g = globalThis as unknown as HookedGlobal & ProgressGlobals;
      const hook = g.__tesseraGraph;
      const el = g.document.querySelector('[data-testid="siting-map"]') as unknown as {
        getBoundingClientRect(): { left: number; top: number };
      } | null;
      if (!hook || !el) return null;
      const r = el.getBoundingClientRect();
      const h = hook.boundingRect();
      return Math.abs(r.left - h.left) < 0.5 && Math.abs(r.top - h.top) < 0.5 ? hook.busColor(b) : null;
    }, bus);
  }
}
