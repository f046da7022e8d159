import { copyReducer, enterCopyMode, selectedText, type CopyAction } from '../copy/copy-state.js';
import { actionFor, isPanelAction, type CopyKeyAction, type ShellAction } from '../keys/bindings.js';
import { encodeKeyName, type Key } from '../keys/key-parser.js';
import { encodeForPane } from './pane-input.js';
import type { ShellEffect, ShellEvent, ShellState } from './shell-state.js';
import { layoutOf, workstationReducer, type WorkstationAction } from './workstation-state.js';

/**
 * The shell's update (Bubble Tea's `update`): a pure function from the state and one event to
 * the next state and the effects the runner carries out (send to a pane, fetch a scrollback,
 * clipboard, detach…). Drawing is not an effect: the runner draws whatever the state says.
 */
export function update(state: ShellState, event: ShellEvent): [ShellState, ShellEffect[]] {
  const out = new Step(state);
  out.event(event);
  return [out.state, out.effects];
}

/** What the copy mode keys do to copy mode's view (built once; the special ones are the shell's). */
const copyActions: Readonly<Record<CopyKeyAction, CopyAction | 'exit' | 'yank' | 'escape'>> = {
  'copy-up': { type: 'move', lines: -1 },
  'copy-down': { type: 'move', lines: 1 },
  'copy-left': { type: 'move', cols: -1 },
  'copy-right': { type: 'move', cols: 1 },
  'copy-page-up': { type: 'page', pages: -1 },
  'copy-page-down': { type: 'page', pages: 1 },
  'copy-half-up': { type: 'page', pages: -0.5 },
  'copy-half-down': { type: 'page', pages: 0.5 },
  'copy-top': { type: 'top' },
  'copy-bottom': { type: 'bottom' },
  'copy-line-start': { type: 'line-start' },
  'copy-line-end': { type: 'line-end' },
  'copy-word-next': { type: 'word', forward: true },
  'copy-word-previous': { type: 'word', forward: false },
  'copy-search-forward': { type: 'prompt', backward: false },
  'copy-search-backward': { type: 'prompt', backward: true },
  'copy-search-next': { type: 'search-again', reverse: false },
  'copy-search-previous': { type: 'search-again', reverse: true },
  'copy-begin-selection': { type: 'begin-selection', lineMode: false },
  'copy-line-selection': { type: 'begin-selection', lineMode: true },
  'copy-clear-selection': 'escape',
  'copy-yank': 'yank',
  'copy-exit': 'exit',
};

/** Keys that close the shell's help overlay. */
const closesHelp = new Set(['q', 'Escape', '?', 'Enter', 'C-c']);

/** One update in progress: the state so far and the effects, in order. */
class Step {
  readonly effects: ShellEffect[] = [];
  constructor(public state: ShellState) {}

  private set(patch: Partial<ShellState>): void {
    this.state = { ...this.state, ...patch };
  }

  private reduce(action: WorkstationAction): void {
    this.state = workstationReducer(this.state, action);
    // Copy mode ends with its mode (a focus change, a pane gone).
    if (this.state.mode !== 'copy' && this.state.copy) this.set({ copy: undefined });
  }

  private notify(text: string, kind: 'info' | 'error' = 'info'): void {
    this.reduce({ type: 'message', text, kind });
    this.effects.push({ type: 'message-timer' });
  }

  /** Bytes for a pane; consecutive ones for the same pane go out as one write. */
  private input(pane: string, data: string): void {
    const last = this.effects.at(-1);
    if (last?.type === 'input' && last.pane === pane) this.effects[this.effects.length - 1] = { ...last, data: last.data + data };
    else this.effects.push({ type: 'input', pane, data });
  }

