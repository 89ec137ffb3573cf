/**
 * A small RFC 4180 CSV reader: comma-separated, double-quoted fields (with "" for a quote and
 * line breaks inside quotes), CRLF or LF, an optional UTF-8 BOM, blank lines skipped, `#` comment
 * lines skipped. Every record keeps the 1-based line it starts on, so errors can name file, row
 * and column.
 */
import type { ImportError } from '../types';

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly file: string;
  /** Header cells, trimmed. */
  readonly header: readonly string[];
  readonly rows: readonly CsvRecord[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly issue: ImportError) {
    super(`${issue.file}:${issue.line}: ${issue.message}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Splits CSV text into records; throws CsvSyntaxError on an unterminated quote. */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quotedCell = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const c = text[i];
      if (c === '"' && cell.trim() === '' && !quotedCell) {
        // Quoted field.
        quotedCell = true;
        cell = '';
        i++;
        let closed = false;
        while (i < n) {
          const d = text[i];
          if (d === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (d === '\n') line++;
          cell += d;
          i++;
        }
        if (!closed)
          throw new CsvSyntaxError({
            file,
            line: startLine,
            column: cells.length + 1,
            message: 'a quoted field is not closed',
          });
      } else if (c === ',') {
        cells.push(quotedCell ? cell : cell.trim());
        cell = '';
        quotedCell = false;
        i++;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        endOfRecord = true;
      } else {
        if (!quotedCell) cell += c;
        i++;
      }
    }
    cells.push(quotedCell ? cell : cell.trim());
    const blank = cells.length === 1 && cells[0] === '' && !quotedCell;
    const comment = !quotedCell && cells[0].startsWith('#');
    if (!blank && !comment) records.push({ line: startLine, cells });
  }
  return records;
}

/** A table with a header row. Throws CsvSyntaxError when the text is empty. */
export function parseCsvTable(text: string, file: string): CsvTable {
  const records = parseCsvRecords(text, file);
  if (records.length === 0)
    throw new CsvSyntaxError({ file, line: 1, message: 'the file is empty (a header row is expected)' });
  return { file, header: records[0].cells.map((c) => c.trim()), rows: records.slice(1) };
}

/** Quotes a cell when it holds a comma, quote, line break or leading/trailing space. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = typeof value === 'number' ? formatNumber(value) : value;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Shortest text that reads back as the same double (JS `String` is round-trip exact). */
export function formatNumber(v: number): string {
  return String(v);
}

export function csvLine(cells: readonly (string | number | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * Column access by header name with located errors. `number(row, 'R')` parses a finite number or
 * records an error naming file, row (line) and column, and returns NaN.
 */
export class CsvColumns {
  private readonly index = new Map<string, number>();
  constructor(
    private readonly table: CsvTable,
    private readonly errors: ImportError[],
  ) {
    table.header.forEach((h, i) => this.index.set(h.toLowerCase(), i));
  }

  has(name: string): boolean {
    return this.index.has(name.toLowerCase());
  }

  /** Records an error for each required column the header lacks; true when all are present. */
  require(names: readonly string[]): boolean {
    const missing = names.filter((n) => !this.has(n));
    for (const m of missing) {
      this.errors.push({
        file: this.table.file,
        line: 1,
        message: `missing column "${m}" (header: ${this.table.header.join(',')})`,
      });
    }
    return missing.length === 0;
  }

  /** Trimmed text of a cell; '' when the column or cell is absent. */
  text(row: CsvRecord, name: string): string {
    const i = this.index.get(name.toLowerCase());
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  }

  /** A required text cell (error when empty). */
  requiredText(row: CsvRecord, name: string): string {
    const v = this.text(row, name);
    if (v === '') this.fail(row, name, 'is empty');
    return v;
  }

  number(row: CsvRecord, name: string): number {
    const raw = this.text(row, name);
    const v = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(v))
      this.fail(row, name, raw === '' ? 'is empty (a number is expected)' : `"${raw}" is not a number`);
    return v;
  }

  /** A number, or `undefined` when the cell is empty. */
  optionalNumber(row: CsvRecord, name: string): number | undefined {
    return this.text(row, name) === '' ? undefined : this.number(row, name);
  }

  fail(row: CsvRecord, name: string, what: string): void {
    const i = this.index.get(name.toLowerCase());
    this.errors.push({
      file: this.table.file,
      line: row.line,
      column: i === undefined ? undefined : i + 1,
      message: `row ${row.line}, column "${name}": ${what}`,
    });
  }
}
