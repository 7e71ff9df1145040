import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // Functions a reviewer can hold in their head (docs/architecture.md, "Conventions"): none over 80 lines, blank and
    // comment lines aside. Tests are exempt: a describe block is a list of cases, not one function to follow.
    files: ['src/**', 'scripts/**', 'bin/**'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // The Ink UI follows the rules of hooks; effect dependencies are checked, not explained in comments.
    files: ['src/tui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The bin entry (bin/package.json) and the bundling shims are CommonJS, so start-up skips the ES module loader; the
    // embedder's worker and the network-refusing preload of the tests are CommonJS so they run unchanged from the
    // sources.
    files: ['bin/**/*.js', 'scripts/shims/*.cjs', 'src/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __filename: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The core is a library: no UI, CLI, bench or server imports (docs/architecture.md, "Layers").
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['ink', 'react', 'commander', 'autocannon', 'fastify', 'ws'].map((name) => ({
            name,
            message: 'src/core must not import UI, CLI, bench or server modules',
          })),
          patterns: [
            { group: ['**/tui/**', '**/commands/**', '**/server/**', '**/bench/**'], message: 'src/core is a library' },
          ],
        },
      ],
    },
  },
);
