import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listWorktrees } from './worktree.js';

/**
 * The working trees that have `branch` checked out. Read from the repository's files (each
 * worktree's HEAD) rather than `git worktree list`: the refinery asks before every landing, and
 * a process spawn is most of its cost. Falls back to git for unusual layouts (a `.git` file).
 */
export async function checkoutsOf(repo: string, branch: string): Promise<string[]> {
  const gitDir = join(repo, '.git');
  if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) {
    return (await listWorktrees(repo)).filter((entry) => entry.branch === branch).map((entry) => entry.path);
  }
  const wanted = `ref: refs/heads/${branch}`;
  const found: string[] = [];
  const headOf = (dir: string): string => {
    try {
      return readFileSync(join(dir, 'HEAD'), 'utf8').trim();
    } catch {
      return '';
    }
  };
  if (headOf(gitDir) === wanted && !isBare(gitDir)) found.push(repo);
  const linked = join(gitDir, 'worktrees');
  if (existsSync(linked)) {
    for (const name of readdirSync(linked)) {
      const dir = join(linked, name);
      if (headOf(dir) !== wanted) continue;
      try {
        found.push(dirname(readFileSync(join(dir, 'gitdir'), 'utf8').trim()));
      } catch {
        // A half-removed worktree: git would not use it either.
      }
    }
  }
  return found;
}

function isBare(gitDir: string): boolean {
  try {
    return /^\s*bare\s*=\s*true\s*$/m.test(readFileSync(join(gitDir, 'config'), 'utf8'));
  } catch {
    return false;
  }
}
