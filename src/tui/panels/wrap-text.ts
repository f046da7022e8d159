import { visibleLine } from '../../common/visible-text.js';

/**
 * Wraps text to `width` columns at spaces (hard-cutting longer words); keeps blank lines.
 * Control characters are made visible first (a body is anyone's text), so the wrap counts
 * the columns they will take.
 */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  const w = Math.max(1, width);
  for (const paragraph of text.replace(/\t/g, '  ').split(/\r?\n/).map(visibleLine)) {
    if (!paragraph.trim()) {
      out.push('');
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      while ([...rest].length > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push([...rest].slice(0, w).join(''));
        rest = [...rest].slice(w).join('');
      }
      if (!line) line = rest;
      else if ([...line].length + 1 + [...rest].length <= w) line += ` ${rest}`;
      else {
        out.push(line);
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}
