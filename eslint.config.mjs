import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'examples/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Only the VS Code glue may talk to VS Code: core, runtime and CLI stay usable outside the editor.
    files: ['src/core/**', 'src/runtime/**', 'src/cli/**', 'test/unit/**', 'test/integration/**', 'test/reliability/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension and test/extension may import vscode.' }] }],
    },
  },
  {
    // Dependencies point one way: core never reaches into the extension or the CLI; the runtime stands alone.
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/extension and test/extension may import vscode.' }],
        patterns: [{ group: ['**/extension/**', '**/cli/**', '**/runtime/**'], message: 'core must not import extension, cli or runtime.' }],
      }],
    },
  },
  {
    files: ['src/runtime/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The serving runtime runs without VS Code.' }],
        patterns: [{ group: ['**/extension/**', '**/cli/**'], message: 'runtime must not import extension or cli.' }],
      }],
    },
  },
);
