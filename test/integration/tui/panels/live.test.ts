import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initTown } from '../../../../src/town/create.js';
import { modelContext } from '../../../../src/model/context.js';
import { createBead, sendMail, updateBead } from '../../../../src/model/operations.js';
import { openMoleculeLibrary } from '../../../../src/town/molecules.js';
import { openTownAt, type Town } from '../../../../src/town/town.js';
import { readLayout, writeLayout, layoutFile } from '../../../../src/tui/live/layout-store.js';
import { commandRunner } from '../../../../src/tui/live/run-command.js';
import { createTownFeed, type TownFeed } from '../../../../src/tui/live/town-feed.js';
import { TownIndex } from '../../../../src/tui/live/town-index.js';
import { tailLines } from '../../../../src/tui/live/gate-tail.js';
import { initialLayout, layoutReducer } from '../../../../src/tui/state/layout-reducer.js';
import { makeRepo } from '../../../helpers/git.js';
import { waitFor } from '../../../helpers/temp.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

function town(actor = 'overseer'): { root: string; open: (who?: string) => Town } {
  const repo = makeRepo();
  disposers.push(repo.dispose);
  initTown({ cwd: repo.path, env: {} });
  const open = (who = actor): Town => {
    const t = openTownAt(repo.path, who);
    disposers.push(() => t.close());
    return t;
  };
  return { root: repo.path, open };
}

function feedOf(t: Town): TownFeed {
  const feed = createTownFeed({ town: t, name: 'demo', presets: ['scripted'], molecules: [] });
  disposers.push(() => feed.close());
  return feed;
}

describe('live town feed', () => {
  it('reflects another writer’s bead, mail and merge request without being asked', async () => {
    const { open } = town();
    const mine = open();
    const feed = feedOf(mine);
    await feed.ready;
    let told = 0;
    feed.subscribe(() => told++);
    expect(feed.getSnapshot().beads).toEqual([]);

    const agent = open('nux');
    const ctx = modelContext('nux', 'ct');
    const { value: created } = await agent.journal.mutate(createBead(ctx, { title: 'From another writer', priority: 1 }));
    const seen = await waitFor(() => feed.getSnapshot().beads.find((b) => b.id === created.id), 'the new bead in the snapshot');
    expect(seen.title).toBe('From another writer');
    expect(told).toBeGreaterThan(0);
    await agent.journal.mutate(sendMail(ctx, { to: 'overseer', subject: 'Done with it', body: 'see branch' }));
    const mail = await waitFor(() => feed.getSnapshot().mail[0], 'the mail in the snapshot');
    expect(mail).toMatchObject({ from: 'nux', to: 'overseer', subject: 'Done with it' });
    const events = feed.getSnapshot().events;
    expect(events.at(-1)).toMatchObject({ writer: 'nux', kind: 'beads' });
    expect(feed.history(created.id).map((e) => e.action)).toContain('create');
  });

  it('a refresh that fails (the index busy under a writer) loses no records: the next one shows the merge (issue 16 QA)', async () => {
    const { open } = town();
    const errors: Error[] = [];
    // The index is built by the first writer; the workstation's handle, opened after, reads through it.
    const refinery = open('refinery');
    const ctx = modelContext('refinery', 'ct');
    await refinery.journal.mutate(createBead(ctx, { title: 'first' }));
    const feed = createTownFeed({ town: open(), name: 'demo', presets: ['scripted'], molecules: [], watch: false, onError: (e) => errors.push(e) });
    disposers.push(() => feed.close());
    expect(feed.getSnapshot().index).toBeDefined();
    const apply = vi.spyOn(TownIndex.prototype, 'apply').mockImplementationOnce(() => {
      throw new Error('database is locked');
    });
    disposers.push(() => apply.mockRestore());
    const { setMergeRequestState } = await import('../../../../src/model/operations.js');
    const { value: mr } = await refinery.journal.mutate(createBead(ctx, { title: 'merge nux', type: 'merge_request', branch: 'polecat/nux', polecat: 'nux' }));
    await refinery.journal.mutate(setMergeRequestState(ctx, mr.id, 'merged'));
    feed.refresh();
    expect(errors.map((e) => e.message)).toEqual(['database is locked']);
    feed.refresh();
    expect(feed.getSnapshot().mergeRequests.find((m) => m.id === mr.id)?.state).toBe('merged');
    expect(feed.getSnapshot().events.filter((e) => e.id === mr.id)).toHaveLength(2);
  });

  it('tails the current merge request’s gate log as it grows', async () => {
    const { open, root } = town();
    const mine = open();
    const refinery = open('refinery');
    const ctx = modelContext('refinery', 'ct');
    const { value: mr } = await refinery.journal.mutate(createBead(ctx, { title: 'merge ada', type: 'merge_request', branch: 'polecat/ada', polecat: 'ada' }));
    await refinery.journal.mutate(updateBead(ctx, mr.id, { title: 'merge ada' }));
    const { setMergeRequestState } = await import('../../../../src/model/operations.js');
    await refinery.journal.mutate(setMergeRequestState(ctx, mr.id, 'testing'));
    const logs = join(root, '.citadel', 'logs');
    mkdirSync(logs, { recursive: true });
    const feed = feedOf(mine);
    await feed.ready;
    expect(feed.getSnapshot().mergeRequests[0]?.state).toBe('testing');
    appendFileSync(join(logs, `${mr.id}.log`), '> npm test\n');
    await waitFor(() => feed.getSnapshot().gateTail.includes('> npm test'), 'the first log line');
    appendFileSync(join(logs, `${mr.id}.log`), 'ok 1 - works\n');
    await waitFor(() => feed.getSnapshot().gateTail.at(-1) === 'ok 1 - works', 'the next log line');
  });

  it('reads a log tail without escapes, from the end of a big file', () => {
    const { root } = town();
    const file = join(root, 'big.log');
    appendFileSync(file, `${'x'.repeat(100)}\n`.repeat(1000) + '\x1b[32mgreen\x1b[0m\nlast\n');
    expect(tailLines(file, 2)).toEqual(['green', 'last']);
    expect(tailLines(join(root, 'missing.log'), 5)).toEqual([]);
  });
});

