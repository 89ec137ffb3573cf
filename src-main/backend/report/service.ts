/**
 * The PDF study report of a run (or of a comparison of two runs): gather what the report shows
 * from the store (the same RunDetail the dashboards read), build the HTML (template.ts), print it
 * with the injected Chromium renderer, write it under <dataDir>/reports/ and return it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaseCaseResult, CommandArg, CommandResult, StudySettings } from '../../contract';
import { ApiFailure } from '../errors';
import type { Project } from '../store/project';
import { compareRuns } from '../runs/compare';
import type { RunService } from '../runs/service';
import { pdfPageCount, type RenderPdf } from './chromium';
import { buildReportHtml, type ImportNotes, type ReportInput } from './template';
import { baselineFirst } from '../../../src-shared/study';
import { DEFAULT_STUDY } from '../store/defaults';
import type { SitingReport } from '../../../src-solver/siting/study';

/** The stored import report, read defensively (older projects stored less). */
function importNotes(raw: unknown): ImportNotes {
  if (!raw || typeof raw !== 'object') return {};
  const o = raw as Record<string, unknown>;
  const list = <T>(v: unknown, ok: (x: Record<string, unknown>) => boolean): T[] =>
    Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object' && ok(x as Record<string, unknown>)) as T[]) : [];
  return {
    format: typeof o.format === 'string' ? o.format : undefined,
    warnings: list(o.warnings, (x) => typeof x.message === 'string'),
    ignored: list(o.ignored, (x) => typeof x.element === 'string'),
    reduction: Array.isArray(o.reduction) ? o.reduction.filter((x): x is string => typeof x === 'string') : [],
  };
}

export interface ReportServiceOptions {
  readonly project: () => Project;
  readonly runs: RunService;
  readonly renderPdf: RenderPdf;
  readonly dataDir: string;
  /**
   * The three-phase base case of a scenario's feeder over a study's hours (ThreePhaseService),
   * for a three-phase run's report; without it the report has no base-case section.
   */
  readonly baseCase?: (scenarioId: number, study: StudySettings) => Promise<BaseCaseResult>;
}

export class ReportService {
  constructor(private readonly options: ReportServiceOptions) {}

  /** Everything the template needs (also used by tests to check the numbers the PDF shows). */
  input(arg: CommandArg<'report.pdf'>): ReportInput {
    const project = this.options.project();
    const opened = this.options.runs.get({ runId: arg.runId }, true);
    const against = arg.compareWith !== undefined ? this.options.runs.get({ runId: arg.compareWith }, true) : null;
    // A comparison reads against its baseline (A): the run compared against, or the centralized run
    // of the same scenario; the study case (B) is the report's subject.
    const [base, run] = against ? baselineFirst(opened, against) : [null, opened];
    const scenario = project.getScenario(run.scenarioId);
    const feeder = project.getFeeder(scenario.feederId);
    const baseScenario = base ? project.getScenario(base.scenarioId) : null;
    const summary = project.summary();
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    return {
      projectName: project.name,
      author: summary.author ?? '',
      organisation: summary.organisation ?? '',
      logo: project.logo(),
      feeder,
      importedDeviceNames: new Set([...feeder.pv, ...feeder.batteries].map((d) => d.name)),
      importNotes: importNotes(project.getImportReport(scenario.feederId)),
      defaultProfiles: {
        load: same(run.settings.loadShape, DEFAULT_STUDY.loadShape),
        pv: same(run.settings.pvShape, DEFAULT_STUDY.pvShape),
        price: same(run.settings.priceCentsPerKwh, DEFAULT_STUDY.priceCentsPerKwh),
      },
      scenarioName: scenario.name,
      otherScenarioName: baseScenario?.name ?? null,
      run,
      other: base,
      comparison: base ? compareRuns(base, run) : null,
      generatedAt: new Date(),
      siting: arg.sitingStudyId !== undefined ? this.sitingSection(project, arg.sitingStudyId) : null,
    };
  }

  /** A siting study of the project, with the feeder of its scenario. */
  private sitingSection(project: Project, studyId: number): NonNullable<ReportInput['siting']> {
    const rec = project.getSitingStudy(studyId);
    const report = rec.report as SitingReport | null;
    if (!report)
      throw new ApiFailure('invalidArgument', `report.pdf: siting study #${studyId} has no results (${rec.status})`);
    const scenario = project.getScenario(rec.scenarioId);
    return { studyId, feeder: project.getFeeder(scenario.feederId), report };
  }

  /**
   * input() and, for a three-phase run, the feeder's three-phase base case over the run's hours
   * (its section in the report, and the bus distances of the run's per-phase profile).
   */
  async fullInput(arg: CommandArg<'report.pdf'>): Promise<ReportInput> {
    const input = this.input(arg);
    const r = input.run;
    if (!r.threePhase || !r.totals || !this.options.baseCase) return input;
    // The base case numbers hours as OpenDSS's daily mode does (1 = the first hour of the loads'
    // shapes) and starts at hour 1: solve up to the run's last hour and keep the run's hours
    // (period t of the run is hour startHour + t + 1), so both cover the same hours.
    const s = r.settings;
    const first = Math.round(s.startHour);
    const whole = Number.isInteger(s.startHour) && r.dtH === 1;
    let full: BaseCaseResult;
    try {
      full = await this.options.baseCase(r.scenarioId, whole ? { ...s, periods: first + r.periods } : s);
    } catch (err) {
      // The report still prints (a feeder too large for the base case's voltage table, a cancelled
      // solve): the section says why it is missing.
      return { ...input, baseCase: null, baseCaseMissing: err instanceof Error ? err.message : String(err) };
    }
    if (!whole) return { ...input, baseCase: full };
    const mine = <T extends { hour: number }>(xs: readonly T[]) => xs.filter((x) => x.hour > first);
    const baseCase: BaseCaseResult = {
      ...full,
      periods: mine(full.periods),
      violations: mine(full.violations),
      violationCount: full.violationCount - (full.violations.length - mine(full.violations).length),
      overloads: mine(full.overloads),
      overloadCount: full.overloadCount - (full.overloads.length - mine(full.overloads).length),
    };
    return { ...input, baseCase };
  }

  async pdf(arg: CommandArg<'report.pdf'>): Promise<CommandResult<'report.pdf'>> {
    const input = await this.fullInput(arg);
    const html = buildReportHtml(input);
    const pdf = await this.options.renderPdf(html);
    const dir = join(this.options.dataDir, 'reports');
    mkdirSync(dir, { recursive: true });
    const stamp = input.generatedAt.toISOString().replace(/[:.]/g, '-');
    const fileName = `tessera-report-run-${arg.runId}${arg.compareWith ? `-vs-${arg.compareWith}` : ''}-${stamp}.pdf`;
    const path = join(dir, fileName);
    writeFileSync(path, pdf);
    return { fileName, path, base64: Buffer.from(pdf).toString('base64'), pages: pdfPageCount(pdf) };
  }
}
