import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { townPaths } from '../town/paths.js';
import { lstatOrNone, readRegularFile } from '../town/private-fs.js';

/** Where one town's daemon listens, and the files that find it and keep it alone. */
export interface DaemonPaths {
  /** The private directory (0700, ours) holding this user's daemon sockets. */
  readonly dir: string;
  readonly socket: string;
  /** The secret a client must present at hello (0600, beside the socket). */
  readonly token: string;
  /** In the town (`.citadel/run/daemon.lock`): held with flock by the running daemon, one daemon per town. */
  readonly lock: string;
  /** In the town (`.citadel/run/daemon.json`): `{pid, town, socket, startedAt}` of the running daemon. */
  readonly info: string;
}

/** A unix socket path holds at most 107 bytes and a NUL (`sun_path` is 108 bytes on Linux). */
export const MAX_SOCKET_PATH = 107;

/**
 * The directory a new daemon makes its socket in: `$CITADEL_RUNTIME_DIR`, else
 * `${TMPDIR:-/tmp}/citadel-<uid>`, as tmux keeps `/tmp/tmux-<uid>/`. Not `$XDG_RUNTIME_DIR`:
 * it differs between an SSH login, `su` and cron, and systemd-logind removes it when the user's
 * last session ends — with the daemon still running. Clients never compute this: they read the
 * socket's path from the town (`daemonRecordPath`), so any environment finds the daemon.
 */
export function runtimeDir(env: NodeJS.ProcessEnv): string {
  if (env.CITADEL_RUNTIME_DIR) return env.CITADEL_RUNTIME_DIR;
  return join(env.TMPDIR || '/tmp', `citadel-${process.getuid?.() ?? 'user'}`);
}

/** The town's own record of its daemon: where it listens (written once it does). */
export const daemonRecordPath = (townRoot: string): string => join(townPaths(townRoot).run, 'daemon.json');

/** What the town's record says of its daemon. */
export interface DaemonRecord {
  readonly pid: number;
  readonly socket: string;
  readonly startedAt?: string;
}

/**
 * Reads the town's record of its daemon (`.citadel/run/daemon.json`, never through a link), or
 * undefined when there is none or it is not one — the record is a hint, the lock is the truth.
 */
export function readDaemonRecord(townRoot: string): DaemonRecord | undefined {
  const file = daemonRecordPath(townRoot);
  if (!lstatOrNone(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readRegularFile(file, "the daemon's record"));
  } catch (error) {
    if (error instanceof CitadelError && error.code === 'refused') throw error;
    return undefined;
  }
  const record = parsed as Partial<DaemonRecord> | null;
  if (typeof record?.pid !== 'number' || typeof record.socket !== 'string') return undefined;
  return { pid: record.pid, socket: record.socket, ...(typeof record.startedAt === 'string' ? { startedAt: record.startedAt } : {}) };
}

/** The town's daemon lock: whoever holds its flock is the town's daemon. */
export const daemonLockPath = (townRoot: string): string => join(townPaths(townRoot).run, 'daemon.lock');

/** The token file of the daemon listening on `socket` (beside it, in the same private directory). */
export const tokenFor = (socket: string): string => socket.replace(/\.sock$/, '') + '.token';

/**
 * The daemon's files for the town at `townRoot`: its socket and token in the runtime directory
 * (named by a hash of the town's real path, so the path stays short), its lock and record in
 * the town. Refuses a runtime directory so long that the socket's path would not fit.
 */
export function daemonPaths(townRoot: string, env: NodeJS.ProcessEnv): DaemonPaths {
  const dir = runtimeDir(env);
  const socket = join(dir, `${townKey(townRoot)}.sock`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new CitadelError(
      'invalid',
      `the daemon's socket path ${socket} is ${Buffer.byteLength(socket)} bytes, more than a unix socket allows (${MAX_SOCKET_PATH}): set CITADEL_RUNTIME_DIR to a shorter directory`,
    );
  }
  return { dir, socket, token: tokenFor(socket), lock: daemonLockPath(townRoot), info: daemonRecordPath(townRoot) };
}

/** A town's name in the runtime directory: a hash of its real path (the same from any path to it). */
const townKey = (townRoot: string): string => createHash('sha256').update(realpathSync(townRoot)).digest('hex').slice(0, 16);

/**
 * Where a daemon of a citadel before the town's record listened (`$XDG_RUNTIME_DIR/citadel/`),
 * so that the first commands after an upgrade still find it instead of starting a second one.
 */
export function legacySocket(townRoot: string, env: NodeJS.ProcessEnv): string | undefined {
  return env.XDG_RUNTIME_DIR && !env.CITADEL_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'citadel', `${townKey(townRoot)}.sock`) : undefined;
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

/**
 * Checks a socket path read from the town's record before sending it a token: it must be a
 * socket of ours in a private directory of ours. A record is a file in a repository, and a
 * clone could bring one naming any path.
 */
export function checkRecordedSocket(socket: string): void {
  if (!socket.startsWith('/') || !socket.endsWith('.sock')) {
    throw new CitadelError('refused', `refusing the daemon socket ${JSON.stringify(socket)} named by the town's record: not an absolute path to a .sock file (remove .citadel/run/daemon.json)`);
  }
  checkPrivateDir(dirname(socket));
  const stat = lstatSync(socket);
  const uid = process.getuid?.();
  if (!stat.isSocket() || (uid !== undefined && stat.uid !== uid)) {
    throw new CitadelError('refused', `refusing ${socket}, named by the town's record: it is not a socket of yours (remove .citadel/run/daemon.json)`);
  }
}
