import { memo } from 'react';
import { countRender } from './render-count.js';
import { Box, Text } from 'ink';
import { clockTime, describeEvent } from '../state/feed-words.js';
import { cursorIndex, scrollTop, type ListCursor } from '../state/list-cursor.js';
import type { EventView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { Line } from './Line.js';
import { innerRows, Panel } from './Panel.js';

export interface ActivityFeedProps {
  /** Events newest first. */
  readonly events: readonly EventView[];
  readonly cursor: ListCursor;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  /** The first row shown: `state.windows` (list-windows.ts); the selection is kept in view from it. */
  readonly top?: number | undefined;
}

/** The journal's latest events in words: "14:03:27 ada claimed ct-a3f8 “Fix the login”". */
function ActivityFeedView({ events, cursor, width, height, focused, theme, top: from = 0 }: ActivityFeedProps) {
  countRender('ActivityFeed');
  const inner = width - 2;
  const rows = innerRows(height);
  const order = events.map((e) => String(e.seq));
  const selected = focused ? cursorIndex(cursor, order) : 0;
  const top = focused ? scrollTop(Math.max(0, selected), rows, events.length, from) : 0;
  const c = theme.colors;
  return (
    <Panel title="Activity" info={events.length ? `#${events[0]?.seq ?? ''}` : undefined} width={width} height={height} focused={focused} theme={theme}>
      {events.length === 0 ? (
        <Text color={c['text.dim']}>nothing has happened yet</Text>
      ) : (
        <Box flexDirection="column">
          {events.slice(top, top + rows).map((event, i) => (
            <Line
              key={event.seq}
              width={inner}
              theme={theme}
              selected={focused && top + i === selected}
              segments={[
                { text: `${clockTime(event.ts)} `, color: c['feed.time'] },
                { text: describeEvent(event), color: c['text.normal'] },
              ]}
            />
          ))}
        </Box>
      )}
    </Panel>
  );
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const ActivityFeed = memo(ActivityFeedView);
