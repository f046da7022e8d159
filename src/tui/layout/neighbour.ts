import type { Rect } from './rect.js';

export type Direction = 'up' | 'down' | 'left' | 'right';

/**
 * The tile next to `from` in `direction`, as a person would expect: among the tiles on that side
 * which overlap it across the direction, the nearest; ties go to the one with the most overlap.
 * Undefined when there is none (focus stays put).
 */
export function neighbour(tiles: ReadonlyArray<{ id: string; tile: Rect }>, from: string, direction: Direction): string | undefined {
  const origin = tiles.find((t) => t.id === from)?.tile;
  if (!origin) return undefined;
  let best: { id: string; distance: number; overlap: number } | undefined;
  for (const { id, tile } of tiles) {
    if (id === from) continue;
    const horizontal = direction === 'left' || direction === 'right';
    const distance =
      direction === 'left' ? origin.x - (tile.x + tile.width)
      : direction === 'right' ? tile.x - (origin.x + origin.width)
      : direction === 'up' ? origin.y - (tile.y + tile.height)
      : tile.y - (origin.y + origin.height);
    if (distance < 0) continue;
    const overlap = horizontal
      ? Math.min(origin.y + origin.height, tile.y + tile.height) - Math.max(origin.y, tile.y)
      : Math.min(origin.x + origin.width, tile.x + tile.width) - Math.max(origin.x, tile.x);
    if (overlap <= 0) continue;
    if (!best || distance < best.distance || (distance === best.distance && overlap > best.overlap)) best = { id, distance, overlap };
  }
  return best?.id;
}
