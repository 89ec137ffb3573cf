/**
 * A small algebraic-expression language with exact second-order forward-mode differentiation,
 * so that each Hock–Schittkowski problem can be written as it is printed in the book
 * (`100*(x2 - x1^2)^2 + (1 - x1)^2`) and still give the solver exact ∇f, Jacobian and
 * Lagrangian Hessian — no finite differences anywhere.
 *
 * Grammar (precedence low → high; `^` is right-associative and binds tighter than unary minus,
 * so `-x1^2 = -(x1^2)`; `**` is a synonym of `^`):
 *
 *     expr   := term (('+' | '-') term)*
 *     term   := unary (('*' | '/') unary)*
 *     unary  := ('-' | '+') unary | power
 *     power  := atom (('^' | '**') unary)?
 *     atom   := number | xK (variable K, 1-based as in the book) | name (a definition)
 *             | fn '(' expr ')' | '(' expr ')'
 *     fn     := exp | log | sqrt | sin | cos | tan | atan
 *
 * Differentiation: every node carries its value v, gradient g (length k) and Hessian H (k×k)
 * with respect to the k variables its expression depends on ("local" dense coordinates; k ≤ 31
 * in this collection). The rules are the exact chain/product rules:
 *
 *     a ± b :  g = ga ± gb,              H = Ha ± Hb
 *     a · b :  g = b ga + a gb,          H = b Ha + a Hb + ga gbᵀ + gb gaᵀ
 *     a / b :  g = (ga − v gb)/b,        H = (Ha − v Hb − g gbᵀ − gb gᵀ)/b     (from a = v b)
 *     φ(a)  :  g = φ′ ga,                H = φ′ Ha + φ″ ga gaᵀ                 (φ = fn or a^p, p constant)
 *     a ^ b :  rewritten exp(b · log a) when b is not a constant
 *
 * Structural sparsity is tracked alongside: each node knows which variables it depends on and
 * which Hessian pairs can be nonzero (product of two variable-dependent factors, or a nonlinear
 * function of a variable-dependent argument), so the Jacobian and Hessian patterns handed to the
 * solver are exact, not dense.
 */

/** A parsed expression node (a DAG: definitions are shared, not copied). */
export type ExprNode =
  | { readonly op: 'const'; readonly value: number }
  | { readonly op: 'var'; readonly index: number }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div'; readonly a: ExprNode; readonly b: ExprNode }
  | { readonly op: 'neg'; readonly a: ExprNode }
  | { readonly op: 'powc'; readonly a: ExprNode; readonly p: number }
  | { readonly op: 'fn'; readonly name: FnName; readonly a: ExprNode };

export type FnName = 'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tan' | 'atan';

const FN_NAMES: ReadonlySet<string> = new Set(['exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'atan']);

/** Error in an expression's text, with the offending position. */
export class ExprSyntaxError extends Error {
  constructor(message: string, text: string, pos: number) {
    super(`${message} at ${pos} in "${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`);
    this.name = 'ExprSyntaxError';
  }
}

// ---------------------------------------------------------------- parsing

type Token =
  | { readonly t: 'num'; readonly v: number; readonly pos: number }
  | { readonly t: 'id'; readonly v: string; readonly pos: number }
  | { readonly t: 'op'; readonly v: string; readonly pos: number }
  | { readonly t: 'end'; readonly pos: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
    } else if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ t: 'num', v: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(text.slice(i))!;
      tokens.push({ t: 'id', v: m[0], pos: i });
      i += m[0].length;
    } else if (c === '*' && text[i + 1] === '*') {
      tokens.push({ t: 'op', v: '^', pos: i });
      i += 2;
    } else if ('+-*/^(),'.includes(c)) {
      tokens.push({ t: 'op', v: c, pos: i });
      i++;
    } else {
      throw new ExprSyntaxError(`unexpected character '${c}'`, text, i);
    }
  }
  tokens.push({ t: 'end', pos: text.length });
  return tokens;
}

