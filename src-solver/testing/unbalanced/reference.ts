/**
 * Test support: a vendored OpenDSS feeder (test-data/opendss-feeders/) imported the way the
 * reference engine ran it — its `opendss-results/<name>.json` names the master script and the
 * lines run before it. Pure: the caller passes the file reader and the feeders folder's path
 * function (test-data/index.ts `opendssRef`).
 */
import { importUnbalanced } from '../../unbalanced/import';
import type { UNetwork } from '../../unbalanced/model';

export function referenceFeeder(
  name: string,
  read: (path: string) => string,
  refPath: (...parts: string[]) => string,
): UNetwork {
  const ref = JSON.parse(read(refPath('opendss-results', `${name}.json`))) as { master: string; pre: string[] };
  const out = importUnbalanced(refPath(ref.master), read, { extraLines: ref.pre });
  if (!out.ok) throw new Error(out.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return out.network;
}
