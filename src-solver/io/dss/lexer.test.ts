import { describe, expect, it } from 'vitest';
import {
  DssSyntaxError,
  evaluateRpn,
  parseBusRef,
  parseDssBool,
  parseDssNumber,
  parseSymMatrix,
  stripComment,
  tokenizeParams,
} from './lexer';
import { dirnamePath, joinPath, normalizePath } from './path';
import { CLASS_PROPERTIES, INVERTER_PROPERTIES, nextPositionalProperty, resolveProperty } from './properties';

describe('lexer', () => {
  it('strips ! and // comments outside quotes only', () => {
    expect(stripComment('New Load.a kW=1 ! comment')).toBe('New Load.a kW=1 ');
    expect(stripComment('New Load.a kW=1 // comment')).toBe('New Load.a kW=1 ');
    expect(stripComment('New Load.a daily="a!b" kW=1')).toBe('New Load.a daily="a!b" kW=1');
    expect(stripComment('mult=(file=a//b.csv) ! x')).toBe('mult=(file=a//b.csv) ');
  });

  it('reads name=value, spaced =, positional values, commas and every quote form', () => {
    const p = tokenizeParams(' Line.a bus1=1 bus2 = 2, r1=(1 2 +) mult=[1 2 3] x="a b" y=\'c d\' z={e f} 7');
    expect(p.map((x) => [x.name, x.value, x.quoted])).toEqual([
      ['', 'Line.a', false],
      ['bus1', '1', false],
      ['bus2', '2', false],
      ['r1', '1 2 +', true],
      ['mult', '1 2 3', true],
      ['x', 'a b', true],
      ['y', 'c d', true],
      ['z', 'e f', true],
      ['', '7', false],
    ]);
    expect(p[1].column).toBe(9);
  });

  it('reports an unclosed bracket with its column', () => {
    try {
      tokenizeParams('a=[1 2');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DssSyntaxError);
      expect((e as DssSyntaxError).column).toBe(3);
    }
  });

  it('evaluates RPN in quoted numbers, plain numbers otherwise', () => {
    expect(evaluateRpn('8 1000 /')).toBe(0.008);
    expect(evaluateRpn('2 sqrt')).toBeCloseTo(Math.SQRT2, 15);
    expect(evaluateRpn('4.16 3 sqrt /')).toBeCloseTo(2.401777, 6);
    expect(evaluateRpn('1 +')).toBeNaN();
    expect(parseDssNumber('(.5 1000 /)'.slice(1, -1), true)).toBe(0.0005);
    expect(parseDssNumber('1E-6', false)).toBe(1e-6);
    expect(parseDssNumber('abc', false)).toBeNaN();
    expect(parseDssNumber('8 1000 /', false)).toBeNaN();
  });

  it('parses lower-triangle and full symmetric matrices', () => {
    expect(parseSymMatrix('1 | 2 3')).toEqual({ n: 2, values: [1, 2, 2, 3] });
    expect(parseSymMatrix('1 2 | 2 3')).toEqual({ n: 2, values: [1, 2, 2, 3] });
    expect(parseSymMatrix('1.5')).toEqual({ n: 1, values: [1.5] });
    expect(parseSymMatrix('1 | 2 x')).toBeNull();
    expect(parseSymMatrix('1 | 2 3 4')).toBeNull();
  });

  it('reads booleans and bus references', () => {
    expect([
      parseDssBool('y'),
      parseDssBool('Yes'),
      parseDssBool('true'),
      parseDssBool('no'),
      parseDssBool('F'),
      parseDssBool('x'),
    ]).toEqual([true, true, true, false, false, null]);
    expect(parseBusRef('671.1.2.3')).toEqual({ bus: '671', nodes: [1, 2, 3] });
    expect(parseBusRef('SourceBus')).toEqual({ bus: 'SourceBus', nodes: [] });
  });
});

