import { afterEach, describe, it } from 'vitest';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';
import { citadelCommand, makeTown } from './helpers/town.js';

/** A town already open in another terminal (issue 10): both work, and the second is told. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a town open in two terminals', () => {
  it('shows the same pane in both, and tells the second that it shares them', async () => {
    const town = await makeTown();
    const tmux = new Tmux();
    cleanups.push(() => town.dispose(), () => tmux.kill());
    const until = (session: string, what: string, check: (text: string) => boolean) =>
      waitFor(() => check(tmux.text(session)), `${what}; screen:\n${tmux.text(session)}`, { timeoutMs: 20_000, intervalMs: 50 });
    await town.spawn('nux', ['/bin/sh', '-c', 'echo ready-marker; exec sleep 600']);
    tmux.newSession('first', 120, 32, citadelCommand(town.path));
    await until('first', 'the pane in the first terminal', (t) => t.includes('ready-marker'));
    tmux.newSession('second', 120, 32, citadelCommand(town.path));
    await until('second', 'the pane in the second terminal', (t) => t.includes('ready-marker'));
    await until('second', 'the note that the town is open elsewhere', (t) => t.includes('also open in 1 other terminal'));
  });
});
