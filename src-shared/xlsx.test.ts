/**
 * The report's tables as an .xlsx: a zip (checked by Info-ZIP's `unzip -t`, a reader that is not
 * ours, where installed) of well-formed SpreadsheetML parts with every relationship resolving; one
 * sheet per table; numbers as numeric cells with the exact value, text as inline strings, escaped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { emptyRunDetail } from './testing/run-detail';
import { reportSheets, reportTables } from './tables';
import { columnName, sheetNames, xlsxBytes } from './xlsx';

/** Well-formedness: every tag closes in order, attributes quoted, entities known. */
function wellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|&([^;\s]*);|[<>]/g)) {
    if (m[0] === '<' || m[0] === '>') throw new Error(`stray ${m[0]} at ${m.index}`);
    if (m[5] !== undefined) {
      if (!['amp', 'lt', 'gt', 'quot', 'apos'].includes(m[5])) throw new Error(`unknown entity &${m[5]};`);
      continue;
    }
    if (m[4]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`</${m[2]}> closes the wrong element`);
    } else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
}

const run = emptyRunDetail({
  periods: 2,
  totals: {
    lineLossKwh: 1.5,
    substationKwh: 10,
    substationKvarh: 2,
    pvKwh: 0,
    pvKvarh: 0,
    batteryKwh: -40,
    batteryKvarh: 0,
    costUsd: 3.25,
    demandKwh: 8,
  },
  busNames: ['1', '2'],
  batteryNames: ['bat <A> & "B"'],
  batteryBuses: ['2'],
  batteryLimits: [{ pRatedKw: 100, energyKwh: 400, socMin: 0.1, socMax: 0.9 }],
  series: {
    voltagePu: [1, 1, 0.94, 0.96],
    batteryChargeKw: [50, 0],
    batteryDischargeKw: [0, 40],
    priceUsdPerKwh: [0.1, 0.3],
  },
});

describe('report tables as XLSX', () => {
  const bytes = xlsxBytes(reportSheets(run));
  const files = unzipSync(bytes);
  const text = (p: string) => strFromU8(files[p]!);

  it('is a zip an independent reader accepts', () => {
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe('PK');
    let unzip = true;
    try {
      execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    } catch {
      unzip = false;
    }
    if (!unzip) return;
    const dir = mkdtempSync(join(tmpdir(), 'tessera-xlsx-'));
    writeFileSync(join(dir, 't.xlsx'), bytes);
    expect(execFileSync('unzip', ['-t', join(dir, 't.xlsx')], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('has the package parts, each well-formed, and relationships that resolve', () => {
    const names = Object.keys(files);
    expect(names[0]).toBe('[Content_Types].xml');
    expect(names.sort()).toEqual(
      [
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/workbook.xml',
        'xl/worksheets/sheet1.xml',
        'xl/worksheets/sheet2.xml',
        'xl/worksheets/sheet3.xml',
      ].sort(),
    );
    for (const n of names) wellFormed(text(n));
    for (const m of text('xl/_rels/workbook.xml.rels').matchAll(/Target="([^"]+)"/g))
      expect(files[`xl/${m[1]}`]).toBeDefined();
    for (const m of text('[Content_Types].xml').matchAll(/PartName="\/([^"]+)"/g)) expect(files[m[1]!]).toBeDefined();
    expect(text('_rels/.rels')).toContain('Target="xl/workbook.xml"');
  });

  it('one sheet per table, named for it', () => {
    const tabs = [...text('xl/workbook.xml').matchAll(/<sheet name="([^"]+)" sheetId="(\d+)" r:id="(rId\d+)"\/>/g)].map(
      (m) => m[1],
    );
    expect(tabs).toEqual(reportTables(run).map((t) => t.name));
    expect(tabs).toEqual(['Totals', 'Batteries', 'Voltage limits']);
  });

  it('numbers are numeric cells with the exact value; text is inline and escaped', () => {
    const totals = text('xl/worksheets/sheet1.xml');
    // Row 1 title, row 2 header (bold), then one row per total.
    expect(totals).toContain('<c r="A2" s="1" t="inlineStr"><is><t>quantity</t></is></c>');
    const cost =
      /<row r="(\d+)"><c r="A\d+" t="inlineStr"><is><t>Substation energy cost<\/t><\/is><\/c><c r="B\d+" t="inlineStr"><is><t>USD<\/t><\/is><\/c><c r="C\d+"><v>([^<]+)<\/v><\/c><\/row>/.exec(
        totals,
      );
    expect(cost).not.toBeNull();
    expect(Number(cost![2])).toBe(3.25);
    const bat = text('xl/worksheets/sheet2.xml');
    expect(bat).toContain('<t>bat &lt;A&gt; &amp; &quot;B&quot;</t>');
    // power 100 kW, energy 400 kWh, 40 kWh out of 320 usable: 0.125 cycles; value 0.3·40 − 0.1·50 = 7 USD.
    expect(bat).toMatch(
      /<c r="C3"><v>100<\/v><\/c><c r="D3"><v>400<\/v><\/c><c r="E3"><v>0.125<\/v><\/c><c r="F3"><v>40<\/v><\/c><c r="G3"><v>50<\/v><\/c><c r="H3"><v>7(\.0+\d*)?<\/v><\/c>/,
    );
    const volts = text('xl/worksheets/sheet3.xml');
    expect(volts).toContain('<c r="E3"><v>0.94</v></c>');
    // No cell says NaN or Infinity.
    expect(
      Object.values(files)
        .map((f) => strFromU8(f))
        .join(''),
    ).not.toMatch(/NaN|Infinity/);
  });

  it('sheet names Excel accepts: no []:*?/\\, at most 31 characters, unique; columns A…Z, AA', () => {
    expect(sheetNames(['a/b:c', 'x'.repeat(40), 'x'.repeat(40), ''])).toEqual([
      'a b c',
      'x'.repeat(31),
      `${'x'.repeat(29)} 2`,
      'Sheet',
    ]);
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