describe('property names', () => {
  it('resolves abbreviations to the first property in OpenDSS order', () => {
    expect(resolveProperty('line', 'ph')).toBe('phases');
    expect(resolveProperty('line', 'Lin')).toBe('linecode');
    expect(resolveProperty('line', 'len')).toBe('length');
    expect(resolveProperty('load', 'kv')).toBe('kv');
    expect(resolveProperty('load', 'kva')).toBe('kva');
    expect(resolveProperty('transformer', '%r')).toBe('%r');
    expect(resolveProperty('transformer', 'kv')).toBe('kv');
    expect(resolveProperty('line', 'nosuch')).toBeNull();
    expect(nextPositionalProperty('line', null)).toBe('bus1');
    expect(nextPositionalProperty('line', 'bus1')).toBe('bus2');
    expect(nextPositionalProperty('line', 'like')).toBeNull();
  });
});

describe('inverter properties (one list for PVSystem and Storage)', () => {
  const all = [
    ...INVERTER_PROPERTIES.rating,
    ...INVERTER_PROPERTIES.kvarLimits,
    ...INVERTER_PROPERTIES.priorities,
    INVERTER_PROPERTIES.varFollow,
  ];
  it.each(['pvsystem', 'storage'])('%s has every one, once, each group in one run', (cls) => {
    const list = CLASS_PROPERTIES[cls]!;
    for (const p of all)
      expect(
        list.filter((x) => x === p),
        `${cls}.${p}`,
      ).toHaveLength(1);
    for (const group of [INVERTER_PROPERTIES.rating, INVERTER_PROPERTIES.kvarLimits, INVERTER_PROPERTIES.priorities]) {
      const at = list.indexOf(group[0]);
      expect(list.slice(at, at + group.length)).toEqual(group);
    }
  });
  it('positions and abbreviations are OpenDSS’s in each class', () => {
    // Storage: kVA follows pf, kvarMax follows VarFollowInverter; PVSystem: kVA follows kvar, %Pmpp is not kVA's.
    expect(nextPositionalProperty('storage', 'pf')).toBe('kva');
    expect(nextPositionalProperty('storage', 'varfollowinverter')).toBe('kvarmax');
    expect(nextPositionalProperty('storage', '%pminkvarmax')).toBe('kwrated');
    expect(nextPositionalProperty('pvsystem', 'kvar')).toBe('kva');
    expect(nextPositionalProperty('pvsystem', 'dutystart')).toBe('wattpriority');
    expect(nextPositionalProperty('pvsystem', 'kvarmaxabs')).toBe('spectrum');
    expect(resolveProperty('pvsystem', 'kvarm')).toBe('kvarmax');
    expect(resolveProperty('storage', '%cut')).toBe('%cutin');
    expect(resolveProperty('storage', 'kw')).toBe('kw');
  });
});

describe('paths', () => {
  it('joins and normalises POSIX and Windows paths', () => {
    expect(joinPath('/a/b', 'c.dss')).toBe('/a/b/c.dss');
    expect(joinPath('/a/b', '../c/d.dss')).toBe('/a/c/d.dss');
    expect(joinPath('/a/b', '/x/y.dss')).toBe('/x/y.dss');
    expect(joinPath('C:\\feeders\\ieee', 'lines\\Line.dss')).toBe('C:\\feeders\\ieee\\lines\\Line.dss');
    expect(joinPath('C:\\feeders\\ieee', '..\\x.dss')).toBe('C:\\feeders\\x.dss');
    expect(joinPath('C:\\feeders', 'D:\\y.dss')).toBe('D:\\y.dss');
    expect(joinPath('', 'a.dss')).toBe('a.dss');
    expect(joinPath('rel/dir', './a.dss')).toBe('rel/dir/a.dss');
    expect(dirnamePath('/a/b/c.dss')).toBe('/a/b');
    expect(dirnamePath('C:\\a\\c.dss')).toBe('C:\\a');
    expect(dirnamePath('c.dss')).toBe('');
    expect(normalizePath('/a/./b/../c')).toBe('/a/c');
  });
});
