import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { gitEnv, makeRepo } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { Tmux } from './tmux.js';

/**
 * A new town (the scripted agent its default, so no real agent CLI is needed) with the real
 * binary's workstation in a 180×50 tmux pane `w`; the CLI runs as "another shell" in the town.
 * `extra` goes to both (e.g. CITADEL_NO_QUERY_INDEX=1). Teardown (daemon stop, tmux, repo) is
 * pushed on `cleanups`.
 */
export async function scriptedWorkstation(cleanups: Array<() => unknown>, extra: Record<string, string> = {}, untilTimeoutMs = 20_000) {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  const env = { CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '', ...extra };
  const cli = (args: string[], more: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.path, env: { ...env, ...more } });
  const init = await cli(['init']);
  expect(init.code, init.stderr).toBe(0);
  cleanups.push(() => cli(['daemon', 'stop']));
  const configFile = join(repo.path, '.citadel', 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(configFile, `${JSON.stringify({ ...config, defaultAgent: 'scripted' }, null, 2)}\n`);
  const tmux = new Tmux();
  cleanups.push(() => tmux.kill());
  const command = ['env', ...Object.entries({ ...gitEnv, ...extra, TERM: 'xterm-256color', CITADEL_ACTOR: 'overseer', NO_COLOR: '1' }).map(([k, v]) => `${k}=${v}`), process.execPath, citadelBin];
  tmux.newSession('w', 180, 50, command, {}, repo.path);
  const screen = (): string => tmux.text('w');
  const until = (what: string, check: (text: string) => boolean, timeoutMs = untilTimeoutMs) =>
    waitFor(() => (check(screen()) ? true : undefined), `${what}; screen:\n${screen()}`, { timeoutMs, intervalMs: 50 });
  return { repo, env, cli, tmux, command, screen, until };
}
