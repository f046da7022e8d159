import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';
import { finishWork, makeTown } from '../refinery/town.js';

// Issue 13 ("Trust"): a repository is someone else's text. A `.citadel/…` committed as a
// symbolic link must never turn a command into a write elsewhere, and the town's files are
// this user's only.

const mode = (path: string): number => statSync(path).mode & 0o777;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('the town boundary', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));

  function town(): { root: string; outside: string; victim: string } {
    const repo = makeRepo();
    const outside = tempDir('citadel-outside-');
    disposers.push(repo.dispose, outside.dispose);
    const victim = join(outside.path, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    return { root: repo.path, outside: outside.path, victim };
  }

  async function init(root: string): Promise<void> {
    const result = await runCli(['init'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
  }

  /** A refused command: exit 1, one line naming `path`, no stack trace. */
  function expectRefused(result: { code: number; stderr: string }, path: string): void {
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/symbolic link.*never follows links/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it('refuses a .citadel that is a symbolic link, at town open, without writing through it', async () => {
    const { root, outside } = town();
    symlinkSync(outside, join(root, '.citadel'));
    for (const args of [['ready'], ['bead', 'list'], ['refinery', 'status'], ['init']]) {
      expectRefused(await runCli(args, { cwd: root }), join(root, '.citadel'));
    }
    expect(readdirSync(outside).sort()).toEqual(['victim.txt']);
  });

  it('refuses run/, logs/, worktrees/ or molecules/ as a link, and a runtime file in run/ that is one', async () => {
    const { root, outside, victim } = town();
    await init(root);
    for (const name of ['run', 'logs', 'worktrees', 'molecules']) {
      const path = join(root, '.citadel', name);
      rmSync(path, { recursive: true, force: true });
      symlinkSync(outside, path);
      expectRefused(await runCli(['ready'], { cwd: root }), path);
      expectRefused(await runCli(['refinery', 'status'], { cwd: root }), path);
      rmSync(path);
    }
    // A clone can bring `.citadel/run/refinery.lock` (or the daemon's pid file) as a link to a
    // file of the user's: a read-only command must not write through it.
    mkdirSync(join(root, '.citadel', 'run'), { recursive: true });
    const lock = join(root, '.citadel', 'run', 'refinery.lock');
    symlinkSync(victim, lock);
    expectRefused(await runCli(['refinery', 'status'], { cwd: root }), lock);
    expectRefused(await runCli(['refinery', 'run', '--once'], { cwd: root }), lock);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(outside).sort()).toEqual(['victim.txt']);
  });

  it('lists a town molecule that is a link as an error naming it, and never reads or pours it', async () => {
    const { root, outside } = town();
    await init(root);
    const target = join(outside, 'evil.md');
    writeFileSync(target, '# Evil\n\n## Step: run\nrun it\n');
    mkdirSync(join(root, '.citadel', 'molecules'), { recursive: true });
    symlinkSync(target, join(root, '.citadel', 'molecules', 'evil.md'));
    const list = await runCli(['molecule', 'list', '--json'], { cwd: root });
    expect(list.code, list.stderr).toBe(0);
    const row = (JSON.parse(list.stdout) as { name: string; error: string | null }[]).find((r) => r.name === 'evil');
    expect(row?.error).toMatch(/evil\.md is a symbolic link.*regular files/);
    const pour = await runCli(['molecule', 'pour', 'evil'], { cwd: root });
    expect(pour.code).not.toBe(0);
    expect(pour.stderr.trim().split('\n')).toHaveLength(1);
    expect(pour.stderr).toMatch(/symbolic link/);
    expect((await runCli(['bead', 'list', '--json'], { cwd: root })).stdout.trim()).toBe('[]');
  });

  it('never writes a gate log through a link: the request is held saying which link to remove', async () => {
    const { victim } = town();
    const t = makeTown({ gates: [['node', '-e', 'console.log("gate ran")']] });
    disposers.push(() => t.dispose());
    const work = await finishWork(t, 'nux', 'logged', { 'a.txt': 'a\n' });
    mkdirSync(join(t.root, '.citadel', 'logs'), { recursive: true });
    const log = join(t.root, '.citadel', 'logs', `${work.request.id}.log`);
    symlinkSync(victim, log);
    const run = await runCli(['refinery', 'run', '--once'], { cwd: t.root });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 waiting/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const held = t.bead(work.request.id).refinery?.held;
    expect(held).toContain(log);
    expect(held).toMatch(/symbolic link.*remove it/);
    rmSync(log);
    expect((await runCli(['refinery', 'run', '--once'], { cwd: t.root })).stdout).toMatch(/1 merged/);
    expect(readFileSync(log, 'utf8')).toContain('gate ran');
    expect(mode(log)).toBe(0o600);
  });

  it('says in one line what is wrong with a config.json that is a link, a folder, unreadable or not JSON', async () => {
    const { root, victim } = town();
    await init(root);
    const config = join(root, '.citadel', 'config.json');
    const oneLine = async (pattern: RegExp): Promise<void> => {
      const result = await runCli(['ready'], { cwd: root });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(config);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
    };
    rmSync(config);
    symlinkSync(victim, config);
    await oneLine(/symbolic link/);
    rmSync(config);
    mkdirSync(config);
    await oneLine(/is not a file: the town config must be a JSON file: move it away and run `citadel init`/);
    rmSync(config, { recursive: true });
    writeFileSync(config, '{"gates": [');
    await oneLine(/not valid JSON/);
    if (!isRoot) {
      writeFileSync(config, '{}');
      chmodSync(config, 0o000);
      await oneLine(/cannot be read \(permission denied\): make it readable \(`chmod u\+r/);
      chmodSync(config, 0o600);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('keeps the town private: .citadel/, run/ and logs/ 0700 when made, and tightened when a clone left them open', async () => {
    const { root } = town();
    await init(root);
    const citadel = join(root, '.citadel');
    expect(mode(citadel)).toBe(0o700);
    expect(mode(join(citadel, 'run'))).toBe(0o700);
    expect(mode(join(citadel, 'logs'))).toBe(0o700);
    expect(mode(join(citadel, 'config.json'))).toBe(0o600);
    // As a clone with a lax umask, or an older citadel, would leave them.
    chmodSync(citadel, 0o755);
    chmodSync(join(citadel, 'run'), 0o777);
    chmodSync(join(citadel, 'logs'), 0o755);
    writeFileSync(join(citadel, 'run', 'layout.json'), '{}', { mode: 0o644 });
    chmodSync(join(citadel, 'run', 'layout.json'), 0o644);
    const result = await runCli(['ready'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    expect(mode(citadel)).toBe(0o700);
    expect(mode(join(citadel, 'run'))).toBe(0o700);
    expect(mode(join(citadel, 'logs'))).toBe(0o700);
    expect(mode(join(citadel, 'run', 'layout.json'))).toBe(0o600);
  });
});
