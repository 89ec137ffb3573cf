// One lint setup for the whole repository (typescript-eslint + Prettier compatibility).
// The layering rules are the point: they keep the numerical core free of Electron, Node-only
// APIs and the DOM, so it runs in Node, a worker, an Electron utility process and tests alike.
// tools/lint-layers.test.ts proves the rules bite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const nodeOnlyModules = [
  'fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'http', 'https', 'net',
  'crypto', 'url', 'util', 'stream', 'events', 'module', 'process', 'buffer', 'zlib', 'readline',
];

/** Globals that exist only in a browser or only in Node: forbidden in the pure core. */
const hostGlobals = [
  'window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'HTMLElement',
  'Element', 'Node', 'XMLHttpRequest', 'WebSocket', 'indexedDB', 'alert', 'process', 'Buffer',
  'require', '__dirname', '__filename', 'global', 'setImmediate',
].map((name) => ({ name, message: 'src-solver is pure ECMAScript: pass host facilities in as arguments.' }));

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'cli-dist*/', 'test-results/', 'playwright-report/', 'bench/results/', '.tmp/', 'bench/ipopt-ref/build/', 'wasm/'],
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
    files: ['src-solver/**/*.ts'],
    ignores: ['src-solver/**/*.test.ts', 'src-solver/worker/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'src-solver may not import electron.' },
            ...nodeOnlyModules.map((name) => ({ name, message: `src-solver may not import Node's "${name}".` })),
          ],
          patterns: [
            { group: ['node:*'], message: 'src-solver may not import Node built-ins.' },
            { group: ['**/src-main/**', '**/src-renderer/**', 'react', 'react-dom', 'cytoscape', 'echarts', 'better-sqlite3', 'ws'], message: 'src-solver depends on nothing outside src-solver.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...hostGlobals],
    },
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
          paths: [{ name: 'electron', message: 'src-shared is pure.' }, ...nodeOnlyModules.map((name) => ({ name, message: 'src-shared is pure.' }))],
          patterns: [
            { group: ['node:*'], message: 'src-shared is pure.' },
            { group: ['**/src-main/**', '!**/src-main/contract'], message: 'src-shared may import only types from src-main/contract.' },
            { group: ['**/src-renderer/**', 'react', 'react-dom', 'cytoscape', 'echarts', 'better-sqlite3', 'ws'], message: 'src-shared depends on nothing but the contract and src-solver.' },
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
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the backend only through window.tessera.' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs sandboxed: no Node built-ins.' },
            { group: ['**/src-main/backend/**', '**/src-main/electron/**', 'better-sqlite3'], message: 'The renderer may import only types from src-main/contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/backend/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The backend is plain Node; only src-main/electron adapts it to Electron.' }],
          patterns: [{ group: ['**/src-renderer/**'], message: 'The backend may not import the UI; shared pure code lives in src-shared.' }],
        },
      ],
    },
  },
);
