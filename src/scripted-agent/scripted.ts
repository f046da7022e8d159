import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CitadelError } from '../common/errors.js';
import type { Bead } from '../model/bead.js';
import { git, gitRun } from '../git/run.js';
import type { ScriptSwitches } from './switches.js';
import { applyRecipe, editsFor, parseRecipe } from './recipe.js';
import { rebaseReapplying } from './rework.js';
import { paint, withSpinner, type AgentOutput } from './terminal-ui.js';

/** The world the scripted agent runs in (passed in, so tests can drive it). */
export interface ScriptedWorld {
  /** The polecat's worktree (the agent's cwd). */
  readonly worktree: string;
  readonly polecat: string;
  readonly bead: Bead;
  /** The town's gate commands (config `gates`), run before committing. */
  readonly gates: readonly (readonly string[])[];
  /** The town's main branch (config `mainBranch`): a bounced bead is reworked onto it. */
  readonly mainBranch: string;
  readonly switches: ScriptSwitches;
  readonly out: AgentOutput;
  readonly input: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  /** argv prefix that runs citadel (e.g. [node, bin/citadel.js]). */
  readonly citadel: readonly string[];
}

/** The file the agent's deterministic change goes to, derived from the bead id. */
export const workFile = (beadId: string): string => join('work', `${beadId}.md`);
export const sharedFile = 'SHARED.md';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Behaves like an AI coding agent with no AI service: reads its bead, shows progress, makes a
 * small deterministic change derived from the bead, runs the town's gates, commits, and calls
 * `citadel done`. Returns its exit code.
 */
export async function runScriptedAgent(world: ScriptedWorld): Promise<number> {
  const { out, bead, switches } = world;
  const step = (label: string, work: () => Promise<void> = () => sleep(switches.delayMs)): Promise<void> => withSpinner(out, label, work);
  out.write(`${paint(out, 'magenta', '◆')} ${paint(out, 'bold', `scripted agent · ${world.polecat}`)} ${paint(out, 'dim', `working on ${bead.id}`)}\n`);
  out.write(`${paint(out, 'bold', bead.title)}\n`);
  // The prose of the body only: a recipe's code blocks (src/scripted-agent/recipe.ts) are for the edit step.
  const prose = bead.body.split(/^```/m)[0]!.trim();
  if (prose) out.write(`${paint(out, 'dim', prose.split('\n').slice(0, 3).join('\n'))}\n`);

  await step(`reading ${bead.id}`);
  const ahead = Number((await gitRun(world.worktree, ['rev-list', '--count', `refs/heads/${world.mainBranch}..HEAD`])).stdout.trim()) || 0;
  // A bead whose body carries its change as code blocks (src/scripted-agent/recipe.ts): real files, not a notes file.
  const recipe = parseRecipe(bead.body);
  if (ahead > 0) {
    // The bead came back (bounced): bring the earlier work up to date with main first. On a
    // conflicting hunk this agent's own version wins (-X theirs, in a rebase, is the branch).
    const reworked = await step(`reworking: rebasing ${ahead} earlier commit${ahead === 1 ? '' : 's'} onto ${world.mainBranch}`, async () => {
      if (recipe.length) {
        // With a recipe the agent knows its own edits: conflicted files get main's version plus them (both sides kept).
        const failed = await rebaseReapplying(world.worktree, world.mainBranch, editsFor(recipe, false), identity(world.env), (line) => out.write(`\n  ${line}`));
        if (failed) throw new CitadelError('failed', failed);
        return;
      }
      const result = await gitRun(world.worktree, ['rebase', '-X', 'theirs', world.mainBranch], { env: identity(world.env) });
      if (result.code !== 0) {
        await gitRun(world.worktree, ['rebase', '--abort']);
        throw new CitadelError('failed', result.stderr.trim() || result.stdout.trim());
      }
    }).then(
      () => true,
      () => false,
    );
    if (!reworked) {
      out.write(`${paint(out, 'red', '✗')} could not rebase onto ${world.mainBranch}; the branch is left as it was\n`);
      return 1;
    }
  }
  let answer: string | undefined;
  if (switches.ask) {
    out.write(`${paint(out, 'yellow', '?')} Shall I go ahead with "${bead.title}"? (type an answer and press Enter) `);
    answer = await readLine(world.input);
    out.write(`${paint(out, 'dim', `answer: ${answer}`)}\n`);
  }
  await step('planning the change', async () => {
    await sleep(switches.delayMs);
    for (let i = 1; i <= switches.flood; i++) {
      out.write(`${paint(out, 'dim', `thinking ${i}/${switches.flood}:`)} considering ${bead.id} from angle ${i % 97} of the problem…\n`);
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  });
  if (switches.fail) {
    out.write(`${paint(out, 'red', '✗ error:')} simulated failure on ${bead.id} (scripted:fail)\n`);
    return 3;
  }
  const edits = editsFor(recipe, ahead === 0);
  // A short spinner label (a long one wraps in a narrow pane); a recipe's files are listed after.
  const files = [...new Set(edits.map((e) => e.path))];
  const editing = files.length ? `${files[0]}${files.length > 1 ? ` and ${files.length - 1} more` : ''}` : `${workFile(bead.id)}${switches.conflict ? ` and ${sharedFile}` : ''}`;
  await step(`editing ${editing}`, async () => {
    await sleep(switches.delayMs);
    if (edits.length) applyRecipe(world.worktree, edits);
    else writeChange(world, answer);
  });
  if (files.length > 1) out.write(`${paint(out, 'dim', `  wrote ${files.join(', ')}`)}\n`);
  // scripted:untested: a hasty first attempt, committed without running the gates (the refinery catches it).
  const skipGates = switches.untested === true && ahead === 0;
  if (skipGates) out.write(`${paint(out, 'yellow', '!')} skipping the gates: confident it works (scripted:untested)\n`);
  for (const argv of skipGates ? [] : world.gates) {
    const ok = await step(`running gate: ${argv.join(' ')}`, async () => {
      const code = await runCommand(argv, world);
      if (code !== 0) throw new CitadelError('failed', `gate ${argv.join(' ')} exited ${code}`);
    }).then(
      () => true,
      () => false,
    );
    if (!ok) {
      out.write(`${paint(out, 'red', '✗')} the gate \`${argv.join(' ')}\` fails; leaving the work uncommitted for a human to look at\n`);
      return 1;
    }
  }
  await step('committing', async () => {
    await git(world.worktree, ['add', '-A']);
    const staged = await gitRun(world.worktree, ['diff', '--cached', '--quiet']);
    if (staged.code === 0) {
      out.write(`${paint(out, 'dim', 'nothing new to commit: the change is already on the branch')}\n`);
      return;
    }
    await git(world.worktree, ['commit', '-q', '-m', `${bead.id}: ${bead.title}`], { env: identity(world.env) });
  });
  if (!switches.done) {
    out.write(`${paint(out, 'green', '✓')} committed (not submitted: --no-done)\n`);
    return 0;
  }
  const code = await runCommand([...world.citadel, 'done', '--bead', bead.id], world);
  if (code !== 0) {
    out.write(`${paint(out, 'red', '✗')} citadel done failed (exit ${code})\n`);
    return code;
  }
  out.write(`${paint(out, 'green', '✓ done:')} ${bead.id} submitted to the refinery\n`);
  return 0;
}

