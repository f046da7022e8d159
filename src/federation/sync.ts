import { readdirSync, unlinkSync } from 'node:fs';
import { CitadelError } from '../common/errors.js';
import type { Journal } from '../journal/types.js';
import { lstatOrNone, readRegularFile } from '../town/private-fs.js';
import type { Town } from '../town/town.js';
import { cursorOf, selfOf, type ConflictEntity } from './entities.js';
import { parseChunk, type FedEvent } from './events.js';
import { exportLocal, outboxDir, outboxFile, Retry } from './export.js';
import { commitChunk, fetchTowns, foreignTowns, newCommits, pushTown, readChunks, refTip, resolveRemote } from './git-store.js';
import { newTownId, townTag } from './ids.js';
import { withSyncLock } from './lock.js';
import { FEDERATION_ACTOR, materialize, type MaterializeResult } from './materialize.js';
import { modelContext } from '../model/context.js';
import { transact } from '../model/transaction.js';
import { federationDir, readTownId, writeTownId } from './town-id.js';

/** What one `citadel sync` did (`--json` prints it). */
export interface SyncReport {
  readonly remote: string;
  readonly town: string;
  /** Events of this town exported by this sync, and the chunks pushed. */
  pushed: { events: number; chunks: number };
  pulled: Array<{ town: string; events: number; created: number; updated: number; skipped: number }>;
  conflicts: ConflictEntity[];
  mailed: string[];
  rejected: string[];
  warnings: string[];
}

/** Events per materializing mutation: bounds one mutation's size on a first sync of a long journal. */
const BATCH = 2000;
const MAX_RETRIES = 50;

export interface SyncOptions {
  readonly remote?: string | undefined;
  readonly now?: () => number;
}

/**
 * One sync (docs/federation.md): fetch every town's ref; export this town's new records;
 * materialize each foreign town's new events (exporting again first whenever a local write
 * slipped in); commit the new chunks onto `refs/citadel/towns/<town>`; push it.
 */
export async function syncTown(town: Town, options: SyncOptions = {}): Promise<SyncReport> {
  const repo = town.paths.root;
  const fedDir = federationDir(town.paths.citadel);
  const now = options.now ?? Date.now;
  const known = readTownId(town.paths.citadel, false);
  const remote = await resolveRemote(repo, options.remote);
  return withSyncLock(fedDir, async () => {
    const warnings: string[] = [];
    const self = selfOf(town.journal.read());
    let townId = known ?? self?.town ?? readTownId(town.paths.citadel, true)!;
    if (!known && self) writeTownId(town.paths.citadel, townId); // the file was deleted: the journal remembers
    if (self && self.town !== townId) {
      throw new CitadelError('corrupt', `this journal was federated as town ${self.town} but ${fedDir}/town.json says ${townId}: was one of them copied from another clone? put the right town.json back`);
    }
    if (!self && (await refTip(repo, townId)).commit) {
      // A journal that never synced, with an id that already has a history: the journal was made
      // anew (or town.json copied in). That history is another town's now; this one gets a new id.
      const old = townId;
      townId = writeTownId(town.paths.citadel, newTownId());
      warnings.push(`town id ${old} already has exported history but this journal never synced: this town is ${townId} now, and ${old}'s records are pulled like any other town's`);
    }
    const report: SyncReport = { remote, town: townId, pushed: { events: 0, chunks: 0 }, pulled: [], conflicts: [], mailed: [], rejected: [], warnings };
    await fetchTowns(repo, remote);
    report.pushed.events += await exportRetrying(town.journal, townId, fedDir, now);

    const touchedParents = new Set<string>();
    const { towns, ignored } = await foreignTowns(repo, remote, townId);
    for (const name of ignored) report.warnings.push(`ignored ${name}: not a town id`);
    for (const [origin, tip] of [...towns].sort(([a], [b]) => a.localeCompare(b))) {
      if (townTag(origin) === townTag(townId)) report.warnings.push(`town ${origin} draws ids with the same tag as this one (${townTag(townId)}): new beads could collide; move .citadel/federation/town.json away in one of them before it creates beads`);
      const cursor = cursorOf(town.journal.read(), origin);
      const commits = await newCommits(repo, tip, cursor?.commit);
      const chunks = await readChunks(repo, commits);
      const pulled = { town: origin, events: 0, created: 0, updated: 0, skipped: 0 };
      for (const commit of commits) {
        const { events, bad } = parseChunk(chunks.get(commit) ?? '', origin);
        for (const line of bad) report.rejected.push(`${origin} ${commit.slice(0, 12)} ${line}`);
        events.sort((a, b) => a.s - b.s);
        for (let start = 0; start < events.length || start === 0; start += BATCH) {
          const batch = events.slice(start, start + BATCH);
          const last = start + BATCH >= events.length;
          const result = await materializeRetrying(town, townId, fedDir, origin, batch, last ? commit : undefined, now, report);
          for (const id of result.updated) touchedParents.add(id);
          pulled.events += result.applied;
          pulled.created += result.created.length;
          pulled.updated += result.updated.length;
          pulled.skipped += result.skipped;
          report.conflicts.push(...result.conflicts);
          report.mailed.push(...result.mailed);
          report.rejected.push(...result.rejected.map((line) => `${origin}: ${line}`));
          if (last) break;
        }
      }
      if (commits.length > 0) report.pulled.push(pulled);
    }
    await finishMolecules(town, touchedParents);
    // Local writes made while this sync ran (and the epics just closed) go out now, not next time.
    report.pushed.events += await exportRetrying(town.journal, townId, fedDir, now);

    report.pushed.chunks = await commitOutbox(town, townId, fedDir, report);
    await pushTown(repo, remote, townId);
    return report;
  });
}

