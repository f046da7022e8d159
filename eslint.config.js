// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Pure layers may not import I/O libraries (STYLE.md §1). */
const ioLibraries = ['ink', 'react', 'node-pty', 'execa', 'chokidar', 'simple-git', '@xterm/*', 'fs-ext'];
const upperLayers = ['**/cli/**', '**/tui/**', '**/daemon/**', '**/git/**', '**/pty/**', '**/town/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**/*.js', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/model/**', 'src/molecules/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ioLibraries, message: 'src/model and src/molecules are pure: no I/O libraries.' },
          { group: upperLayers, message: 'Imports only point downwards (docs/architecture.md).' },
          { group: ['node:child_process', 'node:net', 'node:fs', 'node:fs/*'], message: 'Pure layer: no I/O.' },
        ],
      }],
    },
  },
  {
    files: ['src/journal/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ioLibraries.filter((l) => l !== 'fs-ext'), message: 'src/journal depends on node:fs only.' },
          { group: [...upperLayers, '**/model/**', '**/molecules/**'], message: 'The journal is the bottom layer.' },
        ],
      }],
    },
  },
);
