import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { isAlive } from '../common/process.js';
import { verifyChain, type ChainReport } from './chain-verify.js';
import { readHead } from './head.js';
import { isLockHeld, LOCK_FILE, readLockHolder, type LockHolder } from './lock.js';
import { checkProjections } from './projections.js';
import { isSafeDir } from './safefs.js';
import { listSnapshots, loadSnapshot, type LoadedSnapshot } from './snapshot.js';
import { EntityState } from './state.js';
import { surveyJournal, type CorruptRecord, type SegmentReport, type Survey, type TornTail } from './survey.js';
import type { Entity } from './types.js';

/** What `citadel doctor` reports about a journal (also its `--json` shape). */
export interface DoctorReport {
  readonly dir: string;
  /** True when nothing needs attention. */
  readonly ok: boolean;
  readonly segments: readonly SegmentReport[];
  /** Records in the journal (quarantine markers excluded). */
  readonly events: number;
  /** The last seq in the journal. */
  readonly seq: number;
  readonly entities: { readonly total: number; readonly byKind: Readonly<Record<string, number>> };
  /** HEAD.json, the cached head and projection watermark (null when missing or damaged). */
  readonly head: { readonly seq: number; readonly projected: number; readonly snapshot: number } | null;
  /** How many records the projection files are behind the journal (null when unknown). */
  readonly watermarkLag: number | null;
  readonly tornTails: readonly TornTail[];
  readonly corrupt: readonly CorruptRecord[];
  /** Records quarantined by an earlier `--repair` (markers in the journal). */
  readonly quarantined: number;
  readonly snapshots: readonly { readonly name: string; readonly seq: number; readonly ok: boolean }[];
  readonly projections: { readonly checked: number; readonly missing: readonly string[]; readonly stale: readonly string[]; readonly extra: readonly string[] } | null;
  readonly lock: { readonly held: boolean; readonly holder: (LockHolder & { readonly alive: boolean }) | null };
  /** One sentence per problem found, with what to do about it. */
  readonly problems: readonly string[];
  /** With `verify`: the hash chain's verdict (docs/journal.md, "Hash chain"). */
  readonly chain?: ChainReport;
}

export type { CorruptRecord, SegmentReport, TornTail } from './survey.js';

/** The snapshots that pass every check (CRC included), newest first. */
export function validSnapshots(dir: string): LoadedSnapshot[] {
  const out: LoadedSnapshot[] = [];
  for (const { name } of listSnapshots(dir)) {
    const loaded = loadSnapshot(dir, name, true);
    if (loaded) out.push(loaded);
  }
  return out;
}

/**
 * The state the surviving records give: from the start, or, when the oldest segments are gone,
 * from the newest valid snapshot that covers them (it makes them redundant). Members of a
 * mutation that lost records are not applied (never half a mutation). Undefined base when
 * history is gone and no snapshot covers it.
 */
export function replaySurvey(survey: Survey, snapshots: readonly LoadedSnapshot[], onSeq?: (state: EntityState) => void): { state: EntityState; base: LoadedSnapshot | undefined; covered: boolean } {
  let state = new EntityState();
  let base: LoadedSnapshot | undefined;
  if (survey.firstSeq > 1) {
    base = snapshots.find((snap) => snap.header.seq >= survey.firstSeq - 1 && snap.header.seq <= survey.lastSeq);
    if (base) state = EntityState.from(base.header.seq, cloneKinds(base.kinds));
  }
  const skip = new Set<number>();
  for (const m of survey.incomplete) for (let seq = m.first; seq <= m.last; seq++) skip.add(seq);
  onSeq?.(state);
  for (let seq = state.seq + 1; seq <= survey.lastSeq; seq++) {
    const found = survey.bySeq.get(seq);
    if (found && !skip.has(seq)) state.apply(found.record);
    else state.seq = seq;
    onSeq?.(state);
  }
  return { state, base, covered: survey.firstSeq === 1 || base !== undefined };
}

function cloneKinds(kinds: ReadonlyMap<string, Map<string, Entity>>): Map<string, Map<string, Entity>> {
  return new Map([...kinds].map(([kind, map]) => [kind, new Map(map)]));
}

