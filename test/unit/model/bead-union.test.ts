import { describe, expect, it } from 'vitest';
import {
  beadsOf,
  createBead,
  isBeadOf,
  isMergeRequest,
  isMessage,
  isStep,
  sendMail,
  type Bead,
  type BeadOf,
  type MergeRequestBead,
  type MessageBead,
} from '../../../src/model/index.js';
import { memoryTown } from './fixtures.js';

/**
 * `Bead` is a union discriminated by `type` (src/model/bead.ts). The narrowing helpers are
 * tested on beads the model itself wrote; what typecheck proves is in `typeChecks` below (each
 * `@ts-expect-error` fails `npm run typecheck` if the mistake it marks ever compiles).
 */
describe('the bead union', () => {
  it('narrows beads the model wrote by their type, with the fields each type always carries', () => {
    const { journal, as } = memoryTown();
    const message = journal.mutate(sendMail(as('overseer'), { to: 'nux', subject: 'Start' }));
    const task = journal.mutate(createBead(as('overseer'), { title: 'Parser' }));
    const request = journal.mutate(createBead(as('nux'), { type: 'merge_request', title: 'merge', branch: 'polecat/nux/x', polecat: 'nux', bead: task.id }));
    const beads = [...beadsOf(journal.read()).values()];
    expect(beads.filter(isMessage).map((m) => [m.id, m.from, m.to, m.subject, m.thread, m.reply_to, m.read_by])).toEqual([[message.id, 'overseer', 'nux', 'Start', message.id, null, []]]);
    expect(beads.filter(isMergeRequest).map((r) => [r.id, r.branch, r.polecat, r.bead, r.state, r.reason])).toEqual([[request.id, 'polecat/nux/x', 'nux', task.id, 'queued', null]]);
    expect(beads.filter((b) => isBeadOf(b, 'task')).map((b) => b.id)).toEqual([task.id]);
    expect(beads.some(isStep)).toBe(false);
    // Another type's field reads as absent on a bead not narrowed.
    const work: Bead = task;
    expect(work.from).toBeUndefined();
    expect(work.branch).toBeUndefined();
  });
});

/** Never run: typecheck is the test. Each line marked below must NOT compile. */
export function typeChecks(bead: Bead, message: MessageBead): void {
  // @ts-expect-error a bead not narrowed may have no sender
  const from: string = bead.from;
  const subject: string = message.subject;
  if (bead.type === 'merge_request') {
    const branch: string = bead.branch;
    void branch;
  }
  // @ts-expect-error a message has no branch
  const branch: string = message.branch;
  const request: BeadOf<'merge_request'> = {} as MergeRequestBead;
  // @ts-expect-error a task is not a message
  const wrong: MessageBead = { ...message, type: 'task' };
  void [from, subject, branch, request, wrong];
}
