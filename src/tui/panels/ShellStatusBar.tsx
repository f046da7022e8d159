import { memo, useEffect, useMemo, useSyncExternalStore } from 'react';
import { countRender } from './render-count.js';
import type { StatusBarProps } from '../shell/panel-slot.js';
import { panelsSession } from '../live/panels-session.js';
import { StatusLine } from './StatusLine.js';

/** "14:03", local time (the shell's `statusClock` too: it patches these five cells once a minute). */
export const clock = (date: Date): string => date.toTimeString().slice(0, 5);

/**
 * The status bar the shell mounts (its StatusBarProps): town, counts — ready, working, waiting
 * (polecats waiting for input, from the daemon's panes), merging, unread mail — the prefix hint
 * and the time.
 */
function StatusBarView(props: StatusBarProps) {
  countRender('StatusBar');
  const session = useMemo(() => panelsSession(props.town.root), [props.town.root]);
  const snapshot = useSyncExternalStore(session.feed.subscribe, session.feed.getSnapshot);
  useEffect(() => session.feed.refresh(), [session, props.journalSeq]);
  const counts = session.counts(snapshot);
  const waiting = props.panes.filter((p) => p.status === 'waiting').length;
  // The time as of this render. No timer here: a re-render of the whole chrome once a minute
  // cost ~0.1 s of CPU on an idle machine (cold code); the shell patches the minute's text
  // into the drawn status line instead (shell-view.ts tickClock).
  const time = clock(new Date());
  return (
    <StatusLine
      town={props.town.name}
      counts={{ ...counts, waiting }}
      prefixKey={props.prefixKey}
      prefixArmed={props.mode === 'prefix'}
      time={time}
      scheduler={snapshot.scheduler?.line}
      width={props.width}
      theme={session.theme.theme}
    />
  );
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const StatusBar = memo(StatusBarView);
