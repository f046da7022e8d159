import { CitadelError } from '../common/errors.js';
import { chainAt, HASH_HEX, link, sha256, walkRecords, type ChainedRecord } from '../journal/chain.js';
import { checkLine } from '../journal/frame.js';
import type { JournalRecord } from '../journal/types.js';

/**
 * A portable CV (docs/journal.md, "Portable CV"): an actor's records from the town's hash
 * chain, with the path that ties them to the town's head, checked offline by anyone.
 *
 * The file holds the actor's records whole (their frame lines: CRC32C and body), the records
 * `doctor --repair` wrote in the slots of lost ones on the way (their `replaces` carries the
 * chain across the gap), and for every other seq between the first record and the head only
 * its 32-byte digest (`path`, base64): chain(k) = SHA-256(chain(k-1) ‖ digest(k)), so the
 * verifier recomputes the chain from the first record's `prev` to the head without seeing
 * anyone else's work. The head is checked against the town's journal, or against a signature
 * made with the exporter's SSH key (src/ledger/ssh-sign.ts).
 */
export const CV_FORMAT = 'citadel-cv/1';

export interface CvProofFile {
  readonly format: typeof CV_FORMAT;
  readonly actor: string;
  /** The town's name (config `name`) and the actor's address in it, `entity://citadel/<town>/<actor>`. */
  readonly town: string;
  readonly address: string;
  readonly exported_at: string;
  /** The seq of the first record in the file: where the proof starts (its `prev` is taken as given). */
  readonly from: number;
  /** The town's chain value at its head when exported. */
  readonly head: { readonly seq: number; readonly chain: string };
  /** The actor's records, whole frame lines, in seq order. */
  readonly records: readonly string[];
  /** Records on the path that stand in for lost ones (`replaces`), whole. */
  readonly repaired: readonly string[];
  /** Base64 of the 32-byte digest of every other seq from `from` to `head.seq`, in order. */
  readonly path: string;
  /** The actor's records written before the town's chain began: not provable, not in the file. */
  readonly unchained: number;
  /** `ssh-keygen -Y sign` over {@link headMessage}, when exported with `--sign`. */
  readonly signature?: { readonly namespace: string; readonly principal: string | null; readonly armored: string };
}

/** Whether a record belongs in `actor`'s CV: it wrote it, or it is about the actor's work (assigned, its merge request, its polecat). */
export function belongsTo(record: JournalRecord, actor: string): boolean {
  if (record.writer === actor) return true;
  if (record.kind === 'polecats') return record.id === actor;
  const entity = record.entity as { assignee?: unknown; polecat?: unknown; created_by?: unknown } | undefined;
  return entity !== undefined && (entity.assignee === actor || entity.polecat === actor || entity.created_by === actor);
}

/** The text a signature covers: the format, whose CV (its address), where the proof starts, and the head. */
export function headMessage(file: Pick<CvProofFile, 'actor' | 'address' | 'from' | 'head'>): string {
  return `${CV_FORMAT}\nactor ${file.actor}\naddress ${file.address}\nfrom ${file.from}\nhead ${file.head.seq} ${file.head.chain}\n`;
}

/**
 * Builds `actor`'s proof from the journal in `journalDir`, up to `headSeq` (the last
 * acknowledged seq). Checks the chain as it goes: a journal whose chain is broken exports
 * nothing (run `citadel doctor --verify`).
 */
export function buildProof(journalDir: string, actor: string, headSeq: number, town: string, address: string): CvProofFile {
  const broken = (what: string): CitadelError => new CitadelError('corrupt', `cannot export a CV: the journal's hash chain is broken (${what}); run \`citadel doctor --verify\``);
  let previous: ChainedRecord | undefined;
  let chainStart: number | undefined;
  let unchained = 0;
  let from: number | undefined;
  const records: string[] = [];
  const repaired: string[] = [];
  const digests: Buffer[] = [];
  for (const r of walkRecords(journalDir, undefined, (segment, _offset, line, reason) => {
    throw broken(`${segment.name}:${line}: ${reason}`);
  })) {
    const seq = r.record.seq;
    if (seq > headSeq) break;
    if (previous && seq !== previous.record.seq + 1) throw broken(`seq ${seq} follows seq ${previous.record.seq}`);
    const mine = belongsTo(r.record, actor);
    if (r.record.prev === undefined) {
      if (chainStart !== undefined) throw broken(`seq ${seq} has no chain hash`);
      if (mine && !r.record.kind.startsWith('_')) unchained++;
      previous = r;
      continue;
    }
    if (chainStart === undefined) chainStart = seq;
    else if (previous && r.record.prev !== previous.chain && r.record.prev !== previous.record.replaces) throw broken(`seq ${seq} does not continue from seq ${previous.record.seq}`);
    previous = r;
    if (mine && !r.record.kind.startsWith('_')) {
      from ??= seq;
      records.push(r.text.toString('utf8'));
    } else if (from !== undefined) {
      if (r.record.replaces !== undefined) repaired.push(r.text.toString('utf8'));
      else digests.push(r.digest);
    }
  }
  if (from === undefined || !previous) {
    throw new CitadelError('not_found', `${actor} has no records on the journal's hash chain to export${unchained ? ` (${unchained} written before the chain began)` : ''}`);
  }
  return {
    format: CV_FORMAT,
    actor,
    town,
    address,
    exported_at: new Date().toISOString(),
    from,
    head: { seq: previous.record.seq, chain: previous.chain },
    records,
    repaired,
    path: Buffer.concat(digests).toString('base64'),
    unchained,
  };
}

