import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository (or unpacked app) root when running from source under Node. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const resourcesDir = join(repoRoot, 'resources');
export const examplesDir = join(resourcesDir, 'examples');
/** The built renderer that the Node host serves (electron-vite build output). */
export const rendererDist = join(repoRoot, 'out', 'renderer');
