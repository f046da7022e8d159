import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeAllowed, claudeHooks, mergeClaudeSettings } from '../../src/agents/claude-hooks.js';
import { codexNotifyArgs } from '../../src/agents/codex-notify.js';
import { installAgentHooks, launchWithHooks, withHookArgs } from '../../src/agents/install-hooks.js';
import { shellQuote } from '../../src/agents/shell-quote.js';
import { git, makeRepo } from '../helpers/git.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('Claude Code hooks', () => {
  it('calls `citadel hook <event>` from each event, every tool for tool events', () => {
    const hooks = claudeHooks(['citadel']);
    expect(Object.keys(hooks)).toEqual(expect.arrayContaining(['Stop', 'Notification', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'SessionStart']));
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

  it('gives Codex a notify override on its command line, and other agents nothing', async () => {
    expect(await installAgentHooks('/nonexistent', 'codex')).toEqual({ kind: 'codex', files: [], args: codexNotifyArgs() });
    expect(codexNotifyArgs()).toEqual(['-c', 'notify=["citadel","hook","codex-notify"]']);
    expect(await installAgentHooks('/nonexistent', 'aider')).toEqual({ kind: null, files: [], args: [] });
    expect((await installAgentHooks('/nonexistent', 'my-codex', { hooks: 'codex' })).kind).toBe('codex');
    // `sling BEAD -- /usr/local/bin/codex --model o3`: the program's name says which hooks it has.
    const custom = await installAgentHooks('/nonexistent', 'custom', { argv: ['/usr/local/bin/codex', '--model', 'o3'] });
    expect(withHookArgs(['/usr/local/bin/codex', '--model', 'o3', 'do it'], custom)).toEqual([
      '/usr/local/bin/codex', '-c', 'notify=["citadel","hook","codex-notify"]', '--model', 'o3', 'do it',
    ]);
    expect(withHookArgs(['aider'], await installAgentHooks('/nonexistent', 'aider'))).toEqual(['aider']);
  });

  it('gives the daemon the argv to spawn in one call, and never keeps an agent from starting', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    expect(await launchWithHooks(repo.path, 'claude', ['claude', 'fix it'])).toEqual(['claude', 'fix it']);
    expect(readFileSync(join(repo.path, '.claude', 'settings.local.json'), 'utf8')).toContain('citadel hook stop');
    expect(await launchWithHooks(repo.path, 'codex', ['codex', 'fix it'])).toEqual(['codex', ...codexNotifyArgs(), 'fix it']);
    writeFileSync(join(repo.path, '.claude', 'settings.local.json'), '{ broken');
    const warnings: string[] = [];
    expect(await launchWithHooks(repo.path, 'claude', ['claude'], { warn: (m) => warnings.push(m) })).toEqual(['claude']);
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
