/**
 * OpenDSS's conductor-geometry classes — WireData, CNData, TSData, LineGeometry, LineSpacing —
 * read into typed objects, and a Line's `geometry=` / `spacing=` + `wires=` / `CNCables=` /
 * `TSCables=` turned into the per-length Z and C matrices the Line uses (./lineConstants).
 *
 * The API the OpenDSS import calls:
 *  - `new GeometryLibrary()`, then `lib.define(cls, name, assignments, at)` for each `New` of one
 *    of GEOMETRY_CLASSES (and `lib.edit(...)` for `Edit`/`~` on an existing one), in script
 *    order. Assignments are (property, value) pairs as written; property names resolve with
 *    OpenDSS's abbreviation rule against GEOMETRY_CLASS_PROPERTIES (so canonical names pass too).
 *    Values are stored as OpenDSS stores them (numbers in their own units, units sticky), and
 *    `like=` copies an earlier object of the same class.
 *  - `lineImpedanceFromGeometry(lib, lineGeometryRefs(lineAssignments), lengthUnit)` for a Line:
 *    its matrices in Ω and nF per the Line's length unit, the number of conductors (phases) it
 *    ends up with, and the ratings it takes from the geometry/wires.
 *  - `parseGeometryDss(text, file)`: the same from DSS text on its own (New/Edit/More lines of
 *    these classes; everything else skipped) — for tests and tools.
 * Errors are GeometryDssError with the file:line of the definition that is wrong.
 *
 * OpenDSS behaviour reproduced (from its LineGeometry/ConductorData/CNData/TSData/LineSpacing
 * and Line code): WireData: given Rac only, Rdc = Rac/1.02 (and Rac = 1.02·Rdc the other way);
 * given GMRac only, radius = GMR/0.7788; given radius (or diam) only, GMR = 0.7788·radius;
 * capradius defaults to radius; GMRunits and radunits default to each other, Runits and both
 * default to none (= metres); normamps/emergamps default to each other ×/÷ 1.5. CNData: GmrStrand
 * defaults to 0.7788·DiaStrand/2; cable dimensions are in radunits, GmrStrand in GMRunits,
 * Rstrand in Runits; EpsR defaults to 2.3, TSData TapeLap to 20 %. LineGeometry: `units=` is
 * sticky from conductor to conductor (first default ft); reduce defaults to no; the geometry's
 * normamps/emergamps come from conductor 1's wire unless given; `spacing=` copies a LineSpacing's
 * positions and units; `wires=[…]` fills conductors 1..nconds (or, after CN/TS cables, the bare
 * neutrals nphases+1..nconds). Line: `spacing=` + `wires=` builds a geometry with reduce=yes when
 * the spacing has more conductors than phases, ratings from the first wire; `CNCables=`/
 * `TSCables=` give the phase cables and a later `wires=` the neutrals.
 */
import {
  DssSyntaxError,
  parseDssBool,
  parseDssNumber,
  parseNumberArray,
  splitArray,
  stripComment,
  tokenizeParams,
} from '../io/dss/lexer';
import {
  computeLineConstants,
  LineConstantsError,
  parseLengthUnit,
  perUnitLength,
  toMeters,
  type ConductorData,
  type EarthModel,
  type LengthUnit,
  type LineMatrices,
  type PlacedConductor,
} from './lineConstants';

