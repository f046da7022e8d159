import { describe, expect, it } from 'vitest';
import type { PaneInfo } from '../../../src/daemon/protocol.js';
import { defaultPalette } from '../../../src/tui/chrome/palette.js';
import { bindings, shellBindings, type Action } from '../../../src/tui/keys/bindings.js';
import { KeyParser, type Key } from '../../../src/tui/keys/key-parser.js';
import { stripAnsi } from '../../../src/tui/render/cells.js';
import { messageLine } from '../../../src/tui/shell/message-line.js';
import { initialShellState, type ShellEffect, type ShellEvent, type ShellState } from '../../../src/tui/shell/shell-state.js';
import { layoutOf } from '../../../src/tui/shell/workstation-state.js';
import { step } from '../../helpers/shell-step.js';

/** The shell without a terminal: events in, state and effects out. */

const pane = (id: string, extra: Partial<PaneInfo> = {}): PaneInfo => ({ id, polecat: id, status: 'working', argv: [], cols: 40, rows: 10, ...extra });

function shell(panes = ['a', 'b', 'c', 'd'], patch: Partial<ShellState> = {}): ShellState {
  const state = initialShellState({ cols: 200, rows: 50, prefix: 'C-b', panels: 'ready', panelsWidth: 30 });
  return { ...step(state, { type: 'panes', panes: panes.map((p) => pane(p)) }).state, ...patch };
}


/** Bytes as the terminal sends them, parsed as the runner does. */
function keys(bytes: string): ShellEvent {
  const parser = new KeyParser();
  return { type: 'keys', keys: [...parser.feed(bytes), ...parser.flush()] };
}
const key = (name: string, raw = name): ShellEvent => ({ type: 'keys', keys: [{ name, raw } satisfies Key] });
const prefixed = (name: string): ShellEvent[] => [key('C-b', '\x02'), key(name)];
const message = (state: ShellState): string => stripAnsi(messageLine(state, defaultPalette));

