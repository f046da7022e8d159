import { CitadelError } from '../common/errors.js';
import type { Change, Mutator, StateView } from '../journal/types.js';
import { checkAddress } from './address.js';
import {
  BEAD_KIND,
  DEFAULT_PRIORITY,
  isMergeRequestState,
  isWork,
  MERGE_REQUEST_STATES,
  type Bead,
  type BeadStatus,
  type BeadType,
  type MergeRequestState,
} from './bead.js';
import type { ModelContext } from './context.js';
import { cycleIfNeeds, cycleIfParent, describeCycle, type BeadLookup } from './graph.js';
import { generateBeadId, idCandidates, TOWN_TAG_ID, TOWN_TAG_KIND, townTagOf } from './ids.js';
import { queriesOf } from '../journal/query-index.js';
import { checkBeadLimits } from './limits.js';
import { fullResource, nextOccurrence, resourceHolders, usesOf, type ScheduledBead } from './schedule.js';
import { checkActor, checkId, checkStatus, checkTitle, checkType, parsePriority, uniqueLabels } from './validate.js';

/** What `create` takes. Everything but the title has a default. */
export interface CreateBeadInput {
  readonly title: string;
  /** Default `task`. Use {@link BeadTransaction.sendMail} for messages. */
  readonly type?: BeadType;
  readonly body?: string;
  /** 0 (highest) to 4; default 2. Strings such as "1" or "P1" are accepted. */
  readonly priority?: number | string;
  readonly labels?: readonly string[];
  readonly needs?: readonly string[];
  readonly parent?: string | null;
  readonly assignee?: string | null;
  /** Default `open`. */
  readonly status?: BeadStatus;
  /** An explicit id (molecule steps: {@link stepId}); refused if taken. Default: a fresh random id. */
  readonly id?: string;
  /** Marks an epic as a molecule instance (it then closes itself with its last child). */
  readonly molecule?: string;
  /** Merge requests: the branch to land, its polecat, the bead it finishes. */
  readonly branch?: string;
  readonly polecat?: string;
  readonly bead?: string | null;
  /** Extra type-specific fields other areas store on the bead (e.g. a step's name); may not replace a field above. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** What `update` changes; absent fields are left alone. */
export interface BeadPatch {
  readonly title?: string;
  readonly body?: string;
  /** To `closed` this closes the bead (as {@link BeadTransaction.close}); from `closed` it reopens it. */
  readonly status?: BeadStatus;
  readonly priority?: number | string;
  /** null (or "") unassigns. */
  readonly assignee?: string | null;
  readonly addLabels?: readonly string[];
  readonly removeLabels?: readonly string[];
  /** null detaches the bead from its parent. */
  readonly parent?: string | null;
  /** The close reason, when `status` is `closed`. */
  readonly reason?: string;
  /** Extra type-specific fields to set (scheduling: docs/scheduler.md); null removes one. May not replace a contract field. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** What `sendMail` takes. */
export interface SendMailInput {
  /** overseer, refinery, @all or a polecat's name; defaults to the sender of `replyTo`. */
  readonly to?: string;
  /** Defaults to "Re: <subject of replyTo>". */
  readonly subject?: string;
  readonly body?: string;
  /** The message this one answers: the reply joins its thread. */
  readonly replyTo?: string;
  readonly priority?: number | string;
}

const refused = (message: string): CitadelError => new CitadelError('refused', message);
const conflict = (message: string): CitadelError => new CitadelError('conflict', message);
const invalid = (message: string): CitadelError => new CitadelError('invalid', message);

/** The fields `create`'s `fields` may not set: the contract's own. */
const CORE_FIELDS = new Set([
  'id', 'type', 'title', 'body', 'status', 'priority', 'labels', 'assignee', 'needs', 'parent', 'created_by', 'created_at',
  'updated_at', 'closed_at', 'close_reason', 'from', 'to', 'subject', 'thread', 'reply_to', 'read_by', 'branch', 'polecat',
  'bead', 'state', 'reason', 'molecule', 'metadata',
]);


/** How a not-found error names what was asked for, by the role the id played (docs/cli.md: `<kind> <id> not found (see …)`). */
const NOT_FOUND_KIND: Record<string, string> = { needs: 'needed bead', parent: 'parent bead', uses: 'resource', 'reply-to': 'message to reply to' };
/** Where to look for the right id. */
const NOT_FOUND_HINT: Record<string, string> = { message: '`citadel mail inbox`', 'reply-to': '`citadel mail inbox`', 'merge request': '`citadel refinery status`' };

/**
 * Every change to beads goes through one of these, inside one journal mutation: it reads the
 * state as of the lock, validates, and collects the changes. Several operations in one
 * transaction are one atomic mutation (a molecule's pour, a refinery verdict plus its mail).
 *
 * Run it with {@link transact}; the operations throw `CitadelError` on bad input or a refusal,
 * which aborts the whole mutation with nothing written.
 */
export class BeadTransaction {
  /** The time of this mutation: every timestamp written by it. */
  readonly now: string;
  private readonly pending = new Map<string, Bead>();
  private readonly collected: Change[] = [];
  private added = 0;

