/**
 * The OpenDSS command language, lexical level: one logical command per line (a `~` line is the
 * `More` command), `!` and `//` comments to the end of the line (outside quotes), `/* … *\/`
 * block comments (opened at the start of a line), and parameters as OpenDSS's parser reads them:
 * `name=value` (spaces allowed around `=`) or a bare positional `value`, separated by blanks or
 * commas, where a value may be quoted with "…", '…', (…), […] or {…} and keeps its blanks.
 * Numbers inside quotes are in reverse Polish notation (`(8 1000 /)` = 0.008), as in OpenDSS.
 */

export interface Param {
  /** Parameter name as written, '' for a positional value. */
  readonly name: string;
  /** The value text without its enclosing quotes. */
  readonly value: string;
  /** True when the value was enclosed in quotes or brackets. */
  readonly quoted: boolean;
  /** 1-based column where the parameter starts. */
  readonly column: number;
}

export class DssSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'DssSyntaxError';
  }
}

const CLOSERS: Record<string, string> = { '"': '"', "'": "'", '(': ')', '[': ']', '{': '}' };

/** Removes a `!` or `//` comment (outside quotes) from a line. */
export function stripComment(line: string): string {
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === CLOSERS[quote] && (quote === '"' || quote === "'" || --depth === 0)) quote = null;
      else if (c === quote && quote !== '"' && quote !== "'") depth++;
      continue;
    }
    if (c in CLOSERS) {
      quote = c;
      depth = 1;
      continue;
    }
    if (c === '!') return line.slice(0, i);
    if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\r';

