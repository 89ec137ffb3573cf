/**
 * OpenDSS import: `importDss(entryPath, readFile)` runs the script (./script), builds the
 * balanced single-phase-equivalent feeder (./build) and validates it. The caller passes file
 * access in (`readFile(path) => text`, throwing when the file is missing), so this stays pure.
 */
import type { ImportOutcome } from '../types';
import { locatedValidation } from '../validation';
import { buildFeeder, type DssBuildOptions } from './build';
import { runScript, type ReadFile } from './script';

export type { DssBuildOptions as DssImportOptions } from './build';
export type { ReadFile } from './script';

export function importDss(entryPath: string, readFile: ReadFile, options: DssBuildOptions = {}): ImportOutcome {
  const script = runScript(entryPath, readFile);
  if (script.errors.length > 0) return { ok: false, errors: script.errors, warnings: script.warnings };
  const built = buildFeeder(script, entryPath, options);
  const warnings = [...script.warnings, ...built.warnings];
  if (built.errors.length > 0 || !built.feeder) return { ok: false, errors: built.errors, warnings };
  const checked = locatedValidation(built.feeder, built.sources);
  if (checked.errors.length > 0)
    return { ok: false, errors: checked.errors, warnings: [...warnings, ...checked.warnings] };
  return {
    ok: true,
    feeder: built.feeder,
    warnings: [...warnings, ...checked.warnings],
    ignored: script.ignored,
    reduction: built.reduction,
  };
}

/** Import from in-memory files (a map of path → text), e.g. for tests and drag-and-drop. */
export function importDssFiles(
  entryPath: string,
  files: ReadonlyMap<string, string> | Record<string, string>,
  options: DssBuildOptions = {},
): ImportOutcome {
  const get = files instanceof Map ? (p: string) => files.get(p) : (p: string) => (files as Record<string, string>)[p];
  return importDss(
    entryPath,
    (path) => {
      const text = get(path);
      if (text === undefined) throw new Error('no such file');
      return text;
    },
    options,
  );
}
