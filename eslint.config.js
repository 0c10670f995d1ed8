import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // The pure core must not know the SDK or GitHub: that is the layout's one rule.
    files: ['src/config/**', 'src/stacks/**', 'src/templates/**', 'src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*', '@smithy/*'], message: 'pure code: use a port, not the SDK' },
          { group: ['@actions/*'], message: 'pure code: GitHub belongs to src/github and the entry points' },
          { group: ['../aws/*', '../github/*', '../build/*'], message: 'pure code depends on ports, not adapters' },
        ],
      }],
    },
  },
);
