import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareTrust } from '../../../src/agent-cli/agent-trust.js';
import { runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function setup(): { town: string; home: string; env: NodeJS.ProcessEnv } {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  const home = tempDir('citadel-home-');
  cleanups.push(() => home.dispose());
  return { town: repo.path, home: home.path, env: { HOME: home.path, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '' } };
}

describe('citadel agent setup', () => {
  it('shows what it would change and changes nothing without consent', async () => {
    const { town, home, env } = setup();
    expect((await runCli(['init'], { cwd: town, env })).code).toBe(0);
    const result = await runCli(['agent', 'setup', 'claude'], { cwd: town, env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${join(home, '.claude.json')}: projects["`);
    expect(result.stderr).toMatch(/citadel: nothing changed: run `citadel agent setup claude --yes`/);
    expect(() => statSync(join(home, '.claude.json'))).toThrow();
  });

  it('with --yes trusts the worktrees folder in ~/.claude.json (keeping the rest, and its mode), and each new worktree at its start', async () => {
    const { town, home, env } = setup();
    expect((await runCli(['init'], { cwd: town, env })).code).toBe(0);
    const file = join(home, '.claude.json');
    writeFileSync(file, JSON.stringify({ theme: 'dark', projects: { '/elsewhere': { hasTrustDialogAccepted: false } } }), { mode: 0o600 });
    const result = await runCli(['agent', 'setup', 'claude', '--yes', '--json'], { cwd: town, env });
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const worktrees = join(town, '.citadel', 'worktrees');
    expect(config.theme).toBe('dark');
    expect(config.projects['/elsewhere']).toEqual({ hasTrustDialogAccepted: false });
    expect(config.projects[worktrees]).toEqual({ hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // At a pane start, with the consent recorded: the new worktree too.
    const nux = join(worktrees, 'nux');
    mkdirSync(nux, { recursive: true });
    expect(await prepareTrust(join(town, '.citadel'), 'claude', nux, env)).toEqual({});
    expect(JSON.parse(readFileSync(file, 'utf8')).projects[nux].hasTrustDialogAccepted).toBe(true);
    // Not for an agent the user did not set up.
    expect(await prepareTrust(join(town, '.citadel'), 'gemini', nux, env)).toEqual({});
  });

  it('codex: a trusted project and citadel\'s notify in ~/.codex/config.toml; gemini: trusted through its polecats\' environment only', async () => {
    const { town, home, env } = setup();
    expect((await runCli(['init'], { cwd: town, env })).code).toBe(0);
    mkdirSync(join(home, '.codex'));
    writeFileSync(join(home, '.codex', 'config.toml'), 'model = "o3"');
    expect((await runCli(['agent', 'setup', 'codex', '--yes'], { cwd: town, env })).code).toBe(0);
    const worktrees = join(town, '.citadel', 'worktrees');
    const toml = readFileSync(join(home, '.codex', 'config.toml'), 'utf8');
    // And citadel's notify at the top (Codex honours the user's notify, not a project's).
    expect(toml).toBe(`notify = ["citadel", "hook", "codex-notify"]\nmodel = "o3"\n\n[projects.${JSON.stringify(worktrees)}]\ntrust_level = "trusted"\n`);
    // Twice changes nothing.
    expect((await runCli(['agent', 'setup', 'codex', '--yes'], { cwd: town, env })).code).toBe(0);
    expect(readFileSync(join(home, '.codex', 'config.toml'), 'utf8')).toBe(toml);

    expect((await runCli(['agent', 'setup', 'gemini', '--yes'], { cwd: town, env })).code).toBe(0);
    expect(await prepareTrust(join(town, '.citadel'), 'gemini', join(worktrees, 'ace'), env)).toEqual({ GEMINI_CLI_TRUST_WORKSPACE: 'true' });
  });

  it('refuses an unknown agent in one line', async () => {
    const { town, env } = setup();
    expect((await runCli(['init'], { cwd: town, env })).code).toBe(0);
    const result = await runCli(['agent', 'setup', 'vim'], { cwd: town, env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^citadel: unknown agent "vim" for setup \(known: claude, codex, gemini, opencode, aider\)$/);
  });
});
