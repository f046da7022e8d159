import { gitRun } from '../git/run.js';
import { checkoutsOf } from '../git/checkouts.js';
import { readBranchTip } from '../git/refs.js';

/** What happened when the refinery tried to move main. */
export type AdvanceResult =
  /** main now points at the candidate. `checkout` says what happened to a working tree on main. */
  | { readonly kind: 'advanced'; readonly checkout: 'none' | 'updated'; readonly worktree?: string }
  /** main is no longer at the commit the candidate was built on (a human committed): rebuild. */
  | { readonly kind: 'moved'; readonly tip: string }
  /** main is checked out with local changes the fast-forward would overwrite: nothing was moved. */
  | { readonly kind: 'held'; readonly worktree: string; readonly reason: string };

/**
 * Moves `mainBranch` from `from` to `to` — a fast-forward only, never a force, so main's history
 * is never rewritten and nobody's commit is dropped.
 *
 * - main not checked out anywhere: `git update-ref` with the expected old value (an atomic
 *   compare-and-swap; a concurrent commit makes it fail, and the refinery rebuilds).
 * - main checked out in a working tree (usually the user's): `git merge --ff-only` in that tree,
 *   so its files and index follow the ref. Git refuses when local changes would be overwritten;
 *   then nothing moves and the result is `held` (moving the ref under a checkout would make the
 *   user's `git status` show the merged work as reverted, and a `commit -a` would undo it).
 *   Local changes to other files are carried along, as a plain `git merge` does.
 */
export async function advanceMain(repo: string, mainBranch: string, from: string, to: string): Promise<AdvanceResult> {
  const ref = `refs/heads/${mainBranch}`;
  const current = readBranchTip(repo, mainBranch) ?? (await gitRun(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).stdout.trim();
  if (current !== from) return { kind: 'moved', tip: current };
  const worktree = (await checkoutsOf(repo, mainBranch))[0];
  if (worktree === undefined) {
    // update-ref checks the old value but not ancestry: check it, so main is never rewritten.
    // (In a checkout, `merge --ff-only` refuses anything but a fast-forward by itself.)
    if ((await gitRun(repo, ['merge-base', '--is-ancestor', from, to])).code !== 0) {
      throw new Error(`refinery bug: ${to} does not descend from ${from}; refusing to move ${mainBranch}`);
    }
    const result = await gitRun(repo, ['update-ref', '-m', `citadel refinery: fast-forward to ${to.slice(0, 12)}`, ref, to, from]);
    if (result.code === 0) return { kind: 'advanced', checkout: 'none' };
    return { kind: 'moved', tip: (await gitRun(repo, ['rev-parse', ref])).stdout.trim() };
  }
  const result = await gitRun(worktree, ['merge', '--ff-only', '--quiet', to]);
  if (result.code === 0) {
    return { kind: 'advanced', checkout: 'updated', worktree };
  }
  const tip = (await gitRun(repo, ['rev-parse', ref])).stdout.trim();
  if (tip !== from) return { kind: 'moved', tip };
  const output = (result.stderr + result.stdout).trim();
  const files = output
    .split('\n')
    .filter((line) => /^\s+\S/.test(line))
    .map((line) => line.trim());
  const reason = /would be overwritten|untracked working tree files/i.test(output)
    ? `the checkout of ${mainBranch} at ${worktree} has local changes this merge would overwrite (${files.join(', ') || 'see git status'}): commit or stash them and the refinery retries`
    : `could not fast-forward the checkout of ${mainBranch} at ${worktree}: ${output.split('\n').slice(0, 2).join(' / ')}`;
  return { kind: 'held', worktree, reason };
}
