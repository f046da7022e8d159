import { describe, expect, it } from 'vitest';
import type { PaneInfo } from '../../../src/daemon/protocol.js';
import { defaultPalette } from '../../../src/tui/chrome/palette.js';
import { pageTabs } from '../../../src/tui/chrome/page-tabs.js';
import { titleBar } from '../../../src/tui/chrome/title-bar.js';
import { KeyParser } from '../../../src/tui/keys/key-parser.js';
import { journalFacts } from '../../../src/tui/live/polecat-facts.js';
import { lastMeaningfulLine } from '../../../src/tui/overview/last-line.js';
import { overviewEntries } from '../../../src/tui/overview/overview-entries.js';
import { age, overviewLines } from '../../../src/tui/overview/overview-view.js';
import { notification } from '../../../src/tui/render/notification.js';
import { stripAnsi, textWidth } from '../../../src/tui/render/cells.js';
import { initialShellState, type ShellEvent, type ShellState } from '../../../src/tui/shell/shell-state.js';
import { layoutOf } from '../../../src/tui/shell/workstation-state.js';
import type { BeadView, MergeRequestView } from '../../../src/tui/state/types.js';
import { step } from '../../helpers/shell-step.js';

/** The overview (prefix w), pages and attention: pure, through the shell's update and the views. */

const pane = (id: string, status = 'working', extra: Partial<PaneInfo> = {}): PaneInfo => ({ id, polecat: id, status, argv: [], cols: 80, rows: 24, bead: `ct-${id}`, branch: `polecat/${id}/ct-${id}`, ...extra });

function keys(bytes: string): ShellEvent {
  const parser = new KeyParser();
  return { type: 'keys', keys: [...parser.feed(bytes), ...parser.flush()] };
}
function town(panes: PaneInfo[], cols = 200, rows = 50, at = 1000): ShellState {
  const state = initialShellState({ cols, rows, prefix: 'C-b', panels: 'ready', panelsWidth: 0 });
  return step(state, { type: 'panes', panes, at }).state;
}
const names = (state: ShellState): string[] =>
  overviewEntries({ panes: state.panes, since: state.since, facts: state.facts, beadTitles: state.beadTitles, filter: state.overview?.filter ?? '' }).map((e) => e.pane.id);

