import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installAgentHooks } from '../../../src/agent-cli/install-hooks.js';
import { openTownAt } from '../../../src/town/town.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';

/** The `citadel hook` command against the built binary: agents' reports move a polecat's status. */
let repo: { path: string; dispose: () => void };

beforeEach(async () => {
  repo = makeRepo();
  mkdirSync(join(repo.path, '.citadel'));
  // The daemon owns polecat entities; here one is made by hand, as the daemon would at sling time.
  const town = openTownAt(repo.path, 'daemon');
  await town.journal.mutate(() => ({
    changes: [{ kind: 'polecats', id: 'nux', entity: { id: 'nux', status: 'working', bead: null }, action: 'spawn' }],
    value: undefined,
  }));
  town.close();
});
afterEach(() => repo.dispose());

function polecat(): Record<string, unknown> {
  const town = openTownAt(repo.path, 'test');
  try {
    return { ...town.journal.read().get('polecats', 'nux') };
  } finally {
    town.close();
  }
}

const inPolecat = { CITADEL_POLECAT: 'nux', CITADEL_TOWN: '' };

describe('citadel hook', () => {
  it('records what Claude Code’s hooks report: working, waiting, idle', async () => {
    const prompt = await runCli(['hook', 'user-prompt-submit'], { cwd: repo.path, env: inPolecat, input: '{"hook_event_name":"UserPromptSubmit","prompt":"go"}' });
    expect(prompt).toMatchObject({ code: 0, stdout: '' });
    expect(polecat()).toMatchObject({ status: 'working', reported_status: 'working', reported_event: 'user-prompt-submit' });

    const permission = JSON.stringify({ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' });
    expect((await runCli(['hook', 'notification'], { cwd: repo.path, env: inPolecat, input: permission })).code).toBe(0);
    expect(polecat()).toMatchObject({ status: 'waiting', reported_status: 'waiting' });

    expect((await runCli(['hook', 'stop'], { cwd: repo.path, env: inPolecat, input: '{"hook_event_name":"Stop"}' })).code).toBe(0);
    const after = polecat();
    expect(after).toMatchObject({ status: 'idle', reported_status: 'idle', reported_event: 'stop' });
    expect(Date.parse(after.reported_at as string)).not.toBeNaN();
  });

  it('records Codex’s notify, whose payload is its last argument', async () => {
    const payload = JSON.stringify({ type: 'agent-turn-complete', 'turn-id': '7', 'last-assistant-message': 'done' });
    const result = await runCli(['hook', 'codex-notify', payload, '--json'], { cwd: repo.path, env: inPolecat });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ polecat: 'nux', reported: 'idle', status: 'idle', recorded: true });
    expect(polecat().status).toBe('idle');
  });

  it('runs from the installed Claude Code settings, through a shell, as Claude Code would', async () => {
    const worktree = join(repo.path, 'wt');
    mkdirSync(worktree);
    await installAgentHooks(worktree, 'claude', { citadel: [process.execPath, citadelBin] });
    const settings = JSON.parse(readFileSync(join(worktree, '.claude', 'settings.local.json'), 'utf8'));
    const command = settings.hooks.Notification[0].hooks[0].command as string;
    execFileSync('/bin/sh', ['-c', command], {
      cwd: worktree,
      env: { ...process.env, CITADEL_POLECAT: 'nux', CITADEL_TOWN: repo.path, CITADEL_ACTOR: '' },
      input: JSON.stringify({ hook_event_name: 'Notification', notification_type: 'permission_prompt' }),
    });
    expect(polecat()).toMatchObject({ status: 'waiting', reported_event: 'notification' });
  });

  it('primes the agent on SessionStart (Claude Code adds that output to its context)', async () => {
    const result = await runCli(['hook', 'session-start'], { cwd: repo.path, env: inPolecat, input: '{"source":"startup"}' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('You are polecat "nux"');
    expect(result.stdout).toContain('citadel done');
  });

  it('never fails an agent outside a polecat or for an unknown polecat; refuses unknown events without exit 2', async () => {
    const outside = await runCli(['hook', 'stop'], { cwd: repo.path });
    expect(outside).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const stranger = await runCli(['hook', 'stop'], { cwd: repo.path, env: { CITADEL_POLECAT: 'ghost' } });
    expect(stranger.code).toBe(0);
    expect(stranger.stderr).toContain('polecat ghost not found');
    const unknown = await runCli(['hook', 'explode'], { cwd: repo.path, env: inPolecat });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown hook event "explode"');
    expect(polecat().status).toBe('working');
  });
});
