/** Helpers the three-phase backend tests share (not imported by product code). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportFile, ImportPreview, ProjectSummary, Scenario } from '../../contract';
import { resourcesDir } from '../../paths';
import type { SpawnArea } from '../../../src-solver/enapp/protocol';
import { Backend } from '../backend';
import { inlineImport } from '../import/run';
import { call } from '../test-support';
import { inlineBaseCase } from './run';
import { inlineThreePhaseOpf } from './opf-run';

/**
 * Node-host backends with a fresh data folder each, the import and base case on the test's
 * thread, and the three-phase OPF there too unless `worker` (then in its worker thread, as in the
 * app); area processes from `spawnArea` (default the backend's); `closeAll` (afterEach) closes
 * every one made.
 */
export function threePhaseBackends(prefix: string): {
  backend: (worker?: boolean, spawnArea?: SpawnArea) => Backend;
  closeAll: () => void;
} {
  const made: Backend[] = [];
  return {
    backend: (worker = false, spawnArea?: SpawnArea) => {
      const b = new Backend({
        resourcesDir,
        dataDir: mkdtempSync(join(tmpdir(), prefix)),
        host: 'node-host',
        runImport: inlineImport,
        runBaseCase: inlineBaseCase,
        ...(worker ? {} : { runThreePhaseOpf: inlineThreePhaseOpf }),
        ...(spawnArea ? { spawnArea } : {}),
      });
      made.push(b);
      return b;
    },
    closeAll: () => {
      for (const b of made.splice(0)) b.close();
    },
  };
}

/** A new project holding a feeder imported three-phase (`files`, `entry` as `import.preview` takes them); its scenario. */
export async function importedScenario(
  b: Backend,
  projectName: string,
  files: ImportFile[],
  entry: string,
): Promise<Scenario> {
  await call(b, 'projects.create', { name: projectName });
  const preview = await call<ImportPreview>(b, 'import.preview', { files, entry });
  if (!preview.ok) throw new Error(`import of ${entry}: ${JSON.stringify(preview.errors)}`);
  const summary = await call<ProjectSummary>(b, 'import.commit', { token: preview.token });
  return call<Scenario>(b, 'scenarios.get', { id: summary.scenarios.at(-1)!.id });
}
