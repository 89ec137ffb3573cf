#!/usr/bin/env node
// The `tessera` command. Runs the JavaScript build in cli-dist/ (tools/build-cli.mjs, made at
// `npm install` by the `prepare` script and by `npm run build:cli`) while it is up to date with
// the sources (bin/build-state.mjs: every source file it was built from still has the same size
// and modification time). Otherwise — no build yet, or a source edited since — it runs the
// TypeScript sources through tsx, which is slower to start (development only), and says so on a
// terminal. TESSERA_FROM_SOURCE=1 forces the sources.
import { buildState } from './build-state.mjs';

const state = process.env.TESSERA_FROM_SOURCE === '1' ? { fresh: false } : buildState(new URL('../', import.meta.url));
if (state.fresh) {
  await import('../cli-dist/tessera.mjs');
} else {
  if (state.reason && process.stderr.isTTY) {
    process.stderr.write(`tessera: ${state.reason}; running from source (\`npm run build:cli\` rebuilds)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli/run.ts');
}
