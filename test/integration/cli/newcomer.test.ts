import { afterEach, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * A newcomer's first mistakes (issue 10): each gets one clear sentence saying what to do,
 * exit 1, no stack trace, and nothing half-made.
 */
describe("a newcomer's errors", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function newDir(): string {
    const dir = tempDir('citadel-newcomer-');
    cleanups.push(dir.dispose);
    return dir.path;
  }

  const expectOneLine = (stderr: string, ...parts: RegExp[]): void => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    for (const part of parts) expect(stderr).toMatch(part);
  };

  it('init outside a git repository says to run git init', async () => {
    const dir = newDir();
    const result = await runCli(['init'], { cwd: dir });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /not inside a git repository/, /git init/);
  });

  it('a data command outside a town says to run citadel init', async () => {
    const result = await runCli(['ready'], { cwd: newDir() });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /no citadel town here/, /citadel init/);
  });

  it('sling in a repository with no commits says to commit once, and leaves the bead unclaimed', async () => {
    const dir = newDir();
    git(dir, 'init', '-q', '-b', 'main');
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    const bead = await runJson<{ id: string }>(['bead', 'create', 'first task'], { cwd: dir });
    cleanups.push(async () => void (await runCli(['daemon', 'stop'], { cwd: dir })));
    const result = await runCli(['sling', bead.id, '--agent', 'scripted'], { cwd: dir });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /no commits yet/, /commit once first/);
    const after = await runJson<{ status: string; assignee: string | null }>(['bead', 'show', bead.id], { cwd: dir });
    expect(after).toMatchObject({ status: 'open', assignee: null });
  });

  it('sling with an agent that is not installed names it and the way out, and claims nothing', async () => {
    const dir = newDir();
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'initial commit');
    expect((await runCli(['init'], { cwd: dir })).code).toBe(0);
    const bead = await runJson<{ id: string }>(['bead', 'create', 'first task'], { cwd: dir });
    cleanups.push(async () => void (await runCli(['daemon', 'stop'], { cwd: dir })));
    const result = await runCli(['sling', bead.id, '--agent', 'claude'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, /claude/, /not installed/, /--agent scripted/);
    const after = await runJson<{ status: string; assignee: string | null }>(['bead', 'show', bead.id], { cwd: dir });
    expect(after).toMatchObject({ status: 'open', assignee: null });
  });
});
