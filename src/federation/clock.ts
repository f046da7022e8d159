/**
 * A hybrid logical clock (Kulkarni et al.): physical milliseconds plus a logical counter. Every
 * write a town exports gets a tick; every foreign write it materializes moves the clock past
 * that write's clock. So a write made after seeing another always carries a larger clock, even
 * when the machines' wall clocks disagree by hours; between writes that did not see each other,
 * the larger (clock, town id) wins, the same in every town.
 */

export interface Hlc {
  /** Physical part: milliseconds since the epoch (the largest seen). */
  readonly p: number;
  /** Logical part: counts events within one millisecond of `p`. */
  readonly l: number;
}

export const ZERO_CLOCK: Hlc = { p: 0, l: 0 };

/** A clock for the next local event. */
export function tick(clock: Hlc, now: number): Hlc {
  return now > clock.p ? { p: now, l: 0 } : { p: clock.p, l: clock.l + 1 };
}

/** The clock after receiving an event stamped `remote`. */
export function receive(clock: Hlc, remote: Hlc, now: number): Hlc {
  const p = Math.max(clock.p, remote.p, now);
  if (p === clock.p && p === remote.p) return { p, l: Math.max(clock.l, remote.l) + 1 };
  if (p === clock.p) return { p, l: clock.l + 1 };
  if (p === remote.p) return { p, l: remote.l + 1 };
  return { p, l: 0 };
}

/** Fixed-width text that sorts as the clock does: `0001764671000123.00004`. */
export function formatClock(clock: Hlc): string {
  return `${String(clock.p).padStart(16, '0')}.${String(clock.l).padStart(6, '0')}`;
}

const CLOCK_TEXT = /^(\d{16})\.(\d{6})$/;

/** Parses {@link formatClock}'s text; undefined when it is not one. */
export function parseClock(text: unknown): Hlc | undefined {
  if (typeof text !== 'string') return undefined;
  const match = CLOCK_TEXT.exec(text);
  if (!match) return undefined;
  const p = Number(match[1]);
  const l = Number(match[2]);
  return Number.isSafeInteger(p) ? { p, l } : undefined;
}

/** A write's tag: its clock and its town, fixed width, so plain string order is the merge order. */
export function tagOf(clock: Hlc | string, town: string): string {
  return `${typeof clock === 'string' ? clock : formatClock(clock)}@${town}`;
}

/** The tag every value has before any write is known (loses to every real write). */
export const ZERO_TAG = tagOf(ZERO_CLOCK, '');