export interface GeometryLoc {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** A property assignment as written (`name` may be abbreviated or '' for a positional value). */
export interface GeometryAssignment {
  readonly prop: string;
  readonly value: string;
  readonly quoted?: boolean;
  readonly at?: GeometryLoc;
}

export class GeometryDssError extends Error {
  constructor(
    message: string,
    readonly at?: GeometryLoc,
  ) {
    super(at ? `${at.file}:${at.line}${at.column !== undefined ? `:${at.column}` : ''}: ${message}` : message);
    this.name = 'GeometryDssError';
  }
}

const CONDUCTOR_PROPS = [
  'Rdc',
  'Rac',
  'Runits',
  'GMRac',
  'GMRunits',
  'radius',
  'radunits',
  'normamps',
  'emergamps',
  'diam',
  'Seasons',
  'Ratings',
  'Capradius',
];
const CABLE_PROPS = ['EpsR', 'InsLayer', 'DiaIns', 'DiaCable'];

/** Property names in OpenDSS's order (abbreviations resolve to the first match), lower case. */
export const GEOMETRY_CLASS_PROPERTIES: Readonly<Record<GeometryClass, readonly string[]>> = {
  wiredata: [...CONDUCTOR_PROPS, 'like'].map((p) => p.toLowerCase()),
  cndata: ['k', 'DiaStrand', 'GmrStrand', 'Rstrand', ...CABLE_PROPS, ...CONDUCTOR_PROPS, 'like'].map((p) =>
    p.toLowerCase(),
  ),
  tsdata: ['DiaShield', 'TapeLayer', 'TapeLap', ...CABLE_PROPS, ...CONDUCTOR_PROPS, 'like'].map((p) => p.toLowerCase()),
  linegeometry: [
    'nconds',
    'nphases',
    'cond',
    'wire',
    'x',
    'h',
    'units',
    'normamps',
    'emergamps',
    'reduce',
    'spacing',
    'wires',
    'cncable',
    'tscable',
    'cncables',
    'tscables',
    'Seasons',
    'Ratings',
    'LineType',
    'like',
  ].map((p) => p.toLowerCase()),
  linespacing: ['nconds', 'nphases', 'x', 'h', 'units', 'like'],
};

export type GeometryClass = 'wiredata' | 'cndata' | 'tsdata' | 'linegeometry' | 'linespacing';
export const GEOMETRY_CLASSES: ReadonlySet<string> = new Set<GeometryClass>([
  'wiredata',
  'cndata',
  'tsdata',
  'linegeometry',
  'linespacing',
]);

/** Canonical property of a geometry class for a (possibly abbreviated) name; null when unknown. */
export function resolveGeometryProperty(cls: GeometryClass, name: string): string | null {
  const list = GEOMETRY_CLASS_PROPERTIES[cls];
  const n = name.toLowerCase();
  if (n === '') return null;
  if (list.includes(n)) return n;
  return list.find((p) => p.startsWith(n)) ?? null;
}

// ---- stored objects (values as OpenDSS stores them: numbers in their declared units) ----

/** WireData / CNData / TSData as written (lengths in their units; −1 = not given). */
export interface ConductorDef {
  readonly cls: 'wiredata' | 'cndata' | 'tsdata';
  readonly name: string;
  at?: GeometryLoc;
  rdc: number;
  rac: number;
  runits: LengthUnit;
  gmr: number;
  gmrUnits: LengthUnit;
  radius: number;
  radUnits: LengthUnit;
  capRadius: number;
  normAmps: number;
  emergAmps: number;
  // cables
  epsR: number;
  insLayer: number;
  diaIns: number;
  diaCable: number;
  // CN
  k: number;
  diaStrand: number;
  gmrStrand: number;
  rStrand: number;
  // TS
  diaShield: number;
  tapeLayer: number;
  tapeLap: number;
}

export interface GeometryConductorSlot {
  wire: ConductorDef | null;
  x: number;
  h: number;
  /** null until a unit is given or the slot is selected (then the sticky unit). */
  units: LengthUnit | null;
}

export interface LineGeometryDef {
  readonly name: string;
  at?: GeometryLoc;
  nconds: number;
  nphases: number;
  conds: GeometryConductorSlot[];
  activeCond: number;
  lastUnit: LengthUnit;
  reduce: boolean;
  normAmps: number;
  emergAmps: number;
  /** Any conductor given as CN/TS cable: `wires=` then fills only the neutrals. */
  cableLine: boolean;
  spacing: string | null;
}

export interface LineSpacingDef {
  readonly name: string;
  at?: GeometryLoc;
  nconds: number;
  nphases: number;
  x: number[];
  h: number[];
  units: LengthUnit;
}

function newConductor(cls: ConductorDef['cls'], name: string): ConductorDef {
  return {
    cls,
    name,
    rdc: -1,
    rac: -1,
    runits: 'none',
    gmr: -1,
    gmrUnits: 'none',
    radius: -1,
    radUnits: 'none',
    capRadius: -1,
    normAmps: -1,
    emergAmps: -1,
    epsR: 2.3,
    insLayer: -1,
    diaIns: -1,
    diaCable: -1,
    k: 2,
    diaStrand: -1,
    gmrStrand: -1,
    rStrand: -1,
    diaShield: -1,
    tapeLayer: -1,
    tapeLap: 20,
  };
}

/** Explicitly given units (OpenDSS's 0 = "not given", which is read as metres). */
interface UnitFlags {
  gmrUnitsGiven: boolean;
  radUnitsGiven: boolean;
}

/** The objects of the geometry classes defined so far (names lower case, per class). */
export class GeometryLibrary {
  readonly wires = new Map<string, ConductorDef>();
  readonly cnData = new Map<string, ConductorDef>();
  readonly tsData = new Map<string, ConductorDef>();
  readonly geometries = new Map<string, LineGeometryDef>();
  readonly spacings = new Map<string, LineSpacingDef>();
  private readonly unitFlags = new WeakMap<ConductorDef, UnitFlags>();
  /** Results of lineImpedanceFromGeometry by (refs, unit, options); any define/edit clears it. */
  readonly impedanceCache = new Map<string, GeometryImpedance>();

  private mapOf(cls: 'wiredata' | 'cndata' | 'tsdata'): Map<string, ConductorDef> {
    return cls === 'wiredata' ? this.wires : cls === 'cndata' ? this.cnData : this.tsData;
  }

  /** `New <cls>.<name> …` (a second New of the same name replaces it, as in OpenDSS). */
  define(cls: string, name: string, assignments: readonly GeometryAssignment[], at?: GeometryLoc): void {
    const c = cls.toLowerCase();
    if (!GEOMETRY_CLASSES.has(c)) throw new GeometryDssError(`${cls} is not a conductor-geometry class`, at);
    if (name.trim() === '') throw new GeometryDssError(`New ${cls}: the object needs a name (${cls}.<name>)`, at);
    const key = name.toLowerCase();
    if (c === 'linegeometry') {
      const g: LineGeometryDef = {
        name: key,
        at,
        nconds: 0,
        nphases: 0,
        conds: [],
        activeCond: 1,
        lastUnit: 'ft',
        reduce: false,
        normAmps: 0,
        emergAmps: 0,
        cableLine: false,
        spacing: null,
      };
      this.geometries.set(key, g);
    } else if (c === 'linespacing') {
      this.spacings.set(key, { name: key, at, nconds: 3, nphases: 3, x: [0, 0, 0], h: [0, 0, 0], units: 'ft' });
    } else {
      const w = newConductor(c as ConductorDef['cls'], key);
      w.at = at;
      this.mapOf(c as ConductorDef['cls']).set(key, w);
      this.unitFlags.set(w, { gmrUnitsGiven: false, radUnitsGiven: false });
    }
    this.edit(c, name, assignments);
  }

