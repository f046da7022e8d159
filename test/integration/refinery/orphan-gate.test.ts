import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { gitEnv } from '../../helpers/git.js';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { finishWork, makeTown, type TestTown } from './town.js';

// Issue 13: a daemon (or refinery) killed during a gate leaves the gate's process group
// running; the restarted refinery ends that group before it runs the gate again, and never
// signals a process that merely got the same pid since.

/** Running, as opposed to gone or a zombie waiting to be reaped. */
const running = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
};

const startTime = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

// The gate: records whether any process of an earlier run is still running when it starts
// ("clean" or "OVERLAP"), starts a child in its group, records both pids, and blocks while
// the `block` file exists.
const gateScript = `
const fs = require('fs'), cp = require('child_process'), path = require('path');
const dir = __dirname, pidsFile = path.join(dir, 'pids');
const running = (pid) => { try { const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); return !/^[ZX]/.test(s.slice(s.lastIndexOf(')') + 2)); } catch { return false; } };
const before = fs.existsSync(pidsFile) ? fs.readFileSync(pidsFile, 'utf8').split('\\n').filter(Boolean).map(Number) : [];
const left = before.filter(running);
fs.appendFileSync(path.join(dir, 'runs'), left.length ? 'OVERLAP ' + left.join(',') + '\\n' : 'clean\\n');
const child = cp.spawn('sleep', ['120'], { stdio: 'ignore' });
fs.appendFileSync(pidsFile, process.pid + '\\n' + child.pid + '\\n');
if (fs.existsSync(path.join(dir, 'block'))) setInterval(() => {}, 1000); else child.kill();
`;

describe('an orphan gate after a crash', () => {
  const towns: TestTown[] = [];
  const disposers: (() => void)[] = [];
  const children: ChildProcess[] = [];
  const pids: number[] = [];
  afterEach(() => {
    children.splice(0).forEach((child) => child.kill('SIGKILL'));
    pids.splice(0).forEach((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    });
    towns.splice(0).forEach((t) => t.dispose());
    disposers.splice(0).forEach((dispose) => dispose());
  });

  it('kill -9 of the refinery mid-gate: the restart ends the old gate’s whole group before the gate runs again', async () => {
    const dir = tempDir('citadel-gate-');
    disposers.push(dir.dispose);
    writeFileSync(join(dir.path, 'gate.js'), gateScript);
    const t = makeTown({ gates: [['node', join(dir.path, 'gate.js')]] });
    towns.push(t);
    const work = await finishWork(t, 'nux', 'outlives its refinery', { 'a.txt': 'a\n' });
    writeFileSync(join(dir.path, 'block'), '');

    const refinery = spawn(process.execPath, [citadelBin, 'refinery', 'run'], {
      cwd: t.root,
      env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '' },
      stdio: 'ignore',
    });
    children.push(refinery);
    const pidsFile = join(dir.path, 'pids');
    const first = await waitFor(() => {
      const list = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      return list.length === 2 ? list : undefined;
    }, 'the gate and its child to start');
    pids.push(...first);
    refinery.kill('SIGKILL');
    await waitFor(() => refinery.exitCode !== null || refinery.signalCode !== null, 'the refinery to die');
    // The orphans: the gate and its child outlive the refinery.
    expect(first.every(running)).toBe(true);
    expect(readFileSync(join(t.root, '.citadel', 'run', 'refinery-gate.pid'), 'utf8').split('\n')[0]).toBe(String(first[0]));

    rmSync(join(dir.path, 'block'));
    const restart = await runCli(['refinery', 'run', '--once'], { cwd: t.root });
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/1 merged/);
    // The gate's second run found nothing of the first one running: it was ended before.
    expect(readFileSync(join(dir.path, 'runs'), 'utf8').split('\n').filter(Boolean)).toEqual(['clean', 'clean']);
    expect(first.some(running)).toBe(false);
    expect(t.bead(work.request.id).state).toBe('merged');
    expect(existsSync(join(t.root, '.citadel', 'run', 'refinery-gate.pid'))).toBe(false);
  });

  it('kill -9 of the daemon hosting the refinery mid-gate: the next daemon ends the old group before gating again', async () => {
    const dir = tempDir('citadel-gate-');
    disposers.push(dir.dispose);
    writeFileSync(join(dir.path, 'gate.js'), gateScript);
    const runtime = join(dir.path, 'rt');
    mkdirSync(runtime, { mode: 0o700 });
    chmodSync(runtime, 0o700);
    const env = { CITADEL_RUNTIME_DIR: runtime };
    const t = makeTown({ gates: [['node', join(dir.path, 'gate.js')]] });
    towns.push(t);
    const daemonPid = async (): Promise<number | undefined> => {
      const status = await runCli(['daemon', 'status', '--json'], { cwd: t.root, env });
      return status.code === 0 ? (JSON.parse(status.stdout) as { pid?: number }).pid : undefined;
    };
    const work = await finishWork(t, 'nux', 'outlives its daemon', { 'a.txt': 'a\n' });
    writeFileSync(join(dir.path, 'block'), '');

    expect((await runCli(['daemon', 'start'], { cwd: t.root, env })).code).toBe(0);
    const pidsFile = join(dir.path, 'pids');
    const first = await waitFor(() => {
      const list = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
      return list.length === 2 ? list : undefined;
    }, 'the gate and its child to start under the daemon');
    pids.push(...first);
    const daemon = (await daemonPid())!;
    pids.push(daemon);
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !running(daemon), 'the daemon to die');
    expect(first.every(running)).toBe(true);

    rmSync(join(dir.path, 'block'));
    expect((await runCli(['daemon', 'start'], { cwd: t.root, env })).code).toBe(0);
    pids.push((await daemonPid())!);
    await waitFor(() => t.bead(work.request.id).state === 'merged', 'the request to land under the new daemon', { timeoutMs: 30_000 });
    expect(readFileSync(join(dir.path, 'runs'), 'utf8').split('\n').filter(Boolean)).toEqual(['clean', 'clean']);
    expect(first.some(running)).toBe(false);
    expect((await runCli(['daemon', 'stop'], { cwd: t.root, env })).code).toBe(0);
  });

  it('never ends a process that only has the recorded pid: its start time and folder must match', async () => {
    const t = makeTown();
    towns.push(t);
    await runRefinery(t.root, { once: true }); // makes the refinery's worktree
    const worktree = realpathSync(join(t.root, '.citadel', 'worktrees', '_refinery'));
    const pidFile = join(t.root, '.citadel', 'run', 'refinery-gate.pid');
    const sleeper = (cwd: string): number => {
      const child = spawn('sleep', ['120'], { cwd, detached: true, stdio: 'ignore' });
      child.unref();
      pids.push(child.pid!);
      return child.pid!;
    };

    // In the right folder, but started at another time than recorded: a reused pid.
    const reused = sleeper(worktree);
    writeFileSync(pidFile, `${reused}\n${worktree}\n1\n`);
    await runRefinery(t.root, { once: true });
    expect(running(reused)).toBe(true);
    expect(existsSync(pidFile)).toBe(false);

    // The right start time, another folder.
    const elsewhere = sleeper(t.root);
    writeFileSync(pidFile, `${elsewhere}\n${worktree}\n${startTime(elsewhere)}\n`);
    await runRefinery(t.root, { once: true });
    expect(running(elsewhere)).toBe(true);

    // Both match: the orphan is ended, and gone by the time the refinery goes on.
    writeFileSync(pidFile, `${reused}\n${worktree}\n${startTime(reused)}\n`);
    await runRefinery(t.root, { once: true });
    expect(running(reused)).toBe(false);
  });
});
