import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';
import { waitFor } from '../helpers/temp.js';
import { scriptedWorkstation } from './helpers/scripted-workstation.js';

/**
 * The panels end to end through tmux: the real binary's workstation in a real terminal, the
 * town changed from "another shell" with the CLI, triage typed as keys. `send-keys` /
 * `capture-pane` only, through the one tmux harness (private server, no config).
 */

interface Bead {
  id: string;
  title: string;
  priority: number;
  status: string;
  needs: string[];
  assignee: string | null;
  close_reason: string | null;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function workstation() {
  const { repo, env, cli, tmux, command, screen, until } = await scriptedWorkstation(cleanups);
  const keys = (...k: string[]) => tmux.send('w', k);
  const literal = (text: string) => tmux.send('w', [text], true);
  const show = (id: string) => runJson<Bead>(['bead', 'show', id], { cwd: repo.path, env });
  // Runs the workstation again in the same tmux pane (after a detach, its program is gone).
  const relaunch = () => tmux.respawn('w', command, repo.path);
  return { repo, cli, screen, until, keys, literal, show, relaunch };
}

describe('workstation panels, end to end (tmux)', () => {
  it('shows a bead created from another shell, triages it from the keyboard, and shows a polecat’s mail', async () => {
    const { cli, until, keys, literal, show, repo, relaunch } = await workstation();
    await until('the board', (t) => t.includes('Board') && t.includes('no beads yet'));

    // Another shell creates a bead: it appears on the board without a key being pressed.
    const made = await cli(['bead', 'create', 'Made in another shell', '--priority', '3', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const bead = JSON.parse(made.stdout) as Bead;
    await until('the new bead on the board', (t) => t.includes(bead.id) && t.includes('Made in another shell') && t.includes('Ready (1)'));

    // The keyboard to the panels (prefix Tab), then priority 1 with one key.
    keys('C-b', 'Tab');
    await until('the panels have the keyboard', (t) => t.includes('keys go to the panels'));
    literal('1');
    await waitFor(async () => ((await show(bead.id)).priority === 1 ? true : undefined), 'priority 1 in bead show');
    await until('P1 on the board', (t) => t.includes(`P1 ${bead.id}`));

    // A blocker: b, the other bead's id, Enter.
    const other = JSON.parse((await cli(['bead', 'create', 'Blocker bead', '--priority', '0', '--json'])).stdout) as Bead;
    await until('the blocker on the board', (t) => t.includes(other.id));
    literal('j'); // the P0 blocker is first; our bead is second
    literal('b');
    await until('the blocker form', (t) => t.includes(`${bead.id} needs`));
    literal(other.id);
    keys('Enter');
    await waitFor(async () => ((await show(bead.id)).needs.includes(other.id) ? true : undefined), 'the dependency in bead show');
    await until('the bead in Blocked, with its blocker', (t) => t.includes('Blocked (1)') && new RegExp(`${bead.id}.*⟵ ${other.id}`).test(t));

    // Close the blocker with a reason: the bead goes back to ready.
    keys('g');
    literal('c');
    await until('the close form', (t) => t.includes(`Close ${other.id}`));
    literal('not needed after all');
    keys('Enter');
    await waitFor(async () => ((await show(other.id)).status === 'closed' ? true : undefined), 'the blocker closed');
    expect((await show(other.id)).close_reason).toBe('not needed after all');
    await until('the bead ready again', (t) => t.includes('Ready (1)') && t.includes('Recently closed (1)'));

    // A polecat's mail appears in the inbox, with the unread count on the status bar.
    const sent = await cli(['mail', 'send', '--to', 'overseer', '--subject', 'Need a decision on the API', '--body', 'REST or RPC?'], { CITADEL_ACTOR: 'nux' });
    expect(sent.code).toBe(0);
    await until('the mail in the inbox', (t) => t.includes('Need a decision on the API') && /✉ 1 unread/.test(t));

    // Layout: prefix M hides the inbox; the layout is remembered for the town across a detach.
    keys('C-b', 'M');
    await until('the inbox hidden', (t) => !t.includes('Inbox') && t.includes('Refinery'));
    const remembered = JSON.parse(readFileSync(join(repo.path, '.citadel', 'run', 'layout.json'), 'utf8')) as { panels: { inbox: { visible: boolean } } };
    expect(remembered.panels.inbox.visible).toBe(false);
    // A new workstation on the same town (respawn-pane -k ends this one) reads the remembered
    // layout. (Detaching with C-b d is the workstation e2e test's; here it failed to show the
    // detach line in 2 of 4 CI rehearsals on 2026-12-02 — under investigation, see the notes.)
    relaunch();
    await until('the workstation again, without the inbox', (t) => t.includes('Board') && t.includes('Refinery') && !t.includes('Inbox'));
  });

  it('slings a bead to a polecat from the board, choosing the preset', async () => {
    const { cli, until, keys, literal, show } = await workstation();
    await until('the board', (t) => t.includes('Board'));
    const bead = JSON.parse((await cli(['bead', 'create', 'Sling me', '--json'])).stdout) as Bead;
    await until('the bead on the board', (t) => t.includes(bead.id));
    keys('C-b', 'Tab');
    await until('the panels have the keyboard', (t) => t.includes('keys go to the panels'));
    literal('s');
    await until('the sling form', (t) => t.includes(`Sling ${bead.id}`) && t.includes('‹ scripted ›'));
    keys('Enter'); // the preset (the town's default agent)
    keys('Enter'); // no polecat name: a new one
    const slung = await waitFor(async () => {
      const now = await show(bead.id);
      return now.assignee ? now : undefined;
    }, 'the bead claimed by a polecat', { timeoutMs: 30_000 });
    await until('the bead in progress on the board, with its polecat', (t) => new RegExp(`${bead.id}.*@${slung.assignee}`).test(t), 30_000);
  });
});

