import { copyReducer, enterCopyMode, selectedText, type CopyAction, type CopyState } from '../copy/copy-state.js';
import { helpLines } from '../chrome/help-lines.js';
import { overlayRect } from '../layout/overlay.js';
import { actionFor, bindings, isPanelAction, type CopyKeyAction, type OverviewKeyAction, type ShellAction } from '../keys/bindings.js';
import { needsPerson, overviewEntries, type OverviewEntry } from '../overview/overview-entries.js';
import { clampOverview, initialOverview, overviewListHeight, type OverviewState } from '../overview/overview-state.js';
import { encodeKeyName, type Key } from '../keys/key-parser.js';
import { encodeForPane } from './pane-input.js';
import type { PaneInfo } from '../../daemon/protocol.js';
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
  'copy-line-indentation': { type: 'indentation' },
  'copy-word-next': { type: 'word', forward: true },
  'copy-word-previous': { type: 'word', forward: false },
  'copy-word-end': { type: 'word-end' },
  'copy-space-word-next': { type: 'word', forward: true, spaces: true },
  'copy-space-word-previous': { type: 'word', forward: false, spaces: true },
  'copy-space-word-end': { type: 'word-end', spaces: true },
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

/** Where the help overlay is: its first line shown, the last first line possible, and its height. */
export function helpGeometry(state: ShellState): { top: number; max: number; page: number; lines: readonly string[] } {
  const lines = helpText(state.prefix);
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rect = overlayRect(layoutOf(state), width, lines.length + 2);
  // When the help is taller than the box, its last row says so (and where you are).
  const fits = lines.length <= rect.height - 2;
  const page = Math.max(1, rect.height - (fits ? 2 : 3));
  const max = Math.max(0, lines.length - page);
  return { top: Math.min(state.helpTop, max), max, page, lines };
}

