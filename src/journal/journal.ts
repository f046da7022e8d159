import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { SegmentAppender } from './appender.js';
import { fsyncDir } from './files.js';
import { chainBefore, GENESIS } from './chain.js';
import { corruptError, encodeRecords, gapError, scanRecords } from './frame.js';
import { HeadWriter, readHead, type Head } from './head.js';
import { StoreLock } from './lock.js';
import { rebuildProjections, writeProjections } from './projections.js';
import { logRecovery, setAsideTornTail, type RecoveryEvent } from './recovery.js';
import { buildRecords } from './records.js';
import { allSegments, ARCHIVE_DIR, liveSegments, readSegment, segmentName, type SegmentRef } from './segments.js';
import { ensureDir, isSafeDir } from './safefs.js';
import { listSnapshots, loadSnapshot, writeSnapshot } from './snapshot.js';
import { EntityState } from './state.js';
import type { Journal, JournalOptions, JournalRecord, MutationResult, Mutator, StateView } from './types.js';

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
  private readonly checkpointEvery: number;
  private readonly fsync: boolean;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly options: JournalOptions,
  ) {
    this.lock = new StoreLock(dir, options.writer);
    this.head = new HeadWriter(dir);
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    this.fsync = options.fsync ?? true;
    this.appender = new SegmentAppender(dir, this.fsync);
  }

  // ---------------------------------------------------------------- reads

  read(): StateView {
    this.assertOpen();
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
    const state = this.state;
    const oldest = this.recent[0]?.seq;
    if (state && oldest !== undefined && fromSeq >= oldest && fromSeq <= state.seq + 1 && this.recent.at(-1)!.seq === state.seq) {
      // Recent history from memory, then whatever was appended after our position.
      for (let i = fromSeq - oldest; i < this.recent.length; i++) {
        const record = this.recent[i]!;
        if (!record.kind.startsWith('_')) yield record;
      }
      yield* this.recordsAfter(this.pos, state.seq);
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
      const exists = (name: string): boolean => existsSync(join(this.dir, name)) || existsSync(join(this.dir, ARCHIVE_DIR, name));
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
    const replayed = this.catchUp(false).length;
    // No snapshot near the head (a fresh clone, deleted caches): write one now if the lock is
    // free, so the next cold open replays a short tail instead of the whole history.
    if (replayed > this.checkpointEvery * 2) this.tryCheckpoint();
    return this.state;
  }

  private tryCheckpoint(): void {
    if (this.lock.isHeld || !this.lock.tryAcquire()) return;
    try {
      this.catchUp(true);
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
      if (repair) this.recoveries.push(setAsideTornTail(segment.path, at.offset, this.fsync));
      break;
    }
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
      return this.state!.seq;
    });
  }

  rebuildDerived(): Promise<{ seq: number; written: number; leftOver: number }> {
    return this.underLock(() => {
      this.reconcile();
      const state = this.state!;
      let result = { written: 0, leftOver: 0 };
      try {
        if (this.options.projections) result = rebuildProjections(this.options.projections, state, this.fsync);
      } catch (error) {
        if (error instanceof CitadelError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new CitadelError('io', `could not write projection files under ${this.options.projections} (${(error as Error).message}); the journal is intact: ${projectionFix(code)} and run \`citadel doctor --repair\` again`, { code });
      }
      if (this.options.projections) logRecovery(this.dir, { action: 'rebuild-projections', detail: `${result.written} written, ${result.leftOver} left over at seq ${state.seq}` });
      if (state.seq > 0) this.writeCheckpoint();
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

  /** Under the lock: our state brought to the end of the journal (torn tail set aside), projections caught up. */
  private reconcile(): Head | undefined {
    this.loaded();
    const touched = this.catchUp(true);
    const head = this.lastHead; // read by catchUp, under the lock
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
    const state = this.state!;
    const { changes, value } = fn(state.transientView());
    if (changes.length === 0) return { value, records: [], seq: state.seq };
    // A projection directory that is a link (or a file) is refused before anything is written.
    if (this.options.projections) for (const kind of new Set(changes.map((c) => c.kind))) if (KIND_NAME.test(kind)) isSafeDir(join(this.options.projections, kind));
    const records = buildRecords(changes, state.seq, this.options.writer);
    const prev = (this.chain ??= state.seq === 0 ? GENESIS : chainBefore(this.dir, this.pos.segment, this.pos.offset));
    const { buffer, stored, chain } = encodeRecords(records, prev);
    if (this.pos.offset >= this.segmentBytes) {
      // Roll: a new segment named by the next seq. Harmless if the append below fails.
      const name = segmentName(state.seq + 1);
      this.appender.roll(name);
      this.pos = { segment: name, offset: 0 };
    }
    this.appender.append(this.pos.segment, this.pos.offset, buffer);
    // Durable: only now does this process's state move.
    for (const record of stored) {
      state.apply(record);
      this.remember(record);
    }
    this.cachedView = undefined;
    this.chain = chain;
    this.pos = { segment: this.pos.segment, offset: this.pos.offset + buffer.length };
    let projected = head?.projected ?? 0;
    if (this.options.projections) {
      try {
        writeProjections(this.options.projections, state, stored.map((r) => [r.kind, r.id] as const), this.fsync);
        projected = state.seq;
      } catch {
        // The mutation is committed; projections are derived and the watermark stays behind,
        // so the next reader or writer rebuilds them.
        this.projectionsToCheck = true;
      }
    }
    if (state.seq - Math.max(head?.snapshot ?? 0, this.snapshotSeq) >= this.checkpointEvery) {
      try {
        this.writeCheckpoint();
      } catch {
        // a checkpoint is an optimisation; the next mutation retries it
      }
    }
    this.writeHeadNow(head, projected);
    return { value, records: stored, seq: state.seq };
  }

  private writeHeadNow(head: Head | undefined, projected?: number): void {
    try {
      this.head.write({
        v: 1,
        seq: this.state!.seq,
        segment: this.pos.segment,
        offset: this.pos.offset,
        projected: this.options.projections ? (projected ?? this.state!.seq) : (head?.projected ?? 0),
        snapshot: Math.max(head?.snapshot ?? 0, this.snapshotSeq),
        ...(this.chain !== undefined ? { chain: this.chain } : {}),
      });
    } catch {
      // HEAD is a cache: a failure to write it costs a slower check later, never data
    }
  }

  /** Writes a snapshot of the state and archives the rolled segments it covers. Under the lock. */
  private writeCheckpoint(): void {
    const state = this.state!;
    this.chain ??= state.seq === 0 ? GENESIS : chainBefore(this.dir, this.pos.segment, this.pos.offset);
    writeSnapshot(this.dir, state, this.pos, this.fsync, this.chain);
    this.snapshotSeq = state.seq;
    const live = liveSegments(this.dir);
    const archive = join(this.dir, ARCHIVE_DIR);
    let moved = false;
    for (let i = 0; i + 1 < live.length; i++) {
      const lastSeq = live[i + 1]!.firstSeq - 1;
      if (lastSeq > state.seq || live[i]!.name === this.pos.segment) break;
      ensureDir(archive);
      renameSync(live[i]!.path, join(archive, live[i]!.name));
      moved = true;
    }
    if (moved && this.fsync) {
      fsyncDir(archive);
      fsyncDir(this.dir);
    }
  }

  // ---------------------------------------------------------------- projections

  /** Under the lock: brings projection files up to the journal when the watermark says they lag. */
  private repairProjections(head: Head | undefined, touched: [string, string][]): void {
    const root = this.options.projections!;
    const state = this.state!;
    const dirMissing = this.projectionDirMissing();
    if (head && head.projected === state.seq && !dirMissing) {
      this.projectionsToCheck = false;
      return;
    }
    if (!head && state.seq === 0) {
      // a fresh journal: nothing to project
    } else if (dirMissing || !head || head.projected > state.seq || head.projected < this.snapshotSeq - this.checkpointEvery * 4) {
      // Without HEAD.json nothing says how far the projection files got: they may hold what a
      // damaged journal lost, so a read only fills in missing files and leaves differing ones
      // to `doctor` (it reports them) and `--repair` (it weighs the evidence).
      const result = rebuildProjections(root, state, this.fsync, { overwrite: head !== undefined });
      logRecovery(this.dir, { action: 'rebuild-projections', detail: `${result.written} written, ${result.leftOver} left over at seq ${state.seq}` });
    } else {
      const keys = new Map<string, readonly [string, string]>();
      for (const record of this.records(head.projected + 1)) {
        if (record.seq > state.seq) break;
        keys.set(`${record.kind}\0${record.id}`, [record.kind, record.id]);
      }
      for (const [kind, id] of touched) keys.set(`${kind}\0${id}`, [kind, id]);
      writeProjections(root, state, keys.values(), this.fsync);
    }
    this.writeHeadNow(head, state.seq);
    this.projectionsToCheck = false;
  }

  /** A reader's best effort: fix lagging projections if the lock is free right now, else leave it to the next writer. */
  /** A kind with live entities whose projection directory is gone (deleted by hand): O(kinds). */
  private projectionDirMissing(): boolean {
    const root = this.options.projections!;
    for (const [kind, map] of this.state!.entries()) if (map.size && !existsSync(join(root, kind))) return true;
    return false;
  }

  private tryRepairProjections(): void {
    const head = readHead(this.dir);
    if (head && head.projected === this.state!.seq && !this.projectionDirMissing()) {
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