  /** `Edit <cls>.<name> …` or a `~` continuation: applies assignments in order. */
  edit(cls: string, name: string, assignments: readonly GeometryAssignment[]): void {
    this.impedanceCache.clear();
    const c = cls.toLowerCase() as GeometryClass;
    const key = name.toLowerCase();
    let previous: string | null = null;
    for (const a of assignments) {
      let prop: string | null;
      if (a.prop === '') {
        const list = GEOMETRY_CLASS_PROPERTIES[c];
        const next: number = previous === null ? 0 : list.indexOf(previous) + 1;
        prop = list[next] ?? null;
        if (prop === null)
          throw new GeometryDssError(
            `${cls}.${name}: positional value "${clip(a.value)}" has no property to go to`,
            a.at,
          );
      } else {
        prop = resolveGeometryProperty(c, a.prop);
        if (prop === null) throw new GeometryDssError(`${cls}.${name}: unknown property "${clip(a.prop)}"`, a.at);
      }
      previous = prop;
      if (c === 'linegeometry') this.setGeometry(this.get(this.geometries, c, key, a.at), prop, a);
      else if (c === 'linespacing') this.setSpacing(this.get(this.spacings, c, key, a.at), prop, a);
      else this.setConductor(this.get(this.mapOf(c), c, key, a.at), prop, a);
    }
  }

  private get<T>(map: Map<string, T>, cls: string, key: string, at?: GeometryLoc): T {
    const v = map.get(key);
    if (!v) throw new GeometryDssError(`${cls}.${key} is not defined`, at);
    return v;
  }

  /** A WireData/CNData/TSData by name (class given, or any of the three, wire first). */
  conductor(name: string, cls?: ConductorDef['cls']): ConductorDef | undefined {
    const key = name.toLowerCase();
    if (cls) return this.mapOf(cls).get(key);
    return this.wires.get(key) ?? this.cnData.get(key) ?? this.tsData.get(key);
  }

  private setConductor(w: ConductorDef, prop: string, a: GeometryAssignment): void {
    const flags = this.unitFlags.get(w)!;
    const label = `${w.cls}.${w.name}`;
    const num = (): number => numberValue(label, prop, a);
    const unit = (): LengthUnit => unitValue(label, prop, a);
    switch (prop) {
      case 'rdc':
        w.rdc = num();
        if (w.rac < 0) w.rac = 1.02 * w.rdc;
        break;
      case 'rac':
        w.rac = num();
        if (w.rdc < 0) w.rdc = w.rac / 1.02;
        break;
      case 'runits':
        w.runits = unit();
        break;
      case 'gmrac':
        w.gmr = positive(label, prop, a, num());
        if (w.radius < 0) w.radius = w.gmr / 0.7788;
        break;
      case 'gmrunits':
        w.gmrUnits = unit();
        flags.gmrUnitsGiven = true;
        if (!flags.radUnitsGiven) w.radUnits = w.gmrUnits;
        break;
      case 'radius':
      case 'diam':
        w.radius = positive(label, prop, a, num()) * (prop === 'diam' ? 0.5 : 1);
        if (w.gmr < 0) w.gmr = 0.7788 * w.radius;
        if (w.capRadius < 0) w.capRadius = w.radius;
        break;
      case 'radunits':
        w.radUnits = unit();
        flags.radUnitsGiven = true;
        if (!flags.gmrUnitsGiven) w.gmrUnits = w.radUnits;
        break;
      case 'capradius':
        w.capRadius = positive(label, prop, a, num());
        break;
      case 'normamps':
        w.normAmps = num();
        if (w.emergAmps < 0) w.emergAmps = 1.5 * w.normAmps;
        break;
      case 'emergamps':
        w.emergAmps = num();
        if (w.normAmps < 0) w.normAmps = w.emergAmps / 1.5;
        break;
      case 'seasons':
      case 'ratings':
        break; // seasonal ratings: not used by the power flow
      case 'epsr':
        w.epsR = num();
        if (!(w.epsR >= 1))
          throw new GeometryDssError(`${label}: EpsR must be at least 1 (got ${clip(a.value)})`, a.at);
        break;
      case 'inslayer':
        w.insLayer = positive(label, prop, a, num());
        break;
      case 'diains':
        w.diaIns = positive(label, prop, a, num());
        break;
      case 'diacable':
        w.diaCable = positive(label, prop, a, num());
        break;
      case 'k': {
        const k = num();
        if (!Number.isInteger(k) || k < 2)
          throw new GeometryDssError(
            `${label}: k must be an integer of at least 2 neutral strands (got ${clip(a.value)})`,
            a.at,
          );
        w.k = k;
        break;
      }
      case 'diastrand':
        w.diaStrand = positive(label, prop, a, num());
        if (w.gmrStrand <= 0) w.gmrStrand = 0.7788 * 0.5 * w.diaStrand;
        break;
      case 'gmrstrand':
        w.gmrStrand = positive(label, prop, a, num());
        break;
      case 'rstrand':
        w.rStrand = positive(label, prop, a, num());
        break;
      case 'diashield':
        w.diaShield = positive(label, prop, a, num());
        break;
      case 'tapelayer':
        w.tapeLayer = positive(label, prop, a, num());
        break;
      case 'tapelap': {
        const v = num();
        if (!(v >= 0 && v <= 100))
          throw new GeometryDssError(`${label}: TapeLap must be from 0 to 100 percent (got ${clip(a.value)})`, a.at);
        w.tapeLap = v;
        break;
      }
      case 'like': {
        const other = this.mapOf(w.cls).get(a.value.toLowerCase());
        if (!other)
          throw new GeometryDssError(`${label}: like=${clip(a.value)}: no ${w.cls} of that name defined before`, a.at);
        const { cls: _c, name: _n, at: _a, ...rest } = other;
        Object.assign(w, rest);
        this.unitFlags.set(w, { ...this.unitFlags.get(other)! });
        break;
      }
    }
  }

