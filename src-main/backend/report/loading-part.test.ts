/**
 * The report's branch loading section on a literal run worked out by hand (l1 rated 100 A peaks
 * at 120 A; l3 rated 50 A peaks at 45 A; l2 unrated), and its plain sentence when nothing is rated.
 */
import { describe, expect, it } from 'vitest';
import { emptyRunDetail } from '../../../src-shared/testing/run-detail';
import { loadingNextStep, loadingPart } from './loading-part';

const run = emptyRunDetail({
  periods: 3,
  settings: { startHour: 18, vMinPu: 0.95, vMaxPu: 1.05 } as never,
  totals: {
    lineLossKwh: 0,
    substationKwh: 0,
    substationKvarh: 0,
    pvKwh: 0,
    pvKvarh: 0,
    batteryKwh: 0,
    batteryKvarh: 0,
    costUsd: 0,
    demandKwh: 0,
  },
  branchNames: ['l1', 'l2', 'l3'],
  branchFrom: ['s', 'a', 'a'],
  branchTo: ['a', 'b', '<c>'],
  branchAmpacityA: [100, null, 50],
  series: { branchCurrentA: [80, 120, 90, 10, 20, 30, 40, 45, 20], branchLoadingPct: [80, 120, 90, 80, 90, 40] },
});

describe('report: branch loading', () => {
  it('lists rated branches most loaded first, the overloaded one marked, with rating, peak, current, hour and hours over', () => {
    const html = loadingPart(run)!.pages[0]!;
    const rows = [
      ...html.matchAll(
        /<tr( class="over")?><td>([^<]+)<\/td><td>([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">(?:<strong>)?([^<]+)(?:<\/strong>)?<\/td><td class="num">([^<]+)<\/td><td>([^<]+)<\/td><td class="num">(\d+)<\/td><\/tr>/g,
      ),
    ].map((m) => m.slice(1));
    expect(rows).toEqual([
      [' class="over"', 'l1', 's – a', '100 A', '120.0 %', '120.0 A', '19:00', '1'],
      [undefined, 'l3', 'a – &lt;c&gt;', '50 A', '90.0 %', '45.0 A', '19:00', '0'],
    ]);
    expect(html).toContain(
      '1 branch above its rating; the worst is l1 at 120.0 % (19:00). 1 of 3 branches have no rating and are not checked.',
    );
    expect(html).toContain('per phase (single-phase equivalent)');
  });

  it('says why there is no table when the feeder rates no branch; no section without results', () => {
    const html = loadingPart({
      ...run,
      branchAmpacityA: [null, null, null],
      series: { ...run.series, branchLoadingPct: [] },
    })!.pages[0]!;
    expect(html).not.toContain('<table');
    expect(html).toContain('The feeder gives no branch rating');
    expect(loadingPart({ ...run, totals: null })).toBeNull();
  });

  it('the summary’s next step names the worst overloaded branch, and there is none when every branch is within its rating', () => {
    expect(loadingNextStep(run)).toBe(
      'Branch l1 (bus s – a) carries 120.0 % of its 100 A rating at 19:00: check the rating, or relieve it (storage downstream, a current limit in the study, reconductoring).',
    );
    expect(
      loadingNextStep({ ...run, series: { ...run.series, branchLoadingPct: [80, 95, 90, 80, 90, 40] } }),
    ).toBeNull();
  });
});