  constructor(
    private readonly state: StateView,
    readonly context: ModelContext,
  ) {
    this.now = context.now();
  }

  /** The changes so far, in order. */
  get changes(): readonly Change[] {
    return this.collected;
  }

  /** A bead as this transaction sees it (its own changes included), or undefined. */
  get(id: string): Bead | undefined {
    return this.pending.get(id) ?? (this.state.get(BEAD_KIND, id) as Bead | undefined);
  }

  /** A bead that must exist; `what` names it in the error ("parent", "needs", …). */
  require(id: string, what = 'bead'): Bead {
    const checked = checkId(id);
    let bead: Bead | undefined;
    for (const candidate of idCandidates(checked, this.context.prefix)) if ((bead = this.get(candidate))) break;
    if (!bead) throw new CitadelError('not_found', `${NOT_FOUND_KIND[what] ?? what} ${checked} not found (see ${NOT_FOUND_HINT[what] ?? '`citadel bead list`'})`);
    return bead;
  }

  /** {@link get} as a function, for the graph helpers. */
  readonly lookup: BeadLookup = (id) => this.get(id);

  /** Every bead, this transaction's changes included. O(n): for whole-town checks. */
  beads(): Map<string, Bead> {
    const all = new Map(this.state.all(BEAD_KIND) as ReadonlyMap<string, Bead>);
    for (const [id, bead] of this.pending) all.set(id, bead);
    return all;
  }

  /** The children of `id` (beads whose parent it is). */
  children(id: string): Bead[] {
    const found: Bead[] = [];
    const all = this.state.all(BEAD_KIND);
    const queries = queriesOf(all);
    // Through the query index, only the stored children; this transaction's changes are looked at below.
    const stored: Iterable<Bead> = queries ? (queries.iterate({ fields: { parent: id } }) as Iterable<Bead>) : (all.values() as Iterable<Bead>);
    for (const entity of stored) {
      const bead = this.pending.get(entity.id) ?? entity;
      if (bead.parent === id) found.push(bead);
    }
    for (const [childId, bead] of this.pending) {
      if (bead.parent === id && !found.some((child) => child.id === childId)) found.push(bead);
    }
    return found;
  }

  /** Records `bead` as the new state of its id: the low-level write every operation ends with. */
  put(bead: Bead, action: string, summary?: string): Bead {
    const previous = this.get(bead.id);
    // The one place every write passes: sizes are bounded here for every entry point (limits.ts).
    checkBeadLimits(bead, previous);
    if (!previous) this.added++;
    this.pending.set(bead.id, bead);
    this.collected.push({ kind: BEAD_KIND, id: bead.id, entity: bead, action, ...(summary ? { summary } : {}) });
    return bead;
  }