let helpCache: { prefix: string; lines: string[] } | undefined;
function helpText(prefix: string): string[] {
  if (helpCache?.prefix !== prefix) helpCache = { prefix, lines: helpLines(bindings, prefix) };
  return helpCache.lines;
}

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
        if (this.state.panels === 'ready' && event.panelsWidth !== undefined) this.panelsWidth(event.panelsWidth);
        this.reduce({ type: 'resize', cols: event.cols, rows: event.rows });
        const body = this.focusedBody();
        if (this.state.copy && body) this.set({ copy: copyReducer(this.state.copy, { type: 'resize', width: body.width, height: body.height }) });
        return;
      }
      case 'panes':
        if (event.beadTitles) this.set({ beadTitles: event.beadTitles });
        this.statusClock(event.panes, event.at);
        this.reduce({ type: 'panes', panes: event.panes });
        this.seen();
        if (this.state.overview) {
          this.clampOverview();
          this.effects.push({ type: 'fetch-facts' });
        }
        return;
      case 'facts':
        this.set({ facts: event.facts });
        if (this.state.overview) this.clampOverview();
        return;
      case 'diff': {
        if (!this.state.panes.some((p) => p.id === event.pane)) return;
        // The zoom as it was before the diff (kept when a diff replaces another), given back on `q`.
        const restoreZoom = (this.state.mode === 'copy' ? this.state.copy?.restoreZoom : undefined) ?? { zoomed: this.state.zoomed !== undefined };
        if (this.state.mode === 'overview') this.closeOverview();
        this.reduce({ type: 'focus-pane', id: event.pane });
        if (this.state.keyboard === 'panels') this.reduce({ type: 'toggle-keyboard' });
        if (this.state.zoomed !== event.pane) this.set({ zoomed: event.pane });
        const body = this.focusedBody();
        if (!body) return;
        const copy = { ...enterCopyMode(event.lines.length > 0 ? event.lines : ['(no change against main yet)'], body.width, body.height), top: 0, cursor: { line: 0, col: 0 }, kind: 'diff' as const, restoreZoom };
        this.reduce({ type: 'mode', mode: 'copy' });
        this.set({ copy });
        return;
      }
      case 'show-diff': {
        // Over the polecat's own pane when it has one, else over the focused pane.
        const pane = this.state.panes.find((p) => p.polecat === event.polecat)?.id ?? this.state.focus;
        if (pane === undefined) this.notify(`no pane to show ${event.branch} over: sling or restart a polecat first`, 'error');
        else this.effects.push({ type: 'fetch-diff', pane, branch: event.branch, ...(event.merged ? { merged: event.merged } : {}) });
        return;
      }
      case 'bell':
        this.effects.push({ type: 'bell' });
        if (!this.state.bells.has(event.pane) && !layoutOf(this.state).panes.some((p) => p.id === event.pane)) {
          this.set({ bells: new Set(this.state.bells).add(event.pane) });
        }
        return;
      case 'activity':
        if (!this.state.activity.has(event.pane) && !layoutOf(this.state).panes.some((p) => p.id === event.pane)) {
          this.set({ activity: new Set(this.state.activity).add(event.pane) });
        }
        return;
      case 'journal':
        this.set({ journalSeq: event.seq, ...(event.beadTitles ? { beadTitles: event.beadTitles } : {}) });
        if (this.state.overview) this.effects.push({ type: 'fetch-facts' });
        return;
      case 'lost':
        this.set({ lost: event.lost });
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
        for (const key of ['activity', 'bells'] as const) {
          if (!this.state[key].has(event.pane)) continue;
          const left = new Set(this.state[key]);
          left.delete(event.pane);
          this.set({ [key]: left });
        }
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
        const copy = enterCopyMode(event.lines.length > 0 ? event.lines : [''], body.width, body.height, event.cursor, event.wrapped);
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
        else this.scrollHelp(key);
        return;
      case 'copy':
        this.copyKey(key);
        return;
      case 'overview':
        this.overviewKey(key);
        return;
    }
  }

  /**
   * Keeps the status clock (when each pane entered its status) and asks for attention when a
   * polecat turns waiting or stuck from a status that did not need a person: once per change.
   */
  private statusClock(panes: readonly PaneInfo[], at: number | undefined): void {
    const before = new Map(this.state.panes.map((p) => [p.id, p.status]));
    const since = new Map(this.state.since);
    const turned: string[] = [];
    let changed = false;
    const ids = new Set<string>();
    for (const p of panes) {
      ids.add(p.id);
      const old = before.get(p.id);
      if (old !== p.status || !since.has(p.id)) {
        since.set(p.id, at ?? since.get(p.id) ?? 0);
        changed = true;
      }
      if (old !== undefined && old !== p.status && needsPerson(p.status) && !needsPerson(old)) turned.push(p.polecat);
    }
    for (const id of [...since.keys()]) {
      if (!ids.has(id)) {
        since.delete(id);
        changed = true;
      }
    }
    if (changed) this.set({ since });
    if (turned.length > 0) this.effects.push({ type: 'attention', panes: turned });
  }

  /** The help overlay scrolls with the keys of the panels' help (the one table's `help` context). */
  private scrollHelp(key: Key): void {
    const { top, max, page } = helpGeometry(this.state);
    const moves: Record<string, number> = { 'cursor.down': 1, 'cursor.up': -1, 'cursor.pageDown': page, 'cursor.pageUp': -page, 'cursor.top': -Infinity, 'cursor.bottom': Infinity };
    const action = actionFor('help', key.name);
    const delta = action === undefined ? (key.name === 'Space' ? page : undefined) : moves[action];
    if (delta === undefined) return;
    const next = Math.max(0, Math.min(max, top + delta));
    if (next !== this.state.helpTop) this.set({ helpTop: next });
  }

  /** The page shown has been seen: its panes lose their activity and bell flags. */
  private seen(): void {
    if (this.state.activity.size === 0 && this.state.bells.size === 0) return;
    const shown = layoutOf(this.state).panes;
    for (const key of ['activity', 'bells'] as const) {
      const flags = this.state[key];
      if (!shown.some((p) => flags.has(p.id))) continue;
      const left = new Set(flags);
      for (const p of shown) left.delete(p.id);
      this.set({ [key]: left });
    }
  }

  /** The overview's rows now (sorted, filtered). */
  private entries(overview: OverviewState): OverviewEntry[] {
    const s = this.state;
    return overviewEntries({ panes: s.panes, since: s.since, facts: s.facts, beadTitles: s.beadTitles, filter: overview.filter });
  }

  private clampOverview(): void {
    const o = this.state.overview;
    if (!o) return;
    const count = this.entries(o).length;
    this.set({ overview: clampOverview(o, count, overviewListHeight(this.state.rows, count, o.filter).list) });
  }

  private openOverview(): void {
    this.reduce({ type: 'mode', mode: 'overview' });
    this.set({ overview: initialOverview });
    this.clampOverview();
    this.effects.push({ type: 'fetch-facts' });
  }

  /** Asks for the diff of a polecat's branch against main (shown in copy mode when it comes). */
  private diff(pane: string | undefined): void {
    const info = this.state.panes.find((p) => p.id === pane);
    if (!info) this.notify('no pane to show the changes of', 'error');
    else if (!info.branch) this.notify(`${info.polecat} has no branch: nothing to compare with main`, 'error');
    else this.effects.push({ type: 'fetch-diff', pane: info.id, branch: info.branch });
  }

  private closeOverview(): void {
    this.reduce({ type: 'mode', mode: 'normal' });
    this.set({ overview: undefined });
  }

  private overviewKey(key: Key): void {
    const o = this.state.overview;
    if (!o) {
      this.reduce({ type: 'mode', mode: 'normal' });
      return;
    }
    const count = this.entries(o).length;
    const page = overviewListHeight(this.state.rows, count, o.filter).list;
    const select = (selected: number): void => this.set({ overview: { ...o, selected } });
    const filter = (text: string): void => this.set({ overview: { ...o, filter: text, selected: 0, top: 0 } });
    const action = actionFor('overview', key.name) as OverviewKeyAction | undefined;
    if (key.name === this.state.prefix || (key.name === 'q' && o.filter === '')) {
      this.closeOverview();
      return;
    }
    switch (action) {
      case 'overview-close':
        this.closeOverview();
        return;
      case 'overview-open': {
        const entry = this.entries(o)[o.selected];
        this.closeOverview();
        if (entry) {
          this.reduce({ type: 'focus-pane', id: entry.pane.id });
          if (this.state.zoomed !== entry.pane.id) this.set({ zoomed: entry.pane.id });
          this.seen();
        }
        return;
      }
      case 'overview-diff': {
        const entry = this.entries(o)[o.selected];
        if (entry) this.diff(entry.pane.id);
        return;
      }
      case 'overview-up':
        select(o.selected - 1);
        break;
      case 'overview-down':
        select(o.selected + 1);
        break;
      case 'overview-page-up':
        select(o.selected - page);
        break;
      case 'overview-page-down':
        select(o.selected + page);
        break;
      case 'overview-top':
        select(0);
        break;
      case 'overview-bottom':
        select(count - 1);
        break;
      case 'overview-erase':
        filter([...o.filter].slice(0, -1).join(''));
        break;
      case 'overview-clear':
        filter('');
        break;
      case undefined: {
        const text = key.name === 'Space' ? ' ' : key.name === 'paste' ? key.raw.replace(/[\r\n\t]+/g, ' ') : [...key.name].length === 1 ? key.name : '';
        if (text) filter(o.filter + text);
        break;
      }
    }
    this.clampOverview();
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
        // A zoomed lone pane takes the whole screen: hidden panels cannot keep the keyboard.
        if (this.state.keyboard === 'panels' && !layoutOf(this.state).panels) this.reduce({ type: 'toggle-keyboard' });
        this.seen();
        return;
      case 'focus-up':
      case 'focus-down':
      case 'focus-left':
      case 'focus-right':
        this.reduce({ type: 'focus-direction', direction: action.slice('focus-'.length) as 'up' });
        return;
      case 'focus-next':
        this.reduce({ type: 'focus-cycle', delta: 1 });
        this.seen();
        return;
      case 'focus-previous':
        this.reduce({ type: 'focus-cycle', delta: -1 });
        this.seen();
        return;
      case 'page-number':
        this.reduce({ type: 'page-number', n: Number(key.name) });
        this.seen();
        if (this.state.message && this.state.message !== s.message) this.effects.push({ type: 'message-timer' });
        return;
      case 'page-next':
      case 'page-previous':
        this.reduce({ type: 'page-cycle', delta: action === 'page-next' ? 1 : -1 });
        this.seen();
        return;
      case 'overview':
        this.openOverview();
        return;
      case 'diff':
        this.diff(s.focus);
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
        this.set({ helpTop: 0 });
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
    if (what === 'exit') this.leaveCopy(copy);
    else if (what === 'escape') {
      if (copy.selection) this.copy({ type: 'clear-selection' });
      else this.leaveCopy(copy);
    } else if (what === 'yank') {
      const text = selectedText(copy);
      if (text === undefined) {
        this.copy({ type: 'begin-selection', lineMode: false });
        return;
      }
      this.leaveCopy(copy);
      this.set({ copyBuffer: text });
      this.effects.push({ type: 'clipboard', text });
    } else this.copy(what);
  }

  /** Leaves copy mode; a diff gives the zoom back as it was before it opened. */
  private leaveCopy(copy: CopyState): void {
    this.reduce({ type: 'mode', mode: 'normal' });
    if (copy.restoreZoom && !copy.restoreZoom.zoomed && this.state.zoomed !== undefined) this.set({ zoomed: undefined });
  }

  private copy(action: CopyAction): void {
    if (this.state.copy) this.set({ copy: copyReducer(this.state.copy, action) });
  }
}
