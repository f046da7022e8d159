import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { StatusBarProps } from '../shell/panel-slot.js';
import { panelsSession } from '../live/panels-session.js';
import { StatusLine } from './StatusLine.js';

/** "14:03", local time. */
const clock = (date: Date): string => date.toTimeString().slice(0, 5);

/** The time, re-rendered once a minute on the minute (one timer, not a polling loop). */
function useMinuteClock(): string {
  const [time, setTime] = useState(() => clock(new Date()));
  useEffect(() => {
    let timer: NodeJS.Timeout;
    const schedule = (): void => {
      const now = new Date();
      timer = setTimeout(() => {
        setTime(clock(new Date()));
        schedule();
      }, 60_000 - (now.getSeconds() * 1000 + now.getMilliseconds()) + 5);
      timer.unref();
    };
    schedule();
    return () => clearTimeout(timer);
  }, []);
  return time;
}

/**
 * The status bar the shell mounts (its StatusBarProps): town, counts — ready, working, waiting
 * (polecats waiting for input, from the daemon's panes), merging, unread mail — the prefix hint
 * and the time.
 */
export function StatusBar(props: StatusBarProps) {
  const session = useMemo(() => panelsSession(props.town.root), [props.town.root]);
  const snapshot = useSyncExternalStore(session.feed.subscribe, session.feed.getSnapshot);
  useEffect(() => session.feed.refresh(), [session, props.journalSeq]);
  const counts = session.counts(snapshot);
  const waiting = props.panes.filter((p) => p.status === 'waiting').length;
  const time = useMinuteClock();
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