  /** Creates a bead; the id is drawn here, under the lock, so it is unique. */
  create(input: CreateBeadInput): Bead {
    const type = checkType(input.type ?? 'task');
    if (type === 'message') throw invalid('a message is sent with `citadel mail send`, not created as a bead');
    const title = checkTitle(input.title);
    const priority = input.priority === undefined ? DEFAULT_PRIORITY : parsePriority(input.priority);
    const labels = uniqueLabels(input.labels ?? []);
    const status = input.status === undefined ? 'open' : checkStatus(input.status);
    const assignee = input.assignee ? checkActor(input.assignee) : null;
    const body = typeof input.body === 'string' ? input.body : '';
    const id = input.id === undefined ? this.freshId() : this.unusedId(input.id);
    const parent = input.parent ? this.checkParent(id, input.parent) : null;
    const needs: string[] = [];
    for (const need of input.needs ?? []) {
      const other = this.require(need, 'needs').id;
      if (needs.includes(other)) continue;
      const cycle = cycleIfNeeds(this.lookup, id, other);
      if (cycle) throw refused(`refused: ${id} needing ${other} would close a cycle: ${describeCycle(cycle)}`);
      needs.push(other);
    }
    const specific: Record<string, unknown> = {};
    if (type === 'merge_request') {
      specific.branch = this.requireText(input.branch, 'a merge request needs its branch');
      specific.polecat = checkActor(input.polecat, 'polecat');
      specific.bead = input.bead ? this.require(input.bead, 'bead').id : null;
      specific.state = 'queued';
      specific.reason = null;
    }
    if (input.molecule !== undefined) specific.molecule = this.requireText(input.molecule, 'the molecule name is empty');
    for (const [key, value] of Object.entries(input.fields ?? {})) {
      if (CORE_FIELDS.has(key)) throw invalid(`field "${key}" cannot be set through extra fields`);
      specific[key] = value;
    }
    const bead = {
      id,
      type,
      title,
      body,
      status,
      priority,
      labels,
      assignee,
      needs,
      parent,
      created_by: this.context.actor,
      created_at: this.now,
      updated_at: this.now,
      closed_at: status === 'closed' ? this.now : null,
      close_reason: null,
      ...specific,
    } as Bead;
    return this.put(bead, 'create', `${this.context.actor} created ${id}: ${title}`);
  }

  /** Changes fields of a bead. No change, no record. Closing and reopening go through here too. */
  update(id: string, patch: BeadPatch): Bead {
    const bead = this.require(id);
    const next: Record<string, unknown> = { ...bead };
    if (patch.title !== undefined) next.title = checkTitle(patch.title);
    if (patch.body !== undefined) next.body = patch.body;
    if (patch.priority !== undefined) next.priority = parsePriority(patch.priority);
    if (patch.assignee !== undefined) next.assignee = patch.assignee ? checkActor(patch.assignee) : null;
    if (patch.parent !== undefined) next.parent = patch.parent ? this.checkParent(bead.id, patch.parent) : null;
    for (const [key, value] of Object.entries(patch.fields ?? {})) {
      if (CORE_FIELDS.has(key)) throw invalid(`field "${key}" cannot be set through extra fields`);
      if (value === null || value === undefined) delete next[key];
      else next[key] = value;
    }
    if (patch.addLabels || patch.removeLabels) {
      const remove = new Set(uniqueLabels(patch.removeLabels ?? []));
      next.labels = uniqueLabels([...bead.labels, ...(patch.addLabels ?? [])]).filter((label) => !remove.has(label));
    }
    const status = patch.status === undefined ? bead.status : checkStatus(patch.status);
    if (status === 'closed' && bead.status !== 'closed') {
      this.closeWith({ ...(next as Bead), updated_at: this.now }, patch.reason);
      return this.get(bead.id)!;
    }
    let action = 'update';
    if (status !== bead.status) {
      next.status = status;
      if (bead.status === 'closed') {
        next.closed_at = null;
        next.close_reason = null;
        action = 'reopen';
      }
      // Back to open means back to the ready queue: whoever held it has let go (a reopened step
      // is re-run from the start by whoever takes it next), unless this very update assigns it.
      if (status === 'open' && patch.assignee === undefined) next.assignee = null;
    }
    // An assignment is its own action so that CVs and the feed can tell it from an edit.
    if (action === 'update' && next.assignee && next.assignee !== bead.assignee) action = 'assign';
    if (sameBead(bead, next as Bead)) return bead;
    next.updated_at = this.now;
    const verb = { update: 'updated', assign: `assigned to ${String(next.assignee)}`, reopen: 'reopened' }[action];
    return this.put(next as Bead, action, `${this.context.actor} ${verb} ${bead.id}`);
  }

