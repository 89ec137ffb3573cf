/** What the planner sees when the input is wrong: a located DSS error, a meshed network, a bad partition. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { ImportPage } from './pages/import';
import { WorkspacePage } from './pages/workspace';
import { testDataPath } from '../test-data/index';

async function openProject(page: import('@playwright/test').Page, name: string) {
  await new WorkspacePage(page).goto();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name }).click();
}

test('a bad DSS file shows the error at its file and line, and cannot be saved', async ({ page, project }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bad-dss-'));
  writeFileSync(
    join(dir, 'Master.dss'),
    [
      'Clear',
      'New Circuit.bad basekV=2.4018 pu=1.03 phases=1 bus1=1',
      'New Line.l1 phases=1 bus1=1 bus2=2 r1=0.01 x1=0.02',
      'New Line.l2 phases=1 bus1=2 bus2=3 r1=oops x1=0.02',
      '',
    ].join('\n'),
  );
  await openProject(page, project.name);
  const wizard = new ImportPage(page);
  await wizard.open();
  await wizard.chooseFiles([join(dir, 'Master.dss')]);
  await expect(wizard.errors).toBeVisible();
  await expect(wizard.errors).toContainText('Master.dss:4');
  await expect(wizard.errors).toContainText('oops');
  await expect(wizard.save).toBeDisabled();
  await page.screenshot({ path: 'test-results/ui-bad-dss.png' });
});

test('a meshed network is refused with the branch that closes the loop', async ({ page, project }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-mesh-'));
  writeFileSync(
    join(dir, 'linedata.csv'),
    'fbus,tbus,R,X\n1,2,0.01,0.02\n2,3,0.01,0.02\n3,4,0.01,0.02\n2,5,0.01,0.02\n5,4,0.01,0.02\n',
  );
  writeFileSync(
    join(dir, 'powerdata.csv'),
    'bus,P_L,Q_L,Q_C,P_der,busType\n1,0,0,0,0,0\n2,10,5,0,0,0\n3,10,5,0,0,0\n4,10,5,0,0,0\n5,10,5,0,0,0\n',
  );
  await openProject(page, project.name);
  const wizard = new ImportPage(page);
  await wizard.open();
  await wizard.chooseFiles([join(dir, 'linedata.csv'), join(dir, 'powerdata.csv')]);
  // The loop 2–3–4–5–2: whichever checker speaks (backend or the preview), it names a mesh/loop.
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /mesh|loop/i })
      .first(),
  ).toBeVisible();
  await expect(wizard.save).toBeDisabled();
  await page.screenshot({ path: 'test-results/ui-meshed.png' });
});

test('an invalid partition says why', async ({ page, project }) => {
  await openProject(page, project.name);
  const wizard = new ImportPage(page);
  const ws = new WorkspacePage(page);
  await wizard.open();
  const REF = testDataPath('ieee123-balanced');
  await wizard.chooseFiles([resolve(REF, 'csv/linedata.csv'), resolve(REF, 'csv/powerdata.csv')]);
  await wizard.save.click();
  await ws.graphReady();
  await ws.tab('Areas');
  // 99–124 then 124–103: bus 124 alone between two cuts is an area with nothing but its boundary
  // bus. (99–124 alone is a valid 2-area partition; 1–2 alone is not: it leaves the substation
  // area {1} empty, which the backend's check says a moment after the page's own count.)
  await ws.clickBranch('99', '124');
  await ws.clickBranch('124', '103');
  await expect(ws.cutCount).toHaveText('2');
  await expect(page.getByTestId('partition-errors')).toBeVisible();
  await expect(page.getByTestId('partition-errors')).toContainText('leave area {124} empty');
  await page.screenshot({ path: 'test-results/ui-bad-partition.png' });
  await page.keyboard.press('Control+z');
  await expect(ws.cutCount).toHaveText('1');
  await expect(ws.partitionStatus).toContainText('2 areas');
});
