import type { BeadStatus, BeadType } from '../bead.js';
import { checkAddress } from '../address.js';
import { isBeadId } from '../ids.js';
import { checkBody, checkId, checkTitle, parsePriority, uniqueLabels } from '../validate.js';
import { readList, readText, readTime, type ImportDraft } from './draft.js';

/**
 * Maps one line of a Beads `issues.jsonl` export (github.com/steveyegge/beads) to a citadel
 * bead. What citadel has no place for is kept under `metadata.beads`, and every mapping a
 * person might not expect is noted (docs/model.md, "Import"):
 *
 * - statuses: `hooked` (on an agent's hook) → in_progress; `pinned` → open with label `pinned`;
 *   `deferred` → blocked with label `deferred`; `tombstone` (deleted) → closed; any other → open
 *   with a label `beads-status:<name>`;
 * - types: `agent` (an agent's identity record, not work) → a closed chore labelled
 *   `beads:agent`; `convoy` and `molecule` → epic labelled `beads:<type>`; any other unknown →
 *   task labelled `beads:<type>`; the original is kept in `metadata.beads.issue_type`;
 * - dependencies: `blocks` → needs; `parent-child` → parent (the `parent` field wins; a second
 *   parent is kept as a link); any other type (`discovered-from`, `tracks`, `related`…) →
 *   `metadata.links`;
 * - `description` → body; `notes`, `design`, `acceptance_criteria`, `owner`, … → `metadata.beads`.
 */

/** Fields mapped onto the bead, or derived (counts) and dropped. */
const MAPPED = new Set([
  'id', 'title', 'description', 'status', 'priority', 'issue_type', 'labels', 'assignee', 'created_at', 'updated_at', 'closed_at',
  'close_reason', 'created_by', 'dependencies', 'parent', 'dependency_count', 'dependent_count', 'comment_count', 'sender',
  'replies_to',
]);

const SAME_TYPES = new Set<string>(['task', 'bug', 'feature', 'epic', 'chore', 'message']);
const SAME_STATUSES = new Set<string>(['open', 'in_progress', 'blocked', 'closed']);

interface Link {
  type: string;
  id: string;
}

