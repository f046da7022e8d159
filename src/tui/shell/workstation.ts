import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { PaneInfo, RowFrame } from '../../daemon/protocol.js';
import { paletteFor, paletteFromTokens, type ChromePalette } from '../chrome/palette.js';
import type { PaneSource } from '../client/pane-source.js';
import type { CopyState } from '../copy/copy-state.js';
import { KeyParser, normalizeKeyName, type Key } from '../keys/key-parser.js';
import type { ScreenLayout } from '../layout/screen-layout.js';
import { osc52 } from '../render/ansi.js';
import { stripAnsi } from '../render/cells.js';
import { PaneScreen } from '../render/pane-screen.js';
import { branchDiff, mergedDiff, type MergedRef } from '../live/branch-diff.js';
import { commitsAhead } from '../live/commits-ahead.js';
import { notification } from '../render/notification.js';
import type { PolecatFacts } from '../overview/overview-entries.js';
import { sameLost, type LostPolecat } from '../live/lost-polecats.js';
import { PanelChannel } from './panel-channel.js';
import type { PaneModes } from './pane-input.js';
import type { PanelsModule, TownRef } from './panel-slot.js';
import { initialShellState, type ShellEffect, type ShellEvent, type ShellState } from './shell-state.js';
import { ShellView } from './shell-view.js';
import { update } from './update.js';
import { setFlagsFromString } from 'node:v8';

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
  /** The panels, when they are still loading (they get their column when they arrive). */
  readonly panelsLoading?: Promise<PanelsModule | undefined> | undefined;
  /**
   * The width the panels will take at `cols` columns (their remembered layout), kept
   * while they load: a different width would make the panes jump and resize every pty when the
   * panels arrive — late, on a loaded machine, after programs drew at the first size.
   */
  readonly panelsWidthWhileLoading?: ((cols: number) => number) | undefined;
  /** Where copy mode also writes the copied text (the fallback when OSC 52 is not honoured). */
  readonly copyFile: string;
  /** The polecats lost or exited that have none of these panes (live/lost-polecats.ts), if known. */
  readonly lostPolecats?: ((panes: ReadonlySet<string>) => LostPolecat[]) | undefined;
  /** A bead's title for the title bars, if known. */
  readonly beadTitle?: ((id: string) => string | undefined) | undefined;
  /** How long pty resizes wait for the terminal's size to settle. */
  readonly resizeDebounceMs?: number;
  /**
   * How long the first frame waits for the chrome (Ink) and the panels, so that attach shows
   * the final layout at once (default {@link FIRST_FRAME_WAIT_MS}); past it, the panes show with
   * a plain chrome and the rest takes over when it arrives.
   */
  readonly firstFrameWaitMs?: number;
  /** The main branch, for the overview's commits ahead (town config `mainBranch`; default main). */
  readonly mainBranch?: string | undefined;
  /** How long a chrome render waits for the echo of a key just sent to a pane (default 50 ms; shell-view.ts). */
  readonly echoHoldMs?: number | undefined;
  /** Receives a line per event (keys, writes, drains) when diagnosing (CITADEL_TUI_TRACE). */
  readonly trace?: ((line: string) => void) | undefined;
}

export type ExitReason = { readonly reason: 'detach' } | { readonly reason: 'closed'; readonly message: string };

/** How long a message stays on the message line. */
const MESSAGE_MS = 4000;
/** How long the first frame waits for Ink and the panels (they load in ~0.5 s, ~1.5 s under load). */
const FIRST_FRAME_WAIT_MS = 5000;
/** How long after the first frame V8's --optimize-for-size (bin/citadel.js) stays on. */
const START_SIZE_MS = 3000;
/** How often the open overview redraws its times (only while it is open: nothing ticks otherwise). */
const OVERVIEW_TICK_MS = 1000;

/**
 * The workstation's runner: the shell's state changes only in `update` (update.ts, pure); this
 * class feeds it events (parsed keys, the daemon's panes, frames, journal ticks, resizes),
 * carries out the effects it returns (input to a pane, scrollback, clipboard, detach, keys for
 * the panels), and draws what the state says (layout, chrome, overlays, message line) through
 * one compositor. `start` draws the first full frame; `exited` resolves on detach or when the
 * daemon goes away. The terminal's modes (alternate screen, raw input) are the caller's
 * (terminal/terminal-session.ts), so this runs in tests against in-memory streams.
 */
