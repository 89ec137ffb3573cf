import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the import wizard. */
export class ImportPage {
  readonly counts: Locator;
  readonly errors: Locator;
  readonly save: Locator;
  readonly name: Locator;

  constructor(readonly page: Page) {
    this.counts = page.getByTestId('import-counts');
    this.errors = page.getByTestId('import-errors');
    this.save = page.getByRole('button', { name: 'Save feeder' });
    this.name = page.getByTestId('import-name');
  }

  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Import feeder…' }).first().click();
    await expect(this.page.getByRole('heading', { name: 'Import a feeder' })).toBeVisible();
  }

  async chooseFolder(dir: string): Promise<void> {
    await this.page.getByTestId('import-folder').setInputFiles(dir);
  }

  /** The circuit's script among a folder's .dss files (the wizard asks when there is no Master.dss). */
  async chooseMaster(entry: string): Promise<void> {
    await this.page.getByTestId('import-master').selectOption(entry);
  }

  /**
   * A folder of OpenDSS scripts imported and kept three-phase (the default): open the wizard, pick
   * the folder and its master, wait for the three-phase report, save.
   */
  async importThreePhase(dir: string, master: string): Promise<void> {
    await this.open();
    await this.chooseFolder(dir);
    await this.chooseMaster(master);
    await expect(this.page.getByTestId('import-three-phase')).toBeVisible();
    await expect(this.page.getByTestId('import-model').getByRole('radio').first()).toBeChecked();
    await this.save.click();
  }

  async chooseFiles(files: string[]): Promise<void> {
    await this.page.getByTestId('import-files').setInputFiles(files);
  }

  /**
   * The count shown for one kind ('buses', 'branches', …). First waits for the reading to end —
   * counts, errors or a failure shown — for as long as the test may run: reading is CPU-bound,
   * and on a loaded machine a 10,000-bus feeder took longer than the 15 s an assertion waits.
   */
  async count(kind: string): Promise<number> {
    await expect(this.counts.or(this.errors).or(this.page.getByTestId('import-failure')).first()).toBeVisible({
      timeout: 0,
    });
    await expect(this.counts).toBeVisible();
    const dd = this.counts.locator(`dt:text-is("${kind}") + dd`);
    return Number(await dd.textContent());
  }
}
