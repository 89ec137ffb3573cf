/**
 * The project commands: open/create/save-as the one current project, import feeders through a
 * preview, edit scenarios (every update persisted at once), areas and bulk placements. Arguments
 * arrive already validated (validators.ts); ids are checked against the store here (`notFound`).
 *
 * First start: `projects.current` opens the bundled IEEE 123 example when there is no recent
 * list yet (the app has never opened a project).
 */
import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type {
  CommandArg,
  CommandResult,
  ImportIssueDto,
  ImportPreview,
  Partition,
  ProjectSummary,
  Scenario,
  StudySettings,
} from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { importReferenceCsv } from '../../../src-solver/io/csv/reference';
import { importDssFiles } from '../../../src-solver/io/dss';
import type { ImportOutcome, ReductionReport } from '../../../src-solver/io/types';
import { checkPartition, suggestPartition } from '../../../src-solver/enapp/partition';
import { applyBulkRule, withPlacements } from '../../../src-solver/model/placement';
import { ApiFailure } from '../errors';
import { loadExampleProject, type ExampleProject } from '../../../src-solver/examples/project';
import { DEFAULT_STUDY } from '../store/defaults';
import { PROJECT_EXTENSION, Project } from '../store/project';
import { readRecent, recentFile, touchRecent } from '../store/recent';
import { studyProblems } from './validators';

export interface ProjectServiceOptions {
  readonly dataDir: string;
  readonly examplesDir: string;
  readonly onChanged?: (path: string) => void;
}

interface PendingImport {
  readonly feeder: Feeder;
  readonly source: string;
  readonly report: unknown;
}

const MAX_PENDING_IMPORTS = 8;

export class ProjectService {
  private project: Project | null = null;
  private readonly pending = new Map<string, PendingImport>();

  constructor(private readonly options: ProjectServiceOptions) {}

  private get projectsDir(): string {
    return join(this.options.dataDir, 'projects');
  }

  /** The open project (runs and reports work on it), or `noProject`. */
  requireProject(): Project {
    if (!this.project) throw new ApiFailure('noProject', 'No project is open: open or create one first');
    return this.project;
  }

  private switchTo(p: Project): ProjectSummary {
    this.project?.close();
    this.project = p;
    touchRecent(this.options.dataDir, { path: p.path, name: p.name });
    return p.summary();
  }

  private changed(): ProjectSummary {
    const p = this.requireProject();
    this.options.onChanged?.(p.path);
    return p.summary();
  }

  recent(): CommandResult<'projects.recent'> {
    return readRecent(this.options.dataDir);
  }

  create(arg: CommandArg<'projects.create'>): ProjectSummary {
    const path = arg.path ?? join(this.projectsDir, `${safeFileName(arg.name)}${PROJECT_EXTENSION}`);
    if (!isAbsolute(path))
      throw new ApiFailure('invalidArgument', `projects.create: path must be absolute, got "${path}"`);
    mkdirSync(dirname(path), { recursive: true });
    return this.switchTo(Project.create(path, arg.name));
  }

  open(arg: CommandArg<'projects.open'>): ProjectSummary {
    if (!isAbsolute(arg.path))
      throw new ApiFailure('invalidArgument', `projects.open: path must be absolute, got "${arg.path}"`);
    if (this.project && resolve(this.project.path) === resolve(arg.path)) return this.project.summary();
    return this.switchTo(Project.open(arg.path));
  }

  current(): ProjectSummary | null {
    if (
      !this.project &&
      !existsSync(recentFile(this.options.dataDir)) &&
      existsSync(join(this.options.examplesDir, 'ieee123', 'example.json'))
    ) {
      return this.openExample({ id: 'ieee123' });
    }
    return this.project?.summary() ?? null;
  }

  saveAs(arg: CommandArg<'projects.saveAs'>): ProjectSummary {
    const p = this.requireProject();
    if (!isAbsolute(arg.path))
      throw new ApiFailure('invalidArgument', `projects.saveAs: path must be absolute, got "${arg.path}"`);
    mkdirSync(dirname(arg.path), { recursive: true });
    p.saveAs(arg.path);
    touchRecent(this.options.dataDir, { path: p.path, name: p.name });
    return p.summary();
  }

