/**
 * A planner's own year of profiles for a siting study in the app: CSV texts checked before
 * anything is stored (a gap, a wrong length, kW instead of pu: the file and line named), kept with
 * the study in the project, used for its representative days and for the runs opened from it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary, Scenario, SitingStudyDetail, SitingStudySummary } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { call } from '../test-support';

const bundled = (prefix: string): string => {
  const dir = join(resourcesDir, 'year-profiles');
  const name = ['load_ercot-ncent_2023.csv', 'pv_denton-tx_tmy.csv', 'price_ercot-north_2023.csv'].find((n) =>
    n.startsWith(prefix),
  )!;
  return readFileSync(join(dir, name), 'utf8');
};

/** A backend on a fresh data folder with the IEEE 123 example open, and a copy of its scenario named `name`. */
async function exampleCopy(name: string): Promise<{ b: Backend; s: Scenario }> {
  const b = new Backend({
    resourcesDir,
    dataDir: mkdtempSync(join(tmpdir(), 'tessera-siting-year-')),
    host: 'node-host',
  });
  try {
    const summary = await call<{ scenarios: { id: number }[] }>(b, 'projects.openExample', { id: 'ieee123' });
    const s = await call<Scenario>(b, 'scenarios.duplicate', { id: summary.scenarios[0]!.id, name });
    return { b, s };
  } catch (e) {
    b.close();
    throw e;
  }
}

describe("siting with the planner's own year", () => {
  it('names the file the planner chose and the line of a problem, and stores nothing', async () => {
    const { b, s } = await exampleCopy('own files');
    try {
      const files = { load: 'dfw load.csv', pv: 'denton pv.csv', price: 'north hub 2023.csv' };
      const price = bundled('price').split('\n');
      price.splice(100, 1); // 2023-01-05T03:00 missing: line 101 is 04:00
      price.push('2023-12-31T23:59,1');
      const start = (profiles: Record<string, unknown>) =>
        b.handle('siting.start', { scenarioId: s.id, settings: { candidates: ['65'], count: 1, days: 1, profiles } });
      const year = { name: 'my year', files, load: bundled('load'), pv: bundled('pv'), price: price.join('\n') };
      const r = await start(year);
      expect(r.ok ? 'ok' : r.error.message).toBe(
        `siting.start: price file "north hub 2023.csv" line 101: timestamp 2023-01-05T04:00 is 2 h after the previous row's (a gap or a repeated hour; give one row per hour, e.g. in standard time all year)`,
      );
      const short = await start({
        ...year,
        price: bundled('price'),
        pv: bundled('pv').split('\n').slice(0, 101).join('\n'),
      });
      expect(short.ok ? 'ok' : short.error.message).toMatch(
        /^siting\.start: pv file "denton pv\.csv": 100 hourly values/,
      );
      // a year given that the timestamps contradict
      const otherYear = await start({ ...year, price: bundled('price'), year: 2022 });
      expect(otherYear.ok ? 'ok' : otherYear.error.message).toBe(
        'siting.start: price file "north hub 2023.csv": its timestamps are of 2023, but the year given is 2022',
      );
      const noName = await start({ ...year, files: { ...files, price: '' } });
      expect(noName.ok ? 'ok' : noName.error.message).toBe(
        'siting.start: settings.profiles.files.price must be a file name',
      );
      expect(await call(b, 'siting.list', { scenarioId: s.id })).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('checks the files, keeps them with the study, and its days and opened runs use them', async () => {
    const { b, s } = await exampleCopy('own year');
    try {
      // The planner's prices: the bundled year's, doubled, as a leap year (2024) with ISO timestamps
      // (29 February a copy of the 28th, which the reader leaves out).
      const price = bundled('price')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[1]));
      const leap = [...price.slice(0, 59 * 24), ...price.slice(58 * 24, 59 * 24), ...price.slice(59 * 24)];
      const priceText = [
        'timestamp,value',
        ...leap.map((v, h) => `${new Date(Date.UTC(2024, 0, 1, h)).toISOString().slice(0, 16)},${2 * v}`),
      ].join('\n');
      const profiles = { name: 'ERCOT ×2', load: bundled('load'), pv: bundled('pv'), price: priceText };

      const bad = async (p: Record<string, string>): Promise<string> => {
        const r = await b.handle('siting.start', {
          scenarioId: s.id,
          settings: { candidates: ['65'], count: 1, days: 1, profiles: { ...profiles, ...p } },
        });
        return r.ok ? 'ok' : r.error.message;
      };
      const gap = priceText.split('\n');
      gap.splice(100, 1);
      gap.push('2024-12-31T23:59,1');
      expect(await bad({ price: gap.join('\n') })).toMatch(
        /price \(ERCOT ×2\)\.csv line 101: timestamp 2024-01-05T04:00 is 2 h after the previous row's/,
      );
      expect(await bad({ load: bundled('load').split('\n').slice(0, 5000).join('\n') })).toMatch(
        /load \(ERCOT ×2\)\.csv: 4999 hourly values, a year needs exactly 8760/,
      );
      const kw = bundled('pv').replace(/,([\d.]+)$/gm, (_, v: string) => `,${Number(v) * 250}`);
      expect(await bad({ pv: kw })).toMatch(/pv \(ERCOT ×2\)\.csv: the largest PV value is .* per unit of rating/);
      expect(await call(b, 'siting.list', { scenarioId: s.id })).toEqual([]);

      const started = await call<SitingStudySummary>(b, 'siting.start', {
        scenarioId: s.id,
        settings: { candidates: ['65'], count: 1, days: 1, sizes: [{ kw: 40, kwh: 160 }], profiles },
      });
      await b.siting.wait(started.id);
      const detail = await call<SitingStudyDetail>(b, 'siting.get', { studyId: started.id });
      expect(detail.error).toBeNull();
      // The year is the planner's prices' (2024, from their timestamps), not the bundled 2023.
      expect(detail.report!.horizon.description).toBe(`1 representative days of the planner's year "ERCOT ×2" (2024)`);
      const listed = await call<SitingStudySummary[]>(b, 'siting.list', { scenarioId: s.id });
      expect(listed[0]!.settings.profiles).toEqual({ name: 'ERCOT ×2', load: '', pv: '', price: '' });

      const line = detail.report!.ranked[0]!;
      const part = line.verification.parts[0]!;
      const day = Number(/--year-day (\d+)/.exec(part.rerun!)![1]) - 1;
      // its day dated in 2024, 29 February left out (day index 59 is 1 March)
      const date = new Date(Date.UTC(2024, 0, 1 + day + (day >= 59 ? 1 : 0))).toISOString().slice(0, 10);
      expect(part.label).toBe(`day ${date} (×365)`);
      const opened = await call<RunSummary>(b, 'siting.openRun', { studyId: started.id, rank: 1, part: 0 });
      await b.runs.wait(opened.id);
      const run = await call<RunDetail>(b, 'runs.get', { runId: opened.id });
      expect(run.status).toBe('solved');
      expect(run.name).toMatch(new RegExp(`— day ${date} \\(×365\\)$`));
      // the run's prices are the planner's for that day (USD/MWh → ¢/kWh: ÷ 10), not the bundled year's
      for (let h = 0; h < 24; h++)
        expect(run.settings.priceCentsPerKwh[h]).toBeCloseTo((2 * price[day * 24 + h]!) / 10, 9);
      expect(Math.abs(run.objective! - part.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(part.objective));
    } finally {
      b.close();
    }
  }, 600_000);
});
