import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../../helpers/git.js';
import { makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

interface MergeRequest {
  id: string;
  type: string;
  branch: string;
  polecat: string;
  bead: string;
}

describe('sling with the scripted agent', () => {
  it('three beads slung at once: three polecats, worktrees, branches with commits, and merge requests', async () => {
    town = await makeTown();
    const t = town;
    const base = git(t.root, 'rev-parse', 'main');
    const ids: string[] = [];
    for (const title of ['add a greeting', 'add a farewell', 'add a toast']) ids.push((await t.cli(['bead', 'create', title])).stdout.trim());
    const slings = await Promise.all(ids.map((id) => t.cli(['sling', id, '--agent', 'scripted', '--json'])));
    for (const result of slings) expect(result.code, result.stderr).toBe(0);
    const slung = slings.map((result) => JSON.parse(result.stdout) as { polecat: string; branch: string; worktree: string; bead: string });
    expect(new Set(slung.map((s) => s.polecat)).size).toBe(3);
    expect(new Set(slung.map((s) => s.worktree)).size).toBe(3);

    const requests = await waitFor(
      async () => {
        const list = await t.cli(['bead', 'list', '--type', 'merge_request', '--json']);
        const mrs = JSON.parse(list.stdout || '[]') as MergeRequest[];
        return mrs.length === 3 ? mrs : undefined;
      },
      'three merge requests',
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    for (const s of slung) {
      expect(s.branch).toBe(`polecat/${s.polecat}/${s.bead}`);
      expect(Number(git(t.root, 'rev-list', '--count', `${base}..${s.branch}`))).toBeGreaterThanOrEqual(1);
      expect(requests.find((mr) => mr.bead === s.bead)).toMatchObject({ branch: s.branch, polecat: s.polecat });
    }
  });
});
