/**
 * The DSS reader's runaway guard (script.ts `lineBudget`): a genuine script is read whole however
 * long it is (a 1,000,000-bus feeder is about 2,030,000 lines: 7,813 copies of IEEE 123 as
 * `exportDss` writes them, 260 lines each), while a script that reads the same lines again and
 * again is stopped with a message naming where.
 */
import { describe, expect, it } from 'vitest';
import { lineBudget, MIN_LINE_BUDGET, runScript } from './script';

const reader = (files: Record<string, string>) => (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error('no such file');
  return text;
};

const runawayErrors = <E extends { readonly message: string }>(errors: readonly E[]) =>
  errors.filter((e) => /lines read in all/.test(e.message));

describe('DSS reader line budget', () => {
  it('reads a genuine script longer than 2,000,000 lines to its end (the old fixed cap refused it)', () => {
    const lines = 2_100_000;
    const body: string[] = new Array<string>(lines - 1);
    for (let k = 0; k < lines - 1; k++) body[k] = `! bus ${k}`;
    body.push('New Line.last bus1=a bus2=b');
    const files = {
      '/big/Master.dss': 'New Circuit.big bus1=a basekv=12.47\nRedirect Lines.dss\nNew Load.after bus1=b kW=1',
      '/big/Lines.dss': body.join('\n'),
    };
    const r = runScript('/big/Master.dss', reader(files));
    expect(runawayErrors(r.errors)).toEqual([]);
    // Both the last line of the long file and the master's line after the redirect were read.
    expect(r.elements.map((e) => `${e.cls}.${e.name}`)).toEqual(expect.arrayContaining(['line.last', 'load.after']));
  });

  it('stops a fan-out of redirects that reads the same few lines millions of times, naming the file and line', () => {
    const files = {
      '/f/Master.dss': Array.from({ length: 1000 }, () => 'Redirect B.dss').join('\n'),
      '/f/B.dss': Array.from({ length: 1000 }, () => 'Redirect C.dss').join('\n'),
      '/f/C.dss': Array.from({ length: 10 }, (_, k) => `! comment ${k}`).join('\n'),
    };
    const r = runScript('/f/Master.dss', reader(files));
    const [stop, ...more] = runawayErrors(r.errors);
    expect(more).toEqual([]);
    expect(stop!.message).toMatch(
      new RegExp(
        `^more than ${MIN_LINE_BUDGET} lines read in all \\(2010 lines in the 3 files read: .*again and again`,
      ),
    );
    expect(stop!.file).toMatch(/^\/f\/[BC]\.dss$/);
  });

  it('a caller may set a fixed cap instead (maxTotalLines)', () => {
    const files = { '/c/Master.dss': Array.from({ length: 50 }, (_, k) => `! ${k}`).join('\n') };
    const r = runScript('/c/Master.dss', reader(files), { maxTotalLines: 20 });
    expect(runawayErrors(r.errors)).toMatchObject([{ file: '/c/Master.dss', line: 21 }]);
    expect(runawayErrors(runScript('/c/Master.dss', reader(files)).errors)).toEqual([]);
  });

  it('the budget is the floor or four reads of every distinct line, whichever is larger', () => {
    expect(lineBudget(10)).toBe(MIN_LINE_BUDGET);
    expect(lineBudget(2_030_000)).toBe(8_120_000);
  });
});
