import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'

// Three builds: main (Node, dependencies left external), preload (bundled whole and CommonJS, as a
// sandboxed preload must be), renderer (the Vue app, also served as-is by browser mode).
export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve('src/main/app/index.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    build: {
      // electron-vite leaves bundles unminified; the screens parse about half as much JS minified,
      // which is most of the time until the first rows show (npm run bench, browser figure).
      minify: true,
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },

    plugins: [vue()],
  },
})
