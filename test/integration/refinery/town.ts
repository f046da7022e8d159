import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileMergeRequest, inspectSubmission } from '../../../src/refinery/submit.js';
import { ensureWorktree } from '../../../src/git/worktree.js';
import type { Bead } from '../../../src/model/bead.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead, createBead } from '../../../src/model/operations.js';
import { openTownAt, type Town } from '../../../src/town/town.js';
import { trustTown } from '../../../src/town/trust-store.js';
import { git, makeRepo } from '../../helpers/git.js';

/** A real git repository made a town: `.citadel/` with a config, on branch main. */
export interface TestTown {
  readonly root: string;
  /** A handle on the town as the overseer (closed by dispose). */
  readonly town: Town;
  /** Writes config.json, and trusts its gates as the user would (`citadel trust`). */
  configure(config: Record<string, unknown>): void;
  /** `citadel trust`, in-process: trusts every command the town holds now (docs/refinery.md, "Trust"). */
  trust(): void;
  /** Reads the journal afresh. */
  bead(id: string): Bead & { refinery?: Record<string, unknown> };
  beads(): Bead[];
  mail(to: string): Bead[];
  dispose(): void;
}

export function makeTown(config: Record<string, unknown> = {}): TestTown {
  const repo = makeRepo();
  const root = repo.path;
  mkdirSync(join(root, '.citadel'), { recursive: true });
  writeFileSync(join(root, '.git', 'info', 'exclude'), '/.citadel/\n');
  writeFileSync(join(root, '.citadel', 'config.json'), JSON.stringify(config));
  const town = openTownAt(root, 'overseer');
  const trust = (): void => void trustTown(town, { ...process.env, CITADEL_ACTOR: '', CITADEL_POLECAT: '' });
  const configure = (next: Record<string, unknown>): void => {
    writeFileSync(join(root, '.citadel', 'config.json'), JSON.stringify(next));
    trust();
  };
  trust();
  const all = (): Bead[] => [...town.journal.read().all('beads').values()] as unknown as Bead[];
  return {
    root,
    town,
    configure,
    trust,
    bead: (id) => town.journal.read().get('beads', id) as Bead & { refinery?: Record<string, unknown> },
    beads: all,
    mail: (to) => all().filter((bead) => bead.type === 'message' && bead.to === to),
    dispose: () => {
      town.close();
      repo.dispose();
    },
  };
}

/** One polecat's finished work: a bead, claimed, a worktree and branch with commits, a merge request. */
export interface Finished {
  readonly bead: Bead;
  readonly request: Bead;
  readonly branch: string;
  readonly worktree: string;
  readonly tip: string;
}

/**
 * Does what a polecat does: claims a new bead, works in its worktree (writes `files`, commits),
 * and runs `done` (in-process, the same code as `citadel done`).
 */
export async function finishWork(
  t: TestTown,
  polecat: string,
  title: string,
  files: Record<string, string>,
  options: { priority?: number; fields?: Record<string, unknown>; submit?: boolean } = {},
): Promise<Finished> {
  const overseer = modelContext('overseer', 'ct');
  const { value: bead } = await t.town.journal.mutate(createBead(overseer, { title, priority: options.priority ?? 2, ...(options.fields ? { fields: options.fields } : {}) }));
  await t.town.journal.mutate(claimBead(modelContext(polecat, 'ct'), bead.id));
  if (options.fields && 'gate' in options.fields) t.trust(); // the step's gate, as if poured by the user
  const wt = await ensureWorktree(t.root, polecat, bead.id, { mainBranch: 'main' });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(wt.path, file, '..'), { recursive: true });
    writeFileSync(join(wt.path, file), text);
  }
  git(wt.path, 'add', '-A');
  git(wt.path, 'commit', '-q', '-m', `${bead.id}: ${title}`);
  const tip = git(wt.path, 'rev-parse', 'HEAD');
  if (options.submit === false) return { bead, request: bead, branch: wt.branch, worktree: wt.path, tip };
  const submission = await inspectSubmission(wt.path, 'main');
  const { value } = await t.town.journal.mutate(fileMergeRequest(modelContext(polecat, 'ct'), { submission, polecat, bead: bead.id, message: undefined }));
  return { bead, request: value.request, branch: wt.branch, worktree: wt.path, tip };
}

/** Subjects of main's commits, oldest first. */
export function mainLog(root: string): string[] {
  return git(root, 'log', '--format=%s', '--reverse', 'main').split('\n');
}
