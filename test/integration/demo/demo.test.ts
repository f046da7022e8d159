import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDemoTown } from '../../../src/demo/setup.js';
import { openTownAt } from '../../../src/town/town.js';
import type { DemoReport } from '../../../src/demo/summary.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { Tmux } from '../../e2e/helpers/tmux.js';
import { citadelCommand } from '../../e2e/helpers/town.js';

/**
 * `citadel demo` for real: the built binary, real git, the real daemon, refinery and scripted
 * agents. Headless, its JSON report is checked against the repository and the refinery; with
 * the workstation, through tmux, the screen is watched as the town works.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Bead {
  id: string;
  type: string;
  title: string;
  status: string;
  labels: string[];
}

/** Ends whatever a demo town may have left (its detached dispatcher, its daemon), then removes it. */
function disposeTown(parent: { path: string; dispose: () => void }, dir: string): () => Promise<void> {
  return async () => {
    const pidFile = join(dir, '.citadel', 'run', 'demo-dispatcher.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (existsSync(join(dir, '.citadel'))) await runCli(['daemon', 'stop'], { cwd: dir });
    parent.dispose();
  };
}

describe('citadel demo', () => {
  it('refuses a non-empty --dir, writing nothing', async () => {
    const parent = tempDir('citadel-demo-test-');
    cleanups.push(() => parent.dispose());
    writeFileSync(join(parent.path, 'keep.txt'), 'mine\n');
    const result = await runCli(['demo', '--dir', parent.path, '--no-tui'], { cwd: parent.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${parent.path} is not empty`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(parent.path, '.git'))).toBe(false);
    expect(existsSync(join(parent.path, '.citadel'))).toBe(false);
  });

  it('refuses bad flags with a usage error', async () => {
    const parent = tempDir('citadel-demo-test-');
    cleanups.push(() => parent.dispose());
    const timeout = await runCli(['demo', '--no-tui', '--timeout', 'soon'], { cwd: parent.path });
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout takes a number of seconds');
    const polecats = await runCli(['demo', '--no-tui', '--polecats', '0'], { cwd: parent.path });
    expect(polecats.code).toBe(2);
    expect(polecats.stderr).toContain('--polecats takes a number from 1 to 16');
    writeFileSync(join(parent.path, 'file'), '');
    const file = await runCli(['demo', '--no-tui', '--dir', join(parent.path, 'file')], { cwd: parent.path });
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('is a file: give --dir a new or empty directory');
  });

  it('the detached dispatcher never starts a stopped daemon: it stops with it', async () => {
    const parent = tempDir('citadel-demo-test-');
    const dir = join(parent.path, 'town');
    cleanups.push(disposeTown(parent, dir));
    mkdirSync(dir);
    await buildDemoTown(dir, process.env);
    const drive = await runCli(['demo', '--drive', dir, '--timeout', '60'], { cwd: parent.path });
    expect(drive.code).toBe(1);
    expect(drive.stdout).toContain('the daemon is gone (citadel daemon stop?): the dispatcher stops too');
    expect(drive.stdout).toContain('dispatcher: stopped (daemon)');
    const status = await runJson<{ running: boolean }>(['daemon', 'status'], { cwd: dir });
    expect(status.running).toBe(false);
    // Nothing was left claimed by the slings that could not start.
    const claimed = await runJson<Bead[]>(['bead', 'list', '--status', 'in_progress'], { cwd: dir });
    expect(claimed.filter((b) => b.type !== 'epic')).toEqual([]);
  });

  it('runs the whole town headless (no terminal): every bead closed, both bounces reworked and merged, main green', async () => {
    const parent = tempDir('citadel-demo-test-');
    const dir = join(parent.path, 'town');
    cleanups.push(disposeTown(parent, dir));
    // Not a terminal and no --no-tui: the demo says so and runs headless.
    const result = await runCli(['demo', '--dir', dir, '--json'], { cwd: parent.path, timeoutMs: 200_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('not a terminal, so no workstation: running headless');
    const report = JSON.parse(result.stdout) as DemoReport;

    expect(report).toMatchObject({ dir, healthy: true, problems: [], mainGreen: true, daemonStopped: true, polecatsRunning: 0 });
    // 12 beads + the quick-fix molecule (its epic and 4 steps).
    expect(report.counts.beads).toEqual({ total: 17, closed: 17, open: [] });
    expect(report.counts.epic.closed).toBe(true);
    expect(report.counts.merges).toBe(16);
    expect(report.counts.bounces.map((b) => b.kind).sort()).toEqual(['conflict', 'gate']);
    expect(report.counts.bounces.every((b) => b.mergedLater)).toBe(true);
    expect(report.counts.mails).toBeGreaterThan(16);
    expect(report.gateOutput).toMatch(/^\d+ passed, 0 failed$/);

    // The journal agrees: every work bead closed.
    const beads = await runJson<Bead[]>(['bead', 'list', '--status', 'closed'], { cwd: dir });
    const work = beads.filter((b) => b.type !== 'message' && b.type !== 'merge_request');
    expect(work).toHaveLength(17);

    // main holds a commit for every bead, the bounced ones included (rebased after the bounce).
    const subjects = git(dir, 'log', '--format=%s', 'main');
    for (const bead of work.filter((b) => b.type !== 'epic')) expect(subjects).toContain(`${bead.id}: `);
    const gateBounce = report.counts.bounces.find((b) => b.kind === 'gate')!;
    const conflictBounce = report.counts.bounces.find((b) => b.kind === 'conflict')!;
    expect(gateBounce.reason).toContain('node test/run.js');
    expect(conflictBounce.reason).toContain('src/index.js');
    // The truncate bead: its buggy first try and the fix both landed, fixed.
    expect(subjects.split('\n').filter((s) => s.startsWith(`${gateBounce.bead}: `))).toHaveLength(2);
    expect(readFileSync(join(dir, 'src', 'truncate.js'), 'utf8')).toContain('text.slice(0, max - 1)');
    // The conflict's rework kept both sides: both exports are on main.
    const index = git(dir, 'show', 'main:src/index.js');
    expect(index).toContain("export { reverseWords } from './reverse.js';");
    expect(index).toContain("export { titleCase } from './title-case.js';");

    // The refinery remembers both bounces, and every merge.
    const lane = await runJson<{ counts: { merged: number; rejected: number; queued: number } }>(['refinery', 'status'], { cwd: dir });
    expect(lane.counts).toMatchObject({ merged: 16, rejected: 2, queued: 0 });
    // Each verdict is a validation record (issue 20): 16 accepted with main's commit, 2 rejected.
    const journal = openTownAt(dir, 'overseer');
    cleanups.push(() => journal.close());
    const verdicts = [...journal.journal.read().all('validations').values()] as unknown as Array<{ verdict: string; main_commit: string | null; validator_address: string }>;
    expect(verdicts.filter((v) => v.verdict === 'accepted' && v.main_commit)).toHaveLength(16);
    expect(verdicts.filter((v) => v.verdict === 'rejected')).toHaveLength(2);
    expect(verdicts.every((v) => v.validator_address.startsWith('entity://citadel/') && v.validator_address.endsWith('/refinery'))).toBe(true);
    // The overseer was told about each bounce, and the end.
    const inbox = await runJson<Array<{ subject: string; from: string }>>(['mail', 'inbox'], { cwd: dir, env: { CITADEL_ACTOR: 'overseer' } });
    expect(inbox.filter((m) => m.from === 'dispatcher').map((m) => m.subject).join('\n')).toMatch(/bounced: [\s\S]*bounced: [\s\S]*|the town is done/);
    expect(inbox.some((m) => m.subject.startsWith('the town is done'))).toBe(true);
  }, 240_000);

  it('opens the workstation on the demo town: panes, board, lane and inbox change as the town works', async () => {
    const parent = tempDir('citadel-demo-test-');
    const dir = join(parent.path, 'town');
    mkdirSync(dir);
    const tmux = new Tmux();
    cleanups.push(disposeTown(parent, dir), () => tmux.kill());
    const trace = join(parent.path, 'tui-trace.txt');
    tmux.newSession('demo', 160, 48, citadelCommand(parent.path, ['demo', '--dir', dir]), { CITADEL_SCRIPTED_DELAY_MS: '250', NO_COLOR: '1', CITADEL_TUI_TRACE: trace });
    const until = (what: string, check: (text: string) => boolean, timeoutMs = 60_000) =>
      waitFor(() => check(tmux.text('demo')), `${what}; screen:\n${tmux.text('demo')}`, { timeoutMs, intervalMs: 100 });
    const readyCount = (t: string): number => Number(/(\d+) ready/.exec(t)?.[1] ?? -1);

    // Early: polecats at work in their panes, beads waiting on the board, the inbox empty.
    await until('polecat panes and the board', (t) => /scripted agent · \w+/.test(t) && t.includes('Board') && t.includes('Refinery') && t.includes('Inbox')).catch((error: Error) => {
      // What the workstation did (its trace) says more than a blank screen.
      const tail = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').slice(-30).join('\n') : '(no trace)';
      throw new Error(`${error.message}\nworkstation trace (last lines):\n${tail}`);
    });
    const early = tmux.text('demo');
    expect(early).toMatch(/In progress \(\d+\)/);
    // The lane has requests in flight; the bounces reach the inbox as the dispatcher's mail.
    await until('merge requests in the refinery lane', (t) => /(merging|testing|queued)\s+\S+ polecat\//.test(t));
    await until('mail in the inbox', (t) => /dispatcher\s+bounced: /.test(t) && !/Inbox\s+0 unread/.test(t));
    // Later: merges on the lane, and the board drained: nothing ready, nothing working.
    await until('the town finished', (t) => t.includes('merged') && /Recently closed \(17\)/.test(t) && readyCount(t) === 0, 120_000);
    await until("the dispatcher's last mail", (t) => /dispatcher\s+the town is done/.test(t));

    // Detach: the demo says where the town is, and exits 0.
    tmux.send('demo', ['C-b', 'd']);
    await until('detached', (t) => t.includes(`The demo town is in ${dir}`) && t.includes('EXIT=0'));
    // The detached dispatcher finishes by itself (it closed every bead) and removes its pid file.
    await waitFor(() => !existsSync(join(dir, '.citadel', 'run', 'demo-dispatcher.pid')), 'the dispatcher to exit', { timeoutMs: 20_000 });
    expect(readFileSync(join(dir, '.citadel', 'logs', 'demo.log'), 'utf8')).toContain('dispatcher: every bead closed');
  }, 240_000);
});
