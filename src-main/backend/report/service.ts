/**
 * The PDF study report of a run (or of a comparison of two runs): gather what the report shows
 * from the store (the same RunDetail the dashboards read), build the HTML (template.ts), print it
 * with the injected Chromium renderer, write it under <dataDir>/reports/ and return it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandArg, CommandResult } from '../../contract';
import type { Project } from '../store/project';
import { compareRuns } from '../runs/compare';
import type { RunService } from '../runs/service';
import { pdfPageCount, type RenderPdf } from './chromium';
import { buildReportHtml, type ReportInput } from './template';

export interface ReportServiceOptions {
  readonly project: () => Project;
  readonly runs: RunService;
  readonly renderPdf: RenderPdf;
  readonly dataDir: string;
}

export class ReportService {
  constructor(private readonly options: ReportServiceOptions) {}

  /** Everything the template needs (also used by tests to check the numbers the PDF shows). */
  input(arg: CommandArg<'report.pdf'>): ReportInput {
    const project = this.options.project();
    const run = this.options.runs.get({ runId: arg.runId });
    const other = arg.compareWith !== undefined ? this.options.runs.get({ runId: arg.compareWith }) : null;
    const scenario = project.getScenario(run.scenarioId);
    const feeder = project.getFeeder(scenario.feederId);
    const otherScenario = other ? project.getScenario(other.scenarioId) : null;
    return {
      projectName: project.name,
      feeder,
      scenarioName: scenario.name,
      otherScenarioName: otherScenario?.name ?? null,
      run,
      other,
      comparison: other ? compareRuns(run, other) : null,
      generatedAt: new Date(),
    };
  }

  async pdf(arg: CommandArg<'report.pdf'>): Promise<CommandResult<'report.pdf'>> {
    const input = this.input(arg);
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
