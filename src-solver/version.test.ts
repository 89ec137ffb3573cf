import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOLVER_VERSION, solverInfo } from './version';

describe('solver version', () => {
  it('matches the package version so saved runs name the code that produced them', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SOLVER_VERSION).toBe(pkg.version);
    expect(solverInfo()).toEqual({ name: 'tessera-solver', version: pkg.version });
  });
});
