#!/usr/bin/env node
// The `tessera` command: runs the TypeScript CLI from source through tsx's loader, so a fresh
// clone needs only `npm install` (no separate build step) for the headless tools.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/run.ts');
