import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRecipe, editsFor, hasFirstTry, parseRecipe } from '../../../src/scripted-agent/recipe.js';
import { rebaseReapplying } from '../../../src/scripted-agent/rework.js';
import { demoBeads, demoMolecule } from '../../../src/demo/beads.js';
import { git, gitEnv, makeRepo } from '../../helpers/git.js';

/** The recipes the demo's beads carry, and the rework that keeps both sides of a conflict. */
const disposers: Array<() => void> = [];
afterEach(() => disposers.splice(0).forEach((d) => d()));

const FENCE = '```';

describe('bead recipes', () => {
  it('parses file, append and first-try blocks, and picks the edits of each attempt', () => {
    const body = [
      'Prose first.',
      `${FENCE}js file=src/a.js first-try`,
      'bad',
      FENCE,
      `${FENCE}js file=src/a.js`,
      'good',
      FENCE,
      `${FENCE}js append=src/index.js`,
      "export { a } from './a.js';",
      FENCE,
      `${FENCE}js`,
      'an example, not an edit',
      FENCE,
    ].join('\n');
    const edits = parseRecipe(body);
    expect(edits.map((e) => [e.mode, e.path, e.content, e.firstTry])).toEqual([
      ['file', 'src/a.js', 'bad\n', true],
      ['file', 'src/a.js', 'good\n', false],
      ['append', 'src/index.js', "export { a } from './a.js';\n", false],
    ]);
    expect(hasFirstTry(edits)).toBe(true);
    expect(editsFor(edits, true).map((e) => e.content)).toEqual(['bad\n', "export { a } from './a.js';\n"]);
    expect(editsFor(edits, false).map((e) => e.content)).toEqual(['good\n', "export { a } from './a.js';\n"]);
    expect(parseRecipe('no blocks here')).toEqual([]);
  });

  it('refuses paths outside the worktree', () => {
    for (const path of ['../x.js', '/etc/passwd', '.git/config', '.citadel/config.json', 'a/../../b']) {
      expect(() => parseRecipe(`${FENCE}js file=${path}\nx\n${FENCE}`), path).toThrow(/relative path inside the worktree/);
    }
  });

  it('appends only missing lines, so applying twice changes nothing', () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    writeFileSync(join(repo.path, 'index.js'), 'one\n');
    const edits = parseRecipe(`${FENCE}js append=index.js\ntwo\none\n${FENCE}`);
    applyRecipe(repo.path, edits);
    applyRecipe(repo.path, edits);
    expect(readFileSync(join(repo.path, 'index.js'), 'utf8')).toBe('one\ntwo\n');
  });

  it('every demo bead carries a recipe, and only truncate has a first try', () => {
    for (const bead of demoBeads) expect(parseRecipe(bead.body).length, bead.key).toBeGreaterThan(0);
    expect(demoBeads.filter((b) => hasFirstTry(parseRecipe(b.body))).map((b) => b.key)).toEqual(['truncate']);
    expect(parseRecipe(demoMolecule.fixRecipe).map((e) => e.path)).toEqual(['src/slug.js', 'test/slug-accents.test.js']);
  });

  it("a rework rebases onto main keeping both sides: main's version plus its own edits", async () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    writeFileSync(join(repo.path, 'index.js'), 'base\n');
    git(repo.path, 'add', '.');
    git(repo.path, 'commit', '-qm', 'index');
    const mine = parseRecipe(`${FENCE}js append=index.js\nmine\n${FENCE}`);
    git(repo.path, 'checkout', '-qb', 'work');
    applyRecipe(repo.path, mine);
    git(repo.path, 'commit', '-qam', 'mine');
    git(repo.path, 'checkout', '-q', 'main');
    writeFileSync(join(repo.path, 'index.js'), 'base\ntheirs\n');
    git(repo.path, 'commit', '-qam', 'theirs');
    git(repo.path, 'checkout', '-q', 'work');
    const lines: string[] = [];
    const failed = await rebaseReapplying(repo.path, 'main', mine, gitEnv, (line) => lines.push(line));
    expect(failed).toBeUndefined();
    expect(readFileSync(join(repo.path, 'index.js'), 'utf8')).toBe('base\ntheirs\nmine\n');
    expect(git(repo.path, 'log', '--format=%s', 'main..work')).toBe('mine');
    expect(lines).toEqual(["conflict in index.js: kept main's version and applied my change on top"]);
  });
});
