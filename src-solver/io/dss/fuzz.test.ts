/**
 * Fuzz: thousands of seeded mutations of real OpenDSS scripts must each end in a model that
 * validates or in a clean list of located errors — never an exception, never a hang.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateFeeder } from '../../model/validate';
import { importDssFiles } from './index';
import { mulberry32 as rng } from '../../random';
import { testDataPath } from '../../../test-data/index';

const readTest = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const ref = testDataPath('ieee123-balanced/dss/');

const SPICE = [
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '"',
  "'",
  '=',
  '~',
  '!',
  '//',
  '/*',
  '*/',
  '.',
  ',',
  '|',
  ' ',
  '\n',
  '-',
  'e',
  '0',
  '1e308',
  'NaN',
  '-1',
  'Redirect Master.dss',
  'Redirect nope.dss',
  'Compile IEEELineCodes.dss',
  'New ',
  'Edit ',
  '~ ',
  'phases=1e9',
  'kW=',
  'bus1=',
  'like=x',
  'switch=y',
  'Clear\n',
  'units=furlong',
  'windings=3',
  'Line.',
  '\u0000',
  '\r',
  'mult=(file=nope.csv)',
  'LatLongCoords nope.csv',
];

function mutate(text: string, r: () => number): string {
  const lines = text.split('\n');
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const n = 1 + Math.floor(r() * 4);
  let s = text;
  for (let k = 0; k < n; k++) {
    const op = Math.floor(r() * 8);
    const at = Math.floor(r() * (s.length + 1));
    switch (op) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 12));
        break;
      case 1: // insert a token
        s = s.slice(0, at) + pick(SPICE) + s.slice(at);
        break;
      case 2: {
        // duplicate a line somewhere
        const ls = s.split('\n');
        ls.splice(Math.floor(r() * ls.length), 0, pick(lines));
        s = ls.join('\n');
        break;
      }
      case 3: {
        // swap two lines
        const ls = s.split('\n');
        const i = Math.floor(r() * ls.length);
        const j = Math.floor(r() * ls.length);
        [ls[i], ls[j]] = [ls[j], ls[i]];
        s = ls.join('\n');
        break;
      }
      case 4: // truncate
        s = s.slice(0, at);
        break;
      case 5: // replace a number
        s = s.replace(/\d+(\.\d+)?/g, (m) =>
          r() < 0.05 ? pick(['-5', '0', '1e400', 'x', '', '(1 0 /)', '(2 +)']) : m,
        );
        break;
      case 6: // replace a character
        s = s.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 95)) + s.slice(at + 1);
        break;
      default: // delete a line
        s = s
          .split('\n')
          .filter((_, i, a) => i !== Math.floor(r() * a.length))
          .join('\n');
    }
  }
  return s;
}

describe('DSS import fuzz', () => {
  const ieee13 = readTest('../../../test-data/dss/ieee13/IEEE13Nodeckt.dss');
  const codes = readTest('../../../test-data/dss/ieee13/IEEELineCodes.dss');
  const coords = readTest('../../../test-data/dss/ieee13/IEEE13Node_BusXY.csv');
  const small123 = [
    readTest(`${ref}Master.dss`).replace(/Redirect (Loads|PVSystem|Storage)\.dss\n/g, ''),
    readTest(`${ref}Line.dss`),
    readTest(`${ref}LoadShapes.dss`),
    readTest(`${ref}Capacitor.dss`),
  ];

  it('turns 3000 mutated scripts into a valid model or located errors, none pathologically slow', () => {
    const r = rng(20261121);
    let okCount = 0;
    let failCount = 0;
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const use13 = i % 3 !== 0;
      const files: Record<string, string> = use13
        ? {
            '/z/Master.dss': mutate(ieee13, r),
            '/z/IEEELineCodes.dss': r() < 0.2 ? mutate(codes, r) : codes,
            '/z/IEEE13Node_BusXY.csv': r() < 0.2 ? mutate(coords, r) : coords,
          }
        : {
            '/z/Master.dss': mutate(small123[0], r),
            '/z/Line.dss': r() < 0.5 ? mutate(small123[1], r) : small123[1],
            '/z/LoadShapes.dss': r() < 0.3 ? mutate(small123[2], r) : small123[2],
            '/z/Capacitor.dss': small123[3],
          };
      const t0 = Date.now();
      let out;
      try {
        out = importDssFiles('/z/Master.dss', files);
      } catch (e) {
        throw new Error(`case ${i} threw ${(e as Error).stack}\n--- input ---\n${files['/z/Master.dss']}`);
      }
      times.push(Date.now() - t0);
      if (out.ok) {
        okCount++;
        expect(validateFeeder(out.feeder).filter((x) => x.severity === 'error')).toEqual([]);
      } else {
        failCount++;
        expect(out.errors.length).toBeGreaterThan(0);
        for (const e of out.errors) {
          expect(typeof e.file).toBe('string');
          expect(Number.isInteger(e.line) && e.line >= 0).toBe(true);
          expect(e.message.length).toBeGreaterThan(0);
        }
      }
    }
    // Both outcomes occur (the mutations are neither all harmless nor all fatal).
    expect(okCount).toBeGreaterThan(100);
    expect(failCount).toBeGreaterThan(100);
    // No mutation sends the reader into a pathological path: the slowest case stays within a
    // bounded factor of the typical one (a ratio, so it holds on a loaded machine; the import's
    // speed itself is measured by the bench, not here).
    times.sort((a, b) => a - b);
    const median = Math.max(1, times[times.length >> 1]!);
    expect(times[times.length - 1]!).toBeLessThan(500 * median + 1000);
  }, 60_000);
});
