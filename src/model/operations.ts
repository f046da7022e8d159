import type { Mutator } from '../journal/types.js';
import type { Bead, MergeRequestState } from './bead.js';
import type { ModelContext } from './context.js';
import { transact, type BeadPatch, type CreateBeadInput, type SendMailInput } from './transaction.js';

/*
 * One Mutator per operation, so the CLI, the MCP server and the daemon all run the same code:
 * `const { value } = await town.journal.mutate(claimBead(ctx, id))`. Each throws CitadelError
 * (nothing written) on bad input or a refusal. To do several in one atomic mutation, use
 * `transact(ctx, (tx) => …)` directly.
 */

/** Creates a bead (id drawn under the lock). */
export const createBead = (context: ModelContext, input: CreateBeadInput): Mutator<Bead> => transact(context, (tx) => tx.create(input));

/** Updates fields of a bead; returns it as it now is. */
export const updateBead = (context: ModelContext, id: string, patch: BeadPatch): Mutator<Bead> =>
  transact(context, (tx) => tx.update(id, patch));

/** Claims a bead for the actor, atomically; a `conflict` error if someone has it already. */
export const claimBead = (context: ModelContext, id: string): Mutator<Bead> => transact(context, (tx) => tx.claim(id));

/** Unassigns a bead and puts it back to open (back in the ready queue if nothing blocks it). */
export const releaseBead = (context: ModelContext, id: string): Mutator<Bead> => transact(context, (tx) => tx.release(id));

/** Closes a bead (and a molecule epic whose last open child it was); returns every bead closed. */
export const closeBead = (context: ModelContext, id: string, reason?: string): Mutator<Bead[]> =>
  transact(context, (tx) => tx.close(id, reason));

/** `id` needs `need` (cycles refused, naming the cycle). */
export const addNeed = (context: ModelContext, id: string, need: string): Mutator<Bead> => transact(context, (tx) => tx.addNeed(id, need));

/** `id` no longer needs `need`. */
export const removeNeed = (context: ModelContext, id: string, need: string): Mutator<Bead> =>
  transact(context, (tx) => tx.removeNeed(id, need));

/** Sends a message from the actor. */
export const sendMail = (context: ModelContext, input: SendMailInput): Mutator<Bead> => transact(context, (tx) => tx.sendMail(input));

/** Marks a message read by `reader` (default: the actor); returns it. */
export const markMailRead = (context: ModelContext, id: string, reader?: string): Mutator<Bead> =>
  transact(context, (tx) => tx.markRead(id, reader));

/** Moves a merge request to `state` (merged / rejected close it). */
export const setMergeRequestState = (context: ModelContext, id: string, state: MergeRequestState, reason?: string): Mutator<Bead> =>
  transact(context, (tx) => tx.setMergeRequestState(id, state, reason));
