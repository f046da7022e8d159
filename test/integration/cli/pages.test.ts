import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { modelContext } from '../../../src/model/context.js';
import type { Bead } from '../../../src/model/index.js';
import { transact } from '../../../src/model/transaction.js';
import { openTownAt } from '../../../src/town/town.js';
import { makeTown, type TestTown } from './bead-town.js';

// `ready` and `mail inbox` print a page (50) unless `--limit N` or `--all` (docs/cli.md, "Pages"),
// through the query index and without it (CITADEL_NO_QUERY_INDEX=1), with the same result.
describe('citadel ready and mail inbox pages', () => {
  let town: TestTown;
  const ready: string[] = [];
  const toNux: string[] = [];
  beforeAll(async () => {
    town = await makeTown();
    // 70 ready beads and 60 messages for nux (55 to nux, 5 to @all, plus 3 nux sent to @all),
    // one mutation each minute so the order is by age, with ties: every third made in the same minute.
    const writer = openTownAt(town.path, 'overseer');
    try {
      for (let i = 0; i < 70; i++) {
        const at = new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 3))).toISOString();
        const model = modelContext(i % 7 === 0 ? 'nux' : 'overseer', writer.config.prefix, { now: () => at });
        const { value } = await writer.journal.mutate(
          transact(model, (tx) => {
            const bead = tx.create({ title: `Bead ${i}`, priority: i % 3 });
            if (i < 63) tx.sendMail({ to: i % 7 === 0 ? '@all' : i % 12 === 5 ? '@all' : 'nux', subject: `Message ${i}` });
            return bead;
          }),
        );
        ready.push(value.id);
      }
    } finally {
      writer.close();
    }
    const all = await town.json<Bead[]>(['mail', 'inbox', '--all'], { actor: 'nux' });
    toNux.push(...all.map((m) => m.id));
  });
  afterAll(() => town.dispose());

  const both = async (args: string[], actor = 'overseer'): Promise<Bead[]> => {
    const indexed = await town.json<Bead[]>(args, { actor });
    const noIndex = await runCli([...args, '--json'], { cwd: town.path, env: { CITADEL_ACTOR: actor, CITADEL_NO_QUERY_INDEX: '1' } });
    expect(noIndex.code).toBe(0);
    expect((JSON.parse(noIndex.stdout) as Bead[]).map((b) => b.id)).toEqual(indexed.map((b) => b.id));
    return indexed;
  };

  it('ready prints the first 50 by default, --limit N or --all for more', async () => {
    const all = await both(['ready', '--all']);
    expect(all).toHaveLength(70);
    expect(new Set(all.map((b) => b.id))).toEqual(new Set(ready));
    expect((await both(['ready'])).map((b) => b.id)).toEqual(all.slice(0, 50).map((b) => b.id));
    expect((await both(['ready', '--limit', '60'])).map((b) => b.id)).toEqual(all.slice(0, 60).map((b) => b.id));
    const text = await town.run(['ready']);
    expect(text.stdout.trim().split('\n')).toHaveLength(51);
    expect(text.stdout).toMatch(/\(the first 50: more are ready; --limit N or --all for more\)\n$/);
    expect((await town.run(['ready', '--limit', '70'])).stdout).not.toMatch(/more are ready/);
    const conflicting = await town.run(['ready', '--all', '--limit', '3', '--json']);
    expect(conflicting.code).toBe(2);
  });

  it('mail inbox prints the newest 50 by default, the header counting the whole inbox', async () => {
    // nux's own @all messages are not in nux's inbox; the others' are
    expect(toNux.length).toBeGreaterThan(50);
    const allNux = await both(['mail', 'inbox', '--all'], 'nux');
    const created = allNux.map((m) => m.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(allNux.every((m) => m.to === 'nux' || (m.to === '@all' && m.from !== 'nux'))).toBe(true);
    const page = await both(['mail', 'inbox'], 'nux');
    expect(page.map((m) => m.id)).toEqual(allNux.slice(0, 50).map((m) => m.id));
    expect((await both(['mail', 'inbox', '--limit', '7'], 'nux')).map((m) => m.id)).toEqual(allNux.slice(0, 7).map((m) => m.id));

    // read three of the page: the counts and the unread page follow
    for (const m of allNux.slice(1, 4)) expect((await town.run(['mail', 'read', m.id], { actor: 'nux' })).code).toBe(0);
    const unread = await both(['mail', 'inbox', '--unread'], 'nux');
    expect(unread.map((m) => m.id)).toEqual(allNux.filter((_, i) => i < 1 || i > 3).slice(0, 50).map((m) => m.id));
    for (const env of [{}, { CITADEL_NO_QUERY_INDEX: '1' }]) {
      const text = await runCli(['mail', 'inbox'], { cwd: town.path, env: { CITADEL_ACTOR: 'nux', ...env } });
      expect(text.stdout.split('\n')[0]).toBe(`${allNux.length} messages for nux, ${allNux.length - 3} unread:`);
      expect(text.stdout).toMatch(new RegExp(`\\(the newest 50 of ${allNux.length}: --limit N or --all for more\\)\\n$`));
      const unreadText = await runCli(['mail', 'inbox', '--unread'], { cwd: town.path, env: { CITADEL_ACTOR: 'nux', ...env } });
      expect(unreadText.stdout).toMatch(new RegExp(`\\(the newest 50 of ${allNux.length - 3}: --limit N or --all for more\\)\\n$`));
    }
    // the overseer's inbox: only the @all messages nux sent (fewer than a page): no page line
    const overseer = await town.run(['mail', 'inbox', '--all'], { actor: 'overseer' });
    expect(overseer.stdout).not.toMatch(/--limit N/);
  });
});