/** Splits the parameter part of a command into parameters. Throws DssSyntaxError on an unclosed quote. */
export function tokenizeParams(text: string, columnOffset = 0): Param[] {
  const params: Param[] = [];
  let i = 0;
  const n = text.length;
  const skipBlanks = (): void => {
    while (i < n && isBlank(text[i])) i++;
  };
  const readToken = (): { value: string; quoted: boolean } => {
    const c = text[i];
    if (c in CLOSERS) {
      const close = CLOSERS[c];
      const start = i;
      let depth = 1;
      i++;
      const from = i;
      while (i < n) {
        if (text[i] === close && --depth === 0) break;
        if (text[i] === c && c !== close) depth++;
        i++;
      }
      if (i >= n) throw new DssSyntaxError(`unclosed ${c} (no matching ${close})`, columnOffset + start + 1);
      const value = text.slice(from, i);
      i++;
      return { value, quoted: true };
    }
    const from = i;
    while (i < n && !isBlank(text[i]) && text[i] !== ',' && text[i] !== '=') i++;
    return { value: text.slice(from, i), quoted: false };
  };
  while (true) {
    while (i < n && (isBlank(text[i]) || text[i] === ',')) i++;
    if (i >= n) break;
    const column = columnOffset + i + 1;
    if (text[i] === '=') throw new DssSyntaxError('"=" without a property name', column);
    const first = readToken();
    skipBlanks();
    if (!first.quoted && text[i] === '=') {
      i++;
      skipBlanks();
      if (i >= n || text[i] === ',') {
        params.push({ name: first.value, value: '', quoted: false, column });
        continue;
      }
      const v = readToken();
      params.push({ name: first.value, value: v.value, quoted: v.quoted, column });
    } else {
      params.push({ name: '', value: first.value, quoted: first.quoted, column });
    }
  }
  return params;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A plain decimal number, or NaN. */
export function parsePlainNumber(text: string): number {
  const t = text.trim();
  return NUMBER_RE.test(t) ? Number(t) : NaN;
}

/**
 * OpenDSS's in-line RPN calculator: numbers are pushed; `+ - * /` and `^` take two; `sqrt`,
 * `sqr`, `inv`, `ln`, `exp`, `log10`, `sin`, `cos`, `tan`, `asin`, `acos`, `atan` (degrees), `chs`
 * take one; `pi`, `rollup`/`rolldn`/`swap` manage the stack. The result is the last value.
 * Returns NaN when the expression is malformed.
 */
export function evaluateRpn(text: string): number {
  const stack: number[] = [];
  const deg = Math.PI / 180;
  for (const tok of text.trim().split(/[\s,]+/)) {
    if (tok === '') continue;
    const v = parsePlainNumber(tok);
    if (!Number.isNaN(v)) {
      stack.push(v);
      continue;
    }
    const op = tok.toLowerCase();
    const two = (f: (a: number, b: number) => number): boolean => {
      if (stack.length < 2) return false;
      const b = stack.pop()!;
      const a = stack.pop()!;
      stack.push(f(a, b));
      return true;
    };
    const one = (f: (a: number) => number): boolean => {
      if (stack.length < 1) return false;
      stack.push(f(stack.pop()!));
      return true;
    };
    let ok: boolean;
    switch (op) {
      case '+':
        ok = two((a, b) => a + b);
        break;
      case '-':
        ok = two((a, b) => a - b);
        break;
      case '*':
        ok = two((a, b) => a * b);
        break;
      case '/':
        ok = two((a, b) => a / b);
        break;
      case '^':
        ok = two((a, b) => a ** b);
        break;
      case 'sqrt':
        ok = one(Math.sqrt);
        break;
      case 'sqr':
        ok = one((a) => a * a);
        break;
      case 'inv':
        ok = one((a) => 1 / a);
        break;
      case 'ln':
        ok = one(Math.log);
        break;
      case 'exp':
        ok = one(Math.exp);
        break;
      case 'log10':
        ok = one(Math.log10);
        break;
      case 'sin':
        ok = one((a) => Math.sin(a * deg));
        break;
      case 'cos':
        ok = one((a) => Math.cos(a * deg));
        break;
      case 'tan':
        ok = one((a) => Math.tan(a * deg));
        break;
      case 'asin':
        ok = one((a) => Math.asin(a) / deg);
        break;
      case 'acos':
        ok = one((a) => Math.acos(a) / deg);
        break;
      case 'atan':
        ok = one((a) => Math.atan(a) / deg);
        break;
      case 'chs':
        ok = one((a) => -a);
        break;
      case 'pi':
        stack.push(Math.PI);
        ok = true;
        break;
      case 'swap':
        ok = two((a, b) => (stack.push(b), a));
        break;
      case 'rollup':
      case 'rolldn':
        ok = stack.length > 0;
        break;
      default:
        ok = false;
    }
    if (!ok) return NaN;
  }
  return stack.length > 0 ? stack[stack.length - 1] : NaN;
}

/** A numeric property value: plain, or RPN when quoted. NaN when it is not a number. */
export function parseDssNumber(value: string, quoted: boolean): number {
  const plain = parsePlainNumber(value);
  if (!Number.isNaN(plain)) return plain;
  return quoted ? evaluateRpn(value) : NaN;
}

/** Items of an array value `[1 2 3]`, `(1, 2, 3)`, `"a b"` (brackets already removed). */
export function splitArray(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .filter((s) => s !== '');
}

/** A numeric array, or null when an item is not a number. */
export function parseNumberArray(value: string): number[] | null {
  const out: number[] = [];
  for (const item of splitArray(value)) {
    const v = parsePlainNumber(item);
    if (Number.isNaN(v)) return null;
    out.push(v);
  }
  return out;
}

/**
 * A symmetric matrix given as its lower triangle with rows separated by `|`
 * (`0.3465 | 0.1560 0.3375 | …`) or as the full matrix; returns it row-major n×n, or null.
 */
export function parseSymMatrix(value: string): { n: number; values: number[] } | null {
  const rows = value.split('|').map((r) => parseNumberArray(r));
  if (rows.some((r) => r === null)) return null;
  const rs = rows as number[][];
  const n = rs.length;
  if (n === 0) return null;
  const full = rs.every((r) => r.length === n);
  const lower = rs.every((r, i) => r.length === i + 1);
  if (n === 1 && rs[0].length > 1) {
    // One row without separators: a full square matrix written flat.
    const m = Math.round(Math.sqrt(rs[0].length));
    if (m * m !== rs[0].length) return null;
    return { n: m, values: rs[0] };
  }
  if (!full && !lower) return null;
  const values = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = full ? rs[i][j] : rs[i][j];
      values[i * n + j] = v;
      values[j * n + i] = v;
    }
  }
  return { n, values };
}

/** OpenDSS booleans: y/yes/t/true vs n/no/f/false (first letter decides). */
export function parseDssBool(value: string): boolean | null {
  const c = value.trim().charAt(0).toLowerCase();
  if (c === 'y' || c === 't') return true;
  if (c === 'n' || c === 'f') return false;
  return null;
}

/** `bus.1.2.3` → name and node list. */
export function parseBusRef(value: string): { bus: string; nodes: number[] } {
  const parts = value.trim().split('.');
  const bus = parts[0];
  const nodes = parts
    .slice(1)
    .map((p) => Number(p))
    .filter((v) => Number.isInteger(v) && v >= 0);
  return { bus, nodes };
}
