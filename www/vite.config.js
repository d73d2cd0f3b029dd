// vite.config.js: builds the dashboard (index.html) and the hooks test page (test-hooks.html) into dist/.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  // Relative asset paths: dist/ can be served from any directory.  The API
  // itself must be at /api on the same host (the guide's hooks use
  // absolute paths).
  base: './',
  // JSX through esbuild, without @vitejs/plugin-react (which does not
  // install with npm 10).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: process.env.WWW_OUT_DIR || 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: {
        main: resolve(root, 'index.html'),
        'test-hooks': resolve(root, 'test-hooks.html'),
      },
      output: {
        // React and the chart library apart from the pages' own code.
        manualChunks: (id) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  // "npm run dev" against a running server (scripts/demo-web.sh):
  // BACKSTREAM_URL=http://127.0.0.1:8080 by default.
  server: {
    proxy: {
      '/api': { target: process.env.BACKSTREAM_URL || 'http://127.0.0.1:8080' },
    },
  },
});
