/**
 * Fuzz: seeded mutations of real geometry definitions (the 8500-node feeder's wires and
 * geometries, a CN cable, a spacing with wires) must each end in matrices of finite numbers or
 * in a GeometryDssError with a place — never another exception, never NaN.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { mulberry32 as rng } from '../random';
import { GeometryDssError, lineImpedanceFromGeometry, parseGeometryDss } from './geometryDss';

const read = (f: string) => readFileSync(opendssRef('feeders', '8500-Node', f), 'utf8');
const geoms = read('LineGeometry.dss').split(/\r?\n/).slice(0, 40).join('\n');
// The wires those geometries use (and 4_ACSR for the cable line's neutral).
const used = new Set([...geoms.matchAll(/wire=(\S+)/gi)].map((m) => m[1].toLowerCase()).concat('4_acsr'));
const wires = read('WireData.dss')
  .split(/\r?\n/)
  .filter((l) => used.has(/^New WireData\.(\S+)/i.exec(l)?.[1].toLowerCase() ?? ''))
  .join('\n');
const extra = `
New CNData.cn k=13 DiaStrand=0.064 Rstrand=2.8166 epsR=2.3 InsLayer=0.220 DiaIns=1.06 DiaCable=1.16
~ Rac=0.076705 GMRac=0.20568 diam=0.573 Runits=kft Radunits=in GMRunits=in
New TSData.ts DiaShield=0.88 TapeLayer=0.005 InsLayer=0.22 DiaIns=0.78 Rdc=0.18 GMRac=0.133 diam=0.368 Runits=kft Radunits=in
New LineGeometry.ug nconds=4 nphases=3 reduce=y units=in
~ cond=1 cncable=cn x=-6 h=-48
~ cond=2 cncable=cn x=0 h=-48
~ cond=3 tscable=ts x=6 h=-48
~ cond=4 wire=4_ACSR x=12 h=-48
New LineSpacing.s nconds=3 nphases=2 units=ft x=[-2 2 0] h=[30 30 27]
`;
const base = `${wires}\n${geoms}\n${extra}`;

const SPICE = [
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  '=',
  '~ ',
  '!',
  '.',
  ',',
  ' ',
  '\n',
  '-',
  '0',
  '1e308',
  '1e-300',
  'NaN',
  '-1',
  'nconds=0',
  'nconds=101',
  'nphases=9',
  'cond=7',
  'wire=nosuch',
  'units=furlong',
  'units=mm',
  'reduce=maybe',
  'like=nosuch',
  'like=4_acsr',
  'h=0',
  'x=1e15',
  'k=1',
  'TapeLap=100',
  'GMRac=',
  'Rac=0',
  'Rdc=-3',
  'diam=1e-300',
  'spacing=s',
  'wires=[4_acsr 4_acsr]',
  'cncables=[cn cn cn]',
  'New WireData.',
  'New LineGeometry.z ',
  'Edit LineGeometry.ug ',
  '\u0000',
];

function mutate(text: string, r: () => number): string {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 3);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 10));
    else s = s.slice(0, at) + pick(SPICE) + s.slice(at);
  }
  return s;
}

describe('geometry fuzz', () => {
  it('1,000 mutations: finite matrices or a located GeometryDssError, nothing else', () => {
    const r = rng(20261205);
    let computed = 0;
    let refused = 0;
    for (let k = 0; k < 1000; k++) {
      const text = mutate(base, r);
      try {
        const lib = parseGeometryDss(text, 'fuzz.dss');
        const targets = [
          ...[...lib.geometries.keys()].map((g) => ({ geometry: g })),
          { spacing: 's', wires: ['4_acsr', '4_acsr', '4_wpal'] },
        ];
        for (const refs of targets) {
          try {
            const z = lineImpedanceFromGeometry(lib, refs, 'kft');
            const all = [...z.matrices.rmatrix, ...z.matrices.xmatrix, ...z.matrices.cmatrix];
            if (!all.every(Number.isFinite)) throw new Error(`mutation ${k}: non-finite matrices\n---\n${text}`);
            computed++;
          } catch (e) {
            if (!(e instanceof GeometryDssError)) throw e;
            refused++;
          }
        }
      } catch (e) {
        if (!(e instanceof GeometryDssError)) throw new Error(`mutation ${k}: ${(e as Error).stack}\n---\n${text}`);
        if (!/^fuzz\.dss:\d+/.test((e as Error).message))
          throw new Error(`mutation ${k}: error without a place: ${(e as Error).message}`);
        refused++;
      }
    }
    // Both outcomes occur: the fuzz reaches the computation, and it reaches the errors.
    expect(computed).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(100);
  });
});
