import { existsSync, lstatSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { SegmentAppender } from './appender.js';
import { fsyncDir } from './files.js';
import { chainBefore, GENESIS } from './chain.js';
import { corruptError, encodeRecords, gapError, scanRecords } from './frame.js';
import { HeadWriter, readHead, type Head } from './head.js';
import { StoreLock } from './lock.js';
import { isProjected, rebuildProjections, writeProjections } from './projections.js';
import { logRecovery, setAsideTornTail, type RecoveryEvent } from './recovery.js';
import { buildRecords } from './records.js';
import { allSegments, ARCHIVE_DIR, liveSegments, readSegment, segmentName, type SegmentRef } from './segments.js';
import { COMPRESSED_SUFFIX, compressArchived } from './archive.js';
import { ensureDir, isSafeDir } from './safefs.js';
import { listSnapshots, loadSnapshot, readSnapshotHeader, writeSnapshot, writeSnapshotTexts } from './snapshot.js';
import { fingerprint, IndexedMap, isIndexDamage, QueryIndex, setAsideIndex, type IndexPosition } from './query-index.js';
import { linkRefused, openSafe, READ } from './safefs.js';
import { closeSync, readSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { EntityState } from './state.js';
import type { Entity, Fold, FoldReader, Journal, JournalOptions, JournalRecord, MutationResult, Mutator, StateView } from './types.js';

const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
const KIND_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const DEFAULT_CHECKPOINT_EVERY = 2000;
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** How many recent records a handle keeps for `records(fromSeq)`. */
const RECENT = 2000;

/**
 * Opens the journal in `dir` (created when missing). Opening is cheap: the state is loaded on
 * the first `read()` or `mutate()`, from the newest snapshot plus the journal after it.
 */
export function openJournal(dir: string, options: JournalOptions): Journal & JournalInternals {
  ensureDir(dir);
  return new FileJournal(dir, options);
}

/** Extras beyond the `Journal` contract, for doctor, tests and long-lived processes. */
export interface JournalInternals {
  /** Torn tails this handle set aside (also logged in `recovery.log` and kept as `.broken` files). */
  readonly recoveries: readonly RecoveryEvent[];
  /** Writes a snapshot now (under the lock) and archives the segments it covers. */
  checkpoint(): Promise<number>;
  /** Under the lock: replays, rewrites every projection file, HEAD and a checkpoint (doctor --repair). */
  rebuildDerived(): Promise<{ seq: number; written: number; leftOver: number }>;
}

/**
 * The fail-closed error for a journal that ends below what HEAD.json or a snapshot says was
 * acknowledged: the newest segment was cut, deleted, or put back to an older copy (a
 * `git checkout` of a committed `.citadel/`). Reading on would show half the entities and
 * the next write would reuse seqs.
 */
export function missingRecordsError(dir: string, endSeq: number, evidence: { seq: number; source: string }): CitadelError {
  const range = evidence.seq === endSeq + 1 ? `record ${evidence.seq} is` : `records ${endSeq + 1}..${evidence.seq} are`;
  return new CitadelError(
    'corrupt',
    `journal corrupt: ${dir}: the journal ends at seq ${endSeq} but ${evidence.source} says ${evidence.seq}: ${range} missing; run \`citadel doctor --repair\``,
    { dir, seq: endSeq + 1, reason: `records ${endSeq + 1}..${evidence.seq} missing`, evidence: evidence.source },
  );
}

interface Position {
  /** The segment we have read up to, and the byte offset just after the last complete mutation in it. */
  segment: string;
  offset: number;
}

class FileJournal implements Journal, JournalInternals {
  private state: EntityState | undefined;
  private pos: Position = { segment: segmentName(1), offset: 0 };
  private readonly lock: StoreLock;
  private readonly head: HeadWriter;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly appender: SegmentAppender;
  /** The most recent records this handle applied, contiguous up to its seq: serves the feed's `records(seq)` without re-reading segments. */
  private recent: JournalRecord[] = [];
  private cachedView: StateView | undefined;
  /** The seq of the newest snapshot this handle knows of. */
  private snapshotSeq = 0;
  /** The hash chain's value at our seq (docs/journal.md, "Hash chain"); undefined until known (found lazily by the first write). */
  private chain: string | undefined;
  /**
   * The highest seq something that a cut segment cannot erase says was acknowledged (HEAD.json,
   * a snapshot): the journal must reach it, or records were lost and every read fails closed.
   */
  private evidence = { seq: 0, source: '' };
  /** HEAD.json as read at the start of the last catch-up (before the segments). */
  private lastHead: Head | undefined;
  /** The projection files may lag the journal and a repair has not happened yet. */
  private projectionsToCheck = true;
  readonly recoveries: RecoveryEvent[] = [];
  private readonly segmentBytes: number;
  /** The kinds with projection files (undefined: all). */
  private readonly projected: ReadonlySet<string> | undefined;
  private readonly checkpointEvery: number;
  private readonly fsync: boolean;
  private closed = false;
  /**
   * The query index (src/journal/query-index.ts): undefined until first used, null when it
   * cannot be used (no SQLite, or `queryIndex: false`). While `state` is undefined this handle
   * reads through the index ("index mode"); once something iterates a whole kind it loads the
   * state into memory and keeps it warm as before ("memory mode"), still keeping the index.
   */
  private index: QueryIndex | null | undefined;
  /** Index mode: the seq this handle stands at (its position is `pos`); undefined in memory mode. */
  private ixSeq: number | undefined;
  /** Index-mode views handed out, so a change this handle applies later does not show through them. */
  private views: WeakRef<IndexView>[] = [];

  constructor(
    readonly dir: string,
    private readonly options: JournalOptions,
  ) {
    this.lock = new StoreLock(dir, options.writer);
    this.head = new HeadWriter(dir);
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.projected = options.projectKinds ? new Set(options.projectKinds) : undefined;
    this.checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    this.fsync = options.fsync ?? true;
    this.appender = new SegmentAppender(dir, this.fsync);
  }

  // ---------------------------------------------------------------- reads

  read(): StateView {
    this.assertOpen();
    if (!this.state) {
      const view = this.readIndexed();
      if (view) return view;
    }
    const state = this.loaded();
    if (this.changedOnDisk()) this.catchUp(false);
    if (this.projectionsToCheck && this.options.projections) this.tryRepairProjections();
    return (this.cachedView ??= state.view());
  }

  headSeq(): number {
    this.assertOpen();
    const head = readHead(this.dir);
    if (head) {
      const size = statSync(join(this.dir, head.segment), { throwIfNoEntry: false })?.size;
      if (size === head.offset && !existsSync(join(this.dir, segmentName(head.seq + 1)))) return head.seq;
    }
    return this.read().seq;
  }

  *records(fromSeq = 1): Iterable<JournalRecord> {
    const seq = this.state?.seq ?? this.ixSeq;
    const oldest = this.recent[0]?.seq;
    if (seq !== undefined && oldest !== undefined && fromSeq >= oldest && fromSeq <= seq + 1 && this.recent.at(-1)!.seq === seq) {
      // Recent history from memory, then whatever was appended after our position.
      for (let i = fromSeq - oldest; i < this.recent.length; i++) {
        const record = this.recent[i]!;
        if (!record.kind.startsWith('_')) yield record;
      }
      yield* this.recordsAfter(this.pos, seq);
      return;
    }
    const segments = allSegments(this.dir);
    let first = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.firstSeq <= fromSeq) first = i;
    let expected = segments[first]?.firstSeq ?? 1;
    for (let i = first; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment.firstSeq !== expected) throw gapError(segment.path, expected, segment.firstSeq);
      const bytes = readSegment(segment, 0);
      const result = scanRecords(bytes, 0, segment.firstSeq - 1);
      for (const record of result.records) if (record.seq >= fromSeq && !record.kind.startsWith('_')) yield record;
      expected = result.lastSeq + 1;
      if (result.stop && !(result.stop.unfinished && i === segments.length - 1)) throw corruptError(segment.path, result.stop);
    }
  }

  folded<T>(fold: Fold, read: (reader: FoldReader, view: StateView) => T): T | undefined {
    const view = this.read();
    const index = this.index;
    if (!index) return undefined;
    return this.guarded(() => {
      // The fold catches up to where the index stands, which must be this view's seq (a memory-mode
      // handle whose index lags: the caller replays instead).
      let at = index.position();
      if (this.state && (!at || at.seq < view.seq)) {
        this.tryCheckpoint(false); // memory mode: bring the index up if the lock is free
        if (this.index !== index) return undefined;
        at = index.position();
      }
      if (!at || at.seq < view.seq) return undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const from = index.foldSeq(fold);
        if (from !== undefined && from >= at.seq) return index.foldRead(fold.name, (reader) => read(reader, view));
        if (index.foldCatchUp(fold, from, this.records(from === undefined ? 1 : from + 1), at.seq)) continue;
      }
      return undefined;
    });
  }

  /** Records on disk after `from` (seq `afterSeq`), without applying them. */
  private *recordsAfter(from: Position, afterSeq: number): Iterable<JournalRecord> {
    const segments = allSegments(this.dir);
    const index = segments.findIndex((s) => s.name === from.segment);
    let expected = afterSeq + 1;
    for (let i = Math.max(index, 0); index >= 0 && i < segments.length; i++) {
      const segment = segments[i]!;
      if (i > index && segment.firstSeq !== expected) throw gapError(segment.path, expected, segment.firstSeq);
      const start = i === index ? from.offset : 0;
      const result = scanRecords(readSegment(segment, start), 0, expected - 1);
      for (const record of result.records) if (!record.kind.startsWith('_')) yield record;
      expected = result.lastSeq + 1;
      if (result.stop && !(result.stop.unfinished && i === segments.length - 1)) throw corruptError(segment.path, { ...result.stop, offset: start + result.stop.offset });
    }
  }

  private remember(record: JournalRecord): void {
    this.recent.push(record);
    if (this.recent.length > RECENT * 2) this.recent = this.recent.slice(-RECENT);
  }

  /** True when the journal may hold records this handle has not applied: two stats, no parsing. */
  private changedOnDisk(): boolean {
    const state = this.state!;
    const size = statSync(join(this.dir, this.pos.segment), { throwIfNoEntry: false })?.size;
    if (size === undefined) return state.seq > 0 || existsSync(join(this.dir, this.pos.segment));
    return size !== this.pos.offset || existsSync(join(this.dir, segmentName(state.seq + 1)));
  }

  private noteEvidence(seq: number, source: string): void {
    if (seq > this.evidence.seq) this.evidence = { seq, source };
  }

  /** Loads the state on first use: the newest good snapshot, then the journal after it. */
  private loaded(): EntityState {
    if (this.state) return this.state;
    for (const snapshot of listSnapshots(this.dir)) {
      const loadedSnapshot = loadSnapshot(this.dir, snapshot.name, false);
      if (!loadedSnapshot) continue;
      const { header } = loadedSnapshot;
      // A snapshot says its seq was acknowledged even when the journal behind it is gone.
      this.noteEvidence(header.seq, snapshot.name);
      const exists = (name: string): boolean => existsSync(join(this.dir, name)) || existsSync(join(this.dir, ARCHIVE_DIR, name)) || existsSync(join(this.dir, ARCHIVE_DIR, `${name}${COMPRESSED_SUFFIX}`));
      let pos: Position = { segment: header.segment, offset: header.offset };
      if (!exists(header.segment)) {
        // Its segment is gone (the oldest ones deleted): the snapshot still serves when the
        // journal goes on in a segment that starts right after it.
        const next = segmentName(header.seq + 1);
        if (!exists(next)) continue;
        pos = { segment: next, offset: 0 };
      }
      this.state = EntityState.from(header.seq, loadedSnapshot.kinds);
      this.pos = pos;
      this.snapshotSeq = header.seq;
      this.chain = header.chain;
      break;
    }
    if (!this.state) {
      this.state = new EntityState();
      const first = allSegments(this.dir)[0];
      this.pos = { segment: first?.name ?? segmentName(1), offset: 0 };
      if (first && first.firstSeq !== 1) throw gapError(first.path, 1, first.firstSeq);
    }
    // The query index is a cache, not evidence (like the projection files): one that is ahead of
    // the journal (or not at a record boundary) is rebuilt from it below, never trusted over it.
    const indexed = this.guarded(() => {
      const at = this.openIndex()?.position();
      // An index whose last record is not where it says (or that cannot tell: built before the
      // fingerprint) is not trusted: rebuilt below, else every reader would take this path.
      return at && this.stillThere(at) ? at : undefined;
    });
    const replayed = this.catchUp(false).length;
    // No snapshot near the head (a fresh clone, deleted caches): write one now if the lock is
    // free, so the next cold open replays a short tail instead of the whole history.
    if (replayed > this.checkpointEvery * 2) this.tryCheckpoint();
    // An old town (or a lost index): build it now if the lock is free, so the next command reads through it.
    if (this.index && indexed?.seq !== this.state.seq) this.tryCheckpoint(false);
    return this.state;
  }

  private tryCheckpoint(snapshot = true): void {
    if (this.lock.isHeld || !this.lock.tryAcquire()) return;
    try {
      this.catchUp(true);
      this.syncIndexLocked();
      if (!snapshot) return;
      this.writeCheckpoint();
      const head = readHead(this.dir);
      // Projections are not touched here: keep their watermark as it was (0 when unknown).
      this.writeHeadNow(head, head?.projected ?? 0);
    } catch {
      // an optimisation only
    } finally {
      this.lock.release();
    }
  }

  /**
   * Applies every complete mutation after our position. With `repair` (only under the store
   * lock) a torn tail of the newest segment is set aside; without it an unfinished tail is
   * simply not there yet (a writer may be mid-append). Anything else fails closed.
   * Returns the (kind, id) pairs touched.
   */
  private catchUp(repair: boolean): [string, string][] {
    const state = this.state!;
    const touched: [string, string][] = [];
    // HEAD.json first: it is written after the records it counts are durable, so the segments
    // read after it hold at least its seq (one small read, only when something changed).
    const head = (this.lastHead = readHead(this.dir));
    if (head) {
      this.noteEvidence(head.seq, 'HEAD.json');
      this.noteEvidence(head.snapshot, 'HEAD.json (its snapshot)');
    }
    this.scanFrom(state, touched, repair);
    if (state.seq < this.evidence.seq) throw missingRecordsError(this.dir, state.seq, this.evidence);
    return touched;
  }

  private scanFrom(state: EntityState, touched: [string, string][], repair: boolean): void {
    let segments: SegmentRef[] = liveSegments(this.dir);
    let index = segments.findIndex((s) => s.name === this.pos.segment);
    if (index < 0) {
      segments = allSegments(this.dir);
      index = segments.findIndex((s) => s.name === this.pos.segment);
    }
    if (index < 0) {
      // Nothing written yet, or our segment not created yet by the first writer.
      if (state.seq === 0 && this.pos.offset === 0 && segments.length === 0) return;
      throw new CitadelError('corrupt', `journal corrupt: segment ${join(this.dir, this.pos.segment)} is missing (seq ${state.seq + 1} expected in it); run \`citadel doctor\``);
    }
    for (let i = index; i < segments.length; i++) {
      const segment = segments[i]!;
      const start = i === index ? this.pos.offset : 0;
      if (i > index && segment.firstSeq !== state.seq + 1) throw gapError(segment.path, state.seq + 1, segment.firstSeq);
      const bytes = readSegment(segment, start);
      const result = scanRecords(bytes, 0, state.seq, (record) => {
        state.apply(record);
        this.remember(record);
        touched.push([record.kind, record.id]);
      });
      if (result.records.length) {
        this.cachedView = undefined;
        this.projectionsToCheck = true;
        this.chain = result.chain;
      }
      this.pos = { segment: segment.name, offset: start + result.end };
      const stop = result.stop;
      if (!stop) continue;
      const newest = i === segments.length - 1;
      const at = { ...stop, offset: start + stop.offset };
      if (!newest || !stop.unfinished) throw corruptError(segment.path, at);
      if (repair) {
        this.recoveries.push(setAsideTornTail(segment.path, at.offset, this.fsync));
        this.trimmed.add(segment.name);
      }
      break;
    }
  }

  // ---------------------------------------------------------------- the query index

  /** The seq this handle stands at (in either mode). */
  private get seqNow(): number {
    return this.state?.seq ?? this.ixSeq ?? 0;
  }

  private openIndex(): QueryIndex | undefined {
    if (this.index === undefined) {
      if (this.options.queryIndex === false) this.index = null;
      else {
        try {
          this.index = QueryIndex.open(this.dir) ?? null;
        } catch (error) {
          if (error instanceof CitadelError) throw error; // a link where the index should be
          this.index = null; // unusable here (read-only directory, …): read without it
        }
      }
    }
    return this.index ?? undefined;
  }

  /** Index mode: the index caught up, then a view over it; undefined when the memory path must read. */
  private readIndexed(): StateView | undefined {
    const index = this.openIndex();
    if (!index) return undefined;
    if (!this.guarded(() => this.catchUpIndex(index, false))) return undefined;
    if (this.projectionsToCheck && this.options.projections) this.tryRepairProjections();
    if (this.state) return undefined; // the repair above needed the whole state
    return this.indexView(this.ixSeq!, true);
  }

  private indexView(seq: number, register: boolean): IndexView {
    const view = new IndexView(seq, this.index!, (v, kind) => this.materialize(v, kind), () => this.indexDamaged());
    if (register) {
      this.views = this.views.filter((ref) => ref.deref() !== undefined);
      this.views.push(new WeakRef(view));
    }
    return view;
  }

  /** Before the index moves past them, views handed out keep the values they saw. */
  private readonly capture = (kind: string, id: string, previous: Entity | undefined): void => {
    for (const ref of this.views) ref.deref()?.keep(kind, id, previous);
  };

  /**
   * Brings the index (and this handle, in index mode) to the end of the journal, as a memory-mode
   * reader applies what it finds: every complete mutation. (If one is cut back later — a writer
   * whose fsync failed — the index's position no longer matches the bytes there, and the next
   * reader rebuilds it from the journal: the index is a cache, never evidence.)
   * Returns undefined when the index cannot be trusted here (not built; its segment gone, shorter,
   * or not a record boundary): the memory path then reads and reports, as before.
   */
  private catchUpIndex(index: QueryIndex, repair: boolean): { touched: [string, string][] } | undefined {
    const at = index.position();
    if (!at || !this.stillThere(at)) return undefined;
    const head = (this.lastHead = readHead(this.dir));
    if (head) {
      this.noteEvidence(head.seq, 'HEAD.json');
      this.noteEvidence(head.snapshot, 'HEAD.json (its snapshot)');
    }
    if (this.ixSeq === undefined) {
      // Cold: what the newest snapshot says was acknowledged (its header only).
      for (const snapshot of listSnapshots(this.dir)) {
        const header = readSnapshotHeader(this.dir, snapshot.name);
        if (!header) continue;
        this.noteEvidence(header.seq, snapshot.name);
        break;
      }
    }
    const touched: [string, string][] = [];
    let end = at;
    let chain: string | undefined;
    const stats = statSync(join(this.dir, at.segment), { throwIfNoEntry: false });
    const size = stats?.size;
    // Nothing appended, yet the segment was rewritten (a swap, an edit of the same length): the
    // journal decides, not the cache. (One stat serves both checks: this runs for every read.)
    if (stats && size === at.offset && at.stamp !== undefined && stampText(stats) !== at.stamp && !existsSync(join(this.dir, segmentName(at.seq + 1)))) return undefined;
    if (size !== at.offset || existsSync(join(this.dir, segmentName(at.seq + 1)))) {
      const tail = this.scanTail(at, repair);
      if (!tail) return undefined;
      if (!tail.records.length && this.trimmed.has(at.segment)) index.restamp(this.stampOf(at.segment));
      if (tail.records.length) {
        if (!index.apply(at.seq, tail.records, this.stamped(tail.end), this.capture, this.options.folds)) return undefined;
        end = tail.end;
        chain = tail.chain;
        for (const record of tail.records) {
          this.remember(record);
          touched.push([record.kind, record.id]);
        }
      }
      if (tail.end.seq < this.evidence.seq) throw missingRecordsError(this.dir, tail.end.seq, this.evidence);
    } else if (at.seq < this.evidence.seq) throw missingRecordsError(this.dir, at.seq, this.evidence);
    if (this.ixSeq !== end.seq) {
      this.chain = chain;
      this.cachedView = undefined;
      this.projectionsToCheck = true;
    }
    this.ixSeq = end.seq;
    this.pos = { segment: end.segment, offset: end.offset };
    return { touched };
  }

  /**
   * Segments whose torn tail this handle cut off: their new stamp is this handle's own doing
   * (the bytes before the cut are as the index saw them), not a rewrite behind its back.
   */
  private readonly trimmed = new Set<string>();

  /** A segment's size and modification time, as {@link IndexPosition.stamp} keeps them; undefined when it is not in the live folder. */
  private stampOf(segment: string): string | undefined {
    const stats = statSync(join(this.dir, segment), { throwIfNoEntry: false });
    return stats ? stampText(stats) : undefined;
  }

  private stamped(to: IndexPosition): IndexPosition {
    const stamp = this.stampOf(to.segment);
    return stamp === undefined ? to : { ...to, stamp };
  }

  /** True when the record the index ends with still lies just before its offset (one small read). */
  private stillThere(at: IndexPosition): boolean {
    if (!at.last) return at.seq === 0 || at.offset === 0;
    const start = at.offset - 2 - at.last.bytes;
    if (start < 0) return false;
    for (const path of [join(this.dir, at.segment), join(this.dir, ARCHIVE_DIR, at.segment)]) {
      let fd: number;
      try {
        fd = openSafe(path, READ);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      try {
        const body = Buffer.allocUnsafe(at.last.bytes);
        if (readSync(fd, body, 0, body.length, start) !== body.length) return false;
        return (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32(body) === at.last.crc;
      } finally {
        closeSync(fd);
      }
    }
    // Compressed since (the index lagged while its segment was archived): read through the one segment reader.
    const compressed = join(this.dir, ARCHIVE_DIR, `${at.segment}${COMPRESSED_SUFFIX}`);
    if (!existsSync(compressed)) return false;
    const bytes = readSegment({ name: at.segment, firstSeq: 0, path: compressed, archived: true, compressed: true }, 0);
    if (bytes.length < at.offset) return false;
    return (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32(bytes.subarray(start, start + at.last.bytes)) === at.last.crc;
  }

  /** The complete mutations after `from`, without applying them; undefined when `from` is not where a record ends. */
  private scanTail(from: IndexPosition, repair: boolean): { records: JournalRecord[]; end: IndexPosition; chain: string | undefined } | undefined {
    let segments: SegmentRef[] = liveSegments(this.dir);
    let index = segments.findIndex((s) => s.name === from.segment);
    if (index < 0) {
      segments = allSegments(this.dir);
      index = segments.findIndex((s) => s.name === from.segment);
    }
    if (index < 0) return undefined;
    const records: JournalRecord[] = [];
    let seq = from.seq;
    let end: IndexPosition = from;
    let chain: string | undefined;
    for (let i = index; i < segments.length; i++) {
      const segment = segments[i]!;
      const start = i === index ? from.offset : 0;
      if (i > index && segment.firstSeq !== seq + 1) return undefined;
      let bytes: Buffer;
      try {
        bytes = readSegment(segment, start);
      } catch (error) {
        if (error instanceof CitadelError && error.code === 'corrupt') return undefined; // shorter than the index says
        throw error;
      }
      const result = scanRecords(bytes, 0, seq, (record) => records.push(record));
      seq = result.lastSeq;
      if (result.records.length) chain = result.chain;
      const lastRecord = result.records.at(-1);
      end = { seq, segment: segment.name, offset: start + result.end, ...(lastRecord ? { last: fingerprint(lastRecord) } : i === index ? (from.last ? { last: from.last } : {}) : {}) };
      const stop = result.stop;
      if (!stop) continue;
      if (i !== segments.length - 1 || !stop.unfinished) return undefined;
      if (repair) {
        this.recoveries.push(setAsideTornTail(segment.path, start + stop.offset, this.fsync));
        this.trimmed.add(segment.name);
      }
      break;
    }
    return { records, end, chain };
  }

  /** Memory mode, under the lock: the index brought to our state (built if missing). */
  private syncIndexLocked(): void {
    const index = this.openIndex();
    const state = this.state;
    if (!index || !state) return;
    try {
      const found = index.position();
      const at = found && this.stillThere(found) ? found : undefined;
      if (at && at.seq === state.seq) {
        // The segment was rewritten since the index reached it, and this handle's state was read
        // before (it reads only appended bytes): the index is forgotten, so the next reader reads
        // the journal itself — which fails closed if the rewrite was damage, or rebuilds it.
        const stamp = this.stampOf(at.segment);
        if (at.stamp !== undefined && stamp !== at.stamp && statSync(join(this.dir, at.segment), { throwIfNoEntry: false })?.size === at.offset) {
          if (this.trimmed.has(at.segment)) index.restamp(stamp);
          else index.reset();
        }
        return;
      }
      const tail = at && at.seq < state.seq ? this.scanTail(at, false) : undefined;
      if (at && tail && tail.end.seq === state.seq && tail.end.segment === this.pos.segment && tail.end.offset === this.pos.offset && index.apply(at.seq, tail.records, this.stamped(tail.end), this.capture, this.options.folds)) return;
      const last = this.recent.at(-1)?.seq === state.seq ? this.recent.at(-1) : this.lastRecord();
      index.rebuild(state.entries(), this.stamped({ seq: state.seq, ...this.pos, ...(last && last.seq === state.seq ? { last: fingerprint(last) } : {}) }));
    } catch (error) {
      if (error instanceof CitadelError) throw error;
      this.dropIndex();
    }
  }

  /** The record that ends just before our position (read from its segment: only when an index is rebuilt after a snapshot load). */
  private lastRecord(): JournalRecord | undefined {
    const segment = allSegments(this.dir).find((s) => s.name === this.pos.segment);
    if (!segment || this.pos.offset === 0) return undefined;
    const result = scanRecords(readSegment(segment, 0).subarray(0, this.pos.offset), 0, segment.firstSeq - 1);
    return result.end === this.pos.offset ? result.records.at(-1) : undefined;
  }

  /** `work` on the index; damage found there sets the index aside (undefined returned: the memory path serves). */
  private guarded<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      if (!isIndexDamage(error)) throw error;
      this.indexDamaged();
      return undefined;
    }
  }

  private indexDamaged(): void {
    this.dropIndex();
    setAsideIndex(this.dir);
    logRecovery(this.dir, { action: 'rebuild-index', detail: 'the query index failed its checks: set aside as index.sqlite.broken-*; rebuilt from the journal' });
  }

  /** The index failed (a full disk, …): this handle goes on without it; the next process catches it up. */
  private dropIndex(): void {
    try {
      this.index?.close();
    } catch {
      // already unusable
    }
    this.index = null;
    if (this.ixSeq !== undefined) {
      this.ixSeq = undefined;
      this.pos = { segment: segmentName(1), offset: 0 };
    }
  }

  /** The whole state in memory (a caller iterates a whole kind): loaded from the index when in index mode. */
  private enterMemory(): EntityState {
    if (this.state) return this.state;
    const index = this.index;
    if (index && this.ixSeq !== undefined) {
      const { position, kinds } = this.guarded(() => index.snapshotAll()) ?? { position: undefined, kinds: new Map<string, Map<string, Entity>>() };
      if (position && this.ixSeq !== undefined && position.seq >= this.ixSeq) {
        this.state = EntityState.from(position.seq, kinds);
        this.pos = { segment: position.segment, offset: position.offset };
        this.ixSeq = undefined;
        this.cachedView = undefined;
        return this.state;
      }
      this.ixSeq = undefined;
      this.pos = { segment: segmentName(1), offset: 0 };
    }
    return this.loaded();
  }

  private materialize(view: IndexView, kind: string): ReadonlyMap<string, Entity> {
    const current = this.enterMemory().view().all(kind);
    const changed = view.changedIn(kind);
    if (!changed.length) return current;
    const map = new Map(current);
    for (const [id, entity] of changed) {
      if (entity) map.set(id, entity);
      else map.delete(id);
    }
    return map;
  }

  // ---------------------------------------------------------------- writes

  mutate<T>(fn: Mutator<T>): Promise<MutationResult<T>> {
    return this.underLock(() => this.mutateLocked(fn));
  }

  checkpoint(): Promise<number> {
    return this.underLock(() => {
      this.reconcile();
      this.writeCheckpoint();
      this.writeHeadNow(readHead(this.dir));
      return this.seqNow;
    });
  }

  rebuildDerived(): Promise<{ seq: number; written: number; leftOver: number }> {
    return this.underLock(() => {
      // The query index is rebuilt from the journal as it now is (doctor --repair may have rewritten segments).
      this.openIndex()?.reset();
      this.ixSeq = undefined;
      this.reconcile();
      const state = this.enterMemory();
      let result = { written: 0, leftOver: 0 };
      try {
        if (this.options.projections) result = rebuildProjections(this.options.projections, state, this.fsync, { overwrite: true, kinds: this.projected });
      } catch (error) {
        if (error instanceof CitadelError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new CitadelError('io', `could not write projection files under ${this.options.projections} (${(error as Error).message}); the journal is intact: ${projectionFix(code)} and run \`citadel doctor --repair\` again`, { code });
      }
      if (this.options.projections) logRecovery(this.dir, { action: 'rebuild-projections', detail: `${result.written} written, ${result.leftOver} left over at seq ${state.seq}` });
      if (state.seq > 0) this.writeCheckpoint();
      this.syncIndexLocked();
      this.writeHeadNow(readHead(this.dir), state.seq);
      this.projectionsToCheck = false;
      return { seq: state.seq, ...result };
    });
  }

  /** Runs `work` holding the store lock; calls from one handle are queued in order. */
  private underLock<T>(work: () => T): Promise<T> {
    this.assertOpen();
    const run = async (): Promise<T> => {
      await this.lock.acquire(this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
      try {
        return work();
      } finally {
        this.lock.release();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Under the lock: this handle brought to the end of the journal (torn tail set aside) —
   * through the index when it can, else the state in memory, then the index synced to it —
   * and projections caught up.
   */
  private reconcile(): Head | undefined {
    let touched: [string, string][] | undefined;
    const index = this.state ? undefined : this.openIndex();
    if (index) touched = this.guarded(() => this.catchUpIndex(index, true))?.touched;
    if (!touched) {
      this.loaded();
      touched = this.catchUp(true);
      this.syncIndexLocked();
    }
    const head = this.lastHead; // read by the catch-up, under the lock
    if (this.options.projections) {
      try {
        this.repairProjections(head, touched);
      } catch (error) {
        // Projections are derived: a failure to write them (ENOSPC) must not stop the journal;
        // the watermark stays behind, doctor reports the lag, a later call catches up.
        if (error instanceof CitadelError) throw error;
        this.projectionsToCheck = true;
      }
    }
    return head;
  }

  private mutateLocked<T>(fn: Mutator<T>): MutationResult<T> {
    const head = this.reconcile();
    const seq = this.seqNow;
    const { changes, value } = fn(this.state ? this.state.transientView() : this.indexView(seq, false));
    if (this.ixSeq === undefined && !this.state) throw new CitadelError('io', `the query index of ${this.dir} failed while deciding a mutation; nothing was written: run the command again`);
    // The mutator may have loaded the whole state (it iterated a kind): from here on, memory mode.
    const state = this.state;
    if (changes.length === 0) return { value, records: [], seq };
    // A projection directory that is a link (or a file) is refused before anything is written.
    if (this.options.projections) for (const kind of new Set(changes.map((c) => c.kind))) if (KIND_NAME.test(kind) && isProjected(this.projected, kind)) isSafeDir(join(this.options.projections, kind));
    const records = buildRecords(changes, seq, this.options.writer);
    const prev = (this.chain ??= seq === 0 ? GENESIS : chainBefore(this.dir, this.pos.segment, this.pos.offset));
    const { buffer, stored, chain } = encodeRecords(records, prev);
    if (this.pos.offset >= this.segmentBytes) {
      // Roll: a new segment named by the next seq. Harmless if the append below fails.
      const name = segmentName(seq + 1);
      this.appender.roll(name);
      this.pos = { segment: name, offset: 0 };
    }
    this.appender.append(this.pos.segment, this.pos.offset, buffer);
    // Durable: only now does this process's state move.
    for (const record of stored) {
      state?.apply(record);
      this.remember(record);
    }
    const after = seq + stored.length;
    this.cachedView = undefined;
    this.chain = chain;
    this.pos = { segment: this.pos.segment, offset: this.pos.offset + buffer.length };
    if (this.index) {
      // The index follows the journal in this process (a crash here leaves it behind: the next
      // reader or writer catches it up from the journal before answering).
      try {
        if (!this.index.apply(seq, stored, this.stamped({ seq: after, ...this.pos, last: fingerprint(stored.at(-1)!) }), this.capture, this.options.folds) && !state) this.dropIndex();
      } catch {
        this.dropIndex();
      }
    }
    if (!state && this.ixSeq !== undefined) this.ixSeq = after;
    let projected = head?.projected ?? 0;
    if (this.options.projections) {
      try {
        const latest = new Map<string, Entity | undefined>();
        for (const record of stored) latest.set(`${record.kind}\0${record.id}`, record.deleted ? undefined : record.entity);
        writeProjections(this.options.projections, (kind, id) => latest.get(`${kind}\0${id}`), stored.map((r) => [r.kind, r.id] as const), this.fsync, this.projected);
        projected = after;
      } catch {
        // The mutation is committed; projections are derived and the watermark stays behind,
        // so the next reader or writer rebuilds them.
        this.projectionsToCheck = true;
      }
    }
    if (after - Math.max(head?.snapshot ?? 0, this.snapshotSeq) >= this.checkpointEvery) {
      try {
        this.writeCheckpoint();
      } catch {
        // a checkpoint is an optimisation; the next mutation retries it
      }
    }
    this.writeHeadNow(head, projected);
    return { value, records: stored, seq: after };
  }

  private writeHeadNow(head: Head | undefined, projected?: number): void {
    try {
      this.head.write({
        v: 1,
        seq: this.seqNow,
        segment: this.pos.segment,
        offset: this.pos.offset,
        projected: this.options.projections ? (projected ?? this.seqNow) : (head?.projected ?? 0),
        snapshot: Math.max(head?.snapshot ?? 0, this.snapshotSeq),
        ...(this.chain !== undefined ? { chain: this.chain } : {}),
      });
    } catch {
      // HEAD is a cache: a failure to write it costs a slower check later, never data
    }
  }

  /** Writes a snapshot of the state (from the index in index mode) and archives the rolled segments it covers. Under the lock. */
  private writeCheckpoint(): void {
    const seq = this.seqNow;
    this.chain ??= seq === 0 ? GENESIS : chainBefore(this.dir, this.pos.segment, this.pos.offset);
    if (this.state) writeSnapshot(this.dir, this.state, this.pos, this.fsync, this.chain);
    else writeSnapshotTexts(this.dir, seq, this.index!.texts(), this.index!.countAll(), this.pos, this.fsync, this.chain);
    this.snapshotSeq = seq;
    const live = liveSegments(this.dir);
    const archive = join(this.dir, ARCHIVE_DIR);
    const moved: string[] = [];
    for (let i = 0; i + 1 < live.length; i++) {
      const lastSeq = live[i + 1]!.firstSeq - 1;
      if (lastSeq > seq || live[i]!.name === this.pos.segment) break;
      // A link where a segment should be is never moved (it would hide under archive/): refused,
      // left where the user will look (this handle may never have read that segment: the index serves).
      if (lstatSync(live[i]!.path).isSymbolicLink()) throw linkRefused(live[i]!.path);
      ensureDir(archive);
      renameSync(live[i]!.path, join(archive, live[i]!.name));
      moved.push(live[i]!.name);
    }
    if (moved.length && this.fsync) {
      fsyncDir(archive);
      fsyncDir(this.dir);
    }
    // Archived segments are compressed (the ones just moved, and a few of an older town's plain
    // ones): docs/journal.md, "Disk". Crash-safe step by step; a failure (a full disk) leaves
    // them plain, and the next checkpoint tries again.
    if (this.options.compressArchives !== false) {
      try {
        compressArchived(this.dir, this.fsync, moved);
      } catch {
        // plain archives read as well
      }
    }
  }

  // ---------------------------------------------------------------- projections

  /** Under the lock: brings projection files up to the journal when the watermark says they lag. */
  private repairProjections(head: Head | undefined, touched: [string, string][]): void {
    const root = this.options.projections!;
    const seq = this.seqNow;
    const dirMissing = this.projectionDirMissing();
    if (head && head.projected === seq && !dirMissing) {
      this.projectionsToCheck = false;
      return;
    }
    if (!head && seq === 0) {
      // a fresh journal: nothing to project
    } else if (dirMissing || !head || head.projected > seq || head.projected < this.snapshotSeq - this.checkpointEvery * 4) {
      // Without HEAD.json nothing says how far the projection files got: they may hold what a
      // damaged journal lost, so a read only fills in missing files and leaves differing ones
      // to `doctor` (it reports them) and `--repair` (it weighs the evidence).
      const state = this.enterMemory();
      const result = rebuildProjections(root, state, this.fsync, { overwrite: head !== undefined, kinds: this.projected });
      logRecovery(this.dir, { action: 'rebuild-projections', detail: `${result.written} written, ${result.leftOver} left over at seq ${state.seq}` });
    } else {
      const keys = new Map<string, readonly [string, string]>();
      for (const record of this.records(head.projected + 1)) {
        if (record.seq > seq) break;
        keys.set(`${record.kind}\0${record.id}`, [record.kind, record.id]);
      }
      for (const [kind, id] of touched) keys.set(`${kind}\0${id}`, [kind, id]);
      const state = this.state;
      writeProjections(root, state ? (kind, id) => state.get(kind, id) : (kind, id) => this.index!.get(kind, id), keys.values(), this.fsync, this.projected);
    }
    this.writeHeadNow(head, this.seqNow);
    this.projectionsToCheck = false;
  }

  /** A kind with live entities whose projection directory is gone (deleted by hand): O(kinds). */
  private projectionDirMissing(): boolean {
    const root = this.options.projections!;
    const kinds = this.state ? [...this.state.entries()].filter(([, map]) => map.size).map(([kind]) => kind) : this.index!.kinds();
    for (const kind of kinds) if (isProjected(this.projected, kind) && !existsSync(join(root, kind))) return true;
    return false;
  }

  /** A reader's best effort: fix lagging projections if the lock is free right now, else leave it to the next writer. */
  private tryRepairProjections(): void {
    const head = readHead(this.dir);
    if (head && head.projected === this.seqNow && !this.projectionDirMissing()) {
      this.projectionsToCheck = false;
      return;
    }
    if (this.lock.isHeld || !this.lock.tryAcquire()) return;
    try {
      this.reconcile();
    } catch (error) {
      // A reader does not fail on a repair it could not make (a full disk); the next writer
      // will. Damage and refused links are not that: they fail the read, in one line.
      if (error instanceof CitadelError) throw error;
    } finally {
      this.lock.release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.appender.close();
    this.lock.close();
    this.head.close();
    try {
      this.index?.close();
    } catch {
      // a cache
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`journal ${this.dir} is closed`);
  }
}

/** What the person does about a projection write that failed with `code` (not always a full disk). */
function projectionFix(code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'free space';
  if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST') return 'move away what is in the way at the path named';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'make .citadel/ writable by you';
  return 'fix that';
}

/**
 * A view of an index-mode handle: reads ask the index (a parsed entity is kept for the view's
 * life). Changes this handle applies after the view was taken do not show through it (their
 * previous values are kept here first); a change another process makes later may (a CLI command
 * takes one view; long-lived readers iterate, which puts them in memory mode with frozen views).
 */
class IndexView implements StateView {
  private readonly kept = new Map<string, Entity | null>();
  private readonly seen = new Map<string, Entity | undefined>();
  private readonly maps = new Map<string, IndexedMap>();

  constructor(
    readonly seq: number,
    private readonly index: QueryIndex,
    private readonly materialize: (view: IndexView, kind: string) => ReadonlyMap<string, Entity>,
    private readonly damaged: () => void,
  ) {}

  /** Damage found in the index: it is set aside and this view answers from the state in memory. */
  private broken = false;

  get(kind: string, id: string): Entity | undefined {
    const key = `${kind}\0${id}`;
    const kept = this.kept.get(key);
    if (kept !== undefined) return kept ?? undefined;
    if (this.seen.has(key)) return this.seen.get(key);
    if (this.broken) return this.materialize(this, kind).get(id);
    let entity: Entity | undefined;
    try {
      entity = this.index.get(kind, id);
    } catch (error) {
      if (!isIndexDamage(error)) throw error;
      this.broken = true;
      this.damaged();
      return this.materialize(this, kind).get(id);
    }
    this.seen.set(key, entity);
    return entity;
  }

  all(kind: string): ReadonlyMap<string, Entity> {
    let map = this.maps.get(kind);
    if (!map) {
      map = new IndexedMap({
        get: (id) => this.get(kind, id),
        size: () => (this.kept.size || this.broken ? this.materialize(this, kind).size : this.index.queries(kind).count()),
        load: () => this.materialize(this, kind),
        queries: () => (this.kept.size || this.broken ? undefined : this.index.queries(kind)),
      });
      this.maps.set(kind, map);
    }
    return map;
  }

  /** The handle is about to change `kind/id`: keep the value this view saw (or would have). */
  keep(kind: string, id: string, previous: Entity | undefined): void {
    const key = `${kind}\0${id}`;
    if (this.kept.has(key)) return;
    this.kept.set(key, (this.seen.has(key) ? this.seen.get(key) : previous) ?? null);
  }

  /** Entities of `kind` kept because this handle changed them since (null: absent at this view). */
  changedIn(kind: string): [string, Entity | null][] {
    const out: [string, Entity | null][] = [];
    for (const [key, entity] of this.kept) {
      const at = key.indexOf('\0');
      if (key.slice(0, at) === kind) out.push([key.slice(at + 1), entity]);
    }
    return out;
  }
}

/** {@link IndexPosition.stamp} of a segment's stats: its size and modification time. */
function stampText(stats: { size: number; mtimeMs: number }): string {
  return `${stats.size}:${stats.mtimeMs}`;
}
