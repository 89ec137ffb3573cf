/**
 * The year of hourly profiles a command uses (`tessera site`, `tessera solve --year-day`): a
 * folder with load*.csv, pv*.csv and price*.csv of 8760 rows (src-solver/siting/profiles.ts), by
 * default the bundled example year resources/year-profiles (ERCOT/DFW 2023).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadYearProfiles, ProfileError, type YearProfiles } from '../../src-solver/siting/profiles';
import { resourcesDir } from '../paths';
import { CliError } from './types';

export const bundledYearDir = join(resourcesDir, 'year-profiles');

/** The year of `--profiles` (else the bundled one); `year`: the `--year` given for files of `hour` rows. */
export function openYear(profilesArg: string | undefined, cwd: string, year?: number): YearProfiles {
  const dir = profilesArg !== undefined ? resolve(cwd, profilesArg) : bundledYearDir;
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir);
  } catch (e) {
    throw new CliError(`--profiles ${dir}: ${(e as Error).message}`);
  }
  try {
    return loadYearProfiles(
      names,
      (n) => {
        try {
          return readFileSync(join(dir, n), 'utf8');
        } catch (e) {
          throw new CliError(`cannot read profile ${join(dir, n)}: ${(e as Error).message}`);
        }
      },
      year === undefined ? {} : { year },
    );
  } catch (e) {
    if (e instanceof ProfileError) throw new CliError(`--profiles ${dir}: ${e.message}`);
    throw e;
  }
}
