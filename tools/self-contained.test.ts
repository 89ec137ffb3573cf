import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A clone is all a user or contributor needs: nothing the repository tracks may reach outside it
 * (the `shared` folder one level up, beside a developer's checkout, or a machine path), and every test-data
 * folder the tests name must be in the repository.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => /\.(m?[jt]sx?|json|ya?ml|sh)$/.test(f) || f === '.ci/run');

describe('the repository is self-contained', () => {
  it('no tracked source, script or config reads the shared folder beside the checkout or an absolute /work path', () => {
    const outside = /(\.\.\/)+shared\/|\/work\/(shared|main)\b/;
    const offenders = tracked.filter(
      (f) => f !== 'tools/self-contained.test.ts' && outside.test(readFileSync(`${root}/${f}`, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the test-data folders the tests use are vendored', () => {
    for (const dir of [
      'ieee123-balanced/dss/Master.dss',
      'ieee123-balanced/csv/linedata.csv',
      'opendss-feeders/opendss-results/ieee13.json',
      'year-profiles/price_ercot-north_2023.csv',
      'README.md',
    ]) {
      expect(existsSync(`${root}/test-data/${dir}`), dir).toBe(true);
    }
  });
});