  event(event: ShellEvent): void {
    switch (event.type) {
      case 'keys':
        for (const key of event.keys) this.key(key);
        return;
      case 'resize': {
        if (this.state.panels === 'loading' && event.panelsWhileLoading !== undefined) this.reduce({ type: 'panels-width', width: event.panelsWhileLoading });
        this.reduce({ type: 'resize', cols: event.cols, rows: event.rows });
        const body = this.focusedBody();
        if (this.state.copy && body) this.set({ copy: copyReducer(this.state.copy, { type: 'resize', width: body.width, height: body.height }) });
        return;
      }
      case 'panes':
        if (event.beadTitles) this.set({ beadTitles: event.beadTitles });
        this.reduce({ type: 'panes', panes: event.panes });
        return;
      case 'journal':
        this.set({ journalSeq: event.seq, ...(event.beadTitles ? { beadTitles: event.beadTitles } : {}) });
        return;
      case 'pane-title':
        if (this.state.programTitles.get(event.pane) !== event.title) this.set({ programTitles: new Map(this.state.programTitles).set(event.pane, event.title) });
        return;
      case 'pane-modes': {
        const before = this.state.paneModes.get(event.pane);
        if (before?.applicationCursor !== event.modes.applicationCursor || before?.bracketedPaste !== event.modes.bracketedPaste) {
          this.set({ paneModes: new Map(this.state.paneModes).set(event.pane, event.modes) });
        }
        return;
      }
      case 'pane-gone': {
        const paneModes = new Map(this.state.paneModes);
        const programTitles = new Map(this.state.programTitles);
        const hadModes = paneModes.delete(event.pane);
        const hadTitle = programTitles.delete(event.pane);
        if (hadModes || hadTitle) this.set({ paneModes, programTitles });
        return;
      }
      case 'panels':
        this.set({ panels: event.present ? 'ready' : 'none' });
        this.panelsWidth(event.present ? event.panelsWidth : 0);
        return;
      case 'panels-width':
        this.panelsWidth(event.width);
        return;
      case 'focus-pane':
        if (this.state.keyboard === 'panels') this.reduce({ type: 'toggle-keyboard' });
        if (event.pane) this.reduce({ type: 'focus-pane', id: event.pane });
        return;
      case 'notify':
        this.notify(event.text, event.kind);
        return;
      case 'message-expired':
        this.reduce({ type: 'clear-message' });
        return;
      case 'scrollback': {
        const pending = this.state.copyPending;
        this.set({ copyPending: undefined });
        const body = this.focusedBody();
        // The focus moved on while the scrollback came: copy mode is not for that pane any more.
        if (pending !== event.pane || this.state.focus !== event.pane || !body) return;
        const copy = enterCopyMode(event.lines.length > 0 ? event.lines : [''], body.width, body.height, event.cursor);
        this.reduce({ type: 'mode', mode: 'copy' });
        this.set({ copy });
        return;
      }
      case 'scrollback-failed':
        this.set({ copyPending: undefined });
        this.notify(`copy mode: ${event.error}`, 'error');
        return;
    }
  }

  private panelsWidth(width: number): void {
    this.reduce({ type: 'panels-width', width });
    // Hidden panels cannot take keys: the keyboard goes back to the panes.
    if (this.state.panelsWidth === 0 && this.state.keyboard === 'panels') this.reduce({ type: 'toggle-keyboard' });
  }

  private focusedBody(): { width: number; height: number } | undefined {
    const id = this.state.focus;
    return id === undefined ? undefined : layoutOf(this.state).panes.find((p) => p.id === id)?.body;
  }

  private key(key: Key): void {
    const s = this.state;
    switch (s.mode) {
      case 'normal':
        if (key.name === s.prefix) this.reduce({ type: 'prefix' });
        else if (s.keyboard === 'panels') this.effects.push({ type: 'panel-key', key });
        else this.paneKey(key);
        return;
      case 'prefix':
        this.reduce({ type: 'mode', mode: 'normal' });
        this.prefixKey(key);
        return;
      case 'help':
        if (closesHelp.has(key.name)) this.reduce({ type: 'mode', mode: 'normal' });
        return;
      case 'copy':
        this.copyKey(key);
        return;
    }
  }

  /** A key for the focused pane's program, encoded as it asked (application cursor, bracketed paste). */
  private paneKey(key: Key): void {
    const pane = this.state.focus;
    if (pane === undefined) {
      if (key.name === 'C-c') this.notify(`${this.state.prefix} d detaches (agents keep running)`);
      return;
    }
    const status = this.state.panes.find((p) => p.id === pane)?.status;
    // The daemon refuses input to a pane whose program is gone: say so instead of dropping keys.
    if (status === 'exited' || status === 'lost') {
      this.notify(`${pane} has exited: \`citadel polecat restart ${pane}\` starts it again`, 'error');
      return;
    }
    this.input(pane, encodeForPane(key, this.state.paneModes.get(pane)));
  }

