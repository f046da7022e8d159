import { queriesOf } from '../journal/query-index.js';
import type { Entity, Mutator } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import type { ModelContext } from '../model/context.js';
import { transact } from '../model/transaction.js';
import { CitadelError } from '../common/errors.js';
import { isSafeBranchName } from '../git/names.js';
import { gitRun } from '../git/run.js';
import { POLECAT_KIND } from '../model/polecat.js';

/** What `citadel done` found in the polecat's worktree. */
export interface Submission {
  readonly worktree: string;
  readonly branch: string;
  /** Commits on the branch that main does not have. */
  readonly commits: number;
  readonly head: string;
}

/**
 * Checks that the worktree at `cwd` has something to submit: on a branch, nothing uncommitted,
 * and at least one commit main lacks. Refusals say why and what to do.
 *
 * Three git processes, run together (each costs the parent ~13 ms CPU to spawn, and agents run
 * `done` often): the worktree's top, `status --porcelain=v2 --branch` (branch, head and changes
 * at once) and the count of commits main lacks. Anything out of the ordinary (not a worktree,
 * detached or unborn HEAD, uncommitted changes, no main) is left to {@link inspectStepByStep},
 * which asks one question at a time and words each refusal.
 */
export async function inspectSubmission(cwd: string, mainBranch: string): Promise<Submission> {
  const [top, status, count] = await Promise.all([
    gitRun(cwd, ['rev-parse', '--show-toplevel']),
    gitRun(cwd, ['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
    gitRun(cwd, ['rev-list', '--count', `refs/heads/${mainBranch}..HEAD`, '--']),
  ]);
  if (top.code !== 0 || status.code !== 0 || count.code !== 0) return inspectStepByStep(cwd, mainBranch);
  const lines = status.stdout.split('\n').filter(Boolean);
  const header = (name: string): string | undefined => lines.find((line) => line.startsWith(`# branch.${name} `))?.slice(`# branch.${name} `.length);
  const branch = header('head');
  const head = header('oid');
  const changed = lines.some((line) => !line.startsWith('#'));
  if (!branch || branch === '(detached)' || !head || !/^[0-9a-f]{40,64}$/.test(head) || changed) return inspectStepByStep(cwd, mainBranch);
  const worktree = top.stdout.trim();
  refuseBranch(worktree, branch, mainBranch);
  return { worktree, branch, commits: commitsAhead(count.stdout, branch, mainBranch), head };
}

/** {@link inspectSubmission} one question at a time: the wording of every refusal. */
async function inspectStepByStep(cwd: string, mainBranch: string): Promise<Submission> {
  const top = await gitRun(cwd, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) throw new CitadelError('refused', `${cwd} is not inside a git worktree: run \`citadel done\` in your polecat's worktree`);
  const worktree = top.stdout.trim();
  const head = await gitRun(worktree, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (head.code !== 0) throw new CitadelError('refused', `${worktree} has a detached HEAD: check out your branch (git switch polecat/<name>/<bead>) first`);
  const branch = head.stdout.trim();
  refuseBranch(worktree, branch, mainBranch);
  const status = await gitRun(worktree, ['status', '--porcelain=v1', '--untracked-files=all']);
  const dirty = status.stdout.split('\n').filter(Boolean);
  if (dirty.length > 0) {
    const files = dirty.slice(0, 5).map((line) => line.slice(3));
    throw new CitadelError(
      'refused',
      `uncommitted changes in ${worktree} (${files.join(', ')}${dirty.length > 5 ? `, and ${dirty.length - 5} more` : ''}): commit them (git add -A && git commit) or discard them, then run \`citadel done\` again`,
    );
  }
  const main = await gitRun(worktree, ['rev-parse', '--verify', '--quiet', `refs/heads/${mainBranch}^{commit}`]);
  if (main.code !== 0) throw new CitadelError('not_found', `branch ${mainBranch} not found (config "mainBranch")`);
  const count = await gitRun(worktree, ['rev-list', '--count', `${main.stdout.trim()}..HEAD`]);
  const commits = commitsAhead(count.stdout, branch, mainBranch);
  const sha = (await gitRun(worktree, ['rev-parse', 'HEAD'])).stdout.trim();
  return { worktree, branch, commits, head: sha };
}

function refuseBranch(worktree: string, branch: string, mainBranch: string): void {
  if (branch === mainBranch) throw new CitadelError('refused', `${worktree} is on ${mainBranch} itself: \`citadel done\` submits a polecat's branch, not ${mainBranch}`);
  if (!isSafeBranchName(branch)) throw new CitadelError('refused', `branch ${JSON.stringify(branch)} has a name citadel refuses to hand to the refinery`);
}

function commitsAhead(countOutput: string, branch: string, mainBranch: string): number {
  const commits = Number(countOutput.trim());
  if (!(commits > 0)) {
    throw new CitadelError('refused', `no new commits on ${branch} compared with ${mainBranch}: commit your work first, then run \`citadel done\``);
  }
  return commits;
}

export interface FileRequestInput {
  readonly submission: Submission;
  readonly polecat: string;
  /** The bead the branch finishes (may be unknown for a hand-made branch). */
  readonly bead: string | undefined;
  readonly message: string | undefined;
}

export interface FiledRequest {
  readonly request: Bead;
  /** False when a request for this branch was already waiting (done is idempotent). */
  readonly created: boolean;
}

const openStates = new Set(['queued', 'merging', 'testing']);

/**
 * Files the merge request (type merge_request, state queued), mails `refinery`, and marks the
 * polecat idle — one mutation. A request already open for the branch is returned instead of a
 * second one (the refinery lands the branch's tip as it is when it gets there).
 */
export function fileMergeRequest(context: ModelContext, input: FileRequestInput): Mutator<FiledRequest> {
  return (state) => {
    // A request still queued lands the branch's tip as it is when the refinery gets to it, so it
    // is reported again. One the refinery is already working on was built from the tip it saw:
    // if commits were added since, a new request follows it, or they would never land.
    // Through the query index only the requests not closed are read (an open state — queued,
    // merging, testing — is a status other than closed); without it, every bead is looked at.
    let existing: Bead | undefined;
    const beads = state.all('beads');
    const queries = queriesOf(beads);
    const candidates = queries ? queries.iterate({ fields: { type: 'merge_request' }, not: { status: ['closed'] } }) : beads.values();
    for (const entity of candidates) {
      const bead = entity as unknown as Bead;
      if (bead.type !== 'merge_request' || bead.branch !== input.submission.branch || !openStates.has(bead.state ?? '')) continue;
      if (bead.state === 'queued' || (bead as { head?: unknown }).head === input.submission.head) existing = bead;
    }
    const tx = transact(context, (t) => {
      if (existing) return { request: existing, created: false };
      const work = input.bead ? t.require(input.bead) : undefined;
      const { branch, commits } = input.submission;
      const request = t.create({
        type: 'merge_request',
        title: work ? `merge ${work.id}: ${work.title}` : `merge ${branch}`,
        body: input.message ?? '',
        priority: work?.priority ?? 2,
        branch,
        polecat: input.polecat,
        bead: work?.id ?? null,
        fields: { head: input.submission.head },
      });
      t.sendMail({
        to: 'refinery',
        subject: `merge request ${request.id}: ${branch}`,
        body: `${input.polecat} submitted ${branch} (${commits} commit${commits === 1 ? '' : 's'})${work ? ` for ${work.id}` : ''}.${input.message ? `\n\n${input.message}` : ''}`,
      });
      return { request, created: true };
    })(state);
    const changes = [...tx.changes];
    const polecat = state.get(POLECAT_KIND, input.polecat);
    if (polecat && tx.value.created) {
      const entity: Entity = { ...polecat, status: 'idle', bead: null, last_bead: input.bead ?? polecat.bead ?? null, submitted: tx.value.request.id };
      changes.push({ kind: POLECAT_KIND, id: input.polecat, entity, action: 'done', summary: `${input.polecat} is done with ${input.bead ?? input.submission.branch}` });
    }
    return { changes, value: tx.value };
  };
}
