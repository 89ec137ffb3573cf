/**
 * `define` states a small NLP the way the Hock–Schittkowski book prints it and returns an
 * `NlpProblem` with exact sparse derivatives (see `expr.ts` for the differentiation rules):
 *
 *     define({
 *       n: 4, x0: [1, 5, 5, 1], lower: 1, upper: 5,
 *       f: 'x1*x4*(x1 + x2 + x3) + x3',
 *       cons: ['x1*x2*x3*x4 >= 25', 'x1^2 + x2^2 + x3^2 + x4^2 = 40'],
 *     })
 *
 * Constraint forms: `A >= B`, `A <= B`, `A = B` (or `==`), and `lo <= A <= hi` with constant
 * lo, hi. When one side is a constant it becomes the bound (g = A, gL or gU = B); otherwise
 * g = A − B with bound 0. Variables are x1…xn (1-based, as in the book); `defs` are named
 * subexpressions (shared, evaluated once), each may use the ones before it.
 *
 * Structure: the Jacobian row of a constraint lists exactly the variables it depends on; the
 * Hessian pattern is the union of the structurally nonzero lower-triangle pairs of f and every
 * g_i (entries may repeat across expressions; they are merged to one position each here).
 */
import type { NlpProblem, SparseStructure } from '../../nlp/problem';
import { compileExpr, parseExpr, type CompiledExpr, type ExprNode } from './expr';

export interface ProblemSpec {
  readonly n: number;
  readonly x0: readonly number[];
  /** Lower bounds: one number for all variables, or per variable (null = none). */
  readonly lower?: number | readonly (number | null)[];
  /** Upper bounds, same forms as `lower`. */
  readonly upper?: number | readonly (number | null)[];
  /** Named subexpressions, in order; later ones may use earlier ones. */
  readonly defs?: readonly (readonly [name: string, text: string])[];
  /** Objective. */
  readonly f: string;
  /** Constraints (see the module comment for the accepted forms). */
  readonly cons?: readonly string[];
}

/** A constraint split into its expression and bounds: gL ≤ g ≤ gU. */
interface ParsedConstraint {
  readonly g: ExprNode;
  readonly lo: number;
  readonly hi: number;
}

const COMPARISON = /(<=|>=|==|=)/;

function constValue(e: ExprNode): number | undefined {
  return e.op === 'const' ? e.value : undefined;
}

function parseConstraint(text: string, n: number, defs: ReadonlyMap<string, ExprNode>): ParsedConstraint {
  const parts = text.split(COMPARISON).map((s) => s.trim());
  const sub = (a: ExprNode, b: ExprNode): ExprNode => parseDiff(a, b);
  if (parts.length === 5) {
    // lo <= A <= hi (or hi >= A >= lo)
    const [l, op1, mid, op2, r] = parts;
    if (op1 !== op2 || (op1 !== '<=' && op1 !== '>=')) throw new Error(`bad double inequality: ${text}`);
    const lv = constValue(parseExpr(l, n, defs));
    const rv = constValue(parseExpr(r, n, defs));
    if (lv === undefined || rv === undefined) throw new Error(`double inequality needs constant ends: ${text}`);
    const g = parseExpr(mid, n, defs);
    return op1 === '<=' ? { g, lo: lv, hi: rv } : { g, lo: rv, hi: lv };
  }
  if (parts.length !== 3) throw new Error(`constraint needs one comparison: ${text}`);
  const [l, op, r] = parts;
  let a = parseExpr(l, n, defs);
  let b = parseExpr(r, n, defs);
  let rel = op === '==' ? '=' : op;
  if (constValue(a) !== undefined && constValue(b) === undefined) {
    [a, b] = [b, a];
    rel = rel === '<=' ? '>=' : rel === '>=' ? '<=' : rel;
  }
  const bv = constValue(b);
  const g = bv === undefined ? sub(a, b) : a;
  const rhs = bv ?? 0;
  if (rel === '=') return { g, lo: rhs, hi: rhs };
  return rel === '>=' ? { g, lo: rhs, hi: Infinity } : { g, lo: -Infinity, hi: rhs };
}

function parseDiff(a: ExprNode, b: ExprNode): ExprNode {
  return { op: 'sub', a, b };
}

