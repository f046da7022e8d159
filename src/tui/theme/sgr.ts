import { ansi16 } from './color.js';
import type { Theme } from './theme.js';

/**
 * SGR parameters for an Ink color string ("#rrggbb", "ansi256(n)", a chalk name), as the
 * foreground or the background; empty for the terminal's default. For the shell's chrome,
 * which writes escape sequences itself instead of going through Ink.
 */
export function sgrColor(color: string | undefined, layer: 'fg' | 'bg'): string {
  if (!color) return '';
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `${layer === 'fg' ? 38 : 48};2;${parseInt(hex[1]!, 16)};${parseInt(hex[2]!, 16)};${parseInt(hex[3]!, 16)}`;
  const indexed = /^ansi256\((\d+)\)$/.exec(color);
  if (indexed) return `${layer === 'fg' ? 38 : 48};5;${indexed[1]}`;
  const at = ansi16.findIndex(([name]) => name === color);
  if (at < 0) return '';
  const base = at < 8 ? (layer === 'fg' ? 30 : 40) + at : (layer === 'fg' ? 90 : 100) + at - 8;
  return String(base);
}

/** One SGR sequence from parts (bold, colors); empty when there is nothing to set. */
export function sgr(...parts: string[]): string {
  const used = parts.filter(Boolean);
  return used.length ? `\x1b[${used.join(';')}m` : '';
}

/**
 * The shell chrome's tokens (src/tui/chrome/palette.ts: `pane.title`, `pane.title.focused`,
 * `pane.border`, `status.<name>`, `message`, `message.error`, `prefix`) as SGR sequences, from
 * a theme. Undefined with no color (NO_COLOR): the chrome's monochrome palette is used.
 */
export function chromeSgr(theme: Theme): Record<string, string> | undefined {
  if (theme.depth === 'none') return undefined;
  const c = theme.colors;
  const badge = (token: 'status.working' | 'status.waiting' | 'status.idle' | 'status.stuck' | 'status.exited'): string =>
    // Dark text on the status color, like a badge.
    sgr('1', sgrColor('black', 'fg'), sgrColor(c[token], 'bg'));
  return {
    'pane.title': sgr(sgrColor(c['pane.title'], 'fg'), sgrColor(c['status.bar.bg'], 'bg')),
    'pane.title.focused': sgr('1', sgrColor(c['selection.fg'], 'fg'), sgrColor(c['pane.border.focused'], 'bg')),
    'pane.border': sgr(sgrColor(c['pane.border.unfocused'], 'fg')),
    'status.working': badge('status.working'),
    'status.waiting': badge('status.waiting'),
    'status.idle': badge('status.idle'),
    'status.stuck': badge('status.stuck'),
    'status.exited': badge('status.exited'),
    'status.lost': badge('status.stuck'),
    message: sgr(sgrColor(c['text.dim'], 'fg')),
    'message.error': sgr('1', sgrColor(c['notice.error'], 'fg')),
    prefix: sgr('1', sgrColor(c['status.bar.bg'], 'fg'), sgrColor(c['status.prefix'], 'bg')),
  };
}
