import { initTown } from '../../src/town/create.js';
import { openTownAt, type Town } from '../../src/town/town.js';
import { makeRepo } from './git.js';

/**
 * A fresh git repository with a town in it, and `actor`'s handle on it; both are undone by the
 * `disposers` (run them newest first in afterEach).
 */
export function townWithWriter(disposers: Array<() => unknown>, actor: string): { repo: { path: string }; writer: Town } {
  const repo = makeRepo();
  disposers.push(repo.dispose);
  initTown({ cwd: repo.path, env: {} });
  const writer = openTownAt(repo.path, actor);
  disposers.push(() => writer.close());
  return { repo, writer };
}
