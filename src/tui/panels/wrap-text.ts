import { visibleLine } from '../../common/visible-text.js';
import { cutCells, textWidth } from '../render/cells.js';

/**
 * Wraps text to `width` cells at spaces (hard-cutting longer words); keeps blank lines.
 * Control characters are made visible first (a body is anyone's text), so the wrap counts
 * the cells they will take; wide characters count two.
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
      while (textWidth(rest) > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        // At least one character per line, even one wider than the width.
        const head = cutCells(rest, w) || String.fromCodePoint(rest.codePointAt(0)!);
        out.push(head);
        rest = rest.slice(head.length);
      }
      if (!line) line = rest;
      else if (textWidth(line) + 1 + textWidth(rest) <= w) line += ` ${rest}`;
      else {
        out.push(line);
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}
