import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import type { Change, Entity, Journal } from '../../../src/journal/index.js';
import { queriesOf } from '../../../src/journal/query-index.js';
import { dump, open } from './helpers.js';

/**
 * The query index's storage (docs/journal.md, "The query index"): bodies deflated with a
 * dictionary trained on the index's rows, the `counts` table, the `closed_at` and `bead`
 * columns; a body that does not decode is damage like a row failing its CRC.
 */
const crc32 = (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32;
const OPTIONS = { segmentBytes: 64 * 1024, checkpointEvery: 100_000, fsync: false } as const;
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const WORDS = 'the parser drops a token when a comment ends a line so the journal replays a torn tail'.split(' ');
const bead = (i: number, step: number): Entity => ({
  id: `b${i}`,
  type: i % 5 === 0 ? 'merge_request' : i % 7 === 0 ? 'message' : 'task',
  title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]} ${i}`,
  body: Array.from({ length: 20 + (i % 13) }, (_, k) => WORDS[(i + k * k) % WORDS.length]).join(' '),
  status: step > 0 && i % 3 === 0 ? 'closed' : 'open',
  priority: i % 5,
  labels: i % 4 ? ['ui'] : [],
  assignee: null,
  needs: i > 2 && i % 6 === 0 ? [`b${i - 1}`] : [],
  parent: null,
  created_by: 'overseer',
  created_at: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
  updated_at: '2026-01-02T00:00:00.000Z',
  closed_at: step > 0 && i % 3 === 0 ? `2026-01-03T00:${String(i % 60).padStart(2, '0')}:00.000Z` : null,
  close_reason: null,
  ...(i % 5 === 0 ? { bead: `b${i + 1}`, branch: `polecat/nux/b${i + 1}`, state: 'queued' } : {}),
});

async function write(journal: Journal, changes: Change[]): Promise<void> {
  await journal.mutate(() => ({ changes, value: undefined }));
}

/** A journal of `n` beads written in batches of 50, then every third closed and every eleventh deleted. */
async function town(n: number): Promise<string> {
  const root = tempDir('citadel-index-store-');
  cleanups.push(root.dispose);
  const dir = join(root.path, 'journal');
  const writer = open(dir, OPTIONS);
  try {
    for (let start = 0; start < n; start += 50)
      await write(writer, Array.from({ length: Math.min(50, n - start) }, (_, k): Change => ({ kind: 'beads', id: `b${start + k}`, entity: bead(start + k, 0), action: 'put' })));
    const later: Change[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 11 === 0) later.push({ kind: 'beads', id: `b${i}`, entity: null, action: 'delete' });
      else if (i % 3 === 0) later.push({ kind: 'beads', id: `b${i}`, entity: bead(i, 1), action: 'put' });
    }
    await write(writer, later);
  } finally {
    writer.close();
  }
  return dir;
}

describe('the query index stores bodies deflated', () => {
  it('with a trained dictionary: every entity reads back as the journal has it, in less than half the bytes; counts and the new columns answer', async () => {
    const dir = await town(400);
    const indexed = open(dir, OPTIONS);
    const replay = open(dir, { ...OPTIONS, queryIndex: false });
    cleanups.push(() => {
      indexed.close();
      replay.close();
    });
    const view = indexed.read();
    const truth = replay.read();
    const beads = view.all('beads');
    const queries = queriesOf(beads);
    expect(queries).toBeDefined();
    // One row at a time (index mode), then every row (the whole state loaded from the index).
    for (let i = 0; i < 400; i++) expect(view.get('beads', `b${i}`)).toEqual(truth.get('beads', `b${i}`));
    const every = [...truth.all('beads').values()];
    expect(queries!.count()).toBe(every.length);
    expect(beads.size).toBe(every.length);
    expect(queries!.count({ fields: { status: 'closed' }, not: { type: ['message', 'merge_request'] } })).toBe(every.filter((b) => b.status === 'closed' && b.type === 'task').length);
    const closed = every.filter((b) => b.status === 'closed').sort((a, b) => String(b.closed_at).localeCompare(String(a.closed_at)) || String(a.id).localeCompare(String(b.id)));
    expect(queries!.find({ fields: { status: 'closed' } }, 'closed-newest', 7).map((b) => b.id)).toEqual(closed.slice(0, 7).map((b) => b.id));
    // latest() by a column and by a field that is none (read from the body by entity_field).
    expect(queries!.latest({ fields: { status: 'closed' } }, ['closed_at'], 7).map((b) => b.id)).toEqual(closed.slice(0, 7).map((b) => b.id));
    expect(queries!.latest({ fields: { type: 'merge_request' } }, ['branch'], 3).map((b) => b.branch)).toEqual(
      every.filter((b) => b.type === 'merge_request').map((b) => String(b.branch)).sort().reverse().slice(0, 3),
    );
    expect(queries!.find({ fields: { type: 'merge_request', bead: 'b11' } }).map((b) => b.id)).toEqual(every.filter((b) => b.bead === 'b11').map((b) => b.id));
    expect(dump(indexed, ['beads'])).toEqual(dump(replay, ['beads']));

    const db = new Database(join(dir, 'index.sqlite'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM dicts WHERE scope = 'entities'").pluck().get()).toBeGreaterThanOrEqual(1);
      const stored = db.prepare('SELECT sum(length(body)) FROM entities').pluck().get() as number;
      const json = every.reduce((n, b) => n + Buffer.byteLength(JSON.stringify(b)), 0);
      expect(stored).toBeLessThan(json / 2);
      const body = db.prepare("SELECT body FROM entities WHERE id = 'b1'").pluck().get() as Buffer;
      expect(Buffer.isBuffer(body) && body.includes(Buffer.from('"title"'))).toBe(false);
    } finally {
      db.close();
    }
  });

  for (const damage of ['a body that does not decode (its CRC made to match)', 'a body failing its CRC', 'a dictionary failing its check'] as const) {
    it(`${damage} is damage: the read is served from the journal, the index set aside and rebuilt`, async () => {
      // b9 is rewritten by the last mutation, after a dictionary was trained: its body uses it.
      const dir = await town(200);
      const truth = open(dir, { ...OPTIONS, queryIndex: false });
      cleanups.push(() => truth.close());
      const db = new Database(join(dir, 'index.sqlite'));
      try {
        if (damage === 'a dictionary failing its check') {
          db.prepare("UPDATE dicts SET dict = zeroblob(length(dict)) WHERE scope = 'entities'").run();
        } else {
          const body = Buffer.from(db.prepare("SELECT body FROM entities WHERE id = 'b9'").pluck().get() as Buffer);
          // 0xff: a deflate block of the reserved type 3 — never decodes.
          body.fill(0xff, 6);
          db.prepare("UPDATE entities SET body = ?, crc = ? WHERE id = 'b9'").run(body, damage === 'a body failing its CRC' ? 1 : crc32(body));
        }
      } finally {
        db.close();
      }
      const reader = open(dir, OPTIONS);
      try {
        expect(reader.read().get('beads', 'b9')).toEqual(truth.read().get('beads', 'b9'));
      } finally {
        reader.close();
      }
      expect(readdirSync(dir).some((name) => name.startsWith('index.sqlite.broken-'))).toBe(true);
      expect(readFileSync(join(dir, 'recovery.log'), 'utf8')).toContain('rebuild-index');
      // The next writer builds the index anew; a cold reader then reads every row from it.
      const writer = open(dir, OPTIONS);
      try {
        await write(writer, [{ kind: 'beads', id: 'b1000', entity: bead(1000, 0), action: 'put' }]);
      } finally {
        writer.close();
      }
      expect(existsSync(join(dir, 'index.sqlite'))).toBe(true);
      const again = open(dir, OPTIONS);
      try {
        const view = again.read();
        expect(queriesOf(view.all('beads'))).toBeDefined();
        expect(view.get('beads', 'b9')).toEqual(truth.read().get('beads', 'b9'));
        expect(dump(again, ['beads'])).toEqual(dump(truth, ['beads']));
      } finally {
        again.close();
      }
    });
  }
});
