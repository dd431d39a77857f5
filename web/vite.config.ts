import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The portal is built into dist/web and served by the Haven process itself (src/http/portal).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Route chunks are loaded on demand; only the shell counts against the first-load budget.
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite web` during development, with a Haven on :5000 behind it.
    proxy: { '/api': 'http://127.0.0.1:5000', '/c': 'http://127.0.0.1:5000', '/v2': 'http://127.0.0.1:5000' },
  },
});
