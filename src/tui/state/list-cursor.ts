/**
 * A selection in a list that changes under it (live data). The selected id is what is kept,
 * so a bead stays selected while others come and go; the index is the fallback when the
 * selected item disappears (the selection stays at the same place in the list).
 */
export interface ListCursor {
  readonly selectedId?: string | undefined;
  readonly index: number;
}

export const startCursor: ListCursor = { index: 0 };

/** Where the cursor is in `order` now: its id's index, else its old index clamped (-1 for an empty list). */
export function cursorIndex(cursor: ListCursor, order: readonly string[]): number {
  if (!order.length) return -1;
  if (cursor.selectedId !== undefined) {
    // The common case is that nothing moved: check the remembered index before searching.
    if (order[cursor.index] === cursor.selectedId) return cursor.index;
    const found = order.indexOf(cursor.selectedId);
    if (found >= 0) return found;
  }
  return Math.min(Math.max(0, cursor.index), order.length - 1);
}

/** The selected id in `order`, if the list is not empty. */
export function cursorId(cursor: ListCursor, order: readonly string[]): string | undefined {
  const index = cursorIndex(cursor, order);
  return index < 0 ? undefined : order[index];
}

/** Moves by `by` rows, or to the top / bottom; clamped to the list. */
export function moveCursor(cursor: ListCursor, by: number | 'top' | 'bottom', order: readonly string[]): ListCursor {
  if (!order.length) return { index: 0 };
  const from = cursorIndex(cursor, order);
  const to = by === 'top' ? 0 : by === 'bottom' ? order.length - 1 : Math.min(order.length - 1, Math.max(0, from + by));
  return { selectedId: order[to], index: to };
}

/**
 * The first row to draw so that `index` is visible in a window of `height` rows, keeping
 * `previousTop` when the selection is still inside it (so the list does not jump).
 */
export function scrollTop(index: number, height: number, total: number, previousTop = 0): number {
  if (height <= 0 || total <= height) return 0;
  let top = Math.min(Math.max(0, previousTop), total - height);
  if (index < top) top = index;
  else if (index >= top + height) top = index - height + 1;
  return top;
}
