/**
 * Quotes argv for a POSIX shell. Claude Code runs a hook's `command` through a shell, so the
 * argv citadel wants run is turned into one string here, and nowhere else.
 */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
