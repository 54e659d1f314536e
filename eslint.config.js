import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The engine runs in browsers and edge workers: no Node globals there.
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', 'setTimeout', 'setInterval'],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'The engine is deterministic: use its seeded generator.' },
        { object: 'Date', property: 'now', message: 'The engine reads time from its virtual clock.' },
      ],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'svelte', 'svelte/*'] }],
    },
  },
  {
    // The amqplib facade hands frames to client code in a later task, as a socket would.
    files: ['src/core/facade/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', 'process', 'Buffer', 'require'] },
  },
);
