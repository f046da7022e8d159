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
  let text = '';
  let styled = '';
  layout.pages.forEach((ids, i) => {
    const shown = i === layout.page;
    const waiting = ids.some((id) => needsPerson(status.get(id) ?? '')) || (!shown && ids.some((id) => bells.has(id)));
    const active = !shown && ids.some((id) => activity.has(id));
    const tab = ` ${i + 1}${shown ? '*' : ''}${waiting ? '!' : ''}${active ? '#' : ''}`;
    text += tab;
    const style = shown ? p.titleFocused : waiting ? (p.badge['waiting'] ?? '') : '';
    styled += style ? `${style}${tab}${SGR_RESET}` : tab;
  });
  return { text: `${text} │`, styled: `${styled} │` };
}
