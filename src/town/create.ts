import { mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { resolveActor } from '../common/actor.js';
import { guardTown } from './boundary.js';
import { defaultTownName, loadConfig } from './config.js';
import { townPaths } from './paths.js';
import { ensurePrivateDir, lstatOrNone, writePrivate } from './private-fs.js';
import { openTownAt } from './town.js';
import type { TrustItem } from './trust.js';
import { actsAsPolecat, readTrust, trustTown } from './trust-store.js';
import { addExcludeLines, townExcluded } from '../git/exclude.js';
import { gitSync } from '../git/run.js';

export interface InitResult {
  root: string;
  citadel: string;
  prefix: string;
  /** False when the town already existed (nothing but missing pieces was made). */
  created: boolean;
  /** Exclude lines added to `.git/info/exclude` this time. */
  excludedAdded: string[];
  /**
   * What this init trusted (the town's commands, docs/refinery.md "Trust"): the first init on
   * this machine trusts the town as it is; null when it was trusted before (or in a polecat).
   */
  trusted: TrustItem[] | null;
}

const PREFIX = /^[a-z][a-z0-9]{0,7}$/;

/**
 * Makes the git repository around `cwd` a town: `.citadel/` with `config.json`, the journal
 * directory, and per-machine folders kept out of git. Idempotent: re-running fills in what is
 * missing and changes nothing else.
 */
export function initTown(options: { cwd: string; env: NodeJS.ProcessEnv; prefix?: string | undefined }): InitResult {
  if (options.prefix !== undefined && !PREFIX.test(options.prefix)) {
    throw new CitadelError('usage', `--prefix must be a lowercase word of 1–8 letters/digits starting with a letter (got ${JSON.stringify(options.prefix)})`);
  }
  const { root, commonDir } = gitRepository(options.cwd, options.env);
  const paths = townPaths(root);
  guardTown(paths); // no symbolic links where citadel writes; .citadel/, run/, logs/ tightened to 0700
  const created = lstatOrNone(paths.config) === undefined;
  let prefix = options.prefix ?? 'ct';
  if (!created) {
    const config = loadConfig(paths.config);
    if (options.prefix !== undefined && options.prefix !== config.prefix) {
      throw new CitadelError('conflict', `this town already uses the bead prefix "${config.prefix}" (${paths.config}); edit that file to change it`);
    }
    prefix = config.prefix;
  }
  ensurePrivateDir(paths.citadel);
  if (created) {
    // The town's name is written once, so its actors' addresses do not change if the folder moves.
    const config: Record<string, unknown> = { prefix, name: defaultTownName(paths.config) };
    const branch = currentBranch(root, options.env);
    if (branch && branch !== 'main') config.mainBranch = branch;
    const temp = `${paths.config}.${process.pid}.tmp`;
    writePrivate(temp, `${JSON.stringify(config, null, 2)}\n`);
    renameSync(temp, paths.config); // atomic: a concurrent init sees no config or a whole one
  }
  mkdirSync(paths.journal, { recursive: true, mode: 0o700 });
  for (const dir of [paths.run, paths.logs]) ensurePrivateDir(dir);
  const excludedAdded = addExcludes(join(commonDir, 'info', 'exclude'));
  return { root, citadel: paths.citadel, prefix, created, excludedAdded, trusted: trustFirstTime(root, options.env) };
}

/** The first `citadel init` on this machine is the user's own act: it trusts the town as it is. */
function trustFirstTime(root: string, env: NodeJS.ProcessEnv): TrustItem[] | null {
  if (readTrust(root, env)) return null;
  const town = openTownAt(root, resolveActor(env));
  try {
    if (actsAsPolecat(town.journal.read(), env)) return null;
    return trustTown(town, env);
  } finally {
    town.close();
  }
}

function gitRepository(cwd: string, env: NodeJS.ProcessEnv): { root: string; commonDir: string } {
  const output = gitSync(cwd, ['rev-parse', '--show-toplevel', '--git-common-dir'], { env });
  if (output === undefined) {
    throw new CitadelError('refused', `${resolve(cwd)} is not inside a git repository: citadel works on one; run \`git init\` (and commit once) first, or cd into your repository`);
  }
  const [root, common] = output.trim().split('\n');
  if (!root || !common) {
    throw new CitadelError('refused', `${resolve(cwd)} is not inside a git working tree (a bare repository?): run citadel init in a checkout`);
  }
  const commonDir = isAbsolute(common) ? common : resolve(cwd, common);
  // In a linked worktree (a polecat's, say) the town belongs to the main working tree.
  const mainRoot = basename(commonDir) === '.git' && resolve(root, '.git') !== commonDir ? dirname(commonDir) : root;
  return { root: mainRoot, commonDir };
}

function currentBranch(root: string, env: NodeJS.ProcessEnv): string | undefined {
  return gitSync(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { env }) || undefined;
}

function addExcludes(file: string): string[] {
  return addExcludeLines(file, townExcluded, 'citadel: per-machine town state');
}
