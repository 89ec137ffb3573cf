import type { Locator, Page } from '@playwright/test';

/** Page object for the home (projects) screen. */
export class HomePage {
  readonly solverVersion: Locator;
  readonly examples: Locator;

  constructor(readonly page: Page) {
    this.solverVersion = page.getByTestId('solver-version');
    this.examples = page.getByRole('list', { name: 'Bundled examples' }).getByRole('listitem');
  }

  /** The Projects screen (on start the app may open the last project or the bundled example instead). */
  async goto(): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  }

  /** Open a project from the Projects screen's recent list (from any screen: the navigation's Projects first). */
  async openRecent(name: string): Promise<void> {
    await this.page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
    await this.page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name }).click();
  }

  async openExample(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open ${title}` }).click();
  }

  async openAbout(): Promise<void> {
    await this.page.getByRole('navigation').getByRole('button', { name: 'About' }).click();
  }
}
