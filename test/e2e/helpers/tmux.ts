import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * THE tmux harness of the end-to-end tests: a private tmux server (its own socket `-L`, never
 * the person's server) started without any config (`-f /dev/null`: the person's ~/.tmux.conf
 * never changes what a test sees), holding the terminals of one test: the "person's terminal"
 * citadel runs in, and reference sessions to compare with.
 */
export class Tmux {
  readonly socket = `citadel-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /**
   * A new detached session of the given size running `command`: one string is run by sh -c, an
   * argv array as it is (tmux execs it without a shell), in `cwd` when given.
   */
  newSession(name: string, cols: number, rows: number, command: string | readonly string[], env: Record<string, string> = {}, cwd?: string): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const where = cwd ? ['-c', cwd] : [];
    this.run('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), ...where, ...envArgs, ...(typeof command === 'string' ? [command] : command));
    this.run('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  /** Runs `command` again in the session's pane (after its program ended; remain-on-exit keeps the pane). */
  respawn(name: string, command: string | readonly string[], cwd?: string): void {
    this.run('respawn-pane', '-k', '-t', name, ...(cwd ? ['-c', cwd] : []), ...(typeof command === 'string' ? [command] : command));
  }

  /** The visible screen of a session, as plain lines (trailing blanks trimmed). */
  capture(name: string): string[] {
    return this.run('capture-pane', '-p', '-t', name).split('\n').map((l) => l.trimEnd());
  }

  text(name: string): string {
    return this.capture(name).join('\n');
  }

  /** Types keys (tmux key names, or literal text with `literal`). */
  send(name: string, keys: string[], literal = false): void {
    this.run('send-keys', '-t', name, ...(literal ? ['-l'] : []), ...keys);
  }

  /** A format variable of the session's pane, e.g. alternate_on, cursor_flag, pane_pid. */
  format(name: string, variable: string): string {
    return this.run('display-message', '-p', '-t', name, `#{${variable}}`).trim();
  }

  resize(name: string, cols: number, rows: number): void {
    this.run('resize-window', '-t', name, '-x', String(cols), '-y', String(rows));
  }

  /** Stops the server and removes its socket file (tmux leaves it behind). */
  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
    const dir = join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`);
    rmSync(join(dir, this.socket), { force: true });
  }
}

/** Quotes words for sh -c. */
export function shellQuote(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