describe('the overview', () => {
  const thirty = Array.from({ length: 30 }, (_, i) => pane(`p${String(i + 1).padStart(2, '0')}`, i === 20 ? 'waiting' : i === 7 ? 'stuck' : i === 3 ? 'idle' : 'working'));

  it('opens on prefix w, lists every polecat with those that need a person first, filters as you type, and Enter opens the pane zoomed', () => {
    let { state, effects } = step(town(thirty), keys('\x02w'));
    expect(state.mode).toBe('overview');
    expect(effects).toEqual([{ type: 'fetch-facts' }]);
    // The merge request of p12 was rejected: bounced, after waiting and stuck.
    state = step(state, { type: 'facts', facts: new Map([['p12', { mr: 'rejected', ahead: 3 }]]) }).state;
    const order = names(state);
    expect(order.slice(0, 3)).toEqual(['p21', 'p08', 'p12']);
    expect(order).toHaveLength(30);
    expect(order.at(-1)).toBe('p04');
    // Typing filters (q too, once a filter is typed); BSpace erases; Down moves within the matches.
    state = step(state, keys('p1')).state;
    expect(names(state)).toEqual(['p12', 'p10', 'p11', 'p13', 'p14', 'p15', 'p16', 'p17', 'p18', 'p19']);
    state = step(state, keys('\x1b[B\x1b[B')).state;
    expect(state.overview?.selected).toBe(2);
    ({ state, effects } = step(state, keys('\r')));
    expect(state.mode).toBe('normal');
    expect(state.overview).toBeUndefined();
    expect(state.focus).toBe('p11');
    expect(state.zoomed).toBe('p11');
    expect(layoutOf(state).panes.map((p) => p.id)).toEqual(['p11']);
  });

  it('closes with Escape, and with q when no filter is typed', () => {
    const open = step(town(thirty), keys('\x02w')).state;
    expect(step(open, keys('q')).state.mode).toBe('normal');
    expect(step(open, keys('\x1b')).state.mode).toBe('normal');
    const typed = step(open, keys('xq')).state;
    expect(typed.mode).toBe('overview');
    expect(typed.overview?.filter).toBe('xq');
    expect(names(typed)).toEqual([]);
  });

  it('with more polecats than rows, keeps the footer and says which are shown as the list scrolls', () => {
    const sixty = Array.from({ length: 60 }, (_, i) => pane(`cat${String(i).padStart(2, '0')}`));
    let state = step(town(sixty, 120, 50), keys('\x02w')).state;
    const draw = (s: ShellState): string[] =>
      overviewLines({ entries: overviewEntries({ panes: s.panes, since: s.since, facts: new Map(), beadTitles: new Map(), filter: '' }), overview: s.overview!, cols: 120, rows: 50, now: 0, lastLine: () => '', total: 60, prefix: 'C-b' }, defaultPalette);
    let lines = draw(state);
    expect(lines).toHaveLength(50);
    expect(stripAnsi(lines[49]!)).toMatch(/^ 60 polecats \(1–49 shown\) · type to filter · /);
    state = step(state, keys('\x1b[F')).state; // End
    lines = draw(state);
    expect(stripAnsi(lines[48]!)).toMatch(/^ {2}WORKING\s+cat59 /);
    expect(stripAnsi(lines[49]!)).toMatch(/^ 60 polecats \(12–60 shown\)/);
  });

  it('draws fifty polecats on a fifty-row terminal, one row each, every row exactly the width', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => pane(`cat${i}`, i === 49 ? 'waiting' : 'working'));
    const state = step(town(fifty, 120, 50), keys('\x02w')).state;
    const entries = overviewEntries({ panes: state.panes, since: state.since, facts: new Map([['cat49', { ahead: 2, mr: 'queued', step: 'release 2/5' }]]), beadTitles: new Map([['ct-cat49', 'Fix the login']]), filter: '' });
    const lines = overviewLines({ entries, overview: state.overview!, cols: 120, rows: 50, now: 1000 + 125_000, lastLine: (id) => (id === 'cat49' ? 'Do you want to proceed? (y/n)' : 'compiling…'), total: 50, prefix: 'C-b' }, defaultPalette);
    expect(lines).toHaveLength(50);
    for (const line of lines) expect(textWidth(stripAnsi(line))).toBe(120);
    const first = stripAnsi(lines[0]!);
    expect(first).toMatch(/^! WAITING\s+cat49\s+ct-cat49 \[release 2\/5\] Fix th…\s+Do you want to proceed\? \(y\/n\)\s+2m\s+\+2 queued/);
    expect(stripAnsi(lines[49]!)).toMatch(/^ {2}WORKING\s+cat48 /);
    // With a filter typed, the footer says so.
    const filtered = step(state, keys('cat4')).state;
    const withFooter = overviewLines({ entries: overviewEntries({ panes: filtered.panes, since: filtered.since, facts: new Map(), beadTitles: new Map(), filter: 'cat4' }), overview: filtered.overview!, cols: 120, rows: 50, now: 0, lastLine: () => '', total: 50, prefix: 'C-b' }, defaultPalette);
    expect(stripAnsi(withFooter[49]!)).toMatch(/^ 11 of 50 · filter: cat4▏ · /);
  });

  it('keeps when each polecat entered its status, and says how long', () => {
    let state = town([pane('a'), pane('b')], 200, 50, 1000);
    state = step(state, { type: 'panes', panes: [pane('a', 'waiting'), pane('b')], at: 5000 }).state;
    expect(state.since.get('a')).toBe(5000);
    expect(state.since.get('b')).toBe(1000);
    expect([age(42_000), age(180_000), age(7_500_000), age(3 * 86_400_000)]).toEqual(['42s', '3m', '2h05', '3d']);
  });

  it('reads the last line of a screen that says something', () => {
    expect(lastMeaningfulLine(['\x1b[1mRunning tests\x1b[0m', '  ✓ 12 passed   in 3s ', '╭──────╮', '│ >    │', '╰──────╯', '   ', '⠋'])).toBe('✓ 12 passed in 3s');
    expect(lastMeaningfulLine(['', ' '])).toBe('');
  });

  it('takes merge request states and molecule steps from the journal', () => {
    const bead = (id: string, extra: Partial<BeadView> = {}): BeadView => ({ id, title: id, type: 'step', parent: null, updated_at: '2026-01-01', ...extra }) as BeadView;
    const mr = (state: string, at: string): MergeRequestView => ({ id: `mr-${at}`, type: 'merge_request', polecat: 'nux', branch: 'polecat/nux/ct-2', state, updated_at: at }) as unknown as MergeRequestView;
    const facts = journalFacts(
      {
        beads: [bead('ct-1', { type: 'epic', molecule: 'release' }), bead('ct-1.1', { parent: 'ct-1' }), bead('ct-2', { parent: 'ct-1' }), bead('ct-1.2', { parent: 'ct-1' })],
        mergeRequests: [mr('rejected', '2026-01-01'), mr('queued', '2026-01-02')],
      },
      [pane('nux', 'working', { bead: 'ct-2', branch: 'polecat/nux/ct-2' })],
    );
    expect(facts.get('nux')).toEqual({ mr: 'queued', step: 'release 3/3' });
  });
});

