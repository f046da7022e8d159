import { isMergeRequestState } from '../bead.js';
import { checkActor, checkBody, checkId, checkStatus, checkTitle, checkType, parsePriority, uniqueLabels } from '../validate.js';
import { checkAddress } from '../address.js';
import { readList, readText, readTime, type ImportDraft } from './draft.js';

/** Keys of the contract; any other key of a citadel line is kept as is (another area's field). */
const KNOWN = new Set([
  'id', 'type', 'title', 'body', 'status', 'priority', 'labels', 'assignee', 'needs', 'parent', 'created_by', 'created_at',
  'updated_at', 'closed_at', 'close_reason', 'from', 'to', 'subject', 'thread', 'reply_to', 'read_by', 'branch', 'polecat',
  'bead', 'state', 'reason', 'molecule', 'metadata',
]);

export const importedGateNote = 'has a step `gate` (a command): the refinery will not run it until you review it with `citadel trust --show` and run `citadel trust`';

/** Maps one line of citadel's own export format (the JSON bead of CLI.md). Throws on a bad field. */
export function fromCitadelLine(row: Record<string, unknown>, line: number): ImportDraft {
  const id = checkId(row.id);
  const type = checkType(row.type ?? 'task');
  const status = checkStatus(row.status ?? 'open');
  const bead: ImportDraft['bead'] = {
    id,
    type,
    title: checkTitle(row.title),
    body: checkBody(readText(row.body, 'body', '')),
    status,
    priority: row.priority === undefined ? 2 : parsePriority(row.priority),
    labels: uniqueLabels(readList(row.labels, 'labels')),
    assignee: row.assignee ? checkActor(row.assignee) : null,
    needs: readList(row.needs, 'needs').map((need) => checkId(need, 'needs id')),
    parent: row.parent ? checkId(row.parent, 'parent id') : null,
    created_by: readText(row.created_by, 'created_by') ?? null,
    created_at: readTime(row.created_at, 'created_at'),
    updated_at: readTime(row.updated_at, 'updated_at'),
    closed_at: readTime(row.closed_at, 'closed_at'),
    close_reason: readText(row.close_reason, 'close_reason'),
  };
  if (status === 'closed' && bead.closed_at === null) bead.closed_at = bead.updated_at;
  if (type === 'message') {
    bead.from = checkActor(row.from ?? row.created_by, 'from');
    bead.to = checkAddress(row.to);
    bead.subject = readText(row.subject, 'subject') ?? bead.title;
    bead.thread = row.thread ? checkId(row.thread, 'thread id') : id;
    bead.reply_to = row.reply_to ? checkId(row.reply_to, 'reply_to id') : null;
    bead.read_by = readList(row.read_by, 'read_by');
  }
  if (type === 'merge_request') {
    bead.branch = readText(row.branch, 'branch');
    if (!bead.branch) throw new Error('a merge request needs its "branch"');
    bead.polecat = checkActor(row.polecat, 'polecat');
    bead.bead = row.bead ? checkId(row.bead, 'bead id') : null;
    if (row.state !== undefined && !isMergeRequestState(row.state)) throw new Error(`unknown merge request state ${JSON.stringify(row.state)}`);
    bead.state = row.state ?? 'queued';
    bead.reason = readText(row.reason, 'reason');
  }
  if (row.molecule !== undefined) bead.molecule = readText(row.molecule, 'molecule');
  if (row.metadata !== undefined) {
    if (typeof row.metadata !== 'object' || row.metadata === null || Array.isArray(row.metadata)) throw new Error('"metadata" must be an object');
    bead.metadata = row.metadata;
  }
  for (const [key, value] of Object.entries(row)) if (!KNOWN.has(key)) bead[key] = value;
  // A step's `gate` is a command: kept (the bead is as exported), but the refinery runs it
  // only once the user reviewed it here (`citadel trust`, docs/refinery.md "Trust").
  const hasGate = row.gate !== undefined && row.gate !== null && row.gate !== '';
  return { line, format: 'citadel', bead, notes: hasGate ? [importedGateNote] : [] };
}
