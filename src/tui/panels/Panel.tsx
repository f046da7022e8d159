import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { visibleLine } from '../../common/visible-text.js';
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
 */
export function Panel({ title, info, width, height, focused, theme, children }: PanelProps) {
  const border = focused ? theme.colors['panel.border.focused'] : theme.colors['panel.border.unfocused'];
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={border} overflow="hidden">
      <Box width={width - 2} height={1}>
        <Box flexGrow={1}>
          <Text bold={focused} color={theme.colors['panel.title']} wrap="truncate-end">
            {visibleLine(title)}
          </Text>
        </Box>
        {info ? (
          <Text color={theme.colors['text.dim']} wrap="truncate-end">
            {visibleLine(info)}
          </Text>
        ) : null}
      </Box>
      {children}
    </Box>
  );
}

/** The rows a panel of `height` has for its content. */
export function innerRows(height: number): number {
  return Math.max(0, height - 3);
}
