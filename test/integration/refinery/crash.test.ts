import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { progress } from '../../../src/refinery/verdicts.js';
import { modelContext } from '../../../src/model/context.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { git, gitEnv } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { finishWork, mainLog, makeTown, type TestTown } from './town.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('refinery crash safety', () => {
  const towns: TestTown[] = [];
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  afterEach(() => {
    children.splice(0).forEach((child) => child.kill('SIGKILL'));
    pids.splice(0).forEach((pid) => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    });
    towns.splice(0).forEach((t) => t.dispose());
  });

  it('kill -9 in the middle of a gate leaves main as it was; a restart completes the request and ends the orphan gate', async () => {
    // The gate blocks while .citadel/block exists, recording its pid.
    const gate = [
      'node',
      '-e',
      "const fs=require('fs'),p=require('path'); const f=p.join(process.env.CITADEL_TOWN,'.citadel','block'); if(fs.existsSync(f)){fs.writeFileSync(f+'.pid',String(process.pid)); setInterval(()=>{},1000)} else console.log('gate passed')",
    ];
    const t = makeTown({ gates: [gate] });
    towns.push(t);
    const work = await finishWork(t, 'nux', 'survives a crash', { 'a.txt': 'a\n' });
    const before = git(t.root, 'rev-parse', 'main');
    const block = join(t.root, '.citadel', 'block');
    writeFileSync(block, '');
    const refinery = spawn(process.execPath, [citadelBin, 'refinery', 'run'], {
      cwd: t.root,
      env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '' },
      stdio: 'ignore',
    });
    children.push(refinery);
    const gatePid = Number(await waitFor(() => existsSync(`${block}.pid`) && readFileSync(`${block}.pid`, 'utf8'), 'the gate to start'));
    pids.push(gatePid);
    expect(t.bead(work.request.id).state).toBe('testing');
    refinery.kill('SIGKILL');
    await waitFor(() => refinery.exitCode !== null || refinery.signalCode !== null, 'the refinery to die');
    expect(git(t.root, 'rev-parse', 'main')).toBe(before);
    expect(alive(gatePid)).toBe(true);
    // Status does not show the dead worker's request as if it were landing.
    const status = await runCli(['refinery', 'status'], { cwd: t.root });
    expect(status.stdout).toMatch(new RegExp(`now: +${work.request.id} .* testing · gate 1/1.*\\(interrupted: resumed from the start when a worker runs\\)`));

    rmSync(block);
    const restart = await runCli(['refinery', 'run', '--once'], { cwd: t.root });
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/interrupted at gate 1\/1.*requeued/);
    expect(restart.stdout).toMatch(/1 merged, 0 rejected/);
    expect(t.bead(work.request.id).state).toBe('merged');
    expect(t.bead(work.request.id).refinery?.attempts).toBe(2);
    expect(mainLog(t.root)).toEqual(['initial commit', `${work.bead.id}: survives a crash`]);
    await waitFor(() => !alive(gatePid), 'the orphan gate to be ended');
    const log = readFileSync(join(t.root, '.citadel', 'logs', `${work.request.id}.log`), 'utf8');
    expect(log).toContain('interrupted');
    expect(log).toContain('gate passed');
  });

  it('a crash after main moved but before the verdict is completed on restart, without landing twice', async () => {
    const t = makeTown();
    towns.push(t);
    const work = await finishWork(t, 'nux', 'landed just before the crash', { 'a.txt': 'a\n' });
    const before = git(t.root, 'rev-parse', 'main');
    const context = modelContext('refinery', 'ct');
    const validation = { validator: 'refinery', main_before: before, merged_sha: work.tip, commits: 1, gates: [], total_ms: 5 };
    await t.town.journal.mutate(progress(context, work.request.id, 'testing', { stage: 'landing', candidate: work.tip, main_before: before, validation }));
    git(t.root, 'merge', '--ff-only', '-q', work.tip);
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([work.request.id]);
    expect(t.bead(work.request.id).state).toBe('merged');
    expect(t.bead(work.bead.id).status).toBe('closed');
    expect(t.mail('nux')).toHaveLength(1);
    expect(mainLog(t.root)).toEqual(['initial commit', `${work.bead.id}: landed just before the crash`]);
  });

  it('refuses a second refinery on the same town', async () => {
    const t = makeTown();
    towns.push(t);
    const controller = new AbortController();
    const first = runRefinery(t.root, { signal: controller.signal, pollMs: 20 });
    const second = await waitFor(async () => {
      const result = await runCli(['refinery', 'run', '--once'], { cwd: t.root });
      return result.code === 1 && result.stderr;
    }, 'the second refinery to be refused');
    expect(second).toMatch(/already running/);
    controller.abort();
    await first;
  });
});
