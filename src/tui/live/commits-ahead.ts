import { gitRun } from '../../git/run.js';

/**
 * How many commits each branch has that `main` does not (`git rev-list --count main..branch`,
 * run in the town's repository, four at a time). A branch git does not know is left out.
 */
export async function commitsAhead(root: string, main: string, branches: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const queue = [...new Set(branches)].filter((b) => !b.startsWith('-'));
  const worker = async (): Promise<void> => {
    for (let branch = queue.shift(); branch !== undefined; branch = queue.shift()) {
      const result = await gitRun(root, ['rev-list', '--count', `${main}..${branch}`, '--']);
      const n = Number(result.stdout.trim());
      if (result.code === 0 && Number.isInteger(n)) out.set(branch, n);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}
