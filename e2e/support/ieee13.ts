/**
 * IEEE 13 for the e2e specs (the vendored OpenDSS files, src-solver/testing/unbalanced/ieee13.ts):
 * as `import.preview` files, or as a folder a planner picks in the import wizard.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { IEEE13_FILES, ieee13ImportFiles } from '../../src-solver/testing/unbalanced/ieee13';
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