  /**
   * Claims a bead for the actor: assignee = actor, status in_progress, only if nobody has
   * claimed it. Under the journal lock, so of two racing claimers exactly one wins; the other
   * gets a `conflict` error.
   */
  claim(id: string): Bead {
    const bead = this.require(id);
    const actor = this.context.actor;
    if (!isWork(bead)) throw refused(`${bead.id} is a ${bead.type.replace('_', ' ')}, not work: only work can be claimed`);
    if (bead.status === 'closed') throw refused(`${bead.id} is closed: there is nothing left to claim`);
    if (bead.assignee) {
      throw conflict(`${bead.id} is already claimed by ${bead.assignee === actor ? `you (${actor})` : bead.assignee}: pick another from \`citadel ready\``);
    }
    const waitingOn = bead.needs.filter((need) => this.get(need)?.status !== 'closed');
    if (waitingOn.length > 0) {
      throw refused(`${bead.id} is blocked by ${waitingOn.join(', ')} (not closed yet): pick another from \`citadel ready\`, or remove the dependency with \`citadel bead dep rm ${bead.id} --needs ${waitingOn[0]}\``);
    }
    // A resource is a semaphore: checked here, under the lock, so no path (a person's sling, the
    // scheduler, MCP) can put more holders on it than its capacity.
    if (usesOf(bead).length > 0) {
      const beads = this.beads();
      const full = fullResource(bead, beads, resourceHolders(beads));
      if (full) throw refused(`${bead.id} cannot start now: ${full.why}; it becomes ready when a holder closes (see \`citadel town status\`)`);
    }
    return this.put({ ...bead, assignee: actor, status: 'in_progress', updated_at: this.now }, 'claim', `${actor} claimed ${bead.id}`);
  }

  /** Gives a bead back to the ready queue: unassigned and open (a polecat died, or a bounce to the queue). */
  release(id: string): Bead {
    const bead = this.require(id);
    if (bead.status === 'closed') throw refused(`${bead.id} is closed: reopen it with \`citadel bead update ${bead.id} --status open\``);
    if (bead.assignee === null && bead.status === 'open') return bead;
    return this.put({ ...bead, assignee: null, status: 'open', updated_at: this.now }, 'release', `${this.context.actor} released ${bead.id}`);
  }

  /**
   * Closes a bead. When it was the last open child of an epic poured from a molecule (the
   * epic has a `molecule` field), the epic closes too, in the same mutation, and so on upward.
   * Returns the beads closed, the one asked for first.
   */
  close(id: string, reason?: string): Bead[] {
    const bead = this.require(id);
    if (bead.status === 'closed') throw conflict(`${bead.id} is already closed${bead.closed_at ? ` (since ${bead.closed_at})` : ''}`);
    return this.closeWith({ ...bead, updated_at: this.now }, reason);
  }

  /** Adds a blocking dependency: `id` cannot start until `need` is closed. Cycles are refused, naming the cycle. */
  addNeed(id: string, need: string): Bead {
    const bead = this.require(id);
    const other = this.require(need, 'needs').id;
    if (bead.needs.includes(other)) return bead;
    const cycle = cycleIfNeeds(this.lookup, bead.id, other);
    if (cycle) throw refused(`refused: ${bead.id} needing ${other} would close a cycle: ${describeCycle(cycle)}`);
    return this.put({ ...bead, needs: [...bead.needs, other], updated_at: this.now }, 'need', `${bead.id} needs ${other}`);
  }

