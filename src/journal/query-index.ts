import { lstatSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { closeSync } from 'node:fs';
import { linkRefused, openSafe, READ_WRITE_CREATE } from './safefs.js';
import type { Entity, Fold, FoldReader, FoldStore, JournalRecord } from './types.js';
import * as zlib from 'node:zlib';
import { BASE_DICTIONARY, BodyCodec, BodyUndecodable, dictionaryId, trainDictionary } from './body-codec.js';

const nativeCrc32 = (zlib as unknown as { crc32: (data: Uint8Array | string) => number }).crc32;

/**
 * The query index (docs/journal.md, "The query index"): a derived, rebuildable SQLite database,
 * `journal/index.sqlite`, holding every live entity as a row (its JSON text plus a few top-level
 * fields as indexed columns) and the journal position it reflects. A cold process answers a
 * single-entity read or a filtered query from it in milliseconds instead of parsing the whole
 * state. It is a cache like the snapshots: the journal stays the truth, every reader first
 * catches the index up from the journal tail after its position, and `doctor --repair` rebuilds it.
 *
 * The columns are generic top-level fields (the journal knows nothing of beads): the scalar
 * ones below, and array fields of strings in `refs` (one row per element).
 */
export const INDEX_FILE = 'index.sqlite';
// 3: `closed_at` and `bead` columns, the `counts` table, the (kind, type, status) index.
// 4: bodies deflated with a dictionary (body-codec.ts), the `dicts` table; the index vacuumed after a rebuild.
// 5: `refs` rows name the entity by its `rid` and the field by its place in LISTS; the column
//    indexes without `kind` (a row's kind is checked on the row: `beads` is nearly every row); fold rows
//    deflated too (a dictionary per fold), the fold's row count in `counts` (kind `_fold:NAME`).
const SCHEMA_VERSION = 5;

/** Scalar top-level fields kept as columns (name in the entity → column). */
const SCALARS = [
  ['type', 'type'],
  ['status', 'status'],
  ['priority', 'priority'],
  ['assignee', 'assignee'],
  ['parent', 'parent'],
  ['created_at', 'created_at'],
  ['to', 'addr_to'],
  ['from', 'addr_from'],
  ['thread', 'thread'],
  ['closed_at', 'closed_at'],
  // A merge request's bead (the work it lands): the requests filed for one bead are one index seek.
  ['bead', 'bead'],
] as const;
/** Array-of-string top-level fields kept in `refs` (as their place in this list: part of the schema). */
const LISTS = ['needs', 'labels', 'read_by', 'uses'] as const;

export type IndexedField = (typeof SCALARS)[number][0];
export type ListField = (typeof LISTS)[number];
const COLUMN = new Map<string, string>(SCALARS.map(([field, column]) => [field, column]));
const LIST_CODE = new Map<string, number>(LISTS.map((field, code) => [field, code]));
const listCode = (field: string): number => {
  const code = LIST_CODE.get(field);
  if (code === undefined) throw new Error(`query index: ${field} is not an indexed list`);
  return code;
};

/** Where the index stands in the journal: it holds every record up to `seq`, which ends at `offset` in `segment`. */
export interface IndexPosition {
  readonly seq: number;
  readonly segment: string;
  readonly offset: number;
  /**
   * The record at `seq` as it lies just before `offset`: its body's byte length and CRC-32, so a
   * reader can tell that the bytes there are still that record (a segment rewritten or put back
   * to another history may have the same length).
   */
  readonly last?: { readonly bytes: number; readonly crc: number };
  /**
   * The segment's size and modification time when the index reached `offset`: a segment
   * rewritten in place at the same length (two records swapped, one edited) no longer matches,
   * so the reader falls back to reading the journal, which fails closed on the damage.
   */
  readonly stamp?: string;
}

/** The fingerprint of `record` for {@link IndexPosition.last}: its body as the frame holds it. */
export function fingerprint(record: JournalRecord): { bytes: number; crc: number } {
  const body = JSON.stringify(record);
  return { bytes: Buffer.byteLength(body), crc: nativeCrc32(body) };
}

/** A filter on indexed fields: every entry must match (a value, any of a list, null for absent/empty). */
export interface Where {
  readonly fields?: Partial<Record<IndexedField, string | number | null | readonly (string | number)[]>>;
  /** The field is none of these values (null-safe: an absent field matches). */
  readonly not?: Partial<Record<IndexedField, readonly (string | number)[]>>;
  /** The array field holds this value. */
  readonly has?: { readonly field: ListField; readonly value: string };
  /** The array field does not hold this value. */
  readonly lacks?: { readonly field: ListField; readonly value: string };
}

/**
 * `priority-age`: priority, then `created_at`, then id. `age`: oldest first. `newest`: newest
 * first. `closed-newest`: only entities with a `closed_at`, greatest first, then id ascending (an
 * index walk that stops at the limit: "the N most recently closed").
 */
export type Order = 'priority-age' | 'age' | 'newest' | 'closed-newest' | 'none';

/**
 * Queries over one kind of a view, for the model's fast paths. Results reflect the index as it
 * is when called (the view's seq, or newer if another process wrote since).
 */
export interface EntityQueries {
  readonly kind: string;
  find(where: Where, order?: Order, limit?: number): Entity[];
  /** Rows lazily, in order: stop early to read only what is needed. */
  iterate(where: Where, order?: Order): IterableIterator<Entity>;
  /**
   * How many match. A filter on `type` and `status` alone (or none: the kind's size) is answered
   * from the `counts` table kept in the same transactions as the rows: O(1) in the size of the kind.
   */
  count(where?: Where): number;
  exists(where: Where): boolean;
  /**
   * Entities with status `open`, no assignee, not of the `excludedTypes`, and every id in their
   * `needs` naming an entity of this kind whose status is `closed`; by priority then age.
   */
  openWithClosedNeeds(excludedTypes: readonly string[]): IterableIterator<Entity>;
  /** True when some entity of this kind has the array field non-empty. */
  anyList(field: ListField): boolean;
  /**
   * The first `limit` entities matching `where` by the first present of the top-level text
   * `fields` (read from the JSON text), greatest first, then id ascending (for "recently closed"
   * lists ordered by a field that is not a column; the workstation's board and lane).
   */
  latest(where: Where, fields: readonly string[], limit: number): Entity[];
}

const QUERIES = Symbol.for('citadel.journal.queries');

/** The fast query interface behind a map from `StateView.all(kind)`, when the view is backed by the index. */
export function queriesOf(map: ReadonlyMap<string, unknown>): EntityQueries | undefined {
  return (map as { [QUERIES]?: () => EntityQueries | undefined })[QUERIES]?.();
}

type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;
let driver: typeof BetterSqlite3 | null | undefined;

/** better-sqlite3, loaded on first use; null when it cannot load (then the journal reads without an index). */
function loadDriver(): typeof BetterSqlite3 | null {
  if (driver !== undefined) return driver;
  if (process.env.CITADEL_NO_QUERY_INDEX === '1') return (driver = null);
  try {
    driver = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch {
    driver = null;
  }
  return driver;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
  rid INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL, crc INTEGER NOT NULL,
  ${SCALARS.map(([, column]) => `${column} ${column === 'priority' ? 'INTEGER' : 'TEXT'}`).join(', ')},
  UNIQUE (kind, id));
CREATE INDEX IF NOT EXISTS entities_status ON entities (status, priority, created_at);
CREATE INDEX IF NOT EXISTS entities_type ON entities (type, status);
CREATE INDEX IF NOT EXISTS entities_closed ON entities (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_bead ON entities (bead) WHERE bead IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_parent ON entities (parent) WHERE parent IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_assignee ON entities (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_to ON entities (addr_to, created_at) WHERE addr_to IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_thread ON entities (thread) WHERE thread IS NOT NULL;
CREATE TABLE IF NOT EXISTS refs (f INTEGER NOT NULL, value TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (f, value, rid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_owner ON refs (rid, f);
CREATE TABLE IF NOT EXISTS dicts (n INTEGER PRIMARY KEY, scope TEXT NOT NULL, id INTEGER NOT NULL UNIQUE, at INTEGER NOT NULL, dict BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (kind TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (kind, type, status)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS folds (name TEXT NOT NULL, k TEXT NOT NULL, v BLOB NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (name, k)) WITHOUT ROWID;
`;

/** The index is a cache without checksums of its own: each row and its position carry one, so damage is noticed (and the index rebuilt), never served. */
export class IndexDamaged extends Error {
  constructor(what: string) {
    super(`query index damaged: ${what}`);
  }
}

const crcOf = (body: string | Uint8Array): number => nativeCrc32(body);

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The column values of an entity, in SCALARS order. */
function columnsOf(entity: Entity): (string | number | null)[] {
  return SCALARS.map(([field]) => {
    const value = entity[field];
    if (field === 'priority') return typeof value === 'number' ? value : null;
    return text(value);
  });
}

/** True for an error that says the index file is damaged (or not a database). */
export function isIndexDamage(error: unknown): boolean {
  return error instanceof IndexDamaged || /^SQLITE_(CORRUPT|NOTADB|FORMAT|MISMATCH)/.test((error as { code?: string })?.code ?? '');
}

/** Moves a damaged index aside (`index.sqlite.broken-<pid>`, kept for inspection): the next process builds a new one. */
export function setAsideIndex(journalDir: string): void {
  const file = join(journalDir, INDEX_FILE);
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      renameSync(`${file}${suffix}`, `${file}${suffix}.broken-${process.pid}`);
    } catch {
      // not there
    }
  }
}

/** A `has` value held by fewer rows than this drives its query from `refs` (see whereClause). */
const RARE = 1000;
/** A trained dictionary once the index holds this many entities, and anew each time they double. */
const TRAIN_FIRST = 64;
/** How many rows a dictionary is trained on (~8 KiB of JSON text, the dictionary's size). */
const TRAIN_ROWS = 24;

export class QueryIndex {
  private readonly statements = new Map<string, Statement>();
  private readonly codec: BodyCodec;
  /** The dictionary new rows are written with, per scope (read once per write transaction: see {@link transaction}). */
  private readonly writing = new Map<string, Dictionary | null>();

  private constructor(
    readonly file: string,
    private readonly db: Db,
  ) {
    this.codec = new BodyCodec((id) => this.loadDictionary(id));
    // A field of an entity's JSON for SQL (`latest` by a field that is not a column).
    db.function('entity_field', { deterministic: true }, (body: unknown, field: unknown) => {
      if (!(body instanceof Uint8Array) || typeof field !== 'string') return null;
      const value = (this.decodeBody('?', '?', body) as Record<string, unknown>)[field];
      return typeof value === 'string' || typeof value === 'number' ? value : null;
    });
  }

  /** A stored body as its entity: its CRC, its decoding and its id checked (IndexDamaged if any fails). */
  private checked(kind: string, id: string, body: Uint8Array, crc: number): Entity {
    if (!(body instanceof Uint8Array) || crcOf(body) !== crc) throw new IndexDamaged(`${kind}/${id} fails its check`);
    const entity = this.decodeBody(kind, id, body);
    if (entity.id !== id) throw new IndexDamaged(`${kind}/${id} holds ${String(entity.id)}`);
    return entity;
  }

  private bodyText(kind: string, id: string, body: Uint8Array): string {
    try {
      return this.codec.decode(body);
    } catch (error) {
      if (error instanceof BodyUndecodable) throw new IndexDamaged(`${kind}/${id} does not decode (${error.message})`);
      throw error;
    }
  }

  private decodeBody(kind: string, id: string, body: Uint8Array): Entity {
    const text = this.bodyText(kind, id, body);
    try {
      return JSON.parse(text) as Entity;
    } catch {
      throw new IndexDamaged(`${kind}/${id} is not JSON`);
    }
  }

  private loadDictionary(id: number): Buffer | undefined {
    const row = this.prepare('SELECT scope, at, dict, crc FROM dicts WHERE id = ?').raw().get(id) as [string, number, Buffer, number] | undefined;
    if (!row) return undefined;
    if (row[3] !== dictCrc(row[0], id, row[1]) || dictionaryId(row[2]) !== id) throw new IndexDamaged(`dictionary ${id} fails its check`);
    return row[2];
  }

  /** The newest dictionary of `scope` (`entities`, `fold:NAME`), read once per write transaction: new rows are written with it. */
  private dictionaryOf(scope: string): Dictionary | undefined {
    if (this.writing.has(scope)) return this.writing.get(scope) ?? undefined;
    const row = this.prepare('SELECT id, at, dict, crc FROM dicts WHERE scope = ? ORDER BY n DESC LIMIT 1').raw().get(scope) as [number, number, Buffer, number] | undefined;
    if (row && (row[3] !== dictCrc(scope, row[0], row[1]) || dictionaryId(row[2]) !== row[0])) throw new IndexDamaged(`dictionary ${row[0]} fails its check`);
    const found = row ? { id: row[0], at: row[1], dict: row[2] } : undefined;
    this.writing.set(scope, found ?? null);
    return found;
  }

  /** Adds a dictionary of `scope` trained on `samples` (JSON texts) when the scope holds `rows`; new rows use it. */
  private addDictionary(scope: string, samples: readonly string[], rows: number): void {
    const dict = trainDictionary(samples, scope === ENTITIES ? undefined : Buffer.alloc(0));
    const id = dictionaryId(dict);
    this.prepare('INSERT OR IGNORE INTO dicts (scope, id, at, dict, crc) VALUES (?, ?, ?, ?, ?)').run(scope, id, rows, dict, dictCrc(scope, id, rows));
    this.writing.delete(scope);
  }

  /** True when `scope`, holding `rows`, is due a dictionary: none yet past {@link TRAIN_FIRST} rows, or its rows doubled since. */
  private due(scope: string, rows: number): boolean {
    const newest = this.dictionaryOf(scope);
    return rows >= TRAIN_FIRST && (!newest || rows >= 2 * newest.at);
  }

  /**
   * A new entity dictionary when the entities have doubled since the newest was trained (a town
   * starts empty: its first dictionary knows only the base strings): trained on rows picked at random.
   */
  private maybeRetrain(): void {
    const entities = this.countAll();
    if (!this.due(ENTITIES, entities)) return;
    const top = (this.prepare('SELECT max(rid) FROM entities').pluck().get() as number | null) ?? 0;
    const pick = this.prepare('SELECT kind, id, body FROM entities WHERE rid >= ? LIMIT 1').raw();
    const samples: string[] = [];
    for (let i = 0; i < TRAIN_ROWS; i++) {
      const row = pick.get(1 + Math.floor(Math.random() * top)) as [string, string, Uint8Array] | undefined;
      if (row) samples.push(this.bodyText(row[0], row[1], row[2]));
    }
    this.addDictionary(ENTITIES, samples, entities);
  }

  /**
   * Opens (creating if missing) the index in `journalDir`; undefined when SQLite cannot load.
   * A file that is not a database (or is damaged) is moved aside and a new one made: it is a cache.
   */
  static open(journalDir: string): QueryIndex | undefined {
    const Sqlite = loadDriver();
    if (!Sqlite) return undefined;
    const file = join(journalDir, INDEX_FILE);
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      const stat = lstatSync(name, { throwIfNoEntry: false });
      if (stat?.isSymbolicLink()) throw linkRefused(name);
    }
    // Made 0600 here (SQLite would use the umask); its -wal and -shm files copy the mode.
    closeSync(openSafe(file, READ_WRITE_CREATE));
    const attempt = (): QueryIndex => {
      const db = new Sqlite(file, { timeout: 30_000 });
      try {
        db.pragma('journal_mode = WAL');
        // A cache: a power cut may lose its last transactions (it catches up from the journal), never corrupt it.
        db.pragma('synchronous = NORMAL');
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version !== SCHEMA_VERSION) {
          db.exec('BEGIN IMMEDIATE');
          try {
            const now = db.pragma('user_version', { simple: true }) as number;
            // Another version: built anew from the journal by the first process that gets the lock.
            if (now !== SCHEMA_VERSION) {
              db.exec('DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS entities; DROP TABLE IF EXISTS refs; DROP TABLE IF EXISTS folds; DROP TABLE IF EXISTS counts; DROP TABLE IF EXISTS dicts;');
              db.exec(SCHEMA);
              db.pragma(`user_version = ${SCHEMA_VERSION}`);
            }
            db.exec('COMMIT');
          } catch (error) {
            if (db.inTransaction) db.exec('ROLLBACK');
            throw error;
          }
        }
        return new QueryIndex(file, db);
      } catch (error) {
        db.close();
        throw error;
      }
    };
    try {
      return attempt();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw error;
      // Damaged: set it aside (kept for inspection) and start a new one, rebuilt from the journal.
      setAsideIndex(journalDir);
      closeSync(openSafe(file, READ_WRITE_CREATE));
      return attempt();
    }
  }

  close(): void {
    this.db.close();
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The position the index reflects; undefined when it was never built (or was reset). */
  position(): IndexPosition | undefined {
    const rows = this.prepare('SELECT k, v FROM meta').all() as { k: string; v: string | number }[];
    const meta = new Map(rows.map((r) => [r.k, r.v]));
    const seq = meta.get('seq');
    const segment = meta.get('segment');
    const offset = meta.get('offset');
    if (typeof seq !== 'number' || typeof segment !== 'string' || typeof offset !== 'number') return undefined;
    const bytes = meta.get('last_bytes');
    const crc = meta.get('last_crc');
    const last = typeof bytes === 'number' && typeof crc === 'number' ? { bytes, crc } : undefined;
    if (meta.get('crc') !== crcOf(`${seq} ${segment} ${offset} ${last ? `${last.bytes} ${last.crc}` : '-'}`)) throw new IndexDamaged('its position fails its check');
    const stamp = meta.get('stamp');
    return { seq, segment, offset, ...(last ? { last } : {}), ...(typeof stamp === 'string' ? { stamp } : {}) };
  }

  get(kind: string, id: string): Entity | undefined {
    const row = this.prepare('SELECT body, crc FROM entities WHERE kind = ? AND id = ?').raw().get(kind, id) as [Uint8Array, number] | undefined;
    return row === undefined ? undefined : this.checked(kind, id, row[0], row[1]);
  }

  /**
   * The whole state and its position, read in one transaction (so they agree), every row
   * checked. For a handle that keeps the state in memory.
   */
  snapshotAll(): { position: IndexPosition | undefined; kinds: Map<string, Map<string, Entity>> } {
    this.db.exec('BEGIN');
    try {
      const position = this.position();
      const kinds = new Map<string, Map<string, Entity>>();
      for (const row of this.prepare('SELECT kind, id, body, crc FROM entities').raw().iterate() as IterableIterator<[string, string, Uint8Array, number]>) {
        let map = kinds.get(row[0]);
        if (!map) kinds.set(row[0], (map = new Map()));
        map.set(row[1], this.checked(row[0], row[1], row[2], row[3]));
      }
      return { position, kinds };
    } finally {
      this.db.exec('COMMIT');
    }
  }

  /** Kinds with at least one entity. */
  kinds(): string[] {
    // One index seek per kind (DISTINCT would read every row of the primary key).
    return this.prepare(
      'WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM entities UNION ALL SELECT (SELECT min(kind) FROM entities WHERE kind > k.kind) FROM k WHERE k.kind IS NOT NULL) SELECT kind FROM k WHERE kind IS NOT NULL',
    ).pluck().all() as string[];
  }

  /** Every kind's entities as JSON texts (decoded and checked, not parsed): for writing a snapshot. */
  *texts(): IterableIterator<[string, string]> {
    for (const [kind, id, body, crc] of this.prepare('SELECT kind, id, body, crc FROM entities ORDER BY kind').raw().iterate() as IterableIterator<[string, string, Uint8Array, number]>) {
      if (crcOf(body) !== crc) throw new IndexDamaged(`${kind}/${id} fails its check`);
      yield [kind, this.bodyText(kind, id, body)];
    }
  }

  countAll(): number {
    let total = 0;
    for (const row of this.countRows()) if (!row.kind.startsWith('_')) total += row.n;
    return total;
  }

  /** The `counts` rows (of `kind`, or all), each checked. */
  private countRows(kind?: string): { kind: string; type: string; status: string; n: number }[] {
    const rows = (kind === undefined ? this.prepare('SELECT kind, type, status, n, crc FROM counts').raw().all() : this.prepare('SELECT kind, type, status, n, crc FROM counts WHERE kind = ?').raw().all(kind)) as [string, string, string, number, number][];
    return rows.map(([k, type, status, n, crc]) => {
      if (crc !== countCrc(k, type, status, n)) throw new IndexDamaged(`the count of ${k} ${type || '-'} ${status || '-'} fails its check`);
      return { kind: k, type, status, n };
    });
  }

  /** Adds `tally`'s changes to the `counts` rows (in the caller's transaction). */
  private writeTally(tally: Tally): void {
    const put = this.prepare('INSERT OR REPLACE INTO counts (kind, type, status, n, crc) VALUES (?, ?, ?, ?, ?)');
    const drop = this.prepare('DELETE FROM counts WHERE kind = ? AND type = ? AND status = ?');
    for (const [key, delta] of tally) {
      if (delta === 0) continue;
      const [kind, type, status] = key.split('\0') as [string, string, string];
      const row = this.prepare('SELECT n, crc FROM counts WHERE kind = ? AND type = ? AND status = ?').raw().get(kind, type, status) as [number, number] | undefined;
      if (row && row[1] !== countCrc(kind, type, status, row[0])) throw new IndexDamaged(`the count of ${kind} ${type || '-'} ${status || '-'} fails its check`);
      const n = (row?.[0] ?? 0) + delta;
      if (n < 0) throw new IndexDamaged(`the count of ${kind} ${type || '-'} ${status || '-'} goes below zero`);
      if (n === 0) drop.run(kind, type, status);
      else put.run(kind, type, status, n, countCrc(kind, type, status, n));
    }
  }

  /**
   * Applies complete mutations (in seq order, contiguous after `afterSeq`) and moves the index
   * to `to`, in one transaction. Records another process already applied are skipped; if the
   * index is not at or past `afterSeq` (reset or rebuilt meanwhile) nothing is applied and
   * false is returned. `before(kind, id, previous)` sees each entity's value before its first change.
   */
  apply(
    afterSeq: number,
    records: readonly JournalRecord[],
    to: IndexPosition,
    before?: (kind: string, id: string, previous: Entity | undefined) => void,
    folds: readonly Fold[] = [],
  ): boolean {
    return this.transaction(() => {
      const at = this.position();
      if (!at || at.seq < afterSeq) return false;
      if (at.seq >= to.seq) return true;
      // A fold moves with the index only when it stands where the index does (else it catches up when read).
      const fed = folds.filter((fold) => this.foldSeq(fold) === at.seq).map((fold) => ({ fold, store: new CachedFoldStore((key) => this.foldGet(fold.name, key)) }));
      const seen = new Set<string>();
      const tally: Tally = new Map();
      this.maybeRetrain();
      for (const record of records) {
        if (record.seq <= at.seq) continue;
        if (!record.kind.startsWith('_')) for (const { fold, store } of fed) fold.add(record, store);
        if (before) {
          const key = `${record.kind}\0${record.id}`;
          if (!seen.has(key)) {
            seen.add(key);
            before(record.kind, record.id, this.get(record.kind, record.id));
          }
        }
        this.applyOne(record, tally);
      }
      this.writeTally(tally);
      this.setPosition(to);
      for (const { fold, store } of fed) {
        this.foldWrite(fold.name, store);
        this.setFoldSeq(fold, to.seq);
      }
      return true;
    });
  }

  // ---------------------------------------------------------------- folds

  /** The seq `fold` reflects; undefined when never built, reset, or built by another version of it. */
  foldSeq(fold: Fold): number | undefined {
    const value = this.prepare('SELECT v FROM meta WHERE k = ?').pluck().get(`fold:${fold.name}`);
    if (typeof value !== 'string') return undefined;
    const [version, seq, crc] = value.split(' ').map(Number);
    if (crc !== crcOf(`${fold.name} ${version} ${seq}`)) throw new IndexDamaged(`the position of fold ${fold.name} fails its check`);
    return version === fold.version ? seq : undefined;
  }

  private setFoldSeq(fold: Fold, seq: number): void {
    this.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)').run(`fold:${fold.name}`, `${fold.version} ${seq} ${crcOf(`${fold.name} ${fold.version} ${seq}`)}`);
  }

  private foldGet(name: string, key: string): unknown {
    const row = this.prepare('SELECT v, crc FROM folds WHERE name = ? AND k = ?').raw().get(name, key) as [Uint8Array, number] | undefined;
    return row === undefined ? undefined : this.foldValue(name, key, row[0], row[1]);
  }

  /** A stored fold row as its value: CRC of the stored bytes, then decoded and parsed (IndexDamaged if any fails). */
  private foldValue(name: string, key: string, body: Uint8Array, crc: number): unknown {
    const what = `fold ${name} row ${JSON.stringify(key)}`;
    if (!(body instanceof Uint8Array) || crcOf(body) !== crc) throw new IndexDamaged(`${what} fails its check`);
    let text: string;
    try {
      text = this.codec.decode(body);
    } catch (error) {
      if (error instanceof BodyUndecodable) throw new IndexDamaged(`${what} does not decode (${error.message})`);
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new IndexDamaged(`${what} is not JSON`);
    }
  }

  /**
   * Writes the fold's changed rows (deflated with the fold's dictionary: a fold is trained one
   * when its rows pass {@link TRAIN_FIRST} and anew each time they double, on the rows being
   * written and those beside the first of them) and keeps its row count.
   */
  private foldWrite(name: string, store: CachedFoldStore): void {
    const scope = foldScope(name);
    const counted = this.countRows(foldCount(name))[0]?.n ?? 0;
    if (store.dirty.size && this.due(scope, counted + store.dirty.size)) {
      const samples: string[] = [];
      const dirty = [...store.dirty];
      const step = Math.max(1, Math.floor(dirty.length / TRAIN_ROWS / 4));
      for (let i = 0; i < dirty.length && samples.length < TRAIN_ROWS * 4; i += step) samples.push(JSON.stringify(store.cache.get(dirty[i]!)));
      if (samples.length < TRAIN_ROWS * 4) {
        const near = this.prepare('SELECT k, v, crc FROM folds WHERE name = ? AND k >= ? LIMIT ?').raw().all(name, dirty[0]!, TRAIN_ROWS * 4 - samples.length) as [string, Uint8Array, number][];
        for (const [key, body, crc] of near) samples.push(JSON.stringify(this.foldValue(name, key, body, crc)));
      }
      this.addDictionary(scope, samples, counted + store.dirty.size);
    }
    const update = this.prepare('UPDATE folds SET v = ?, crc = ? WHERE name = ? AND k = ?');
    const insert = this.prepare('INSERT INTO folds (name, k, v, crc) VALUES (?, ?, ?, ?)');
    let added = 0;
    for (const key of store.dirty) {
      const body = this.encode(scope, JSON.stringify(store.cache.get(key)));
      if (update.run(body, crcOf(body), name, key).changes === 0) {
        insert.run(name, key, body, crcOf(body));
        added++;
      }
    }
    const tally: Tally = new Map();
    count(tally, foldCount(name), null, null, added);
    this.writeTally(tally);
  }

  /**
   * Feeds `fold` the records after `from` (its position now; 0 with no position: built from
   * scratch) up to `to`, computed outside any transaction and written in one that first checks
   * the fold is still at `from` (another process may have moved it: false, read again).
   */
  foldCatchUp(fold: Fold, from: number | undefined, records: Iterable<JournalRecord>, to: number): boolean {
    const store = new CachedFoldStore(from === undefined ? () => undefined : (key) => this.foldGet(fold.name, key));
    for (const record of records) {
      if (record.seq > to) break;
      if (from !== undefined && record.seq <= from) continue;
      if (!record.kind.startsWith('_')) fold.add(record, store);
    }
    return this.transaction(() => {
      if (this.foldSeq(fold) !== from) return false;
      if (from === undefined) {
        this.prepare('DELETE FROM folds WHERE name = ?').run(fold.name);
        this.prepare('DELETE FROM counts WHERE kind = ?').run(foldCount(fold.name));
      }
      this.foldWrite(fold.name, store);
      this.setFoldSeq(fold, to);
      return true;
    });
  }

  /** Runs `read` in one read transaction (a consistent picture of the fold and the entities). */
  foldRead<T>(name: string, read: (reader: FoldReader) => T): T {
    const reader: FoldReader = {
      get: (key) => this.foldGet(name, key),
      scan: (prefix) => this.foldScan(name, prefix),
    };
    this.db.exec('BEGIN');
    try {
      return read(reader);
    } finally {
      this.db.exec('COMMIT');
    }
  }

  private *foldScan(name: string, prefix: string): IterableIterator<[string, unknown]> {
    const rows = this.prepare('SELECT k, v, crc FROM folds WHERE name = ? AND k >= ? AND k < ? ORDER BY k').raw().iterate(name, prefix, `${prefix}\u{10FFFF}`) as IterableIterator<[string, Uint8Array, number]>;
    for (const [key, body, crc] of rows) yield [key, this.foldValue(name, key, body, crc)];
  }

  private applyOne(record: JournalRecord, tally: Tally): void {
    if (record.kind.startsWith('_')) return;
    const previous = this.prepare('SELECT rid, type, status FROM entities WHERE kind = ? AND id = ?').raw().get(record.kind, record.id) as [number, string | null, string | null] | undefined;
    if (previous) {
      count(tally, record.kind, previous[1], previous[2], -1);
      this.prepare('DELETE FROM refs WHERE rid = ?').run(previous[0]);
      this.prepare('DELETE FROM entities WHERE rid = ?').run(previous[0]);
    }
    if (record.deleted || !record.entity) return;
    this.put(record.kind, record.entity, tally);
  }

  private put(kind: string, entity: Entity, tally: Tally): void {
    count(tally, kind, text(entity.type), text(entity.status), 1);
    const body = this.encode(ENTITIES, JSON.stringify(entity));
    // A new row (the caller deleted any previous one and its refs): its refs name its rid.
    const rid = this.prepare(
      `INSERT INTO entities (kind, id, body, crc, ${SCALARS.map(([, c]) => c).join(', ')}) VALUES (?, ?, ?, ?${', ?'.repeat(SCALARS.length)})`,
    ).run(kind, entity.id, body, crcOf(body), ...columnsOf(entity)).lastInsertRowid;
    for (const [code, field] of LISTS.entries()) {
      const list = entity[field];
      if (!Array.isArray(list)) continue;
      for (const value of new Set(list)) if (typeof value === 'string') this.prepare('INSERT OR IGNORE INTO refs (f, value, rid) VALUES (?, ?, ?)').run(code, value, rid);
    }
  }

  /** `text` as stored in `scope` (its newest dictionary, else the base one). */
  private encode(scope: string, text: string): Buffer {
    const dictionary = this.dictionaryOf(scope);
    return dictionary ? this.codec.encode(text, dictionary.id, dictionary.dict) : this.codec.encode(text, this.codec.baseId, BASE_DICTIONARY);
  }

  private setPosition(to: IndexPosition): void {
    const set = this.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)');
    set.run('seq', to.seq);
    set.run('segment', to.segment);
    set.run('offset', to.offset);
    this.prepare("DELETE FROM meta WHERE k IN ('last_bytes', 'last_crc', 'stamp')").run();
    if (to.stamp !== undefined) set.run('stamp', to.stamp);
    if (to.last) {
      set.run('last_bytes', to.last.bytes);
      set.run('last_crc', to.last.crc);
    }
    set.run('crc', crcOf(`${to.seq} ${to.segment} ${to.offset} ${to.last ? `${to.last.bytes} ${to.last.crc}` : '-'}`));
  }

  /** Replaces everything with `kinds` at `to` (a rebuild: upgrade of an old town, `doctor --repair`). */
  rebuild(kinds: Iterable<[string, ReadonlyMap<string, Entity>]>, to: IndexPosition): void {
    const all = [...kinds];
    this.transaction(() => {
      // Folds are rebuilt from the records on first use (a rebuild has only the state).
      this.db.exec('DELETE FROM entities; DELETE FROM refs; DELETE FROM meta; DELETE FROM folds; DELETE FROM counts; DELETE FROM dicts;');
      this.writing.clear();
      const entities = all.reduce((n, [, map]) => n + map.size, 0);
      if (entities >= TRAIN_FIRST) {
        // Rows spread over every kind, as many from each as its share.
        const samples: string[] = [];
        for (const [, map] of all) {
          const step = Math.max(1, Math.floor(entities / TRAIN_ROWS));
          let i = 0;
          for (const entity of map.values()) if (i++ % step === step >> 1) samples.push(JSON.stringify(entity));
        }
        this.addDictionary(ENTITIES, samples, entities);
      }
      const tally: Tally = new Map();
      for (const [kind, map] of all) for (const entity of map.values()) this.put(kind, entity, tally);
      this.writeTally(tally);
      this.setPosition(to);
    });
    this.compact();
  }

  /**
   * Gives the pages a rebuild freed back to the file system (VACUUM: the rows packed anew) and
   * empties the write-ahead log; best effort (another reader may hold it).
   */
  private compact(): void {
    try {
      this.db.exec('VACUUM');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      if (!/^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '')) throw error;
    }
  }

  /** The segment's stamp anew at the same position: the handle that cut a torn tail off it vouches for the bytes before. */
  restamp(stamp: string | undefined): void {
    if (stamp === undefined) this.prepare("DELETE FROM meta WHERE k = 'stamp'").run();
    else this.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)').run('stamp', stamp);
  }

  /** Forgets everything: the next reader rebuilds it (after `doctor --repair` rewrote segments). */
  reset(): void {
    this.transaction(() => this.db.exec('DELETE FROM meta'));
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    // Another process may have added a dictionary since: read each scope's newest anew.
    this.writing.clear();
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Queries over `kind`. */
  queries(kind: string): EntityQueries {
    const checked = this.checked.bind(this);
    /** Fewer than RARE rows hold `value` in `field` (at most RARE index entries read). */
    const rare = (field: string, value: string): boolean =>
      (this.prepare(`SELECT count(*) FROM (SELECT 1 FROM refs WHERE f = ? AND value = ? LIMIT ${RARE})`).pluck().get(listCode(field), value) as number) < RARE;
    const bodies = function* (iterator: IterableIterator<unknown>): IterableIterator<Entity> {
      for (const [id, body, crc] of iterator as IterableIterator<[string, Uint8Array, number]>) yield checked(kind, id, body, crc);
    };
    const select = (what: string, where: Where, order: Order, limit?: number): { sql: string; params: unknown[] } => {
      const { clause, params } = whereClause(kind, where, rare);
      const by =
        order === 'priority-age'
          ? ' ORDER BY priority, created_at, id'
          : order === 'age'
            ? ' ORDER BY created_at, id'
            : order === 'newest'
              ? ' ORDER BY created_at DESC, id DESC'
              : order === 'closed-newest'
                ? ' AND e.closed_at IS NOT NULL ORDER BY e.closed_at DESC, e.id'
                : '';
      // The closed index walked from its end, stopping at the limit (the planner would rather
      // take the status index and sort every closed row: 40k rows for the workstation's 70).
      const from = order === 'closed-newest' ? 'entities e INDEXED BY entities_closed' : 'entities e';
      return { sql: `SELECT ${what} FROM ${from} WHERE ${clause}${by}${limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(limit))}` : ''}`, params };
    };
    return {
      kind,
      find: (where, order = 'none', limit) => {
        const { sql, params } = select('id, body, crc', where, order, limit);
        return [...bodies(this.prepare(sql).raw().iterate(...params))];
      },
      iterate: (where, order = 'none') => {
        const { sql, params } = select('id, body, crc', where, order);
        return bodies(this.prepare(sql).raw().iterate(...params));
      },
      count: (where = {}) => {
        const matches = countMatcher(where);
        if (matches) {
          let total = 0;
          for (const row of this.countRows(kind)) if (matches(row.type, row.status)) total += row.n;
          return total;
        }
        const { sql, params } = select('count(*)', where, 'none');
        return this.prepare(sql).pluck().get(...params) as number;
      },
      exists: (where) => {
        const { sql, params } = select('1', where, 'none', 1);
        return this.prepare(sql).pluck().get(...params) !== undefined;
      },
      openWithClosedNeeds: (excludedTypes) => {
        const sql = `SELECT id, body, crc FROM entities e WHERE e.kind = ? AND e.status = 'open' AND e.assignee IS NULL
          AND (e.type IS NULL OR e.type NOT IN (${excludedTypes.map(() => '?').join(', ') || "''"}))
          AND NOT EXISTS (SELECT 1 FROM refs n WHERE n.rid = e.rid AND n.f = ${listCode('needs')}
            AND NOT EXISTS (SELECT 1 FROM entities b WHERE b.kind = e.kind AND b.id = n.value AND b.status = 'closed'))
          ORDER BY e.priority, e.created_at, e.id`;
        return bodies(this.prepare(sql).raw().iterate(kind, ...excludedTypes));
      },
      anyList: (field) => this.prepare('SELECT 1 FROM refs r JOIN entities e ON e.rid = r.rid WHERE r.f = ? AND e.kind = ? LIMIT 1').pluck().get(listCode(field), kind) !== undefined,
      latest: (where, fields, limit) => {
        const { clause, params } = whereClause(kind, where, rare);
        const paths = fields.map((field) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`query index: ${field} is not a field name`);
          // A column when there is one (no body decoded), else the field read from the body.
          const column = COLUMN.get(field);
          return column ? `e.${column}` : `entity_field(e.body, '${field}')`;
        });
        const by = paths.length > 1 ? `coalesce(${paths.join(', ')})` : (paths[0] ?? "''");
        const sql = `SELECT id, body, crc FROM entities e WHERE ${clause} ORDER BY ${by} DESC, id LIMIT ${Math.max(0, Math.floor(limit))}`;
        return [...bodies(this.prepare(sql).raw().iterate(...params))];
      },
    };
  }
}

/** Changes to the `counts` rows: `kind\0type\0status` (absent as '') → how many more. */
type Tally = Map<string, number>;

function count(tally: Tally, kind: string, type: string | null, status: string | null, delta: number): void {
  const key = `${kind}\0${type ?? ''}\0${status ?? ''}`;
  tally.set(key, (tally.get(key) ?? 0) + delta);
}

const dictCrc = (scope: string, id: number, at: number): number => crcOf(`dict ${scope} ${id} ${at}`);

/** A trained dictionary: its id (CRC-32 of its bytes), the rows its scope held when trained, its bytes. */
type Dictionary = { readonly id: number; readonly at: number; readonly dict: Buffer };

/** The dictionary scope of entity bodies (a fold's is `fold:NAME`). */
const ENTITIES = 'entities';
const foldScope = (name: string): string => `fold:${name}`;
/** The `counts` kind holding a fold's row count. */
const foldCount = (name: string): string => `_fold:${name}`;

const countCrc = (kind: string, type: string, status: string, n: number): number => crcOf(`${kind}\0${type}\0${status}\0${n}`);

/**
 * The `counts` rows `where` selects, when it filters on `type` and `status` only (the same
 * rules as {@link whereClause}: null is absent, a list is any of, `not` is null-safe); undefined
 * for any other filter.
 */
function countMatcher(where: Where): ((type: string, status: string) => boolean) | undefined {
  if (where.has || where.lacks) return undefined;
  const tests: ((row: Record<'type' | 'status', string>) => boolean)[] = [];
  for (const [field, value] of Object.entries(where.fields ?? {})) {
    if (field !== 'type' && field !== 'status') return undefined;
    if (value === undefined) continue;
    if (value === null) tests.push((row) => row[field] === '');
    else if (Array.isArray(value)) {
      const any = (value as unknown[]).map(String);
      tests.push((row) => row[field] !== '' && any.includes(row[field]));
    } else tests.push((row) => row[field] !== '' && row[field] === String(value));
  }
  for (const [field, values] of Object.entries(where.not ?? {})) {
    if (field !== 'type' && field !== 'status') return undefined;
    if (!values || !values.length) continue;
    const none = (values as unknown[]).map(String);
    tests.push((row) => row[field] === '' || !none.includes(row[field]));
  }
  return (type, status) => tests.every((test) => test({ type, status }));
}

/** A fold's rows as it is fed: read through to the index once, written back at the end. */
class CachedFoldStore implements FoldStore {
  readonly cache = new Map<string, unknown>();
  readonly dirty = new Set<string>();
  constructor(private readonly load: (key: string) => unknown) {}

  get(key: string): unknown {
    if (this.cache.has(key)) return this.cache.get(key);
    const value = this.load(key);
    this.cache.set(key, value);
    return value;
  }

  put(key: string, value: unknown): void {
    this.cache.set(key, value);
    this.dirty.add(key);
  }
}

function whereClause(kind: string, where: Where, rare: (field: string, value: string) => boolean = () => false): { clause: string; params: unknown[] } {
  // With `has` naming a value few rows hold (an id in `needs` or `uses`), the refs rows drive the
  // query (each entity one seek by rid): the other terms are kept off the indexes (unary +), or
  // SQLite walks a column index and tests each row against the list (14 ms for a bead's
  // dependents at 100k, 0.1 ms this way). A common value (a label) is left to the planner.
  const c = where.has && rare(where.has.field, where.has.value) ? '+e.' : 'e.';
  // The column indexes do not hold the kind (nearly every row is a bead): with a column filter,
  // the kind is kept off the (kind, id) index too, or SQLite walks every row of the kind there
  // (199 ms for the workstation's open work at 100k instead of 69 through the status index).
  const filtered = Object.keys(where.fields ?? {}).length > 0 || where.has !== undefined;
  const parts = [`${filtered ? '+e.' : c}kind = ?`];
  const params: unknown[] = [kind];
  for (const [field, value] of Object.entries(where.fields ?? {})) {
    const column = COLUMN.get(field);
    if (!column) throw new Error(`query index: ${field} is not an indexed field`);
    if (value === null) parts.push(`${c}${column} IS NULL`);
    else if (Array.isArray(value)) {
      parts.push(value.length ? `${c}${column} IN (${value.map(() => '?').join(', ')})` : '0');
      params.push(...(value as unknown[]));
    } else {
      parts.push(`${c}${column} = ?`);
      params.push(value);
    }
  }
  for (const [field, values] of Object.entries(where.not ?? {})) {
    const column = COLUMN.get(field);
    if (!column) throw new Error(`query index: ${field} is not an indexed field`);
    if (!values || !values.length) continue;
    parts.push(`(${c}${column} IS NULL OR ${c}${column} NOT IN (${values.map(() => '?').join(', ')}))`);
    params.push(...values);
  }
  if (where.has) {
    // IN, not a correlated EXISTS: SQLite then walks the few refs rows and seeks each entity
    // (EXISTS had it test every entity of the kind: 135 ms at 100k, 0.1 ms this way).
    parts.push('e.rid IN (SELECT r.rid FROM refs r WHERE r.f = ? AND r.value = ?)');
    params.push(listCode(where.has.field), where.has.value);
  }
  if (where.lacks) {
    parts.push('NOT EXISTS (SELECT 1 FROM refs r WHERE r.f = ? AND r.value = ? AND r.rid = e.rid)');
    params.push(listCode(where.lacks.field), where.lacks.value);
  }
  return { clause: parts.join(' AND '), params };
}

/**
 * `StateView.all(kind)` of an index-backed view: `get`, `has` and `size` ask the index; iterating
 * loads the whole kind (the journal then keeps the state in memory). Carries the view's
 * {@link EntityQueries} for the model's fast paths (see {@link queriesOf}).
 */
export class IndexedMap implements ReadonlyMap<string, Entity> {
  private loaded: ReadonlyMap<string, Entity> | undefined;
  constructor(
    private readonly source: {
      get(id: string): Entity | undefined;
      size(): number;
      load(): ReadonlyMap<string, Entity>;
      queries(): EntityQueries | undefined;
    },
  ) {}

  [QUERIES](): EntityQueries | undefined {
    return this.loaded ? undefined : this.source.queries();
  }

  private all(): ReadonlyMap<string, Entity> {
    return (this.loaded ??= this.source.load());
  }

  get(id: string): Entity | undefined {
    return this.loaded ? this.loaded.get(id) : this.source.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get size(): number {
    return this.loaded ? this.loaded.size : this.source.size();
  }

  forEach(fn: (value: Entity, key: string, map: ReadonlyMap<string, Entity>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.all()) fn.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[string, Entity]> {
    return this.all().entries();
  }

  keys(): MapIterator<string> {
    return this.all().keys();
  }

  values(): MapIterator<Entity> {
    return this.all().values();
  }

  [Symbol.iterator](): MapIterator<[string, Entity]> {
    return this.all()[Symbol.iterator]();
  }
}
