import { defineConfig } from 'vite';

// The console is served by the village binary at /console/ from the files
// this writes to server/consoleui/ (embedded with go:embed). No inline
// script or style may be emitted: the page's CSP allows only 'self'.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../server/consoleui',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
