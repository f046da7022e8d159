import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutsOf } from '../../../src/git/checkouts.js';
import { git, makeRepo } from '../../helpers/git.js';

describe('checkoutsOf', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));

  it('finds main checked out in the main working tree or in a linked worktree, as git worktree list does', async () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    expect(await checkoutsOf(repo.path, 'main')).toEqual([repo.path]);
    git(repo.path, 'switch', '-q', '-c', 'other');
    expect(await checkoutsOf(repo.path, 'main')).toEqual([]);
    const linked = join(repo.path, 'linked');
    git(repo.path, 'worktree', 'add', '-q', linked, 'main');
    expect((await checkoutsOf(repo.path, 'main')).map((path) => realpathSync(path))).toEqual([realpathSync(linked)]);
    expect(await checkoutsOf(repo.path, 'other')).toEqual([repo.path]);
  });
});