/** The highest seq HEAD.json or a valid snapshot says was acknowledged, and which said it. */
export function highWater(dir: string, snapshots: readonly LoadedSnapshot[]): { seq: number; source: string } {
  let best = { seq: 0, source: '' };
  const head = readHead(dir);
  if (head && head.seq > best.seq) best = { seq: head.seq, source: 'HEAD.json' };
  for (const snap of snapshots) if (snap.header.seq > best.seq) best = { seq: snap.header.seq, source: basename(snap.file) };
  return best;
}

/** Inspects a journal without changing anything (no lock taken). */
export function inspectJournal(dir: string, options: { projections?: string | undefined; projectKinds?: readonly string[] | undefined; verify?: boolean } = {}): DoctorReport {
  const problems: string[] = [];
  try {
    if (!isSafeDir(dir)) return emptyReport(dir, [`${dir} does not exist: run \`citadel init\``]);
  } catch (error) {
    return emptyReport(dir, [(error as Error).message]);
  }
  let survey: Survey;
  try {
    survey = surveyJournal(dir);
    readHead(dir); // refuses a link or a directory in HEAD.json's place
  } catch (error) {
    if (!(error instanceof CitadelError)) throw error;
    return emptyReport(dir, [error.message]);
  }
  const valid = validSnapshots(dir);
  const validNames = new Set(valid.map((v) => basename(v.file)));
  const snapshotSeqs = new Map(listSnapshots(dir).map((s) => [s.seq, s.name]));
  const snapshots: { name: string; seq: number; ok: boolean }[] = [];
  const { state, base, covered } = replaySurvey(survey, valid, (at) => {
    const name = snapshotSeqs.get(at.seq);
    if (!name) return;
    snapshotSeqs.delete(at.seq);
    snapshots.push({ name, seq: at.seq, ok: snapshotMatches(dir, name, at) });
  });
  // Snapshots the replay cannot reach (older than its base, or past the journal's end): judged by their own checks.
  for (const [seq, name] of snapshotSeqs) snapshots.push({ name, seq, ok: validNames.has(name) && (seq < state.seq || seq > survey.lastSeq) });
  snapshots.sort((a, b) => b.seq - a.seq);
  let quarantined = 0;
  let events = 0;
  for (const { record } of survey.bySeq.values()) {
    if (record.kind.startsWith('_')) quarantined++;
    else events++;
  }

  const byKind: Record<string, number> = {};
  for (const [kind, map] of state.entries()) byKind[kind] = map.size;
  const head = readHead(dir);
  const lost = highWater(dir, valid);
  const damaged = survey.corrupt.length > 0 || survey.incomplete.length > 0 || lost.seq > survey.lastSeq || !covered;
  let projections: ReturnType<typeof checkProjections> | null = null;
  try {
    if (options.projections && !damaged) projections = checkProjections(options.projections, state, options.projectKinds ? new Set(options.projectKinds) : undefined);
  } catch (error) {
    if (!(error instanceof CitadelError)) throw error;
    problems.push(error.message); // a projection directory that is a link or a file
  }
  const held = isLockHeld(dir);
  const holder = readLockHolder(dir);
  const tornTails: TornTail[] = [...(survey.pendingTail ? [survey.pendingTail] : []), ...brokenFiles(dir)];

  const lockProblem = lockFileProblem(dir);
  if (lockProblem) problems.push(lockProblem);
  if (!covered) problems.push(`the journal's history before seq ${survey.firstSeq} is gone (${survey.segments[0]?.name} is the oldest segment) and no valid snapshot covers it; \`citadel doctor --repair\` recovers what snapshots and projection files hold`);
  if (lost.seq > survey.lastSeq) {
    problems.push(`the journal ends at seq ${survey.lastSeq} but ${lost.source} says ${lost.seq}: records ${survey.lastSeq + 1}..${lost.seq} are missing (a cut or deleted segment, or an older copy put back); \`citadel doctor --repair\` recovers what snapshots and projection files still hold`);
  }
  for (const c of survey.corrupt) {
    problems.push(`corrupt record in ${c.segment} at byte ${c.offset} (seq ${c.seq}): ${c.reason}; \`citadel doctor --repair\` quarantines it`);
  }
  for (const m of survey.incomplete) {
    problems.push(`the mutation of ${m.size} records at seqs ${m.first}..${m.last} lost ${m.lost.length} (seq ${m.lost.slice(0, 5).join(', ')}${m.lost.length > 5 ? ', …' : ''}); its other ${m.size - m.lost.length} records are intact; \`citadel doctor --repair\` keeps them if a snapshot covers the mutation, else quarantines it whole`);
  }
  if (survey.pendingTail) problems.push(`torn tail of ${survey.pendingTail.bytes} bytes at the end of ${survey.pendingTail.segment} (a write cut short); the next write or \`citadel doctor --repair\` sets it aside`);
  const lag = head && options.projections ? state.seq - head.projected : null;
  if (options.projections && !head && state.seq > 0) problems.push('HEAD.json (the watermark cache) is missing or damaged; the next write rebuilds it, or run `citadel doctor --repair`');
  if (lag !== null && lag > 0) problems.push(`projection files lag the journal by ${lag} record(s) (a failed projection write, e.g. a full disk); the next read or write catches them up, or run \`citadel doctor --repair\``);
  if (projections && (projections.missing.length || projections.stale.length)) {
    problems.push(`projection files differ from the journal (${projections.missing.length} missing, ${projections.stale.length} stale); \`citadel doctor --repair\` rewrites them`);
  }
  if (projections?.extra.length) {
    problems.push(`${projections.extra.length} projection file(s) hold entities the journal does not know (${projections.extra.slice(0, 3).join(', ')}${projections.extra.length > 3 ? ', …' : ''}): records were lost, or a deletion did not finish; \`citadel doctor --repair\` recovers them into the journal`);
  }
  for (const snap of snapshots) if (!snap.ok) problems.push(`snapshot ${snap.name} does not match the journal; it is skipped on load, and \`citadel doctor --repair\` replaces it`);
  void base;
  const chain = options.verify ? verifyChain(dir, survey.pendingTail) : undefined;
  // The chain's verdict first: the one line naming the first bad record.
  if (chain?.problem) problems.unshift(chain.problem);
  return {
    dir,
    ok: problems.length === 0,
    segments: survey.reports,
    events,
    seq: Math.max(state.seq, survey.lastSeq),
    entities: { total: state.count(), byKind },
    head: head ? { seq: head.seq, projected: head.projected, snapshot: head.snapshot } : null,
    watermarkLag: lag,
    tornTails,
    corrupt: survey.corrupt,
    quarantined,
    snapshots,
    projections,
    lock: { held, holder: held && holder ? { ...holder, alive: isAlive(holder.pid) } : null },
    problems,
    ...(chain ? { chain } : {}),
  };
}

