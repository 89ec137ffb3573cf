/**
 * A minimal Office Open XML spreadsheet (SpreadsheetML, ECMA-376) as its XML parts: one
 * worksheet per table, text as inline strings, numbers as numeric cells (so Excel sums and
 * formats them), a bold style for titles and headers, column widths from the content, zipped
 * with fflate (pure ECMAScript, already a dependency).
 */
import { strToU8, zipSync } from 'fflate';

export type Cell = string | number | null;

export interface Sheet {
  /** Tab name: made valid for Excel (≤ 31 characters, none of []:*?/\, unique). */
  readonly name: string;
  readonly rows: readonly (readonly Cell[])[];
  /** Rows drawn bold from the top (title and header). */
  readonly boldRows?: number;
}

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** XML text: escaped, and without the control characters XML 1.0 cannot carry. */
export function xmlText(s: string): string {
  let clean = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
      (c >= 0xd800 && c <= 0xdfff) ||
      c === 0xfffe ||
      c === 0xffff
    )
      continue;
    clean += ch;
  }
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Valid, unique sheet names in order. */
export function sheetNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((raw) => {
    const base = (
      raw
        .replace(/[[\]:*?/\\]/g, ' ')
        .replace(/^'+|'+$/g, '')
        .trim() || 'Sheet'
    ).slice(0, 31);
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base.slice(0, 31 - String(k).length - 1)} ${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function cellXml(ref: string, v: Cell, bold: boolean): string {
  const s = bold ? ' s="1"' : '';
  if (v === null || v === '') return '';
  if (typeof v === 'number') return Number.isFinite(v) ? `<c r="${ref}"${s}><v>${String(v)}</v></c>` : '';
  const space = /^\s|\s$/.test(v) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${xmlText(v)}</t></is></c>`;
}

function sheetXml(sheet: Sheet): string {
  const width: number[] = [];
  const rows = sheet.rows.map((row, r) => {
    const bold = r < (sheet.boldRows ?? 0);
    const cells = row.map((v, c) => {
      // The title row spans the sheet: it does not widen its column.
      if (!(bold && r === 0 && row.length === 1)) {
        const len = v === null ? 0 : typeof v === 'number' ? Math.min(String(v).length, 14) : v.length;
        width[c] = Math.max(width[c] ?? 8, Math.min(60, len + 2));
      }
      return cellXml(`${columnName(c)}${r + 1}`, v, bold);
    });
    return `<row r="${r + 1}">${cells.join('')}</row>`;
  });
  const cols = width.length
    ? `<cols>${width.map((w, c) => `<col min="${c + 1}" max="${c + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`
    : '';
  return `${HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">${cols}<sheetData>${rows.join('')}</sheetData></worksheet>`;
}

/** The package's parts, path → XML text. */
export function xlsxParts(sheets: readonly Sheet[]): Record<string, string> {
  if (sheets.length === 0) throw new Error('an XLSX workbook needs at least one sheet');
  const names = sheetNames(sheets.map((s) => s.name));
  const parts: Record<string, string> = {
    '[Content_Types].xml':
      `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
      `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
      sheets
        .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.worksheet+xml"/>`)
        .join('') +
      '</Types>',
    '_rels/.rels': `${HEAD}<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `${HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets>${names
      .map((n, i) => `<sheet name="${xmlText(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `${HEAD}<Relationships xmlns="${NS_PKG_REL}">${sheets
      .map(
        (_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join(
        '',
      )}<Relationship Id="rId${sheets.length + 1}" Type="${NS_REL}/styles" Target="styles.xml"/></Relationships>`,
    'xl/styles.xml':
      `${HEAD}<styleSheet xmlns="${NS_MAIN}">` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>',
  };
  sheets.forEach((s, i) => (parts[`xl/worksheets/sheet${i + 1}.xml`] = sheetXml(s)));
  return parts;
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The workbook as .xlsx bytes. */
export function xlsxBytes(sheets: readonly Sheet[]): Uint8Array {
  const parts = xlsxParts(sheets);
  // [Content_Types].xml first, as Office writes it (some readers sniff the first entry).
  const files: Record<string, Uint8Array> = {};
  for (const name of ['[Content_Types].xml', ...Object.keys(parts).filter((n) => n !== '[Content_Types].xml')])
    files[name] = strToU8(parts[name]!);
  return zipSync(files, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
}
