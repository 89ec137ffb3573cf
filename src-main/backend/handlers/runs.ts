/**
 * Argument validation for the run, comparison, export and report commands (handlers in
 * backend/runs/service.ts and backend/report/service.ts). Ids that do not exist are the
 * handlers' business (`notFound`).
 */
import type { CommandArg } from '../../contract';
import { ApiFailure } from '../errors';

type Obj = Record<string, unknown>;

function fail(command: string, what: string, got: unknown): never {
  const shown =
    typeof got === 'string'
      ? `"${got}"`
      : typeof got === 'number' || typeof got === 'boolean'
        ? String(got)
        : got === null
          ? 'null'
          : typeof got;
  throw new ApiFailure('invalidArgument', `${command}: ${what}, got ${shown}`);
}

function object(command: string, v: unknown, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(command, 'the argument must be an object', v);
  for (const key of Object.keys(v as Obj))
    if (!allowed.includes(key)) throw new ApiFailure('invalidArgument', `${command}: unknown field "${key}"`);
  return v as Obj;
}

function id(command: string, o: Obj, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    fail(command, `${field} must be a positive integer id`, v);
  return v as number;
}

function oneOf<T extends string>(command: string, o: Obj, field: string, allowed: readonly T[]): T {
  const v = o[field];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    fail(command, `${field} must be one of ${allowed.join(', ')}`, v);
  return v as T;
}

export const runValidators = {
  'runs.start': (arg: unknown): CommandArg<'runs.start'> => {
    const o = object('runs.start', arg, ['scenarioId', 'kind', 'coordination']);
    const kind = oneOf('runs.start', o, 'kind', ['centralized', 'distributed'] as const);
    if (o.coordination === undefined) return { scenarioId: id('runs.start', o, 'scenarioId'), kind };
    if (kind !== 'distributed')
      throw new ApiFailure('invalidArgument', 'runs.start: coordination applies to distributed runs only');
    return {
      scenarioId: id('runs.start', o, 'scenarioId'),
      kind,
      coordination: oneOf('runs.start', o, 'coordination', ['exact', 'published'] as const),
    };
  },
  'runs.cancel': (arg: unknown): CommandArg<'runs.cancel'> => ({
    runId: id('runs.cancel', object('runs.cancel', arg, ['runId']), 'runId'),
  }),
  'runs.list': (arg: unknown): CommandArg<'runs.list'> => ({
    scenarioId: id('runs.list', object('runs.list', arg, ['scenarioId']), 'scenarioId'),
  }),
  'runs.get': (arg: unknown): CommandArg<'runs.get'> => ({
    runId: id('runs.get', object('runs.get', arg, ['runId']), 'runId'),
  }),
  'runs.branchSeries': (arg: unknown): CommandArg<'runs.branchSeries'> => ({
    runId: id('runs.branchSeries', object('runs.branchSeries', arg, ['runId']), 'runId'),
  }),
  'runs.delete': (arg: unknown): CommandArg<'runs.delete'> => {
    const o = object('runs.delete', arg, ['runId', 'confirm']);
    const runId = id('runs.delete', o, 'runId');
    if (o.confirm !== true)
      throw new ApiFailure('invalidArgument', 'runs.delete: deleting needs confirm: true (ask the user first)');
    return { runId, confirm: true };
  },
  'runs.rename': (arg: unknown): CommandArg<'runs.rename'> => {
    const o = object('runs.rename', arg, ['runId', 'name']);
    const runId = id('runs.rename', o, 'runId');
    if (typeof o.name !== 'string' || o.name.length > 200)
      fail('runs.rename', 'name must be a string of at most 200 characters', o.name);
    return { runId, name: o.name.trim() };
  },
  'runs.compare': (arg: unknown): CommandArg<'runs.compare'> => {
    const o = object('runs.compare', arg, ['a', 'b']);
    const a = id('runs.compare', o, 'a');
    const b = id('runs.compare', o, 'b');
    if (a === b) throw new ApiFailure('invalidArgument', 'runs.compare: pick two different runs');
    return { a, b };
  },
  'runs.export': (arg: unknown): CommandArg<'runs.export'> => {
    const o = object('runs.export', arg, ['runId', 'format']);
    return {
      runId: id('runs.export', o, 'runId'),
      format: oneOf('runs.export', o, 'format', ['csv', 'json'] as const),
    };
  },
  'report.pdf': (arg: unknown): CommandArg<'report.pdf'> => {
    const o = object('report.pdf', arg, ['runId', 'compareWith', 'sitingStudyId']);
    const runId = id('report.pdf', o, 'runId');
    const siting = o.sitingStudyId === undefined ? {} : { sitingStudyId: id('report.pdf', o, 'sitingStudyId') };
    if (o.compareWith === undefined) return { runId, ...siting };
    const compareWith = id('report.pdf', o, 'compareWith');
    if (compareWith === runId)
      throw new ApiFailure('invalidArgument', 'report.pdf: compareWith must be a different run');
    return { runId, compareWith, ...siting };
  },
};
