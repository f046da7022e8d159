// Refinery overhead per merge request, gates excluded (budget: ≤ 300 ms), on a repository
// with 1k commits and 1k files: everything the refinery does around the gates — journal
// writes, the rebase in its worktree, the fast-forward of main and of the user's checkout,
// the verdict with its mail. Knobs: BENCH_REFINERY_MRS (default 20).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRefinery } from '../dist/refinery/refinery.js';
import { modelContext } from '../dist/model/context.js';
import { createBead } from '../dist/model/operations.js';
import { openTownAt } from '../dist/town/town.js';

const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/** CPU time of this process and its waited-for children (git), from /proc: stable under load, unlike wall time. */
function cpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of stat (11–14 after the command name).
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return (ticks * 1000) / 100;
}

/** 1k commits, each adding one of 1k files, through fast-import (seconds, not minutes). */
function makeHistory(root, count) {
  const parts = [];
  for (let i = 1; i <= count; i++) {
    const message = `commit ${i}`;
    const content = `file ${i}\n${'x'.repeat(200)}\n`;
    parts.push(`commit refs/heads/main\nmark :${i}\ncommitter Bench <b@example.com> ${1700000000 + i} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`);
    if (i > 1) parts.push(`from :${i - 1}\n`);
    parts.push(`M 644 inline src/dir${i % 20}/f${i}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`);
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: root, input: parts.join(''), env });
  git(root, 'reset', '-q', '--hard', 'main');
}

export async function run() {
  const requests = Number(process.env.BENCH_REFINERY_MRS ?? 20);
  const root = mkdtempSync(join(tmpdir(), 'citadel-bench-refinery-'));
  try {
    git(root, 'init', '-q', '-b', 'main');
    makeHistory(root, 1000);
    mkdirSync(join(root, '.citadel'));
    writeFileSync(join(root, '.citadel', 'config.json'), '{}');
    writeFileSync(join(root, '.git', 'info', 'exclude'), '/.citadel/\n');
    console.log(`repository: ${git(root, 'rev-list', '--count', 'main')} commits, ${git(root, 'ls-files').split('\n').length} files`);

    // Branches made as polecats make them: each from main's tip, one commit, a merge request.
    const scratch = join(root, '.citadel', 'scratch');
    git(root, 'worktree', 'add', '-q', '--detach', scratch, 'main');
    const makeRequests = async (from, count) => {
      const town = openTownAt(root, 'overseer');
      for (let i = from; i < from + count; i++) {
        const branch = `polecat/p${i}/ct-b${i}`;
        git(scratch, 'switch', '-q', '--detach', 'main');
        git(scratch, 'switch', '-q', '-c', branch);
        writeFileSync(join(scratch, `src/dir${(i + 1) % 20}/f${i + 1}.txt`), `edited by request ${i}\n`);
        writeFileSync(join(scratch, `new-${i}.txt`), `new file ${i}\n`);
        git(scratch, 'add', '-A');
        git(scratch, 'commit', '-q', '-m', `request ${i}`);
        await town.journal.mutate(createBead(modelContext(`p${i}`, 'ct'), { type: 'merge_request', title: `merge ${branch}`, branch, polecat: `p${i}` }));
      }
      town.close();
    };

    // One request first: the refinery's worktree (a checkout of 1k files) is made once per town.
    await makeRequests(0, 1);
    const setupStart = performance.now();
    await runRefinery(root, { once: true });
    const setup = performance.now() - setupStart;

    await makeRequests(1, requests);
    git(root, 'worktree', 'remove', '--force', scratch);
    const cpuBefore = cpuMs();
    const start = performance.now();
    await runRefinery(root, { once: true });
    const total = performance.now() - start;
    const cpu = cpuMs() - cpuBefore;
    const landed = Number(git(root, 'rev-list', '--count', 'main')) - 1001;
    console.log(`one-time setup (the refinery's worktree) and first request: ${setup.toFixed(0)} ms`);
    console.log(`landed ${landed}/${requests} requests, each rebased onto a main that moved, main checked out and clean`);
    console.log(`refinery overhead per merge request, gates excluded: ${(total / requests).toFixed(1)} ms wall (budget ≤ 300 ms), ${(cpu / requests).toFixed(1)} ms CPU (refinery + git), load average ${loadavg()[0].toFixed(1)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
