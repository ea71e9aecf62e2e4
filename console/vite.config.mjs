import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the service itself under /console/, from console/dist.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Preact through the automatic JSX runtime of Vite's own transformer: no Babel, no plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One hashed script and stylesheet, no inline module preload polyfill (the CSP forbids inline scripts).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  logLevel: 'warn',
});
