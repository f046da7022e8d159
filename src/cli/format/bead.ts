import { visibleLine, visibleText } from '../../common/visible-text.js';
import type { Bead } from '../../model/bead.js';
import type { ValidationRecord } from '../../model/validation.js';
import { childrenOf, dependentsOf } from '../../model/query.js';
import { whyNotReady } from '../../model/ready.js';
import { capacityOf, deferredUntil, isPinned, resourceHolders, skillsNeeded, usesOf, type ScheduledBead } from '../../model/schedule.js';
import { table } from './table.js';
import { shortTime } from './time.js';

/** The cells of a bead in a list: id, priority, type, status, title with labels and assignee. */
export function beadCells(bead: Bead): string[] {
  const extras = [...bead.labels.map((label) => `#${label}`), ...(bead.assignee ? [`@${bead.assignee}`] : [])];
  return [bead.id, `P${bead.priority}`, bead.type, bead.status, extras.length ? `${bead.title}  ${extras.join(' ')}` : bead.title];
}

/** Beads as an aligned list, one a line. */
export function beadList(beads: readonly Bead[]): string {
  return table(beads.map(beadCells));
}

/** Everything about one bead, for `bead show`: fields, readiness, dependencies both ways, children. */
export function beadDetail(bead: Bead, beads: ReadonlyMap<string, Bead>, validations: readonly ValidationRecord[] = []): string {
  const lines: string[] = [];
  const field = (name: string, value: string | null | undefined): void => {
    if (value !== null && value !== undefined && value !== '') lines.push(`${`${name}:`.padEnd(11)}${value}`);
  };
  lines.push(`${bead.id}  ${bead.title}`);
  field('type', bead.type);
  field('status', bead.status + (bead.status === 'closed' && bead.close_reason ? ` (${bead.close_reason})` : ''));
  field('priority', `P${bead.priority}`);
  field('assignee', bead.assignee);
  field('labels', bead.labels.join(', '));
  if (bead.type === 'message') {
    field('from', bead.from);
    field('to', bead.to);
    field('thread', bead.thread !== bead.id ? bead.thread : null);
    field('reply to', bead.reply_to);
    field('read by', (bead.read_by ?? []).join(', '));
  }
  if (bead.type === 'merge_request') {
    field('branch', bead.branch);
    field('polecat', bead.polecat);
    field('bead', bead.bead);
    field('state', bead.state + (bead.reason ? ` (${bead.reason})` : ''));
  }
  field('molecule', bead.molecule);
  scheduleFields(bead, beads, field);
  if (bead.parent) field('parent', describe(bead.parent, beads));
  field('created', `${shortTime(bead.created_at)} by ${bead.created_by}`);
  if (bead.updated_at !== bead.created_at) field('updated', shortTime(bead.updated_at));
  if (bead.closed_at) field('closed', shortTime(bead.closed_at));
  if (bead.type !== 'message' && bead.type !== 'merge_request' && bead.status !== 'closed') {
    const why = whyNotReady(bead, beads);
    field('ready', why === null ? 'yes' : `no: ${why}`);
  }
  if (bead.needs.length) {
    lines.push('needs:');
    for (const id of bead.needs) lines.push(`  ${describe(id, beads)}`);
  }
  const dependents = dependentsOf(beads, bead.id);
  if (dependents.length) {
    lines.push('needed by:');
    for (const other of dependents) lines.push(`  ${other.id}  ${other.status.padEnd(11)}  ${other.title}`);
  }
  const children = childrenOf(beads, bead.id);
  if (children.length) {
    const closed = children.filter((child) => child.status === 'closed').length;
    lines.push(`children (${closed}/${children.length} closed):`);
    for (const child of children) lines.push(`  ${child.id}  ${child.status.padEnd(11)}  ${child.title}`);
  }
  if (validations.length) {
    // A merge request's verdicts (docs/model.md, "Validations"), oldest first, by address.
    lines.push('validations:');
    for (const v of validations) lines.push(`  ${validationLine(v)}`);
  }
  if (bead.metadata && Object.keys(bead.metadata).length) {
    lines.push('metadata (kept from an import):');
    for (const [key, value] of Object.entries(bead.metadata)) lines.push(`  ${key}: ${oneLine(JSON.stringify(value))}`);
  }
  // Every line above is one line whatever its fields hold; the body keeps its own lines.
  const shown = lines.map(visibleLine);
  if (bead.body.trim()) shown.push('', visibleText(bead.body.replace(/\s+$/, '')));
  return `${shown.join('\n')}\n`;
}

/** The scheduler's fields (docs/scheduler.md): timers, recurrence, resources, pinning, skills. */
function scheduleFields(bead: Bead, beads: ReadonlyMap<string, Bead>, field: (name: string, value: string | null | undefined) => void): void {
  const scheduled = bead as ScheduledBead;
  const until = deferredUntil(bead);
  if (until !== undefined) field('deferred', `until ${shortTime(new Date(until).toISOString())}${until <= Date.now() ? ' (passed)' : ''}`);
  field('every', typeof scheduled.every === 'string' ? scheduled.every : null);
  field('recurs of', typeof scheduled.recurs_from === 'string' ? scheduled.recurs_from : null);
  const uses = usesOf(bead);
  if (uses.length) field('uses', uses.map((id) => (beads.has(id) ? id : `${id} (not in this town)`)).join(', '));
  if (bead.type === 'resource') {
    const holders = resourceHolders(beads).get(bead.id) ?? [];
    field('capacity', `${holders.length}/${capacityOf(bead)} in use${holders.length ? `: ${holders.join(', ')}` : ''}`);
  }
  if (isPinned(bead)) field('pinned', 'yes: its polecat is kept running');
  const skills = skillsNeeded(bead);
  if (skills.length) field('skills', `needed: ${skills.join(', ')}`);
}

function describe(id: string, beads: ReadonlyMap<string, Bead>): string {
  const other = beads.get(id);
  return other ? `${id}  ${other.status.padEnd(11)}  ${other.title}` : `${id}  (not in this town)`;
}

const oneLine = (text: string): string => (text.length > 160 ? `${text.slice(0, 157)}...` : text);

/** One validation record as a line: verdict, stage, who, when, and main's commit or the reason/note. */
export function validationLine(v: ValidationRecord): string {
  const what = v.main_commit ? `main → ${v.main_commit.slice(0, 10)}` : (v.reason ?? v.note ?? '');
  const commit = v.branch_commit ? ` at ${v.branch_commit.slice(0, 10)}` : '';
  const note = v.note && v.note !== v.reason && what !== v.note ? ` — ${v.note}` : '';
  return `${v.verdict === 'accepted' ? '✓' : '✗'} ${v.stage.padEnd(6)} ${v.validator_address}  ${shortTime(v.at)}${commit}  ${what}${note}`;
}
