import { bead as modelBead } from '../unit/model/fixtures.js';
import type { BeadView, EventView, MailView, MergeRequestView, TownSnapshot } from '../../src/tui/state/types.js';

let clock = Date.parse('2026-11-01T10:00:00Z');
const tick = (): string => new Date((clock += 60_000)).toISOString();

/** A bead with sensible defaults: the model's fixture with the panels' titles and a minute apart. */
export function bead(id: string, fields: Partial<BeadView> = {}): BeadView {
  const at = tick();
  return modelBead(id, { title: `Title of ${id}`, created_at: at, updated_at: at, ...fields });
}

export function mail(id: string, fields: Partial<MailView> = {}): MailView {
  return { ...bead(id, { type: 'message' }), from: 'ada', to: 'overseer', subject: `Subject ${id}`, body: `Body of ${id}`, thread: id, reply_to: null, read_by: [], ...fields } as MailView;
}

export function mr(id: string, fields: Partial<MergeRequestView> = {}): MergeRequestView {
  return { ...bead(id, { type: 'merge_request' }), branch: `polecat/${id}`, polecat: 'ada', bead: null, state: 'queued', reason: null, ...fields } as MergeRequestView;
}

export function event(seq: number, fields: Partial<EventView> = {}): EventView {
  return { seq, ts: new Date(Date.parse('2026-11-01T10:00:00Z') + seq * 1000).toISOString(), writer: 'overseer', action: 'create', kind: 'beads', id: `ct-${seq}`, ...fields };
}

/** A small town: two ready, one in progress, one blocked, one closed; mail; a lane; events. */
export function smallTown(overrides: Partial<TownSnapshot> = {}): TownSnapshot {
  return {
    town: 'demo',
    seq: 10,
    beads: [
      bead('ct-a1', { title: 'Fix the login', priority: 1, labels: ['ui'] }),
      bead('ct-a2', { title: 'Write the docs', priority: 3, type: 'chore' }),
      bead('ct-b1', { title: 'Port the parser', status: 'in_progress', assignee: 'ada' }),
      bead('ct-c1', { title: 'Ship it', needs: ['ct-a1'] }),
      bead('ct-d1', { title: 'Old thing', status: 'closed', closed_at: '2026-11-01T09:00:00Z', close_reason: 'done' }),
    ],
    mail: [mail('ct-m1', { subject: 'Need a decision', created_at: '2026-11-01T10:05:00Z' }), mail('ct-m2', { subject: 'All good', read_by: ['overseer'], created_at: '2026-11-01T10:01:00Z' })],
    mergeRequests: [
      mr('ct-r1', { state: 'testing', branch: 'polecat/ada' }),
      mr('ct-r2', { state: 'queued', branch: 'polecat/bob', polecat: 'bob' }),
      mr('ct-r3', { state: 'rejected', branch: 'polecat/cy', polecat: 'cy', reason: 'tests failed: 2 failing' }),
    ],
    events: [event(8, { action: 'claim', writer: 'ada', id: 'ct-b1', title: 'Port the parser' }), event(9, { action: 'close', id: 'ct-d1' })],
    polecats: [{ name: 'ada', status: 'working', bead: 'ct-b1' }, { name: 'bob', status: 'waiting' }],
    presets: ['scripted', 'claude', 'shell'],
    molecules: [{ name: 'quick-fix', vars: [{ name: 'issue', required: true, description: 'what is broken' }] }, { name: 'research', vars: [] }],
    gateTail: ['> npm test', '✓ 41 passed'],
    me: 'overseer',
    ...overrides,
  };
}

/** `n` beads for budget checks: a mix of statuses and priorities, a chain of blockers. */
export function manyBeads(n: number): BeadView[] {
  const beads: BeadView[] = [];
  for (let i = 0; i < n; i++) {
    const id = `ct-${i.toString(36).padStart(4, '0')}`;
    const status = i % 10 === 0 ? 'closed' : i % 7 === 0 ? 'in_progress' : 'open';
    beads.push(bead(id, { title: `Bead number ${i}`, priority: (i % 5) as BeadView['priority'], status, assignee: status === 'in_progress' ? 'ada' : null, needs: i % 11 === 0 && i > 0 ? [`ct-${(i - 1).toString(36).padStart(4, '0')}`] : [] }));
  }
  return beads;
}
