import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { PaneInfo, RowFrame } from '../../daemon/protocol.js';
import type { ChromeProps } from '../chrome/Chrome.js';
import type { InkChrome } from '../chrome/ink-chrome.js';
import { plainChromeFrame } from '../chrome/plain-chrome.js';
import type { GridChromeInput } from '../chrome/grid-chrome.js';
import { helpLines } from '../chrome/help-lines.js';
import { paletteFor, paletteFromTokens, SGR_RESET, type ChromePalette } from '../chrome/palette.js';
import type { PaneSource } from '../client/pane-source.js';
import { copyReducer, enterCopyMode, selectedText, type CopyAction, type CopyState } from '../copy/copy-state.js';
import { renderCopyView } from '../copy/copy-view.js';
import { allBindings, dispatchExtensionAction, findBinding, isCoreAction, type CoreAction } from '../keys/bindings.js';
import { KeyParser, encodeKeyName, normalizeKeyName, type Key } from '../keys/key-parser.js';
import { overlayRect } from '../layout/overlay.js';
import type { Rect } from '../layout/rect.js';
import type { ScreenLayout } from '../layout/screen-layout.js';
import { osc52 } from '../render/ansi.js';
import { stripAnsi } from '../render/cells.js';
import { Compositor } from '../render/compositor.js';
import { PaneScreen } from '../render/pane-screen.js';
import { PanelInput, VirtualStdout } from '../render/virtual-stdout.js';
import { encodeForPane, type PaneModes } from './pane-input.js';
import type { PanelsModule, TownRef } from './panel-slot.js';
import { initialWorkstationState, layoutOf, workstationReducer, type WorkstationAction, type WorkstationState } from './workstation-state.js';

