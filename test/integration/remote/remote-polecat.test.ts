import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../src/daemon/client.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { sshdMissing, startSshd, type TestSshd } from './sshd.js';

/**
 * Remote polecats over a real OpenSSH server (docs/remote.md): a second local user on
 * 127.0.0.1 is "the host". Skipped only when sshd is not installed — and then it fails under
 * CI=true, where .ci/run installs it.
 */
const missing = sshdMissing();
if (missing && process.env.CI === 'true') throw new Error(`the remote tier needs sshd under CI: ${missing}`);

interface Town {
  root: string;
  shared: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], timeoutMs?: number): ReturnType<typeof runCli>;
}

let sshd: TestSshd | undefined;
let town: Town | undefined;
const cleanups: Array<() => void | Promise<void>> = [];

function daemonPid(t: Town): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(t.root, '.citadel', 'run', 'daemon.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** The daemon's `ssh` children (the host channel). */
function sshChildren(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'ssh' && ppid === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  if (missing) return;
  sshd = await startSshd();
  // The shared remote both sides reach (here a path on the same machine), writable by both users.
  const base = tempDir('citadel-remote-town-');
  cleanups.push(() => base.dispose());
  chmodSync(base.path, 0o755);
  const shared = join(base.path, 'shared.git');
  execFileSync('git', ['init', '-q', '--bare', '--shared=0777', '-b', 'main', shared]);
  // The remote user reaches a repository root owns: git's ownership check wants it named safe.
  if (sshd.uid !== process.getuid?.()) {
    const gitconfig = join(sshd.home, '.gitconfig');
    writeFileSync(gitconfig, '[safe]\n\tdirectory = *\n');
    execFileSync('chown', [`${sshd.uid}:${sshd.gid}`, gitconfig]);
  }
  const root = join(base.path, 'town');
  mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'Test');
  git(root, 'config', 'user.email', 'test@example.com');
  writeFileSync(join(root, 'README.md'), '# remote test project\n');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'initial commit');
  git(root, 'remote', 'add', 'origin', shared);
  const runtime = join(base.path, 'rt');
  mkdirSync(runtime, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = { CITADEL_RUNTIME_DIR: runtime, CITADEL_SCRIPTED_DELAY_MS: '700' };
  const cli = (args: string[], timeoutMs?: number) => runCli(args, { cwd: root, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const init = await cli(['init']);
  if (init.code !== 0) throw new Error(init.stderr);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'citadel init', '--allow-empty');
  git(root, 'push', '-q', 'origin', 'main');
  execFileSync('chmod', ['-R', 'a+rwX', shared]);
  town = { root, shared, env, cli };
  cleanups.push(async () => {
    const pid = daemonPid(town!);
    await cli(['daemon', 'stop']);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // stopped
      }
    }
  });
}, 60_000);

afterAll(async () => {
  // The daemon first (cleanups), then the keeper on the "host" (it outlives connections by
  // design): ended by its pid file, SIGKILL if it is still there after 5 s.
  const pidFile = sshd ? join(sshd.scratch, 'host', 'run', 'keeper.pid') : undefined;
  const keeper = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (keeper) {
    try {
      process.kill(keeper, 'SIGTERM');
      await waitFor(() => startTime(keeper) === undefined, 'the keeper to stop', { timeoutMs: 5_000 }).catch(() => process.kill(keeper, 'SIGKILL'));
    } catch {
      // gone
    }
  }
  await sshd?.dispose();
}, 60_000);

