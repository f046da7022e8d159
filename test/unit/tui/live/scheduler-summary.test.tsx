import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { defaultSchedulerConfig } from '../../../../src/scheduler/config.js';
import { schedulerSummary } from '../../../../src/tui/live/scheduler-summary.js';
import { StatusLine } from '../../../../src/tui/panels/StatusLine.js';
import { beadSegments } from '../../../../src/tui/panels/Board.js';
import { defaultTheme } from '../../../../src/tui/theme/index.js';
import { bead } from '../../model/fixtures.js';
import { stateOf } from '../../scheduler/state-of.js';


describe('the scheduler in the workstation (status bar, board notes)', () => {
  const db = bead('ct-db', { type: 'resource', ...({ capacity: 1 } as object) });
  const holder = bead('ct-h', { status: 'in_progress', assignee: 'nux', ...({ uses: ['ct-db'] } as object) });
  const next = bead('ct-n');
  const nux = { id: 'nux', name: 'nux', bead: 'ct-h', status: 'working', pid: 7, agent: 'scripted', branch: 'polecat/nux/ct-h', worktree: '', argv: [], created_at: '', updated_at: '' };

  it('off: no status words, no plan, but who holds each resource', () => {
    const summary = schedulerSummary(stateOf([db, holder, next], [nux]), defaultSchedulerConfig, Date.now());
    expect(summary.line).toBeNull();
    expect(summary.notes.get('ct-db')).toBe('held 1/1 by nux');
    expect(summary.notes.has('ct-n')).toBe(false);
  });

  it('running: the status bar says so and the board marks the bead it takes next', () => {
    const entity = { id: 'town', state: 'running', max: 2, agent: 'scripted', changed_by: 'overseer', updated_at: '' };
    const summary = schedulerSummary(stateOf([db, holder, next], [nux], entity), defaultSchedulerConfig, Date.now());
    expect(summary.line).toBe('sched running 1/2 · next ct-n');
    expect(summary.notes.get('ct-n')).toMatch(/^→ next: /);
    const theme = defaultTheme();
    const segments = beadSegments(next as never, 'ready', [], theme, 0, summary.notes.get('ct-n'));
    expect(segments.map((s) => s.text).join('')).toContain('→ next: ');
    const counts = { ready: 1, working: 1, waiting: 0, merging: 0, unread: 0 };
    const { lastFrame, unmount } = render(<StatusLine town="t" counts={counts} prefixKey="C-b" time="12:00" scheduler={summary.line} width={160} theme={theme} />);
    expect(lastFrame()).toContain('sched running 1/2 · next ct-n');
    unmount();
  });
});
