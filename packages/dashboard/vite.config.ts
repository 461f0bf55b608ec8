import { defineConfig } from 'vite';

// The Oamserver serves dist/ at `/`; `pnpm dev` proxies the API to a local Oamserver.
const OAMSERVER = 'http://127.0.0.1:4400';

export default defineConfig({
  base: '/',
  // Preact's automatic JSX runtime through Vite's own Oxc transform: no Babel, no extra plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // `@hoptrace/core/api` maps to core's TypeScript sources (tsconfig.json `paths`).
  resolve: { tsconfigPaths: true },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    // uPlot and dagre are the big parts; one chunk keeps the first paint to two requests.
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      // Server-sent events pass through the proxy unbuffered.
      '/api': { target: OAMSERVER, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', proxy: { '/api': { target: OAMSERVER } } },
});
