// Renderer unit tests (pure modules). The root vitest.config.ts does not include src-renderer yet;
// run with `npx vitest run --config src-renderer/vitest.config.ts` until it does.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { root: new URL('..', import.meta.url).pathname, include: ['src-renderer/**/*.test.ts'], environment: 'node' },
});