  private setGeometry(g: LineGeometryDef, prop: string, a: GeometryAssignment): void {
    const label = `LineGeometry.${g.name}`;
    const num = (): number => numberValue(label, prop, a);
    const slot = (): GeometryConductorSlot => {
      if (g.nconds < 1) throw new GeometryDssError(`${label}: set nconds before ${prop}=`, a.at);
      return g.conds[g.activeCond - 1];
    };
    switch (prop) {
      case 'nconds': {
        const n = num();
        if (!Number.isInteger(n) || n < 1 || n > 100)
          throw new GeometryDssError(`${label}: nconds must be an integer from 1 to 100 (got ${clip(a.value)})`, a.at);
        if (n !== g.nconds) {
          g.nconds = n;
          g.conds = Array.from({ length: n }, () => ({ wire: null, x: 0, h: 0, units: null }));
          g.activeCond = 1;
          g.lastUnit = 'ft';
          g.cableLine = false;
        }
        break;
      }
      case 'nphases': {
        const n = num();
        if (!Number.isInteger(n) || n < 1)
          throw new GeometryDssError(`${label}: nphases must be a positive integer (got ${clip(a.value)})`, a.at);
        g.nphases = n;
        break;
      }
      case 'cond': {
        const i = num();
        if (!Number.isInteger(i) || i < 1 || i > g.nconds)
          throw new GeometryDssError(
            `${label}: cond=${clip(a.value)} is not a conductor number from 1 to nconds=${g.nconds}`,
            a.at,
          );
        g.activeCond = i;
        const s = g.conds[i - 1];
        if (s.units === null) s.units = g.lastUnit;
        break;
      }
      case 'wire':
      case 'cncable':
      case 'tscable': {
        const cls = prop === 'wire' ? 'wiredata' : prop === 'cncable' ? 'cndata' : 'tsdata';
        const w = this.conductor(a.value, cls);
        if (!w)
          throw new GeometryDssError(`${label}: ${prop}=${clip(a.value)}: no ${cls} of that name defined before`, a.at);
        const s = slot();
        s.wire = w;
        if (cls !== 'wiredata') g.cableLine = true;
        if (g.activeCond === 1) takeRatings(g, w);
        break;
      }
      case 'x':
        slot().x = num();
        break;
      case 'h':
        slot().h = num();
        break;
      case 'units': {
        const u = unitValue(label, prop, a);
        slot().units = u;
        g.lastUnit = u;
        break;
      }
      case 'normamps':
        g.normAmps = num();
        break;
      case 'emergamps':
        g.emergAmps = num();
        break;
      case 'reduce': {
        const b = parseDssBool(a.value);
        if (b === null) throw new GeometryDssError(`${label}: reduce=${clip(a.value)} is not yes or no`, a.at);
        g.reduce = b;
        break;
      }
      case 'spacing': {
        const sp = this.spacings.get(a.value.toLowerCase());
        if (!sp)
          throw new GeometryDssError(
            `${label}: spacing=${clip(a.value)}: no LineSpacing of that name defined before`,
            a.at,
          );
        if (sp.nconds !== g.nconds)
          throw new GeometryDssError(
            `${label}: LineSpacing.${sp.name} has ${sp.nconds} conductors, the geometry nconds=${g.nconds}`,
            a.at,
          );
        g.lastUnit = sp.units;
        g.conds.forEach((s, i) => {
          s.x = sp.x[i];
          s.h = sp.h[i];
          s.units = sp.units;
        });
        g.spacing = sp.name;
        break;
      }
      case 'wires':
      case 'cncables':
      case 'tscables': {
        const names = splitArray(a.value);
        const cls = prop === 'wires' ? 'wiredata' : prop === 'cncables' ? 'cndata' : 'tsdata';
        if (g.nconds < 1) throw new GeometryDssError(`${label}: set nconds before ${prop}=`, a.at);
        // Bare wires after cables are the neutrals; cables (and a bare overhead line) start at 1.
        const start = cls === 'wiredata' && g.cableLine ? g.nphases + 1 : 1;
        const stop = cls === 'wiredata' ? g.nconds : Math.min(g.nconds, start - 1 + names.length);
        if (cls === 'wiredata' && names.length !== stop - start + 1)
          throw new GeometryDssError(
            `${label}: ${prop}= lists ${names.length} wires, expected ${stop - start + 1} (conductors ${start}..${stop})`,
            a.at,
          );
        if (names.length > g.nconds)
          throw new GeometryDssError(`${label}: ${prop}= lists ${names.length} conductors, nconds=${g.nconds}`, a.at);
        names.forEach((nm, k) => {
          const w = this.conductor(nm, cls);
          if (!w) throw new GeometryDssError(`${label}: ${prop}: no ${cls} named "${clip(nm)}" defined before`, a.at);
          const s = g.conds[start - 1 + k];
          s.wire = w;
          if (s.units === null) s.units = g.lastUnit;
          if (start + k === 1) takeRatings(g, w);
        });
        if (cls !== 'wiredata') g.cableLine = true;
        g.activeCond = stop;
        break;
      }
      case 'seasons':
      case 'ratings':
      case 'linetype':
        break; // not used by the power flow
      case 'like': {
        const other = this.geometries.get(a.value.toLowerCase());
        if (!other)
          throw new GeometryDssError(
            `${label}: like=${clip(a.value)}: no LineGeometry of that name defined before`,
            a.at,
          );
        Object.assign(g, { ...other, name: g.name, at: g.at, conds: other.conds.map((s) => ({ ...s })) });
        break;
      }
    }
  }

