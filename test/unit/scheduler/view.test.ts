import { describe, expect, it } from 'vitest';
import { defaultSchedulerConfig } from '../../../src/scheduler/config.js';
import { schedulerStatusLine, schedulerView } from '../../../src/scheduler/view.js';
import { bead } from '../model/fixtures.js';
import { stateOf } from './state-of.js';


describe('the scheduler view (town status, the status bar, the board)', () => {
  it('says off, then running with busy/max and the next bead; resources with their holders', () => {
    const db = bead('ct-db', { type: 'resource', ...({ capacity: 1 } as object) });
    const holder = bead('ct-h', { status: 'in_progress', assignee: 'nux', ...({ uses: ['ct-db'] } as object) });
    const waiting = bead('ct-w', { ...({ uses: ['ct-db'] } as object) });
    const next = bead('ct-n');
    const nux = { id: 'nux', name: 'nux', bead: 'ct-h', status: 'working', pid: 7, agent: 'scripted', branch: 'polecat/nux/ct-h', worktree: '', argv: [], created_at: '', updated_at: '' };
    const off = schedulerView(stateOf([db, holder, waiting, next], [nux]), { now: Date.now(), config: defaultSchedulerConfig, fallbackAgent: 'claude' });
    expect(schedulerStatusLine(off)).toBe('sched off');
    expect(off.resources).toEqual([{ id: 'ct-db', title: 'bead ct-db', capacity: 1, holders: [{ bead: 'ct-h', polecat: 'nux' }] }]);
    const entity = { id: 'town', state: 'running', max: 2, agent: 'scripted', changed_by: 'overseer', updated_at: '' };
    const view = schedulerView(stateOf([db, holder, waiting, next], [nux], entity), { now: Date.now(), config: defaultSchedulerConfig });
    expect(view).toMatchObject({ state: 'running', max: 2, busy: 1, agents: ['scripted'] });
    expect(view.next.map((d) => d.bead)).toEqual(['ct-n']);
    // ct-w is not ready at all (its resource is held): `bead show` says why; the plan never sees it.
    expect(view.waiting).toEqual([]);
    expect(schedulerStatusLine(view)).toBe('sched running 1/2 · next ct-n');
  });
});
