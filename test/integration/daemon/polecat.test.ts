import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/journal/index.js';
import { git } from '../../helpers/git.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

interface Row {
  name: string;
  status: string;
  bead: string | null;
  pid: number | null;
  branch: string | null;
  worktree: string;
}

const polecats = (t: TestTown) => json<Row[]>(t, ['polecat', 'list']);
const bead = (t: TestTown, id: string) => json<{ status: string; assignee: string | null }>(t, ['bead', 'show', id]);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('polecats', () => {
  it('slings a bead to a shell polecat: worktree, branch, env, nudge, peek, and kill hands the bead back', async () => {
    town = await makeTown();
    const id = (await json<{ id: string }>(town, ['bead', 'create', 'say hello'])).id;
    const slung = await json<{ polecat: string; branch: string; worktree: string; pid: number }>(town, ['sling', id, '--polecat', 'nux', '--agent', 'shell']);
    expect(slung).toMatchObject({ polecat: 'nux', branch: `polecat/nux/${id}` });
    expect(slung.worktree).toBe(join(town.root, '.citadel', 'worktrees', 'nux'));
    expect(git(slung.worktree, 'branch', '--show-current')).toBe(`polecat/nux/${id}`);
    expect(git(town.root, 'status', '--porcelain')).not.toContain('worktrees');
    expect(await bead(town, id)).toMatchObject({ status: 'in_progress', assignee: 'nux' });

    const t = town;
    await waitFor(async () => (await polecats(t))[0]?.status === 'waiting', 'the shell prompt to read as waiting', { timeoutMs: 30_000 });
    expect((await t.cli(['nudge', 'nux', 'echo "[$CITADEL_POLECAT|$CITADEL_BEAD|$CITADEL_ACTOR]"; command -v citadel'])).code).toBe(0);
    await waitFor(async () => (await t.cli(['polecat', 'peek', 'nux'])).stdout.includes(`[nux|${id}|nux]`), 'the nudge output on the screen');
    const peek = (await t.cli(['polecat', 'peek', 'nux'])).stdout;
    expect(peek).toMatch(/bin\/citadel\n/);

    // A restart keeps the bead and the worktree; only the process is new.
    const restarted = await json<{ pid: number }>(t, ['polecat', 'restart', 'nux']);
    expect(restarted.pid).not.toBe(slung.pid);
    expect(alive(slung.pid)).toBe(false);
    expect(await bead(t, id)).toMatchObject({ status: 'in_progress', assignee: 'nux' });
    await waitFor(async () => (await polecats(t))[0]?.status === 'waiting', 'the restarted shell prompt', { timeoutMs: 30_000 });

    // The witness writes status changes only: never the same status twice in a row.
    const journal = openJournal(join(t.root, '.citadel', 'journal'), { writer: 'test' });
    const records = [...journal.records()].filter((r) => r.kind === 'polecats' && r.id === 'nux');
    journal.close();
    const statusOf = (r: (typeof records)[number]) => (r.entity as { status?: string } | undefined)?.status;
    expect(records.map(statusOf)).toContain('waiting');
    // Every witness event is a change from the record before it.
    records.forEach((record, i) => {
      if (record.action === 'status') expect(statusOf(record)).not.toBe(statusOf(records[i - 1]!));
    });

    const killed = await json<{ released: string | null }>(t, ['polecat', 'kill', 'nux']);
    expect(killed.released).toBe(id);
    expect(alive(restarted.pid)).toBe(false);
    expect(await bead(t, id)).toMatchObject({ status: 'open', assignee: null });
    const mail = await json<Array<{ subject: string; body: string }>>(t, ['mail', 'inbox', '--for', 'overseer']);
    expect(mail.some((m) => m.subject.includes(`nux exited with ${id} unfinished`))).toBe(true);
    const [row] = await polecats(t);
    expect(row).toMatchObject({ name: 'nux', status: 'exited', bead: null, branch: `polecat/nux/${id}` });
    expect(existsSync(slung.worktree)).toBe(true);

    // Slung again, the polecat resumes its own branch in its own worktree.
    const again = await json<{ polecat: string; resumed: boolean; reused: boolean }>(t, ['sling', id, '--agent', 'shell']);
    expect(again).toMatchObject({ polecat: 'nux', resumed: true, reused: true });
  });

  it('refuses injected names and missing agents with one clear line, claiming nothing', async () => {
    town = await makeTown();
    const id = (await json<{ id: string }>(town, ['bead', 'create', 'guarded'])).id;
    for (const name of ['../x', '-rf', '@{-1}', 'a b', 'a..b']) {
      const result = await town.cli(['sling', id, `--polecat=${name}`, '--agent', 'shell']);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(/invalid polecat name/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    for (const badId of ['../x', '-rf', '@{-1}', 'a b', 'a..b']) {
      const result = await town.cli(['sling', badId, '--agent', 'shell']);
      expect(result.code, badId).not.toBe(0);
      expect(result.stderr, badId).toMatch(/invalid bead id|unknown option/);
    }
    const missing = await town.cli(['sling', id, '--', 'no-such-agent-xyz', '--flag']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/`no-such-agent-xyz` is not installed/);
    expect(await bead(town, id)).toMatchObject({ status: 'open', assignee: null });
    expect(await polecats(town)).toEqual([]);
    expect(existsSync(join(town.root, '.citadel', 'worktrees', 'nux'))).toBe(false);
  });

  it('recovers after kill -9 of the daemon: no orphan, the polecat restarted in its worktree and branch', async () => {
    town = await makeTown();
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'survive'])).id;
    const slung = await json<{ pid: number; worktree: string }>(t, ['sling', id, '--polecat', 'ace', '--agent', 'shell']);
    await waitFor(async () => (await polecats(t))[0]?.status === 'waiting', 'the prompt', { timeoutMs: 30_000 });
    await t.cli(['nudge', 'ace', 'echo work > note.txt && git add note.txt && git commit -qm "keep me"']);
    await waitFor(() => git(slung.worktree, 'log', '--oneline', '-1').includes('keep me'), 'the commit');

    const daemon = await json<{ pid: number }>(t, ['daemon', 'status']);
    process.kill(daemon.pid, 'SIGKILL');
    await waitFor(() => !alive(daemon.pid), 'the daemon to die');
    await waitFor(() => !alive(slung.pid), 'its pty program to die with it (no orphan)');

    const started = await json<{ started: boolean }>(t, ['daemon', 'start']);
    expect(started.started).toBe(true);
    const row = await waitFor(async () => (await polecats(t)).find((p) => p.pid !== null && p.pid !== slung.pid), 'the polecat restarted');
    expect(row).toMatchObject({ name: 'ace', bead: id, branch: `polecat/ace/${id}`, worktree: slung.worktree });
    expect(git(slung.worktree, 'log', '--oneline', '-1')).toContain('keep me');
    expect(await bead(t, id)).toMatchObject({ status: 'in_progress', assignee: 'ace' });
    // The restarted program is live, in the polecat's worktree, on its branch, with its bead:
    // asked through the pane itself (a peek that only returned something proved nothing).
    await waitFor(async () => (await polecats(t)).find((p) => p.name === 'ace')?.status === 'waiting', 'the restarted prompt', { timeoutMs: 30_000 });
    expect((await t.cli(['nudge', 'ace', 'echo "cwd=$(basename "$PWD") bead=$CITADEL_BEAD branch=$(git branch --show-current)"'])).code).toBe(0);
    const where = `cwd=ace bead=${id} branch=polecat/ace/${id}`;
    await waitFor(async () => (await t.cli(['polecat', 'peek', 'ace'])).stdout.includes(where), `the restarted pane to print ${where}`);

    // With onLostPolecat "ready", a crash gives the bead back instead.
    const config = join(t.root, '.citadel', 'config.json');
    const current = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(config, JSON.stringify({ ...current, onLostPolecat: 'ready' }));
    const second = await json<{ pid: number }>(t, ['daemon', 'status']);
    process.kill(second.pid, 'SIGKILL');
    await waitFor(() => !alive(second.pid), 'the daemon to die again');
    await json(t, ['daemon', 'start']);
    await waitFor(async () => (await polecats(t))[0]?.status === 'lost', 'the polecat marked lost');
    expect(await bead(t, id)).toMatchObject({ status: 'open', assignee: null });
  });
});