function writeChange(world: ScriptedWorld, answer: string | undefined): void {
  const { bead } = world;
  const file = join(world.worktree, workFile(bead.id));
  mkdirSync(join(world.worktree, 'work'), { recursive: true });
  const lines = [`# ${bead.title}`, '', `bead: ${bead.id}`, `polecat: ${world.polecat}`];
  if (bead.body.trim()) lines.push('', bead.body.trim());
  if (answer !== undefined) lines.push('', `answer: ${answer}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  if (world.switches.conflict) {
    const shared = join(world.worktree, sharedFile);
    let rest: string[] = [];
    try {
      rest = readFileSync(shared, 'utf8').split('\n').slice(1);
    } catch {
      rest = [''];
    }
    writeFileSync(shared, [`edited by ${bead.id}: ${bead.title}`, ...rest].join('\n'));
  }
}

/** Commits with the repository's identity, or a stand-in when it has none. */
function identity(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    GIT_AUTHOR_NAME: env.GIT_AUTHOR_NAME ?? 'citadel scripted agent',
    GIT_AUTHOR_EMAIL: env.GIT_AUTHOR_EMAIL ?? 'scripted@citadel.invalid',
    GIT_COMMITTER_NAME: env.GIT_COMMITTER_NAME ?? 'citadel scripted agent',
    GIT_COMMITTER_EMAIL: env.GIT_COMMITTER_EMAIL ?? 'scripted@citadel.invalid',
  };
}

/** Runs an argv in the worktree, streaming its output to the agent's screen. */
function runCommand(argv: readonly string[], world: ScriptedWorld): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file!, args, { cwd: world.worktree, env: world.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => world.out.write(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => world.out.write(chunk.toString('utf8')));
    child.on('error', (error) => {
      world.out.write(`${error.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function readLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const reader = createInterface({ input, terminal: false });
    let answered = false;
    reader.once('line', (line) => {
      answered = true;
      reader.close();
      resolve(line.trim());
    });
    reader.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** True when `path` is inside a git worktree (the agent refuses to run elsewhere). */
export async function isWorktree(path: string): Promise<boolean> {
  return (await gitRun(path, ['rev-parse', '--is-inside-work-tree'])).stdout.trim() === 'true';
}
