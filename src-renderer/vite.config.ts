// Vite config for the renderer: relative base so the same build loads from file:// (Electron)
// and from the daemon's http root.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // Vite defines import.meta.dirname when it bundles this file (no node: import: lint forbids them here).
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // An inline modulepreload polyfill would violate script-src 'self'; Electron and the browsers we target need none.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
