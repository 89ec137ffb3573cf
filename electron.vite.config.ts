import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Our folders are not electron-vite's defaults, so every entry is listed explicitly.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          // One utility process per area during a distributed solve runs this entry.
          'area-worker': resolve(__dirname, 'src-solver/worker/area-worker.ts'),
          // Import previews are built in a worker thread running this entry (backend/import/run.ts).
          'import-worker': resolve(__dirname, 'src-main/backend/import/worker.ts'),
          // The base-case power flow runs in a worker thread running this entry (backend/threephase/run.ts).
          'basecase-worker': resolve(__dirname, 'src-main/backend/threephase/basecase-worker.ts'),
          // The siting study's solver processes (one per core) run this entry.
          'siting-worker': resolve(__dirname, 'src-solver/worker/siting-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
