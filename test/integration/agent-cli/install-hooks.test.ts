import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeAllowed, claudeHooks, mergeClaudeSettings } from '../../../src/agent-cli/claude-hooks.js';
import { geminiEvents } from '../../../src/agent-cli/gemini-hooks.js';
import { opencodeConfigContent } from '../../../src/agent-cli/opencode-plugin.js';
import { installAgentHooks, launchWithHooks, withHookArgs } from '../../../src/agent-cli/install-hooks.js';
import { shellQuote } from '../../../src/agent-cli/shell-quote.js';
import { git, makeRepo } from '../../helpers/git.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('Claude Code hooks', () => {
  it('calls `citadel hook <event>` from each event, every tool for tool events', () => {
    const hooks = claudeHooks(['citadel']);
    expect(Object.keys(hooks)).toEqual(
      expect.arrayContaining(['Stop', 'StopFailure', 'Notification', 'PermissionRequest', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SessionStart']),
    );
    expect(hooks.PermissionRequest![0]!.hooks[0]!.command).toBe('citadel hook permission-request');
    expect(hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: 'citadel hook stop', timeout: 10 }] }]);
    expect(hooks.PreToolUse![0]!.matcher).toBe('*');
  });

  it('merges with the user’s own settings and hooks, idempotently', () => {
    const mine = { permissions: { allow: ['Bash(npm test)'] }, hooks: { Stop: [{ hooks: [{ type: 'command' as const, command: 'say done' }] }] } };
    const once = mergeClaudeSettings(mine);
    const twice = mergeClaudeSettings(once);
    expect(twice).toEqual(once);
    // The user's permissions stay; citadel's own work commands are allowed without a prompt, once.
    expect(once.permissions).toEqual({ allow: ['Bash(npm test)', ...claudeAllowed] });
    expect(JSON.stringify(once)).not.toMatch(/citadel (sling|nudge|polecat|daemon)/);
    expect(once.hooks!.Stop!.map((g) => g.hooks[0]!.command)).toEqual(['say done', 'citadel hook stop']);
  });

  it('quotes a citadel path with spaces for the shell', () => {
    expect(shellQuote(['/opt/my tools/citadel', 'hook', "it's"])).toBe(`'/opt/my tools/citadel' hook 'it'\\''s'`);
  });
});

