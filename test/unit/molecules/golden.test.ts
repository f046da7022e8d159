import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeMolecule, renderResolved, resolveMolecule } from '../../../src/molecules/index.js';
import { openMoleculeLibrary } from '../../../src/town/molecules.js';

/**
 * Golden tests of the parser and composer: each case renders a fixture (as `molecule show`
 * prints it) or the one-line error it raises, and compares with golden/<case>.txt.
 * `UPDATE_GOLDEN=1 npx vitest run test/molecules` rewrites the golden files.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const library = openMoleculeLibrary({ builtinDir: `${here}fixtures`, cwd: here });
/** The package's built-ins, shown relative to the package. */
const builtins = openMoleculeLibrary({ cwd: `${here}../../..` });

function outcome(name: string, vars: Record<string, string> = {}, lenient = false): string {
  try {
    const builtin = name.startsWith('builtin:');
    const composed = composeMolecule(builtin ? name.slice(8) : name, builtin ? builtins : library);
    return renderResolved(resolveMolecule(composed, vars, { lenient }), composed.vars);
  } catch (error) {
    return `error: ${(error as Error).message}\n`;
  }
}

const cases: { golden: string; molecule: string; vars?: Record<string, string>; lenient?: boolean }[] = [
  { golden: 'good-basic', molecule: 'good-basic', vars: { issue: 'login crash' } },
  { golden: 'good-basic-lenient', molecule: 'good-basic', lenient: true },
  { golden: 'good-list-vars', molecule: 'good-list-vars', vars: { version: '1.2.0' } },
  { golden: 'diamond', molecule: 'diamond-top' },
  { golden: 'nested-after', molecule: 'nested-outer' },
  { golden: 'polymer', molecule: 'polymer' },
  { golden: 'good-bom-crlf', molecule: 'good-bom-crlf' },
  { golden: 'bad-empty-title', molecule: 'empty-title' },
  { golden: 'good-default-uses-var', molecule: 'good-default-uses-var', vars: { name: 'login' } },
  { golden: 'bad-missing-required-var', molecule: 'good-basic' },
  { golden: 'bad-unknown-var-arg', molecule: 'good-basic', vars: { issue: 'x', isue: 'y' } },
  ...[
    'bad-unknown-directive',
    'bad-directive-typo',
    'bad-lowercase-directive',
    'bad-default-later-var',
    'bad-top-directive',
    'bad-duplicate-step',
    'bad-missing-need',
    'bad-cycle',
    'bad-self-cycle',
    'bad-unknown-include',
    'bad-cyclic-include-a',
    'bad-unknown-var',
    'bad-no-title',
    'bad-role',
    'bad-late-directive',
    'bad-heading',
    'bad-include-collision',
    'bad-cross-cycle',
    'bad-gate-shell',
    'bad-gate-twice',
    'bad-no-steps',
  ].map((name) => ({ golden: name, molecule: name })),
  { golden: 'bad-unknown-molecule', molecule: 'chekcs' },
  { golden: 'builtin-engineer-in-box', molecule: 'builtin:engineer-in-box', vars: { task: 'add a --dry-run flag' } },
  { golden: 'builtin-quick-fix', molecule: 'builtin:quick-fix', vars: { issue: 'crash on empty input' } },
  { golden: 'builtin-research', molecule: 'builtin:research', vars: { question: 'why is start-up slow?' } },
];

describe('molecule parser and composer (golden)', () => {
  for (const c of cases) {
    it(c.golden, () => {
      const actual = outcome(c.molecule, c.vars, c.lenient);
      const file = `${here}golden/${c.golden}.txt`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, actual);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});
