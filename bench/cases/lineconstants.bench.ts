/**
 * Line constants from conductor geometry (src-solver/unbalanced/geometryDss.ts): the 8500-node
 * feeder's WireData + LineGeometry read, then the Z and C of every one of its 2,360 geometry
 * lines (67 distinct geometries; each is computed once and reused). Reported: the time to read
 * the geometry classes, the first pass over all lines (computations + cache fills, cold) and a
 * second pass (cache hits only): the part of an 8500-node import they represent (target for the
 * whole import: under 1 s).
 */
import { readFileSync } from 'node:fs';
import { tokenizeParams } from '../../src-solver/io/dss/lexer';
import {
  GeometryLibrary,
  lineGeometryRefs,
  lineImpedanceFromGeometry,
  parseGeometryDss,
} from '../../src-solver/unbalanced/geometryDss';
import { parseLengthUnit } from '../../src-solver/unbalanced/lineConstants';
import { opendssRef } from '../../test-data/index';
import type { BenchCase } from '../types';

const read = (f: string) => readFileSync(opendssRef('feeders', '8500-Node', f), 'utf8');

const cases: BenchCase[] = [
  {
    name: 'line constants: 8500-node geometry lines',
    size: { lines: 2360, geometries: 67 },
    run() {
      const wires = read('WireData.dss');
      const geoms = read('LineGeometry.dss');
      const lines = read('Lines-Geometry.dss')
        .split(/\r?\n/)
        .filter((l) => /geometry=/i.test(l))
        .map((l) =>
          tokenizeParams(l.replace(/^\s*new\s+\S+\s*/i, '')).map((p) => ({
            prop: p.name.toLowerCase(),
            value: p.value,
          })),
        );
      let t = performance.now();
      const lib = new GeometryLibrary();
      parseGeometryDss(wires, 'WireData.dss', lib);
      parseGeometryDss(geoms, 'LineGeometry.dss', lib);
      const readMs = performance.now() - t;
      const pass = (): number => {
        const t0 = performance.now();
        for (const a of lines) {
          const unit = parseLengthUnit(a.find((x) => x.prop === 'units')?.value ?? 'none') ?? 'none';
          lineImpedanceFromGeometry(lib, lineGeometryRefs(a)!, unit);
        }
        return performance.now() - t0;
      };
      const firstPassMs = pass();
      const secondPassMs = pass();
      // Reading again, warm: the cold figures above include the JIT's first compile.
      t = performance.now();
      parseGeometryDss(geoms, 'LineGeometry.dss', parseGeometryDss(wires, 'WireData.dss'));
      const readWarmMs = performance.now() - t;
      return {
        iterations: 2,
        lines: lines.length,
        readMs,
        readWarmMs,
        firstPassMs,
        secondPassMs,
        totalColdMs: readMs + firstPassMs,
      };
    },
  },
];

export default cases;
