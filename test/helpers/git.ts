import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';

/** Deterministic identity for commits made in tests. */
export const gitEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
}

/** A real git repository in a temp dir, on branch main, with one commit (README.md). */
export function makeRepo(): { path: string; dispose: () => void } {
  const dir = tempDir('citadel-repo-');
  git(dir.path, 'init', '-q', '-b', 'main');
  git(dir.path, 'config', 'user.name', 'Test');
  git(dir.path, 'config', 'user.email', 'test@example.com');
  writeFileSync(join(dir.path, 'README.md'), '# test project\n');
  git(dir.path, 'add', '.');
  git(dir.path, 'commit', '-q', '-m', 'initial commit');
  return dir;
}
