import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWorktree, worktreePath } from '../../../src/git/worktree.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

describe('ensureWorktree', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));
  const repo = (): string => {
    const made = makeRepo();
    disposers.push(made.dispose);
    mkdirSync(join(made.path, '.citadel'));
    return made.path;
  };

  it('makes several worktrees at once without one add tripping over another (parallel slings)', async () => {
    const root = repo();
    const names = Array.from({ length: 12 }, (_, i) => `cat${i}`);
    const made = await Promise.all(names.map((name, i) => ensureWorktree(root, name, `ct-a${i}`, { mainBranch: 'main' })));
    expect(made.map((wt) => wt.branch)).toEqual(names.map((name, i) => `polecat/${name}/ct-a${i}`));
    for (const wt of made) expect(git(wt.path, 'symbolic-ref', '--short', 'HEAD')).toBe(wt.branch);
  });

  it('creates a git-excluded worktree on polecat/<name>/<bead> from main’s tip', async () => {
    const root = repo();
    const tip = git(root, 'rev-parse', 'main');
    const wt = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    expect(wt.path).toBe(join(root, '.citadel', 'worktrees', 'nux'));
    expect(wt.branch).toBe('polecat/nux/ct-a1');
    expect(wt.reused).toBe(false);
    expect(git(wt.path, 'rev-parse', 'HEAD')).toBe(tip);
    expect(git(wt.path, 'symbolic-ref', '--short', 'HEAD')).toBe('polecat/nux/ct-a1');
    // The main working tree does not see the worktree (nor logs) as untracked files.
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).not.toMatch(/worktrees/);
    expect(readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8')).toContain('/.citadel/worktrees/');
  });

  it('reuses the worktree for the next bead, branching from main’s current tip', async () => {
    const root = repo();
    const first = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    writeFileSync(join(first.path, 'a.txt'), 'a\n');
    git(first.path, 'add', 'a.txt');
    git(first.path, 'commit', '-q', '-m', 'a');
    writeFileSync(join(root, 'human.txt'), 'h\n');
    git(root, 'add', 'human.txt');
    git(root, 'commit', '-q', '-m', 'human');
    const second = await ensureWorktree(root, 'nux', 'ct-b2', { mainBranch: 'main' });
    expect(second.path).toBe(first.path);
    expect(second.reused).toBe(true);
    expect(second.resumed).toBe(false);
    expect(git(second.path, 'rev-parse', 'HEAD')).toBe(git(root, 'rev-parse', 'main'));
    // The first branch keeps its commit.
    expect(git(root, 'log', '--format=%s', '-1', 'polecat/nux/ct-a1')).toBe('a');
    // Coming back to the first bead resumes its branch.
    const again = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    expect(again.resumed).toBe(true);
    expect(existsSync(join(again.path, 'a.txt'))).toBe(true);
  });

  it('never discards uncommitted work: switching is refused, staying keeps it', async () => {
    const root = repo();
    const wt = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    writeFileSync(join(wt.path, 'wip.txt'), 'work in progress\n');
    writeFileSync(join(wt.path, 'README.md'), 'edited\n');
    await expect(ensureWorktree(root, 'nux', 'ct-b2', { mainBranch: 'main' })).rejects.toThrow(/uncommitted changes.*wip\.txt|uncommitted changes.*README/);
    expect(readFileSync(join(wt.path, 'wip.txt'), 'utf8')).toBe('work in progress\n');
    const same = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    expect(readFileSync(join(same.path, 'README.md'), 'utf8')).toBe('edited\n');
  });

  it('recreates a worktree whose folder was deleted, keeping the branch', async () => {
    const root = repo();
    const wt = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    writeFileSync(join(wt.path, 'a.txt'), 'a\n');
    git(wt.path, 'add', 'a.txt');
    git(wt.path, 'commit', '-q', '-m', 'a');
    git(root, 'worktree', 'remove', '--force', wt.path);
    const again = await ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: 'main' });
    expect(again.resumed).toBe(true);
    expect(readFileSync(join(again.path, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('refuses bad names, a symlinked worktree and a foreign folder', async () => {
    const root = repo();
    for (const name of ['../x', '-rf', '@{-1}', 'a b', 'a..b']) {
      await expect(ensureWorktree(root, name, 'ct-a1', { mainBranch: 'main' }), name).rejects.toThrow(/invalid polecat name/);
      await expect(ensureWorktree(root, 'nux', name, { mainBranch: 'main' }), name).rejects.toThrow(/invalid bead id/);
    }
    await expect(ensureWorktree(root, 'nux', 'ct-a1', { mainBranch: '-rf' })).rejects.toThrow(/invalid branch name/);
    const outside = tempDir();
    disposers.push(outside.dispose);
    mkdirSync(join(root, '.citadel', 'worktrees'), { recursive: true });
    symlinkSync(outside.path, join(root, '.citadel', 'worktrees', 'evil'));
    expect(() => worktreePath(root, 'evil')).toThrow(/symlink/);
    mkdirSync(join(root, '.citadel', 'worktrees', 'stray'));
    writeFileSync(join(root, '.citadel', 'worktrees', 'stray', 'x'), 'x');
    await expect(ensureWorktree(root, 'stray', 'ct-a1', { mainBranch: 'main' })).rejects.toThrow(/not a git worktree/);
  });
});
