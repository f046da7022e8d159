import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import type { Town } from '../town/town.js';
import { CONFLICT_KIND, type ConflictEntity } from './entities.js';
import { syncTown, type SyncReport } from './sync.js';

/** What the command needs of the CLI's context (src/cli/context.ts), declared here: services do not import the CLI. */
export interface SyncContext {
  town(): Town;
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
}

interface SyncOptions {
  watch?: boolean;
  interval?: string;
  conflicts?: boolean;
  json?: boolean;
}

/** `citadel sync [REMOTE] [--watch] [--conflicts] [--json]`. */
export async function syncAction(context: SyncContext, remote: string | undefined, options: SyncOptions): Promise<void> {
  const town = context.town();
  if (options.conflicts) {
    const conflicts = [...(town.journal.read().all(CONFLICT_KIND).values() as Iterable<ConflictEntity>)].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    if (options.json) context.json(conflicts);
    else context.out(conflicts.length ? conflicts.map((c) => `${c.at} ${conflictLine(c)}\n`).join('') : 'No conflicts: no field was edited in two towns at once.\n');
    return;
  }
  if (!options.watch) {
    const report = await syncTown(town, { remote });
    if (options.json) context.json(report);
    else context.out(reportText(report));
    return;
  }
  const interval = options.interval === undefined ? 10 : Number(options.interval);
  if (!Number.isFinite(interval) || interval < 1 || interval > 86_400) {
    throw new CitadelError('usage', `--interval takes a number of seconds from 1 to 86400 (got ${JSON.stringify(options.interval)})`);
  }
  await watchLoop(context, remote, interval * 1000, options.json === true);
}

/** Syncs now, then after each local change (debounced) and every `intervalMs`, until SIGINT/SIGTERM. */
async function watchLoop(context: SyncContext, remote: string | undefined, intervalMs: number, json: boolean): Promise<void> {
  const town = context.town();
  let stop = false;
  let wake: (() => void) | undefined;
  const nudge = (): void => wake?.();
  const onSignal = (): void => {
    stop = true;
    nudge();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(join(town.paths.journal, 'HEAD.json'), () => {
      clearTimeout(debounce);
      debounce = setTimeout(nudge, 300);
    });
  } catch {
    watcher = undefined; // no HEAD.json yet: the interval still syncs
  }
  let seenSeq = -1;
  try {
    while (!stop) {
      try {
        const report = await syncTown(town, { remote });
        if (json) context.out(`${JSON.stringify(report)}\n`);
        else if (report.pushed.events || report.pulled.length || report.conflicts.length || report.warnings.length || seenSeq < 0) context.out(`${new Date().toISOString()} ${reportText(report)}`);
      } catch (error) {
        if (!(error instanceof CitadelError)) throw error;
        context.err(`citadel: sync: ${error.message} (retrying in ${Math.round(intervalMs / 1000)} s)\n`);
      }
      seenSeq = town.journal.headSeq();
      if (stop) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          // A change we made ourselves (the materialized records) is not a reason to sync again.
          if (!stop && town.journal.headSeq() === seenSeq) return;
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    clearTimeout(debounce);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function tagText(tag: string): string {
  const [clock, town] = tag.split('@');
  const ms = Number(clock?.split('.')[0]);
  return `town ${town || '?'} at ${Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : 'the start'}`;
}

function conflictLine(c: ConflictEntity): string {
  return `conflict ${c.bead} ${c.field}: kept ${short(c.kept.value)} (${tagText(c.kept.tag)}) over ${short(c.lost.value)} (${tagText(c.lost.tag)})`;
}

export function reportText(report: SyncReport): string {
  const lines = [`synced town ${report.town} with ${report.remote}: pushed ${report.pushed.events} events${report.pushed.chunks ? ` (${report.pushed.chunks} new chunk${report.pushed.chunks > 1 ? 's' : ''})` : ''}`];
  for (const pulled of report.pulled) {
    lines.push(`  pulled ${pulled.events} events from town ${pulled.town}: ${pulled.created} created, ${pulled.updated} updated${pulled.skipped ? `, ${pulled.skipped} already here` : ''}`);
  }
  for (const conflict of report.conflicts) lines.push(`  ${conflictLine(conflict)}`);
  for (const mailed of report.mailed) lines.push(`  claim lost: mailed ${mailed}`);
  for (const rejected of report.rejected) lines.push(`  not applied: ${rejected}`);
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
