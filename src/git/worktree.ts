import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { refuseLink } from '../town/private-fs.js';
import { ensureExcluded } from './exclude.js';
import { withLock } from './lock.js';
import { polecatBranch, validateBranchName, validatePolecatName } from './names.js';
import { git, gitRun } from './run.js';

/** A polecat's worktree, ready for its bead. */
export interface PolecatWorktree {
  /** Absolute path: `<town>/.citadel/worktrees/<polecat>`. */
  readonly path: string;
  /** `polecat/<name>/<bead id>`, checked out in `path`. */
  readonly branch: string;
  /** True when the worktree already existed (reused between assignments). */
  readonly reused: boolean;
  /** True when the branch already existed (a bounced bead resumes on its own branch). */
  readonly resumed: boolean;
}

export interface EnsureWorktreeOptions {
  /** The branch new work starts from (config `mainBranch`). */
  readonly mainBranch: string;
}

/** The folder holding every polecat's worktree, resolved through symlinks of the town root. */
export function worktreesRoot(townRoot: string): string {
  return join(realpathSync(townRoot), '.citadel', 'worktrees');
}

/**
 * The worktree path of a polecat. The name is validated, and the result must resolve inside
 * the worktrees root (no `..`, no symlinked escape).
 */
export function worktreePath(townRoot: string, polecat: string): string {
  validatePolecatName(polecat);
  const root = worktreesRoot(townRoot);
  const path = resolve(root, polecat);
  if (!isInside(root, path)) throw new CitadelError('invalid', `worktree path ${path} is outside ${root}`);
  if (existsSync(path)) {
    if (lstatSync(path).isSymbolicLink()) throw new CitadelError('refused', `${path} is a symlink: refusing to use it as a worktree`);
    if (!isInside(root, realpathSync(path))) throw new CitadelError('refused', `${path} resolves outside ${root}`);
  }
  return path;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** Uncommitted changes in a worktree (tracked and untracked), as `git status --porcelain` lines. */
export async function uncommittedChanges(path: string): Promise<string[]> {
  const out = await git(path, ['status', '--porcelain=v1', '--untracked-files=all']);
  return out.split('\n').filter((line) => line.length > 0);
}

/**
 * Gives `polecat` a worktree with branch `polecat/<name>/<bead id>` checked out, and returns it.
 *
 * - New polecat: `git worktree add` under `.citadel/worktrees/<name>` (git-excluded), the branch
 *   made from main's tip.
 * - Existing worktree: reused; it switches to the bead's branch (made from main's current tip,
 *   or the existing branch when the bead comes back after a bounce, so rework continues on it).
 * - Uncommitted changes are never discarded: a worktree with changes that is asked to switch to
 *   another branch is refused with the list of files (commit or discard them first). Staying on
 *   the same branch keeps them as they are.
 */
export async function ensureWorktree(townRoot: string, polecat: string, beadId: string, options: EnsureWorktreeOptions): Promise<PolecatWorktree> {
  const branch = polecatBranch(polecat, beadId);
  const repo = realpathSync(townRoot);
  await validateBranchName(branch, repo);
  await validateBranchName(options.mainBranch, repo);
  const root = worktreesRoot(repo);
  refuseLink(root); // `.citadel/worktrees` committed as a link would put worktrees anywhere
  mkdirSync(root, { recursive: true, mode: 0o700 });
  await ensureExcluded(repo);
  const path = worktreePath(repo, polecat);
  const branchExists = await refExists(repo, `refs/heads/${branch}`);

  if (!(await isRegisteredWorktree(repo, path))) {
    if (existsSync(path) && readdirSync(path).length > 0) {
      throw new CitadelError('refused', `${path} exists but is not a git worktree of ${repo}: move it away, then retry`);
    }
    const mainTip = await resolveBranch(repo, options.mainBranch);
    // Slings run in parallel: one process's prune would delete the half-made folder of
    // another's add, so the two happen one process at a time.
    await withLock(join(repo, '.citadel', 'run', 'worktree-add.lock'), `adding a worktree to ${repo}`, async () => {
      await git(repo, ['worktree', 'prune']);
      if (branchExists) await git(repo, ['worktree', 'add', '--quiet', path, branch]);
      else await git(repo, ['worktree', 'add', '--quiet', '-b', branch, path, mainTip]);
    });
    return { path, branch, reused: false, resumed: branchExists };
  }

  const current = await currentBranch(path);
  if (current === branch) return { path, branch, reused: true, resumed: true };
  const changes = await uncommittedChanges(path);
  if (changes.length > 0) {
    const files = changes.slice(0, 5).map((line) => line.slice(3)).join(', ');
    throw new CitadelError(
      'refused',
      `polecat ${polecat}'s worktree ${path} has uncommitted changes on ${current ?? 'a detached HEAD'} (${files}${changes.length > 5 ? ', …' : ''}): ` +
        `commit or discard them before it takes ${beadId}`,
    );
  }
  if (branchExists) await git(path, ['switch', '--quiet', branch]);
  else await git(path, ['switch', '--quiet', '-c', branch, await resolveBranch(repo, options.mainBranch)]);
  return { path, branch, reused: true, resumed: branchExists };
}

/** The commit a branch points to; a clear error when it does not exist. */
export async function resolveBranch(repo: string, branch: string): Promise<string> {
  const result = await gitRun(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  if (result.code === 0) return result.stdout.trim();
  // A newcomer's first town often has no commit yet: say that, not "branch not found".
  if ((await gitRun(repo, ['rev-parse', '--verify', '--quiet', 'HEAD'])).code !== 0) {
    throw new CitadelError('refused', `${repo} has no commits yet: polecats branch from ${branch}, so commit once first (e.g. git commit --allow-empty -m "initial commit")`);
  }
  const current = (await gitRun(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).stdout.trim();
  throw new CitadelError(
    'not_found',
    `branch ${branch} not found in ${repo}${current && current !== branch ? `: your branch is ${current}; set "mainBranch": "${current}" in .citadel/config.json` : ' (set "mainBranch" in .citadel/config.json)'}`,
  );
}

export async function refExists(repo: string, ref: string): Promise<boolean> {
  return (await gitRun(repo, ['rev-parse', '--verify', '--quiet', ref])).code === 0;
}

/** The branch checked out in a worktree, or undefined when HEAD is detached. */
export async function currentBranch(path: string): Promise<string | undefined> {
  const result = await gitRun(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The worktrees git knows for this repository (absolute paths). */
export async function listWorktrees(repo: string): Promise<{ path: string; head?: string; branch?: string }[]> {
  const out = await git(repo, ['worktree', 'list', '--porcelain']);
  const entries: { path: string; head?: string; branch?: string }[] = [];
  for (const block of out.split('\n\n')) {
    const entry: { path: string; head?: string; branch?: string } = { path: '' };
    for (const line of block.split('\n')) {
      if (line.startsWith('worktree ')) entry.path = line.slice(9);
      else if (line.startsWith('HEAD ')) entry.head = line.slice(5);
      else if (line.startsWith('branch ')) entry.branch = line.slice(7).replace(/^refs\/heads\//, '');
    }
    if (entry.path) entries.push(entry);
  }
  return entries;
}

async function isRegisteredWorktree(repo: string, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const real = realpathSync(path);
  return (await listWorktrees(repo)).some((entry) => existsSync(entry.path) && realpathSync(entry.path) === real);
}