describe.skipIf(missing !== undefined)(`remote polecats over ssh${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('host add refuses option injection and bad names, in one line', async () => {
    const t = town!;
    for (const [name, where] of [
      ['far', '-oProxyCommand=touch /tmp/pwned'],
      ['far', 'me@-oProxyCommand=x'],
      ['far', '-l@host'],
      ['Far!', 'me@host'],
      ['far', 'me@host:-rf'],
      ['far', 'me@host:../x'],
    ]) {
      // After `--`, so that commander's own option parsing is not what refuses them.
      const result = await t.cli(['host', 'add', '--', name!, where!]);
      expect(result.code, `${name} ${where}: ${result.stderr}`).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(JSON.parse((await t.cli(['host', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('an unreachable host: check says so, sling fails in one line and undoes its claim', async () => {
    const t = town!;
    const s = sshd!;
    // Port 1 on 127.0.0.1: nothing listens there.
    const config = join(s.scratch, '..', 'closed_config');
    writeFileSync(config, `Host closed\n  HostName 127.0.0.1\n  Port 1\n  ConnectTimeout 5\n`);
    expect((await t.cli(['host', 'add', 'closed', `${s.user}@closed`, '--ssh-config', config])).code).toBe(0);
    const check = await t.cli(['host', 'check', 'closed', '--json']);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ reachable: false });
    expect((JSON.parse(check.stdout) as { problem: string }).problem).toMatch(/refused|connect/i);
    const bead = (await t.cli(['bead', 'create', 'never runs'])).stdout.trim();
    const sling = await t.cli(['sling', bead, '--host', 'closed', '--agent', 'scripted'], 60_000);
    expect(sling.code).toBe(1);
    expect(sling.stderr.trim().split('\n')).toHaveLength(1);
    expect(sling.stderr).toMatch(/cannot reach host closed/);
    const shown = JSON.parse((await t.cli(['bead', 'show', bead, '--json'])).stdout) as { status: string; assignee: string | null };
    expect(shown.assignee ?? null).toBeNull();
    expect((await t.cli(['sling', bead, '--host', 'nowhere', '--agent', 'scripted'])).stderr).toMatch(/host nowhere not found \(see `citadel host list`/);
    expect((await t.cli(['host', 'rm', 'closed'])).code).toBe(0);
  }, 120_000);

  it('host add, check; sling --host runs the scripted agent there, survives a cut connection, and merges', async () => {
    const t = town!;
    const s = sshd!;
    const hostPath = join(s.scratch, 'host');
    const add = await t.cli(['host', 'add', 'far', `${s.user}@citadel-test-host:${hostPath}`, '--citadel', citadelBin, '--ssh-config', s.config, '--json']);
    expect(add.code, add.stderr).toBe(0);

    const check = await t.cli(['host', 'check', 'far', '--json']);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    const checked = JSON.parse(check.stdout) as { reachable: boolean; git: string; node: string; citadel: string; missing: string[] };
    expect(checked).toMatchObject({ reachable: true, missing: [] });
    expect(checked.node).toMatch(/^v\d+/);
    // The town's default agent missing on the host is named (an agent the host lacks, if any).
    const absent = Object.entries((JSON.parse(check.stdout) as { agents: Record<string, boolean> }).agents).find(([, found]) => !found)?.[0];
    const preset = { claude: 'claude', codex: 'codex', gemini: 'gemini', aider: 'aider', opencode: 'opencode' }[absent ?? ''];
    if (preset) {
      const configFile = join(t.root, '.citadel', 'config.json');
      const config = readFileSync(configFile, 'utf8');
      writeFileSync(configFile, JSON.stringify({ ...(JSON.parse(config) as object), defaultAgent: preset }, null, 2));
      const lacking = await t.cli(['host', 'check', 'far']);
      writeFileSync(configFile, config);
      expect(lacking.code).toBe(1);
      expect(lacking.stdout).toContain(`missing: ${absent} (the town's defaultAgent)`);
    }

    const bead = (await t.cli(['bead', 'create', 'add a remote greeting'])).stdout.trim();
    const sling = await t.cli(['sling', bead, '--host', 'far', '--agent', 'scripted', '--json'], 90_000);
    expect(sling.code, sling.stderr).toBe(0);
    const slung = JSON.parse(sling.stdout) as { polecat: string; branch: string; worktree: string; pid: number };
    expect(slung.worktree).toBe(join(hostPath, 'worktrees', slung.polecat));
    const remotePid = slung.pid;
    expect(remotePid).toBeGreaterThan(0);
    // The agent runs as the remote user, in the host's worktree.
    expect(readFileSync(`/proc/${remotePid}/status`, 'utf8')).toMatch(new RegExp(`\\nUid:\\s+${s.uid}\\s`));
    const started = startTime(remotePid);

    const client = await connect(t.root, { env: { ...process.env, ...t.env }, client: 'remote-test' });
    cleanups.push(() => client.close());
    const peek = async (): Promise<string> => {
      const result = await client.request('scrollback', { pane: slung.polecat, above: 0, plain: true });
      return result.lines.map(([, text]: [number, string]) => text).join('\n');
    };
    await waitFor(async () => (await peek()).includes(`scripted agent · ${slung.polecat}`), 'the remote agent on the home pane', { timeoutMs: 30_000 });

    // Cut the connection mid-stream, and keep the host unreachable while the agent goes on.
    const daemon = daemonPid(t)!;
    const [ssh] = await waitFor(() => {
      const found = sshChildren(daemon);
      return found.length ? found : undefined;
    }, 'the daemon\'s ssh');
    process.kill(s.process.pid!, 'SIGSTOP');
    let resumed = false;
    const resume = (): void => {
      if (!resumed) process.kill(s.process.pid!, 'SIGCONT');
      resumed = true;
    };
    cleanups.push(resume);
    process.kill(ssh!, 'SIGKILL');
    await waitFor(async () => JSON.parse((await t.cli(['host', 'list', '--json'])).stdout)[0].state === 'reconnecting', 'the host to read reconnecting', { timeoutMs: 15_000, intervalMs: 100 });
    const listed = (await t.cli(['polecat', 'list'])).stdout;
    expect(listed).toContain('scripted@far');
    expect(listed).toContain('(host reconnecting)');
    // While cut off: the agent edits its file on the host (its screen says so only there).
    const workFile = join(hostPath, 'worktrees', slung.polecat, 'work', `${bead}.md`);
    await waitFor(() => existsSync(workFile), 'the agent to go on working while disconnected', { timeoutMs: 30_000, intervalMs: 50 });
    expect(await peek()).not.toContain(`editing work/${bead}.md`);
    resume();

    // Back: the pane catches up with the whole screen; the agent is the same process.
    await waitFor(async () => (await peek()).includes(`editing work/${bead}.md`), 'the pane to catch up after reconnecting', { timeoutMs: 60_000, intervalMs: 100 });
    // Never restarted: the keeper started it once; while it runs it is the same process.
    const current = startTime(remotePid);
    if (current !== undefined) expect(current).toBe(started);
    const keeperLog = readFileSync(join(hostPath, 'run', 'keeper.log'), 'utf8');
    expect(keeperLog.split('\n').filter((line) => line.includes(`${slung.polecat} started on ${bead}`))).toHaveLength(1);

    // Done travels home: the branch via the shared remote, the merge request into the home journal; the refinery lands it.
    await waitFor(
      async () => {
        const shown = await t.cli(['bead', 'show', bead, '--json']);
        return shown.code === 0 && (JSON.parse(shown.stdout) as { status: string }).status === 'closed';
      },
      'the bead merged and closed',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    expect(git(t.root, 'show', `main:work/${bead}.md`)).toContain(`bead: ${bead}`);
    const screen = await peek();
    expect(screen).toContain(`scripted agent · ${slung.polecat}`);
    expect(screen).toContain(`${bead} submitted to the refinery`);
    const list = JSON.parse((await t.cli(['polecat', 'list', '--json'])).stdout) as Array<{ name: string; status: string }>;
    expect(list.find((p) => p.name === slung.polecat)?.status).toBe('exited');
    const hosts = JSON.parse((await t.cli(['host', 'list', '--json'])).stdout) as Array<{ name: string; state: string }>;
    expect(hosts[0]).toMatchObject({ name: 'far', state: 'up' });
  }, 240_000);
});

