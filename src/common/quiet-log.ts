/**
 * A log for errors that repeat on every tick (the witness and the escalation host look once a
 * second): the first occurrence is written, then the same line is held back until it changes
 * or `everyMs` has passed, when one line says how many times it recurred. A damaged journal
 * used to write the same error into daemon.log every second for as long as it stayed damaged.
 */
export function quietLog(log: (line: string) => void, options: { everyMs?: number; now?: () => number } = {}): { error(line: string): void; ok(): void } {
  const everyMs = options.everyMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  let last: string | undefined;
  let since = 0;
  let repeats = 0;
  const flush = (): void => {
    if (last !== undefined && repeats > 0) log(`${last} (again ${repeats} time${repeats === 1 ? '' : 's'})`);
    repeats = 0;
  };
  return {
    error(line) {
      if (line === last && now() - since < everyMs) {
        repeats++;
        return;
      }
      flush();
      last = line;
      since = now();
      log(line);
    },
    /** The trouble is over: say how often it recurred, and log the next error afresh. */
    ok() {
      flush();
      if (last !== undefined) log(`${last.split(':')[0]}: recovered`);
      last = undefined;
    },
  };
}
