import { lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CitadelError } from '../common/errors.js';

/**
 * The host's directory for one town (docs/remote.md, "On the host"): everything the keeper
 * keeps, private to the remote user (0700, refused when a link, another owner's, or open to
 * group/others — as the daemon's runtime dir is checked).
 *
 *   <dir>/town            the town this directory serves (its id)
 *   <dir>/repo.git        a bare clone of the shared remote
 *   <dir>/worktrees/NAME  each polecat's worktree
 *   <dir>/bin/citadel     the agent's citadel (forwards to the keeper)
 *   <dir>/run/keeper.sock the keeper's unix socket; keeper.pid, keeper.log
 */
export interface HostDir {
  readonly root: string;
  readonly repo: string;
  readonly worktrees: string;
  readonly bin: string;
  readonly run: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly log: string;
  readonly townFile: string;
}

export function hostDir(path: string): HostDir {
  const root = isAbsolute(path) ? path : resolve(homedir(), path);
  const run = join(root, 'run');
  const socket = join(run, 'keeper.sock');
  if (Buffer.byteLength(socket) > 107) throw new CitadelError('invalid', `the host path ${root} is too long: its socket ${socket} would pass the 107 bytes a unix socket allows`);
  return {
    root,
    repo: join(root, 'repo.git'),
    worktrees: join(root, 'worktrees'),
    bin: join(root, 'bin'),
    run,
    socket,
    pidFile: join(run, 'keeper.pid'),
    log: join(run, 'keeper.log'),
    townFile: join(root, 'town'),
  };
}

/** Makes (0700) or checks one private folder of the host dir. */
export function privateDir(path: string): void {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    stats = lstatSync(path);
  }
  const uid = process.getuid?.();
  const problem = stats.isSymbolicLink()
    ? 'is a symbolic link'
    : !stats.isDirectory()
      ? 'is not a folder'
      : uid !== undefined && stats.uid !== uid
        ? `belongs to uid ${stats.uid}, not to this user (${uid})`
        : (stats.mode & 0o077) !== 0
          ? `is open to other users (mode ${(stats.mode & 0o777).toString(8)}): chmod 700 ${path}`
          : undefined;
  if (problem) throw new CitadelError('refused', `${path} ${problem}: the host's citadel keeps its sockets and worktrees only in a private folder`);
}

export function ensureHostDir(dir: HostDir): void {
  privateDir(dir.root);
  privateDir(dir.run);
  privateDir(dir.worktrees);
  privateDir(dir.bin);
}