  /** Removes a blocking dependency (which may point at a bead that no longer exists). */
  removeNeed(id: string, need: string): Bead {
    const bead = this.require(id);
    const other = checkId(need);
    if (!bead.needs.includes(other)) {
      throw invalid(`${bead.id} does not need ${other} (its needs: ${bead.needs.length > 0 ? bead.needs.join(', ') : 'none'})`);
    }
    return this.put({ ...bead, needs: bead.needs.filter((n) => n !== other), updated_at: this.now }, 'unneed', `${bead.id} no longer needs ${other}`);
  }

  /** Sends a message (a bead of type message) from the actor. A reply joins its thread. */
  sendMail(input: SendMailInput): Bead {
    const original = input.replyTo === undefined ? undefined : this.require(input.replyTo, 'reply-to');
    if (original && original.type !== 'message') throw invalid(`${original.id} is a ${original.type.replace('_', ' ')}, not a message: --reply-to takes a message id`);
    if (input.to === undefined && !original) throw invalid('a message needs an address: --to overseer|refinery|@all|<polecat>');
    const to = checkAddress(input.to ?? original?.from);
    const subject = checkTitle(input.subject ?? (original ? reSubject(original.subject || original.title) : ''), 'subject');
    const priority = input.priority === undefined ? DEFAULT_PRIORITY : parsePriority(input.priority);
    const id = this.freshId();
    const from = this.context.actor;
    const bead: Bead = {
      id,
      type: 'message',
      title: subject,
      body: input.body ?? '',
      status: 'open',
      priority,
      labels: [],
      assignee: null,
      needs: [],
      parent: null,
      created_by: from,
      created_at: this.now,
      updated_at: this.now,
      closed_at: null,
      close_reason: null,
      from,
      to,
      subject,
      thread: original ? original.thread || original.id : id,
      reply_to: original ? original.id : null,
      read_by: [],
    };
    return this.put(bead, 'mail', `${from} → ${to}: ${subject}`);
  }

  /** Marks a message read by `reader` (default: the actor). Already read: no change. */
  markRead(id: string, reader: string = this.context.actor): Bead {
    const bead = this.require(id, 'message');
    if (bead.type !== 'message') throw invalid(`${bead.id} is a ${bead.type.replace('_', ' ')}, not a message (see \`citadel mail inbox\`)`);
    const readBy = bead.read_by ?? [];
    if (readBy.includes(reader)) return bead;
    // A set, kept sorted: two towns whose readers read in another order hold the same value (federation).
    return this.put({ ...bead, read_by: [...readBy, reader].sort(), updated_at: this.now }, 'read', `${reader} read ${bead.id}`);
  }

  /**
   * Moves a merge request along queued → merging → testing → merged | rejected. Merged and
   * rejected close the merge-request bead (its close_reason says which); `reason` says why a
   * request was rejected. The bead it finishes is left to the caller (close it, or bounce it).
   */
  setMergeRequestState(id: string, state: MergeRequestState, reason?: string): Bead {
    const bead = this.require(id);
    if (bead.type !== 'merge_request') throw invalid(`${bead.id} is a ${bead.type.replace('_', ' ')}, not a merge request`);
    if (!isMergeRequestState(state)) throw invalid(`unknown merge request state ${JSON.stringify(state)}: use one of ${MERGE_REQUEST_STATES.join(', ')}`);
    const final = state === 'merged' || state === 'rejected';
    const status: BeadStatus = final ? 'closed' : state === 'queued' ? 'open' : 'in_progress';
    const next: Bead = {
      ...bead,
      status,
      updated_at: this.now,
      closed_at: final ? (bead.closed_at ?? this.now) : null,
      close_reason: final ? (state === 'rejected' && reason ? `rejected: ${reason}` : state) : null,
      state,
      reason: reason ?? (state === 'rejected' ? (bead.reason ?? null) : null),
    };
    return this.put(next, state, `${bead.id} ${state}${reason ? `: ${reason}` : ''}`);
  }

