import { CitadelError } from '../../common/errors.js';
import { visibleLine } from '../../common/visible-text.js';
import { entityAddress } from '../../model/address.js';
import { idCandidates } from '../../model/ids.js';
import { checkTextSize, LIMITS } from '../../model/limits.js';
import { POLECAT_KIND } from '../../model/polecat.js';
import { checkId } from '../../model/validate.js';
import { readBranchTip } from '../../git/refs.js';
import { gitRun } from '../../git/run.js';
import type { MergeRequest } from '../../refinery/queue.js';
import { approve, reject } from '../../refinery/review.js';
import type { Town } from '../../town/town.js';
import type { CliContext } from '../context.js';
import { workSession } from './session.js';

/*
 * `citadel approve MR [--note TEXT]` and `citadel reject MR --reason TEXT` (docs/refinery.md,
 * "Review"): a person's verdict on a merge request, recorded as a validation by their address.
 */

/** Reviews are a person's: refused inside a polecat, and for a polecat's own name. */
function checkReviewer(town: Town, env: NodeJS.ProcessEnv, verb: string): void {
  const inPolecat = env.CITADEL_POLECAT?.trim();
  if (inPolecat || town.journal.read().get(POLECAT_KIND, town.actor)) {
    throw new CitadelError('refused', `citadel ${verb} is refused inside a polecat (${inPolecat || town.actor}): a review is the overseer's`);
  }
}

/** The merge request's branch tip now (what an approval binds to when the refinery has not gated it yet). */
async function branchTipOf(town: Town, id: string): Promise<string | null> {
  const state = town.journal.read();
  let mr: MergeRequest | undefined;
  for (const candidate of idCandidates(checkId(id, 'merge request id'), town.config.prefix)) if ((mr = state.get('beads', candidate) as MergeRequest | undefined)) break;
  const branch = mr?.type === 'merge_request' ? mr.branch : undefined;
  if (!branch) return null;
  const fromFiles = readBranchTip(town.paths.root, branch);
  if (fromFiles) return fromFiles;
  const result = await gitRun(town.paths.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  return result.code === 0 ? result.stdout.trim() : null;
}

function words(value: string | undefined, what: string): string | null {
  const text = value?.trim();
  if (!text) return null;
  return checkTextSize(text, what, LIMITS.reason);
}

export async function approveAction(context: CliContext, id: string, options: { note?: string; json?: boolean }): Promise<void> {
  const { town, model } = workSession(context);
  checkReviewer(town, context.env, 'approve');
  const note = words(options.note, 'note');
  const { value } = await town.journal.mutate(approve(model, id, { town: town.config.name, branchCommit: await branchTipOf(town, id), note }));
  if (options.json) {
    context.json({ merge_request: value.mr.id, validation: value.validation });
    return;
  }
  const commit = value.validation.branch_commit?.slice(0, 10) ?? '?';
  const gated = town.config.review === 'required' ? 'the refinery lands it once its gates pass on main as it is then' : 'config review is not "required": the refinery lands it as usual';
  context.out(`approved ${value.mr.id} (${visibleLine(value.mr.branch ?? '')} at ${commit}) as ${entityAddress(town.config.name, town.actor)}; ${gated}\n`);
}

export async function rejectAction(context: CliContext, id: string, options: { reason?: string; json?: boolean }): Promise<void> {
  const reason = words(options.reason, 'reason');
  if (!reason) throw new CitadelError('usage', 'citadel reject needs --reason TEXT: the polecat reworks from it');
  const { town, model } = workSession(context);
  checkReviewer(town, context.env, 'reject');
  const { value: mr, records } = await town.journal.mutate(reject(model, id, { town: town.config.name, branchCommit: await branchTipOf(town, id), reason, bounceTo: town.config.bounceTo }));
  const validation = records.find((record) => record.kind === 'validations')?.entity ?? null;
  if (options.json) {
    context.json({ merge_request: mr.id, state: mr.state, reason: mr.reason, validation });
    return;
  }
  const back = mr.bead ? (town.config.bounceTo === 'ready' ? `; ${mr.bead} is back in the ready queue` : `; ${mr.bead} is back with ${mr.polecat ?? 'its polecat'}`) : '';
  context.out(`rejected ${mr.id}: ${visibleLine(reason)}${back} (mailed ${mr.polecat ?? 'nobody'})\n`);
}
