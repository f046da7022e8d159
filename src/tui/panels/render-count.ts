/**
 * Renders per component, counted only while a test turns it on: what proves that a keystroke
 * re-renders only what it changed (a j/k: the board's two rows, never the inbox, the lane, the
 * feed or their title bars). Off (one property read per render) in the workstation.
 */
export const renderCounts: { enabled: boolean; readonly counts: Map<string, number> } = { enabled: false, counts: new Map() };

/** Counts a render of `name` while counting is on. */
export function countRender(name: string): void {
  if (renderCounts.enabled) renderCounts.counts.set(name, (renderCounts.counts.get(name) ?? 0) + 1);
}
