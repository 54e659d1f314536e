/**
 * The embed's own bundle (npm run build runs it after the site's):
 * dist/embed.js and the chunks it loads, shaken for the embed alone so the
 * page's code never rides along. Its manifest is what
 * scripts/check-embed-budget.mjs weighs.
 */
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { EMBED_ENTRY } from './vite.config.ts';

/**
 * Vite wraps each dynamic import() in a helper that preloads the chunk's
 * CSS and dependencies first. The embed has neither (its CSS is in its
 * components, modulePreload is off, every dependency list is empty), so
 * its helper only calls the import: ~1 kB less in the first load.
 */
const bareDynamicImports: Plugin = {
  name: 'warren:bare-dynamic-imports',
  enforce: 'pre',
  load: (id) => (id === '\0vite/preload-helper.js' ? 'export const __vitePreload = (load) => load();' : null),
  generateBundle(_options, bundle) {
    const css = Object.keys(bundle).filter((file) => file.endsWith('.css'));
    if (css.length) this.error(`the embed now emits CSS (${css.join(', ')}): its dynamic imports need Vite's preload helper back`);
  },
};

export default defineConfig({
  plugins: [svelte({ emitCss: false }), bareDynamicImports],
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
