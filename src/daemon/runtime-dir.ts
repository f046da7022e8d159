import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';

/** Where one town's daemon listens, and the files beside its socket. */
export interface DaemonPaths {
  /** The private directory (0700, ours) holding every town's socket. */
  readonly dir: string;
  readonly socket: string;
  /** The secret a client must present at hello (0600). */
  readonly token: string;
  /** Held with flock by the running daemon: one daemon per town. */
  readonly lock: string;
  /** `{pid, town, socket, startedAt}` of the running daemon. */
  readonly info: string;
}

/**
 * The runtime directory: `$CITADEL_RUNTIME_DIR` (tests), else `$XDG_RUNTIME_DIR/citadel`, else
 * `<tmp>/citadel-<uid>`. Never inside the repository: a unix socket path is limited to ~108 bytes.
 */
export function runtimeDir(env: NodeJS.ProcessEnv): string {
  if (env.CITADEL_RUNTIME_DIR) return env.CITADEL_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'citadel');
  return join(tmpdir(), `citadel-${process.getuid?.() ?? 'user'}`);
}

/** The daemon's files for the town at `townRoot` (named by a hash of its real path). */
export function daemonPaths(townRoot: string, env: NodeJS.ProcessEnv): DaemonPaths {
  const dir = runtimeDir(env);
  const key = createHash('sha256').update(realpathSync(townRoot)).digest('hex').slice(0, 16);
  return {
    dir,
    socket: join(dir, `${key}.sock`),
    token: join(dir, `${key}.token`),
    lock: join(dir, `${key}.lock`),
    info: join(dir, `${key}.json`),
  };
}

/**
 * Makes sure `dir` is a private directory: created 0700 if missing, and otherwise checked with
 * lstat — a symlink, another owner or any group/other permission is refused, since whoever can
 * enter it could talk to (or impersonate) the daemon.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new CitadelError('io', `cannot create the daemon's runtime directory ${dir}: ${(error as Error).message}`);
    }
  }
  checkPrivateDir(dir);
}

export function checkPrivateDir(dir: string): void {
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) {
    throw new CitadelError('refused', `refusing the daemon's runtime directory ${dir}: it is a symlink (remove it, or set CITADEL_RUNTIME_DIR)`);
  }
  if (!stat.isDirectory()) {
    throw new CitadelError('refused', `refusing the daemon's runtime directory ${dir}: it is not a directory`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new CitadelError('refused', `refusing the daemon's runtime directory ${dir}: it belongs to uid ${stat.uid}, not to you (uid ${uid})`);
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new CitadelError('refused', `refusing the daemon's runtime directory ${dir}: its mode is ${mode}, it must be 0700 (chmod 700 ${dir})`);
  }
}
