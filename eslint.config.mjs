// Lint: eslint's and typescript-eslint's recommended rules (correctness, not style), plus a 160-character line limit.
// Where a rule is turned off or down, the reason is beside it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/out/', 'bench/data/', '.device/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      // `_`-prefixed names mark a parameter or binding kept on purpose (an interface's signature, a skipped tuple slot).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // These find and replace control characters in text a trial or a user produced: the rule's target is a
    // control character in a pattern by mistake, and here each one is the point.
    files: ['src/storage/sanitize.ts', 'src/runners/command/protocol.ts', 'src/runners/command/protocol.test.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
