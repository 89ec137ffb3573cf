/** Runs feeder validation after an import and turns its issues into located import issues. */
import type { Feeder } from '../model/feeder';
import { validateFeeder } from '../model/validate';
import type { ImportError, ImportIssue } from './types';

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/**
 * Where each element came from, keyed `<kind> <name lower-case>` with the kinds validation uses
 * (`bus`, `branch`, `load`, `capacitor`, `pv`, `battery`, `shape`, `substation`).
 */
export class SourceMap {
  private readonly map = new Map<string, SourceLocation>();
  constructor(readonly fallback: SourceLocation) {}

  set(kind: string, name: string, at: SourceLocation): void {
    const k = `${kind} ${name.toLowerCase()}`;
    if (!this.map.has(k)) this.map.set(k, at);
  }

  /** Overwrites (used when an element is edited after its definition). */
  reset(kind: string, name: string, at: SourceLocation): void {
    this.map.set(`${kind} ${name.toLowerCase()}`, at);
  }

  locate(element: string): SourceLocation {
    const space = element.indexOf(' ');
    const k = space < 0 ? element : `${element.slice(0, space)} ${element.slice(space + 1).toLowerCase()}`;
    return this.map.get(k) ?? this.fallback;
  }
}

/** Validation errors and warnings of `feeder`, each placed at its element's source line. */
export function locatedValidation(
  feeder: Feeder,
  sources: SourceMap,
): { errors: ImportError[]; warnings: ImportIssue[] } {
  const errors: ImportError[] = [];
  const warnings: ImportIssue[] = [];
  for (const issue of validateFeeder(feeder)) {
    const at = sources.locate(issue.element);
    const located: ImportIssue = {
      file: at.file,
      line: at.line,
      column: at.column,
      message: `${issue.element}: ${issue.message}`,
    };
    (issue.severity === 'error' ? errors : warnings).push(located);
  }
  return { errors, warnings };
}
