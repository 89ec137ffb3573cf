import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The repository (or unpacked app) root under Node: one folder up from src-main/ when running from
 * source, and from cli-dist/ in the CLI's JavaScript build (tools/build-cli.mjs keeps every
 * chunk directly in cli-dist/ for this).
 */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const resourcesDir = join(repoRoot, 'resources');
export const examplesDir = join(resourcesDir, 'examples');
/** The built renderer that the Node host serves (electron-vite build output). */
export const rendererDist = join(repoRoot, 'out', 'renderer');
