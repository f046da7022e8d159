import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';
import { citadelCommand, makeTown } from './helpers/town.js';

/** Attaching (issue 16): the final layout at once, and polecats lost with the daemon shown as lost. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const town = await makeTown();
  const tmux = new Tmux();
  cleanups.push(() => town.dispose(), () => tmux.kill());
  const until = (session: string, what: string, check: (text: string) => boolean, timeoutMs = 20_000) =>
    waitFor(() => check(tmux.text(session)), `${what}; screen:\n${tmux.text(session)}`, { timeoutMs, intervalMs: 50 });
  const cli = async (...args: string[]): Promise<string> => {
    const result = await runCli(args, { cwd: town.path });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  return { town, tmux, until, cli };
}

describe('attach (tmux)', () => {
  it('shows the final layout at once: never the panes alone with another status bar first', async () => {
    const { town, tmux } = await setup();
    await town.spawn('nux', ['/bin/sh', '-c', 'echo ready-marker; exec sleep 600']);
    tmux.newSession('ws', 140, 40, citadelCommand(town.path));
    // Every screen from the start: the first that shows the pane must already show the panels
    // and their status bar (the plain start-up chrome said "citadel · <town> │ 1 pane").
    const seen: string[] = [];
    await waitFor(
      () => {
        const text = tmux.text('ws');
        if (seen[seen.length - 1] !== text) seen.push(text);
        return text.includes('ready-marker') && text.includes('Board');
      },
      'the workstation with its panels',
      { timeoutMs: 30_000, intervalMs: 15 },
    );
    const withPane = seen.filter((t) => t.includes('ready-marker'));
    expect(withPane.length).toBeGreaterThan(0);
    for (const screen of withPane) {
      expect(screen, 'a screen with the pane but without the panels').toContain('Board');
      expect(screen).not.toMatch(/citadel · \S+ │ 1 pane/);
    }
  });

  it('shows polecats lost with the daemon as lost, with how to restart them; restarted, the bead is back in the title', async () => {
    const { town, tmux, until, cli } = await setup();
    // Lost polecats are not brought back at the next start (so the person sees them lost).
    const configPath = join(town.path, '.citadel', 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), onLostPolecat: 'ready' }, null, 2));
    const id = (JSON.parse(await cli('bead', 'create', 'survive the daemon', '--json')) as { id: string }).id;
    await cli('sling', id, '--polecat', 'nux', '--json', '--', 'sh', '-c', 'echo "working on $CITADEL_BEAD"; exec sleep 600');
    await cli('daemon', 'stop');
    tmux.newSession('ws', 140, 40, citadelCommand(town.path));
    await until('ws', 'the lost polecat and how to restart it', (t) => /nux\s+lost/.test(t) && t.includes('citadel polecat restart nux'));
    expect(tmux.text('ws')).not.toContain('No polecats yet');

    await cli('polecat', 'restart', 'nux');
    await until('ws', 'the restarted pane with its bead in the title bar', (t) => t.includes(`working on ${id}`) && t.includes(`1 nux · ${id} survive the daemon`));
    const list = JSON.parse(await cli('polecat', 'list', '--json')) as Array<{ name: string; bead: string | null }>;
    expect(list.find((p) => p.name === 'nux')?.bead).toBe(id);
  });
});
