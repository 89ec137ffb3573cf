/**
 * Building an import preview from the files the planner picked: unpack zips (within the caps of
 * zip.ts), detect the format, parse OpenDSS or the CSV pair, and summarise. Pure of the backend's
 * state, so it runs in a worker thread (worker.ts) and the backend stays responsive.
 */
import { randomUUID } from 'node:crypto';
import { strFromU8 } from 'fflate';
import { basename, dirname } from 'node:path';
import type { ImportFile, ImportIssueDto, ImportPreview } from '../../contract';
import type { Feeder } from '../../../src-solver/model/feeder';
import { feederCounts, NO_COUNTS } from '../../../src-solver/model/counts';
import { importReferenceCsv } from '../../../src-solver/io/csv/reference';
import { importDssFiles } from '../../../src-solver/io/dss';
import type { ImportOutcome, ReductionReport } from '../../../src-solver/io/types';
import { unzipWithLimits, type ZipLimits } from './zip';
import { formatFactor } from '../../../src-shared/format';
import { isThreePhaseScript, threePhasePreview, type PendingThreePhase } from './threephase-preview';

export interface ImportRequest {
  readonly files: readonly ImportFile[];
  readonly format?: 'auto' | 'dss' | 'csv-pair' | 'tessera-csv';
  readonly zipLimits: ZipLimits;
  /** OpenDSS: the master script the planner picked among the .dss files. */
  readonly entry?: string;
}

/** A feeder read and waiting for `import.commit` (`load` parses it when it came as JSON from the worker). */
export interface PendingImport {
  readonly load: () => Feeder;
  readonly source: string;
  readonly report: unknown;
  /** A three-phase script: its files and both models (threephase-preview.ts). */
  readonly threePhase?: PendingThreePhase;
}

export interface BuiltPreview {
  readonly preview: ImportPreview;
  /** Present when the preview is ok: what `import.commit` saves. */
  readonly pending?: PendingImport;
}

/** Stages reported while a preview is built (`import.progress`). */
export type ImportStage = 'unpacking' | 'parsing' | 'summarising';

export function buildImportPreview(
  arg: ImportRequest,
  progress: (stage: ImportStage) => void = () => {},
): BuiltPreview {
  progress('unpacking');
  const files = new Map<string, string>();
  for (const f of arg.files) {
    if (f.base64 === undefined) {
      files.set(normalizeName(f.name), f.text ?? '');
      continue;
    }
    // A zip: its text files join the set under their paths inside the archive.
    let entries: Map<string, Uint8Array>;
    try {
      entries = unzipWithLimits(new Uint8Array(Buffer.from(f.base64, 'base64')), arg.zipLimits);
    } catch (err) {
      return failed('dss', f.name, (err as Error).message);
    }
    for (const [name, bytes] of entries) {
      if (!name.endsWith('/') && !name.startsWith('__MACOSX/')) files.set(normalizeName(name), strFromU8(bytes));
    }
  }
  progress('parsing');
  const names = [...files.keys()];
  const format = arg.format && arg.format !== 'auto' ? arg.format : detectFormat(names);
  if (format === 'tessera-csv')
    return failed('tessera-csv', names[0] ?? '', 'the Tessera CSV format cannot be imported by this version yet');
  let outcome: ImportOutcome;
  let source: string;
  let entries: string[] | undefined;
  let entry: string | undefined;
  if (format === 'dss') {
    entries = names.filter((n) => n.toLowerCase().endsWith('.dss')).sort();
    if (arg.entry !== undefined && !entries.includes(normalizeName(arg.entry)))
      return {
        preview: { ...failedPreview('dss', arg.entry, `${arg.entry} is not one of the .dss files given`), entries },
      };
    entry =
      (arg.entry === undefined ? undefined : normalizeName(arg.entry)) ??
      names.find((n) => basename(n).toLowerCase() === 'master.dss') ??
      (entries.length === 1 ? entries[0] : undefined);
    if (!entry)
      return {
        preview: {
          ...failedPreview(
            'dss',
            names[0] ?? '',
            `${entries.length} .dss files and no Master.dss: pick the master script (the one that defines the circuit)`,
          ),
          entries,
        },
      };
    outcome = importDssFiles(entry, files);
    source = `OpenDSS: ${entry}`;
    if (isThreePhaseScript(entry, files)) {
      progress('summarising');
      const report = outcome.ok
        ? {
            format,
            warnings: outcome.warnings.map(issueDto),
            ignored: outcome.ignored.map((i) => ({ file: i.file, line: i.line, element: i.element })),
            reduction: reductionLines(outcome.reduction),
          }
        : { format };
      const tp = threePhasePreview(entry, files, outcome, report);
      const preview: ImportPreview = {
        token: randomUUID(),
        ok: tp.ok,
        format,
        errors: tp.errors,
        warnings: tp.pending.report.warnings,
        ignored: tp.pending.report.ignored,
        reduction: outcome.ok ? reductionLines(outcome.reduction) : [],
        entries,
        entry,
        ...tp.fields,
      };
      const shown = tp.pending.drawn ?? tp.pending.balanced;
      return tp.ok && shown
        ? {
            preview,
            pending: {
              load: () => shown,
              source,
              report: { format, threePhase: tp.pending.report },
              threePhase: tp.pending,
            },
          }
        : { preview };
    }
  } else {
    const line = names.find((n) => basename(n).toLowerCase().includes('line'));
    const power = names.find((n) => basename(n).toLowerCase().includes('power'));
    if (!line || !power)
      return failed(
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
  progress('summarising');
  const token = randomUUID();
  const warnings: ImportIssueDto[] = outcome.warnings.map(issueDto);
  if (!outcome.ok) {
    return {
      preview: {
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
        ...(entries ? { entries, entry } : {}),
      },
    };
  }
  const reduction = reductionLines(outcome.reduction);
  const ignored = outcome.ignored.map((i) => ({ file: i.file, line: i.line, element: i.element }));
  const f = outcome.feeder;
  const preview: ImportPreview = {
    token,
    ok: true,
    format,
    feederName: f.name,
    counts: feederCounts(f),
    errors: [],
    warnings,
    ignored,
    reduction,
    feeder: f,
    ...(entries ? { entries, entry } : {}),
  };
  return { preview, pending: { load: () => f, source, report: { format, warnings, ignored, reduction } } };
}

function failed(format: ImportPreview['format'], file: string, message: string): BuiltPreview {
  return { preview: failedPreview(format, file, message) };
}

function normalizeName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\.\//, '');
}

function detectFormat(names: readonly string[]): 'dss' | 'csv-pair' | 'tessera-csv' {
  if (names.some((n) => n.toLowerCase().endsWith('.dss'))) return 'dss';
  return 'csv-pair';
}

function zeroCounts(): ImportPreview['counts'] {
  return { ...NO_COUNTS };
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
  const lines = [
    `${r.sourcePhases}-phase source; powers scaled by ${formatFactor(r.powerScale)} to the per-phase equivalent`,
  ];
  if (r.largestLoadImbalance)
    lines.push(
      `largest load imbalance: ${(100 * r.largestLoadImbalance.fraction).toFixed(1)} % at bus ${r.largestLoadImbalance.bus}`,
    );
  for (const n of r.notes) lines.push(`${n.element}: ${n.message}`);
  return lines;
}