/** What an offline check of a proof file establishes (before its head is checked). */
export interface CheckedProof {
  readonly file: CvProofFile;
  readonly records: JournalRecord[];
  /** Seqs on the path that stand in for lost records (repaired gaps). */
  readonly repaired: number[];
}

/**
 * Checks a proof file offline: shape, every record's CRC32C, order, that each record is the
 * actor's, and that the chain recomputed from the first record's `prev` through every record
 * and digest reaches the file's head. Throws `CitadelError('invalid')` with a one-line reason.
 */
export function checkProof(value: unknown, name: string): CheckedProof {
  const fail = (reason: string): CitadelError => new CitadelError('invalid', `${name} does not verify: ${reason}`);
  const file = value as CvProofFile;
  if (typeof value !== 'object' || value === null || file.format !== CV_FORMAT) throw fail(`not a citadel CV (format ${JSON.stringify((value as { format?: unknown } | null)?.format)}, expected ${CV_FORMAT})`);
  if (typeof file.actor !== 'string' || typeof file.address !== 'string' || !Number.isSafeInteger(file.from) || file.from < 1) throw fail('actor, address or from missing');
  if (typeof file.head !== 'object' || file.head === null || !Number.isSafeInteger(file.head.seq) || typeof file.head.chain !== 'string' || !HASH_HEX.test(file.head.chain)) throw fail('head missing or malformed');
  if (!Array.isArray(file.records) || !Array.isArray(file.repaired) || typeof file.path !== 'string') throw fail('records, repaired or path missing');
  const path = Buffer.from(file.path, 'base64');
  if (path.length % 32 !== 0 || path.toString('base64') !== file.path) throw fail('path is not base64 of 32-byte digests');

  const parse = (line: unknown, where: string): { record: JournalRecord; body: Buffer } => {
    if (typeof line !== 'string') throw fail(`${where} is not a journal line`);
    const bytes = Buffer.from(line, 'utf8');
    const checked = checkLine(bytes, 0, bytes.length);
    if (!checked.ok) throw fail(`${where}: ${checked.reason}`);
    return { record: checked.record, body: bytes.subarray(bytes.indexOf('"rec":') + 6, bytes.length - 1) };
  };
  const bySeq = new Map<number, { record: JournalRecord; body: Buffer }>();
  const records: JournalRecord[] = [];
  let last = 0;
  file.records.forEach((line, i) => {
    const entry = parse(line, `record ${i + 1} of the file`);
    const seq = entry.record.seq;
    if (seq <= last) throw fail(`records out of order: seq ${seq} after seq ${last} (record ${i + 1} of the file)`);
    if (!belongsTo(entry.record, file.actor)) throw fail(`record seq ${seq} is not ${file.actor}'s`);
    last = seq;
    bySeq.set(seq, entry);
    records.push(entry.record);
  });
  const repaired: number[] = [];
  file.repaired.forEach((line, i) => {
    const entry = parse(line, `repaired record ${i + 1} of the file`);
    if (entry.record.replaces === undefined || bySeq.has(entry.record.seq)) throw fail(`repaired record ${i + 1} (seq ${entry.record.seq}) stands in for nothing`);
    bySeq.set(entry.record.seq, entry);
    repaired.push(entry.record.seq);
  });
  const first = records[0];
  if (!first || first.seq !== file.from) throw fail(`the first record is seq ${first?.seq ?? 'none'}, but the file starts at seq ${file.from}`);
  if (last > file.head.seq) throw fail(`record seq ${last} is past the head (seq ${file.head.seq})`);
  if (first.prev === undefined) throw fail(`record seq ${first.seq} carries no chain hash`);

  // Recompute the chain from the first record's prev to the head.
  let chain = first.prev;
  let used = 0;
  let lastBody = first.seq;
  for (let seq = file.from; seq <= file.head.seq; seq++) {
    const entry = bySeq.get(seq);
    if (entry) {
      if (entry.record.prev !== chain) {
        throw fail(`record seq ${seq} does not follow from what comes before it in the file (seq ${lastBody}..${seq - 1}): a record was edited, removed or reordered`);
      }
      chain = entry.record.replaces ?? link(chain, sha256(entry.body));
      lastBody = seq;
      continue;
    }
    if (used + 32 > path.length) throw fail(`the path ends at seq ${seq - 1}, before the head at seq ${file.head.seq}: a record was removed from the file`);
    chain = link(chain, path.subarray(used, used + 32));
    used += 32;
  }
  if (used !== path.length) throw fail(`the path holds ${(path.length - used) / 32} digest(s) more than the seqs it covers: a record was removed or the path changed`);
  if (chain !== file.head.chain) throw fail(`the chain recomputed from the file does not reach its head at seq ${file.head.seq}: record seq ${lastBody} or the path after it was changed`);
  return { file, records, repaired };
}

/** The chain value at `seq` in the town's journal (undefined when the journal does not reach it). */
export function townChainAt(journalDir: string, seq: number): string | undefined {
  return chainAt(journalDir, seq);
}
