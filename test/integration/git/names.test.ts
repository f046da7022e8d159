import { afterEach, describe, expect, it } from 'vitest';
import { polecatBranch, validateBeadId, validateBranchName, validatePolecatName } from '../../../src/git/names.js';
import { makeRepo } from '../../helpers/git.js';

const injections = ['../x', '-rf', '@{-1}', 'a b', 'a..b', 'x/../../etc', '', '.hidden', 'a/b', 'a\nb', 'A;rm'];

describe('names', () => {
  const repos: { dispose: () => void }[] = [];
  afterEach(() => repos.splice(0).forEach((repo) => repo.dispose()));

  it('refuses injection attempts as polecat names', () => {
    for (const name of injections) expect(() => validatePolecatName(name), name).toThrow(/invalid polecat name/);
    expect(() => validatePolecatName('refinery')).toThrow(/reserved/);
    expect(validatePolecatName('nux')).toBe('nux');
    expect(validatePolecatName('furiosa-2')).toBe('furiosa-2');
  });

  it('refuses injection attempts as branch names, with git as the final check', async () => {
    const repo = makeRepo();
    repos.push(repo);
    for (const name of ['../x', '-rf', '@{-1}', 'a b', 'a..b', 'a.lock', 'a/', 'HEAD', 'x~1', 'x^', 'x:y']) {
      await expect(validateBranchName(name, repo.path), name).rejects.toThrow(/invalid branch name/);
    }
    await expect(validateBranchName('polecat/nux/ct-a3f8', repo.path)).resolves.toBe('polecat/nux/ct-a3f8');
    await expect(validateBranchName('main', repo.path)).resolves.toBe('main');
  });

  it('builds polecat branches only from valid parts', () => {
    expect(polecatBranch('nux', 'ct-a3f8.2')).toBe('polecat/nux/ct-a3f8.2');
    expect(() => polecatBranch('nux', '../x')).toThrow(/invalid bead id/);
    expect(() => polecatBranch('-rf', 'ct-a3f8')).toThrow(/invalid polecat name/);
    expect(validateBeadId('ct-a3f8')).toBe('ct-a3f8');
    expect(() => validateBeadId('ct-a3f8..2')).toThrow();
  });
});
