import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { CitadelError } from '../common/errors.js';

/**
 * A bead body can carry the change the scripted agent makes, as fenced code blocks whose info
 * string names a file, so a demo's beads turn into real code (a function and its test) rather
 * than a notes file:
 *
 *     ```js file=src/truncate.js          the whole file
 *     ```js append=src/index.js           lines appended unless already there
 *     ```js file=src/truncate.js first-try  used on the first attempt only (e.g. a buggy
 *                                           version, to show the refinery bouncing it)
 *
 * Pure parsing here; {@link applyRecipe} writes the files.
 */
export interface RecipeEdit {
  readonly mode: 'file' | 'append';
  /** Relative to the worktree; validated (no absolute paths, no `..`, nothing under .git or .citadel). */
  readonly path: string;
  readonly content: string;
  readonly firstTry: boolean;
}

const opening = /^```[\w+-]*\s+(.*)$/;

/** The edits in a bead body, in order (empty when it carries none). Throws on an unsafe path. */
export function parseRecipe(body: string): RecipeEdit[] {
  const edits: RecipeEdit[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = opening.exec(lines[i]!);
    if (!match) continue;
    const words = match[1]!.trim().split(/\s+/);
    const target = words.map((w) => /^(file|append)=(.+)$/.exec(w)).find(Boolean);
    if (!target) continue;
    const content: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) content.push(lines[j++]!);
    edits.push({ mode: target[1] as 'file' | 'append', path: safePath(target[2]!), content: `${content.join('\n')}\n`, firstTry: words.includes('first-try') });
    i = j;
  }
  return edits;
}

/** The edits for one attempt: first-try blocks replace their file's block on the first attempt, and are dropped after. */
export function editsFor(edits: readonly RecipeEdit[], firstAttempt: boolean): RecipeEdit[] {
  const replaced = new Set(edits.filter((e) => e.firstTry).map((e) => `${e.mode}:${e.path}`));
  return edits.filter((e) => (firstAttempt ? e.firstTry || !replaced.has(`${e.mode}:${e.path}`) : !e.firstTry));
}

/** Whether the body carries a first-try variant (its first attempt is meant to differ from the final one). */
export const hasFirstTry = (edits: readonly RecipeEdit[]): boolean => edits.some((e) => e.firstTry);

/**
 * Writes `edits` into the worktree (only those on `only` paths when given) and returns the
 * paths touched. Appends add each missing line at the end, so re-applying on top of another
 * branch's version of the file keeps both changes (how a rework resolves a conflict).
 */
export function applyRecipe(worktree: string, edits: readonly RecipeEdit[], only?: ReadonlySet<string>): string[] {
  const touched: string[] = [];
  for (const edit of edits) {
    if (only && !only.has(edit.path)) continue;
    const file = join(worktree, edit.path);
    mkdirSync(dirname(file), { recursive: true });
    if (edit.mode === 'file') {
      writeFileSync(file, edit.content);
    } else {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = '';
      }
      const present = new Set(text.split('\n'));
      const missing = edit.content.split('\n').filter((line) => line !== '' && !present.has(line));
      if (missing.length) writeFileSync(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
    }
    touched.push(edit.path);
  }
  return touched;
}

function safePath(raw: string): string {
  const path = normalize(raw);
  if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.git' || part === '.citadel') || path === '.') {
    throw new CitadelError('invalid', `recipe path "${raw}" must be a relative path inside the worktree (no .., .git or .citadel)`);
  }
  return path;
}
