/**
 * Hock & Schittkowski (1981) problems 1–50, as printed in the book (variables x1…xn, constraints
 * in the book's g(x) ≥ 0 / h(x) = 0 form, the book's starting points). See index.ts for sources.
 */
import { hs, ROSENBROCK, type HsProblem } from './types';

const SQRT2 = Math.SQRT2;
const SQRT3 = Math.sqrt(3);
const SQRT7 = Math.sqrt(7);

// HS11: x* = ((a − 1/a)/√6, (a² − 2 + a⁻²)/6) with a = (7.5√6 + √338.5)^(1/3).
const A11 = Math.cbrt(7.5 * Math.sqrt(6) + Math.sqrt(338.5));

// HS8: one of four feasible points (the objective is constant).
const A8 = Math.sqrt((25 + Math.sqrt(301)) / 2);

export const PROBLEMS_001_050: readonly HsProblem[] = [
  hs(1, { n: 2, spec: { x0: [-2, 1], lower: [null, -1.5], f: ROSENBROCK }, fStar: 0, xStar: [1, 1] }),
  hs(2, {
    n: 2,
    spec: { x0: [-2, 1], lower: [null, 1.5], f: ROSENBROCK },
    fStar: 0.0504261879,
    xStar: [1.224370749, 1.5],
    knownFailure: 'from x0 = (−2, 1) a descent method can stop at the local minimum x = (−1.2210, 1.5), f = 4.9412294',
  }),
  hs(3, { n: 2, spec: { x0: [10, 1], lower: [null, 0], f: 'x2 + 1e-5*(x2 - x1)^2' }, fStar: 0, xStar: [0, 0] }),
  hs(4, {
    n: 2,
    spec: { x0: [1.125, 0.125], lower: [1, 0], f: '(x1 + 1)^3/3 + x2' },
    fStar: 8 / 3,
    xStar: [1, 0],
  }),
  hs(5, {
    n: 2,
    spec: {
      x0: [0, 0],
      lower: [-1.5, -3],
      upper: [4, 3],
      f: 'sin(x1 + x2) + (x1 - x2)^2 - 1.5*x1 + 2.5*x2 + 1',
    },
    fStar: -(SQRT3 / 2 + Math.PI / 3),
    xStar: [-Math.PI / 3 + 0.5, -Math.PI / 3 - 0.5],
  }),
  hs(6, {
    n: 2,
    spec: { x0: [-1.2, 1], f: '(1 - x1)^2', cons: ['10*(x2 - x1^2) = 0'] },
    fStar: 0,
    xStar: [1, 1],
  }),
  hs(7, {
    n: 2,
    spec: { x0: [2, 2], f: 'log(1 + x1^2) - x2', cons: ['(1 + x1^2)^2 + x2^2 - 4 = 0'] },
    fStar: -SQRT3,
    xStar: [0, SQRT3],
  }),
  hs(8, {
    n: 2,
    spec: { x0: [2, 1], f: '-1', cons: ['x1^2 + x2^2 - 25 = 0', 'x1*x2 - 9 = 0'] },
    fStar: -1,
    xStar: [A8, 9 / A8],
  }),
  hs(9, {
    n: 2,
    spec: {
      x0: [0, 0],
      f: `sin(${Math.PI / 12}*x1)*cos(${Math.PI / 16}*x2)`,
      cons: ['4*x1 - 3*x2 = 0'],
    },
    fStar: -0.5,
    xStar: [-3, -4],
  }),
  hs(10, {
    n: 2,
    spec: { x0: [-10, 10], f: 'x1 - x2', cons: ['-3*x1^2 + 2*x1*x2 - x2^2 + 1 >= 0'] },
    fStar: -1,
    xStar: [0, 1],
  }),
  hs(11, {
    n: 2,
    spec: { x0: [4.9, 0.1], f: '(x1 - 5)^2 + x2^2 - 25', cons: ['-x1^2 + x2 >= 0'] },
    fStar: -8.498464223,
    xStar: [(A11 - 1 / A11) / Math.sqrt(6), (A11 * A11 - 2 + 1 / (A11 * A11)) / 6],
  }),
  hs(12, {
    n: 2,
    spec: { x0: [0, 0], f: '0.5*x1^2 + x2^2 - x1*x2 - 7*x1 - 7*x2', cons: ['25 - 4*x1^2 - x2^2 >= 0'] },
    fStar: -30,
    xStar: [2, 3],
  }),
  hs(13, {
    n: 2,
    spec: { x0: [-2, -2], lower: 0, f: '(x1 - 2)^2 + x2^2', cons: ['(1 - x1)^3 - x2 >= 0'] },
    fStar: 1,
    xStar: [1, 0],
    knownFailure: 'the constraint qualification fails at x* (cusp): no KKT multipliers exist there',
  }),
  hs(14, {
    n: 2,
    spec: {
      x0: [2, 2],
      f: '(x1 - 2)^2 + (x2 - 1)^2',
      cons: ['-0.25*x1^2 - x2^2 + 1 >= 0', 'x1 - 2*x2 + 1 = 0'],
    },
    fStar: 9 - 2.875 * SQRT7,
    xStar: [(SQRT7 - 1) / 2, (SQRT7 + 1) / 4],
  }),
  hs(15, {
    n: 2,
    spec: { x0: [-2, 1], upper: [0.5, null], f: ROSENBROCK, cons: ['x1*x2 - 1 >= 0', 'x1 + x2^2 >= 0'] },
    fStar: 306.5,
    xStar: [0.5, 2],
  }),
  hs(16, {
    n: 2,
    spec: {
      x0: [-2, 1],
      lower: [-0.5, null],
      upper: [0.5, 1],
      f: ROSENBROCK,
      cons: ['x1 + x2^2 >= 0', 'x1^2 + x2 >= 0'],
    },
    fStar: 0.25,
    xStar: [0.5, 0.25],
  }),
  hs(17, {
    n: 2,
    spec: {
      x0: [-2, 1],
      lower: [-0.5, null],
      upper: [0.5, 1],
      f: ROSENBROCK,
      cons: ['x2^2 - x1 >= 0', 'x1^2 - x2 >= 0'],
    },
    fStar: 1,
    xStar: [0, 0],
  }),
  hs(18, {
    n: 2,
    spec: {
      x0: [2, 2],
      lower: [2, 0],
      upper: [50, 50],
      f: '0.01*x1^2 + x2^2',
      cons: ['x1*x2 - 25 >= 0', 'x1^2 + x2^2 - 25 >= 0'],
    },
    fStar: 5,
    xStar: [Math.sqrt(250), Math.sqrt(2.5)],
  }),
  hs(19, {
    n: 2,
    spec: {
      x0: [20.1, 5.84],
      lower: [13, 0],
      upper: [100, 100],
      f: '(x1 - 10)^3 + (x2 - 20)^3',
      cons: ['(x1 - 5)^2 + (x2 - 5)^2 - 100 >= 0', '-(x2 - 5)^2 - (x1 - 6)^2 + 82.81 >= 0'],
    },
    fStar: -6961.81381,
    xStar: [14.095, 0.84296079],
  }),
  hs(20, {
    n: 2,
    spec: {
      x0: [-2, 1],
      lower: [-0.5, null],
      upper: [0.5, null],
      f: ROSENBROCK,
      cons: ['x1 + x2^2 >= 0', 'x1^2 + x2 >= 0', 'x1^2 + x2^2 - 1 >= 0'],
    },
    fStar: 81.5 - 25 * SQRT3,
    xStar: [0.5, SQRT3 / 2],
    knownFailure: 'from x0 = (−2, 1) a descent method can stop at the local minimum (−0.5, √3/2), f = 40.1987',
  }),
  hs(21, {
    n: 2,
    spec: {
      x0: [-1, -1],
      lower: [2, -50],
      upper: [50, 50],
      f: '0.01*x1^2 + x2^2 - 100',
      cons: ['10*x1 - x2 - 10 >= 0'],
    },
    fStar: -99.96,
    xStar: [2, 0],
  }),
  hs(22, {
    n: 2,
    spec: { x0: [2, 2], f: '(x1 - 2)^2 + (x2 - 1)^2', cons: ['-x1 - x2 + 2 >= 0', '-x1^2 + x2 >= 0'] },
    fStar: 1,
    xStar: [1, 1],
  }),
  hs(23, {
    n: 2,
    spec: {
      x0: [3, 1],
      lower: -50,
      upper: 50,
      f: 'x1^2 + x2^2',
      cons: ['x1 + x2 - 1 >= 0', 'x1^2 + x2^2 - 1 >= 0', '9*x1^2 + x2^2 - 9 >= 0', 'x1^2 - x2 >= 0', 'x2^2 - x1 >= 0'],
    },
    fStar: 2,
    xStar: [1, 1],
  }),
  hs(24, {
    n: 2,
    spec: {
      x0: [1, 0.5],
      lower: 0,
      f: '((x1 - 3)^2 - 9)*x2^3/(27*sqrt(3))',
      cons: ['x1/sqrt(3) - x2 >= 0', 'x1 + sqrt(3)*x2 >= 0', '-x1 - sqrt(3)*x2 + 6 >= 0'],
    },
    fStar: -1,
    xStar: [3, SQRT3],
  }),
  hs(25, {
    n: 3,
    spec: {
      x0: [100, 12.5, 3],
      lower: [0.1, 0, 0],
      upper: [100, 25.6, 5],
      f: sum25(),
    },
    fStar: 0,
    xStar: [50, 25, 1.5],
  }),
  hs(26, {
    n: 3,
    spec: { x0: [-2.6, 2, 2], f: '(x1 - x2)^2 + (x2 - x3)^4', cons: ['(1 + x2^2)*x1 + x3^4 - 3 = 0'] },
    fStar: 0,
    xStar: [1, 1, 1],
  }),
  hs(27, {
    n: 3,
    spec: { x0: [2, 2, 2], f: '0.01*(x1 - 1)^2 + (x2 - x1^2)^2', cons: ['x1 + x3^2 + 1 = 0'] },
    fStar: 0.04,
    xStar: [-1, 1, 0],
  }),
  hs(28, {
    n: 3,
    spec: { x0: [-4, 1, 1], f: '(x1 + x2)^2 + (x2 + x3)^2', cons: ['x1 + 2*x2 + 3*x3 - 1 = 0'] },
    fStar: 0,
    xStar: [0.5, -0.5, 0.5],
  }),
  hs(29, {
    n: 3,
    spec: { x0: [1, 1, 1], f: '-x1*x2*x3', cons: ['-x1^2 - 2*x2^2 - 4*x3^2 + 48 >= 0'] },
    fStar: -16 * SQRT2,
    xStar: [4, 2 * SQRT2, 2],
  }),
  hs(30, {
    n: 3,
    spec: {
      x0: [1, 1, 1],
      lower: [1, -10, -10],
      upper: 10,
      f: 'x1^2 + x2^2 + x3^2',
      cons: ['x1^2 + x2^2 - 1 >= 0'],
    },
    fStar: 1,
    xStar: [1, 0, 0],
  }),
  hs(31, {
    n: 3,
    spec: {
      x0: [1, 1, 1],
      lower: [-10, 1, -10],
      upper: [10, 10, 1],
      f: '9*x1^2 + x2^2 + 9*x3^2',
      cons: ['x1*x2 - 1 >= 0'],
    },
    fStar: 6,
    xStar: [1 / SQRT3, SQRT3, 0],
  }),
  hs(32, {
    n: 3,
    spec: {
      x0: [0.1, 0.7, 0.2],
      lower: 0,
      f: '(x1 + 3*x2 + x3)^2 + 4*(x1 - x2)^2',
      cons: ['6*x2 + 4*x3 - x1^3 - 3 >= 0', '1 - x1 - x2 - x3 = 0'],
    },
    fStar: 1,
    xStar: [0, 0, 1],
  }),
  hs(33, {
    n: 3,
    spec: {
      x0: [0, 0, 3],
      lower: 0,
      upper: [null, null, 5],
      f: '(x1 - 1)*(x1 - 2)*(x1 - 3) + x3',
      cons: ['x3^2 - x1^2 - x2^2 >= 0', 'x1^2 + x2^2 + x3^2 - 4 >= 0'],
    },
    fStar: SQRT2 - 6,
    xStar: [0, SQRT2, SQRT2],
  }),
  hs(34, {
    n: 3,
    spec: {
      x0: [0, 1.05, 2.9],
      lower: 0,
      upper: [100, 100, 10],
      f: '-x1',
      cons: ['x2 - exp(x1) >= 0', 'x3 - exp(x2) >= 0'],
    },
    fStar: -0.834032445,
    xStar: [Math.log(Math.log(10)), Math.log(10), 10],
  }),
  hs(35, {
    n: 3,
    spec: {
      x0: [0.5, 0.5, 0.5],
      lower: 0,
      f: '9 - 8*x1 - 6*x2 - 4*x3 + 2*x1^2 + 2*x2^2 + x3^2 + 2*x1*x2 + 2*x1*x3',
      cons: ['3 - x1 - x2 - 2*x3 >= 0'],
    },
    fStar: 1 / 9,
    xStar: [4 / 3, 7 / 9, 4 / 9],
  }),
  hs(36, {
    n: 3,
    spec: { x0: [10, 10, 10], lower: 0, upper: [20, 11, 42], f: '-x1*x2*x3', cons: ['72 - x1 - 2*x2 - 2*x3 >= 0'] },
    fStar: -3300,
    xStar: [20, 11, 15],
  }),
  hs(37, {
    n: 3,
    spec: {
      x0: [10, 10, 10],
      lower: 0,
      upper: 42,
      f: '-x1*x2*x3',
      cons: ['72 - x1 - 2*x2 - 2*x3 >= 0', 'x1 + 2*x2 + 2*x3 >= 0'],
    },
    fStar: -3456,
    xStar: [24, 12, 12],
  }),
  hs(38, {
    n: 4,
    spec: {
      x0: [-3, -1, -3, -1],
      lower: -10,
      upper: 10,
      f:
        '100*(x2 - x1^2)^2 + (1 - x1)^2 + 90*(x4 - x3^2)^2 + (1 - x3)^2' +
        ' + 10.1*((x2 - 1)^2 + (x4 - 1)^2) + 19.8*(x2 - 1)*(x4 - 1)',
    },
    fStar: 0,
    xStar: [1, 1, 1, 1],
  }),
  hs(39, {
    n: 4,
    spec: { x0: [2, 2, 2, 2], f: '-x1', cons: ['x2 - x1^3 - x3^2 = 0', 'x1^2 - x2 - x4^2 = 0'] },
    fStar: -1,
    xStar: [1, 1, 0, 0],
  }),
  hs(40, {
    n: 4,
    spec: {
      x0: [0.8, 0.8, 0.8, 0.8],
      f: '-x1*x2*x3*x4',
      cons: ['x1^3 + x2^2 - 1 = 0', 'x1^2*x4 - x3 = 0', 'x4^2 - x2 = 0'],
    },
    fStar: -0.25,
    xStar: [2 ** (-1 / 3), 2 ** (-1 / 2), 2 ** (-11 / 12), 2 ** (-1 / 4)],
  }),
  hs(41, {
    n: 4,
    spec: { x0: [2, 2, 2, 2], lower: 0, upper: [1, 1, 1, 2], f: '2 - x1*x2*x3', cons: ['x1 + 2*x2 + 2*x3 - x4 = 0'] },
    fStar: 52 / 27,
    xStar: [2 / 3, 1 / 3, 1 / 3, 2],
  }),
  hs(42, {
    n: 4,
    spec: {
      x0: [1, 1, 1, 1],
      f: '(x1 - 1)^2 + (x2 - 2)^2 + (x3 - 3)^2 + (x4 - 4)^2',
      cons: ['x1 - 2 = 0', 'x3^2 + x4^2 - 2 = 0'],
    },
    fStar: 28 - 10 * SQRT2,
    xStar: [2, 2, 0.6 * SQRT2, 0.8 * SQRT2],
  }),
  hs(43, {
    n: 4,
    spec: {
      x0: [0, 0, 0, 0],
      f: 'x1^2 + x2^2 + 2*x3^2 + x4^2 - 5*x1 - 5*x2 - 21*x3 + 7*x4',
      cons: [
        '8 - x1^2 - x2^2 - x3^2 - x4^2 - x1 + x2 - x3 + x4 >= 0',
        '10 - x1^2 - 2*x2^2 - x3^2 - 2*x4^2 + x1 + x4 >= 0',
        '5 - 2*x1^2 - x2^2 - x3^2 - 2*x1 + x2 + x4 >= 0',
      ],
    },
    fStar: -44,
    xStar: [0, 1, 2, -1],
  }),
  hs(44, {
    n: 4,
    spec: {
      x0: [0, 0, 0, 0],
      lower: 0,
      f: 'x1 - x2 - x3 - x1*x3 + x1*x4 + x2*x3 - x2*x4',
      cons: [
        '8 - x1 - 2*x2 >= 0',
        '12 - 4*x1 - x2 >= 0',
        '12 - 3*x1 - 4*x2 >= 0',
        '8 - 2*x3 - x4 >= 0',
        '8 - x3 - 2*x4 >= 0',
        '5 - x3 - x4 >= 0',
      ],
    },
    fStar: -15,
    xStar: [0, 3, 0, 4],
  }),
  hs(45, {
    n: 5,
    spec: { x0: [2, 2, 2, 2, 2], lower: 0, upper: [1, 2, 3, 4, 5], f: '2 - x1*x2*x3*x4*x5/120' },
    fStar: 1,
    xStar: [1, 2, 3, 4, 5],
  }),
  hs(46, {
    n: 5,
    spec: {
      x0: [SQRT2 / 2, 1.75, 0.5, 2, 2],
      f: '(x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6',
      cons: ['x1^2*x4 + sin(x4 - x5) - 1 = 0', 'x2 + x3^4*x4^2 - 2 = 0'],
    },
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
  }),
  hs(47, {
    n: 5,
    spec: {
      x0: [2, SQRT2, -1, 2 - SQRT2, 0.5],
      f: '(x1 - x2)^2 + (x2 - x3)^3 + (x3 - x4)^4 + (x4 - x5)^4',
      cons: ['x1 + x2^2 + x3^3 - 3 = 0', 'x2 - x3^2 + x4 - 1 = 0', 'x1*x5 - 1 = 0'],
    },
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
  }),
  hs(48, {
    n: 5,
    spec: {
      x0: [3, 5, -3, 2, -2],
      f: '(x1 - 1)^2 + (x2 - x3)^2 + (x4 - x5)^2',
      cons: ['x1 + x2 + x3 + x4 + x5 - 5 = 0', 'x3 - 2*(x4 + x5) + 3 = 0'],
    },
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
  }),
  hs(49, {
    n: 5,
    spec: {
      x0: [10, 7, 2, -3, 0.8],
      f: '(x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6',
      cons: ['x1 + x2 + x3 + 4*x4 - 7 = 0', 'x3 + 5*x5 - 6 = 0'],
    },
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
  }),
  hs(50, {
    n: 5,
    spec: {
      x0: [35, -31, 11, 5, -5],
      f: '(x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^2',
      cons: ['x1 + 2*x2 + 3*x3 - 6 = 0', 'x2 + 2*x3 + 3*x4 - 6 = 0', 'x3 + 2*x4 + 3*x5 - 6 = 0'],
    },
    fStar: 0,
    xStar: [1, 1, 1, 1, 1],
  }),
];

/** HS25: Σ_{i=1}^{99} (−0.01 i + exp(−(u_i − x2)^x3 / x1))², u_i = 25 + (−50 ln(0.01 i))^(2/3). */
function sum25(): string {
  const terms: string[] = [];
  for (let i = 1; i <= 99; i++) {
    const u = 25 + Math.pow(-50 * Math.log(0.01 * i), 2 / 3);
    terms.push(`(${-0.01 * i} + exp(-(${u} - x2)^x3/x1))^2`);
  }
  return terms.join(' + ');
}
