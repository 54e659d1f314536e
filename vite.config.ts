import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  server: { host: '127.0.0.1', port: 5173 },
  build: { target: 'es2022' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
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
