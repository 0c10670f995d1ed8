import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SDK = { group: ['@aws-sdk/*', '@smithy/*'], message: 'only src/aws talks to the SDK: use a port' };
const GITHUB = { group: ['@actions/*', '@octokit/*'], message: 'GitHub belongs to src/github, src/build (exec) and the entry points' };
const folders = (message, ...names) => ({ group: names.map((name) => `../${name}/*`), message });
/** One folder's allowed direction: the imports it must never make. */
const layer = (files, patterns) => [{ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }];

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [] }],
    },
  },
  ...layer(
    // The pure core must not know the SDK or GitHub: that is the layout's one rule.
    ['src/config/**', 'src/stacks/**', 'src/platforms/**', 'src/templates/**', 'src/cost/**', 'src/engine/**'],
    [SDK, GITHUB, folders('pure code depends on ports, not adapters, and never on what people read', 'aws', 'github', 'build', 'http', 'report', 'terminal')],
  ),
  // The table of commands joins use cases to their reports; every adapter reaches it as a port from wiring.ts.
  ...layer(['src/commands.ts'], [SDK, GITHUB, { group: ['./aws/*', './github/*', './build/*', './http/*', './terminal/*', './wiring*'], message: 'the table of commands gets its adapters as ports from wiring.ts' }]),
  // What people read is made from the use cases' results alone.
  ...layer(['src/report/**'], [SDK, GITHUB, folders('report reads results, not adapters', 'aws', 'github', 'build', 'http', 'terminal')]),
  // Adapters are thin and know nothing of each other.
  ...layer(['src/aws/**'], [GITHUB, folders('an adapter knows no other adapter', 'github', 'build', 'http', 'report', 'terminal')]),
  ...layer(['src/github/**'], [SDK, folders('an adapter knows no other adapter', 'aws', 'build', 'http', 'terminal')]),
  ...layer(['src/build/**'], [SDK, folders('an adapter knows no other adapter', 'aws', 'github', 'http', 'report', 'terminal')]),
  ...layer(['src/http/**'], [SDK, GITHUB, folders('an adapter knows no other adapter', 'aws', 'github', 'build', 'report', 'terminal')]),
);
