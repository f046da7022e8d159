/**
 * The chrome's colors, as SGR sequences. A small built-in default: the themes (src/tui/theme,
 * `themes/*.json`) provide these through {@link paletteFromTokens} once loaded; with NO_COLOR only
 * bold and inverse remain, so focus and badges still read.
 */
export interface ChromePalette {
  readonly title: string;
  readonly titleFocused: string;
  readonly divider: string;
  readonly dim: string;
  readonly message: string;
  readonly error: string;
  readonly prefix: string;
  readonly badge: Readonly<Record<string, string>>;
}

const reset = '\x1b[0m';
export const SGR_RESET = reset;

export const defaultPalette: ChromePalette = {
  title: '\x1b[38;5;252;48;5;236m',
  titleFocused: '\x1b[1;38;5;16;48;5;39m',
  divider: '\x1b[38;5;240m',
  dim: '\x1b[2m',
  message: '\x1b[38;5;250m',
  error: '\x1b[1;38;5;203m',
  prefix: '\x1b[1;30;43m',
  badge: {
    working: '\x1b[1;38;5;16;48;5;77m',
    waiting: '\x1b[1;38;5;16;48;5;220m',
    idle: '\x1b[38;5;16;48;5;245m',
    stuck: '\x1b[1;97;48;5;160m',
    exited: '\x1b[38;5;252;48;5;238m',
    lost: '\x1b[1;97;48;5;160m',
  },
};

export const monochromePalette: ChromePalette = {
  title: '',
  titleFocused: '\x1b[1;7m',
  divider: '',
  dim: '',
  message: '',
  error: '\x1b[1m',
  prefix: '\x1b[7m',
  badge: { working: '\x1b[1m', waiting: '\x1b[1;7m', idle: '', stuck: '\x1b[1;7m', exited: '', lost: '\x1b[1;7m' },
};

/** The palette for an environment: none of the colors when NO_COLOR is set (no-color.org). */
export function paletteFor(env: NodeJS.ProcessEnv): ChromePalette {
  return env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '' ? monochromePalette : defaultPalette;
}

/**
 * Builds a palette from a theme's resolved tokens (token → SGR sequence), falling back to the
 * default for any token the theme does not define. Tokens: `pane.title`, `pane.title.focused`,
 * `pane.border`, `status.<name>` (working, waiting, idle, stuck, exited, lost), `message`,
 * `message.error`, `prefix`.
 */
export function paletteFromTokens(tokens: Readonly<Record<string, string>>, base: ChromePalette = defaultPalette): ChromePalette {
  const badge: Record<string, string> = { ...base.badge };
  for (const name of Object.keys(badge)) badge[name] = tokens[`status.${name}`] ?? badge[name]!;
  return {
    title: tokens['pane.title'] ?? base.title,
    titleFocused: tokens['pane.title.focused'] ?? base.titleFocused,
    divider: tokens['pane.border'] ?? base.divider,
    dim: base.dim,
    message: tokens['message'] ?? base.message,
    error: tokens['message.error'] ?? base.error,
    prefix: tokens['prefix'] ?? base.prefix,
    badge,
  };
}
