import { gitRun } from '../git/run.js';
import { applyRecipe, type RecipeEdit } from './recipe.js';

/**
 * Rework of a bounced bead whose body carries a recipe (src/scripted-agent/recipe.ts): `git rebase <main>`;
 * on each stop, every conflicted file gets main's version plus this
 * bead's own edits to it applied again (or, with no recipe for it, the branch's version).
 * Returns an error sentence, or undefined when the branch now sits on main.
 */
export async function rebaseReapplying(
  worktree: string,
  mainBranch: string,
  edits: readonly RecipeEdit[],
  commitEnv: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<string | undefined> {
  const env = { ...commitEnv, GIT_EDITOR: 'true' };
  let result = await gitRun(worktree, ['rebase', mainBranch], { env });
  for (let round = 0; result.code !== 0 && round < 50; round++) {
    const conflicted = (await gitRun(worktree, ['diff', '--name-only', '--diff-filter=U'])).stdout.split('\n').filter(Boolean);
    if (conflicted.length === 0) {
      await gitRun(worktree, ['rebase', '--abort']);
      return `git rebase ${mainBranch} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' / ')}`;
    }
    for (const file of conflicted) {
      const mine = edits.filter((e) => e.path === file);
      // In a rebase, "ours" is the side being built upon: main.
      await gitRun(worktree, ['checkout', mine.length ? '--ours' : '--theirs', '--', file]);
      if (mine.length) applyRecipe(worktree, mine);
      await gitRun(worktree, ['add', '--', file]);
      say(`conflict in ${file}: ${mine.length ? "kept main's version and applied my change on top" : 'kept my version'}`);
    }
    result = await gitRun(worktree, ['-c', 'core.editor=true', 'rebase', '--continue'], { env });
  }
  if (result.code !== 0) {
    await gitRun(worktree, ['rebase', '--abort']);
    return 'could not finish the rebase';
  }
  return undefined;
}

