import type { ChromeProps } from '../chrome/Chrome.js';
import type { GridChromeInput } from '../chrome/grid-chrome.js';
import type { InkChrome } from '../chrome/ink-chrome.js';
import type { ChromePalette } from '../chrome/palette.js';
import { gridChromeLines } from '../chrome/grid-chrome.js';
import { SGR_RESET } from '../chrome/palette.js';
import { plainChromeFrame } from '../chrome/plain-chrome.js';
import { renderCopyView } from '../copy/copy-view.js';
import { overlayRect } from '../layout/overlay.js';
import type { Rect } from '../layout/rect.js';
import type { ScreenLayout } from '../layout/screen-layout.js';
import { Compositor, type TerminalOutput } from '../render/compositor.js';
import type { PaneScreen } from '../render/pane-screen.js';
import { sliceCells } from '../render/cells.js';
import { SilentStdin, VirtualStdout } from '../render/virtual-stdout.js';
import { lastMeaningfulLine } from '../overview/last-line.js';
import { overviewEntries, overviewHosts } from '../overview/overview-entries.js';
import { overviewLines } from '../overview/overview-view.js';
import { pageTabs } from '../chrome/page-tabs.js';
import { messageLine } from './message-line.js';
import { helpGeometry } from './update.js';
import type { PanelSlotProps, PanelsModule, TownRef } from './panel-slot.js';
import type { ShellState } from './shell-state.js';
import { layoutOf } from './workstation-state.js';

/** What the panels get from the shell besides the state: the channel and the shell's callbacks. */
export type SlotWiring = Pick<PanelSlotProps, 'input' | 'notify' | 'setPanelsWidth' | 'focusPane' | 'showDiff'>;

/**
 * The shell's view (Bubble Tea's `view`): draws a ShellState — the layout, the chrome (plain
 * until Ink has loaded, then Ink, throttled), the help overlay, copy mode's view over its pane,
 * the cursor and the message line — through the one compositor that writes the terminal. It
 * never changes the state; the runner (workstation.ts) hands it each new one.
 */
export class ShellView {
  private state: ShellState;
  private current: ScreenLayout;
  private help: { rect: Rect; lines: readonly string[] } | undefined;
  private readonly compositor: Compositor;
  private readonly virtualStdout: VirtualStdout;
  private ink: InkChrome | undefined;
  private chromeTimer: NodeJS.Timeout | undefined;
  private lastChromeAt = -Infinity;
  /** Ink's last frame (kept while the overview covers the screen, to put back when it closes). */
  private inkFrame = '';
  /**
   * A key was just sent to this pane: a chrome render (Ink, tens of ms of one core, 100+ ms on a
   * loaded machine) waits until its echo's frame has come, or until `until`.
   */
  private awaitingEcho: { pane: string; until: number } | undefined;
  private overviewShown = false;
  private overviewTimer: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(
    state: ShellState,
    output: TerminalOutput,
    private readonly screens: Map<string, PaneScreen>,
    private readonly town: TownRef,
    private readonly slot: SlotWiring,
    private palette: ChromePalette,
    private panels: PanelsModule | undefined,
    private readonly options: {
      /** CITADEL_TUI_TRACE: a line per chrome render, with its time. */
      readonly trace?: ((line: string) => void) | undefined;
      /** How long a chrome render waits for the echo of a key just sent (default {@link ECHO_HOLD_MS}). */
      readonly echoHoldMs?: number | undefined;
    } = {},
  ) {
    this.state = state;
    this.current = layoutOf(state);
    this.compositor = new Compositor(output, screens);
    this.virtualStdout = new VirtualStdout(state.cols, Math.max(1, state.rows - 1), (frame) => {
      this.inkFrame = frame;
      if (!this.overviewShown) this.compositor.setChrome(this.chromeFrame());
    });
  }

  /** The layout last drawn. */
  get layout(): ScreenLayout {
    return this.current;
  }

  /** The state last drawn. */
  get drawn(): ShellState {
    return this.state;
  }

  /** The panels arrived: their components in the chrome, their colors (drawn with the next state). */
  setPanels(panels: PanelsModule | undefined, palette: ChromePalette): void {
    this.panels = panels;
    this.palette = palette;
  }

  /** Renders the chrome at once (not throttled). */
  renderChromeNow(): void {
    this.renderChrome(true);
  }

  /** Loads Ink (slow to import: after the first frame), then lets it draw the chrome. */
  async loadInk(): Promise<void> {
    const { mountInkChrome } = await import('../chrome/ink-chrome.js');
    if (this.closed) return;
    this.ink = mountInkChrome(this.virtualStdout as unknown as NodeJS.WriteStream, new SilentStdin() as unknown as NodeJS.ReadStream, this.chromeProps());
    this.lastChromeAt = performance.now();
  }

