/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** `vite preview` behaves like Django: index.html at every path outside /static/ and /api/. */
function spaFallback(): Plugin {
  return {
    name: 'pipeline-studio-spa-fallback',
    configurePreviewServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '/';
        if (!url.startsWith('/static/') && !url.startsWith('/api/')) req.url = '/static/index.html';
        next();
      });
    },
  };
}

// Django serves the build under /static/ (whitenoise) and index.html at every
// non-API path, so built asset URLs must be absolute under /static/. The dev
// server serves the app at / (with history fallback) and proxies /api.
export default defineConfig(({ command, isPreview }) => ({
  base: command === 'build' || isPreview ? '/static/' : '/',
  plugins: [react(), spaFallback()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // React Flow and the layout engine only load with the editor and run pages.
        manualChunks: (id: string) => {
          if (id.endsWith('.css')) return undefined;
          if (/node_modules\/(@xyflow|@dagrejs|d3-|classcat)/.test(id)) return 'canvas';
          if (id.includes('node_modules')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./vitest.setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
}));
