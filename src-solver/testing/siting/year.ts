/**
 * Test and bench support for the siting study: the vendored year of profiles
 * (test-data/year-profiles: ERCOT North hub price 2023, ERCOT North Central load 2023, Denton TX
 * PV TMY) and a horizon of its representative days, as the study's tests and benches use them.
 * Pure: the caller reads the files (`read(name)`, a file name in that folder; tests pass
 * `(n) => readTestData('year-profiles', n)`).
 */
import type { Horizon } from '../../siting/evaluate';
import { dayStudy, loadYearProfiles, representativeDays, type YearProfiles } from '../../siting/profiles';

/** The year's files in test-data/year-profiles/. */
export const YEAR_PROFILE_FILES = [
  'load_ercot-ncent_2023.csv',
  'pv_denton-tx_tmy.csv',
  'price_ercot-north_2023.csv',
] as const;

/** The vendored year, read and checked as the study reads a planner's. */
export function testYear(read: (name: string) => string): YearProfiles {
  return loadYearProfiles(YEAR_PROFILE_FILES, read);
}

/**
 * `k` representative days of `year` (k-medoids from seed 1, as the app and `tessera site` draw
 * them) as a study horizon: one 24-hour part per day, labelled `day N` (1-based day of the year),
 * weighted by its cluster's size.
 */
export function daysHorizon(year: YearProfiles, k: number): Horizon {
  const days = representativeDays(year, k, 1);
  return {
    kind: 'representative-days',
    parts: days.map((d) => ({ label: `day ${d.day + 1}`, weight: d.weight, study: dayStudy(year, d.day) })),
    annualFactor: 1,
    description: `${k} representative days`,
  };
}