/** The terminal the workstation draws on (process.stdout, or a test double). */
export interface TerminalLike {
  readonly columns: number;
  readonly rows: number;
  write(data: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** Where keys come from (process.stdin in raw mode, or a test double). */
export interface KeySourceLike {
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume?(): unknown;
}

export interface WorkstationOptions {
  readonly stdin: KeySourceLike;
  readonly stdout: TerminalLike;
  readonly source: PaneSource;
  readonly town: TownRef;
  /** The prefix key in tmux notation (town config `prefixKey`, default "C-b"). */
  readonly prefixKey: string;
  readonly env: NodeJS.ProcessEnv;
  readonly panels?: PanelsModule | undefined;
  /** The panels, when they are still loading (they get the sidebar when they arrive). */
  readonly panelsLoading?: Promise<PanelsModule | undefined> | undefined;
  /**
   * The width the panels' sidebar will take at `cols` columns (their remembered layout), kept
   * while they load: a different width would make the panes jump and resize every pty when the
   * panels arrive — late, on a loaded machine, after programs drew at the first size.
   */
  readonly sidebarWidthWhileLoading?: ((cols: number) => number) | undefined;
  /** Where copy mode also writes the copied text (the fallback when OSC 52 is not honoured). */
  readonly copyFile: string;
  /** A bead's title for the title bars, if known. */
  readonly beadTitle?: ((id: string) => string | undefined) | undefined;
  /** How long pty resizes wait for the terminal's size to settle. */
  readonly resizeDebounceMs?: number;
  /** Receives a line per event (keys, writes, drains) when diagnosing (CITADEL_TUI_TRACE). */
  readonly trace?: ((line: string) => void) | undefined;
}

export type ExitReason = { readonly reason: 'detach' } | { readonly reason: 'closed'; readonly message: string };

/** How long a message stays on the message line. */
const MESSAGE_MS = 4000;

/**
 * The workstation: panes from a {@link PaneSource}, chrome from Ink, one compositor writing the
 * terminal, keys routed by the prefix and the bindings. `start` draws the first full frame;
 * `exited` resolves on detach or when the daemon goes away. The terminal's modes (alternate
 * screen, raw input) are the caller's (terminal/terminal-session.ts), so this runs in tests
 * against in-memory streams.
 */
export class Workstation {
  private state: WorkstationState;
  private copy: CopyState | undefined;
  private readonly screens = new Map<string, PaneScreen>();
  private readonly modes = new Map<string, PaneModes>();
  private readonly subscribed = new Set<string>();
  private readonly compositor: Compositor;
  private readonly virtualStdout: VirtualStdout;
  private readonly panelInput = new PanelInput();
  private ink: InkChrome | undefined;
  private panels: PanelsModule | undefined;
  private palette: ChromePalette;
  private layout: ScreenLayout;
  private readonly parser = new KeyParser();
  private readonly decoder = new StringDecoder('utf8');
  private readonly prefix: string;
  private readonly beadTitles = new Map<string, string>();
  private readonly programTitles = new Map<string, string>();
  private journalSeq = 0;
  private copyBuffer = '';
  private helpLines: string[] = [];
  private readonly disposers: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resizeTimer: NodeJS.Timeout | undefined;
  private messageTimer: NodeJS.Timeout | undefined;
  private escapeTimer: NodeJS.Timeout | undefined;
  private resolveExit!: (reason: ExitReason) => void;
  private stopped = false;
  /** Resolves when the workstation ends: detach, or the daemon went away. */
  readonly exited: Promise<ExitReason>;

  constructor(private readonly options: WorkstationOptions) {
    this.prefix = normalizeKeyName(options.prefixKey) ?? 'C-b';
    this.palette = paletteFor(options.env);
    this.panels = options.panels;
    const { columns, rows } = options.stdout;
    // While the panels load, their column is kept at its usual width, so the panes do not jump.
    this.panelsPending = !options.panels && options.panelsLoading !== undefined;
    const sidebar = options.panels ? this.sidebarWidthOf(options.panels, columns) : this.panelsPending ? this.sidebarWhileLoading(columns) : 0;
    this.state = initialWorkstationState(columns, rows, sidebar);
    this.layout = layoutOf(this.state);
    this.compositor = new Compositor(
      {
        write: (data) => {
          const ok = options.stdout.write(data);
          options.trace?.(`write ${data.length} ${ok ? 'ok' : 'FULL'}`);
          return ok;
        },
        onceDrain: (listener) =>
          options.stdout.once('drain', () => {
            options.trace?.('drain');
            listener();
          }),
      },
      this.screens,
    );
    this.virtualStdout = new VirtualStdout(columns, Math.max(1, rows - 1), (frame) => this.compositor.setChrome(frame));
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /** Whether the panels are still loading (their sidebar's width is kept for them). */
  private panelsPending: boolean;

  private sidebarWhileLoading(columns: number): number {
    return this.options.sidebarWidthWhileLoading?.(columns) ?? Math.round(columns * 0.3);
  }

  private sidebarWidthOf(panels: PanelsModule, columns: number): number {
    if (!panels.Sidebar) return 0;
    return panels.initialSidebarWidth?.(this.options.town, columns) ?? Math.round(columns * 0.3);
  }

  /** The panels arrived: their colors, their sidebar width, and their components in the chrome. */
  private setPanels(panels: PanelsModule | undefined): void {
    if (this.stopped) return;
    this.panelsPending = false;
    this.panels = panels;
    const tokens = this.options.env['NO_COLOR'] || !panels ? undefined : panels.chromeTokens?.(this.options.town, this.options.env);
    if (tokens) this.palette = paletteFromTokens(tokens, this.palette);
    this.dispatch({ type: 'sidebar', width: panels ? this.sidebarWidthOf(panels, this.state.cols) : 0 });
    this.renderChrome(true);
  }

  /** Loads Ink (slow to import) after the first frame, then lets it draw the chrome. */
  private async loadInk(): Promise<void> {
    const { mountInkChrome } = await import('../chrome/ink-chrome.js');
    if (this.stopped) return;
    this.ink = mountInkChrome(this.virtualStdout as unknown as NodeJS.WriteStream, this.panelInput as unknown as NodeJS.ReadStream, this.chromeProps());
    this.lastChromeAt = performance.now();
  }

  /** Connects to the panes, subscribes to every one, and draws the first complete frame. */
  async start(): Promise<void> {
    const { source, stdin, stdout } = this.options;
    this.disposers.push(
      source.onFrame((frame) => this.onFrame(frame)),
      source.onPanes((panes) => this.setPanes(panes)),
      source.onJournal((seq) => this.onJournal(seq)),
      source.onClose((reason) => this.finish({ reason: 'closed', message: reason ?? 'the town daemon went away' })),
    );
    // Keys typed while the panes load are kept and handled once there is a focused pane.
    const early: Array<Buffer | string> = [];
    let ready = false;
    const onData = (chunk: Buffer | string): void => {
      if (ready) this.onInput(chunk);
      else early.push(chunk);
    };
    const onResize = (): void => this.onResize();
    stdin.on('data', onData);
    stdout.on('resize', onResize);
    this.disposers.push(() => stdin.off('data', onData), () => stdout.off('resize', onResize));
    stdin.resume?.();
    const panes = await source.list();
    this.refreshBeadTitles(panes);
    this.state = workstationReducer(this.state, { type: 'panes', panes });
    // Subscribe before the first draw, so the first frame shows every pane's whole screen.
    await Promise.all(panes.map((p) => this.subscribe(p.id)));
    this.applyState(true);
    this.resizePanes();
    ready = true;
    for (const chunk of early.splice(0)) this.onInput(chunk);
    // The first frame is out (plain chrome); Ink and the panels take over when they have loaded.
    const panelsLoading = this.options.panelsLoading;
    await this.loadInk();
    if (panelsLoading) this.setPanels(await panelsLoading);
  }

  /** The current state (for tests). */
  get snapshot(): { state: WorkstationState; copy: CopyState | undefined; layout: ScreenLayout } {
    return { state: this.state, copy: this.copy, layout: this.layout };
  }

  /** Draws everything again (after the terminal was reset, e.g. on SIGCONT). */
  redraw(): void {
    this.compositor.invalidate();
  }

  /** Ends the workstation (as a detach). */
  stop(): void {
    this.finish({ reason: 'detach' });
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────

  private dispatch(action: WorkstationAction): void {
    const before = this.state;
    this.state = workstationReducer(this.state, action);
    if (this.state !== before) this.applyState(false);
  }

  /** Brings the chrome, the layout, the compositor and the message line in line with the state. */
  private applyState(force: boolean): void {
    if (this.stopped) return;
    const layout = layoutOf(this.state);
    const layoutChanged = force || !sameLayout(layout, this.layout);
    this.layout = layout;
    if (this.state.mode !== 'copy' && this.copy) this.leaveCopy();
    const help = this.state.mode === 'help' ? this.helpOverlay(layout) : undefined;
    this.help = help;
    this.virtualStdout.resize(layout.cols, Math.max(1, layout.rows - 1));
    // A new layout needs its chrome in the same batch; anything else (a badge, a title) waits
    // for the pane rows already queued, so an echo is never held behind a chrome render.
    this.renderChrome(layoutChanged || help !== undefined);
    if (layoutChanged) {
      this.compositor.setLayout(layout);
      this.scheduleResize();
    }
    this.compositor.setOccluders(help ? [help.rect] : []);
    this.compositor.setCursorPane(this.state.keyboard === 'panes' && this.state.mode !== 'help' ? this.state.focus : undefined);
    this.compositor.setMessage(this.messageLine());
  }

  private help: { rect: Rect; lines: readonly string[] } | undefined;
  private chromeTimer: NodeJS.Timeout | undefined;
  private lastChromeAt = -Infinity;

  /** Renders the chrome now, or soon (after queued pane rows, at most every 16 ms). */
  private renderChrome(now: boolean): void {
    if (now || !this.ink) {
      if (this.chromeTimer) this.clearTimer(this.chromeTimer);
      this.chromeTimer = undefined;
      this.lastChromeAt = performance.now();
      if (this.ink) this.ink.render(this.chromeProps());
      else this.compositor.setChrome(plainChromeFrame(this.gridInput(), this.palette, this.plainStatus()));
      return;
    }
    if (this.chromeTimer) return;
    const wait = Math.max(0, this.lastChromeAt + 16 - performance.now());
    this.chromeTimer = this.setTimer(() => {
      this.chromeTimer = undefined;
      this.renderChrome(true);
    }, wait);
  }

  private gridInput(): GridChromeInput {
    return {
      layout: this.layout,
      panes: this.state.panes,
      focus: this.state.focus,
      panesHaveKeyboard: this.state.keyboard === 'panes',
      zoomed: this.state.zoomed,
      copyMode: this.state.mode === 'copy',
      beadTitles: this.beadTitles,
      programTitles: this.programTitles,
    };
  }

  private plainStatus(): string {
    const n = this.state.panes.length;
    return ` citadel · ${this.options.town.name} │ ${n} pane${n === 1 ? '' : 's'}`;
  }

  private chromeProps(): ChromeProps {
    return {
      state: this.state,
      layout: this.layout,
      palette: this.palette,
      beadTitles: this.beadTitles,
      programTitles: this.programTitles,
      panels: this.panels,
      help: this.help,
      slot: {
        town: this.options.town,
        journalSeq: this.journalSeq,
        notify: (text, kind) => this.notify(text, kind),
        setSidebarWidth: (width) => this.dispatch({ type: 'sidebar', width }),
        focusPane: (pane) => {
          if (this.state.keyboard === 'panels') this.dispatch({ type: 'toggle-keyboard' });
          if (pane) this.dispatch({ type: 'focus-pane', id: pane });
        },
      },
      status: { town: this.options.town, journalSeq: this.journalSeq, prefixKey: this.prefix },
    };
  }

  private helpOverlay(layout: ScreenLayout): { rect: Rect; lines: readonly string[] } {
    this.helpLines = helpLines(allBindings(), this.prefix);
    const width = Math.max(...this.helpLines.map((l) => l.length)) + 4;
    return { rect: overlayRect(layout, width, this.helpLines.length + 2), lines: this.helpLines };
  }

  private messageLine(): string {
    const p = this.palette;
    const width = this.state.cols;
    let text: string;
    if (this.state.mode === 'prefix') {
      text = `${p.prefix} ${this.prefix} ${SGR_RESET}${p.message} d detach · z zoom · arrows/o focus · [ copy · Tab panels · ? help${SGR_RESET}`;
    } else if (this.state.mode === 'copy' && this.copy) {
      if (this.copy.prompt) text = `${p.prefix} ${this.copy.prompt.backward ? '?' : '/'} ${SGR_RESET} ${this.copy.prompt.text}`;
      else if (this.copy.message) text = `${p.error}${this.copy.message}${SGR_RESET}`;
      else text = `${p.prefix} COPY ${SGR_RESET}${p.message} arrows/hjkl move · Space select · Enter copy · / ? search · n N next · q quit${SGR_RESET}`;
    } else if (this.state.mode === 'help') {
      text = `${p.message}help: q, Escape or ? closes it${SGR_RESET}`;
    } else if (this.state.message) {
      text = `${this.state.message.kind === 'error' ? p.error : p.message}${this.state.message.text}${SGR_RESET}`;
    } else if (this.state.keyboard === 'panels') {
      text = `${p.message}keys go to the panels · ${this.prefix} Tab back to the panes${SGR_RESET}`;
    } else text = '';
    return clip(text, width);
  }

  /** Shows a line on the message line for a few seconds. */
  notify(text: string, kind: 'info' | 'error' = 'info'): void {
    this.dispatch({ type: 'message', text, kind });
    if (this.messageTimer) this.clearTimer(this.messageTimer);
    this.messageTimer = this.setTimer(() => this.dispatch({ type: 'clear-message' }), MESSAGE_MS);
  }

  // ── panes ────────────────────────────────────────────────────────────────────────────────

  private async subscribe(id: string): Promise<void> {
    if (this.subscribed.has(id)) return;
    this.subscribed.add(id);
    if (!this.screens.has(id)) this.screens.set(id, new PaneScreen(id));
    try {
      await this.options.source.subscribe(id);
    } catch (error) {
      this.subscribed.delete(id);
      this.notify(`cannot show pane ${id}: ${(error as Error).message}`, 'error');
    }
  }

  private setPanes(panes: PaneInfo[]): void {
    const ids = new Set(panes.map((p) => p.id));
    for (const id of [...this.subscribed]) {
      if (!ids.has(id)) {
        this.subscribed.delete(id);
        this.screens.delete(id);
        this.modes.delete(id);
        this.programTitles.delete(id);
        this.options.source.unsubscribe(id).catch(() => undefined);
      }
    }
    for (const p of panes) void this.subscribe(p.id);
    this.refreshBeadTitles(panes);
    this.dispatch({ type: 'panes', panes });
  }

  private onFrame(frame: RowFrame): void {
    this.options.trace?.(`frame ${frame.pane} ${frame.full ? 'full' : 'rows'} ${frame.lines.length}`);
    let screen = this.screens.get(frame.pane);
    if (!screen) return;
    const titleBefore = screen.title;
    screen.apply(frame);
    const modes = (frame as RowFrame & { modes?: PaneModes }).modes;
    if (modes) this.modes.set(frame.pane, modes);
    if (screen.title !== titleBefore && screen.title !== undefined) {
      this.programTitles.set(frame.pane, screen.title);
      this.applyState(false);
    }
    this.compositor.paneChanged(frame.pane);
    screen = undefined;
  }

  private onJournal(seq: number): void {
    this.journalSeq = seq;
    this.refreshBeadTitles(this.state.panes);
    this.applyState(false);
  }

  private refreshBeadTitles(panes: readonly PaneInfo[]): void {
    const lookup = this.options.beadTitle;
    if (!lookup) return;
    for (const p of panes) {
      if (!p.bead) continue;
      const title = lookup(p.bead);
      if (title !== undefined) this.beadTitles.set(p.bead, title);
    }
  }

  /** Sizes every visible pane's pty to its rectangle, once the terminal's size has settled. */
  private scheduleResize(): void {
    if (this.resizeTimer) this.clearTimer(this.resizeTimer);
    this.resizeTimer = this.setTimer(() => this.resizePanes(), this.options.resizeDebounceMs ?? 100);
  }

  private resizePanes(): void {
    for (const pane of this.layout.panes) {
      const info = this.state.panes.find((p) => p.id === pane.id);
      const screen = this.screens.get(pane.id);
      const { width, height } = pane.body;
      if (width <= 0 || height <= 0) continue;
      const cols = screen && screen.cols > 0 ? screen.cols : info?.cols;
      const rows = screen && screen.rows > 0 ? screen.rows : info?.rows;
      if (cols === width && rows === height) continue;
      this.options.source.resize(pane.id, width, height).catch((error: Error) => this.notify(`resize ${pane.id}: ${error.message}`, 'error'));
    }
  }

  private onResize(): void {
    const { columns, rows } = this.options.stdout;
    // While the panels load, their sidebar follows the size as theirs will when they arrive.
    if (this.panelsPending) this.dispatch({ type: 'sidebar', width: this.sidebarWhileLoading(columns) });
    this.dispatch({ type: 'resize', cols: columns, rows });
    if (this.copy) {
      const body = this.layout.panes.find((p) => p.id === this.state.focus)?.body;
      if (body) this.updateCopy({ type: 'resize', width: body.width, height: body.height });
    }
  }

  // ── keys ─────────────────────────────────────────────────────────────────────────────────

  private onInput(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.options.trace?.(`input ${JSON.stringify(text)}`);
    if (this.escapeTimer) this.clearTimer(this.escapeTimer);
    this.handleKeys(this.parser.feed(text));
    // An escape sequence cut between two reads is completed by the next one; if none comes
    // soon, the held bytes were keys of their own (a lone Escape, Alt-[).
    this.escapeTimer = this.setTimer(() => this.handleKeys(this.parser.flush()), 25);
  }

  /** Routes keys: consecutive keys for the focused pane go out as one write. */
  private handleKeys(keys: readonly Key[]): void {
    if (keys.length > 0) this.options.trace?.(`keys ${this.state.mode} ${keys.map((k) => k.name).join(' ')}`);
    let forPane = '';
    let target = this.state.focus;
    const flushPane = (): void => {
      if (forPane && target !== undefined) {
        const status = this.state.panes.find((p) => p.id === target)?.status;
        // The daemon refuses input to a pane whose program is gone: say so instead of dropping keys.
        if (status === 'exited' || status === 'lost') this.notify(`${target} has exited: \`citadel polecat restart ${target}\` starts it again`, 'error');
        else this.options.source.input(target, forPane);
      }
      forPane = '';
    };
    for (const key of keys) {
      if (this.stopped) return;
      if (this.state.mode === 'normal' && key.name !== this.prefix && this.state.keyboard === 'panes') {
        // A command key earlier in this chunk may have moved the focus.
        if (target !== this.state.focus) {
          flushPane();
          target = this.state.focus;
        }
        if (target === undefined) {
          if (key.name === 'C-c') this.notify(`${this.prefix} d detaches (agents keep running)`);
          continue;
        }
        forPane += encodeForPane(key, this.modes.get(target));
        continue;
      }
      flushPane();
      this.handleKey(key);
    }
    flushPane();
  }

  private handleKey(key: Key): void {
    switch (this.state.mode) {
      case 'normal':
        if (key.name === this.prefix) this.dispatch({ type: 'prefix' });
        else this.panelInput.write(key.name === 'paste' ? key.raw : key.raw);
        return;
      case 'prefix': {
        this.dispatch({ type: 'mode', mode: 'normal' });
        if (key.name === this.prefix) {
          this.runAction('send-prefix', key);
          return;
        }
        const binding = findBinding('prefix', key.name);
        if (binding) this.runAction(binding.action, key);
        else if (key.name !== 'Escape') this.notify(`${this.prefix} ${key.name} is not bound (${this.prefix} ? lists the keys)`, 'error');
        return;
      }
      case 'help':
        if (['q', 'Escape', '?', 'Enter', 'C-c'].includes(key.name)) this.dispatch({ type: 'mode', mode: 'normal' });
        return;
      case 'copy':
        this.copyKey(key);
        return;
    }
  }

  private runAction(action: string, key: Key): void {
    // The panels' "focus the panels" (prefix W) is the shell's to carry out: the keyboard moves.
    if (action === 'panels:focus.panels' && this.state.keyboard === 'panes' && this.panels?.Sidebar && this.state.sidebarWidth > 0) {
      this.dispatch({ type: 'toggle-keyboard' });
    }
    if (!isCoreAction(action)) {
      if (!dispatchExtensionAction(action, key.name)) this.notify(`${action}: not available yet`, 'error');
      return;
    }
    const a = action as CoreAction;
    switch (a) {
      case 'detach':
        this.finish({ reason: 'detach' });
        return;
      case 'zoom':
        this.dispatch({ type: 'zoom' });
        return;
      case 'focus-up':
      case 'focus-down':
      case 'focus-left':
      case 'focus-right':
        this.dispatch({ type: 'focus-direction', direction: a.slice('focus-'.length) as 'up' });
        return;
      case 'focus-next':
        this.dispatch({ type: 'focus-cycle', delta: 1 });
        return;
      case 'focus-previous':
        this.dispatch({ type: 'focus-cycle', delta: -1 });
        return;
      case 'focus-number':
        this.dispatch({ type: 'focus-number', n: Number(key.name) });
        return;
      case 'toggle-panels-focus':
        if (!this.panels?.Sidebar || this.state.sidebarWidth === 0) {
          this.notify('no panels to focus', 'error');
          return;
        }
        this.dispatch({ type: 'toggle-keyboard' });
        return;
      case 'copy-mode':
        void this.enterCopy();
        return;
      case 'paste-buffer':
        if (this.state.focus !== undefined && this.copyBuffer) {
          this.options.source.input(this.state.focus, encodeForPane({ name: 'paste', raw: this.copyBuffer }, this.modes.get(this.state.focus)));
        } else this.notify('nothing copied yet', 'error');
        return;
      case 'help':
        this.dispatch({ type: 'mode', mode: 'help' });
        return;
      case 'redraw':
        this.compositor.invalidate();
        return;
      case 'send-prefix': {
        const bytes = encodeKeyName(this.prefix);
        if (this.state.focus !== undefined && bytes !== undefined) this.options.source.input(this.state.focus, bytes);
        return;
      }
      default:
        return; // copy-mode actions outside copy mode
    }
  }

  // ── copy mode ────────────────────────────────────────────────────────────────────────────

  private async enterCopy(): Promise<void> {
    const id = this.state.focus;
    const body = id !== undefined ? this.layout.panes.find((p) => p.id === id)?.body : undefined;
    if (id === undefined || !body) {
      this.notify('no pane to copy from', 'error');
      return;
    }
    let lines: string[];
    try {
      lines = (await this.options.source.scrollback(id)).map(stripAnsi);
    } catch (error) {
      this.notify(`copy mode: ${(error as Error).message}`, 'error');
      return;
    }
    if (this.stopped || this.state.focus !== id) return;
    const screen = this.screens.get(id);
    const cursor = screen ? { x: screen.cursor.x, y: screen.cursor.y } : undefined;
    this.copy = enterCopyMode(lines.length > 0 ? lines : [''], body.width, body.height, cursor);
    this.dispatch({ type: 'mode', mode: 'copy' });
    this.compositor.setOverride(id, renderCopyView(this.copy));
    this.compositor.setMessage(this.messageLine());
  }

  private leaveCopy(): void {
    const id = this.state.focus;
    this.copy = undefined;
    for (const pane of this.screens.keys()) this.compositor.setOverride(pane, undefined);
    if (id !== undefined) this.compositor.setOverride(id, undefined);
  }

  private updateCopy(action: CopyAction): void {
    if (!this.copy || this.state.focus === undefined) return;
    this.copy = copyReducer(this.copy, action);
    this.compositor.setOverride(this.state.focus, renderCopyView(this.copy));
    this.compositor.setMessage(this.messageLine());
  }

  private copyKey(key: Key): void {
    const copy = this.copy;
    if (!copy) return;
    if (copy.prompt) {
      if (key.name === 'Enter') this.updateCopy({ type: 'prompt-submit' });
      else if (key.name === 'Escape' || key.name === 'C-c') this.updateCopy({ type: 'prompt-cancel' });
      else if (key.name === 'BSpace') this.updateCopy({ type: 'prompt-backspace' });
      else if (key.name === 'paste') this.updateCopy({ type: 'prompt-input', text: key.raw.replace(/[\r\n]+/g, ' ') });
      else if (key.name === 'Space') this.updateCopy({ type: 'prompt-input', text: ' ' });
      else if ([...key.name].length === 1) this.updateCopy({ type: 'prompt-input', text: key.name });
      return;
    }
    const binding = findBinding('copy', key.name);
    if (!binding) return;
    const half = 0.5;
    const actions: Partial<Record<string, CopyAction | 'exit' | 'yank' | 'escape'>> = {
      'copy-up': { type: 'move', lines: -1 },
      'copy-down': { type: 'move', lines: 1 },
      'copy-left': { type: 'move', cols: -1 },
      'copy-right': { type: 'move', cols: 1 },
      'copy-page-up': { type: 'page', pages: -1 },
      'copy-page-down': { type: 'page', pages: 1 },
      'copy-half-up': { type: 'page', pages: -half },
      'copy-half-down': { type: 'page', pages: half },
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
    const what = actions[binding.action];
    if (what === undefined) {
      dispatchExtensionAction(binding.action, key.name);
    } else if (what === 'exit') {
      this.dispatch({ type: 'mode', mode: 'normal' });
    } else if (what === 'escape') {
      if (copy.selection) this.updateCopy({ type: 'clear-selection' });
      else this.dispatch({ type: 'mode', mode: 'normal' });
    } else if (what === 'yank') {
      const text = selectedText(copy);
      if (text === undefined) {
        this.updateCopy({ type: 'begin-selection', lineMode: false });
        return;
      }
      this.dispatch({ type: 'mode', mode: 'normal' });
      this.yank(text);
    } else this.updateCopy(what);
  }

  /** Puts text on the clipboard through OSC 52 (works over SSH) and in the copy file. */
  private yank(text: string): void {
    this.copyBuffer = text;
    this.options.stdout.write(osc52(text));
    let where = '';
    try {
      mkdirSync(dirname(this.options.copyFile), { recursive: true });
      writeFileSync(this.options.copyFile, text, { mode: 0o600 });
      where = ` and saved to ${this.options.copyFile}`;
    } catch (error) {
      where = ` (saving to ${this.options.copyFile} failed: ${(error as Error).message})`;
    }
    this.notify(`copied ${[...text].length} characters to the clipboard (OSC 52)${where}`);
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────

  private setTimer(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  private finish(reason: ExitReason): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.compositor.close();
    this.ink?.unmount();
    this.panelInput.end();
    this.resolveExit(reason);
  }
}

function sameLayout(a: ScreenLayout, b: ScreenLayout): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Cuts a styled line to `width` cells (the message line never wraps). */
function clip(text: string, width: number): string {
  const plain = stripAnsi(text);
  if ([...plain].length <= width) return text;
  return [...plain].slice(0, Math.max(0, width - 1)).join('') + '…';
}