export function fromBeadsLine(row: Record<string, unknown>, line: number): ImportDraft {
  const notes: string[] = [];
  const id = checkId(row.id);
  const labels = uniqueLabels(readList(row.labels, 'labels'));
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!MAPPED.has(key)) extra[key] = value;

  // type
  const rawType = readText(row.issue_type, 'issue_type', 'task') ?? 'task';
  let type: BeadType;
  let forcedStatus: BeadStatus | null = null;
  if (SAME_TYPES.has(rawType)) type = rawType as BeadType;
  else {
    extra.issue_type = rawType;
    if (rawType === 'agent') {
      type = 'chore';
      forcedStatus = 'closed';
      notes.push('type agent → closed chore, label beads:agent (an agent identity record, not work: citadel tracks its own polecats)');
    } else if (rawType === 'convoy' || rawType === 'molecule') {
      type = 'epic';
      notes.push(`type ${rawType} → epic, label beads:${rawType}`);
    } else {
      type = 'task';
      notes.push(`unknown type ${rawType} → task, label beads:${rawType}`);
    }
    labels.push(`beads:${rawType}`);
  }

  // status
  const rawStatus = readText(row.status, 'status', 'open') ?? 'open';
  let status: BeadStatus;
  if (SAME_STATUSES.has(rawStatus)) status = rawStatus as BeadStatus;
  else {
    extra.status = rawStatus;
    const mapped = mapStatus(rawStatus);
    status = mapped.status;
    if (mapped.label && !labels.includes(mapped.label)) labels.push(mapped.label);
    notes.push(`status ${rawStatus} → ${mapped.status}${mapped.label ? `, label ${mapped.label}` : ''}`);
  }
  if (forcedStatus && status !== forcedStatus) {
    extra.status ??= rawStatus;
    status = forcedStatus;
  }

  // dependencies
  const needs: string[] = [];
  const links: Link[] = [];
  let parent = row.parent ? checkId(row.parent, 'parent id') : null;
  const dependencies = row.dependencies ?? [];
  if (!Array.isArray(dependencies)) throw new Error('"dependencies" must be a list');
  for (const dependency of dependencies as unknown[]) {
    if (typeof dependency !== 'object' || dependency === null) throw new Error('each dependency must be an object');
    const dep = dependency as Record<string, unknown>;
    const target = readText(dep.depends_on_id, 'dependencies[].depends_on_id');
    const kind = readText(dep.type, 'dependencies[].type', 'blocks') ?? 'blocks';
    if (!target) throw new Error('a dependency has no "depends_on_id"');
    if (kind === 'blocks' && isBeadId(target)) {
      if (!needs.includes(target)) needs.push(target);
    } else if (kind === 'parent-child' && isBeadId(target)) {
      if (parent === null) parent = target;
      else if (parent !== target) {
        links.push({ type: kind, id: target });
        notes.push('a second parent kept as a link in metadata.links (a citadel bead has one parent)');
      }
    } else {
      links.push({ type: kind, id: target });
    }
  }
  if (links.some((link) => link.type !== 'parent-child')) notes.push('dependencies other than blocks / parent-child kept in metadata.links');

  const createdBy = readText(row.created_by, 'created_by') ?? readText(row.owner, 'owner');
  const created = readTime(row.created_at, 'created_at');
  const bead: ImportDraft['bead'] = {
    id,
    type,
    title: checkTitle(row.title),
    body: checkBody(readText(row.description, 'description', ''), 'description'),
    status,
    priority: row.priority === undefined || row.priority === null ? 2 : parsePriority(row.priority),
    labels,
    assignee: nonEmpty(readText(row.assignee, 'assignee')),
    needs,
    parent,
    created_by: createdBy,
    created_at: created,
    updated_at: readTime(row.updated_at, 'updated_at') ?? created,
    closed_at: status === 'closed' ? (readTime(row.closed_at, 'closed_at') ?? readTime(row.updated_at, 'updated_at') ?? created) : null,
    close_reason: status === 'closed' ? nonEmpty(readText(row.close_reason, 'close_reason')) : null,
  };
  if (forcedStatus === 'closed' && rawStatus !== 'closed') bead.close_reason = `imported from Beads: ${rawType} record (status ${rawStatus})`;

  if (type === 'message') {
    const from = nonEmpty(readText(row.sender, 'sender')) ?? createdBy ?? 'beads';
    const recipient = bead.assignee as string | null;
    const to = recipient && isAddress(recipient) ? recipient : 'overseer';
    if (to !== recipient) notes.push(`message without a citadel address${recipient ? ` (${recipient})` : ''} → to overseer`);
    const repliesTo = row.replies_to ? checkId(row.replies_to, 'replies_to id') : null;
    Object.assign(bead, { assignee: null, from, to, subject: bead.title, thread: repliesTo ?? id, reply_to: repliesTo, read_by: status === 'closed' ? [to] : [] });
  }

  const metadata: Record<string, unknown> = {};
  if (Object.keys(extra).length > 0) metadata.beads = extra;
  if (links.length > 0) metadata.links = links;
  if (Object.keys(metadata).length > 0) bead.metadata = metadata;
  return { line, format: 'beads', bead, notes };
}

function mapStatus(status: string): { status: BeadStatus; label: string | null } {
  switch (status) {
    case 'hooked':
      return { status: 'in_progress', label: null };
    case 'pinned':
      return { status: 'open', label: 'pinned' };
    case 'deferred':
      return { status: 'blocked', label: 'deferred' };
    case 'tombstone':
      return { status: 'closed', label: null };
    default:
      return { status: 'open', label: `beads-status:${status}` };
  }
}

const nonEmpty = (text: string | null): string | null => (text && text.trim() !== '' ? text.trim() : null);

function isAddress(text: string): boolean {
  try {
    checkAddress(text);
    return true;
  } catch {
    return false;
  }
}
