import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import { makeTown, type TestTown } from './bead-town.js';

describe('citadel mail', () => {
  let town: TestTown;
  beforeAll(async () => {
    town = await makeTown();
  });
  afterAll(() => town.dispose());

  it('sends, lists newest first, marks read per reader, and threads replies', async () => {
    const first = await town.json<Bead>(['mail', 'send', '--to', 'nux', '--subject', 'Start on the parser', '--body', 'It is ready.']);
    expect(first).toMatchObject({ type: 'message', from: 'overseer', to: 'nux', subject: 'Start on the parser', body: 'It is ready.', thread: first.id, read_by: [] });
    const all = await town.json<Bead>(['mail', 'send', '--to', '@all', '--subject', 'Freeze at five']);
    const inbox = await town.json<Bead[]>(['mail', 'inbox'], { actor: 'nux' });
    expect(inbox.map((m) => m.id)).toEqual([all.id, first.id]);

    const read = await town.run(['mail', 'read', first.id], { actor: 'nux' });
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('from:      overseer');
    expect(read.stdout).toContain('It is ready.');
    expect((await town.json<Bead[]>(['mail', 'inbox', '--unread'], { actor: 'nux' })).map((m) => m.id)).toEqual([all.id]);
    // slit has read nothing: read state is per reader
    expect((await town.json<Bead[]>(['mail', 'inbox', '--for', 'slit', '--unread'])).map((m) => m.id)).toEqual([all.id]);

    const reply = await town.json<Bead>(['mail', 'send', '--reply-to', first.id, '--body', 'On it.'], { actor: 'nux' });
    expect(reply).toMatchObject({ from: 'nux', to: 'overseer', subject: 'Re: Start on the parser', thread: first.id, reply_to: first.id });
    const text = await town.run(['mail', 'inbox']);
    expect(text.stdout).toMatch(new RegExp(`1 message for overseer, 1 unread:\\n\\*\\s+${reply.id}\\s.*from nux\\s+Re: Start on the parser`));
    const readJson = await town.json<Bead>(['mail', 'read', reply.id]);
    expect(readJson.read_by).toEqual(['overseer']);
  });

  it('refuses bad addresses, empty subjects and unknown ids with exit 1', async () => {
    const [address, subject, unknown, missing] = await Promise.all([
      town.run(['mail', 'send', '--to', 'no body', '--subject', 'x']),
      town.run(['mail', 'send', '--to', 'nux', '--subject', '']),
      town.run(['mail', 'read', 'ct-zzzz']),
      town.run(['mail', 'send', '--subject', 'to whom?']),
    ]);
    expect([address.code, subject.code, unknown.code, missing.code]).toEqual([1, 1, 1, 1]);
    expect(address.stderr).toMatch(/^citadel: bad address "no body": mail goes to overseer, refinery, @all, or a polecat's name/);
    expect(subject.stderr).toMatch(/subject is empty/);
    expect(unknown.stderr).toMatch(/ct-zzzz not found/);
    expect(missing.stderr).toMatch(/needs an address/);
  });
});
