import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Finds the file `command` would run, as execvp does: a path containing a slash is taken as
 * it is (relative to `cwd`), a bare name is looked up on PATH. Returns undefined when there is
 * no such executable, so callers can say so in one sentence instead of a pty that dies at once.
 */
export function findExecutable(command: string, options: { cwd: string; path: string | undefined }): string | undefined {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(options.cwd, command);
    return isExecutableFile(file) ? file : undefined;
  }
  for (const dir of (options.path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
