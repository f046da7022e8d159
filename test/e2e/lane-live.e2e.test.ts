import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { citadelBin, runCli } from '../helpers/cli.js';
import { gitEnv, makeRepo } from '../helpers/git.js';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';

/**
 * Issue 16's QA: a polecat's `citadel done` merged at once, and an open workstation's lane must
 * show it (it stayed on "no merge requests" while a fresh attach showed "✓ merged"). Run in both
 * of the panels' read modes: through the query index, and in memory (CITADEL_NO_QUERY_INDEX=1).
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mergedLive(extra: Record<string, string>): Promise<void> {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  const env = { CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '', ...extra };
  const cli = (args: string[]) => runCli(args, { cwd: repo.path, env });
  expect((await cli(['init'])).code).toBe(0);
  cleanups.push(() => cli(['daemon', 'stop']));
  const configFile = join(repo.path, '.citadel', 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(configFile, `${JSON.stringify({ ...config, defaultAgent: 'scripted' }, null, 2)}\n`);
  const tmux = new Tmux();
  cleanups.push(() => tmux.kill());
  const command = ['env', ...Object.entries({ ...gitEnv, ...extra, TERM: 'xterm-256color', CITADEL_ACTOR: 'overseer', NO_COLOR: '1' }).map(([k, v]) => `${k}=${v}`), process.execPath, citadelBin];
  tmux.newSession('w', 180, 50, command, {}, repo.path);
  const screen = (): string => tmux.text('w');
  const until = (what: string, check: (text: string) => boolean, timeoutMs = 30_000) =>
    waitFor(() => (check(screen()) ? true : undefined), `${what}; screen:\n${screen()}`, { timeoutMs, intervalMs: 50 });
  await until('the lane, empty', (t) => t.includes('Refinery') && t.includes('no merge requests'));
  const id = (await cli(['bead', 'create', 'Add a file'])).stdout.trim();
  await until(`the bead ${id} on the board`, (t) => t.includes(id));
  const slung = await cli(['sling', id, '--polecat', 'nux']);
  expect(slung.code, slung.stderr).toBe(0);
  // The refinery merges the request: the journal says so, and the open lane must too.
  const mr = await waitFor(async () => {
    const status = JSON.parse((await cli(['refinery', 'status', '--json'])).stdout) as { recent: Array<{ id: string; state: string }> };
    return status.recent.find((r) => r.state === 'merged')?.id;
  }, 'the request merged (refinery status)', { timeoutMs: 90_000, intervalMs: 200 });
  await until(`the lane shows the merge of ${mr}`, (t) => new RegExp(`✓ merged +${mr}`).test(t), 10_000);
}

describe('the refinery lane follows a merge live (tmux)', () => {
  it('through the query index', async () => {
    await mergedLive({});
  });
  it('in memory (CITADEL_NO_QUERY_INDEX=1)', async () => {
    await mergedLive({ CITADEL_NO_QUERY_INDEX: '1' });
  });
});