  /**
   * Draws `state`: everything on the first call (`force`), else what changed. Returns whether
   * the layout changed (the ptys then need new sizes).
   */
  draw(state: ShellState, force = false): boolean {
    if (this.closed) return false;
    const before = this.state;
    this.state = state;
    const layout = layoutOf(state);
    const layoutChanged = force || !sameLayout(layout, this.current);
    this.current = layout;
    if (state.mode === 'overview') {
      // The overview covers the whole screen, drawn by the compositor without Ink: a keystroke
      // is one pure update and one string per row (no React render on the way).
      this.overviewShown = true;
      this.compositor.setLayout({ ...layout, panes: [], dividers: [] });
      this.compositor.setCursorPane(undefined);
      this.drawOverview();
      return layoutChanged;
    }
    if (this.overviewShown) {
      this.overviewShown = false;
      force = true;
      if (this.ink) this.compositor.setChrome(this.chromeFrame());
    }
    this.help = state.mode === 'help' ? this.helpOverlay(layout) : undefined;
    this.virtualStdout.resize(layout.cols, Math.max(1, layout.rows - 1));
    // A new layout needs its chrome in the same batch; anything else (a badge, a title) waits
    // for the pane rows already queued, so an echo is never held behind a chrome render.
    // What only the grid's title bars show (focus, titles) is drawn without Ink: the grid's lines
    // are a pure function, laid over Ink's last frame (chromeFrame).
    const immediate = layoutChanged || force || this.help !== undefined;
    if (immediate || !this.ink || inkChanged(before, state)) this.renderChrome(immediate);
    else if (gridChanged(before, state)) this.compositor.setChrome(this.chromeFrame());
    if (layoutChanged || force) this.compositor.setLayout(layout);
    if (force || state.copy !== before.copy) {
      for (const pane of this.screens.keys()) this.compositor.setOverride(pane, undefined);
      if (state.copy && state.focus !== undefined) this.compositor.setOverride(state.focus, renderCopyView(state.copy));
    }
    this.compositor.setOccluders(this.help ? [this.help.rect] : []);
    this.compositor.setCursorPane(state.keyboard === 'panes' && state.mode !== 'help' ? state.focus : undefined);
    this.compositor.setMessage(messageLine(state, this.palette));
    return layoutChanged;
  }

  /** A key went to `pane`: chrome renders wait for its echo (at most {@link ECHO_HOLD_MS}). */
  inputSent(pane: string): void {
    this.awaitingEcho = { pane, until: performance.now() + (this.options.echoHoldMs ?? ECHO_HOLD_MS) };
  }

  /** A pane's screen changed: its rows go out with the next flush (the overview's last lines, once per turn). */
  paneChanged(pane: string): void {
    if (this.awaitingEcho?.pane === pane) this.awaitingEcho = undefined;
    if (this.overviewShown) {
      this.overviewTimer ??= setImmediate(() => {
        this.overviewTimer = undefined;
        if (this.overviewShown && !this.closed) this.drawOverview();
      });
      return;
    }
    this.compositor.paneChanged(pane);
  }

  /** The overview again (its times have moved on). */
  refreshOverview(): void {
    if (this.overviewShown && !this.closed) this.drawOverview();
  }

  private drawOverview(): void {
    const s = this.state;
    const o = s.overview;
    if (!o) return;
    const entries = overviewEntries({ panes: s.panes, since: s.since, facts: s.facts, beadTitles: s.beadTitles, filter: o.filter });
    const lines = overviewLines(
      {
        entries,
        overview: o,
        cols: s.cols,
        rows: s.rows,
        now: Date.now(),
        lastLine: (pane) => lastMeaningfulLine(this.screens.get(pane)?.lines ?? []),
        total: s.panes.length,
        prefix: s.prefix,
        lost: s.lost,
        hosts: overviewHosts(s.panes, s.facts),
      },
      this.palette,
    );
    this.compositor.setChrome(lines.slice(0, s.rows - 1).join('\n'));
    this.compositor.setMessage(lines[s.rows - 1] ?? '');
  }

  /**
   * The minute changed: the status bar's clock is patched in the chrome last drawn — five
   * cells, one row written — instead of a render of the whole chrome (Ink re-lays out and
   * redraws every panel for any change; once a minute on an idle machine that cost ~0.1 s of
   * CPU, most of the idle budget). The next render draws the time itself (StatusBar).
   */
  tickClock(before: string, now: string): void {
    if (this.closed || !this.ink || before === now) return;
    const lines = this.inkFrame.split('\n');
    let last = lines.length - 1;
    while (last > 0 && lines[last] === '') last--;
    const row = lines[last];
    const at = row?.lastIndexOf(before) ?? -1;
    if (row === undefined || at < 0) return;
    lines[last] = row.slice(0, at) + now + row.slice(at + before.length);
    this.inkFrame = lines.join('\n');
    if (!this.overviewShown) this.compositor.setChrome(this.chromeFrame());
  }

