/** Cuts `text` to `width` columns (by code points; wide characters are rare in ids and titles), with an ellipsis. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Pads or cuts to exactly `width` columns. */
export function cell(text: string, width: number): string {
  const fitted = fit(text, width);
  const length = [...fitted].length;
  return length < width ? fitted + ' '.repeat(width - length) : fitted;
}

/** One line, whatever the text held (newlines and tabs become spaces). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** "3m", "2h", "5d": how long ago an ISO time was, from `now`. */
export function age(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
