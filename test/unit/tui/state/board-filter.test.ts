import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter, noFilter, parseFilter, type BoardFilter } from '../../../../src/tui/state/board-filter.js';
import { groupBoard } from '../../../../src/tui/state/board-groups.js';
import type { BeadView } from '../../../../src/tui/state/types.js';
import { bead } from '../../../helpers/panels-fixtures.js';

/** The filter's rule read straight from the bead, nothing remembered (what the keys must agree with). */
function naive(b: BeadView, filter: BoardFilter): boolean {
  if (filter.types.length && !filter.types.includes(b.type.toLowerCase())) return false;
  if (filter.assignees.length && !filter.assignees.includes((b.assignee ?? '').toLowerCase())) return false;
  const labels = (b.labels ?? []).map((l) => l.toLowerCase());
  if (!filter.labels.every((l) => labels.includes(l))) return false;
  const haystack = `${b.id} ${b.title}`.toLowerCase();
  return filter.text.every((w) => haystack.includes(w));
}

const word = fc.constantFrom('Parser', 'ui', 'UI', 'journal', 'ct-1', 'bug', 'task', 'ada', 'Bob', 'x');
const arbBead = fc.record({
  n: fc.nat({ max: 30 }),
  type: fc.constantFrom('task', 'bug', 'epic', 'Feature'),
  title: fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')),
  labels: fc.array(fc.constantFrom('ui', 'UI', 'db', 'perf'), { maxLength: 2 }),
  assignee: fc.option(fc.constantFrom('ada', 'Bob'), { nil: null }),
  status: fc.constantFrom('open', 'in_progress', 'blocked', 'closed'),
});
const line = fc.array(fc.oneof(word, word.map((w) => `#${w}`), word.map((w) => `type:${w}`), word.map((w) => `@${w}`), fc.constant('')), { maxLength: 3 }).map((w) => w.join(' '));

describe('the board filter', () => {
  it('matches through the remembered lowercase keys exactly as the rule read from each bead, filter after filter on the same beads', () => {
    fc.assert(
      fc.property(fc.array(arbBead, { maxLength: 25 }), fc.array(line, { minLength: 1, maxLength: 5 }), (specs, lines) => {
        const beads = specs.map((s, i) => bead(`ct-${s.n}-${i}`, { type: s.type as BeadView['type'], title: s.title, labels: s.labels, assignee: s.assignee, status: s.status as BeadView['status'] }));
        for (const text of lines) {
          const filter = parseFilter(text);
          for (const b of beads) expect(matchesFilter(b, filter), `${b.id} ${b.title} / ${text}`).toBe(naive(b, filter));
          // The board under the filter keeps exactly the beads that pass it.
          const shown = groupBoard(beads, filter).order;
          expect([...shown].sort()).toEqual(beads.filter((b) => naive(b, filter)).map((b) => b.id).sort());
        }
        expect(groupBoard(beads, noFilter).order.length).toBe(beads.length);
      }),
    );
  });

  it('reads a changed bead anew (a new object, as the journal hands after a change)', () => {
    const before = bead('ct-1', { title: 'parser drops a token' });
    expect(matchesFilter(before, parseFilter('parser'))).toBe(true);
    const after = { ...before, title: 'journal replays' };
    expect(matchesFilter(after, parseFilter('parser'))).toBe(false);
    expect(matchesFilter(after, parseFilter('journal'))).toBe(true);
  });
});
