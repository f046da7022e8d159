import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { git } from './run.js';

/**
 * What of `.citadel/` git sees (docs/journal.md, "What is committed"): only the town's settings
 * (`config.json`) and its workflow templates (`molecules/`). Everything else — the journal, its
 * caches, the projection files, worktrees, logs, run files — is this machine's state of the
 * town: a checkout, a branch switch or a merge must never move it, and a clone must not carry
 * another machine's journal. (A journal a repository does commit anyway is still checked: a
 * checkout that moves it backwards fails closed, see src/journal.)
 *
 * Order matters: `!` lines re-include what the line before excluded. `/.citadel/*` excludes the
 * folder's children, not the folder, so the re-includes work.
 */
export const townExcluded = ['/.citadel/*', '!/.citadel/config.json', '!/.citadel/molecules/'];

/** Lines citadel adds when it makes worktrees: runtime folders never show in `git status` (older towns too). */
export const excludedPaths = ['/.citadel/worktrees/', '/.citadel/logs/'];

/**
 * Appends to the exclude file `file` the `lines` it lacks (in their order, under a comment);
 * returns those added. Idempotent.
 */
export function addExcludeLines(file: string, lines: readonly string[], comment: string): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const present = new Set(text.split('\n').map((line) => line.trim()));
  const missing = lines.filter((line) => !present.has(line));
  if (missing.length === 0) return [];
  mkdirSync(dirname(file), { recursive: true });
  const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${prefix}# ${comment}\n${missing.join('\n')}\n`);
  return missing;
}

/**
 * Makes sure the repository's local exclude file (shared by all worktrees, never committed)
 * lists citadel's runtime folders. Idempotent; appends only what is missing.
 */
export async function ensureExcluded(repoRoot: string): Promise<void> {
  const commonDir = await git(repoRoot, ['rev-parse', '--git-common-dir']);
  const file = join(isAbsolute(commonDir) ? commonDir : join(repoRoot, commonDir), 'info', 'exclude');
  addExcludeLines(file, excludedPaths, 'citadel runtime folders');
}
