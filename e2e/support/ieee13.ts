/**
 * IEEE 13 for the e2e specs (the vendored OpenDSS files, src-solver/testing/unbalanced/ieee13.ts):
 * as `import.preview` files, or as a folder a planner picks in the import wizard.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Scenario } from '../../src-main/contract';
import { IEEE13_ENTRY, IEEE13_FILES, ieee13ImportFiles } from '../../src-solver/testing/unbalanced/ieee13';
import type { Api } from '../fixtures';
import { opendssRef } from '../../test-data/index';

export { IEEE13_BATTERY_675, IEEE13_ENTRY } from '../../src-solver/testing/unbalanced/ieee13';

/** The files as `import.preview` takes them. */
export const ieee13Files = (): { name: string; text: string }[] =>
  ieee13ImportFiles((f) => readFileSync(opendssRef('feeders', f), 'utf8'));

/** A fresh folder `feeders/` holding 13Bus/* and IEEELineCodes.DSS (13Bus's line codes redirect to ../). */
export function ieee13Folder(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'tessera-3ph-')), 'feeders');
  for (const f of IEEE13_FILES) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    copyFileSync(opendssRef('feeders', f), join(root, f));
  }
  return root;
}

/** IEEE 13 imported three-phase into the open project through the backend (the wizard's own test: three-phase.spec.ts); its scenario. */
export async function importIeee13(api: Api, name?: string): Promise<Scenario> {
  const preview = await api.call('import.preview', { files: ieee13Files(), entry: IEEE13_ENTRY });
  if (!preview.ok) throw new Error(`IEEE 13 import: ${JSON.stringify(preview.errors)}`);
  const summary = await api.call('import.commit', { token: preview.token, ...(name ? { name } : {}) });
  return api.call('scenarios.get', { id: summary.scenarios.at(-1)!.id });
}
