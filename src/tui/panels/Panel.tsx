import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fitCells, textWidth } from '../render/cells.js';
import { visibleLine } from '../../common/visible-text.js';
import { countRender } from './render-count.js';
import type { Theme } from '../theme/theme.js';

export interface PanelProps {
  readonly title: string;
  /** Right-aligned in the title line, e.g. counts or the filter. */
  readonly info?: string | undefined;
  readonly width: number;
  /** Total height including the border. */
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  readonly children?: ReactNode;
}

/**
 * A bordered panel with a title line. The border's color says whether it has the keyboard.
 * Its inner size is `width - 2` × `height - 3` (border, title). Title and info may name a bead:
 * their control characters are made visible, as in every row (Line).
 *
 * Clipped both ways (`overflow="hidden"`). A vertical-only clip (to spare Ink re-slicing every
 * line each frame) left a panel that no longer showed new mail in the panels-slot test: not
 * understood yet, so the clip stays whole.
 */
export function Panel({ title, info, width, height, focused, theme, children }: PanelProps) {
  countRender(`Panel ${title}`);
  const head = titleLine(visibleLine(title), info ? visibleLine(info) : '', width - 2);
  const border = focused ? theme.colors['panel.border.focused'] : theme.colors['panel.border.unfocused'];
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={border} overflow="hidden">
      {/* The title keeps its row however tall the content is (a 3-row box: a long empty-state line pushed it out). */}
      <Box width={width - 2} height={1} flexShrink={0}>
        <Box flexGrow={1}>
          <Text bold={focused} color={theme.colors['panel.title']} wrap="truncate-end">
            {head.title}
          </Text>
        </Box>
        {head.info ? <Text color={theme.colors['text.dim']}>{head.info}</Text> : null}
      </Box>
      {children}
    </Box>
  );
}

/** The rows a panel of `height` has for its content (declared with the lists' windows, which count them too). */
export { innerRows } from '../state/list-windows.js';

/**
 * The title and the info (counts) of a panel's first line in `width` cells, never touching: at
 * least one space between them; the info is cut (with an ellipsis) before the title, and goes
 * when fewer than four cells would be left of it.
 */
export function titleLine(title: string, info: string, width: number): { title: string; info: string } {
  const t = fitCells(title, width);
  if (!info) return { title: t, info: '' };
  const room = width - textWidth(t) - 1;
  if (room < 4) return { title: t, info: '' };
  return { title: t, info: ` ${fitCells(info, room)}` };
}
