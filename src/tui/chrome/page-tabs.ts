import type { PaneInfo } from '../../daemon/protocol.js';
import type { ScreenLayout } from '../layout/screen-layout.js';
import { needsPerson } from '../overview/overview-entries.js';
import { SGR_RESET, type ChromePalette } from './palette.js';

/**
 * The pages of panes for the status bar, as tmux's window list: " 1* 2! 3# " — `*` the page
 * shown, `!` a bell: a polecat on it needs a person (waiting, stuck: the workstation rang for
 * it) or a program on it rang the bell since the page was last shown, `#` activity: a pane on it
 * drew since the page was last shown. Empty with a single page. `text` is plain, `styled` has
 * the flagged pages in the waiting colour and the page shown in reverse.
 *
 * The list takes at most half the bar (`layout.cols`). When the pages do not fit, it shows whole
 * tabs around the page shown, with `<` and `>` for the pages left out on each side (tmux's
 * markers), `<!`/`>!` when one of those has a bell — never a tab cut in two, and the ` │` that
 * ends the list always there.
 */
export function pageTabs(
  layout: ScreenLayout,
  panes: readonly PaneInfo[],
  activity: ReadonlySet<string>,
  p: ChromePalette,
  bells: ReadonlySet<string> = new Set(),
): { text: string; styled: string } {
  if (layout.pages.length < 2) return { text: '', styled: '' };
  const status = new Map(panes.map((pane) => [pane.id, pane.status]));
  const waitStyle = p.badge['waiting'] ?? '';
  const tabs = layout.pages.map((ids, i) => {
    const shown = i === layout.page;
    const waiting = ids.some((id) => needsPerson(status.get(id) ?? '')) || (!shown && ids.some((id) => bells.has(id)));
    const active = !shown && ids.some((id) => activity.has(id));
    const text = ` ${i + 1}${shown ? '*' : ''}${waiting ? '!' : ''}${active ? '#' : ''}`;
    const style = shown ? p.titleFocused : waiting ? waitStyle : '';
    return { text, styled: style ? `${style}${text}${SGR_RESET}` : text, waiting };
  });
  const end = ' │';
  const budget = Math.floor(layout.cols / 2);
  const marker = (side: '<' | '>', hidden: typeof tabs): { text: string; styled: string } => {
    if (hidden.length === 0) return { text: '', styled: '' };
    const bell = hidden.some((t) => t.waiting);
    const text = ` ${side}${bell ? '!' : ''}`;
    return { text, styled: bell && waitStyle ? `${waitStyle}${text}${SGR_RESET}` : text };
  };
  const join = (from: number, to: number): { text: string; styled: string } => {
    const parts = [marker('<', tabs.slice(0, from)), ...tabs.slice(from, to), marker('>', tabs.slice(to))];
    return { text: parts.map((t) => t.text).join('') + end, styled: parts.map((t) => t.styled).join('') + end };
  };
  let from = layout.page;
  let to = layout.page + 1;
  if (join(0, tabs.length).text.length <= budget) return join(0, tabs.length);
  // Grow the window around the page shown, a tab at a time on each side, while it fits.
  for (let grew = true; grew; ) {
    grew = false;
    if (to < tabs.length && join(from, to + 1).text.length <= budget) {
      to++;
      grew = true;
    }
    if (from > 0 && join(from - 1, to).text.length <= budget) {
      from--;
      grew = true;
    }
  }
  return join(from, to);
}
