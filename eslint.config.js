// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/architecture.md, "Layers"): imports only point downwards. Every folder of src/
 * is in exactly one layer; a new folder must be added here (lint fails on a folder in none).
 */
const ioLibraries = ['ink', 'react', 'node-pty', 'execa', 'chokidar', '@xterm/*', 'fs-ext'];
const layers = {
  front: ['cli', 'tui', 'mcp', 'demo'],
  services: ['daemon', 'git', 'refinery', 'pty', 'town', 'scripted-agent', 'agent-cli', 'polecats', 'scheduler', 'federation', 'remote', 'ledger'],
  domain: ['model', 'molecules'],
  journal: ['journal'],
  common: ['common'],
};
// A folder of src/ in no layer would escape every rule: lint fails until it is placed above.
const placed = new Set(Object.values(layers).flat());
const unplaced = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true }).filter((entry) => entry.isDirectory() && !placed.has(entry.name));
if (unplaced.length > 0) throw new Error(`eslint.config.js: src/${unplaced.map((entry) => entry.name).join(', src/')} is in no layer; add it to \`layers\``);
const folders = (...names) => names.flatMap((name) => layers[name]).map((folder) => `**/${folder}/**`);
const above = (layer) => {
  const order = ['front', 'services', 'domain', 'journal', 'common'];
  return folders(...order.slice(0, order.indexOf(layer)));
};
const layerRule = (layer, extra = []) => ({
  files: layers[layer].map((folder) => `src/${folder}/**`),
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: above(layer), message: `Imports only point downwards: src/${layers[layer].join(', src/')} (${layer}) may not import a layer above (docs/architecture.md, Layers).` },
        ...extra,
      ],
    }],
  },
});
const nodeIo = ['node:child_process', 'node:net', 'node:fs', 'node:fs/*', 'node:os', 'node:process'];

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
  layerRule('services'),
  layerRule('domain', [
    { group: ioLibraries, message: 'src/model and src/molecules are pure: no I/O libraries.' },
    { group: nodeIo, message: 'Pure layer: no I/O.' },
  ]),
  layerRule('journal', [{ group: ioLibraries.filter((l) => l !== 'fs-ext'), message: 'src/journal depends on node:fs only.' }]),
  layerRule('common', [{ group: ioLibraries, message: 'src/common is the bottom: no I/O libraries.' }]),
  {
    // The scheduler's pure half (plan, skills, escalation, inputs, state, config): no I/O, no daemon.
    files: ['src/scheduler/{plan,skills,escalation,inputs,state,config}.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...above('services'), ...folders('services').filter((f) => f !== '**/scheduler/**')], message: 'The scheduler\'s pure modules import only the domain, the journal\'s types and common.' },
          { group: [...ioLibraries, ...nodeIo], message: 'The scheduler\'s pure modules do no I/O.' },
        ],
      }],
    },
  },
);
