/** The overview's own state while it is open (C-b w): the filter typed and the selected row. */
export interface OverviewState {
  readonly filter: string;
  /** Index into the filtered, sorted rows. */
  readonly selected: number;
  /** The first row shown (the list scrolls to keep the selection in view). */
  readonly top: number;
}

export const initialOverview: OverviewState = { filter: '', selected: 0, top: 0 };

/** Keeps the selection inside `count` rows and in view of a `height`-row list. */
export function clampOverview(o: OverviewState, count: number, height: number): OverviewState {
  const selected = Math.max(0, Math.min(o.selected, count - 1));
  const h = Math.max(1, height);
  let top = Math.min(o.top, Math.max(0, count - h));
  if (selected < top) top = selected;
  if (selected >= top + h) top = selected - h + 1;
  top = Math.max(0, top);
  return selected === o.selected && top === o.top ? o : { ...o, selected, top };
}

/**
 * How many rows the list gets at `rows` terminal rows: every row but the footer (filter and
 * keys), and the footer goes when the polecats need exactly every row and no filter is typed —
 * so fifty polecats fit on a fifty-row terminal. With more than fit, the list scrolls anyway:
 * the footer stays and says which of them are shown.
 */
export function overviewListHeight(rows: number, count: number, filter: string): { list: number; footer: boolean } {
  const footer = filter !== '' || count !== rows;
  return { list: Math.max(1, rows - (footer ? 1 : 0)), footer };
}