  private prefixKey(key: Key): void {
    const prefix = this.state.prefix;
    if (key.name === prefix) {
      // The prefix twice: the prefix itself, for the pane's program.
      const bytes = encodeKeyName(prefix);
      if (this.state.focus !== undefined && bytes !== undefined) this.input(this.state.focus, bytes);
      return;
    }
    const action = actionFor('prefix', key.name);
    if (action === undefined) {
      if (key.name !== 'Escape') this.notify(`${prefix} ${key.name} is not bound (${prefix} ? lists the keys)`, 'error');
    } else if (isPanelAction(action)) {
      this.effects.push({ type: 'panel-action', action, key: key.name });
    } else this.shellAction(action as ShellAction, key);
  }

  private shellAction(action: ShellAction, key: Key): void {
    const s = this.state;
    switch (action) {
      case 'detach':
        this.effects.push({ type: 'detach' });
        return;
      case 'zoom':
        this.reduce({ type: 'zoom' });
        return;
      case 'focus-up':
      case 'focus-down':
      case 'focus-left':
      case 'focus-right':
        this.reduce({ type: 'focus-direction', direction: action.slice('focus-'.length) as 'up' });
        return;
      case 'focus-next':
        this.reduce({ type: 'focus-cycle', delta: 1 });
        return;
      case 'focus-previous':
        this.reduce({ type: 'focus-cycle', delta: -1 });
        return;
      case 'focus-number':
        this.reduce({ type: 'focus-number', n: Number(key.name) });
        if (this.state.message && this.state.message !== s.message) this.effects.push({ type: 'message-timer' });
        return;
      case 'toggle-panels-focus':
        if (s.panels !== 'ready' || s.panelsWidth === 0) this.notify('no panels to focus', 'error');
        else this.reduce({ type: 'toggle-keyboard' });
        return;
      case 'copy-mode':
        if (s.focus === undefined || !this.focusedBody()) this.notify('no pane to copy from', 'error');
        else {
          this.set({ copyPending: s.focus });
          this.effects.push({ type: 'fetch-scrollback', pane: s.focus });
        }
        return;
      case 'paste-buffer':
        if (s.focus !== undefined && s.copyBuffer) this.input(s.focus, encodeForPane({ name: 'paste', raw: s.copyBuffer }, s.paneModes.get(s.focus)));
        else this.notify('nothing copied yet', 'error');
        return;
      case 'help':
        this.reduce({ type: 'mode', mode: 'help' });
        return;
      case 'redraw':
        this.effects.push({ type: 'redraw' });
        return;
    }
  }

  private copyKey(key: Key): void {
    const copy = this.state.copy;
    if (!copy) return;
    if (copy.prompt) {
      const name = key.name;
      if (name === 'Enter') this.copy({ type: 'prompt-submit' });
      else if (name === 'Escape' || name === 'C-c') this.copy({ type: 'prompt-cancel' });
      else if (name === 'BSpace') this.copy({ type: 'prompt-backspace' });
      else if (name === 'paste') this.copy({ type: 'prompt-input', text: key.raw.replace(/[\r\n]+/g, ' ') });
      else if (name === 'Space') this.copy({ type: 'prompt-input', text: ' ' });
      else if ([...name].length === 1) this.copy({ type: 'prompt-input', text: name });
      return;
    }
    const action = actionFor('copy', key.name);
    if (action === undefined) return;
    const what = copyActions[action as CopyKeyAction];
    if (what === 'exit') this.reduce({ type: 'mode', mode: 'normal' });
    else if (what === 'escape') {
      if (copy.selection) this.copy({ type: 'clear-selection' });
      else this.reduce({ type: 'mode', mode: 'normal' });
    } else if (what === 'yank') {
      const text = selectedText(copy);
      if (text === undefined) {
        this.copy({ type: 'begin-selection', lineMode: false });
        return;
      }
      this.reduce({ type: 'mode', mode: 'normal' });
      this.set({ copyBuffer: text });
      this.effects.push({ type: 'clipboard', text });
    } else this.copy(what);
  }

  private copy(action: CopyAction): void {
    if (this.state.copy) this.set({ copy: copyReducer(this.state.copy, action) });
  }
}
