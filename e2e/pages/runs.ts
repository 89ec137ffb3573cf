import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { heldAreas, holdAt, hostAreaProcesses, release } from '../support/harness';

type RunView = 'Overview' | 'Batteries' | 'Voltages' | 'OPF vs AC power flow' | 'Solver' | 'Compare';

/** Page object for the scenario's Runs tab: start, watch, cancel, open, compare, export. */
export class RunsPage {
  readonly root: Locator;
  readonly live: Locator;
  readonly detail: Locator;
  readonly totals: Locator;
  readonly list: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('runs-view');
    this.live = page.getByTestId('live-progress');
    this.detail = page.getByTestId('run-detail');
    this.totals = page.getByTestId('totals-table');
    this.list = page.getByRole('list', { name: 'Runs' });
  }

  async open(scenarioName: string): Promise<void> {
    // The current scenario shows its name as an in-place editable field, not as a select button.
    // The workspace makes a scenario current by itself once the feeder's scenarios have loaded:
    // decide whether to click only after that, or the click can land on the name of a scenario
    // that just became current and start renaming it (the e2e loop caught this, 1 run in 3).
    const list = this.page.getByRole('list', { name: 'Scenarios' });
    await expect(list.locator(':scope > li[aria-current="true"]')).toHaveCount(1);
    const item = list.getByRole('listitem').filter({ hasText: new RegExp(`^${escape(scenarioName)}`) });
    if ((await item.getAttribute('aria-current')) !== 'true') await item.getByRole('button').first().click();
    await expect(item).toHaveAttribute('aria-current', 'true');
    await expect(
      this.page.getByRole('button', { name: new RegExp(`^Scenario name: ${escape(scenarioName)}\\.`) }),
    ).toBeEnabled();
    await this.page.getByRole('tab', { name: 'Runs' }).click();
    await expect(this.root).toBeVisible();
  }

  /** Start a run from the UI (a distributed one with the coordination chosen beside its button); resolves to the run id the live panel shows. */
  async start(kind: 'centralized' | 'distributed', coordination?: 'exact' | 'published'): Promise<number> {
    if (coordination) await this.page.getByTestId('start-coordination').selectOption(coordination);
    await this.page.getByTestId(`start-${kind}`).click();
    await expect(this.live).toBeVisible();
    await expect(this.live).toHaveAttribute('data-kind', kind);
    return Number(await this.live.getAttribute('data-run'));
  }

  /**
   * Start a distributed run (`start`) with its area solves held in round 1, cancel it from the
   * live panel while they are, and resolve to its id once it is cancelled and none of the host's
   * area processes is left.
   */
  async cancelWhileHeld(start: () => Promise<number>): Promise<number> {
    let id: number;
    try {
      holdAt(2, 1);
      id = await start();
      await expect
        .poll(() => heldAreas().length, { timeout: 60_000, message: 'no area held in round 1 (to cancel)' })
        .toBeGreaterThan(0);
      await expect(this.page.getByTestId('area-table').locator('tbody tr').first()).toBeVisible({ timeout: 60_000 });
      expect(hostAreaProcesses().length).toBeGreaterThan(0);
      await this.page.getByTestId('cancel-run').click();
      expect(await this.waitFinished(id, 60_000)).toBe('cancelled');
    } finally {
      release();
    }
    await expect
      .poll(() => hostAreaProcesses(), { timeout: 15_000, message: 'area solver processes left after cancel' })
      .toEqual([]);
    return id;
  }

  item(runId: number): Locator {
    return this.list.locator(`li[data-run="${runId}"]`);
  }

  async waitFinished(runId: number, timeout = 180_000): Promise<string> {
    await expect(this.item(runId)).not.toHaveAttribute('data-status', 'running', { timeout });
    return (await this.item(runId).getAttribute('data-status'))!;
  }

  async select(runId: number): Promise<void> {
    await this.item(runId).getByRole('button').first().click();
    await expect(this.detail).toHaveAttribute('data-run', String(runId));
  }

  async view(name: RunView): Promise<void> {
    await this.page.getByRole('tablist', { name: 'Run views' }).getByRole('tab', { name }).click();
  }

  /** The totals table as shown: key → { text, value } (value: the unrounded number the cell carries). */
  async totalsShown(table: Locator = this.totals): Promise<Map<string, { text: string; value: number }>> {
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        key: tr.getAttribute('data-key')!,
        value: tr.getAttribute('data-value')!,
        text: tr.querySelector('td.num')!.textContent!.trim(),
      })),
    );
    return new Map(rows.map((r) => [r.key, { text: r.text, value: Number(r.value) }]));
  }

  /** Click an export button and wait for the download it triggers. */
  async export(
    testId: 'export-pdf' | 'export-csv' | 'export-json' | 'export-compare-pdf',
    timeout = 120_000,
  ): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download', { timeout }),
      this.page.getByTestId(testId).click(),
    ]);
    return download;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