  private closeWith(bead: Bead, reason: string | undefined): Bead[] {
    const closed: Bead[] = [];
    const trimmed = reason?.trim();
    let current: Bead | undefined = bead;
    let why: string | null = trimmed ? trimmed : null;
    let summary = `${this.context.actor} closed ${bead.id}`;
    while (current) {
      closed.push(this.put({ ...current, status: 'closed', closed_at: this.now, close_reason: why, updated_at: this.now }, 'close', summary));
      this.pourRecurrence(current);
      current = this.finishedMoleculeEpic(current.parent);
      if (current) {
        why = 'every step is closed';
        summary = `molecule ${current.molecule} finished: ${current.id} closed`;
      }
    }
    return closed;
  }

  /**
   * A recurring bead (`every`) that closes pours its next occurrence in the same mutation: a
   * copy (title, body, labels, priority, parent, scheduling fields), open, deferred by the
   * interval from now, with `recurs_from` naming this one. Its needs are not copied: they were
   * met for this occurrence.
   */
  private pourRecurrence(bead: Bead): void {
    const next = nextOccurrence(bead, Date.parse(this.now));
    if (!next) return;
    const fields: Record<string, unknown> = { defer_until: next.deferUntil, recurs_from: bead.id };
    for (const key of ['every', 'uses', 'pinned', 'needs_skill'] as const) {
      const value = (bead as ScheduledBead)[key];
      if (value !== undefined && value !== null) fields[key] = value;
    }
    const poured = this.create({
      title: bead.title,
      type: bead.type,
      body: bead.body,
      priority: bead.priority,
      labels: bead.labels,
      parent: bead.parent !== null && this.get(bead.parent)?.status !== 'closed' ? bead.parent : null,
      fields,
    });
    this.collected[this.collected.length - 1] = { ...this.collected[this.collected.length - 1]!, summary: `${bead.id} recurs: ${poured.id} poured, not before ${next.deferUntil}` };
  }

  /** The epic `id` if it is an open molecule instance all of whose children are closed. */
  private finishedMoleculeEpic(id: string | null): Bead | undefined {
    if (id === null) return undefined;
    const epic = this.get(id);
    if (!epic || epic.status === 'closed' || !epic.molecule) return undefined;
    return this.children(epic.id).every((child) => child.status === 'closed') ? epic : undefined;
  }

  private checkParent(id: string, parent: string): string {
    const found = this.require(parent, 'parent').id;
    const cycle = cycleIfParent(this.lookup, id, found);
    if (cycle) throw refused(`refused: making ${found} the parent of ${id} would close a loop: ${describeCycle(cycle)}`);
    return found;
  }

  private freshId(): string {
    const count = this.state.all(BEAD_KIND).size + this.added;
    const tag = townTagOf(this.state.get(TOWN_TAG_KIND, TOWN_TAG_ID));
    return generateBeadId(this.context.prefix, count, (candidate) => this.get(candidate) !== undefined, this.context.random, tag);
  }

  private unusedId(id: string): string {
    const checked = checkId(id);
    if (this.get(checked)) throw conflict(`a bead ${checked} already exists`);
    return checked;
  }

  private requireText(value: unknown, message: string): string {
    if (typeof value !== 'string' || value.trim() === '') throw invalid(message);
    return value.trim();
  }
}

/**
 * Wraps operations on a {@link BeadTransaction} as a journal `Mutator`:
 * `await town.journal.mutate(transact(ctx, (tx) => tx.claim(id)))`.
 */
export function transact<T>(context: ModelContext, operate: (tx: BeadTransaction) => T): Mutator<T> {
  return (state) => {
    const tx = new BeadTransaction(state, context);
    const value = operate(tx);
    return { changes: tx.changes, value };
  };
}

const reSubject = (subject: string): string => (/^re:/i.test(subject) ? subject : `Re: ${subject}`);

function sameBead(a: Bead, b: Bead): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
