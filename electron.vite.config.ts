/**
 * The app's build (`npm run build`): out/main (the Electron main process and, beside it, the
 * dext's and the what-if threads' entries — thread.ts finds them next to itself), out/preload
 * (one CommonJS file, as a sandboxed preload must be), out/renderer (the page).
 */
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { rendererRoot } from './vite.renderer.config.ts';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: 'main/electron/main.ts',
          'dext-worker': 'driver-runtime/host/dext-worker.ts',
          'what-if-worker': 'driver-runtime/host/what-if-worker.ts',
          'checkpoint-worker': 'main/store/checkpoint-worker.ts',
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: 'preload/index.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: rendererRoot,
    plugins: [react()],
    build: { outDir: 'out/renderer', minify: true, rollupOptions: { input: `${rendererRoot}/index.html` } },
  },
});
