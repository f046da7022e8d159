import { describe, expect, it } from 'vitest';
import { matchesFilter, noFilter, parseFilter } from '../../../../src/tui/state/board-filter.js';
import { groupBoard, recentClosedLimit } from '../../../../src/tui/state/board-groups.js';
import { bead } from '../../../helpers/panels-fixtures.js';

const ids = (layout: ReturnType<typeof groupBoard>, group: string) =>
  layout.rows.filter((r) => r.kind === 'bead' && r.group === group).map((r) => (r.kind === 'bead' ? r.bead.id : ''));

describe('groupBoard', () => {
  it('follows the ready rule: open, unclaimed, needs closed, no blocked parent, not an epic with children', () => {
    const beads = [
      bead('a', { priority: 2, created_at: '2026-01-01T00:00:02Z' }),
      bead('b', { priority: 0, created_at: '2026-01-01T00:00:03Z' }),
      bead('c', { priority: 2, created_at: '2026-01-01T00:00:01Z' }),
      bead('claimed', { assignee: 'ada' }),
      bead('working', { status: 'in_progress', assignee: 'bob' }),
      bead('needs-open', { needs: ['a'] }),
      bead('needs-missing', { needs: ['nope'] }),
      bead('needs-closed', { needs: ['done'] }),
      bead('done', { status: 'closed', closed_at: '2026-01-02T00:00:00Z' }),
      bead('flagged', { status: 'blocked' }),
      bead('epic', { type: 'epic' }),
      bead('step', { parent: 'epic' }),
      bead('blocked-epic', { type: 'epic', needs: ['a'] }),
      bead('child-of-blocked', { parent: 'blocked-epic' }),
    ];
    const layout = groupBoard(beads, noFilter);
    expect(ids(layout, 'ready')).toEqual(['b', 'c', 'a', 'needs-closed', 'step']);
    expect(ids(layout, 'working').sort()).toEqual(['claimed', 'epic', 'working']);
    expect(ids(layout, 'blocked').sort()).toEqual(['blocked-epic', 'child-of-blocked', 'flagged', 'needs-missing', 'needs-open']);
    expect(ids(layout, 'closed')).toEqual(['done']);
    const row = layout.rows.find((r) => r.kind === 'bead' && r.bead.id === 'needs-open');
    expect(row?.kind === 'bead' && row.blockers).toEqual(['a']);
    const child = layout.rows.find((r) => r.kind === 'bead' && r.bead.id === 'child-of-blocked');
    expect(child?.kind === 'bead' && child.blockers).toEqual(['parent blocked-epic']);
    expect(layout.counts).toEqual({ ready: 5, working: 3, blocked: 5, closed: 1 });
  });

  it('keeps order and rowOf consistent, with a header per section', () => {
    const layout = groupBoard([bead('x'), bead('y', { status: 'closed' })], noFilter);
    expect(layout.rows.filter((r) => r.kind === 'header')).toHaveLength(4);
    layout.order.forEach((id, i) => {
      const row = layout.rows[layout.rowOf[i]!];
      expect(row?.kind === 'bead' && row.bead.id).toBe(id);
    });
  });

  it('shows only the newest closed beads but counts them all', () => {
    const closed = Array.from({ length: recentClosedLimit + 5 }, (_, i) =>
      bead(`c${i}`, { status: 'closed', closed_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }),
    );
    const layout = groupBoard(closed, noFilter);
    expect(layout.counts.closed).toBe(recentClosedLimit + 5);
    expect(ids(layout, 'closed')).toHaveLength(recentClosedLimit);
    expect(ids(layout, 'closed')[0]).toBe(`c${recentClosedLimit + 4}`);
  });

  it('survives a parent cycle', () => {
    const layout = groupBoard([bead('p', { parent: 'q' }), bead('q', { parent: 'p' })], noFilter);
    expect(layout.order).toHaveLength(2);
  });
});

describe('board filter', () => {
  it('parses words, label:, #, type:, @ and assignee:', () => {
    expect(parseFilter('  Login label:UI #api type:bug @ada assignee:bob ')).toEqual({
      text: ['login'],
      labels: ['ui', 'api'],
      types: ['bug'],
      assignees: ['ada', 'bob'],
    });
  });

  it('ANDs every part', () => {
    const b = bead('ct-1', { title: 'Fix the Login form', labels: ['ui'], type: 'bug' });
    expect(matchesFilter(b, parseFilter('login'))).toBe(true);
    expect(matchesFilter(b, parseFilter('ct-1'))).toBe(true);
    expect(matchesFilter(b, parseFilter('login #ui type:bug'))).toBe(true);
    expect(matchesFilter(b, parseFilter('login #api'))).toBe(false);
    expect(matchesFilter(b, parseFilter('type:task'))).toBe(false);
    expect(matchesFilter(b, parseFilter('@ada'))).toBe(false);
    const layout = groupBoard([b, bead('ct-2', { title: 'Docs' })], parseFilter('#ui'));
    expect(layout.order).toEqual(['ct-1']);
  });
});

describe('bead details', () => {
  it('lists needs with their state, what the bead blocks, its children and its history', async () => {
    const { detailLines } = await import('../../../../src/tui/panels/BeadDetails.js');
    const { defaultTheme } = await import('../../../../src/tui/theme/theme.js');
    const beads = [
      bead('ep', { type: 'epic', title: 'The epic', needs: ['gone'], body: 'Line one\nLine two' }),
      bead('s1', { parent: 'ep', status: 'closed' }),
      bead('s2', { parent: 'ep', needs: ['ep'] }),
    ];
    const text = detailLines(beads[0]!, beads, [{ seq: 3, ts: '2026-01-01T10:00:00Z', writer: 'ada', action: 'claim', kind: 'beads', id: 'ep' }], 60, defaultTheme('none'))
      .map((segments) => segments.map((s) => s.text).join(''))
      .join('\n');
    expect(text).toContain('The epic');
    expect(text).toMatch(/needs\s+gone \(missing\)/);
    expect(text).toMatch(/blocks\s+s2/);
    expect(text).toMatch(/children\s+1\/2 closed: s1 \(closed\), s2 \(open\)/);
    expect(text).toContain('Line one\nLine two');
    expect(text).toContain('History (1)');
    expect(text).toContain('ada claimed ep');
  });
});
