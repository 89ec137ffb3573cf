import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src-solver/**/*.test.ts',
      'src-main/**/*.test.ts',
      'src-renderer/**/*.test.ts',
      'src-shared/**/*.test.ts',
      'tools/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Fail the run when no test file is found (a runner that finds nothing must not exit 0).
    passWithNoTests: false,
  },
});
