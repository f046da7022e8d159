import { CitadelError } from '../common/errors.js';

/** A host's name in the town: short, lower-case, safe in a path and a pane title. */
const HOST_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** A login name as ssh passes it (no leading "-": it would be read as an option). */
const USER = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
/** A host name, an IPv4 address or an alias of the user's ssh config (no leading "-"). */
const HOST = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/;

export function validateHostName(name: string): string {
  if (!HOST_NAME.test(name)) {
    throw new CitadelError('invalid', `invalid host name ${JSON.stringify(name)}: a lower-case letter, then up to 31 letters, digits or "-" (e.g. gpu-box)`);
  }
  return name;
}

export interface Destination {
  /** What ssh is given: `user@host` or `host` (its config then names the user). */
  readonly destination: string;
  /** The host's directory for this town, when given after ":". */
  readonly path: string | undefined;
}

/**
 * `USER@HOST[:PATH]` (or `HOST[:PATH]`). Nothing that ssh could read as an option gets through
 * (`-oProxyCommand=…` as a "host" runs a command): the user and host are plain names, and the
 * destination is passed after `--` besides.
 */
export function parseDestination(text: string): Destination {
  const colon = text.indexOf(':');
  const where = colon === -1 ? text : text.slice(0, colon);
  const path = colon === -1 ? undefined : text.slice(colon + 1);
  const at = where.lastIndexOf('@');
  const user = at === -1 ? undefined : where.slice(0, at);
  const host = at === -1 ? where : where.slice(at + 1);
  if (user !== undefined && !USER.test(user)) {
    throw new CitadelError('invalid', `invalid user ${JSON.stringify(user)} in ${JSON.stringify(text)}: a login name (letters, digits, ".", "_", "-"; not starting with "-")`);
  }
  if (!HOST.test(host) || host.includes('..')) {
    throw new CitadelError('invalid', `invalid host ${JSON.stringify(host)} in ${JSON.stringify(text)}: a host name, an IPv4 address or an ssh config alias (not starting with "-")`);
  }
  return { destination: user === undefined ? host : `${user}@${host}`, path: path === undefined ? undefined : validateRemotePath(path) };
}

/**
 * The host's directory for this town: absolute, or relative to the remote user's home. No
 * control characters, no leading "-", no "..", at most 160 bytes (its unix socket must fit
 * in the 107 bytes a socket path allows).
 */
export function validateRemotePath(path: string): string {
  const problem =
    path === ''
      ? 'it is empty'
      : /[\x00-\x1f\x7f]/.test(path)
        ? 'it holds a control character'
        : path.startsWith('-')
          ? 'it starts with "-"'
          : path.split('/').includes('..')
            ? 'it holds ".."'
            : Buffer.byteLength(path) > 160
              ? 'it is longer than 160 bytes'
              : undefined;
  if (problem) throw new CitadelError('invalid', `invalid host path ${JSON.stringify(path)}: ${problem} (an absolute path, or one relative to the remote home)`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** The remote citadel command: a path or a program name, never an option. */
export function validateRemoteCommand(command: string): string {
  if (command === '' || command.startsWith('-') || /[\x00-\x1f\x7f]/.test(command) || Buffer.byteLength(command) > 200) {
    throw new CitadelError('invalid', `invalid --citadel ${JSON.stringify(command)}: the path (or name on the host's PATH) of citadel on the host`);
  }
  return command;
}

/** One argument quoted for the remote user's POSIX shell (ssh hands the command line to it). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./=:@%+-]+$/.test(arg) && !arg.startsWith('-') && arg !== '') return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