/**
 * Parse `text` over variables x1…xn; `defs` maps a name to an already-parsed node (shared).
 * Constant subexpressions are folded, so `2*3*x1` stores one constant.
 */
export function parseExpr(text: string, n: number, defs: ReadonlyMap<string, ExprNode> = new Map()): ExprNode {
  const tokens = tokenize(text);
  let k = 0;
  const peek = (): Token => tokens[k];
  const isOp = (v: string): boolean => {
    const tok = tokens[k];
    return tok.t === 'op' && tok.v === v;
  };
  const expectOp = (v: string): void => {
    if (!isOp(v)) throw new ExprSyntaxError(`expected '${v}'`, text, peek().pos);
    k++;
  };

  const parseSum = (): ExprNode => {
    let left = parseTerm();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[k++] as { v: string }).v;
      const right = parseTerm();
      left = op === '+' ? add(left, right) : sub(left, right);
    }
    return left;
  };
  const parseTerm = (): ExprNode => {
    let left = parseUnary();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[k++] as { v: string }).v;
      const right = parseUnary();
      left = op === '*' ? mul(left, right) : div(left, right);
    }
    return left;
  };
  const parseUnary = (): ExprNode => {
    if (isOp('-')) {
      k++;
      return neg(parseUnary());
    }
    if (isOp('+')) {
      k++;
      return parseUnary();
    }
    return parsePower();
  };
  const parsePower = (): ExprNode => {
    const base = parseAtom();
    if (isOp('^')) {
      k++;
      return pow(base, parseUnary());
    }
    return base;
  };
  const parseAtom = (): ExprNode => {
    const tok = peek();
    if (tok.t === 'num') {
      k++;
      return constant(tok.v);
    }
    if (tok.t === 'op' && tok.v === '(') {
      k++;
      const inner = parseSum();
      expectOp(')');
      return inner;
    }
    if (tok.t === 'id') {
      k++;
      const xm = /^x(\d+)$/.exec(tok.v);
      if (xm) {
        const index = Number(xm[1]) - 1;
        if (index < 0 || index >= n) throw new ExprSyntaxError(`variable ${tok.v} outside x1…x${n}`, text, tok.pos);
        return { op: 'var', index };
      }
      if (FN_NAMES.has(tok.v)) {
        expectOp('(');
        const arg = parseSum();
        expectOp(')');
        return fn(tok.v as FnName, arg);
      }
      const def = defs.get(tok.v);
      if (def) return def;
      throw new ExprSyntaxError(`unknown name '${tok.v}'`, text, tok.pos);
    }
    throw new ExprSyntaxError('expected a number, variable, function or (', text, tok.pos);
  };

  const root = parseSum();
  if (peek().t !== 'end') throw new ExprSyntaxError('unexpected trailing text', text, peek().pos);
  return root;
}

// ---------------------------------------------------------------- node constructors (with constant folding)

const constant = (value: number): ExprNode => ({ op: 'const', value });
const isConst = (e: ExprNode): e is { op: 'const'; value: number } => e.op === 'const';

