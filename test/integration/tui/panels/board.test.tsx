import { afterEach, describe, expect, it } from 'vitest';
import { bead, manyBeads, smallTown } from '../../../helpers/panels-fixtures.js';
import { frameWhere, renderPanels } from './harness.js';
import { titleLine } from '../../../../src/tui/panels/Panel.js';

const ENTER = '\r';
const ESC = '\x1b';
const DOWN = '\x1b[B';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function open(...args: Parameters<typeof renderPanels>) {
  const panels = renderPanels(...args);
  cleanup = () => panels.unmount();
  return panels;
}

/** The line of the frame holding `text`. */
const lineWith = (frame: string, text: string): string => frame.split('\n').find((l) => l.includes(text)) ?? '';

describe('Board view', () => {
  it('shows ready (by priority), in progress with its holder, blocked with its blocker, recently closed', () => {
    const panels = open(smallTown());
    const frame = panels.lastFrame() ?? '';
    const at = (text: string) => frame.indexOf(text);
    expect(at('Ready (2)')).toBeGreaterThan(-1);
    expect(at('ct-a1')).toBeLessThan(at('ct-a2')); // P1 before P3
    expect(at('Ready (2)')).toBeLessThan(at('In progress (1)'));
    expect(lineWith(frame, 'ct-b1')).toContain('@ada');
    expect(at('In progress (1)')).toBeLessThan(at('Blocked (1)'));
    expect(lineWith(frame, 'ct-c1')).toContain('⟵ ct-a1');
    expect(at('Blocked (1)')).toBeLessThan(at('Recently closed (1)'));
    expect(lineWith(frame, 'ct-d1')).toContain('— done');
    expect(lineWith(frame, 'ct-a1')).toContain('#ui');
  });

  it('keeps a space between a panel title and its counts in a narrow column (60×15: 18 columns)', () => {
    const panels = open(smallTown(), { width: 18, height: 15 });
    const frame = panels.lastFrame() ?? '';
    const title = frame.split('\n').find((l) => l.includes('Board')) ?? '';
    expect(title).toMatch(/Board \S/);
    expect(titleLine('Refinery', '12 queued', 16)).toEqual({ title: 'Refinery', info: ' 12 que…' });
    expect(titleLine('Refinery', '12 queued', 11)).toEqual({ title: 'Refinery', info: '' });
    expect(titleLine('Board', '2 ready · 1 working · 1 blocked', 40)).toEqual({ title: 'Board', info: ' 2 ready · 1 working · 1 blocked' });
  });

  it('aligns the type and title columns when ids differ in length', () => {
    const panels = open(smallTown({ beads: [bead('ct-a1', { title: 'Short id', type: 'bug' }), bead('ct-a1.12', { title: 'Long id', type: 'task' }), bead('ct-b3f8x', { title: 'Mid id', type: 'chore' })] }));
    const frame = panels.lastFrame() ?? '';
    const columns = ['Short id', 'Long id', 'Mid id'].map((title) => lineWith(frame, title).indexOf(title));
    expect(columns[0]).toBeGreaterThan(0);
    expect(new Set(columns).size).toBe(1);
  });

  it('moves the selection with j/k and opens details with the body, dependencies and history', async () => {
    const snapshot = smallTown();
    const panels = open(snapshot);
    panels.stdin.write('j');
    await frameWhere(panels, () => panels.model.state.board.cursor.selectedId === 'ct-a2', 'selection on ct-a2');
    panels.stdin.write('j');
    panels.stdin.write('j');
    await frameWhere(panels, () => panels.model.state.board.cursor.selectedId === 'ct-c1', 'selection on ct-c1');
    panels.stdin.write(ENTER);
    const details = await frameWhere(panels, (f) => f.includes('Bead ct-c1'), 'details of ct-c1');
    expect(details).toContain('Ship it');
    expect(details).toContain('ct-a1 (open)');
    expect(details).toContain('Body of ct-c1'.slice(0, 0) || '(no body)');
    expect(details).toContain('History');
    panels.stdin.write(ESC);
    await frameWhere(panels, (f) => f.includes('Ready (2)'), 'back on the board');
  });

  it('sets a priority with one key and closes with a reason through a form', async () => {
    const panels = open(smallTown());
    panels.stdin.write('0');
    await frameWhere(panels, () => panels.commands.length === 1, 'a priority command');
    expect(panels.commands[0]).toEqual({ kind: 'priority', id: 'ct-a1', priority: 0 });
    panels.stdin.write('c');
    await frameWhere(panels, (f) => f.includes('Close ct-a1'), 'the close form');
    panels.stdin.write('fixed upstream');
    await frameWhere(panels, (f) => f.includes('fixed upstream'), 'the typed reason');
    panels.stdin.write(ENTER);
    await frameWhere(panels, () => panels.commands.length === 2, 'a close command');
    expect(panels.commands[1]).toEqual({ kind: 'close', id: 'ct-a1', reason: 'fixed upstream' });
  });

  it('slings the selected bead choosing the preset, and pours a molecule filling its variables', async () => {
    const panels = open(smallTown());
    panels.stdin.write('s');
    await frameWhere(panels, (f) => f.includes('Sling ct-a1'), 'the sling form');
    panels.stdin.write('\x1b[C'); // → next preset: claude
    await frameWhere(panels, (f) => f.includes('‹ claude ›'), 'claude chosen');
    panels.stdin.write(ENTER);
    panels.stdin.write('nux');
    await frameWhere(panels, (f) => f.includes('nux'), 'the polecat name');
    panels.stdin.write(ENTER);
    await frameWhere(panels, () => panels.commands.length === 1, 'a sling command');
    expect(panels.commands[0]).toEqual({ kind: 'sling', id: 'ct-a1', preset: 'claude', polecat: 'nux' });

    panels.stdin.write('p');
    await frameWhere(panels, (f) => f.includes('Pour a molecule'), 'the pour form');
    panels.stdin.write(ENTER);
    await frameWhere(panels, (f) => f.includes('Pour quick-fix'), 'the variables form');
    panels.stdin.write(ENTER);
    await frameWhere(panels, (f) => f.includes('issue is required'), 'a refusal of the empty required var');
    panels.stdin.write('login fails');
    panels.stdin.write(ENTER);
    await frameWhere(panels, () => panels.commands.length === 2, 'a pour command');
    expect(panels.commands[1]).toEqual({ kind: 'pour', molecule: 'quick-fix', vars: { issue: 'login fails' } });
  });

  it('creates a bead, adds and removes a blocker', async () => {
    const panels = open(smallTown());
    panels.stdin.write('n');
    await frameWhere(panels, (f) => f.includes('New bead'), 'the create form');
    panels.stdin.write('Add caching');
    await frameWhere(panels, (f) => f.includes('Add caching'), 'the title');
    panels.stdin.write('\t');
    panels.stdin.write('b'); // type: jumps to "bug"
    await frameWhere(panels, (f) => f.includes('‹ bug ›'), 'type bug');
    panels.stdin.write('\x13'); // C-s submits from any field
    await frameWhere(panels, () => panels.commands.length === 1, 'a create command');
    expect(panels.commands[0]).toMatchObject({ kind: 'create', title: 'Add caching', type: 'bug', priority: 2, labels: [] });

    panels.stdin.write('j'); // ct-a2
    panels.stdin.write('b');
    await frameWhere(panels, (f) => f.includes('ct-a2 needs'), 'the blocker form');
    panels.stdin.write('ct-a1');
    await frameWhere(panels, (f) => f.includes('ct-a1▏'), 'the typed id');
    panels.stdin.write(ENTER);
    await frameWhere(panels, () => panels.commands.length === 2, 'a dep command');
    expect(panels.commands[1]).toEqual({ kind: 'dep', op: 'add', id: 'ct-a2', needs: 'ct-a1' });
  });

  it('filters by text, label and type, and clears the filter', async () => {
    const panels = open(smallTown());
    panels.stdin.write('/');
    await frameWhere(panels, (f) => f.includes('Filter the board'), 'the filter form');
    panels.stdin.write('type:chore');
    await frameWhere(panels, (f) => f.includes('type:chore▏'), 'the typed filter');
    panels.stdin.write(ENTER);
    const filtered = await frameWhere(panels, (f) => f.includes('/type:chore'), 'the filtered board');
    expect(filtered).toContain('ct-a2');
    expect(filtered).not.toContain('ct-a1');
    panels.stdin.write('x');
    await frameWhere(panels, (f) => f.includes('ct-a1'), 'the whole board again');
    panels.stdin.write('/');
    await frameWhere(panels, (f) => f.includes('Filter the board'), 'the filter form again');
    panels.stdin.write('#ui');
    panels.stdin.write(ENTER);
    await frameWhere(panels, (f) => f.includes('/#ui') && !f.includes('ct-a2'), 'filtered by label');
    panels.stdin.write(ESC);
    await frameWhere(panels, (f) => f.includes('ct-a2'), 'Esc clears the filter');
  });

  it('keeps the selected bead selected when the data changes under it', async () => {
    const snapshot = smallTown();
    const panels = open(snapshot);
    panels.stdin.write('j');
    await frameWhere(panels, () => panels.model.state.board.cursor.selectedId === 'ct-a2', 'selection on ct-a2');
    panels.update({ ...snapshot, seq: 11, beads: [bead('ct-z0', { priority: 0, title: 'Urgent' }), ...snapshot.beads] });
    await frameWhere(panels, (f) => f.includes('Urgent'), 'the new bead');
    panels.stdin.write(ENTER);
    await frameWhere(panels, (f) => f.includes('Bead ct-a2'), 'details of the same bead');
  });

  it('draws only a window of rows at 10k beads and pages through them', async () => {
    const snapshot = smallTown({ beads: manyBeads(10_000) });
    const panels = open(snapshot, { height: 30 });
    const first = panels.lastFrame() ?? '';
    expect(first.split('\n').length).toBeLessThanOrEqual(30);
    panels.stdin.write('G');
    const last = panels.model.view.board.order.length - 1;
    const bottom = await frameWhere(panels, (f) => panels.model.state.board.cursor.index === last && !f.includes('Ready ('), 'the bottom of the board');
    // The last of the 20 recently closed beads is on screen.
    expect(bottom).toContain(panels.model.view.board.order[last]);
    panels.stdin.write('g');
    await frameWhere(panels, (f) => f.includes('Ready ('), 'the top again');
    panels.stdin.write(DOWN);
    await frameWhere(panels, () => panels.model.state.board.cursor.index === 1, 'one down');
  });
});
