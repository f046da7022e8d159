import { visibleLine } from '../common/visible-text.js';
import type { InstanceSummary, MoleculeStatus, StepState } from './status.js';

const marks: Record<StepState, string> = { closed: '[x]', in_progress: '[>]', ready: '[ ]', pending: '[.]' };

/**
 * The text of `citadel molecule status ID`: a header, then one line per step in pour order
 * (state, bead id, step, holder, what it needs), failures and releases under their step,
 * and what is ready now.
 */
export function renderStatus(status: MoleculeStatus): string {
  const names = new Map(status.steps.map((s) => [s.id, s.step]));
  const out: string[] = [];
  out.push(`${status.id}  ${status.title}`);
  const readyText = status.done ? 'done' : `${status.ready.length} ready`;
  out.push(`molecule ${status.molecule} · ${status.status} · ${status.counts.closed}/${status.counts.total} steps closed · ${readyText}`);
  const vars = Object.entries(status.vars);
  if (vars.length > 0) out.push(`vars: ${vars.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  out.push('');
  const idWidth = Math.max(...status.steps.map((s) => s.id.length), 2);
  const stepWidth = Math.max(...status.steps.map((s) => s.step.length), 4);
  for (const step of status.steps) {
    const parts = [`${marks[step.state]} ${step.state.padEnd(11)}`, step.id.padEnd(idWidth), step.step.padEnd(stepWidth)];
    if (step.role !== 'polecat') parts.push(`(${step.role})`);
    if (step.holder) parts.push(`held by ${step.holder}`);
    if (step.state === 'pending' && step.waiting_on.length > 0) {
      parts.push(`waits for ${step.waiting_on.map((id) => names.get(id) ?? id).join(', ')}`);
    } else if (step.state === 'pending' && step.blocked_by) parts.push(`(${step.blocked_by})`);
    else if (step.needs.length > 0) parts.push(`after ${step.needs.map((id) => names.get(id) ?? id).join(', ')}`);
    out.push(`  ${parts.join('  ')}`.trimEnd());
    for (const failure of step.failures) {
      out.push(`        failed ${failure.at}${failure.holder ? ` (held by ${failure.holder})` : ''}, reported by ${failure.by}: ${failure.reason}`);
    }
    for (const release of step.releases) {
      out.push(`        released ${release.at}${release.holder ? ` from ${release.holder}` : ''}, by ${release.by}: ${release.reason}`);
    }
  }
  out.push('');
  if (status.done) out.push(`done: every step is closed${status.status === 'closed' ? ' and the instance is closed' : ''}`);
  else if (status.ready.length > 0) out.push(`ready now: ${status.ready.map((id) => `${id} (${names.get(id)})`).join(', ')}`);
  else out.push('ready now: nothing (every open step is claimed or waiting)');
  // Titles, holders and reasons come from the journal: each line stays one visible line.
  return `${out.map(visibleLine).join('\n')}\n`;
}

/** The text of `citadel molecule status` without an id: one line per instance. */
export function renderInstances(instances: readonly InstanceSummary[]): string {
  if (instances.length === 0) return 'no molecule instances yet: pour one with `citadel molecule pour NAME`\n';
  const idWidth = Math.max(...instances.map((i) => i.id.length));
  const nameWidth = Math.max(...instances.map((i) => i.molecule.length));
  const lines = instances.map((i) => {
    const progress = `${i.closed}/${i.total}`.padStart(5);
    const ready = i.status === 'closed' ? '' : `  ready: ${i.ready.length ? i.ready.join(', ') : '-'}`;
    return `${i.id.padEnd(idWidth)}  ${i.molecule.padEnd(nameWidth)}  ${i.status.padEnd(11)} ${progress}  ${i.title}${ready}`;
  });
  return `${lines.map(visibleLine).join('\n')}\n`;
}