describe('installAgentHooks', () => {
  it('writes .claude/settings.local.json in a polecat worktree, git-excluded', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const worktree = join(repo.path, '.citadel', 'worktrees', 'nux');
    git(repo.path, 'worktree', 'add', '-q', '-b', 'polecat/nux/ct-1', worktree);
    mkdirSync(join(worktree, '.claude'));
    writeFileSync(join(worktree, '.claude', 'settings.local.json'), JSON.stringify({ model: 'opus' }));

    const installed = await installAgentHooks(worktree, 'claude', { citadel: ['node', '/x/citadel.js'] });
    expect(installed.kind).toBe('claude');
    const settings = JSON.parse(readFileSync(join(worktree, '.claude', 'settings.local.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.hooks.Notification[0].hooks[0].command).toBe('node /x/citadel.js hook notification');
    // The agent's `git status` stays clean: the settings are not work to commit.
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    await installAgentHooks(worktree, 'claude', { citadel: ['node', '/x/citadel.js'] });
    const exclude = readFileSync(join(repo.path, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.split('\n').filter((l) => l === '/.claude/settings.local.json')).toHaveLength(1);
  });

  it('gives Codex a project config (no -c on its command line, no hooks.json), git-excluded', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const installed = await installAgentHooks(repo.path, 'codex', { citadel: ['citadel'] });
    expect(installed).toEqual({ kind: 'codex', files: [join(repo.path, '.codex', 'config.toml')], args: [], env: {} });
    // hooks.json would open every new worktree on Codex's "Hooks need review" dialog.
    expect(existsSync(join(repo.path, '.codex', 'hooks.json'))).toBe(false);
    const config = readFileSync(join(repo.path, '.codex', 'config.toml'), 'utf8');
    expect(config).toMatch(/^check_for_update_on_startup = false$/m);
    // Its commands must not run in a login shell, whose /etc/profile drops the polecat's PATH.
    expect(config).toMatch(/^allow_login_shell = false$/m);
    expect(git(repo.path, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    // Rewritten at the next start (it is citadel's), with self-update allowed if the config says so.
    await installAgentHooks(repo.path, 'codex', { selfUpdate: true });
    expect(readFileSync(join(repo.path, '.codex', 'config.toml'), 'utf8')).not.toMatch(/check_for_update/);
    // A project config of the user's own is never touched.
    const other = makeRepo();
    cleanups.push(other.dispose);
    mkdirSync(join(other.path, '.codex'));
    writeFileSync(join(other.path, '.codex', 'config.toml'), 'model = "o3"\n');
    expect((await installAgentHooks(other.path, 'codex')).files).toEqual([]);
    expect(readFileSync(join(other.path, '.codex', 'config.toml'), 'utf8')).toBe('model = "o3"\n');
    // `sling BEAD -- /usr/local/bin/codex --model o3`: the program's name says which agent it is.
    expect((await installAgentHooks(other.path, 'custom', { argv: ['/usr/local/bin/codex', '--model', 'o3'] })).kind).toBe('codex');
    expect(await installAgentHooks('/nonexistent', 'aider')).toEqual({ kind: null, files: [], args: [], env: {} });
    expect(withHookArgs(['aider'], await installAgentHooks('/nonexistent', 'aider'))).toEqual(['aider']);
  });

  it('gives Gemini CLI hooks in the worktree\'s .gemini/settings.json (merged, git-excluded), its auto-update off; never a tracked one', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    mkdirSync(join(repo.path, '.gemini'));
    writeFileSync(join(repo.path, '.gemini', 'settings.json'), JSON.stringify({ ui: { theme: 'x' }, hooks: { AfterAgent: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] } }));
    const installed = await installAgentHooks(repo.path, 'gemini');
    expect(installed).toEqual({ kind: 'gemini', files: [join(repo.path, '.gemini', 'settings.json')], args: [], env: {} });
    const settings = JSON.parse(readFileSync(join(repo.path, '.gemini', 'settings.json'), 'utf8'));
    expect(settings.ui).toEqual({ theme: 'x' });
    expect(settings.general).toEqual({ enableAutoUpdate: false, enableAutoUpdateNotification: false });
    expect(settings.hooks.AfterAgent.map((g: { hooks: Array<{ command: string }> }) => g.hooks[0]!.command)).toEqual(['notify-send done', 'citadel hook after-agent']);
    expect(Object.keys(settings.hooks)).toEqual(expect.arrayContaining(Object.keys(geminiEvents)));
    expect(settings.hooks.BeforeTool[0].hooks[0].timeout).toBe(10_000);
    expect(git(repo.path, 'status', '--porcelain', '--untracked-files=all')).toBe('');

    const tracked = makeRepo();
    cleanups.push(tracked.dispose);
    mkdirSync(join(tracked.path, '.gemini'));
    writeFileSync(join(tracked.path, '.gemini', 'settings.json'), '{"model":"x"}\n');
    git(tracked.path, 'add', '.gemini/settings.json');
    git(tracked.path, 'commit', '-q', '-m', 'project settings');
    expect((await installAgentHooks(tracked.path, 'gemini')).files).toEqual([]);
    expect(readFileSync(join(tracked.path, '.gemini', 'settings.json'), 'utf8')).toBe('{"model":"x"}\n');
  });

  it('gives opencode a status plugin named in OPENCODE_CONFIG_CONTENT (nothing in the worktree), keeping the user\'s own content', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const town = makeRepo(); // the town's .citadel/run (git-excluded in a real town)
    cleanups.push(town.dispose);
    const run = join(town.path, 'run');
    const installed = await installAgentHooks(repo.path, 'opencode', { citadel: ['/opt/citadel'], runDir: run, baseEnv: { OPENCODE_CONFIG_CONTENT: '{"model":"x","plugin":["my-plugin"]}' } });
    const file = join(run, 'agents', 'opencode-citadel-status.js');
    expect(JSON.parse(installed.env.OPENCODE_CONFIG_CONTENT!)).toEqual({ model: 'x', plugin: ['my-plugin', `file://${file}`] });
    const plugin = readFileSync(file, 'utf8');
    expect(plugin).toContain('["/opt/citadel"]');
    expect(plugin).toMatch(/permission\.asked/);
    // opencode npm-installs its plugin package into every .opencode/ it loads: none is made.
    expect(existsSync(join(repo.path, '.opencode'))).toBe(false);
    expect(git(repo.path, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(JSON.parse(opencodeConfigContent('not json', '/p.js'))).toEqual({ plugin: ['file:///p.js'] });
  });

  it('gives the daemon the argv and environment to spawn in one call, and never keeps an agent from starting', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    expect(await launchWithHooks(repo.path, 'claude', ['claude', 'fix it'])).toEqual({ argv: ['claude', 'fix it'], env: {} });
    expect(readFileSync(join(repo.path, '.claude', 'settings.local.json'), 'utf8')).toContain('citadel hook stop');
    expect(await launchWithHooks(repo.path, 'codex', ['codex', 'fix it'])).toEqual({ argv: ['codex', 'fix it'], env: {} });
    writeFileSync(join(repo.path, '.claude', 'settings.local.json'), '{ broken');
    const warnings: string[] = [];
    expect(await launchWithHooks(repo.path, 'claude', ['claude'], { warn: (m) => warnings.push(m) })).toEqual({ argv: ['claude'], env: {} });
    expect(warnings[0]).toMatch(/status hooks not installed for claude .*not valid settings JSON/);
  });

  it('refuses to overwrite a settings file it cannot read, naming it', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    mkdirSync(join(repo.path, '.claude'));
    writeFileSync(join(repo.path, '.claude', 'settings.local.json'), '{ not json');
    await expect(installAgentHooks(repo.path, 'claude')).rejects.toThrow(/settings\.local\.json: not valid settings JSON/);
    expect(readFileSync(join(repo.path, '.claude', 'settings.local.json'), 'utf8')).toBe('{ not json');
  });
});