describe('the shell update', () => {
  it('sends typed keys to the focused pane, consecutive keys as one write, encoded for its modes', () => {
    let { state, effects } = step(shell(), keys('ls\r\x1b[A'));
    expect(effects).toEqual([{ type: 'input', pane: 'a', data: 'ls\r\x1b[A' }]);
    state = step(state, { type: 'pane-modes', pane: 'a', modes: { applicationCursor: true, bracketedPaste: true } }).state;
    ({ effects } = step(state, keys('\x1b[A\x1b[200~pasted\x1b[201~')));
    expect(effects).toEqual([{ type: 'input', pane: 'a', data: '\x1bOA\x1b[200~pasted\x1b[201~' }]);
  });

  it('routes the keys after a focus change in the same chunk to the new pane', () => {
    const { state, effects } = step(shell(), keys('x\x02oy'));
    expect(state.focus).toBe('b');
    expect(effects).toEqual([
      { type: 'input', pane: 'a', data: 'x' },
      { type: 'input', pane: 'b', data: 'y' },
    ]);
  });

  it('says a pane has exited instead of sending to it, and how to detach without a pane', () => {
    const exited = shell(['a'], {});
    const gone = step(exited, { type: 'panes', panes: [pane('a', { status: 'exited' })] }).state;
    const typed = step(gone, keys('x'));
    expect(typed.effects).toEqual([{ type: 'message-timer' }]);
    expect(typed.state.message?.text).toMatch(/a has exited: `citadel polecat restart a`/);
    const none = step(shell([]), key('C-c', '\x03'));
    expect(none.state.message?.text).toBe('C-b d detaches (agents keep running)');
  });

  it('carries out every prefix binding of the shell', () => {
    const expectations: Record<string, (before: ShellState, after: ShellState, effects: ShellEffect[], key: string) => void> = {
      detach: (_b, _a, effects) => expect(effects).toEqual([{ type: 'detach' }]),
      help: (_b, after) => expect(after.mode).toBe('help'),
      redraw: (_b, _a, effects) => expect(effects).toEqual([{ type: 'redraw' }]),
      'toggle-panels-focus': (_b, after) => expect(after.keyboard).toBe('panels'),
      zoom: (_b, after) => expect(after.zoomed).toBe('a'),
      'focus-up': (before, after) => expect(after.focus).toBe(before.focus),
      'focus-down': (_b, after) => expect(after.focus).toBe('c'),
      'focus-left': (before, after) => expect(after.focus).toBe(before.focus),
      'focus-right': (_b, after) => expect(after.focus).toBe('b'),
      'focus-next': (_b, after) => expect(after.focus).toBe('b'),
      'focus-previous': (_b, after) => expect(after.focus).toBe('d'),
      // Four panes fit one page: n and p stay, 1 is this page, others do not exist.
      'page-next': (_b, after) => expect(after.focus).toBe('a'),
      'page-previous': (_b, after) => expect(after.focus).toBe('a'),
      'page-number': (_b, after, _e, k) => expect(after.message?.text).toBe(k === '1' ? undefined : `no page ${k} (1 page)`),
      diff: (_b, after) => expect(after.message?.text).toBe('a has no branch: nothing to compare with main'),
      overview: (_b, after, effects) => {
        expect(after.mode).toBe('overview');
        expect(effects).toEqual([{ type: 'fetch-facts' }]);
      },
      'copy-mode': (before, after, effects) => {
        expect(effects).toEqual([{ type: 'fetch-scrollback', pane: 'a' }]);
        expect(after.copyPending).toBe('a');
        expect(after.mode).toBe(before.mode);
      },
      'paste-buffer': (_b, after) => expect(after.message).toEqual({ text: 'nothing copied yet', kind: 'error' }),
    };
    const seen = new Set<Action>();
    for (const binding of shellBindings.filter((b) => b.context === 'prefix')) {
      for (const name of binding.keys) {
        const before = shell();
        const { state, effects } = step(before, ...prefixed(name));
        expect(state.mode === 'prefix', `${name} leaves prefix mode`).toBe(false);
        const check = expectations[binding.action];
        expect(check, `a check for ${binding.action}`).toBeDefined();
        check!(before, state, effects.filter((e) => e.type !== 'message-timer'), name);
        seen.add(binding.action);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(expectations).sort());
  });

  it('hands the panels their prefix actions, says when a key is not bound, and sends the prefix on a double prefix', () => {
    const panelKeys = bindings.filter((b) => b.context === 'prefix' && b.action.includes('.'));
    expect(panelKeys.length).toBeGreaterThan(0);
    for (const binding of panelKeys) {
      const { effects } = step(shell(), ...prefixed(binding.keys[0]!));
      expect(effects).toEqual([{ type: 'panel-action', action: binding.action, key: binding.keys[0] }]);
    }
    const unbound = step(shell(), ...prefixed('Q'));
    expect(unbound.state.message).toEqual({ text: 'C-b Q is not bound (C-b ? lists the keys)', kind: 'error' });
    expect(step(shell(), ...prefixed('Escape')).state.message).toBeUndefined();
    expect(step(shell(), keys('\x02\x02')).effects).toEqual([{ type: 'input', pane: 'a', data: '\x02' }]);
  });

  it('gives the keyboard to the panels and back: keys go to them, Escape they do not use comes back as focus-pane', () => {
    let { state } = step(shell(), ...prefixed('Tab'));
    expect(message(state)).toBe('keys go to the panels · C-b Tab back to the panes');
    const typed = step(state, keys('jb'));
    expect(typed.effects).toEqual([
      { type: 'panel-key', key: { name: 'j', raw: 'j' } },
      { type: 'panel-key', key: { name: 'b', raw: 'b' } },
    ]);
    state = step(state, { type: 'focus-pane', pane: 'c' }).state;
    expect(state.keyboard).toBe('panes');
    expect(state.focus).toBe('c');
    // Without panels (none, or still loading), there is nothing to focus.
    for (const panels of ['none', 'loading'] as const) {
      expect(step(shell(undefined, { panels }), ...prefixed('Tab')).state.message?.text).toBe('no panels to focus');
    }
  });

  it('shows the hints of the prefix and copy mode on the message line, from the bindings', () => {
    const { state } = step(shell(), key('C-b', '\x02'));
    expect(message(state)).toBe(' C-b  d detach · z zoom · arrows/o focus · w overview · n/p page · [ copy · Tab panels · ? help');
    expect(message({ ...state, cols: 20 })).toHaveLength(20);
  });

  it('closes the help with q, Escape, ?, Enter or C-c and ignores other keys', () => {
    const help = step(shell(), ...prefixed('?')).state;
    expect(message(help)).toBe('help: q, Escape or ? closes it');
    expect(step(help, keys('x')).state.mode).toBe('help');
    expect(step(help, keys('x')).effects).toEqual([]);
    for (const name of ['q', 'Escape', '?', 'Enter', 'C-c']) expect(step(help, key(name)).state.mode).toBe('normal');
  });

  it('copy mode: enters with the scrollback, moves, searches, selects, yanks to the clipboard and pastes it back', () => {
    const lines = ['first line', 'second line', 'third line with words'];
    let { state } = step(shell(['a']), ...prefixed('['));
    ({ state } = step(state, { type: 'scrollback', pane: 'a', lines, cursor: { x: 0, y: 2 } }));
    expect(state.mode).toBe('copy');
    expect(state.copy?.cursor).toEqual({ line: 2, col: 0 });
    expect(message(state)).toBe(' COPY  arrows/hjkl move · Space select · Enter copy · / ? search · n N next · q quit');
    ({ state } = step(state, keys('?second\r')));
    expect(state.copy?.cursor.line).toBe(1);
    ({ state } = step(state, keys('0v$')));
    expect(state.copy?.selection).toBeDefined();
    const yank = step(state, key('Enter', '\r'));
    expect(yank.effects).toEqual([{ type: 'clipboard', text: 'second line' }]);
    expect(yank.state.mode).toBe('normal');
    expect(yank.state.copy).toBeUndefined();
    const paste = step(yank.state, ...prefixed(']'));
    expect(paste.effects).toEqual([{ type: 'input', pane: 'a', data: 'second line' }]);
  });

  it('copy mode: Escape clears a selection first, then leaves; q leaves; a search prompt takes text', () => {
    let { state } = step(shell(['a']), ...prefixed('['), { type: 'scrollback', pane: 'a', lines: ['abc'] });
    ({ state } = step(state, keys('v')));
    ({ state } = step(state, key('Escape', '\x1b')));
    expect(state.mode).toBe('copy');
    expect(state.copy?.selection).toBeUndefined();
    expect(step(state, key('Escape', '\x1b')).state.mode).toBe('normal');
    expect(step(state, keys('q')).state.mode).toBe('normal');
    ({ state } = step(state, keys('/a b'), key('BSpace', '\x7f')));
    expect(message(state)).toBe(' /  a ');
    expect(step(state, key('Escape', '\x1b')).state.copy?.prompt).toBeUndefined();
    // y with nothing selected starts a selection rather than copying nothing.
    ({ state } = step(shell(['a']), ...prefixed('['), { type: 'scrollback', pane: 'a', lines: ['abc'] }, keys('y')));
    expect(state.copy?.selection).toBeDefined();
  });

  it('copy mode: a scrollback for a pane no longer focused is dropped; a failed one is said', () => {
    let { state } = step(shell(['a', 'b']), ...prefixed('['));
    ({ state } = step(state, ...prefixed('o'), { type: 'scrollback', pane: 'a', lines: ['x'] }));
    expect(state.mode).toBe('normal');
    expect(state.copy).toBeUndefined();
    ({ state } = step(shell(['a']), ...prefixed('['), { type: 'scrollback-failed', pane: 'a', error: 'no such pane' }));
    expect(state.message).toEqual({ text: 'copy mode: no such pane', kind: 'error' });
    expect(state.copyPending).toBeUndefined();
    expect(step(shell([]), ...prefixed('[')).state.message?.text).toBe('no pane to copy from');
  });

  it('copy mode ends when its pane goes away', () => {
    const { state } = step(shell(['a', 'b']), ...prefixed('['), { type: 'scrollback', pane: 'a', lines: ['x'] }, { type: 'panes', panes: [pane('b')] });
    expect(state.mode).toBe('normal');
    expect(state.copy).toBeUndefined();
  });

  it('resize: re-lays out, keeps the loading panels at the panels’ width, and resizes copy mode’s view', () => {
    let state = shell(['a'], { panels: 'loading' });
    ({ state } = step(state, { type: 'resize', cols: 80, rows: 24, panelsWhileLoading: 24 }));
    expect(state.panelsWidth).toBe(24);
    expect(layoutOf(state).cols).toBe(80);
    ({ state } = step(state, { type: 'panels', present: true, panelsWidth: 25 }));
    expect(state.panels).toBe('ready');
    ({ state } = step(state, { type: 'resize', cols: 100, rows: 30, panelsWhileLoading: 99 }));
    expect(state.panelsWidth).toBe(25);
    // Once there, the panels' width at the new size (their percentage) is taken.
    ({ state } = step(state, { type: 'resize', cols: 200, rows: 50, panelsWidth: 80 }));
    expect(state.panelsWidth).toBe(80);
    ({ state } = step(state, ...prefixed('['), { type: 'scrollback', pane: 'a', lines: ['x'] }));
    ({ state } = step(state, { type: 'resize', cols: 90, rows: 20 }));
    const body = layoutOf(state).panes[0]!.body;
    expect({ width: state.copy?.width, height: state.copy?.height }).toEqual({ width: body.width, height: body.height });
  });

  it('keeps titles and modes per pane, and forgets a pane that went away', () => {
    let { state } = step(shell(['a']), { type: 'pane-title', pane: 'a', title: 'vim' }, { type: 'pane-modes', pane: 'a', modes: { bracketedPaste: true } });
    expect(state.programTitles.get('a')).toBe('vim');
    const same = step(state, { type: 'pane-title', pane: 'a', title: 'vim' }, { type: 'pane-modes', pane: 'a', modes: { bracketedPaste: true } }).state;
    expect(same).toBe(state);
    ({ state } = step(state, { type: 'pane-gone', pane: 'a' }));
    expect(state.programTitles.has('a')).toBe(false);
    expect(state.paneModes.has('a')).toBe(false);
  });

  it('journal ticks and messages: the seq and titles follow, a message expires', () => {
    const ticked = step(shell(), { type: 'journal', seq: 7, beadTitles: new Map([['ct-1', 'Fix it']]) }, { type: 'notify', text: 'hello' });
    let { state } = ticked;
    const { effects } = ticked;
    expect(state.journalSeq).toBe(7);
    expect(state.beadTitles.get('ct-1')).toBe('Fix it');
    expect(effects).toEqual([{ type: 'message-timer' }]);
    expect(message(state)).toBe('hello');
    ({ state } = step(state, { type: 'message-expired' }));
    expect(state.message).toBeUndefined();
  });

  it('a width from the panels (0 hides them) re-lays out the panes', () => {
    const wide = step(shell(['a']), { type: 'panels-width', width: 0 }).state;
    expect(layoutOf(wide).panels).toBeUndefined();
    expect(layoutOf(wide).panes[0]!.tile.width).toBe(200);
    // Hidden while they had the keyboard: it comes back to the panes.
    const focused = step(shell(['a']), ...prefixed('Tab')).state;
    expect(focused.keyboard).toBe('panels');
    expect(step(focused, { type: 'panels-width', width: 0 }).state.keyboard).toBe('panes');
  });
});
