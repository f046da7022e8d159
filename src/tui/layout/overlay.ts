import type { Rect } from './rect.js';
import type { ScreenLayout } from './screen-layout.js';

/** A centred overlay (help, prompts) over the chrome: at most `width`×`height`, inside the chrome. */
export function overlayRect(layout: ScreenLayout, width: number, height: number): Rect {
  const area = layout.chrome;
  const w = Math.max(10, Math.min(width, area.width - 4));
  const h = Math.max(3, Math.min(height, area.height - 2));
  return { x: Math.floor((area.width - w) / 2), y: Math.max(0, Math.floor((area.height - h) / 2)), width: w, height: h };
}
