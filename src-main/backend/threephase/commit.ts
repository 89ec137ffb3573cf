/**
 * Saving a previewed three-phase OpenDSS script: as three-phase (the default: the drawing of the
 * network in `feeders`, the script files in `feeder_scripts`), or — chosen explicitly — as its
 * balanced equivalent, whose every number is per phase (single-phase equivalent) and is labelled
 * so in its source. Either way the scripts stay in the project.
 */
import type { CommandArg, ThreePhaseReport } from '../../contract';
import { PER_PHASE_LABEL } from '../../../src-shared/threephase';
import { ApiFailure } from '../errors';
import type { PendingImport } from '../import/preview';
import type { Project } from '../store/project';

/** What `feeder_scripts.report_json` holds: the import report and the drawing's phases. */
export interface StoredScriptReport {
  readonly report: ThreePhaseReport;
  readonly busPhases: Record<string, string>;
  readonly branchPhases: Record<string, string>;
}

export function commitThreePhase(p: Project, pending: PendingImport, arg: CommandArg<'import.commit'>): void {
  const tp = pending.threePhase!;
  const model = arg.model ?? 'three-phase';
  const chosen = model === 'three-phase' ? tp.drawn : tp.balanced;
  if (!chosen) {
    throw new ApiFailure(
      'importFailed',
      model === 'three-phase'
        ? `The three-phase model of ${tp.scripts.entry} could not be read (${tp.report.errors[0]?.message ?? 'see the report'}); save its balanced equivalent instead, or fix the script`
        : `The balanced equivalent of ${tp.scripts.entry} could not be built; save it three-phase`,
    );
  }
  const feeder = arg.name ? { ...chosen, name: arg.name } : chosen;
  p.addFeeder(feeder, {
    source:
      model === 'three-phase'
        ? `${pending.source} (three-phase)`
        : `${pending.source} — balanced equivalent, ${PER_PHASE_LABEL}`,
    importReport: model === 'three-phase' ? pending.report : tp.balancedReport,
    scripts: {
      model,
      entry: tp.scripts.entry,
      files: tp.scripts.files,
      report: {
        report: tp.report,
        busPhases: tp.busPhases,
        branchPhases: tp.branchPhases,
      } satisfies StoredScriptReport,
    },
  });
}