  private setSpacing(s: LineSpacingDef, prop: string, a: GeometryAssignment): void {
    const label = `LineSpacing.${s.name}`;
    switch (prop) {
      case 'nconds': {
        const n = numberValue(label, prop, a);
        if (!Number.isInteger(n) || n < 1 || n > 100)
          throw new GeometryDssError(`${label}: nconds must be an integer from 1 to 100 (got ${clip(a.value)})`, a.at);
        s.nconds = n;
        s.x = new Array<number>(n).fill(0);
        s.h = new Array<number>(n).fill(0);
        s.units = 'ft';
        break;
      }
      case 'nphases': {
        const n = numberValue(label, prop, a);
        if (!Number.isInteger(n) || n < 1)
          throw new GeometryDssError(`${label}: nphases must be a positive integer (got ${clip(a.value)})`, a.at);
        s.nphases = n;
        break;
      }
      case 'x':
      case 'h': {
        const v = parseNumberArray(a.value);
        if (v === null || v.some((t) => !Number.isFinite(t)))
          throw new GeometryDssError(`${label}: ${prop}=[${clip(a.value)}] is not a list of numbers`, a.at);
        if (v.length !== s.nconds)
          throw new GeometryDssError(`${label}: ${prop}= has ${v.length} values, nconds=${s.nconds}`, a.at);
        if (prop === 'x') s.x = v;
        else s.h = v;
        break;
      }
      case 'units':
        s.units = unitValue(label, prop, a);
        break;
      case 'like': {
        const other = this.spacings.get(a.value.toLowerCase());
        if (!other)
          throw new GeometryDssError(
            `${label}: like=${clip(a.value)}: no LineSpacing of that name defined before`,
            a.at,
          );
        Object.assign(s, { ...other, name: s.name, at: s.at, x: [...other.x], h: [...other.h] });
        break;
      }
    }
  }
}

function takeRatings(g: LineGeometryDef, w: ConductorDef): void {
  if (w.normAmps > 0 && g.normAmps === 0) g.normAmps = w.normAmps;
  if (w.emergAmps > 0 && g.emergAmps === 0) g.emergAmps = w.emergAmps;
}

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

function numberValue(label: string, prop: string, a: GeometryAssignment): number {
  const v = parseDssNumber(a.value, a.quoted ?? false);
  if (!Number.isFinite(v) || Math.abs(v) > 1e15)
    throw new GeometryDssError(`${label}: ${prop}=${clip(a.value)} is not a usable number`, a.at);
  return v;
}

function positive(label: string, prop: string, a: GeometryAssignment, v: number): number {
  if (!(v > 0)) throw new GeometryDssError(`${label}: ${prop} must be positive (got ${clip(a.value)})`, a.at);
  return v;
}

function unitValue(label: string, prop: string, a: GeometryAssignment): LengthUnit {
  const u = parseLengthUnit(a.value);
  if (u === null)
    throw new GeometryDssError(
      `${label}: ${prop}=${clip(a.value)} is not a length unit (mi, kft, km, m, ft, in, cm, mm, none)`,
      a.at,
    );
  return u;
}

// ---- from stored objects to the computation's SI input ----

/** A WireData/CNData/TSData in SI units for ./lineConstants; throws when required data is missing. */
export function conductorToSI(w: ConductorDef): ConductorData {
  const label = `${w.cls}.${w.name}`;
  const need = (what: string, v: number): number => {
    if (!(v > 0)) throw new GeometryDssError(`${label}: ${what} is not given`, w.at);
    return v;
  };
  const perM = 1 / toMeters(w.runits);
  const rad = toMeters(w.radUnits);
  const gmrU = toMeters(w.gmrUnits);
  if (w.rdc < 0 && w.rac < 0) throw new GeometryDssError(`${label}: neither Rac nor Rdc is given`, w.at);
  if (w.gmr < 0 && w.radius < 0) throw new GeometryDssError(`${label}: neither GMRac nor radius/diam is given`, w.at);
  const core = {
    rdc: w.rdc * perM,
    rac: w.rac * perM,
    gmr: w.gmr * gmrU,
    radius: w.radius * rad,
    capRadius: w.capRadius > 0 ? w.capRadius * rad : undefined,
  };
  if (w.cls === 'wiredata') return { kind: 'wire', ...core };
  const ins = { epsR: w.epsR, insLayer: need('InsLayer', w.insLayer) * rad, diaIns: need('DiaIns', w.diaIns) * rad };
  if (w.cls === 'cndata') {
    return {
      kind: 'cn',
      ...core,
      ...ins,
      diaCable: need('DiaCable', w.diaCable) * rad,
      k: w.k,
      diaStrand: need('DiaStrand', w.diaStrand) * rad,
      gmrStrand: need('GmrStrand', w.gmrStrand) * gmrU,
      rStrand: need('Rstrand', w.rStrand) * perM,
    };
  }
  return {
    kind: 'ts',
    ...core,
    ...ins,
    diaShield: need('DiaShield', w.diaShield) * rad,
    tapeLayer: need('TapeLayer', w.tapeLayer) * rad,
    tapeLap: w.tapeLap,
  };
}

/** How a Line names its conductors: a geometry, or a spacing with wires/cables. */
export interface LineGeometryRefs {
  readonly geometry?: string;
  readonly spacing?: string;
  /** Bare wires: all conductors, or (after cables) the neutrals. */
  readonly wires?: readonly string[];
  readonly cncables?: readonly string[];
  readonly tscables?: readonly string[];
  /** The Line's `rho=` (earth resistivity, Ω·m) when given. */
  readonly rho?: number;
  /** The Line's `EarthModel=` when given. */
  readonly earthModel?: EarthModel;
  readonly at?: GeometryLoc;
}

/** Line properties that concern geometry, canonical lower-case names (see lineGeometryRefs). */
export const LINE_GEOMETRY_PROPERTIES: ReadonlySet<string> = new Set([
  'geometry',
  'spacing',
  'wires',
  'cncables',
  'tscables',
  'rho',
  'earthmodel',
]);

/**
 * Reads a Line's geometry-related assignments (canonical property names, script order; others
 * are skipped) into LineGeometryRefs. Null when the line names neither a geometry nor a spacing.
 * A later `geometry=` replaces an earlier spacing and the other way round, as in OpenDSS.
 */
export function lineGeometryRefs(assignments: readonly GeometryAssignment[]): LineGeometryRefs | null {
  let geometry: string | undefined;
  let spacing: string | undefined;
  let wires: string[] | undefined;
  let cncables: string[] | undefined;
  let tscables: string[] | undefined;
  let rho: number | undefined;
  let earthModel: EarthModel | undefined;
  let at: GeometryLoc | undefined;
  for (const a of assignments) {
    const p = a.prop.toLowerCase();
    if (!LINE_GEOMETRY_PROPERTIES.has(p)) continue;
    at ??= a.at;
    switch (p) {
      case 'geometry':
        geometry = a.value;
        spacing = wires = cncables = tscables = undefined;
        break;
      case 'spacing':
        spacing = a.value;
        geometry = undefined;
        break;
      case 'wires':
        if (spacing === undefined) throw new GeometryDssError('wires= needs spacing= before it on the Line', a.at);
        wires = splitArray(a.value);
        break;
      case 'cncables':
      case 'tscables':
        if (spacing === undefined) throw new GeometryDssError(`${p}= needs spacing= before it on the Line`, a.at);
        if (p === 'cncables') cncables = splitArray(a.value);
        else tscables = splitArray(a.value);
        wires = undefined;
        break;
      case 'rho': {
        const v = parseDssNumber(a.value, a.quoted ?? false);
        if (!(v > 0) || !Number.isFinite(v))
          throw new GeometryDssError(`rho=${clip(a.value)} is not a positive earth resistivity`, a.at);
        rho = v;
        break;
      }
      case 'earthmodel': {
        const m = a.value.trim().toLowerCase();
        const model = m === '' ? undefined : (['carson', 'fullcarson', 'deri'] as const).find((e) => e.startsWith(m));
        if (model) earthModel = model;
        else throw new GeometryDssError(`EarthModel=${clip(a.value)} is not Carson, FullCarson or Deri`, a.at);
        break;
      }
    }
  }
  if (geometry === undefined && spacing === undefined) return null;
  return { geometry, spacing, wires, cncables, tscables, rho, earthModel, at };
}

export interface GeometryImpedance {
  /** Conductors the Line ends up with (nphases when reduced, else all conductors). */
  readonly order: number;
  /** Phase conductors of the geometry. */
  readonly nphases: number;
  readonly reduced: boolean;
  /** R, X (Ω per unit) and C (nF per unit), row-major order×order. */
  readonly matrices: LineMatrices;
  /** Ratings the Line takes from its geometry (0 = not given). */
  readonly normAmps: number;
  readonly emergAmps: number;
}

export interface GeometryOptions {
  /** Hz, 60 unless given (`Set DefaultBaseFrequency`). */
  readonly frequency?: number;
  /** Circuit-wide `Set EarthModel`; 'deri' unless given. A Line's own EarthModel= wins. */
  readonly earthModel?: EarthModel;
}

/**
 * Phase conductors of a geometry. Without `nphases` OpenDSS keeps every conductor as a phase
 * (the Line gets nconds conductors, nothing reduced); we do the same, and refuse the cases where
 * OpenDSS would go on with zero phases (reduce=yes, cables).
 */
export function geometryPhases(g: LineGeometryDef): number {
  return g.nphases >= 1 ? g.nphases : g.nconds;
}

/** The geometry's conductors placed in metres, with SI data. */
export function placeGeometry(g: LineGeometryDef): PlacedConductor[] {
  const label = `LineGeometry.${g.name}`;
  if (g.nconds < 1) throw new GeometryDssError(`${label}: nconds is not given`, g.at);
  if (g.nphases < 1 && (g.reduce || g.cableLine))
    throw new GeometryDssError(
      `${label}: nphases is not given (needed for ${g.reduce ? 'reduce=yes' : 'cables'})`,
      g.at,
    );
  if (g.nphases > g.nconds)
    throw new GeometryDssError(`${label}: nphases=${g.nphases} exceeds nconds=${g.nconds}`, g.at);
  return g.conds.map((s, i) => {
    if (!s.wire) throw new GeometryDssError(`${label}: conductor ${i + 1} has no wire/cncable/tscable`, g.at);
    const m = toMeters(s.units ?? g.lastUnit);
    return { x: s.x * m, y: s.h * m, data: conductorToSI(s.wire) };
  });
}

/**
 * Z and C of a Line in its length unit from its geometry refs (see lineGeometryRefs). Throws
 * GeometryDssError naming what is missing or wrong.
 */
export function lineImpedanceFromGeometry(
  lib: GeometryLibrary,
  refs: LineGeometryRefs,
  lengthUnit: LengthUnit,
  options: GeometryOptions = {},
): GeometryImpedance {
  // Feeders have thousands of lines on a few dozen geometries: compute each combination once.
  const key = JSON.stringify([
    refs.geometry?.toLowerCase(),
    refs.spacing?.toLowerCase(),
    refs.wires,
    refs.cncables,
    refs.tscables,
    refs.rho,
    refs.earthModel ?? options.earthModel,
    options.frequency,
    lengthUnit,
  ]).toLowerCase();
  const hit = lib.impedanceCache.get(key);
  if (hit) return copyImpedance(hit);
  const result = computeImpedance(lib, refs, lengthUnit, options);
  lib.impedanceCache.set(key, result);
  return copyImpedance(result);
}

function copyImpedance(z: GeometryImpedance): GeometryImpedance {
  const m = z.matrices;
  return { ...z, matrices: { ...m, rmatrix: [...m.rmatrix], xmatrix: [...m.xmatrix], cmatrix: [...m.cmatrix] } };
}

function computeImpedance(
  lib: GeometryLibrary,
  refs: LineGeometryRefs,
  lengthUnit: LengthUnit,
  options: GeometryOptions,
): GeometryImpedance {
  let geom: LineGeometryDef;
  if (refs.geometry !== undefined) {
    const g = lib.geometries.get(refs.geometry.toLowerCase());
    if (!g)
      throw new GeometryDssError(`geometry=${clip(refs.geometry)}: no LineGeometry of that name is defined`, refs.at);
    geom = g;
  } else if (refs.spacing !== undefined) {
    geom = geometryFromSpacing(lib, refs);
  } else {
    throw new GeometryDssError('the Line names neither geometry= nor spacing=', refs.at);
  }
  const conductors = placeGeometry(geom);
  let lc;
  try {
    lc = computeLineConstants({
      conductors,
      nphases: geometryPhases(geom),
      frequency: options.frequency,
      rhoEarth: refs.rho,
      earthModel: refs.earthModel ?? options.earthModel,
      reduce: geom.reduce,
    });
  } catch (e) {
    if (e instanceof LineConstantsError)
      throw new GeometryDssError(`LineGeometry.${geom.name}: ${e.message}`, geom.at ?? refs.at);
    throw e;
  }
  return {
    order: lc.order,
    nphases: geometryPhases(geom),
    reduced: lc.order < conductors.length,
    matrices: perUnitLength(lc, lengthUnit),
    normAmps: geom.normAmps,
    emergAmps: geom.emergAmps,
  };
}

/** A Line's spacing= + wires=/cncables=/tscables= as the geometry OpenDSS builds for it. */
function geometryFromSpacing(lib: GeometryLibrary, refs: LineGeometryRefs): LineGeometryDef {
  const sp = lib.spacings.get(refs.spacing!.toLowerCase());
  if (!sp)
    throw new GeometryDssError(`spacing=${clip(refs.spacing!)}: no LineSpacing of that name is defined`, refs.at);
  const n = sp.nconds;
  const slots: (ConductorDef | null)[] = new Array(n).fill(null);
  const cables = refs.cncables ?? refs.tscables;
  const cableCls = refs.cncables ? 'cndata' : 'tsdata';
  let wireStart = 0;
  if (refs.cncables && refs.tscables)
    throw new GeometryDssError('a Line takes CNCables= or TSCables=, not both', refs.at);
  if (cables) {
    if (cables.length !== sp.nphases)
      throw new GeometryDssError(
        `${cableCls === 'cndata' ? 'CNCables' : 'TSCables'}= lists ${cables.length} cables, LineSpacing.${sp.name} has nphases=${sp.nphases}`,
        refs.at,
      );
    cables.forEach((nm, i) => {
      const w = lib.conductor(nm, cableCls);
      if (!w) throw new GeometryDssError(`no ${cableCls} named "${clip(nm)}" is defined`, refs.at);
      slots[i] = w;
    });
    wireStart = sp.nphases;
  }
  const wires = refs.wires ?? [];
  if (wires.length !== n - wireStart) {
    throw new GeometryDssError(
      cables
        ? `LineSpacing.${sp.name} has ${n - wireStart} neutral conductor(s) after the ${sp.nphases} cables; wires= lists ${wires.length}`
        : `LineSpacing.${sp.name} has ${n} conductors; wires= lists ${wires.length}`,
      refs.at,
    );
  }
  wires.forEach((nm, k) => {
    const w = lib.conductor(nm, 'wiredata');
    if (!w) throw new GeometryDssError(`no WireData named "${clip(nm)}" is defined`, refs.at);
    slots[wireStart + k] = w;
  });
  const first = slots[0]!;
  return {
    name: `(spacing ${sp.name})`,
    at: refs.at,
    nconds: n,
    nphases: sp.nphases,
    conds: slots.map((w, i) => ({ wire: w, x: sp.x[i], h: sp.h[i], units: sp.units })),
    activeCond: n,
    lastUnit: sp.units,
    reduce: n > sp.nphases,
    normAmps: Math.max(first.normAmps, 0),
    emergAmps: Math.max(first.emergAmps, 0),
    cableLine: cables !== undefined,
    spacing: sp.name,
  };
}

// ---- standalone DSS text reading (tests, tools) ----

/**
 * Reads the geometry classes from DSS text: `New`/`Edit` of WireData, CNData, TSData,
 * LineGeometry, LineSpacing and their `~`/`More` continuations; other commands and classes are
 * skipped. `into` collects several files in order.
 */
export function parseGeometryDss(
  text: string,
  file: string,
  into: GeometryLibrary = new GeometryLibrary(),
): GeometryLibrary {
  let active: { cls: string; name: string } | null = null;
  const lines = text.split(/\r?\n/);
  let inBlock = false;
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    let line = raw;
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      inBlock = false;
      line = line.slice(end + 2);
    }
    if (line.trimStart().startsWith('/*')) {
      const end = line.indexOf('*/');
      if (end < 0) {
        inBlock = true;
        return;
      }
      line = line.slice(end + 2);
    }
    line = stripComment(line);
    const m = /^\s*(\S+)\s*(.*)$/.exec(line);
    if (!m) return;
    const word = m[1].toLowerCase();
    const rest = m[2];
    const restCol = line.length - rest.length;
    const at = (column?: number): GeometryLoc => ({ file, line: lineNo, column });
    const tokens = (text2: string, offset: number) => {
      try {
        return tokenizeParams(text2, offset);
      } catch (e) {
        if (e instanceof DssSyntaxError) throw new GeometryDssError(e.message, at(e.column));
        throw e;
      }
    };
    const toAssignments = (text2: string, offset: number): GeometryAssignment[] =>
      tokens(text2, offset).map((p) => ({ prop: p.name, value: p.value, quoted: p.quoted, at: at(p.column) }));
    if (word === '~' || word === 'more' || word === 'm') {
      if (active) into.edit(active.cls, active.name, toAssignments(rest, restCol));
      return;
    }
    if (word === 'new' || word === 'edit') {
      const params = tokens(rest, restCol);
      if (params.length === 0) return;
      const head = params[0];
      const objText = head.name === 'object' || head.name === '' ? head.value : '';
      const dot = objText.indexOf('.');
      const cls = dot > 0 ? objText.slice(0, dot).toLowerCase() : '';
      if (!GEOMETRY_CLASSES.has(cls)) {
        active = null;
        return;
      }
      const name = objText.slice(dot + 1);
      const assigns = params
        .slice(1)
        .map((p) => ({ prop: p.name, value: p.value, quoted: p.quoted, at: at(p.column) }));
      if (word === 'new') into.define(cls, name, assigns, at(head.column));
      else into.edit(cls, name, assigns);
      active = { cls, name };
      return;
    }
    active = null;
  });
  return into;
}

