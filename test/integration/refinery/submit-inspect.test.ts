import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectSubmission } from '../../../src/refinery/submit.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * `citadel done`'s look at the worktree (src/refinery/submit.ts) asks git three questions at
 * once and falls back to one at a time for anything unusual: both give the same answers and
 * the same refusals, in real repositories.
 */
describe('inspectSubmission', () => {
  const dirs: { dispose(): void }[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.dispose();
  });
  const repo = () => {
    const made = makeRepo();
    dirs.push(made);
    return made.path;
  };
  const commit = (cwd: string, file: string) => {
    writeFileSync(join(cwd, file), `${file}\n`);
    git(cwd, 'add', file);
    git(cwd, 'commit', '-q', '-m', `add ${file}`);
  };

  it('reads the branch, its head and the commits main lacks, from the top or a subdirectory', async () => {
    const path = repo();
    git(path, 'switch', '-q', '-c', 'polecat/nux/ct-a1');
    commit(path, 'a.txt');
    commit(path, 'b.txt');
    mkdirSync(join(path, 'sub'));
    const expected = { worktree: git(path, 'rev-parse', '--show-toplevel'), branch: 'polecat/nux/ct-a1', commits: 2, head: git(path, 'rev-parse', 'HEAD') };
    expect(await inspectSubmission(path, 'main')).toEqual(expected);
    expect(await inspectSubmission(join(path, 'sub'), 'main')).toEqual(expected);
  });

  it('refuses as before: outside git, detached, on main, uncommitted (untracked, renamed), no main, no new commits', async () => {
    const outside = tempDir('citadel-not-git-');
    dirs.push(outside);
    await expect(inspectSubmission(outside.path, 'main')).rejects.toThrow(/is not inside a git worktree/);

    const path = repo();
    await expect(inspectSubmission(path, 'main')).rejects.toThrow(/is on main itself/);
    git(path, 'switch', '-q', '-c', 'polecat/nux/ct-b2');
    await expect(inspectSubmission(path, 'main')).rejects.toThrow(/no new commits on polecat\/nux\/ct-b2 compared with main/);
    commit(path, 'c.txt');
    writeFileSync(join(path, 'new.txt'), 'x\n');
    await expect(inspectSubmission(path, 'main')).rejects.toThrow(/uncommitted changes in .* \(new\.txt\): commit them/);
    git(path, 'add', 'new.txt');
    git(path, 'commit', '-q', '-m', 'new');
    renameSync(join(path, 'c.txt'), join(path, 'd.txt'));
    git(path, 'add', '-A');
    await expect(inspectSubmission(path, 'main')).rejects.toThrow(/uncommitted changes in .* \(c\.txt -> d\.txt\)/);
    git(path, 'commit', '-q', '-m', 'rename');
    await expect(inspectSubmission(path, 'trunk')).rejects.toThrow(/branch trunk not found \(config "mainBranch"\)/);
    expect((await inspectSubmission(path, 'main')).commits).toBe(3);
    git(path, 'switch', '-q', '--detach', 'HEAD');
    await expect(inspectSubmission(path, 'main')).rejects.toThrow(/has a detached HEAD/);
  });
});