function boundArray(n: number, spec: number | readonly (number | null)[] | undefined, none: number): Float64Array {
  const out = new Float64Array(n).fill(none);
  if (spec === undefined) return out;
  if (typeof spec === 'number') return out.fill(spec);
  if (spec.length !== n) throw new Error(`bound array has length ${spec.length}, expected ${n}`);
  spec.forEach((b, i) => {
    if (b !== null) out[i] = b;
  });
  return out;
}

export function define(spec: ProblemSpec): NlpProblem {
  const { n } = spec;
  if (spec.x0.length !== n) throw new Error(`x0 has length ${spec.x0.length}, expected ${n}`);

  // Fetch: parse definitions, objective and constraints.
  const defs = new Map<string, ExprNode>();
  for (const [name, text] of spec.defs ?? []) defs.set(name, parseExpr(text, n, defs));
  const objective = compileExpr(parseExpr(spec.f, n, defs));
  const parsed = (spec.cons ?? []).map((c) => parseConstraint(c, n, defs));
  const cons: CompiledExpr[] = parsed.map((c) => compileExpr(c.g));
  const m = cons.length;

  // Jacobian structure: row i lists the variables of g_i.
  const jacRows: number[] = [];
  const jacCols: number[] = [];
  cons.forEach((c, i) => {
    for (const j of c.vars) {
      jacRows.push(i);
      jacCols.push(j);
    }
  });

  // Hessian structure: union of lower-triangle pairs; each expression keeps where its pairs land.
  const hessIndex = new Map<number, number>();
  const hessRows: number[] = [];
  const hessCols: number[] = [];
  const place = (e: CompiledExpr): Int32Array => {
    const pos = new Int32Array(e.hessRows.length);
    for (let p = 0; p < pos.length; p++) {
      const r = e.vars[e.hessRows[p]];
      const c = e.vars[e.hessCols[p]];
      const key = r * n + c; // r ≥ c because vars are ascending and local row ≥ local col
      let at = hessIndex.get(key);
      if (at === undefined) {
        at = hessRows.length;
        hessIndex.set(key, at);
        hessRows.push(r);
        hessCols.push(c);
      }
      pos[p] = at;
    }
    return pos;
  };
  const objPos = place(objective);
  const conPos = cons.map(place);

  // Scratch buffers for local gradients and Hessians (sized for the widest expression).
  const kMax = Math.max(objective.vars.length, ...cons.map((c) => c.vars.length), 1);
  const gLocal = new Float64Array(kMax);
  const hLocal = new Float64Array(kMax * kMax);

  const jacobianStructure = (): SparseStructure => ({ rows: Int32Array.from(jacRows), cols: Int32Array.from(jacCols) });
  const hessianStructure = (): SparseStructure => ({
    rows: Int32Array.from(hessRows),
    cols: Int32Array.from(hessCols),
  });

  const addHessian = (e: CompiledExpr, pos: Int32Array, x: Float64Array, weight: number, out: Float64Array): void => {
    if (weight === 0 || pos.length === 0) return;
    const k = e.vars.length;
    e.hessian(x, gLocal, hLocal);
    for (let p = 0; p < pos.length; p++) out[pos[p]] += weight * hLocal[e.hessRows[p] * k + e.hessCols[p]];
  };

  return {
    n,
    m,
    xL: boundArray(n, spec.lower, -Infinity),
    xU: boundArray(n, spec.upper, Infinity),
    gL: Float64Array.from(parsed, (c) => c.lo),
    gU: Float64Array.from(parsed, (c) => c.hi),
    x0: Float64Array.from(spec.x0),
    jacobianStructure,
    hessianStructure,
    evalF: (x) => objective.value(x),
    evalGradF(x, out) {
      out.fill(0);
      objective.gradient(x, gLocal);
      const vars = objective.vars;
      for (let i = 0; i < vars.length; i++) out[vars[i]] = gLocal[i];
    },
    evalG(x, out) {
      for (let i = 0; i < m; i++) out[i] = cons[i].value(x);
    },
    evalJacobian(x, out) {
      let at = 0;
      for (let i = 0; i < m; i++) {
        const c = cons[i];
        c.gradient(x, gLocal);
        for (let j = 0; j < c.vars.length; j++) out[at++] = gLocal[j];
      }
    },
    evalHessian(x, sigmaF, lambda, out) {
      out.fill(0);
      addHessian(objective, objPos, x, sigmaF, out);
      for (let i = 0; i < m; i++) addHessian(cons[i], conPos[i], x, lambda[i], out);
    },
  };
}
