// guichet's web desktop: built by `make` into dist/, which guichetd serves
// (--web-dir). Hashed file names under assets/ are cached for a year; no
// inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