// ---- the OpenDSS import's hook ----

/** The part of a script element (../io/dss/script ElementDef) the hook reads. */
export interface ScriptElementLike {
  readonly cls: string;
  readonly name: string;
  readonly at: GeometryLoc;
  readonly assignments: readonly GeometryAssignment[];
}

/** The part of a script run (../io/dss/script ScriptResult) the hook reads. */
export interface ScriptLike {
  readonly elements: readonly ScriptElementLike[];
  /** `Set` options (lower-case names): `earthmodel` is read. */
  readonly options?: ReadonlyMap<string, string>;
}

/** A Line's matrices for the import: per metre of length (multiply by the length in metres). */
export interface LineConstantsForImport {
  /** Conductors of the Line (the geometry's nphases when reduced, else all its conductors). */
  readonly phases: number;
  /** Series impedance, Ω per metre, phases×phases row-major. */
  readonly z: { readonly n: number; readonly re: Float64Array; readonly im: Float64Array };
  /** Shunt capacitance, nF per metre, in `re` (`im` zero). */
  readonly cNf: { readonly n: number; readonly re: Float64Array; readonly im: Float64Array };
  /** The matrices are per this many metres: 1. */
  readonly unitsMetres: number;
  /** Ratings the Line takes from its geometry / first wire (0: none given). */
  readonly normAmps: number;
  readonly emergAmps: number;
}