  close(): null {
    this.project?.close();
    this.project = null;
    return null;
  }

  /** Open the example's project, building it on first use (into a temporary file, then renamed). */
  openExample(arg: CommandArg<'projects.openExample'>): ProjectSummary {
    const dir = join(this.options.examplesDir, arg.id);
    if (!existsSync(join(dir, 'example.json'))) throw new ApiFailure('notFound', `No bundled example "${arg.id}"`);
    const path = join(this.projectsDir, `${arg.id}${PROJECT_EXTENSION}`);
    if (this.project && resolve(this.project.path) === resolve(path)) return this.project.summary();
    if (!existsSync(path)) {
      mkdirSync(this.projectsDir, { recursive: true });
      const temp = `${path}.building-${process.pid}`;
      rmSync(temp, { force: true });
      const built = buildExampleProject(dir, temp);
      built.close();
      renameSync(temp, path);
    }
    return this.switchTo(Project.open(path));
  }

  // --- import -----------------------------------------------------------------------------------

  importPreview(arg: CommandArg<'import.preview'>): ImportPreview {
    const files = new Map<string, string>();
    for (const f of arg.files) {
      if (f.base64 === undefined) {
        files.set(normalizeName(f.name), f.text ?? '');
        continue;
      }
      // A zip: its text files join the set under their paths inside the archive.
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(new Uint8Array(Buffer.from(f.base64, 'base64')));
      } catch (err) {
        return failedPreview('dss', f.name, `not a readable zip archive (${(err as Error).message})`);
      }
      for (const [name, bytes] of Object.entries(entries)) {
        if (!name.endsWith('/') && !name.startsWith('__MACOSX/')) files.set(normalizeName(name), strFromU8(bytes));
      }
    }
    const names = [...files.keys()];
    const format = arg.format && arg.format !== 'auto' ? arg.format : detectFormat(names);
    if (format === 'tessera-csv')
      return failedPreview(
        'tessera-csv',
        names[0] ?? '',
        'the Tessera CSV format cannot be imported by this version yet',
      );
    let outcome: ImportOutcome;
    let source: string;
    if (format === 'dss') {
      const entry =
        names.find((n) => basename(n).toLowerCase() === 'master.dss') ??
        (names.filter((n) => n.toLowerCase().endsWith('.dss')).length === 1
          ? names.find((n) => n.toLowerCase().endsWith('.dss'))
          : undefined);
      if (!entry)
        return failedPreview(
          'dss',
          names[0] ?? '',
          'no Master.dss among the files: which script is the circuit? (name it Master.dss)',
        );
      outcome = importDssFiles(entry, files);
      source = `OpenDSS: ${entry}`;
    } else {
      const line = names.find((n) => basename(n).toLowerCase().includes('line'));
      const power = names.find((n) => basename(n).toLowerCase().includes('power'));
      if (!line || !power)
        return failedPreview(
          'csv-pair',
          names[0] ?? '',
          'a CSV pair needs a linedata file (fbus,tbus,R,X) and a powerdata file (bus,P_L,Q_L,Q_C,P_der)',
        );
      outcome = importReferenceCsv(files.get(line)!, files.get(power)!, {
        linedataFile: line,
        powerdataFile: power,
        name: basename(dirname(line)) || 'feeder',
      });
      source = `CSV: ${line} + ${power}`;
    }
    const token = randomUUID();
    const warnings: ImportIssueDto[] = outcome.warnings.map(issueDto);
    if (!outcome.ok) {
      return {
        token,
        ok: false,
        format,
        feederName: '',
        counts: zeroCounts(),
        errors: outcome.errors.map(issueDto),
        warnings,
        ignored: [],
        reduction: [],
        feeder: null,
      };
    }
    const reduction = reductionLines(outcome.reduction);
    const ignored = outcome.ignored.map((i) => ({ file: i.file, line: i.line, element: i.element }));
    this.pending.set(token, { feeder: outcome.feeder, source, report: { format, warnings, ignored, reduction } });
    while (this.pending.size > MAX_PENDING_IMPORTS) this.pending.delete(this.pending.keys().next().value!);
    const f = outcome.feeder;
    return {
      token,
      ok: true,
      format,
      feederName: f.name,
      counts: {
        buses: f.buses.length,
        branches: f.branches.length,
        loads: f.loads.length,
        pv: f.pv.length,
        batteries: f.batteries.length,
        capacitors: f.capacitors.length,
      },
      errors: [],
      warnings,
      ignored,
      reduction,
      feeder: f,
    };
  }

  importCommit(arg: CommandArg<'import.commit'>): ProjectSummary {
    const p = this.requireProject();
    const pending = this.pending.get(arg.token);
    if (!pending)
      throw new ApiFailure('notFound', 'That import preview has expired or was already saved: preview the files again');
    const feeder = arg.name ? { ...pending.feeder, name: arg.name } : pending.feeder;
    p.addFeeder(feeder, { source: pending.source, importReport: pending.report });
    this.pending.delete(arg.token);
    return this.changed();
  }

  // --- feeders and scenarios --------------------------------------------------------------------

  getFeeder(arg: CommandArg<'feeders.get'>): Feeder {
    return this.requireProject().getFeeder(arg.id);
  }

  deleteFeeder(arg: CommandArg<'feeders.delete'>): ProjectSummary {
    this.requireProject().deleteFeeder(arg.id);
    return this.changed();
  }

  getScenario(arg: CommandArg<'scenarios.get'>): Scenario {
    return this.requireProject().getScenario(arg.id);
  }

  updateScenario(arg: CommandArg<'scenarios.update'>): Scenario {
    const p = this.requireProject();
    const current = p.getScenario(arg.id);
    if (arg.patch.placements) {
      const buses = new Set(p.getFeeder(current.feederId).buses.map((b) => b.name));
      for (const d of [...arg.patch.placements.pv, ...arg.patch.placements.batteries]) {
        if (!buses.has(d.bus))
          throw new ApiFailure(
            'invalidArgument',
            `scenarios.update: device ${d.name} is on bus ${d.bus}, which is not in the feeder`,
          );
      }
    }
    const next = p.updateScenario(arg.id, arg.patch as { study?: Partial<StudySettings> }, (s) => {
      const problems = studyProblems(s.study);
      if (problems.length > 0) throw new ApiFailure('invalidArgument', `scenarios.update: ${problems.join('; ')}`);
    });
    this.changed();
    return next;
  }

  duplicateScenario(arg: CommandArg<'scenarios.duplicate'>): Scenario {
    const s = this.requireProject().duplicateScenario(arg.id, arg.name);
    this.changed();
    return s;
  }

  deleteScenario(arg: CommandArg<'scenarios.delete'>): ProjectSummary {
    this.requireProject().deleteScenario(arg.id);
    return this.changed();
  }

  checkPartition(arg: CommandArg<'partition.check'>): CommandResult<'partition.check'> {
    return checkPartition(this.requireProject().getFeeder(arg.feederId), arg.cuts);
  }

  suggestPartition(arg: CommandArg<'partition.suggest'>): Partition {
    const feeder = this.requireProject().getFeeder(arg.feederId);
    try {
      return suggestPartition(feeder, arg.k);
    } catch (err) {
      throw new ApiFailure('cannotPartition', (err as Error).message);
    }
  }

  bulkPlacements(arg: CommandArg<'placements.bulk'>): Scenario {
    const p = this.requireProject();
    const s = p.getScenario(arg.scenarioId);
    const feeder = withPlacements(p.getFeeder(s.feederId), s.placements);
    const placements = applyBulkRule(feeder, s.placements, arg.rule);
    const next = p.updateScenario(s.id, {
      placements: { pv: placements.pv.map(stripShape), batteries: placements.batteries },
    });
    this.changed();
    return next;
  }

  closeAll(): void {
    this.close();
  }
}