function add(a: ExprNode, b: ExprNode): ExprNode {
  if (isConst(a) && isConst(b)) return constant(a.value + b.value);
  if (isConst(a) && a.value === 0) return b;
  if (isConst(b) && b.value === 0) return a;
  return { op: 'add', a, b };
}
function sub(a: ExprNode, b: ExprNode): ExprNode {
  if (isConst(a) && isConst(b)) return constant(a.value - b.value);
  if (isConst(b) && b.value === 0) return a;
  return { op: 'sub', a, b };
}
function mul(a: ExprNode, b: ExprNode): ExprNode {
  if (isConst(a) && isConst(b)) return constant(a.value * b.value);
  if (isConst(a) && a.value === 1) return b;
  if (isConst(b) && b.value === 1) return a;
  return { op: 'mul', a, b };
}
function div(a: ExprNode, b: ExprNode): ExprNode {
  if (isConst(a) && isConst(b)) return constant(a.value / b.value);
  if (isConst(b)) return mul(constant(1 / b.value), a);
  return { op: 'div', a, b };
}
function neg(a: ExprNode): ExprNode {
  return isConst(a) ? constant(-a.value) : { op: 'neg', a };
}
function pow(a: ExprNode, b: ExprNode): ExprNode {
  if (isConst(b)) {
    if (isConst(a)) return constant(Math.pow(a.value, b.value));
    if (b.value === 1) return a;
    if (b.value === 0) return constant(1);
    return { op: 'powc', a, p: b.value };
  }
  // a^b = exp(b·log a) for a variable exponent (a > 0 is then required, as in HS70).
  return fn('exp', mul(b, fn('log', a)));
}
function fn(name: FnName, a: ExprNode): ExprNode {
  if (isConst(a)) return constant(applyFn(name, a.value)[0]);
  return { op: 'fn', name, a };
}

/** φ(a), φ′(a), φ″(a). */
function applyFn(name: FnName, a: number): [number, number, number] {
  switch (name) {
    case 'exp': {
      const e = Math.exp(a);
      return [e, e, e];
    }
    case 'log':
      return [Math.log(a), 1 / a, -1 / (a * a)];
    case 'sqrt': {
      const s = Math.sqrt(a);
      return [s, 0.5 / s, -0.25 / (s * a)];
    }
    case 'sin':
      return [Math.sin(a), Math.cos(a), -Math.sin(a)];
    case 'cos':
      return [Math.cos(a), -Math.sin(a), -Math.cos(a)];
    case 'tan': {
      const t = Math.tan(a);
      const s2 = 1 + t * t;
      return [t, s2, 2 * t * s2];
    }
    case 'atan': {
      const d = 1 / (1 + a * a);
      return [Math.atan(a), d, -2 * a * d * d];
    }
  }
}

// ---------------------------------------------------------------- compilation to a tape

const enum Op {
  Const,
  Var,
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  PowC,
  Fn,
}