function emptyReport(dir: string, problems: string[]): DoctorReport {
  return {
    dir,
    ok: false,
    segments: [],
    events: 0,
    seq: 0,
    entities: { total: 0, byKind: {} },
    head: null,
    watermarkLag: null,
    tornTails: [],
    corrupt: [],
    quarantined: 0,
    snapshots: [],
    projections: null,
    lock: { held: false, holder: null },
    problems,
  };
}

/** LOCK must be a regular file (or absent): a directory or a link there stops every write. */
function lockFileProblem(dir: string): string | undefined {
  const file = join(dir, LOCK_FILE);
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat || stat.isFile()) return undefined;
  const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a directory' : 'a special file';
  return `${file} is ${what}, not the lock file: no write can take the lock; remove it (citadel makes a new one)`;
}

function snapshotMatches(dir: string, name: string, state: EntityState): boolean {
  const snapshot = loadSnapshot(dir, name, true);
  if (!snapshot || snapshot.header.seq !== state.seq) return false;
  const live = new Map<string, Map<string, Entity>>(state.entries());
  for (const [kind, map] of snapshot.kinds) {
    const mine = live.get(kind) ?? new Map<string, Entity>();
    if (mine.size !== map.size) return false;
    for (const [id, entity] of map) if (JSON.stringify(mine.get(id)) !== JSON.stringify(entity)) return false;
  }
  for (const [kind, map] of live) if (map.size && !snapshot.kinds.has(kind)) return false;
  return true;
}

function brokenFiles(dir: string): TornTail[] {
  const out: TornTail[] = [];
  for (const name of readdirSync(dir)) {
    const match = /^(seg-\d{12}\.jsonl)\.(\d+)\.broken$/.exec(name);
    if (match) out.push({ segment: match[1]!, offset: Number(match[2]), bytes: statSync(join(dir, name)).size, pending: false, file: name });
  }
  return out;
}