export class Workstation {
  private state: ShellState;
  private readonly view: ShellView;
  private readonly screens = new Map<string, PaneScreen>();
  private readonly subscribed = new Set<string>();
  private readonly panelChannel = new PanelChannel();
  private panels: PanelsModule | undefined;
  private palette: ChromePalette;
  private readonly parser = new KeyParser();
  private readonly decoder = new StringDecoder('utf8');
  private readonly disposers: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private resizeTimer: NodeJS.Timeout | undefined;
  private messageTimer: NodeJS.Timeout | undefined;
  private escapeTimer: NodeJS.Timeout | undefined;
  private overviewTick: NodeJS.Timeout | undefined;
  private factsRunning = false;
  private factsAgain = false;
  private resolveExit!: (reason: ExitReason) => void;
  private stopped = false;
  private panelsSet = false;
  /** Whether the first frame is out: before it, events change the state without drawing. */
  private shown = false;
  /** Resolves when the workstation ends: detach, or the daemon went away. */
  readonly exited: Promise<ExitReason>;

  constructor(private readonly options: WorkstationOptions) {
    this.palette = paletteFor(options.env);
    this.panels = options.panels;
    const { columns, rows } = options.stdout;
    // While the panels load, their column is kept at its usual width, so the panes do not jump.
    const loading = !options.panels && options.panelsLoading !== undefined;
    const panelsWidth = options.panels ? this.panelsWidthOf(options.panels, columns) : loading ? this.panelsWhileLoading(columns) : 0;
    this.state = initialShellState({
      cols: columns,
      rows,
      prefix: normalizeKeyName(options.prefixKey) ?? 'C-b',
      panels: options.panels?.Panels ? 'ready' : loading ? 'loading' : 'none',
      panelsWidth,
    });
    const output = {
      write: (data: string): boolean => {
        const ok = options.stdout.write(data);
        options.trace?.(`write ${data.length} ${ok ? 'ok' : 'FULL'}`);
        return ok;
      },
      onceDrain: (listener: () => void): void => {
        options.stdout.once('drain', () => {
          options.trace?.('drain');
          listener();
        });
      },
    };
    // The panels' callbacks: stable, so a render of the chrome does not re-run their effects.
    const slot = {
      input: this.panelChannel,
      notify: (text: string, kind?: 'info' | 'error'): void => this.notify(text, kind),
      setPanelsWidth: (width: number): void => this.dispatch({ type: 'panels-width', width }),
      focusPane: (pane?: string): void => this.dispatch({ type: 'focus-pane', pane }),
      showDiff: (polecat: string, branch: string, merged?: MergedRef): void => this.dispatch({ type: 'show-diff', polecat, branch, merged }),
    };
    this.view = new ShellView(this.state, output, this.screens, options.town, slot, this.palette, this.panels, { trace: options.trace, echoHoldMs: options.echoHoldMs });
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  private panelsWhileLoading(columns: number): number {
    return this.options.panelsWidthWhileLoading?.(columns) ?? Math.round(columns * 0.3);
  }

  private panelsWidthOf(panels: PanelsModule, columns: number): number {
    if (!panels.Panels) return 0;
    return panels.initialPanelsWidth?.(this.options.town, columns) ?? Math.round(columns * 0.3);
  }

  /** The panels arrived: their colors, their panels width, and their components in the chrome. */
  private setPanels(panels: PanelsModule | undefined): void {
    if (this.stopped || this.panelsSet) return;
    this.panelsSet = true;
    this.panels = panels;
    const tokens = this.options.env['NO_COLOR'] || !panels ? undefined : panels.chromeTokens?.(this.options.town, this.options.env);
    if (tokens) this.palette = paletteFromTokens(tokens, this.palette);
    const present = Boolean(panels?.Panels);
    this.view.setPanels(panels, this.palette);
    this.dispatch({ type: 'panels', present, panelsWidth: panels && present ? this.panelsWidthOf(panels, this.state.cols) : 0 });
    if (this.shown) this.view.renderChromeNow();
  }

  /** Connects to the panes, subscribes to every one, and draws the first complete frame. */
  async start(): Promise<void> {
    const { source, stdin, stdout } = this.options;
    // Trace times are the process's performance.now(): its origin lines them up with other clocks.
    this.options.trace?.(`clock origin epoch ${performance.timeOrigin.toFixed(1)}`);
    if (this.options.trace) this.traceStalls(this.options.trace);
    this.disposers.push(
      source.onFrame((frame) => this.onFrame(frame)),
      source.onPanes((panes) => this.setPanes(panes)),
      source.onJournal((seq) => {
        this.dispatch({ type: 'journal', seq, beadTitles: this.beadTitles(this.state.panes) });
        this.readLost();
      }),
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
    for (const p of panes) this.screens.set(p.id, new PaneScreen(p.id));
    this.state = update(this.state, { type: 'panes', panes, beadTitles: this.beadTitles(panes), at: Date.now() })[0];
    this.readLost();
    // Subscribe before the first draw, so the first frame shows every pane's whole screen.
    await Promise.all(panes.map((p) => this.subscribe(p.id)));
    // The final layout at once, as tmux attaches: the first frame waits for Ink and the panels
    // (keys typed meanwhile are kept), so there is no panes-only screen with another status
    // bar first. Past the wait, the panes show with a plain chrome and the rest follows.
    const panelsLoading = this.options.panelsLoading;
    const inkLoaded = this.view.loadInk();
    const everything = Promise.all([inkLoaded, panelsLoading?.then((panels) => this.setPanels(panels))]);
    const inTime = await firstOf(everything, this.options.firstFrameWaitMs ?? FIRST_FRAME_WAIT_MS);
    if (this.stopped) return;
    this.options.trace?.(inTime ? 'first frame: final layout' : 'first frame: plain chrome (Ink or the panels are late)');
    this.shown = true;
    this.view.draw(this.state, true);
    this.resizePanes();
    ready = true;
    for (const chunk of early.splice(0)) this.onInput(chunk);
    this.tickClock();
    // bin/citadel.js starts the workstation with V8's --optimize-for-size, which keeps start-up's
    // heap small (one pane 96–97 → 90–93 MB of RSS); left on, it cost CPU at 30 streaming panes
    // (4.1–4.3 → 5.2–5.4 % of a core), so it ends 3 s after the first frame.
    this.setTimer(() => setFlagsFromString('--no-optimize-for-size'), START_SIZE_MS);
    await everything; // settled already when in time; a failed import is the caller's, as before
  }

  /** CITADEL_TUI_TRACE: the event loop held over 20 ms, with the CPU time spent meanwhile (near its length: busy; far under: waiting for a core). */
  private traceStalls(trace: (line: string) => void): void {
    let tick = performance.now();
    let cpu = process.cpuUsage();
    const timer = setInterval(() => {
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      if (now - tick > 25) trace(`stall for ${(now - tick - 5).toFixed(1)} ms since ${tick.toFixed(1)}, cpu ${((used.user + used.system) / 1000).toFixed(1)} ms`);
      tick = now;
      cpu = process.cpuUsage();
    }, 5);
    timer.unref();
    this.disposers.push(() => clearInterval(timer));
  }

  /** The status bar's clock: at each minute, its five cells are patched (shell-view.ts tickClock); nothing else ticks. */
  private tickClock(): void {
    const now = new Date();
    const shown = clockText(now);
    this.setTimer(() => {
      this.view.tickClock(shown, clockText(new Date()));
      this.tickClock();
    }, 60_000 - (now.getSeconds() * 1000 + now.getMilliseconds()) + 5);
  }

  /** The current state (for tests). */
  get snapshot(): { state: ShellState; copy: CopyState | undefined; layout: ScreenLayout } {
    return { state: this.state, copy: this.state.copy, layout: this.view.layout };
  }

  /** Draws everything again (after the terminal was reset, e.g. on SIGCONT). */
  redraw(): void {
    this.view.invalidate();
  }

  /** Ends the workstation (as a detach). */
  stop(): void {
    this.finish({ reason: 'detach' });
  }

  /** Shows a line on the message line for a few seconds. */
  notify(text: string, kind: 'info' | 'error' = 'info'): void {
    this.dispatch({ type: 'notify', text, kind });
  }

  // ── update and effects ──────────────────────────────────────────────────────────────────

  private dispatch(event: ShellEvent): void {
    if (this.stopped) return;
    const [next, effects] = update(this.state, event);
    this.state = next;
    for (const effect of effects) this.run(effect);
    if (!this.stopped && this.shown && this.state !== this.view.drawn && this.view.draw(this.state)) this.scheduleResize();
    if (this.state.mode === 'overview' && !this.overviewTick && !this.stopped) this.tickOverview();
  }

  /** While the overview is open, its times move on once a second; closed, nothing ticks. */
  private tickOverview(): void {
    this.overviewTick = this.setTimer(() => {
      this.overviewTick = undefined;
      if (this.state.mode !== 'overview') return;
      this.view.refreshOverview();
      this.tickOverview();
    }, OVERVIEW_TICK_MS);
  }

  private run(effect: ShellEffect): void {
    if (this.stopped) return;
    switch (effect.type) {
      case 'input':
        this.options.source.input(effect.pane, effect.data);
        this.view.inputSent(effect.pane);
        this.options.trace?.(`sent input ${effect.pane} ${effect.data.length}`);
        return;
      case 'detach':
        this.finish({ reason: 'detach' });
        return;
      case 'redraw':
        // `prefix r` also sizes the panes shown for this terminal again, making it the daemon's
        // latest client (tmux's window-size latest), as tmux's refresh-client does.
        this.view.invalidate();
        this.resizePanes(true);
        return;
      case 'fetch-scrollback':
        void this.fetchScrollback(effect.pane);
        return;
      case 'clipboard':
        this.clipboard(effect.text);
        return;
      case 'panel-key':
        this.panelChannel.send({ kind: 'key', key: effect.key });
        return;
      case 'panel-action':
        this.panelAction(effect.action, effect.key);
        return;
      case 'attention':
        this.attention(effect.panes);
        return;
      case 'bell':
        this.options.stdout.write('\x07');
        return;
      case 'fetch-facts':
        void this.fetchFacts();
        return;
      case 'fetch-diff':
        void this.fetchDiff(effect.pane, effect.branch, effect.merged);
        return;
      case 'message-timer':
        if (this.messageTimer) this.clearTimer(this.messageTimer);
        this.messageTimer = this.setTimer(() => this.dispatch({ type: 'message-expired' }), MESSAGE_MS);
        return;
    }
  }

  /** A prefix action of the panels: the mounted panels take it, else the panels' module (every panel hidden). */
  private panelAction(action: Extract<ShellEffect, { type: 'panel-action' }>['action'], key: string): void {
    if (this.panelChannel.listening) {
      if (!this.panelChannel.send({ kind: 'action', action })) this.notify(`${this.state.prefix} ${key}: not available here`, 'error');
      return;
    }
    const width = this.panels?.hiddenPanelAction?.(this.options.town, action, this.state.cols);
    if (width === undefined) this.notify(`${this.state.prefix} ${key}: the panels are not loaded yet`, 'error');
    else this.dispatch({ type: 'panels-width', width });
  }

  /**
   * Polecats turned waiting or stuck: one BEL to the outer terminal (its bell, over SSH too),
   * and, when CITADEL_NOTIFY asks for it, a desktop notification by OSC 9 or OSC 777.
   */
  private attention(polecats: readonly string[]): void {
    const text = `citadel: ${polecats.join(', ')} ${polecats.length === 1 ? 'needs' : 'need'} you`;
    this.options.stdout.write('\x07' + notification(this.options.env['CITADEL_NOTIFY'], text));
  }

  /** `git diff main...branch` (what the branch changed since it left main), for copy mode. */
  private async fetchDiff(pane: string, branch: string, merged?: MergedRef): Promise<void> {
    const main = this.options.mainBranch ?? 'main';
    try {
      const lines = merged ? await mergedDiff(this.options.town.root, branch, merged) : await branchDiff(this.options.town.root, main, branch);
      this.dispatch({ type: 'diff', pane, lines });
    } catch (error) {
      this.notify(`diff of ${branch}: ${(error as Error).message}`, 'error');
    }
  }

  /** The overview's facts: the journal's (merge requests, steps) and git's (commits ahead), one fetch at a time. */
  private async fetchFacts(): Promise<void> {
    if (this.factsRunning) {
      this.factsAgain = true;
      return;
    }
    this.factsRunning = true;
    try {
      do {
        this.factsAgain = false;
        const panes = this.state.panes;
        let journal: ReadonlyMap<string, PolecatFacts> = new Map();
        try {
          journal = this.panels?.polecatFacts?.(this.options.town, panes) ?? journal;
        } catch {
          // a damaged journal: the overview shows what it has (the panels log the reason)
        }
        const branches = panes.flatMap((p) => (p.branch ? [p.branch] : []));
        const ahead = await commitsAhead(this.options.town.root, this.options.mainBranch ?? 'main', branches).catch(() => new Map<string, number>());
        const facts = new Map<string, PolecatFacts>();
        for (const p of panes) facts.set(p.id, { ...journal.get(p.id), ahead: p.branch ? ahead.get(p.branch) : undefined });
        this.dispatch({ type: 'facts', facts });
      } while (this.factsAgain && !this.stopped);
    } finally {
      this.factsRunning = false;
    }
  }

  private async fetchScrollback(pane: string): Promise<void> {
    let lines: string[];
    let wrapped: boolean[] | undefined;
    try {
      const got = await this.options.source.scrollback(pane);
      lines = got.lines.map(stripAnsi);
      wrapped = got.wrapped;
    } catch (error) {
      this.dispatch({ type: 'scrollback-failed', pane, error: (error as Error).message });
      return;
    }
    const screen = this.screens.get(pane);
    this.dispatch({ type: 'scrollback', pane, lines, wrapped, cursor: screen ? { x: screen.cursor.x, y: screen.cursor.y } : undefined });
  }

  /** Puts text on the clipboard through OSC 52 (works over SSH) and in the copy file. */
  private clipboard(text: string): void {
    this.options.stdout.write(osc52(text));
    const file = this.options.copyFile;
    let where: string;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text, { mode: 0o600 });
      where = ` and saved to ${file}`;
    } catch (error) {
      where = ` (saving to ${file} failed: ${(error as Error).message})`;
    }
    this.notify(`copied ${[...text].length} characters to the clipboard (OSC 52)${where}`);
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
        this.options.source.unsubscribe(id).catch(() => undefined);
        this.dispatch({ type: 'pane-gone', pane: id });
      }
    }
    for (const p of panes) void this.subscribe(p.id);
    this.dispatch({ type: 'panes', panes, beadTitles: this.beadTitles(panes), at: Date.now() });
    this.readLost();
  }

  /** The polecats lost or exited without a pane (read on the pane list's and the journal's changes, never on a timer). */
  private readLost(): void {
    const read = this.options.lostPolecats;
    if (!read || this.stopped) return;
    let lost: LostPolecat[];
    try {
      lost = read(new Set(this.state.panes.map((p) => p.id)));
    } catch {
      return;
    }
    if (!sameLost(lost, this.state.lost)) this.dispatch({ type: 'lost', lost });
  }

  private onFrame(frame: RowFrame): void {
    this.options.trace?.(`frame ${frame.pane} ${frame.full ? 'full' : 'rows'} ${frame.lines.length}`);
    const screen = this.screens.get(frame.pane);
    if (!screen) return;
    const titleBefore = screen.title;
    screen.apply(frame);
    // Output on a page not shown flags that page (tmux's activity `#`), once until it is shown;
    // a full frame is the screen as it was (a subscription, a resize), not new output.
    if (this.shown && !frame.full && !this.state.activity.has(frame.pane) && !this.view.layout.panes.some((p) => p.id === frame.pane)) this.dispatch({ type: 'activity', pane: frame.pane });
    if (frame.bell && this.shown) this.dispatch({ type: 'bell', pane: frame.pane });
    const modes = (frame as RowFrame & { modes?: PaneModes }).modes;
    // Every frame carries the modes; they change rarely (a program entering vim): only a change is an event.
    const known = this.state.paneModes.get(frame.pane);
    if (modes && (known?.applicationCursor !== modes.applicationCursor || known?.bracketedPaste !== modes.bracketedPaste)) this.dispatch({ type: 'pane-modes', pane: frame.pane, modes });
    if (screen.title !== titleBefore && screen.title !== undefined) this.dispatch({ type: 'pane-title', pane: frame.pane, title: screen.title });
    this.view.paneChanged(frame.pane);
  }

  /** The panes' beads' titles (read from the projections: I/O, so here and not in `update`). */
  private beadTitles(panes: readonly PaneInfo[]): ReadonlyMap<string, string> | undefined {
    const lookup = this.options.beadTitle;
    if (!lookup) return undefined;
    const titles = new Map(this.state.beadTitles);
    let changed = false;
    for (const p of panes) {
      if (!p.bead) continue;
      const title = lookup(p.bead);
      if (title !== undefined && titles.get(p.bead) !== title) {
        titles.set(p.bead, title);
        changed = true;
      }
    }
    return changed ? titles : undefined;
  }

  /** Sizes every visible pane's pty to its rectangle, once the terminal's size has settled. */
  private scheduleResize(): void {
    if (this.resizeTimer) this.clearTimer(this.resizeTimer);
    this.resizeTimer = this.setTimer(() => this.resizePanes(), this.options.resizeDebounceMs ?? 100);
  }

  private resizePanes(force = false): void {
    for (const pane of this.view.layout.panes) {
      const info = this.state.panes.find((p) => p.id === pane.id);
      const screen = this.screens.get(pane.id);
      const { width, height } = pane.body;
      if (width <= 0 || height <= 0) continue;
      const cols = screen && screen.cols > 0 ? screen.cols : info?.cols;
      const rows = screen && screen.rows > 0 ? screen.rows : info?.rows;
      if (cols === width && rows === height && !force) continue;
      this.options.source.resize(pane.id, width, height).catch((error: Error) => this.notify(`resize ${pane.id}: ${error.message}`, 'error'));
    }
  }

  private onResize(): void {
    const { columns, rows } = this.options.stdout;
    // While the panels load, their column follows the size as theirs will when they arrive.
    const panelsWhileLoading = this.state.panels === 'loading' ? this.panelsWhileLoading(columns) : undefined;
    // Once there, their width is recomputed from their remembered percentage at the new size.
    const panelsWidth = this.state.panels === 'ready' && this.panels ? this.panelsWidthOf(this.panels, columns) : undefined;
    this.dispatch({ type: 'resize', cols: columns, rows, panelsWhileLoading, panelsWidth });
  }

  // ── keys ─────────────────────────────────────────────────────────────────────────────────

  private onInput(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.options.trace?.(`input ${JSON.stringify(text)}`);
    if (this.escapeTimer) this.clearTimer(this.escapeTimer);
    this.onKeys(this.parser.feed(text));
    // An escape sequence cut between two reads is completed by the next one; if none comes
    // soon, the held bytes were keys of their own (a lone Escape, Alt-[).
    this.escapeTimer = this.setTimer(() => this.onKeys(this.parser.flush()), 25);
  }

  private onKeys(keys: readonly Key[]): void {
    if (keys.length === 0) return;
    this.options.trace?.(`keys ${this.state.mode} ${keys.map((k) => k.name).join(' ')}`);
    this.dispatch({ type: 'keys', keys });
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
    this.view.close();
    this.resolveExit(reason);
  }
}

/** "14:03", local time, as the status bar shows it. */
function clockText(date: Date): string {
  return date.toTimeString().slice(0, 5);
}

/** Whether `promise` settles within `ms` (its rejection counts as settled: the caller goes on). */
function firstOf(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