/** Another writer on the same town as `t`, closed after the test. */
function openTownAtFor(t: Town, actor: string): Town {
  const other = openTownAt(t.paths.root, actor);
  disposers.push(() => other.close());
  return other;
}

describe('command runner', () => {
  it('runs triage commands as journal mutations by the overseer', async () => {
    const { open, root } = town();
    const t = open();
    const run = commandRunner({
      town: t,
      molecules: openMoleculeLibrary({ townDir: t.paths.molecules, cwd: root }),
      cli: async (args) => ({ polecat: `fake-${args[1]}` }),
    });
    const created = await run({ kind: 'create', title: 'PanelsModel me', type: 'bug', priority: 3, labels: ['ui'], body: 'b' });
    const id = /created (\S+)/.exec(created ?? '')?.[1] ?? '';
    const bead = () => t.journal.read().get('beads', id) as Record<string, unknown>;
    expect(bead()).toMatchObject({ title: 'PanelsModel me', type: 'bug', priority: 3, labels: ['ui'], created_by: 'overseer' });
    await run({ kind: 'priority', id, priority: 0 });
    expect(bead().priority).toBe(0);
    const other = /created (\S+)/.exec((await run({ kind: 'create', title: 'Blocker', type: 'task', priority: 2, labels: [], body: '' })) ?? '')?.[1] ?? '';
    await run({ kind: 'dep', op: 'add', id, needs: other });
    expect(bead().needs).toEqual([other]);
    await expect(run({ kind: 'dep', op: 'add', id: other, needs: id })).rejects.toThrow(/cycle|→/);
    await run({ kind: 'dep', op: 'rm', id, needs: other });
    expect(bead().needs).toEqual([]);
    expect(await run({ kind: 'sling', id, preset: 'scripted' })).toBe(`slung ${id} to fake-${id}`);
    const { claimBead } = await import('../../../../src/model/operations.js');
    await openTownAtFor(t, 'nux').journal.mutate(claimBead(modelContext('nux', 'ct'), id));
    expect(bead()).toMatchObject({ assignee: 'nux', status: 'in_progress' });
    await run({ kind: 'release', id });
    expect(bead()).toMatchObject({ assignee: null, status: 'open' });
    await run({ kind: 'close', id, reason: 'fixed' });
    expect(bead()).toMatchObject({ status: 'closed', close_reason: 'fixed' });
    await run({ kind: 'reopen', id });
    expect(bead()).toMatchObject({ status: 'open' });
    await run({ kind: 'close', id, reason: 'fixed' });
    const sent = await run({ kind: 'mail', to: 'nux', subject: 'hello', body: 'there' });
    const mailId = /sent (\S+)/.exec(sent ?? '')?.[1] ?? '';
    expect(t.journal.read().get('beads', mailId)).toMatchObject({ from: 'overseer', to: 'nux', subject: 'hello' });
    const poured = await run({ kind: 'pour', molecule: 'quick-fix', vars: { issue: 'login fails' } });
    expect(poured).toMatch(/poured quick-fix: \S+ with \d+ steps/);
  });
});

describe('layout store', () => {
  it('remembers the layout per town and falls back to the default', () => {
    const { root } = town();
    const run = join(root, '.citadel', 'run');
    expect(readLayout(run)).toBe(initialLayout);
    const changed = layoutReducer(initialLayout, { type: 'toggle', panel: 'feed' });
    writeLayout(run, changed);
    expect(readLayout(run)).toEqual(changed);
    appendFileSync(layoutFile(run), 'garbage');
    expect(readLayout(run)).toBe(initialLayout);
  });
});
