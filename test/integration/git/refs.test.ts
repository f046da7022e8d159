import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBranchTip } from '../../../src/git/refs.js';
import { git, makeRepo } from '../../helpers/git.js';

/** The refinery reads branch tips from the ref files (no process): they must always agree with git. */
describe('readBranchTip', () => {
  const repos: { dispose(): void }[] = [];
  afterEach(() => repos.splice(0).forEach((repo) => repo.dispose()));

  it('agrees with git for loose refs, packed refs, a ref updated after packing, and nested names', () => {
    const repo = makeRepo();
    repos.push(repo);
    const root = repo.path;
    git(root, 'branch', 'polecat/nux/ct-ab12');
    expect(readBranchTip(root, 'main')).toBe(git(root, 'rev-parse', 'main'));
    expect(readBranchTip(root, 'polecat/nux/ct-ab12')).toBe(git(root, 'rev-parse', 'polecat/nux/ct-ab12'));

    git(root, 'pack-refs', '--all');
    expect(readBranchTip(root, 'main')).toBe(git(root, 'rev-parse', 'main'));
    expect(readBranchTip(root, 'polecat/nux/ct-ab12')).toBe(git(root, 'rev-parse', 'polecat/nux/ct-ab12'));

    // A commit after packing: the loose ref wins over the stale packed value.
    writeFileSync(join(root, 'b.txt'), 'b\n');
    git(root, 'add', 'b.txt');
    git(root, 'commit', '-q', '-m', 'second');
    expect(readBranchTip(root, 'main')).toBe(git(root, 'rev-parse', 'main'));
  });

  it('says "ask git" (undefined) for a missing branch, a folder of refs, a symbolic ref or a .git file', () => {
    const repo = makeRepo();
    repos.push(repo);
    const root = repo.path;
    git(root, 'branch', 'polecat/nux/ct-ab12');
    expect(readBranchTip(root, 'nope')).toBeUndefined();
    expect(readBranchTip(root, 'polecat')).toBeUndefined();
    git(root, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    expect(readBranchTip(root, 'alias')).toBeUndefined();
    const linked = join(root, 'linked');
    git(root, 'worktree', 'add', '-q', '--detach', linked, 'main');
    expect(readBranchTip(linked, 'main')).toBeUndefined();
    mkdirSync(join(root, 'plain'));
    expect(readBranchTip(join(root, 'plain'), 'main')).toBeUndefined();
  });
});
