import { renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { CitadelError, usage } from '../../common/errors.js';
import { terminalSafeJson } from '../../common/visible-text.js';
import { localName } from '../../model/address.js';
import { validationsOf } from '../../model/validation.js';
import { BEAD_TYPES, CREATE_TYPES, type Bead, type BeadStatus, type BeadType } from '../../model/bead.js';
import { exportLines } from '../../model/export.js';
import { beadsOf, getBead, listBeads } from '../../model/query.js';
import { transact, type BeadPatch } from '../../model/transaction.js';
import { checkUses, scheduleFields, type ScheduleInput } from '../../model/schedule.js';
import { checkStatus, checkType } from '../../model/validate.js';
import type { CliContext } from '../context.js';
import { beadDetail, beadList } from '../format/bead.js';
import { bodyOption, readInput } from './input.js';
import { workSession } from './session.js';

/** `bead create`. */
export async function createAction(
  context: CliContext,
  title: string,
  options: { type?: string; priority?: string; body?: string; bodyFile?: string; label?: string[]; needs?: string[]; parent?: string; json?: boolean } & ScheduleInput,
): Promise<void> {
  const body = bodyOption(options, context.cwd);
  if (options.type === 'message') throw new CitadelError('invalid', 'a message is not created as a bead: send it with `citadel mail send --to ADDR --subject S`');
  if (options.type === 'merge_request') throw new CitadelError('invalid', 'a merge request is not created by hand: a polecat submits its branch with `citadel done`');
  const type = options.type === undefined ? 'task' : checkType(options.type, CREATE_TYPES);
  const fields = scheduleFields(options, type, Date.now());
  if (type === 'resource' && fields.capacity === undefined) fields.capacity = 1;
  const { town, model } = workSession(context);
  const { value: bead } = await town.journal.mutate(
    transact(model, (tx) => {
      if (Array.isArray(fields.uses)) fields.uses = checkUses(fields.uses as string[], (id, what) => tx.require(id, what));
      for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
      return tx.create({ title, type, body, priority: options.priority, labels: options.label ?? [], needs: options.needs ?? [], parent: options.parent ?? null, fields });
    }),
  );
  if (options.json) context.json(bead);
  else context.out(`${bead.id}\n`);
}

/** `bead show`. */
export function showAction(context: CliContext, id: string, options: { json?: boolean }): void {
  const town = context.town();
  const state = town.journal.read();
  const bead = getBead(state, id, town.config.prefix);
  if (options.json) context.json(bead);
  else context.out(beadDetail(bead, beadsOf(state), bead.type === 'merge_request' ? validationsOf(state, bead.id) : []));
}

/** `bead list`. */
export function listAction(
  context: CliContext,
  options: { status?: string[]; type?: string; label?: string; assignee?: string; parent?: string; all?: boolean; json?: boolean },
): void {
  const statuses = options.status?.length ? options.status.map((s) => checkStatus(s)) : undefined;
  // Messages are left out unless asked for (--type message, or --all): they live in `mail inbox`.
  const types: BeadType[] | undefined = options.type ? [checkType(options.type)] : options.all ? [...BEAD_TYPES] : undefined;
  const town = context.town();
  const beads = beadsOf(town.journal.read());
  const found = listBeads(beads, {
    ...(statuses ? { statuses } : {}),
    ...(types ? { types } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    ...(options.assignee !== undefined ? { assignee: localName(options.assignee, town.config.name) } : {}),
    ...(options.parent !== undefined ? { parent: options.parent } : {}),
  });
  if (options.json) context.json(found);
  else context.out(found.length ? beadList(found) : 'No beads match.\n');
}

export interface UpdateOptions extends ScheduleInput {
  title?: string;
  body?: string;
  bodyFile?: string;
  status?: string;
  priority?: string;
  assignee?: string;
  claim?: boolean;
  addLabel?: string[];
  removeLabel?: string[];
  parent?: string;
  reason?: string;
  json?: boolean;
}

/** `bead update`: several changes in one mutation; `--claim` is atomic (exactly one racer wins). */
export async function updateAction(context: CliContext, id: string, options: UpdateOptions): Promise<void> {
  if (options.claim && options.assignee !== undefined) throw usage('give --assignee or --claim, not both');
  if (options.reason !== undefined && options.status !== 'closed') throw usage('--reason goes with --status closed (or use `citadel bead close ID --reason TEXT`)');
  const body = bodyOption(options, context.cwd);
  const patch: { -readonly [K in keyof BeadPatch]: BeadPatch[K] } = {};
  if (options.title !== undefined) patch.title = options.title;
  if (body !== undefined) patch.body = body;
  if (options.status !== undefined) patch.status = checkStatus(options.status) as BeadStatus;
  if (options.priority !== undefined) patch.priority = options.priority;
  if (options.assignee !== undefined) patch.assignee = options.assignee === '' || options.assignee === 'none' ? null : localName(options.assignee, context.town().config.name);
  if (options.addLabel?.length) patch.addLabels = options.addLabel;
  if (options.removeLabel?.length) patch.removeLabels = options.removeLabel;
  if (options.parent !== undefined) patch.parent = options.parent === '' || options.parent === 'none' ? null : options.parent;
  if (options.reason !== undefined) patch.reason = options.reason;
  const scheduling = [options.deferUntil, options.every, options.uses, options.capacity, options.pinned, options.needsSkill].some((v) => v !== undefined);
  if (!options.claim && !scheduling && Object.keys(patch).length === 0) {
    throw usage('nothing to update: give --title, --body, --status, --priority, --assignee, --claim, --add-label, --remove-label, --parent or a scheduling option (--defer-until, --every, --uses, --capacity, --pinned, --needs-skill)');
  }
  const { town, model } = workSession(context);
  const { value: bead } = await town.journal.mutate(
    transact(model, (tx) => {
      if (scheduling) {
        const fields = scheduleFields(options, tx.require(id).type, Date.parse(tx.now));
        if (Array.isArray(fields.uses)) fields.uses = checkUses(fields.uses as string[], (use, what) => tx.require(use, what));
        patch.fields = fields;
      }
      const claimed = options.claim ? tx.claim(id) : undefined;
      return Object.keys(patch).length ? tx.update(id, patch) : claimed!;
    }),
  );
  if (options.json) context.json(bead);
  else context.out(options.claim ? `${bead.id} claimed by ${bead.assignee}\n` : `${bead.id} updated\n`);
}

/** `bead close ID...`: all or nothing. */
export async function closeAction(context: CliContext, ids: string[], options: { reason?: string; json?: boolean }): Promise<void> {
  const { town, model } = workSession(context);
  // One group per id: the bead asked for first, then any molecule epic it finished.
  const { value: groups } = await town.journal.mutate(transact(model, (tx) => ids.map((id) => tx.close(id, options.reason))));
  const asked = groups.map((group) => group[0]!);
  if (options.json) {
    // The beads asked for, as they now are (one id: the bead itself); an epic closed with its
    // last step shows in `bead show` and in the text output.
    context.json(ids.length === 1 ? asked[0] : asked);
    return;
  }
  // A recurring bead poured its next occurrence in the same mutation: say where it is.
  const recurring = asked.filter((bead) => typeof (bead as { every?: unknown }).every === 'string');
  const poured = new Map<string, Bead>();
  if (recurring.length > 0) {
    for (const bead of beadsOf(town.journal.read()).values()) {
      const from = (bead as { recurs_from?: unknown }).recurs_from;
      if (typeof from === 'string' && bead.status === 'open') poured.set(from, bead);
    }
  }
  for (const group of groups) {
    const [bead, ...finished] = group;
    const next = poured.get(bead!.id) as (Bead & { defer_until?: string }) | undefined;
    context.out(`${bead!.id} closed${next ? ` (recurring: ${next.id} poured, not before ${next.defer_until ?? '?'})` : ''}\n`);
    for (const epic of finished) context.out(`${epic.id} closed (molecule ${epic.molecule ?? ''} finished: every step is closed)\n`);
  }
}

/** `bead dep add|rm ID --needs OTHER...`. */
export async function depAction(context: CliContext, verb: 'add' | 'rm', id: string, options: { needs?: string[]; json?: boolean }): Promise<void> {
  const needs = options.needs ?? [];
  if (needs.length === 0) throw usage(`missing --needs OTHER: which bead ${verb === 'add' ? 'must close first' : 'to stop waiting for'}`);
  const { town, model } = workSession(context);
  const { value: bead } = await town.journal.mutate(
    transact(model, (tx) => {
      let last: Bead | undefined;
      for (const need of needs) last = verb === 'add' ? tx.addNeed(id, need) : tx.removeNeed(id, need);
      return last!;
    }),
  );
  if (options.json) context.json(bead);
  else context.out(`${bead.id} needs ${bead.needs.length ? bead.needs.join(', ') : 'nothing'}\n`);
}

/** `bead import FILE|-`: one mutation, all or nothing. Its code is loaded only here (startup of the other bead commands). */
export async function importAction(context: CliContext, file: string, options: { json?: boolean }): Promise<void> {
  const [{ parseImport }, { importBeads }, { importSummaryText }] = await Promise.all([
    import('../../model/import/parse.js'),
    import('../../model/import/apply.js'),
    import('../format/import.js'),
  ]);
  const text = readInput(file, context.cwd, 'the import');
  const parsed = parseImport(text, file === '-' ? 'stdin' : file);
  if (parsed.drafts.length === 0) throw new CitadelError('invalid', `${parsed.source} holds no beads (expected JSON Lines: one bead a line)`);
  const { town, model } = workSession(context);
  const { value: summary } = await town.journal.mutate(importBeads(model, parsed));
  if (options.json) context.json(summary);
  else context.out(importSummaryText(summary));
}

/** `bead export [FILE]`: JSON Lines to FILE (written whole, then renamed into place) or stdout. */
export function exportAction(context: CliContext, file: string | undefined, options: { json?: boolean }): void {
  const beads = beadsOf(context.town().journal.read());
  // JSON Lines are data: exact, with what JSON leaves raw (C1, bidi) escaped, so that printing
  // them (or `cat` of the file) is safe on a terminal too.
  const text = terminalSafeJson(exportLines(beads.values()));
  if (file === undefined || file === '-') {
    context.raw(text);
    return;
  }
  const target = resolve(context.cwd, file);
  // A device, a pipe or a terminal (/dev/stdout, >(gzip), /dev/null) is written to, never
  // replaced: a rename over /dev/null would put a file there for the whole machine.
  const existing = statIfPresent(target);
  const temporary = existing && !existing.isFile() ? undefined : `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary ?? target, text);
    if (temporary) renameSync(temporary, target);
  } catch (error) {
    if (temporary) rmSync(temporary, { force: true }); // nothing half-written left behind (a full disk)
    throw new CitadelError('io', `cannot write ${target}: ${(error as Error).message}`);
  }
  if (options.json) context.json({ file: target, exported: beads.size });
  else context.out(`Exported ${beads.size} beads to ${target}\n`);
}

function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
