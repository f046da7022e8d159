import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CitadelError } from '../common/errors.js';
import { initTown } from '../town/create.js';
import { git } from '../git/run.js';
import type { Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { transact } from '../model/transaction.js';
import { openTown, type Town } from '../town/town.js';
import { trustTown } from '../town/trust-store.js';
import { demoBeads, demoMolecule } from './beads.js';
import { demoGate, demoProjectFiles } from './project.js';

/** The citadel entry point, to run the real CLI where the demo wants a user's view. */
export const citadelBin = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

export interface DemoTown {
  readonly root: string;
  /** Demo bead key → bead id. */
  readonly ids: ReadonlyMap<string, string>;
  /** The poured molecule's epic. */
  readonly epic: string;
  readonly prefix: string;
}

/**
 * Where the demo goes: `dir` when given (it must not exist, or be an empty directory), else a
 * new temp directory. Refuses anything else before writing a byte.
 */
export function demoDirectory(dir: string | undefined): string {
  if (dir === undefined) return mkdtempSync(join(tmpdir(), 'citadel-demo-'));
  const path = resolve(dir);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new CitadelError('refused', `${path} is a file: give --dir a new or empty directory`);
    if (readdirSync(path).length > 0) throw new CitadelError('refused', `${path} is not empty: the demo makes a fresh repository; give --dir a new or empty directory, or leave --dir out for a temp one`);
  } else {
    mkdirSync(path, { recursive: true });
  }
  return path;
}

const identity = { GIT_AUTHOR_NAME: 'citadel demo', GIT_AUTHOR_EMAIL: 'demo@citadel.invalid', GIT_COMMITTER_NAME: 'citadel demo', GIT_COMMITTER_EMAIL: 'demo@citadel.invalid' };

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, [...args], { cwd, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) fail(new CitadelError('failed', `${[file, ...args].join(' ')} failed in ${cwd}: ${(stderr || stdout || error.message).trim().split('\n').slice(-3).join(' / ')}`));
      else done(stdout);
    });
  });
}

/**
 * Builds the demo town in `root` (an empty directory): textkit in a fresh git repository on
 * `main` with one commit, `citadel init` with the project's test runner as the gate, the
 * dozen beads with their dependencies, and a poured quick-fix molecule whose fix step
 * carries its change.
 */
export async function buildDemoTown(root: string, env: NodeJS.ProcessEnv): Promise<DemoTown> {
  const gitEnv = { ...env, ...identity, GIT_TERMINAL_PROMPT: '0', CITADEL_ACTOR: 'overseer', CITADEL_POLECAT: '', CITADEL_TOWN: '' };
  for (const [path, text] of Object.entries(demoProjectFiles)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  await git(root, ['init', '-q', '-b', 'main'], { env: gitEnv });
  // A repository-local identity: the polecats and the refinery commit on a fresh machine too.
  await git(root, ['config', 'user.name', identity.GIT_AUTHOR_NAME], { env: gitEnv });
  await git(root, ['config', 'user.email', identity.GIT_AUTHOR_EMAIL], { env: gitEnv });
  // A throwaway repository: a global signing setup must not stop (or prompt) the agents' commits.
  await git(root, ['config', 'commit.gpgsign', 'false'], { env: gitEnv });
  await git(root, ['add', '-A'], { env: gitEnv });
  await git(root, ['commit', '-q', '-m', 'textkit 0.1.0'], { env: gitEnv });

  const init = initTown({ cwd: root, env: gitEnv, prefix: 'tk' });
  const configFile = join(init.citadel, 'config.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(configFile, `${JSON.stringify({ ...config, gates: [demoGate], gateTimeoutSeconds: 60, defaultAgent: 'scripted' }, null, 2)}\n`);

  // The molecule through the real CLI, as a person would pour it.
  const poured = JSON.parse(
    await run(process.execPath, [citadelBin, 'molecule', 'pour', demoMolecule.name, ...Object.entries(demoMolecule.vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]), '--json'], root, gitEnv),
  ) as { id: string; steps: Bead[] };

  const town = openTown({ cwd: root, env: gitEnv });
  try {
    const ids = await createBeads(town, poured.id, poured.steps);
    // The demo wrote its gate into config.json after init: the user trusts the town it made.
    trustTown(town, gitEnv);
    return { root, ids, epic: poured.id, prefix: town.config.prefix };
  } finally {
    town.close();
  }
}

/** The dozen beads in one mutation (all or nothing), and the molecule's fix step given its change. */
async function createBeads(town: Town, epic: string, steps: readonly Bead[]): Promise<Map<string, string>> {
  const { value } = await town.journal.mutate(
    transact(modelContext('overseer', town.config.prefix), (tx) => {
      const ids = new Map<string, string>();
      for (const spec of demoBeads) {
        const needs = spec.needs.map((key) => (key === '@molecule' ? epic : ids.get(key)!));
        const bead = tx.create({ title: spec.title, type: spec.type, priority: spec.priority, labels: spec.labels, needs, body: spec.body });
        ids.set(spec.key, bead.id);
      }
      const fix = steps.find((step) => step.step === 'fix') ?? steps[1];
      if (fix) tx.update(fix.id, { body: `${fix.body.trim()}\n\n${demoMolecule.fixRecipe}` });
      return ids;
    }),
  );
  return value;
}
