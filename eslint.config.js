// One lint setup for the whole repository (typescript-eslint + Prettier compatibility).
// The layering rules are the point: they keep the numerical core free of Electron, Node-only
// APIs and the DOM, so it runs in Node, a worker, an Electron utility process and tests alike.
// tools/lint-layers.test.ts proves the rules bite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const nodeOnlyModules = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'http',
  'https',
  'net',
  'crypto',
  'url',
  'util',
  'stream',
  'events',
  'module',
  'process',
  'buffer',
  'zlib',
  'readline',
];

/** Globals that exist only in a browser or only in Node: forbidden in the pure core. */
const hostGlobals = [
  'window',
  'document',
  'navigator',
  'location',
  'localStorage',
  'sessionStorage',
  'HTMLElement',
  'Element',
  'Node',
  'XMLHttpRequest',
  'WebSocket',
  'indexedDB',
  'alert',
  'process',
  'Buffer',
  'require',
  '__dirname',
  '__filename',
  'global',
  'setImmediate',
].map((name) => ({ name, message: 'src-solver is pure ECMAScript: pass host facilities in as arguments.' }));

/** What the renderer may not import (it runs sandboxed and reaches the backend through the contract). */
const rendererPaths = [{ name: 'electron', message: 'The renderer reaches the backend only through window.tessera.' }];
const rendererPatterns = [
  { group: ['node:*'], message: 'The renderer runs sandboxed: no Node built-ins.' },
  {
    group: ['**/src-main/backend/**', '**/src-main/electron/**', 'better-sqlite3'],
    message: 'The renderer may import only types from src-main/contract.',
  },
];

/** Test support (src-solver/testing: the HS collection and its expression language, test matrices,
 *  reference feeders, test doubles): tests and benchmarks may import it, product code may not. */
const testSupport = {
  group: ['**/testing', '**/testing/**'],
  message: 'src-solver/testing is test support: only tests (*.test.ts), e2e and benchmarks may import it.',
};

const solverPurity = {
  paths: [
    { name: 'electron', message: 'src-solver may not import electron.' },
    ...nodeOnlyModules.map((name) => ({ name, message: `src-solver may not import Node's "${name}".` })),
  ],
  patterns: [
    { group: ['node:*'], message: 'src-solver may not import Node built-ins.' },
    {
      group: [
        '**/src-main/**',
        '**/src-renderer/**',
        'react',
        'react-dom',
        'cytoscape',
        'echarts',
        'better-sqlite3',
        'ws',
      ],
      message: 'src-solver depends on nothing outside src-solver.',
    },
  ],
};

/**
 * The solver core's internal layers, lowest first: a folder of src-solver may import its own
 * layer and the layers below (and random.ts, version.ts), never a layer above. sparse → nlp →
 * (model, io, pf) → opf → examples → enapp; worker/ (the process entry) sits on top.
 */
const solverLayers = [['sparse'], ['nlp'], ['model', 'io', 'pf'], ['opf'], ['examples'], ['enapp']];
const solverLayerBlocks = solverLayers.map((layer, i) => {
  const above = solverLayers
    .slice(i + 1)
    .flat()
    .concat('worker');
  return {
    files: layer.map((dir) => `src-solver/${dir}/**/*.ts`),
    ignores: ['src-solver/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: solverPurity.paths,
          patterns: [
            ...solverPurity.patterns,
            testSupport,
            {
              group: above.flatMap((dir) => [`**/${dir}`, `**/${dir}/**`]),
              message: `src-solver/${layer.join(', ')} may import only its own and lower layers (${solverLayers
                .slice(0, i + 1)
                .flat()
                .join(' → ')}), not ${above.join(', ')}.`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'cli-dist*/',
      'test-results/',
      'playwright-report/',
      'bench/results/',
      '.tmp/',
      'bench/ipopt-ref/build/',
      'wasm/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The pure numerical core (the worker entry is its only Node-facing part).
    // (src-solver/testing is pure too; it may import the product, the product may not import it.)
    files: ['src-solver/**/*.ts'],
    ignores: ['src-solver/**/*.test.ts', 'src-solver/worker/**', 'src-solver/testing/worker/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', solverPurity],
      'no-restricted-globals': ['error', ...hostGlobals],
    },
  },
  ...solverLayerBlocks,
  {
    // The area process entry (Node-facing): no test support (its tests, as every test, may).
    files: ['src-solver/worker/**/*.ts'],
    ignores: ['src-solver/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [testSupport] }] },
  },
  {
    // Pure presentation helpers shared by the dashboards and the PDF report (chart options,
    // number formats): plain ECMAScript plus types from the contract.
    files: ['src-shared/**/*.ts'],
    ignores: ['src-shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'src-shared is pure.' },
            ...nodeOnlyModules.map((name) => ({ name, message: 'src-shared is pure.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'src-shared is pure.' },
            {
              group: ['**/src-main/**', '!**/src-main/contract'],
              message: 'src-shared may import only types from src-main/contract.',
            },
            {
              group: ['**/src-renderer/**', 'react', 'react-dom', 'cytoscape', 'echarts', 'better-sqlite3', 'ws'],
              message: 'src-shared depends on nothing but the contract and src-solver.',
            },
            testSupport,
          ],
        },
      ],
      'no-restricted-globals': ['error', ...hostGlobals],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: rendererPaths, patterns: [...rendererPatterns, testSupport] }],
    },
  },
  {
    // The renderer's tests keep its purity rules but, as every test, may use test support.
    files: ['src-renderer/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { paths: rendererPaths, patterns: rendererPatterns }],
    },
  },
  {
    files: ['src-main/backend/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The backend is plain Node; only src-main/electron adapts it to Electron.' },
          ],
          patterns: [
            {
              group: ['**/src-renderer/**'],
              message: 'The backend may not import the UI; shared pure code lives in src-shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // Product code of the main side (backend, CLI, Electron main, preload): no test support
    // (the backend's shared test helpers, test-support.ts, are test support themselves).
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/**/*.test.ts', 'src-main/backend/test-support.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The backend is plain Node; only src-main/electron adapts it to Electron.' },
          ],
          patterns: [
            {
              group: ['**/src-renderer/**'],
              message: 'The backend may not import the UI; shared pure code lives in src-shared.',
            },
            testSupport,
          ],
        },
      ],
    },
  },
  {
    // Electron main and preload may import electron (the block above forbids it for the rest of src-main).
    files: ['src-main/electron/**/*.ts', 'src-main/preload/**/*.ts'],
    ignores: ['src-main/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src-renderer/**'],
              message: 'The main process may not import the UI; shared pure code lives in src-shared.',
            },
            testSupport,
          ],
        },
      ],
    },
  },
);
