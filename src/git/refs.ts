import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The commit a branch points to, read from the repository's files (`.git/refs/heads/<branch>`,
 * else `.git/packed-refs`), or undefined when that cannot be done here — then the caller asks
 * git. The refinery reads main's tip before every landing, and a process spawn is most of its
 * per-request cost (bench/refinery.js). Safe against concurrent updates: git writes a loose ref
 * through a lock file and a rename, so a reader sees the old value or the new one; when it packs
 * refs it writes packed-refs before deleting the loose file.
 *
 * Returns undefined (ask git) for anything unusual: a `.git` file (the town is itself a linked
 * worktree), the reftable backend, a symbolic ref, or a branch not found in either place.
 */
export function readBranchTip(repo: string, branch: string): string | undefined {
  const gitDir = join(repo, '.git');
  try {
    if (!statSync(gitDir).isDirectory() || existsSync(join(gitDir, 'reftable'))) return undefined;
    const ref = `refs/heads/${branch}`;
    const loose = readIfExists(join(gitDir, ref));
    if (loose !== undefined) {
      const value = loose.trim();
      return sha.test(value) ? value : undefined;
    }
    const packed = readIfExists(join(gitDir, 'packed-refs'));
    if (packed === undefined) return undefined;
    for (const line of packed.split('\n')) {
      if (line.endsWith(` ${ref}`)) {
        const value = line.slice(0, line.indexOf(' '));
        return sha.test(value) ? value : undefined;
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    // EISDIR: a ref that is a folder prefix (refs/heads/polecat); not a branch.
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw error;
  }
}