const FN_CODE: Record<FnName, number> = { exp: 0, log: 1, sqrt: 2, sin: 3, cos: 4, tan: 5, atan: 6 };
const FN_BY_CODE: readonly FnName[] = ['exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'atan'];

/**
 * One expression compiled for evaluation: a post-order tape over local dense coordinates.
 * `vars` are the global indices of the k variables it depends on (ascending); `hessPairs`
 * lists the structurally nonzero lower-triangle pairs as local (row, col) with row ≥ col.
 */
export interface CompiledExpr {
  readonly vars: Int32Array;
  readonly hessRows: Int32Array;
  readonly hessCols: Int32Array;
  /** Value at x (global vector). */
  value(x: Float64Array): number;
  /** Value and local gradient (length k) at x. */
  gradient(x: Float64Array, g: Float64Array): number;
  /** Value, local gradient and local dense Hessian (k×k, row-major, full) at x. */
  hessian(x: Float64Array, g: Float64Array, h: Float64Array): number;
}

export function compileExpr(root: ExprNode): CompiledExpr {
  // Post-order walk of the DAG, each node once.
  const order: ExprNode[] = [];
  const slot = new Map<ExprNode, number>();
  const visit = (e: ExprNode): void => {
    if (slot.has(e)) return;
    if (e.op === 'add' || e.op === 'sub' || e.op === 'mul' || e.op === 'div') {
      visit(e.a);
      visit(e.b);
    } else if (e.op === 'neg' || e.op === 'powc' || e.op === 'fn') {
      visit(e.a);
    }
    slot.set(e, order.length);
    order.push(e);
  };
  visit(root);

  // Variables, as ascending global indices → local indices.
  const globals = [...new Set(order.filter((e) => e.op === 'var').map((e) => (e as { index: number }).index))].sort(
    (p, q) => p - q,
  );
  const k = globals.length;
  if (k > 31) throw new Error(`expression depends on ${k} variables; at most 31 supported`);
  const local = new Map(globals.map((gi, li) => [gi, li]));

  // Structural sparsity per node: variable bitmask and Hessian pair rows (bitmask per local var).
  const size = order.length;
  const varMask = new Int32Array(size);
  const pairMask: Int32Array[] = [];
  const cross = (m: Int32Array, ma: number, mb: number): void => {
    for (let i = 0; i < k; i++) {
      if (ma & (1 << i)) m[i] |= mb;
      if (mb & (1 << i)) m[i] |= ma;
    }
  };
  const code = new Int32Array(size);
  const argA = new Int32Array(size).fill(-1);
  const argB = new Int32Array(size).fill(-1);
  const num = new Float64Array(size); // constant value, local var index, exponent or fn code
  order.forEach((e, s) => {
    const m = new Int32Array(k);
    switch (e.op) {
      case 'const':
        code[s] = Op.Const;
        num[s] = e.value;
        break;
      case 'var':
        code[s] = Op.Var;
        num[s] = local.get(e.index)!;
        varMask[s] = 1 << num[s];
        break;
      case 'add':
      case 'sub':
      case 'mul':
      case 'div': {
        const a = slot.get(e.a)!;
        const b = slot.get(e.b)!;
        code[s] = { add: Op.Add, sub: Op.Sub, mul: Op.Mul, div: Op.Div }[e.op];
        argA[s] = a;
        argB[s] = b;
        varMask[s] = varMask[a] | varMask[b];
        for (let i = 0; i < k; i++) m[i] = pairMask[a][i] | pairMask[b][i];
        if (e.op === 'mul') cross(m, varMask[a], varMask[b]);
        if (e.op === 'div') {
          cross(m, varMask[a], varMask[b]);
          cross(m, varMask[b], varMask[b]);
        }
        break;
      }
      case 'neg': {
        const a = slot.get(e.a)!;
        code[s] = Op.Neg;
        argA[s] = a;
        varMask[s] = varMask[a];
        for (let i = 0; i < k; i++) m[i] = pairMask[a][i];
        break;
      }
      case 'powc':
      case 'fn': {
        const a = slot.get(e.a)!;
        code[s] = e.op === 'powc' ? Op.PowC : Op.Fn;
        num[s] = e.op === 'powc' ? e.p : FN_CODE[e.name];
        argA[s] = a;
        varMask[s] = varMask[a];
        for (let i = 0; i < k; i++) m[i] = pairMask[a][i];
        cross(m, varMask[a], varMask[a]);
        break;
      }
    }
    pairMask.push(m);
  });

  const rootPairs = pairMask[size - 1];
  const hr: number[] = [];
  const hc: number[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      if (rootPairs[i] & (1 << j)) {
        hr.push(i);
        hc.push(j);
      }
    }
  }

  // Work arrays: value, gradient and Hessian per tape slot, allocated once.
  const v = new Float64Array(size);
  const G = new Float64Array(size * k);
  const H = new Float64Array(size * k * k);
  const kk = k * k;
  const dependsOnX = new Uint8Array(size);
  for (let s = 0; s < size; s++) dependsOnX[s] = varMask[s] !== 0 ? 1 : 0;

  /** Run the tape to `order` (0: values, 1: + gradients, 2: + Hessians). */
  const run = (x: Float64Array, deriv: 0 | 1 | 2): void => {
    for (let s = 0; s < size; s++) {
      const a = argA[s];
      const b = argB[s];
      const gs = s * k;
      const hs = s * kk;
      const ga = a * k;
      const gb = b * k;
      const ha = a * kk;
      const hb = b * kk;
      switch (code[s] as Op) {
        case Op.Const:
          v[s] = num[s];
          if (deriv >= 1) G.fill(0, gs, gs + k);
          if (deriv >= 2) H.fill(0, hs, hs + kk);
          break;
        case Op.Var: {
          v[s] = x[globals[num[s]]];
          if (deriv >= 1) {
            G.fill(0, gs, gs + k);
            G[gs + num[s]] = 1;
          }
          if (deriv >= 2) H.fill(0, hs, hs + kk);
          break;
        }
        case Op.Add:
        case Op.Sub: {
          const sg = code[s] === Op.Add ? 1 : -1;
          v[s] = v[a] + sg * v[b];
          if (deriv >= 1) for (let i = 0; i < k; i++) G[gs + i] = G[ga + i] + sg * G[gb + i];
          if (deriv >= 2) for (let i = 0; i < kk; i++) H[hs + i] = H[ha + i] + sg * H[hb + i];
          break;
        }
        case Op.Neg:
          v[s] = -v[a];
          if (deriv >= 1) for (let i = 0; i < k; i++) G[gs + i] = -G[ga + i];
          if (deriv >= 2) for (let i = 0; i < kk; i++) H[hs + i] = -H[ha + i];
          break;
        case Op.Mul: {
          const va = v[a];
          const vb = v[b];
          v[s] = va * vb;
          if (deriv >= 1) for (let i = 0; i < k; i++) G[gs + i] = vb * G[ga + i] + va * G[gb + i];
          if (deriv >= 2) {
            for (let i = 0; i < k; i++) {
              const gai = G[ga + i];
              const gbi = G[gb + i];
              for (let j = 0; j < k; j++) {
                H[hs + i * k + j] = vb * H[ha + i * k + j] + va * H[hb + i * k + j] + gai * G[gb + j] + gbi * G[ga + j];
              }
            }
          }
          break;
        }
        case Op.Div: {
          const vb = v[b];
          const val = v[a] / vb;
          v[s] = val;
          if (deriv >= 1) for (let i = 0; i < k; i++) G[gs + i] = (G[ga + i] - val * G[gb + i]) / vb;
          if (deriv >= 2) {
            for (let i = 0; i < k; i++) {
              const gi = G[gs + i];
              const gbi = G[gb + i];
              for (let j = 0; j < k; j++) {
                H[hs + i * k + j] =
                  (H[ha + i * k + j] - val * H[hb + i * k + j] - gi * G[gb + j] - gbi * G[gs + j]) / vb;
              }
            }
          }
          break;
        }
        case Op.PowC:
        case Op.Fn: {
          const va = v[a];
          let f0: number;
          let f1: number;
          let f2: number;
          if (code[s] === Op.PowC) {
            const p = num[s];
            f0 = Math.pow(va, p);
            if (p === 2) {
              f1 = 2 * va;
              f2 = 2;
            } else {
              f1 = p * Math.pow(va, p - 1);
              f2 = p === 1 ? 0 : p * (p - 1) * Math.pow(va, p - 2);
            }
          } else {
            [f0, f1, f2] = applyFn(FN_BY_CODE[num[s]], va);
          }
          v[s] = f0;
          if (deriv >= 1 && dependsOnX[a]) for (let i = 0; i < k; i++) G[gs + i] = f1 * G[ga + i];
          if (deriv >= 2 && dependsOnX[a]) {
            for (let i = 0; i < k; i++) {
              const gai = G[ga + i];
              for (let j = 0; j < k; j++) H[hs + i * k + j] = f1 * H[ha + i * k + j] + f2 * gai * G[ga + j];
            }
          }
          break;
        }
      }
    }
  };

  const last = size - 1;
  return {
    vars: Int32Array.from(globals),
    hessRows: Int32Array.from(hr),
    hessCols: Int32Array.from(hc),
    value(x) {
      run(x, 0);
      return v[last];
    },
    gradient(x, g) {
      run(x, 1);
      for (let i = 0; i < k; i++) g[i] = G[last * k + i];
      return v[last];
    },
    hessian(x, g, h) {
      run(x, 2);
      for (let i = 0; i < k; i++) g[i] = G[last * k + i];
      for (let i = 0; i < kk; i++) h[i] = H[last * kk + i];
      return v[last];
    },
  };
}
