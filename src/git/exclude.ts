import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { git } from './run.js';

/** Lines citadel adds to the repository's `info/exclude`: runtime folders never show in `git status`. */
export const excludedPaths = ['/.citadel/worktrees/', '/.citadel/logs/'];

/**
 * Makes sure the repository's local exclude file (shared by all worktrees, never committed)
 * lists citadel's runtime folders. Idempotent; appends only what is missing.
 */
export async function ensureExcluded(repoRoot: string): Promise<void> {
  const commonDir = await git(repoRoot, ['rev-parse', '--git-common-dir']);
  const file = join(isAbsolute(commonDir) ? commonDir : join(repoRoot, commonDir), 'info', 'exclude');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const present = new Set(text.split('\n').map((line) => line.trim()));
  const missing = excludedPaths.filter((line) => !present.has(line));
  if (missing.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${prefix}# citadel runtime folders\n${missing.join('\n')}\n`);
}
