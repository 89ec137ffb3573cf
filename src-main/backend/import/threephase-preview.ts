/**
 * The import preview of a three-phase OpenDSS script (its circuit has 2 or more phases): the
 * three-phase model as written (kept in the project as its script files), with its report, and
 * beside it the explicit balanced equivalent the planner may choose instead — never applied
 * silently. Kept apart from preview.ts so the two change independently.
 */
import type { ImportIssueDto, ImportPreview, ThreePhaseReport } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import type { ImportOutcome } from '../../../src-solver/io/types';
import { drawNetwork, readThreePhase, sourcePhases, threePhaseReport, type FeederScripts } from '../threephase/network';

/** What `import.commit` needs to keep a three-phase feeder (plain data: it crosses from the worker). */
export interface PendingThreePhase {
  readonly scripts: FeederScripts;
  readonly report: ThreePhaseReport;
  /** The drawing of the three-phase network (null when the three-phase model could not be read). */
  readonly drawn: Feeder | null;
  /** The balanced equivalent (null when it could not be built). */
  readonly balanced: Feeder | null;
  readonly balancedReport: unknown;
  /** Phase letters per bus and per drawn branch (empty when the three-phase model could not be read). */
  readonly busPhases: Record<string, string>;
  readonly branchPhases: Record<string, string>;
}

/** True when the entry script's circuit has 2 or more phases. */
export function isThreePhaseScript(entry: string, files: ReadonlyMap<string, string>): boolean {
  const p = sourcePhases({ entry, files: Object.fromEntries(files) });
  return p !== null && p >= 2;
}

const issue = (i: { file: string; line: number; column?: number; message: string }): ImportIssueDto =>
  i.column === undefined
    ? { file: i.file, line: i.line, message: i.message }
    : { file: i.file, line: i.line, column: i.column, message: i.message };

/**
 * The three-phase fields of the preview, given the balanced equivalent's outcome (already built
 * by the caller). `ok` when either model could be read: the three-phase one is the default.
 */
export function threePhasePreview(
  entry: string,
  files: ReadonlyMap<string, string>,
  balanced: ImportOutcome,
  balancedReport: unknown,
): {
  fields: Pick<ImportPreview, 'threePhase' | 'balancedEquivalent' | 'feeder' | 'counts' | 'feederName'>;
  pending: PendingThreePhase;
  ok: boolean;
  errors: ImportIssueDto[];
} {
  const scripts: FeederScripts = { entry, files: Object.fromEntries(files) };
  const out = readThreePhase(scripts);
  const report = threePhaseReport(out);
  const drawing = out.ok ? drawNetwork(out.network) : null;
  const drawn = drawing?.feeder ?? null;
  const bal = balanced.ok ? balanced.feeder : null;
  const counts = (f: Feeder | null) => ({
    buses: f?.buses.length ?? 0,
    branches: f?.branches.length ?? 0,
    loads: f?.loads.length ?? 0,
    pv: f?.pv.length ?? 0,
    batteries: f?.batteries.length ?? 0,
    capacitors: f?.capacitors.length ?? 0,
  });
  const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);
  return {
    ok: out.ok || bal !== null,
    errors:
      out.ok || bal !== null ? [] : [...report.errors, ...(balanced.ok ? [] : balanced.errors.slice(0, 50).map(issue))],
    fields: {
      feederName: drawn?.name ?? bal?.name ?? '',
      feeder: drawn ?? bal,
      counts: counts(drawn ?? bal),
      threePhase: report,
      balancedEquivalent: {
        ok: bal !== null,
        counts: counts(bal),
        loadKwPerPhase: sum(bal?.loads.map((l) => l.pKw) ?? []),
        loadKvarPerPhase: sum(bal?.loads.map((l) => l.qKvar) ?? []),
        errors: balanced.ok ? [] : balanced.errors.slice(0, 50).map(issue),
      },
    },
    pending: {
      scripts,
      report,
      drawn,
      balanced: bal,
      balancedReport,
      busPhases: drawing?.busPhases ?? {},
      branchPhases: drawing?.branchPhases ?? {},
    },
  };
}
