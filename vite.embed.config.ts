/**
 * The embed's own bundle (npm run build runs it after the site's):
 * dist/embed.js and the chunks it loads, shaken for the embed alone so the
 * page's code never rides along. Its manifest is what
 * scripts/check-embed-budget.mjs weighs.
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { EMBED_ENTRY } from './vite.config.ts';

export default defineConfig({
  plugins: [svelte({ emitCss: false })],
  build: {
    target: 'es2022',
    emptyOutDir: false,
    // No module-preload polyfill or dependency lists in the first load: the chunks find each other by their imports.
    modulePreload: false,
    manifest: '.vite/embed-manifest.json',
    rollupOptions: {
      input: { embed: EMBED_ENTRY },
      output: { entryFileNames: 'embed.js', chunkFileNames: 'assets/embed-[name]-[hash].js' },
    },
  },
});
