import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExcluded } from '../git/exclude.js';
import { git, gitRun } from '../git/run.js';
import { listWorktrees, worktreesRoot } from '../git/worktree.js';

/** The refinery's own worktree (a leading "_" keeps it apart from every valid polecat name). */
export function refineryWorktreePath(townRoot: string): string {
  return join(worktreesRoot(townRoot), '_refinery');
}

/** Identity for commits the refinery writes (rebased commits, merge commits) when the repo has none. */
async function committerEnv(repo: string): Promise<NodeJS.ProcessEnv> {
  const name = await gitRun(repo, ['config', 'user.name']);
  const email = await gitRun(repo, ['config', 'user.email']);
  const env: NodeJS.ProcessEnv = {};
  if (name.code !== 0 && !process.env.GIT_COMMITTER_NAME) env.GIT_COMMITTER_NAME = env.GIT_AUTHOR_NAME = 'citadel refinery';
  if (email.code !== 0 && !process.env.GIT_COMMITTER_EMAIL) env.GIT_COMMITTER_EMAIL = env.GIT_AUTHOR_EMAIL = 'refinery@citadel.invalid';
  return env;
}

/** A detached worktree the refinery builds and tests candidates in; created once, then reused. */
export interface RefineryWorkspace {
  readonly repo: string;
  readonly path: string;
  /** The worktree's private git dir (where an interrupted rebase or merge leaves its state). */
  readonly gitDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Set when something (a gate, a crash) may have left untracked files: the next reset cleans. */
  dirty: boolean;
}

export async function openWorkspace(townRoot: string, mainBranch: string): Promise<RefineryWorkspace> {
  const path = refineryWorktreePath(townRoot);
  mkdirSync(join(path, '..'), { recursive: true });
  await ensureExcluded(townRoot);
  const known = existsSync(path) && (await listWorktrees(townRoot)).some((entry) => entry.path === path);
  if (!known) {
    await git(townRoot, ['worktree', 'prune']);
    await git(townRoot, ['worktree', 'add', '--quiet', '--detach', '--force', path, `refs/heads/${mainBranch}`]);
  }
  const gitDir = await git(path, ['rev-parse', '--absolute-git-dir']);
  return { repo: townRoot, path, gitDir, env: await committerEnv(townRoot), dirty: true };
}

/**
 * Puts the workspace on `commit`, whatever state a crash left it in: any rebase or merge in
 * progress is aborted, tracked changes are reset and untracked files removed (ignored ones,
 * such as node_modules, stay so gates do not reinstall every time).
 */
export async function resetWorkspace(ws: RefineryWorkspace, commit: string): Promise<void> {
  const gitDir = ws.gitDir;
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) await gitRun(ws.path, ['rebase', '--abort']);
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) await gitRun(ws.path, ['merge', '--abort']);
  await git(ws.path, ['checkout', '--quiet', '--force', '--detach', commit]);
  if (ws.dirty) await git(ws.path, ['clean', '-ffdq']);
  ws.dirty = false;
}

export type CandidateResult =
  | { readonly kind: 'ready'; readonly candidate: string; readonly commits: number }
  | { readonly kind: 'conflict'; readonly files: readonly string[]; readonly detail: string };

/**
 * Builds the commit that would become main: the branch's commits replayed onto `mainTip`
 * (rebase mode) or a merge commit of the branch into it (merge mode). Works on a detached HEAD
 * in the refinery's worktree, so the polecat's branch ref is never touched. On a conflict the
 * operation is aborted and the workspace left clean.
 */
export async function buildCandidate(
  ws: RefineryWorkspace,
  options: { mainTip: string; branchTip: string; mode: 'rebase' | 'merge'; message: string },
): Promise<CandidateResult> {
  const { mainTip, branchTip } = options;
  const base = (await gitRun(ws.path, ['merge-base', mainTip, branchTip])).stdout.trim();
  if (base === branchTip) {
    // Everything on the branch is on main already.
    await resetWorkspace(ws, mainTip);
    return { kind: 'ready', candidate: mainTip, commits: 0 };
  }
  const fastForward = base === mainTip;
  if (options.mode === 'rebase') {
    if (fastForward || ws.dirty) await resetWorkspace(ws, branchTip);
    if (!fastForward) {
      // `rebase <upstream> <commit>` checks the commit out detached itself: one process, not two.
      const result = await gitRun(
        ws.path,
        ['-c', 'rebase.autoStash=false', '-c', 'core.hooksPath=/dev/null', 'rebase', '--no-autosquash', '--no-update-refs', mainTip, branchTip],
        { env: ws.env },
      );
      if (result.code !== 0) return conflict(ws, 'rebase', result.stdout + result.stderr);
    }
  } else {
    await resetWorkspace(ws, mainTip);
    const result = await gitRun(ws.path, ['-c', 'core.hooksPath=/dev/null', 'merge', '--no-ff', '--no-edit', '-m', options.message, branchTip], { env: ws.env });
    if (result.code !== 0) return conflict(ws, 'merge', result.stdout + result.stderr);
  }
  // One call for both: the new commits, newest (HEAD) first; none when every commit was on main already.
  const added = (await git(ws.path, ['rev-list', 'HEAD', `^${mainTip}`])).split('\n').filter(Boolean);
  return { kind: 'ready', candidate: added[0] ?? mainTip, commits: added.length };
}

async function conflict(ws: RefineryWorkspace, operation: 'rebase' | 'merge', output: string): Promise<CandidateResult> {
  const unmerged = await gitRun(ws.path, ['diff', '--name-only', '--diff-filter=U']);
  const files = unmerged.stdout.split('\n').filter(Boolean);
  await gitRun(ws.path, [operation, '--abort']);
  const detail = output
    .split('\n')
    .filter((line) => /CONFLICT|error|fatal/i.test(line))
    .slice(0, 10)
    .join('\n');
  return { kind: 'conflict', files, detail: detail || output.trim().split('\n').slice(-5).join('\n') };
}
