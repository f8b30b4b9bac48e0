// guichet's web desktop: built by `make` into dist/, which guichetd serves
// (--web-dir). Hashed file names under assets/ are cached for a year; no
// inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
import { build, defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const esbuild = { jsx: 'automatic', jsxImportSource: 'preact' };

// The public pages (the self-service portal: portal/index.html ->
// dist/portal/; the web chat's frame and launcher -> dist/chat/) are built by a second build run after the desktop's, so
// that they share no chunk with it: the agent desktop's first load stays
// index-*.js alone.
function publicPages() {
  let built = false;
  return {
    name: 'guichet-public-pages',
    apply: 'build',
    async closeBundle() {
      if (built) return;
      built = true;
      await build({
        configFile: false, root: fileURLToPath(new URL('.', import.meta.url)), logLevel: 'warn', esbuild,
        build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: false, modulePreload: { polyfill: false },
          target: 'es2020', reportCompressedSize: false,
          rollupOptions: {
            // the web chat (web/chat/): the frame's page, and the launcher at a fixed name the brands' sites load
            input: { portal: 'portal/index.html', frame: 'chat/frame.html', launcher: 'chat/launcher.js' },
            output: { entryFileNames: (c) => (c.name === 'launcher' ? 'chat/launcher.js' : 'assets/[name]-[hash].js') },
          } },
      });
    },
  };
}

export default defineConfig({
  esbuild,
  plugins: [publicPages()],
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
