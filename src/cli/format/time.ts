/** A duration in seconds as a short human figure: 45s, 12m, 3h 20m, 2d 4h. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** How long ago `iso` was, relative to `now` (ms): "5m ago", "just now". */
export function ago(iso: string, now: number): string {
  const seconds = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 5) return 'just now';
  return `${duration(seconds)} ago`;
}

/** An ISO time as "2026-01-31 12:00" (UTC, minutes). */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}
