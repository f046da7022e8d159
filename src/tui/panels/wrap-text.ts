/** Wraps text to `width` columns at spaces (hard-cutting longer words); keeps blank lines. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  const w = Math.max(1, width);
  for (const paragraph of text.replace(/\t/g, '  ').split(/\r?\n/)) {
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
