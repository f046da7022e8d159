import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialLayout, layoutFromJson, type LayoutState } from '../state/layout-reducer.js';

/** The layout file of a town: `.citadel/run/layout.json` (runtime, not truth, not in git). */
export function layoutFile(runDir: string): string {
  return join(runDir, 'layout.json');
}

/** Reads the remembered layout; the default when there is none, or it cannot be read. */
export function readLayout(runDir: string): LayoutState {
  try {
    return layoutFromJson(JSON.parse(readFileSync(layoutFile(runDir), 'utf8')));
  } catch {
    return initialLayout;
  }
}

/** Remembers the layout (write to a temp file, then rename: never a half-written file). */
export function writeLayout(runDir: string, layout: LayoutState): void {
  mkdirSync(runDir, { recursive: true });
  const file = layoutFile(runDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(layout, null, 2)}\n`);
  renameSync(temp, file);
}