// ---------------------------------------------------------------------------------------------

function stripShape<T extends { shape?: string }>(d: T): Omit<T, 'shape'> {
  const { shape: _shape, ...rest } = d;
  return rest;
}

function safeFileName(name: string): string {
  return (
    name
      .replace(/[^\p{L}\p{N} _.-]+/gu, '_')
      .trim()
      .slice(0, 100) || 'project'
  );
}

function normalizeName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\.\//, '');
}

function detectFormat(names: readonly string[]): 'dss' | 'csv-pair' | 'tessera-csv' {
  if (names.some((n) => n.toLowerCase().endsWith('.dss'))) return 'dss';
  return 'csv-pair';
}

function zeroCounts(): ImportPreview['counts'] {
  return { buses: 0, branches: 0, loads: 0, pv: 0, batteries: 0, capacitors: 0 };
}

function issueDto(i: { file: string; line: number; column?: number; message: string }): ImportIssueDto {
  return i.column === undefined
    ? { file: i.file, line: i.line, message: i.message }
    : { file: i.file, line: i.line, column: i.column, message: i.message };
}

function failedPreview(format: ImportPreview['format'], file: string, message: string): ImportPreview {
  return {
    token: randomUUID(),
    ok: false,
    format,
    feederName: '',
    counts: zeroCounts(),
    errors: [{ file, line: 0, message }],
    warnings: [],
    ignored: [],
    reduction: [],
    feeder: null,
  };
}

