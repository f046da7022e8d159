/**
 * Text from the journal, from files in the town, or from agents (through MCP), made safe to
 * show on a terminal (issue 13, "Trust"). A bead title holding `ESC ] 52 ; …` would otherwise
 * write the clipboard of whoever runs `bead list`; `ESC [ 2 J` would clear their screen; a C1
 * CSI (U+009B) is an escape too on terminals that read C1 controls; a bidi override reorders
 * what follows it (the "Trojan Source" spoof). None of them reaches the terminal: each is
 * replaced by a printable stand-in, so the person sees that it was there.
 *
 * - C0 controls (U+0000–U+001F) become the Unicode control pictures U+2400–U+241F (ESC: `␛`,
 *   so an OSC 52 reads `␛]52;…`); DEL (U+007F) becomes `␡`.
 * - C1 controls (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029) and the
 *   bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) become `<U+009B>`.
 *
 * Every stand-in is printable and outside these ranges, so both functions are idempotent.
 */

// The characters made visible; \n, \t and \r are decided per function below.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_IN_TEXT = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The printable stand-in of one unsafe character. */
export function controlPicture(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * Text of several lines (a bead's body, a message, a whole command output): newlines and tabs
 * are kept, a CRLF reads as a newline; every other control is made visible — a lone CR too,
 * since it would let a line overwrite what was printed before it.
 */
export function visibleText(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_IN_TEXT, (char) => (char === '\r\n' ? '\n' : controlPicture(char)));
}

/**
 * One line (a title, a label, a subject, a table cell): a tab becomes a space, and a newline
 * is made visible (`␊`) rather than kept, so a title cannot forge rows of a list.
 */
export function visibleLine(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_IN_LINE, (char) => (char === '\t' ? ' ' : controlPicture(char)));
}

// What JSON.stringify leaves raw that a terminal may act on: DEL, C1, U+2028/2029, bidi.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from JSON.stringify, which escapes C0 already) with DEL, the C1 controls, the line
 * separators and the bidi controls written as `\u009b` escapes. The JSON stays exact — it parses
 * to the very same strings — and a person who prints it on a terminal is safe too. These
 * characters can only stand inside JSON strings, so the replacement is valid on any JSON text.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
