import { CitadelError } from '../../common/errors.js';
import { gitRun } from '../../git/run.js';

/**
 * What a polecat's branch changed since it left main, as lines for copy mode: a heading, the
 * files with their counts (`--stat`), then the patch — `git diff main...branch`, run in the
 * town's repository (an argv array). Tabs become spaces (the view counts cells).
 */
export async function branchDiff(root: string, main: string, branch: string): Promise<string[]> {
  if (branch.startsWith('-') || main.startsWith('-')) throw new CitadelError('invalid', `not a branch name: ${branch}`);
  const range = `${main}...${branch}`;
  const result = await gitRun(root, ['diff', '--no-color', '--no-ext-diff', '--stat=120', '--patch', range, '--']);
  if (result.code !== 0) throw new CitadelError('failed', result.stderr.trim().split('\n')[0] || `git diff ${range} failed`);
  const body = result.stdout.replace(/\n$/, '');
  const heading = `git diff ${range} — what ${branch} changed (/ search, n next, q leaves)`;
  return [heading, '', ...(body ? body.split('\n').map(expandTabs) : ['(no change against main yet)'])];
}

/** A merge request that merged: its id and, when the refinery recorded them, main before it and the merged commit. */
export interface MergedRef {
  readonly id: string;
  readonly before?: string | undefined;
  readonly sha?: string | undefined;
}

/**
 * What a merged request brought to main: `git diff before..merged` from the refinery's record
 * (its branch has nothing against main any more). Without the record, one line says it merged.
 */
export async function mergedDiff(root: string, branch: string, merged: MergedRef): Promise<string[]> {
  const hex = /^[0-9a-f]{7,64}$/;
  if (!merged.before || !merged.sha || !hex.test(merged.before) || !hex.test(merged.sha)) {
    return [`${merged.id} merged ${branch} into main (q leaves)`, '', `(merged: the refinery recorded no merged commit to show the change of)`];
  }
  const range = `${merged.before}..${merged.sha}`;
  const result = await gitRun(root, ['diff', '--no-color', '--no-ext-diff', '--stat=120', '--patch', range, '--']);
  if (result.code !== 0) throw new CitadelError('failed', result.stderr.trim().split('\n')[0] || `git diff ${range} failed`);
  const body = result.stdout.replace(/\n$/, '');
  const heading = `${merged.id} merged: git diff ${merged.before.slice(0, 10)}..${merged.sha.slice(0, 10)} — what ${branch} brought to main (/ search, n next, q leaves)`;
  return [heading, '', ...(body ? body.split('\n').map(expandTabs) : ['(merged with no change to main)'])];
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}