/**
 * A molecule's epic closes itself with its last step — in the mutation that closes the step.
 * When the last two steps were closed in two towns at once, neither mutation saw all closed; the
 * town that learns it here closes the epic as a local write (exported like any other).
 */
async function finishMolecules(town: Town, touched: ReadonlySet<string>): Promise<void> {
  if (touched.size === 0) return;
  const context = modelContext(FEDERATION_ACTOR, town.config.prefix);
  await town.journal.mutate(
    transact(context, (tx) => {
      const epics = new Set<string>();
      for (const id of touched) {
        const parent = tx.get(id)?.parent;
        if (parent) epics.add(parent);
      }
      for (const id of epics) {
        const epic = tx.get(id);
        if (!epic || epic.status === 'closed' || !epic.molecule) continue;
        const children = tx.children(id);
        if (children.length > 0 && children.every((child) => child.status === 'closed')) tx.close(id, 'every step is closed');
      }
    }),
  );
}

async function exportRetrying(journal: Journal, townId: string, fedDir: string, now: () => number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await exportLocal(journal, townId, fedDir, now)).events;
    } catch (error) {
      if (!(error instanceof Retry) || attempt >= MAX_RETRIES) throw retryError(error);
    }
  }
}

async function materializeRetrying(
  town: Town,
  townId: string,
  fedDir: string,
  origin: string,
  events: FedEvent[],
  commitDone: string | undefined,
  now: () => number,
  report: SyncReport,
): Promise<MaterializeResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { value } = await town.journal.mutate(materialize({ town: townId, origin, events, commitDone, prefix: town.config.prefix, now }));
      return value;
    } catch (error) {
      if (!(error instanceof Retry) || attempt >= MAX_RETRIES) throw retryError(error);
      // Local writes came in since the last export: send them first, so every local write has
      // its clock before a foreign write to the same field is weighed against it.
      report.pushed.events += await exportRetrying(town.journal, townId, fedDir, now);
    }
  }
}

function retryError(error: unknown): unknown {
  if (!(error instanceof Retry)) return error;
  return new CitadelError('unavailable', 'the journal kept changing during the sync (a busy daemon?): run `citadel sync` again');
}

/** Commits every exported chunk the ref does not have yet, in order; removes the outbox files the ref holds. */
async function commitOutbox(town: Town, townId: string, fedDir: string, report: SyncReport): Promise<number> {
  const self = selfOf(town.journal.read());
  const tip = await refTip(town.paths.root, townId);
  let committed = 0;
  for (let gen = tip.gen + 1; self && gen <= self.gen; gen++) {
    const file = outboxFile(fedDir, gen);
    if (!lstatOrNone(file)) {
      report.warnings.push(`the exported chunk of generation ${gen} is missing (${file}): its events will not reach other towns`);
      continue;
    }
    const text = readRegularFile(file, 'an exported chunk of this town\'s journal');
    const header = text.slice(0, text.indexOf('\n'));
    let range = '';
    try {
      const parsed = JSON.parse(header) as { from?: number; to?: number; events?: number };
      range = `seq ${parsed.from}-${parsed.to} (${parsed.events} events)`;
    } catch {
      range = '';
    }
    await commitChunk(town.paths.root, townId, gen, text, range);
    committed++;
  }
  const upTo = self?.gen ?? 0;
  if (lstatOrNone(outboxDir(fedDir))) {
    for (const name of readdirSync(outboxDir(fedDir))) {
      const match = /^gen-(\d+)\.jsonl$/.exec(name);
      if (match && Number(match[1]) <= upTo) unlinkSync(`${outboxDir(fedDir)}/${name}`);
    }
  }
  return committed;
}