  /** Draws everything again (after the terminal was reset). */
  invalidate(): void {
    this.compositor.invalidate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.chromeTimer) clearTimeout(this.chromeTimer);
    if (this.overviewTimer) clearImmediate(this.overviewTimer);
    this.compositor.close();
    this.ink?.unmount();
  }

  /** Renders the chrome now, or soon (after queued pane rows, at most every 16 ms). */
  private renderChrome(now: boolean): void {
    if (this.closed || this.overviewShown) return;
    if (now || !this.ink) {
      if (this.chromeTimer) clearTimeout(this.chromeTimer);
      this.chromeTimer = undefined;
      const start = performance.now();
      this.lastChromeAt = start;
      if (this.ink) this.ink.render(this.chromeProps());
      else this.compositor.setChrome(plainChromeFrame(this.gridInput(), this.palette, this.plainStatus()));
      this.options.trace?.(`chrome ${this.ink ? 'ink' : 'plain'} ${(performance.now() - start).toFixed(1)} ms`);
      return;
    }
    if (this.chromeTimer) return;
    const wait = Math.max(0, this.lastChromeAt + 16 - performance.now());
    this.chromeTimer = setTimeout(() => this.renderChromeLater(), wait);
  }

  /** The throttled render's time has come: now, unless a key's echo is still on its way. */
  private renderChromeLater(): void {
    this.chromeTimer = undefined;
    const left = this.awaitingEcho ? this.awaitingEcho.until - performance.now() : 0;
    if (left > 0) {
      this.chromeTimer = setTimeout(() => this.renderChromeLater(), Math.min(left, 8));
      return;
    }
    this.awaitingEcho = undefined;
    this.renderChrome(true);
  }

  /**
   * The chrome to show: Ink's last frame with the grid's rows (title bars, dividers) drawn from
   * the current state over it — the same pure `gridChromeLines` Ink's tree draws, so a focus or
   * title change shows without an Ink render. Not while the help overlay covers the grid.
   */
  private chromeFrame(): string {
    const layout = this.current;
    if (this.help || layout.tooSmall || this.state.mode === 'overview') return this.inkFrame;
    const grid = gridChromeLines(this.gridInput(), this.palette);
    const lines = this.inkFrame.split('\n');
    const rest = layout.cols - layout.grid.width;
    for (let i = 0; i < grid.length; i++) {
      const y = layout.grid.y + i;
      const ink = lines[y];
      if (ink === undefined) continue;
      lines[y] = rest > 0 ? grid[i] + SGR_RESET + sliceCells(ink, layout.grid.width, rest) : grid[i]!;
    }
    return lines.join('\n');
  }

  private gridInput(): GridChromeInput {
    const s = this.state;
    return {
      layout: this.current,
      panes: s.panes,
      focus: s.focus,
      panesHaveKeyboard: s.keyboard === 'panes',
      zoomed: s.zoomed,
      copyMode: s.mode === 'copy',
      beadTitles: s.beadTitles,
      programTitles: s.programTitles,
      lost: s.lost,
    };
  }

  private tabs(): { text: string; styled: string } {
    return pageTabs(this.current, this.state.panes, this.state.activity, this.palette, this.state.bells);
  }

  private plainStatus(): string {
    const n = this.state.panes.length;
    return `${this.tabs().text} citadel · ${this.town.name} │ ${n} pane${n === 1 ? '' : 's'}`;
  }

  private chromeProps(): ChromeProps {
    const s = this.state;
    return {
      state: s,
      layout: this.current,
      palette: this.palette,
      beadTitles: s.beadTitles,
      programTitles: s.programTitles,
      lost: s.lost,
      panels: this.panels,
      help: this.help,
      pageTabs: this.tabs(),
      slot: { town: this.town, journalSeq: s.journalSeq, ...this.slot },
      status: { town: this.town, journalSeq: s.journalSeq, prefixKey: s.prefix },
    };
  }

  private helpOverlay(layout: ScreenLayout): { rect: Rect; lines: readonly string[] } {
    const { top, max, page, lines } = helpGeometry(this.state);
    const width = Math.max(...lines.map((l) => l.length)) + 4;
    const rect = overlayRect(layout, width, lines.length + 2);
    const shown = lines.slice(top, top + page);
    // Cut off: the last row says so, as a pager does.
    if (max > 0) shown.push(top < max ? `  ↓ j/PageDown for more (${top + page}/${lines.length})` : `  ↑ k/PageUp scrolls back (end: ${lines.length} lines)`);
    return { rect, lines: shown };
  }

}

/** How long a chrome render waits for the echo of a key just sent (ShellView.inputSent). */
const ECHO_HOLD_MS = 50;

/** Whether Ink's part of the chrome (panels, status bar, page list, overlays) may differ between two states. */
function inkChanged(a: ShellState, b: ShellState): boolean {
  return (
    a.panes !== b.panes ||
    a.journalSeq !== b.journalSeq ||
    a.mode !== b.mode ||
    a.keyboard !== b.keyboard ||
    a.prefix !== b.prefix ||
    a.panels !== b.panels ||
    a.activity !== b.activity ||
    a.bells !== b.bells ||
    a.helpTop !== b.helpTop
  );
}

/** Whether the grid's title bars may differ (besides what `inkChanged` covers: Ink's render draws them too). */
function gridChanged(a: ShellState, b: ShellState): boolean {
  return a.focus !== b.focus || a.zoomed !== b.zoomed || a.beadTitles !== b.beadTitles || a.programTitles !== b.programTitles || a.lost !== b.lost;
}

function sameLayout(a: ScreenLayout, b: ScreenLayout): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
