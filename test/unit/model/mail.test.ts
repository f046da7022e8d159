import { describe, expect, it } from 'vitest';
import { CitadelError } from '../../../src/common/errors.js';
import { beadsOf, createBead, inbox, markMailRead, readyQueue, sendMail, threadOf } from '../../../src/model/index.js';
import { memoryTown } from './fixtures.js';

describe('mail', () => {
  it('sends messages, lists an inbox newest first, and keeps read state per reader', () => {
    const { journal, as } = memoryTown();
    const first = journal.mutate(sendMail(as('overseer'), { to: 'nux', subject: 'Start on the parser', body: 'see ct-1' }));
    const second = journal.mutate(sendMail(as('refinery'), { to: 'nux', subject: 'Bounced' }));
    const broadcast = journal.mutate(sendMail(as('overseer'), { to: '@all', subject: 'Freeze at 5pm' }));
    journal.mutate(sendMail(as('overseer'), { to: 'slit', subject: 'Not for nux' }));
    expect(first).toMatchObject({ type: 'message', title: 'Start on the parser', from: 'overseer', to: 'nux', subject: 'Start on the parser', body: 'see ct-1', thread: first.id, reply_to: null, read_by: [] });
    const beads = () => beadsOf(journal.read());
    expect(inbox(beads(), 'nux').map((m) => m.id)).toEqual([broadcast.id, second.id, first.id]);
    // the sender of an @all message does not get it back
    expect(inbox(beads(), 'overseer').map((m) => m.id)).toEqual([]);
    journal.mutate(markMailRead(as('nux'), first.id));
    expect(inbox(beads(), 'nux', { unread: true }).map((m) => m.id)).toEqual([broadcast.id, second.id]);
    // read state is per reader: slit has not read the broadcast
    journal.mutate(markMailRead(as('nux'), broadcast.id));
    expect(inbox(beads(), 'slit', { unread: true }).map((m) => m.id)).toContain(broadcast.id);
    // reading twice writes nothing
    const records = journal.log.length;
    journal.mutate(markMailRead(as('nux'), first.id));
    expect(journal.log).toHaveLength(records);
    // mail is never work
    expect(readyQueue(beads())).toEqual([]);
  });

  it('threads replies and defaults the address and subject of a reply', () => {
    const { journal, as } = memoryTown();
    const question = journal.mutate(sendMail(as('nux'), { to: 'overseer', subject: 'Which API?' }));
    const answer = journal.mutate(sendMail(as('overseer'), { replyTo: question.id, body: 'the new one' }));
    const followUp = journal.mutate(sendMail(as('nux'), { replyTo: answer.id, to: 'overseer', subject: 'Thanks' }));
    expect(answer).toMatchObject({ to: 'nux', subject: 'Re: Which API?', thread: question.id, reply_to: question.id });
    expect(followUp).toMatchObject({ thread: question.id, reply_to: answer.id });
    expect(threadOf(beadsOf(journal.read()), question.id).map((m) => m.id)).toEqual([question.id, answer.id, followUp.id]);
  });

  it('refuses bad addresses, empty subjects, replies to non-messages', () => {
    const { journal, as } = memoryTown();
    const work = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    const fail = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        if (error instanceof CitadelError) return error.message;
      }
      throw new Error('expected a CitadelError');
    };
    expect(fail(() => journal.mutate(sendMail(as('overseer'), { to: 'two words', subject: 'x' })))).toMatch(/bad address/);
    expect(fail(() => journal.mutate(sendMail(as('overseer'), { to: 'nux', subject: ' ' })))).toMatch(/subject is empty/);
    expect(fail(() => journal.mutate(sendMail(as('overseer'), { subject: 'x' })))).toMatch(/needs an address/);
    expect(fail(() => journal.mutate(sendMail(as('overseer'), { replyTo: work.id, subject: 'x' })))).toMatch(/not a message/);
    expect(fail(() => journal.mutate(markMailRead(as('overseer'), work.id)))).toMatch(/not a message/);
    expect(journal.log).toHaveLength(1);
  });
});
