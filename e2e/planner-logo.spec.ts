/**
 * Issue #18, the logo on the report's title page, in Chromium against the real Node host: a JPEG
 * (made by Chromium, with an EXIF segment carrying a "GPS" text added) is uploaded in the
 * project's report details, previewed, stored without its EXIF, and printed on the PDF's title
 * page (pdfimages lists it at its size); a GIF is refused in plain words; Remove takes it away.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { WorkspacePage } from './pages/workspace';
import { testDataPath } from '../test-data/index';

const OUT = resolve('test-results/planner-logo');

test('a logo picked in the report details is stripped, previewed and printed on the title page; other types are refused', async ({
  page,
  api,
  project,
}) => {
  test.setTimeout(180_000);
  mkdirSync(OUT, { recursive: true });
  const dss = testDataPath('ieee123-balanced/dss');
  const files = readdirSync(dss).map((f) => ({ name: f, text: readFileSync(join(dss, f), 'utf8') }));
  const preview = await api.call('import.preview', { files });
  const summary = await api.call('import.commit', { token: preview.token, name: 'IEEE 123' });
  const sc = await api.call('scenarios.get', { id: summary.scenarios.at(-1)!.id });
  await api.call('scenarios.update', { id: sc.id, patch: { study: { ...sc.study, periods: 6, startHour: 16 } } });
  const run = await api.call('runs.start', { scenarioId: sc.id, kind: 'centralized' });

  const ws = new WorkspacePage(page);
  await ws.goto();
  await page.getByRole('navigation').getByRole('button', { name: 'Projects' }).click();
  await page.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name: project.name }).click();
  await expect(ws.root).toBeVisible();

  // A real JPEG (Chromium's encoder), 150 × 50, with an EXIF segment right after SOI.
  const shot = await page.screenshot({ type: 'jpeg', quality: 85, clip: { x: 0, y: 0, width: 150, height: 50 } });
  const body = Buffer.from('Exif\0\0GPS 51.5N 0.1W', 'latin1');
  const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, body.length + 2]), body]);
  const jpeg = Buffer.concat([shot.subarray(0, 2), exif, shot.subarray(2)]);

  await page.locator('.report-details summary').click();
  await page.getByTestId('logo-file').setInputFiles({ name: 'logo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.getByTestId('logo-facts')).toHaveText(/^JPEG, 150 × 50 px, \d+ KB$/);
  const img = page.getByTestId('logo-preview');
  await expect(img).toBeVisible();
  expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(150);
  const stored = await api.call('projects.logo', null);
  expect(stored?.mime).toBe('image/jpeg');
  const bytes = Buffer.from(stored!.base64, 'base64');
  expect(bytes.toString('latin1')).not.toContain('GPS');
  // Chromium's ICC segment goes too (only what draws the picture is kept); the scans are untouched.
  const scans = (b: Buffer) => b.subarray(b.indexOf(Buffer.from([0xff, 0xda])));
  expect(scans(bytes).equals(scans(jpeg))).toBe(true);
  expect(bytes.length).toBeLessThan(jpeg.length - exif.length);
  await page.screenshot({ path: join(OUT, 'ui-logo.png') });

  // Not a PNG or JPEG: refused in plain words, the stored logo kept.
  await page.getByTestId('logo-file').setInputFiles({
    name: 'logo.gif',
    mimeType: 'image/gif',
    buffer: Buffer.from('GIF89a\x01\0\x01\0\0\0\0;', 'latin1'),
  });
  await expect(page.getByTestId('logo-error')).toHaveText(
    'logo: only PNG and JPEG images can be a logo; this file is a GIF image',
  );
  expect((await api.call('projects.current', null))!.logo).toMatchObject({
    mime: 'image/jpeg',
    width: 150,
    height: 50,
  });

  // The PDF's title page carries it.
  for (;;) {
    const r = (await api.call('runs.list', { scenarioId: sc.id })).find((x) => x.id === run.id)!;
    if (r.status !== 'running') {
      expect(r.status).toBe('solved');
      break;
    }
    await page.waitForTimeout(250);
  }
  const pdf = await api.call('report.pdf', { runId: run.id });
  const file = join(OUT, 'report.pdf');
  writeFileSync(file, Buffer.from(pdf.base64, 'base64'));
  const images = execFileSync('pdfimages', ['-f', '1', '-l', '1', '-list', file], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .slice(2);
  expect(images.map((l) => l.trim().split(/\s+/).slice(3, 5).map(Number))).toContainEqual([150, 50]);
  execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(OUT, 'title')]);

  // Remove: gone from the project and the page.
  await page.getByTestId('logo-remove').click();
  await expect(img).toHaveCount(0);
  expect((await api.call('projects.current', null))!.logo).toBeNull();
});