describe.skipIf(missing !== undefined)('remote polecats outlive the home daemon', () => {
  it('kill -9 of the daemon: the agent waits on the host; the next daemon attaches the same process, which is typed into and finishes', async () => {
    const t = town!;
    const s = sshd!;
    const hosts = JSON.parse((await t.cli(['host', 'list', '--json'])).stdout) as Array<{ name: string }>;
    if (!hosts.some((h) => h.name === 'far')) {
      const add = await t.cli(['host', 'add', 'far', `${s.user}@citadel-test-host:${join(s.scratch, 'host')}`, '--citadel', citadelBin, '--ssh-config', s.config]);
      expect(add.code, add.stderr).toBe(0);
    }
    // Home's main moves on without the shared remote: the host gets it as a bundle over the channel.
    git(t.root, 'commit', '-q', '--allow-empty', '-m', 'home only');
    const homeMain = git(t.root, 'rev-parse', 'main');
    expect(git(t.shared, 'rev-parse', 'main')).not.toBe(homeMain);
    const bead = (await t.cli(['bead', 'create', 'ask before greeting', '--label', 'scripted:ask'])).stdout.trim();
    const sling = await t.cli(['sling', bead, '--host', 'far', '--agent', 'scripted', '--json'], 90_000);
    expect(sling.code, sling.stderr).toBe(0);
    const slung = JSON.parse(sling.stdout) as { polecat: string; pid: number };
    const peek = async (): Promise<string> => (await t.cli(['polecat', 'peek', slung.polecat])).stdout;
    await waitFor(async () => (await peek()).includes('Shall I go ahead'), 'the question on the home pane', { timeoutMs: 30_000, intervalMs: 200 });
    const started = startTime(slung.pid);
    const remoteWorktree = join(s.scratch, 'host', 'worktrees', slung.polecat);
    execFileSync('git', ['-c', 'safe.directory=*', '-C', remoteWorktree, 'merge-base', '--is-ancestor', homeMain, 'HEAD']);

    const daemon = daemonPid(t)!;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => startTime(daemon) === undefined, 'the daemon to die');
    expect(startTime(slung.pid)).toBe(started);

    expect((await t.cli(['daemon', 'start'])).code).toBe(0);
    await waitFor(async () => (await peek()).includes('Shall I go ahead'), 'the new daemon to attach the remote pane', { timeoutMs: 30_000, intervalMs: 200 });
    const list = JSON.parse((await t.cli(['polecat', 'list', '--json'])).stdout) as Array<{ name: string; pid: number | null }>;
    expect(list.find((p) => p.name === slung.polecat)?.pid).toBe(slung.pid);
    expect(startTime(slung.pid)).toBe(started);

    const nudge = await t.cli(['nudge', slung.polecat, 'yes please']);
    expect(nudge.code, nudge.stderr).toBe(0);
    await waitFor(async () => (await peek()).includes('answer: yes please'), 'the typed answer echoed by the remote agent', { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor(
      async () => (JSON.parse((await t.cli(['bead', 'show', bead, '--json'])).stdout) as { status: string }).status === 'closed',
      'the bead merged and closed',
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    expect(git(t.root, 'show', `main:work/${bead}.md`)).toContain('answer: yes please');
  }, 240_000);
});

describe.skipIf(missing !== undefined)('what a host may do at home', () => {
  it('mail goes home as the polecat; other town commands are refused on the host; polecat kill ends the remote agent and releases the bead', async () => {
    const t = town!;
    const s = sshd!;
    const hosts = JSON.parse((await t.cli(['host', 'list', '--json'])).stdout) as Array<{ name: string }>;
    if (!hosts.some((h) => h.name === 'far')) {
      const add = await t.cli(['host', 'add', 'far', `${s.user}@citadel-test-host:${join(s.scratch, 'host')}`, '--citadel', citadelBin, '--ssh-config', s.config]);
      expect(add.code, add.stderr).toBe(0);
    }
    const other = (await t.cli(['bead', 'create', 'someone else\'s work'])).stdout.trim();
    const bead = (await t.cli(['bead', 'create', 'talk from afar'])).stdout.trim();
    const script = `citadel mail send --to overseer --subject "from afar" --body "hello home"; echo "mail:$?"; citadel bead close ${other}; echo "close:$?"; seq -f 'line %g of the scroll' 1 300; echo ready; exec sleep 600`;
    const sling = await t.cli(['sling', bead, '--host', 'far', '--polecat', 'slit', '--json', '--', 'sh', '-c', script], 90_000);
    expect(sling.code, sling.stderr).toBe(0);
    const slung = JSON.parse(sling.stdout) as { polecat: string; pid: number };
    const peek = async (): Promise<string> => (await t.cli(['polecat', 'peek', slung.polecat])).stdout;
    await waitFor(async () => (await peek()).includes('ready'), 'the remote script to run', { timeoutMs: 30_000, intervalMs: 200 });
    // What scrolled off the host's screen is in the home pane's scrollback, every line in order.
    const scrollback = (await t.cli(['polecat', 'peek', slung.polecat, '--lines', '400'])).stdout.split('\n');
    const numbered = scrollback.map((line) => /^line (\d+) of the scroll$/.exec(line.trim())?.[1]).filter(Boolean).map(Number);
    expect(numbered).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const screen = scrollback.join('\n');
    expect(screen).toContain('mail:0');
    expect(screen).toContain('close:1');
    expect(screen).toContain('on a remote host citadel runs only done');
    const inbox = JSON.parse((await t.cli(['mail', 'inbox', '--for', 'overseer', '--json'])).stdout) as Array<{ title: string; body: string; author?: string; created_by?: string }>;
    const mail = inbox.find((m) => m.title === 'from afar');
    expect(mail?.body).toBe('hello home');
    expect(JSON.stringify(mail)).toContain('slit');
    expect((JSON.parse((await t.cli(['bead', 'show', other, '--json'])).stdout) as { status: string }).status).toBe('open');

    const kill = await t.cli(['polecat', 'kill', slung.polecat, '--json']);
    expect(kill.code, kill.stderr).toBe(0);
    expect(JSON.parse(kill.stdout)).toMatchObject({ released: bead });
    await waitFor(() => startTime(slung.pid) === undefined, 'the agent gone on the host', { timeoutMs: 15_000 });
  }, 240_000);
});

describe.skipIf(missing !== undefined)('when the host loses its keeper', () => {
  it('the pane exits as lost, the bead goes back to ready with mail to the overseer, and the next sling starts a new keeper', async () => {
    const t = town!;
    const s = sshd!;
    const hosts = JSON.parse((await t.cli(['host', 'list', '--json'])).stdout) as Array<{ name: string }>;
    if (!hosts.some((h) => h.name === 'far')) {
      const add = await t.cli(['host', 'add', 'far', `${s.user}@citadel-test-host:${join(s.scratch, 'host')}`, '--citadel', citadelBin, '--ssh-config', s.config]);
      expect(add.code, add.stderr).toBe(0);
    }
    const bead = (await t.cli(['bead', 'create', 'lost with its keeper'])).stdout.trim();
    const sling = await t.cli(['sling', bead, '--host', 'far', '--polecat', 'toast', '--json', '--', 'sh', '-c', 'echo waiting here; exec sleep 600'], 90_000);
    expect(sling.code, sling.stderr).toBe(0);
    const slung = JSON.parse(sling.stdout) as { polecat: string; pid: number };
    await waitFor(async () => (await t.cli(['polecat', 'peek', slung.polecat])).stdout.includes('waiting here'), 'the remote agent', { timeoutMs: 30_000, intervalMs: 200 });
    const pidFile = join(s.scratch, 'host', 'run', 'keeper.pid');
    const keeper = Number(readFileSync(pidFile, 'utf8').trim());
    process.kill(keeper, 'SIGKILL');
    await waitFor(
      async () => {
        const row = (JSON.parse((await t.cli(['polecat', 'list', '--json'])).stdout) as Array<{ name: string; status: string; bead: string | null }>).find((p) => p.name === slung.polecat);
        return row && row.status === 'exited' && row.bead === null;
      },
      'the polecat to exit and give its bead back',
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const shown = JSON.parse((await t.cli(['bead', 'show', bead, '--json'])).stdout) as { status: string; assignee?: string | null };
    expect(shown.status).toBe('open');
    const inbox = JSON.parse((await t.cli(['mail', 'inbox', '--for', 'overseer', '--json'])).stdout) as Array<{ title: string }>;
    expect(inbox.some((m) => m.title.includes(`${slung.polecat} exited with ${bead} unfinished`))).toBe(true);
    // The agent went with its keeper (its pty closed); a new sling brings a new keeper up.
    await waitFor(() => startTime(slung.pid) === undefined, 'the agent gone with its keeper');
    const again = await t.cli(['sling', bead, '--host', 'far', '--polecat', 'toast', '--json', '--', 'sh', '-c', 'echo back again; exec sleep 600'], 90_000);
    expect(again.code, again.stderr).toBe(0);
    await waitFor(async () => (await t.cli(['polecat', 'peek', slung.polecat])).stdout.includes('back again'), 'the agent under a new keeper', { timeoutMs: 30_000, intervalMs: 200 });
    expect(Number(readFileSync(pidFile, 'utf8').trim())).not.toBe(keeper);
    expect((await t.cli(['polecat', 'kill', slung.polecat])).code).toBe(0);
  }, 240_000);
});