/**
 * A hook for the three-phase import: `hook(lineElement, scriptResult, frequencyHz)` gives the
 * Line's Z and C per metre from its geometry=/spacing=+wires= (or `{ error }` naming the cause).
 * The script's WireData/CNData/TSData/LineGeometry/LineSpacing elements are read once per
 * script (in script order, after all of them are defined — OpenDSS computes line constants at
 * solve time, so later Edits count). `Set EarthModel=` is honoured; a Line's own EarthModel=
 * and rho= win. One OpenDSS quirk is not reproduced: rho= on a Line that uses a shared
 * LineGeometry changes that geometry's rho for every Line using it; here it applies to that
 * Line only.
 */
export function createLineConstantsHook(): (
  line: ScriptElementLike,
  script: ScriptLike,
  frequencyHz: number,
) => LineConstantsForImport | { error: string } {
  const libraries = new WeakMap<ScriptLike, GeometryLibrary | { error: string }>();
  const libraryOf = (script: ScriptLike): GeometryLibrary | { error: string } => {
    let lib = libraries.get(script);
    if (!lib) {
      const l = new GeometryLibrary();
      try {
        for (const el of script.elements)
          if (GEOMETRY_CLASSES.has(el.cls)) l.define(el.cls, el.name, el.assignments, el.at);
        lib = l;
      } catch (e) {
        if (!(e instanceof GeometryDssError)) throw e;
        lib = { error: e.message };
      }
      libraries.set(script, lib);
    }
    return lib;
  };
  return (line, script, frequencyHz) => {
    const lib = libraryOf(script);
    if ('error' in lib) return lib;
    try {
      const refs = lineGeometryRefs(line.assignments);
      if (!refs) return { error: 'the Line names neither geometry= nor spacing=' };
      const set = script.options?.get('earthmodel');
      let earthModel: EarthModel | undefined;
      if (set !== undefined) {
        const m = set.trim().toLowerCase();
        earthModel = m === '' ? undefined : (['carson', 'fullcarson', 'deri'] as const).find((e) => e.startsWith(m));
        if (!earthModel) return { error: `Set EarthModel=${clip(set)} is not Carson, FullCarson or Deri` };
      }
      // The import reports a hook error at the Line's own place: messages about the Line carry no
      // place of their own; those about a LineGeometry/WireData/… name theirs.
      const z = lineImpedanceFromGeometry(lib, { ...refs, at: undefined }, 'm', { frequency: frequencyHz, earthModel });
      const n = z.order;
      const c = new Float64Array(n * n);
      c.set(z.matrices.cmatrix);
      return {
        phases: n,
        z: { n, re: Float64Array.from(z.matrices.rmatrix), im: Float64Array.from(z.matrices.xmatrix) },
        cNf: { n, re: c, im: new Float64Array(n * n) },
        unitsMetres: 1,
        normAmps: z.normAmps,
        emergAmps: z.emergAmps,
      };
    } catch (e) {
      if (e instanceof GeometryDssError) return { error: e.message };
      throw e;
    }
  };
}
