import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../../src/common/process.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';
import { makeTown, waitFor, type TestTown } from './harness.js';

// Issue 16: the daemon's socket lived under $XDG_RUNTIME_DIR, which differs between an SSH
// login, `su` and cron, and which logind removes with the user's last session. Another login
// then saw no daemon, started a second one, and that one restarted the polecats.

let town: TestTown | undefined;
const dirs: Array<{ dispose(): void }> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  for (const dir of dirs.splice(0)) dir.dispose();
});

interface Status {
  running: boolean;
  pid?: number;
  socket: string;
  answering?: boolean;
}

/** A login's environment: its own runtime and temp directories (`''` for unset). */
function login(xdg: string, tmp: string): NodeJS.ProcessEnv {
  return { CITADEL_RUNTIME_DIR: '', XDG_RUNTIME_DIR: xdg, TMPDIR: tmp };
}

async function run<T>(t: TestTown, env: NodeJS.ProcessEnv, args: string[]): Promise<T> {
  const result = await runCli([...args, '--json'], { cwd: t.root, env });
  if (result.code !== 0) throw new Error(`citadel ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

async function polecatPid(t: TestTown, env: NodeJS.ProcessEnv): Promise<number | null> {
  const rows = await run<Array<{ name: string; pid: number | null }>>(t, env, ['polecat', 'list']);
  return rows.find((row) => row.name === 'nux')?.pid ?? null;
}

function privateDir(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  const path = join(dir.path, 'd');
  mkdirSync(path, { mode: 0o700 });
  return path;
}

describe('one daemon per town, found from any login', () => {
  it('status, start and stop find the daemon from another XDG_RUNTIME_DIR, TMPDIR, or none, after the first is deleted; the polecat is never restarted', async () => {
    town = await makeTown();
    const t = town;
    const first = login(privateDir('citadel-xdg1-'), privateDir('citadel-tmp1-'));
    const started = await run<{ started: boolean; pid: number; socket: string }>(t, first, ['daemon', 'start']);
    expect(started.started).toBe(true);
    const id = (await runCli(['bead', 'create', 'long job'], { cwd: t.root, env: first })).stdout.trim();
    const slung = await run<{ pid: number }>(t, first, ['sling', id, '--polecat', 'nux', '--agent', 'shell']);

    // The first login ends: logind removes its runtime directory.
    rmSync(first.XDG_RUNTIME_DIR!, { recursive: true, force: true });
    const others = [first, login(privateDir('citadel-xdg2-'), privateDir('citadel-tmp2-')), login('', '')];
    for (const env of others) {
      const status = await run<Status>(t, env, ['daemon', 'status']);
      expect(status, JSON.stringify(env)).toMatchObject({ running: true, pid: started.pid, socket: started.socket, answering: true });
      const again = await run<{ started: boolean; pid: number }>(t, env, ['daemon', 'start']);
      expect(again).toMatchObject({ started: false, pid: started.pid });
      expect(await polecatPid(t, env)).toBe(slung.pid);
      expect(isAlive(slung.pid)).toBe(true);
    }
    // The socket is where tmux keeps its own: under the temp directory, not the runtime directory.
    expect(started.socket.startsWith(`${first.TMPDIR!}/citadel-`)).toBe(true);
    const text = await runCli(['daemon', 'status'], { cwd: t.root, env: others[1] });
    expect(text.stdout).toContain(`daemon running: pid ${started.pid}`);

    const stopped = await run<{ stopped: boolean; pid: number }>(t, others[2]!, ['daemon', 'stop']);
    expect(stopped).toMatchObject({ stopped: true, pid: started.pid });
    expect(isAlive(started.pid)).toBe(false);
    await waitFor(() => !isAlive(slung.pid), 'the polecat to end with its daemon');
    expect(await run<Status>(t, others[1]!, ['daemon', 'status'])).toMatchObject({ running: false });
    expect(existsSync(join(t.root, '.citadel', 'run', 'daemon.json'))).toBe(false);
  });

  it('never starts a second daemon while one holds the town, even when its socket is gone; start makes the socket again (SIGUSR1), the polecat untouched; stop still stops it', async () => {
    town = await makeTown();
    const t = town;
    const env = login(privateDir('citadel-xdg-'), privateDir('citadel-tmp-'));
    const started = await run<{ pid: number; socket: string }>(t, env, ['daemon', 'start']);
    const id = (await runCli(['bead', 'create', 'long job'], { cwd: t.root, env })).stdout.trim();
    const slung = await run<{ pid: number }>(t, env, ['sling', id, '--polecat', 'nux', '--agent', 'shell']);

    // A cleaner of temp files removes the socket (and its token, and its directory) under the running daemon.
    const gone = (): void => rmSync(dirname(started.socket), { recursive: true, force: true });
    gone();
    const status = await run<Status & { problem: string }>(t, env, ['daemon', 'status']);
    expect(status).toMatchObject({ running: true, answering: false, pid: started.pid, socketGone: true });
    expect(status.problem).toContain(started.socket);
    // The words say the gentle fix, not a restart of every polecat.
    const words = await runCli(['daemon', 'status'], { cwd: t.root, env });
    expect(words.stdout).toContain(`\`citadel daemon start\` (or \`kill -USR1 ${started.pid}\`): the polecats keep running`);
    expect(words.stdout).not.toContain('citadel daemon stop');
    // Even a daemon run by hand, which skips every check of the client, finds the town taken.
    const second = await runCli(['daemon', 'run'], { cwd: t.root, env });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('a daemon is already running');

    // `daemon start` asks the live daemon to listen again: the same daemon, the same polecat.
    const again = await run<{ started: boolean; pid: number; socket: string }>(t, env, ['daemon', 'start']);
    expect(again).toMatchObject({ started: false, pid: started.pid, socket: started.socket });
    expect(await run<Status>(t, env, ['daemon', 'status'])).toMatchObject({ running: true, answering: true, pid: started.pid });
    expect(await polecatPid(t, env)).toBe(slung.pid);
    // By hand, as with tmux: kill -USR1 <pid>.
    gone();
    expect(await run<Status>(t, env, ['daemon', 'status'])).toMatchObject({ answering: false });
    process.kill(started.pid, 'SIGUSR1');
    await waitFor(() => existsSync(started.socket), 'the socket made again on SIGUSR1');
    expect(await polecatPid(t, env)).toBe(slung.pid);
    expect(isAlive(slung.pid)).toBe(true);

    const stopped = await run<{ stopped: boolean; pid: number }>(t, env, ['daemon', 'stop']);
    expect(stopped).toMatchObject({ stopped: true, pid: started.pid });
    expect(isAlive(started.pid)).toBe(false);
    await waitFor(() => !isAlive(slung.pid), 'the polecat to end with its daemon');
    // The next start is a clean one.
    const restarted = await run<{ started: boolean; pid: number }>(t, env, ['daemon', 'start']);
    expect(restarted.started).toBe(true);
  });

  it('refuses, in one line, a runtime directory so long that the socket path would not fit', async () => {
    town = await makeTown();
    const long = join(privateDir('citadel-long-'), 'x'.repeat(90));
    const result = await runCli(['daemon', 'start'], { cwd: town.root, env: { CITADEL_RUNTIME_DIR: long } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^citadel: the daemon's socket path .* is \d+ bytes, more than a unix socket allows \(107\): set CITADEL_RUNTIME_DIR to a shorter directory/);
    expect(existsSync(long)).toBe(false);
  });

  it('still finds a daemon of a citadel from before the record, under $XDG_RUNTIME_DIR/citadel/, from its login', async () => {
    town = await makeTown();
    const t = town;
    const xdg = privateDir('citadel-oldxdg-');
    const env = login(xdg, privateDir('citadel-tmp-'));
    const started = await run<{ pid: number; socket: string }>(t, env, ['daemon', 'start']);
    // What an older citadel left: its socket and token under $XDG_RUNTIME_DIR/citadel/, no record in the town.
    const legacyDir = join(xdg, 'citadel');
    mkdirSync(legacyDir, { mode: 0o700 });
    const name = started.socket.slice(started.socket.lastIndexOf('/') + 1, -'.sock'.length);
    renameSync(started.socket, join(legacyDir, `${name}.sock`));
    renameSync(started.socket.replace(/\.sock$/, '.token'), join(legacyDir, `${name}.token`));
    rmSync(join(t.root, '.citadel', 'run', 'daemon.json'));
    expect(await run<Status>(t, env, ['daemon', 'status'])).toMatchObject({ running: true, pid: started.pid, answering: true });
    expect(await run<{ stopped: boolean; pid: number }>(t, env, ['daemon', 'stop'])).toMatchObject({ stopped: true, pid: started.pid });
  });
});
