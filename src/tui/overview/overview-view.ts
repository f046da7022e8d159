import { visibleLine } from '../../common/visible-text.js';
import { SGR_RESET, type ChromePalette } from '../chrome/palette.js';
import { fitCells, padCells, sliceCells, textWidth } from '../render/cells.js';
import type { OverviewEntry, OverviewHost } from './overview-entries.js';
import { overviewListHeight, type OverviewState } from './overview-state.js';

/** "42s", "3m", "2h05", "3d": how long a polecat has been in its state. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
  return `${Math.floor(s / 86400)}d`;
}

/** The overview's one line when no pane runs: the lost ones and how to restart them, or how to start one. */
function emptyText(lost: readonly { readonly name: string }[] | undefined): string {
  if (!lost?.length) return ' No polecats yet: citadel sling <bead id>';
  const names = lost.map((p) => visibleLine(p.name));
  return ` No polecat is running: ${names.join(', ')} lost or exited — citadel polecat restart ${names[0]}`;
}

export interface OverviewViewInput {
  readonly entries: readonly OverviewEntry[];
  readonly overview: OverviewState;
  readonly cols: number;
  readonly rows: number;
  readonly now: number;
  /** The last line of a pane's screen that says something (live/last-line.ts). */
  readonly lastLine: (pane: string) => string;
  readonly total: number;
  readonly prefix: string;
  /** Polecats lost or exited without a pane (live/lost-polecats.ts): named when no pane runs. */
  readonly lost?: readonly { readonly name: string }[] | undefined;
  /** The hosts the polecats run on, with their states (overviewHosts): listed in the footer. */
  readonly hosts?: readonly OverviewHost[] | undefined;
}

/** A polecat as the overview names it: `nux`, or `nux@gpu-box` on a remote host, its state added when not up. */
export function polecatLabel(e: OverviewEntry): string {
  const { host, hostState } = e.facts;
  if (!host) return e.pane.polecat;
  return `${e.pane.polecat}@${host}${hostState && hostState !== 'up' ? ` ${hostState}` : ''}`;
}

/** The footer's hosts: `hosts gpu-box up · lab DOWN` (a down or removed host in capitals: it needs a person). */
export function hostsText(hosts: readonly OverviewHost[]): string {
  if (!hosts.length) return '';
  const words = hosts.map((h) => `${h.name} ${h.state === 'down' || h.state === 'removed' ? h.state.toUpperCase() : h.state}`);
  return `hosts ${words.join(', ')}`;
}

/**
 * The overview's screen: one row per polecat, `rows` lines of exactly `cols` cells (the last one
 * the footer with the filter, unless the polecats need every row). Columns: the status word in
 * its colour, the polecat, its bead (and molecule step), the last line of its screen, the time
 * in that state, commits ahead of main, and the merge request's state. A remote polecat is named
 * with its host (`nux@gpu-box`, and the host's state when it is not up); the footer lists the
 * hosts with their states (a down one in capitals). Journal and screen text
 * are drawn with control characters made visible.
 */
export function overviewLines(input: OverviewViewInput, p: ChromePalette): string[] {
  const { entries, overview, cols, rows } = input;
  const { list, footer } = overviewListHeight(rows, entries.length, overview.filter);
  // Remote polecats are named with their host (nux@gpu-box): the column widens for them, up to 26.
  const remote = entries.some((e) => e.facts.host);
  const nameWidth = Math.min(remote ? 26 : 14, Math.max(4, ...entries.map((e) => textWidth(visibleLine(polecatLabel(e))))));
  const beadWidth = Math.max(10, Math.min(34, Math.floor(cols * 0.25)));
  const rightWidth = 6 + 5 + 11; // age, ahead, merge request
  const lastWidth = Math.max(0, cols - (1 + 9 + nameWidth + 1 + beadWidth + 1 + rightWidth + 1));
  const lines: string[] = [];
  for (let i = 0; i < list; i++) {
    const e = entries[overview.top + i];
    if (!e) {
      lines.push(i === 0 && entries.length === 0 ? p.dim + padCells(fitCells(input.total === 0 ? emptyText(input.lost) : ' No polecat matches the filter', cols), cols) + SGR_RESET : ' '.repeat(cols));
      continue;
    }
    const selected = overview.top + i === overview.selected;
    const base = selected ? p.titleFocused : '';
    const badge = (p.badge[e.status] ?? p.badge['stuck'] ?? '') + ` ${fitCells(e.status.toUpperCase(), 7).padEnd(7)} ` + SGR_RESET + base;
    const flag = e.attention ? '!' : ' ';
    const bead = e.pane.bead ? `${e.pane.bead}${e.facts.step ? ` [${e.facts.step}]` : ''} ${e.beadTitle ?? ''}` : '';
    const ahead = e.facts.ahead === undefined ? '' : `+${e.facts.ahead}`;
    const right = (e.since === undefined ? '' : age(input.now - e.since)).padStart(5) + ' ' + ahead.padStart(4) + ' ' + fitCells(e.facts.mr ?? '', 10).padEnd(10);
    const text =
      base +
      flag +
      badge +
      ' ' +
      padCells(fitCells(visibleLine(polecatLabel(e)), nameWidth), nameWidth) +
      ' ' +
      padCells(fitCells(visibleLine(bead), beadWidth), beadWidth) +
      ' ' +
      (selected ? '' : p.dim) +
      padCells(fitCells(visibleLine(input.lastLine(e.pane.id)), lastWidth), lastWidth) +
      (selected ? '' : SGR_RESET) +
      base +
      ' ' +
      right;
    lines.push(sliceCells(text, 0, cols) + SGR_RESET);
  }
  if (footer) {
    const shown = entries.length > list ? ` (${overview.top + 1}–${Math.min(entries.length, overview.top + list)} shown)` : '';
    const count = (entries.length === input.total ? `${input.total} polecat${input.total === 1 ? '' : 's'}` : `${entries.length} of ${input.total}`) + shown;
    const filter = overview.filter ? `filter: ${overview.filter}▏` : 'type to filter';
    const hosts = hostsText(input.hosts ?? []);
    const text = ` ${count}${hosts ? ` · ${hosts}` : ''} · ${filter} · ↑↓ move · Enter open (zoomed) · Escape close`;
    lines.push(p.prefix + padCells(fitCells(visibleLine(text), cols), cols) + SGR_RESET);
  }
  return lines;
}
