import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir, waitFor } from '../../helpers/temp.js';

/**
 * A real OpenSSH server on 127.0.0.1 for the remote-polecat tests: Debian's sshd, run in the
 * foreground by the test on a free port with a generated host key, serving a second local user
 * (created with useradd when the test runs as root; else the same user) who logs in with a
 * generated key. The client side is a private ssh config (`ssh -F`) naming the port, the key
 * and a known_hosts file holding the host key: the user's own ~/.ssh is never read or written.
 */
export interface TestSshd {
  /** The user the "remote host" runs as. */
  user: string;
  uid: number;
  gid: number;
  home: string;
  port: number;
  /** The ssh client config to pass as `ssh -F`. */
  config: string;
  /** A directory owned by the remote user (0700), for its host path and shared repositories. */
  scratch: string;
  process: ChildProcess;
  dispose(): Promise<void>;
}

export const SSHD = '/usr/sbin/sshd';
const REMOTE_USER = 'citadel-remote';

/** Why sshd cannot run here (not installed), or undefined. */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install -y openssh-server; .ci/run installs it)`;
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is not installed';
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function ensureUser(): { user: string; uid: number; gid: number; home: string } {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', REMOTE_USER], { stdio: 'ignore' });
    } catch {
      try {
        // `-p '*'`: no password, but not locked (sshd refuses a locked account even with a key).
        execFileSync('useradd', ['-m', '-s', '/bin/sh', '-p', '*', REMOTE_USER], { stdio: 'ignore' });
      } catch {
        // Another test file made it at the same moment: the lookup below says.
      }
    }
    const uid = Number(execFileSync('id', ['-u', REMOTE_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', REMOTE_USER], { encoding: 'utf8' }).trim());
    const home = execFileSync('getent', ['passwd', REMOTE_USER], { encoding: 'utf8' }).split(':')[5]!;
    return { user: REMOTE_USER, uid, gid, home };
  }
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  return { user, uid: process.getuid!(), gid: process.getgid!(), home: process.env.HOME ?? '/' };
}

export async function startSshd(): Promise<TestSshd> {
  const dir = tempDir('citadel-sshd-');
  chmodSync(dir.path, 0o755);
  const who = ensureUser();
  const hostKey = join(dir.path, 'host_ed25519');
  const userKey = join(dir.path, 'user_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);
  const authorized = join(dir.path, 'authorized_keys');
  writeFileSync(authorized, execFileSync('cat', [`${userKey}.pub`]));
  chmodSync(authorized, 0o644);
  const port = await freePort();
  const sshdConfig = join(dir.path, 'sshd_config');
  writeFileSync(
    sshdConfig,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir.path, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      // The temp dir is the test's: its owner and modes are not the remote user's.
      'StrictModes no',
      `AllowUsers ${who.user}`,
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
      // sshd re-executes itself by its full path; Subsystem unused.
      '',
    ].join('\n'),
  );
  // The privilege-separation directory Debian's sshd insists on.
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    // Not root: sshd then serves only this user and needs no privilege separation folder.
  }
  const log = join(dir.path, 'sshd.log');
  const child = spawn(SSHD, ['-D', '-e', '-f', sshdConfig, '-p', String(port), '-E', log], { stdio: 'ignore' });
  const knownHosts = join(dir.path, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${execFileSync('cat', [`${hostKey}.pub`], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' ')}\n`);
  const config = join(dir.path, 'ssh_config');
  writeFileSync(
    config,
    [
      'Host citadel-test-host',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  IdentityFile ${userKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  GlobalKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const scratchParent = tempDir('citadel-host-');
  chmodSync(scratchParent.path, 0o755);
  const scratch = join(scratchParent.path, 'u');
  mkdirSync(scratch, { mode: 0o700 });
  chownSync(scratch, who.uid, who.gid);
  // Wait until sshd answers a real login (or stop it and say why).
  const stop = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
    dir.dispose();
    scratchParent.dispose();
  };
  await waitFor(
    () => {
      try {
        execFileSync('ssh', ['-F', config, '-o', 'BatchMode=yes', '-T', `${who.user}@citadel-test-host`, 'true'], { stdio: 'ignore', timeout: 10_000 });
        return true;
      } catch {
        if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${execFileSync('cat', [log], { encoding: 'utf8' })}`);
        return false;
      }
    },
    'sshd to accept a login',
    { timeoutMs: 20_000, intervalMs: 200 },
  ).catch((error: unknown) => {
    stop();
    throw error;
  });
  return {
    ...who,
    port,
    config,
    scratch,
    process: child,
    dispose: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      dir.dispose();
      scratchParent.dispose();
    },
  };
}
