import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** The embed's script, at the same URL in development as in the build: /embed.js (docs/embedding.md; built by vite.embed.config.ts). */
export const EMBED_ENTRY = 'src/embed/element.ts';

function embedScript(): Plugin {
  return {
    name: 'warren-embed-script',
    apply: 'serve',
    resolveId(id) {
      return id === '/embed.js' ? this.resolve(`/${EMBED_ENTRY}`) : null;
    },
  };
}

export default defineConfig({
  // Component styles are injected by the components themselves: into the
  // document on the page, into its shadow root in an embedded playground.
  plugins: [svelte({ emitCss: false }), embedScript()],
  server: { host: '127.0.0.1', port: 5173 },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: 'index.html', embedding: 'embedding.html', frame: 'embed.html' } },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          setupFiles: ['tests/page-language.ts'],
          exclude: ['tests/conformance/**', 'tests/e2e/**', 'tests/bridge/rabbitmq/**', 'tests/components/**'],
          // Some unit tests spawn node with tsx or run whole sandboxes over
          // thousands of virtual milliseconds; on a loaded 2-core machine
          // those take several seconds, past vitest's default of 5.
          testTimeout: 20_000,
        },
      },
      {
        // Svelte components mounted in a simulated DOM (jsdom), with
        // Svelte's browser build (mount, flushSync).
        extends: true,
        resolve: { conditions: ['browser'] },
        test: {
          name: 'components',
          include: ['tests/components/**/*.test.ts'],
          setupFiles: ['tests/page-language.ts'],
          environment: 'jsdom',
        },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['tests/conformance/**/*.test.ts', 'tests/bridge/rabbitmq/**/*.test.ts'],
          // One RabbitMQ node serves every file: run them one at a time so
          // their queues and exchanges never meet.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
