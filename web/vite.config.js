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
    rollupOptions: {
      // the web chat (web/chat/): the frame's page, and the launcher at a fixed name the brands' sites load
      input: { index: 'index.html', frame: 'chat/frame.html', launcher: 'chat/launcher.js' },
      output: {
        entryFileNames: (c) => (c.name === 'launcher' ? 'chat/launcher.js' : 'assets/[name]-[hash].js'),
        // preact, shared by the desktop and the frame: a chunk of the desktop's name (assets/index-*.js)
        manualChunks: (id) => (id.includes('/node_modules/preact/') ? 'index' : undefined),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