function reductionLines(r: ReductionReport | null): string[] {
  if (!r) return [];
  const lines = [`${r.sourcePhases}-phase source; powers scaled by ${r.powerScale} to the per-phase equivalent`];
  if (r.largestLoadImbalance)
    lines.push(
      `largest load imbalance: ${(100 * r.largestLoadImbalance.fraction).toFixed(1)} % at bus ${r.largestLoadImbalance.bus}`,
    );
  for (const n of r.notes) lines.push(`${n.element}: ${n.message}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Example projects
// ---------------------------------------------------------------------------------------------

/**
 * Build an example's project file at `path` from its manifest: feeder, base case, study, areas.
 * The example is read by the solver's loader (src-solver/examples/project.ts, as `tessera pf`
 * and `tessera solve` read it); this adds the scenario's stored settings around it.
 */
export function buildExampleProject(dir: string, path: string): Project {
  const manifestFile = join(dir, 'example.json');
  let ex: ExampleProject;
  try {
    ex = loadExampleProject(readFileSync(manifestFile, 'utf8'), (rel) => readFileSync(join(dir, rel), 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ApiFailure('badExample', `example ${basename(dir)} (${dir}): ${why}`);
  }
  const s = ex.study;
  const fromManifest: Partial<StudySettings> = Object.fromEntries(
    Object.entries({
      periods: s.periods,
      dtH: s.dtH,
      startHour: s.startHour,
      objective: s.objective,
      vMinPu: s.vMinPu,
      vMaxPu: s.vMaxPu,
      alpha: s.alpha,
      terminalSoc: s.terminalSoc,
    }).filter(([, v]) => v !== undefined),
  );
  const study: StudySettings = {
    ...DEFAULT_STUDY,
    ...fromManifest,
    loadShape: ex.loadShape,
    pvShape: ex.pvShape,
    ...(ex.priceCentsPerKwh ? { priceCentsPerKwh: ex.priceCentsPerKwh } : {}),
  };
  const partition: Partition = { cuts: ex.cuts.map((c) => ({ from: c.from, to: c.to })) };
  if (partition.cuts.length > 0) {
    const check = checkPartition(ex.feeder, partition.cuts, study.periods);
    if (!check.ok) throw new ApiFailure('badExample', `example ${basename(dir)}: its areas are not a valid partition: ${check.errors.join('; ')}`);
  }
  const outcome = { feeder: ex.feeder, warnings: ex.importWarnings };
  const project = Project.create(path, ex.title);
  try {
    project.addFeeder(outcome.feeder, {
      source: `Example: ${basename(dir)}`,
      importReport: { format: 'reference-csv', warnings: outcome.warnings },
      study,
      partition,
    });
  } catch (err) {
    project.close();
    rmSync(path, { force: true });
    throw err;
  }
  return project;
}
