import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

function folder(): string {
  const dir = tempDir('citadel-path-');
  cleanups.push(() => dir.dispose());
  return dir.path;
}

/**
 * A new town's default agent (issue 14): never the scripted one (it would land fake commits on
 * main); the first real agent on the PATH — claude, codex, gemini, opencode, aider — resolved at
 * sling time; none → one line saying what to install.
 */
describe('sling without --agent', () => {
  it('with no real agent on the PATH says which to install or to pass --agent, and claims nothing', async () => {
    town = await makeTown();
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'no agent'])).id;
    const empty = folder();
    const { runCli } = await import('../../helpers/cli.js');
    const result = await runCli(['sling', id], { cwd: t.root, env: { ...t.env, PATH: empty } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^citadel: no agent to sling: none of claude, codex, gemini, opencode, aider is installed/);
    expect(result.stderr).toMatch(/--agent NAME/);
    expect(await json(t, ['bead', 'show', id])).toMatchObject({ status: 'open', assignee: null });
  });

  it('runs the first real agent installed (a stand-in codex here), not the scripted one', async () => {
    const bin = join(folder(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\necho "codex stand-in ready"\nexec sleep 600\n');
    chmodSync(join(bin, 'codex'), 0o755);
    town = await makeTown({ env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'pick codex'])).id;
    const slung = await json<{ agent: string; argv: string[]; polecat: string }>(t, ['sling', id]);
    expect(slung.agent).toBe('codex');
    expect(slung.argv[0]).toBe('codex');
    await waitFor(async () => (await t.cli(['polecat', 'peek', slung.polecat])).stdout.includes('codex stand-in ready'), 'the stand-in codex');
    // Before `citadel agent setup codex`, sling says how to spare each worktree the trust question.
    const second = (await json<{ id: string }>(t, ['bead', 'create', 'another'])).id;
    const human = await t.cli(['sling', second]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/\(codex, pid \d+\)/);
    expect(human.stdout).toContain('`citadel agent setup codex` answers that for every polecat');
  });

  it('config defaultAgent still wins when set', async () => {
    town = await makeTown();
    const t = town;
    writeFileSync(join(t.root, '.citadel', 'config.json'), `${JSON.stringify({ defaultAgent: 'shell' })}\n`);
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'configured'])).id;
    expect((await json<{ agent: string }>(t, ['sling', id])).agent).toBe('shell');
  });
});
