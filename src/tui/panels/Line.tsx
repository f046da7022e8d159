import { Text } from 'ink';
import { memo } from 'react';
import { visibleLine } from '../../common/visible-text.js';
import type { Theme } from '../theme/theme.js';
import { fitCells as fit, textWidth } from '../render/cells.js';

/** A run of text in one style. */
export interface Segment {
  readonly text: string;
  readonly color?: string | undefined;
  readonly bold?: boolean | undefined;
  readonly dim?: boolean | undefined;
}

export interface LineProps {
  readonly segments: readonly Segment[];
  readonly width: number;
  /** Highlighted as the selection (the theme's selection colors, or inverse without color). */
  readonly selected?: boolean | undefined;
  readonly theme: Theme;
  /** Pad to `width` even when not selected (to right-align what follows). */
  readonly pad?: boolean | undefined;
}

/**
 * One row of a list: its segments cut to `width` cells (the last visible one gets an
 * ellipsis; wide characters count two); a selected row is padded so its highlight spans the whole width. Memoized: a list
 * re-renders only the rows whose content or selection changed.
 *
 * Every row of every panel is drawn here, and its text comes from the journal (titles, labels,
 * bodies, subjects, reasons, gate output): this is where control characters are made visible
 * (docs/cli.md, "Output safety"), so no escape sequence in a title reaches the terminal.
 */
export const Line = memo(function Line({ segments, width, selected, theme, pad }: LineProps) {
  const out: Segment[] = [];
  let left = width;
  for (const given of segments) {
    if (left <= 0) break;
    const text = visibleLine(given.text);
    const segment = text === given.text ? given : { ...given, text };
    const w = textWidth(text);
    if (w <= left) {
      out.push(segment);
      left -= w;
    } else {
      const cut = fit(text, left);
      // A wide character that would straddle the edge leaves one cell: a space, not more text.
      const gap = left - textWidth(cut);
      out.push({ ...segment, text: gap > 0 ? cut + ' '.repeat(gap) : cut });
      left = 0;
    }
  }
  // Only a highlighted row needs padding (its background spans the width); other rows stay
  // short, which spares Ink's per-character output work.
  if (left > 0 && (selected || pad)) out.push({ text: ' '.repeat(left) });
  const bg = selected ? theme.colors['selection.bg'] : undefined;
  const noColor = theme.depth === 'none';
  return (
    <Text wrap="truncate" backgroundColor={bg} inverse={selected && noColor}>
      {out.map((segment, i) => (
        <Text key={i} color={selected && !noColor ? (theme.colors['selection.fg'] ?? segment.color) : segment.color} bold={segment.bold} dimColor={segment.dim}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
});