describe('attention and pages', () => {
  it('rings once when polecats turn waiting or stuck, not again while they stay so, not for those already waiting at attach', () => {
    let state = town([pane('a', 'waiting'), pane('b'), pane('c')]);
    const turned = step(state, { type: 'panes', panes: [pane('a', 'waiting'), pane('b', 'waiting'), pane('c', 'stuck')], at: 2000 });
    expect(turned.effects).toEqual([{ type: 'attention', panes: ['b', 'c'] }]);
    state = turned.state;
    expect(step(state, { type: 'panes', panes: [pane('a', 'waiting'), pane('b', 'waiting'), pane('c', 'waiting')], at: 3000 }).effects).toEqual([]);
    expect(step(state, { type: 'panes', panes: [pane('a', 'working'), pane('b', 'waiting'), pane('c', 'stuck')], at: 3000 }).effects).toEqual([]);
  });

  it('flags a page holding a waiting polecat, and a page with output not seen, in the status bar; the title bar flags the pane', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
    let state = town(ids.map((id) => pane(id, id === 'p12' ? 'waiting' : 'working')), 160, 46);
    state = step(state, { type: 'activity', pane: 'p20' }, { type: 'activity', pane: 'p2' }).state;
    // p2 is on the page shown: no flag for it.
    expect([...state.activity]).toEqual(['p20']);
    const tabs = pageTabs(layoutOf(state), state.panes, state.activity, defaultPalette);
    expect(tabs.text).toBe(' 1* 2! 3# │');
    // Showing page 3 clears its activity.
    state = step(state, keys('\x023')).state;
    expect(pageTabs(layoutOf(state), state.panes, state.activity, defaultPalette).text).toBe(' 1 2! 3* │');
    const bar = stripAnsi(titleBar({ pane: pane('p12', 'waiting'), number: 12, width: 60, focused: false, zoomed: false, copyMode: false }, defaultPalette));
    expect(bar.startsWith('!12 p12')).toBe(true);
  });

  it('flags a page whose program rang the bell with ! (tmux’s bell flag), apart from activity #, until it is shown; the bell rings through', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
    let state = town(ids.map((id) => pane(id)), 160, 46);
    const rang = step(state, { type: 'bell', pane: 'p12' }, { type: 'activity', pane: 'p20' }, { type: 'bell', pane: 'p1' });
    expect(rang.effects).toEqual([{ type: 'bell' }, { type: 'bell' }]);
    state = rang.state;
    // p1 is on the page shown: it rings, but flags nothing.
    expect([...state.bells]).toEqual(['p12']);
    expect(pageTabs(layoutOf(state), state.panes, state.activity, defaultPalette, state.bells).text).toBe(' 1* 2! 3# │');
    state = step(state, keys('\x022')).state;
    expect(state.bells.size).toBe(0);
    expect(pageTabs(layoutOf(state), state.panes, state.activity, defaultPalette, state.bells).text).toBe(' 1 2* 3# │');
  });

  it('fits the page list in half a narrow bar: whole tabs around the page shown, < and > for the rest (! when one of them needs you)', () => {
    // 60×15 with panels hidden: a pane a page, 20 pages; 30 cells for the list.
    const ids = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
    let state = town(ids.map((id) => pane(id, id === 'p18' ? 'waiting' : 'working')), 60, 15);
    state = step(state, keys('\x025')).state;
    const layout = layoutOf(state);
    expect(layout.pages).toHaveLength(20);
    const tabs = pageTabs(layout, state.panes, state.activity, defaultPalette).text;
    expect(tabs.length).toBeLessThanOrEqual(30);
    expect(tabs).toMatch(/^ 1 2 3 4 5\* 6( \d+)* >! │$/);
    // Whole tabs only: every number between the markers is a page, in order, around page 5.
    const shown = [...tabs.matchAll(/ (\d+)/g)].map((m) => Number(m[1]));
    expect(shown).toContain(5);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => shown[0]! + i));
    // The last page shown: no > marker, and the list ends with the separator.
    state = step(state, keys('\x02p'), keys('\x02p'), keys('\x02p'), keys('\x02p'), keys('\x02p')).state;
    expect(layoutOf(state).page).toBe(19);
    expect(pageTabs(layoutOf(state), state.panes, state.activity, defaultPalette).text).toMatch(/^ <( \d+!?)* 20\* │$/);
  });

  it('takes the time in a status from the daemon (statusSince), not from when this client first saw it', () => {
    const state = town([pane('a', 'waiting', { statusSince: 500 }), pane('b', 'waiting')], 200, 50, 10_000);
    const entries = overviewEntries({ panes: state.panes, since: state.since, facts: state.facts, beadTitles: state.beadTitles, filter: '' });
    expect(entries.map((e) => [e.pane.id, e.since])).toEqual([
      ['a', 500],
      ['b', 10_000],
    ]);
  });

  it('writes a terminal notification only when asked, with control characters taken out', () => {
    expect(notification(undefined, 'x')).toBe('');
    expect(notification('off', 'x')).toBe('');
    expect(notification('osc9', 'nux needs you\x1b]\x07')).toBe('\x1b]9;nux needs you ] \x07');
    expect(notification('osc777', 'a; b')).toBe('\x1b]777;notify;citadel;a  b\x07');
  });
});

describe('the help overlay', () => {
  it('scrolls when it is taller than the screen, down to its last line and back', async () => {
    const { helpGeometry } = await import('../../../src/tui/shell/update.js');
    let state = step(town([pane('a')], 120, 30), keys('\x02?')).state;
    expect(state.mode).toBe('help');
    const { max, page, lines } = helpGeometry(state);
    expect(max).toBeGreaterThan(0);
    state = step(state, keys('j')).state;
    expect(state.helpTop).toBe(1);
    state = step(state, keys('G')).state;
    expect(state.helpTop).toBe(max);
    // The last line of the help is reachable.
    expect(lines.slice(max, max + page)).toContain(lines.at(-1));
    state = step(state, keys('\x1b[5~')).state;
    expect(state.helpTop).toBe(max - page);
    state = step(state, keys('g')).state;
    expect(state.helpTop).toBe(0);
    expect(step(state, keys('q')).state.mode).toBe('normal');
  });
});
