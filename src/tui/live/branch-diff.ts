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

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}
