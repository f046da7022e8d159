import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/daemon/client.js';
import { citadelBin, runCli } from '../helpers/cli.js';
import { gitEnv, makeRepo } from '../helpers/git.js';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';

/**
 * Thirty scripted polecats through tmux (issue 16): the overview lists all of them with their
 * statuses, the waiting one first; the panes go on pages of readable panes, the status bar
 * lists the pages and flags the waiting polecat's; prefix n and digits switch pages.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `work` over `items`, `n` at a time (thirty CLI processes at once would swamp 2 cores). */
async function inBatches<T, R>(items: readonly T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(work))));
  return out;
}

describe('thirty polecats at a glance (tmux)', () => {
  it('lists every polecat in the overview, the waiting one first; pages switch and the waiting one flags its page', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    // Each scripted step shows its spinner for ten minutes: the polecats stay working through the test.
    const env = { CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '', CITADEL_SCRIPTED_DELAY_MS: '600000' };
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.path, env: { ...env, ...extra } });
    expect((await cli(['init'])).code).toBe(0);
    cleanups.push(() => cli(['daemon', 'stop']));
    const configFile = join(repo.path, '.citadel', 'config.json');
    const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(configFile, `${JSON.stringify({ ...config, defaultAgent: 'scripted' }, null, 2)}\n`);
    expect((await cli(['daemon', 'start'])).code).toBe(0);

    // Bead 17 goes to a command that asks at once: the witness reads "(y/n)" as waiting.
    const titles = Array.from({ length: 30 }, (_, i) => `Task number ${i + 1}`);
    const beads = await inBatches(titles, 6, async (title) => {
      const made = await cli(['bead', 'create', title, '--json']);
      expect(made.code, made.stderr).toBe(0);
      return (JSON.parse(made.stdout) as { id: string }).id;
    });
    await inBatches(beads, 4, async (id) => {
      const asks = [process.execPath, '-e', "process.stdout.write('Do you want to proceed? (y/n) '); setInterval(() => {}, 1e9)"];
      const slung = await cli(id === beads[16] ? ['sling', id, '--', ...asks] : ['sling', id, '--agent', 'scripted']);
      expect(slung.code, slung.stderr).toBe(0);
    });
    const client = await connect(repo.path, { client: 'test' });
    cleanups.push(() => client.close());
    const list = () => client.request('list');
    let seen = '';
    await waitFor(async () => {
      const panes = await list();
      seen = panes.map((p) => `${p.polecat}:${p.status}`).join(' ');
      return panes.length === 30 && panes.filter((p) => p.status === 'waiting').length === 1 && panes.every((p) => ['working', 'idle', 'waiting'].includes(p.status)) ? true : undefined;
    }, 'thirty polecats, one waiting, the others working or idle', { timeoutMs: 150_000, intervalMs: 250 }).catch((error: Error) => {
      throw new Error(`${error.message}: ${seen}`);
    });
    const panes = await list();
    const waiting = panes.find((p) => p.status === 'waiting')!;

    const tmux = new Tmux();
    cleanups.push(() => tmux.kill());
    const command = ['env', ...Object.entries({ ...gitEnv, TERM: 'xterm-256color', CITADEL_ACTOR: 'overseer', NO_COLOR: '1' }).map(([k, v]) => `${k}=${v}`), process.execPath, citadelBin];
    tmux.newSession('w', 200, 50, command, {}, repo.path);
    const screen = (): string => tmux.text('w');
    const until = (what: string, check: (text: string) => boolean, timeoutMs = 30_000) =>
      waitFor(() => (check(screen()) ? true : undefined), `${what}; screen:\n${screen()}`, { timeoutMs, intervalMs: 50 });

    // Pages: thirty panes do not fit at 60×10 each; the status bar lists the pages, the shown one
    // starred and the waiting polecat's page flagged `!`.
    await until('the page list', (t) => / 1\*!?#? 2!?#? 3/.test(t));
    const pageOf = (t: string): string => (/( 1\*?!?#?(?: \d+\*?!?#?)+) │/.exec(t) ?? [])[1] ?? '';
    const tabs = pageOf(screen());
    expect(tabs).toContain('!');
    const flagged = Number(/ (\d+)\*?!/.exec(tabs)![1]);
    tmux.send('w', ['C-b', String(flagged)]);
    await until(`page ${flagged} shown`, (t) => new RegExp(` ${flagged}\\*!`).test(pageOf(t)));
    // The waiting polecat's title bar on its page carries the flag.
    await until('the flagged title', (t) => new RegExp(`!\\d+ ${waiting.polecat} `).test(t));
    tmux.send('w', ['C-b', 'n']);
    await until('the next page', (t) => new RegExp(` ${flagged + 1 > tabs.split(' ').filter(Boolean).length ? 1 : flagged + 1}\\*`).test(pageOf(t)));

    // The overview: all thirty, the waiting one on the first row.
    tmux.send('w', ['C-b', 'w']);
    await until('the overview', (t) => t.includes('30 polecats · type to filter'));
    // Commits ahead of main come from git, a moment later: every branch was just made (+0).
    await until('commits ahead', (t) => t.split('\n').filter((l) => / \+0\s*$/.test(l)).length === 30);
    const before = new Map((await list()).map((p) => [p.polecat, p.status]));
    const rows = tmux.capture('w').filter((l) => / (WORKING|WAITING|IDLE) /.test(l));
    const after = new Map((await list()).map((p) => [p.polecat, p.status]));
    expect(rows).toHaveLength(30);
    expect(rows[0]).toMatch(new RegExp(`^! WAITING\\s+${waiting.polecat}\\s+${waiting.bead} Task number 17`));
    expect(rows[0]).toMatch(/Do you want to proceed\? \(y\/n\)/);
    // Each row's status is the daemon's. The witness flips a spinning scripted agent between
    // working and idle; a row whose status changed in the last seconds may lag the daemon's list.
    for (const p of panes) {
      const row = rows.find((r) => r.includes(` ${p.polecat} `));
      expect(row, p.polecat).toBeDefined();
      const shown = / (WORKING|WAITING|IDLE) /.exec(row!)![1]!.toLowerCase();
      const age = / (\d+)(s|m|h\d\d|d)(?: +\+\d+)?(?: +\w+)? *$/.exec(row!);
      expect(age, `the time in state on ${row}`).not.toBeNull();
      const fresh = age![2] === 's' && Number(age![1]) < 5;
      if (!fresh) expect([before.get(p.polecat), after.get(p.polecat)], `${p.polecat}: ${row}`).toContain(shown);
    }


    // Typing filters; Enter opens the polecat's pane zoomed.
    const other = panes.find((p) => p.bead === beads[4])!;
    tmux.send('w', [other.bead!], true);
    await until('the filtered overview', (t) => t.includes(`1 of 30 · filter: ${other.bead}`));
    tmux.send('w', ['Enter']);
    await until('the pane zoomed', (t) => new RegExp(`\\d+ ${other.polecat} \\[zoom\\] · ${other.bead}`).test(t));
  }, 300_000);
});
