import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type { HostRecord } from './hosts.js';
import { shellQuote } from './names.js';

/**
 * The user's own `ssh` (their config, keys, agent, jump hosts), as an argv array: `-T` (no
 * pty: a clean byte channel), `-e none` (no escape character in pasted input),
 * BatchMode (it never prompts inside the daemon: a host that wants a password or an unknown
 * host key fails with ssh's own message), keep-alives so a dead link is noticed in ~30 s,
 * and the destination after `--` so nothing in it is read as an option.
 */
export function sshArgv(host: Pick<HostRecord, 'destination' | 'ssh_config'>, remoteArgv: readonly string[]): string[] {
  return [
    'ssh',
    '-T',
    '-e',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'ServerAliveInterval=10',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ConnectTimeout=15',
    ...(host.ssh_config ? ['-F', host.ssh_config] : []),
    '--',
    host.destination,
    // ssh hands the remote side one command line for the user's shell: each argument quoted.
    remoteArgv.map(shellQuote).join(' '),
  ];
}

/** The town's id on hosts: which town a host directory serves. */
export function townId(root: string): string {
  return createHash('sha256').update(`${hostname()}\0${realpathSync(root)}`).digest('hex').slice(0, 16);
}
