import { colorAt, parseColor, type ColorDepth } from './color.js';
import { defaultColors, themeTokens, type ThemeToken } from './tokens.js';

/** A theme resolved for one terminal: every token's color as Ink takes it (undefined: the terminal's default). */
export interface Theme {
  readonly name: string;
  readonly depth: ColorDepth;
  readonly colors: Readonly<Record<ThemeToken, string | undefined>>;
}

/**
 * Resolves a theme's colors (already validated: every value parses) at a depth, falling back to
 * the built-in dark colors for tokens the theme does not set.
 */
export function resolveTheme(name: string, colors: Partial<Record<ThemeToken, string>>, depth: ColorDepth): Theme {
  const resolved = {} as Record<ThemeToken, string | undefined>;
  for (const token of themeTokens) {
    const parsed = parseColor(colors[token] ?? defaultColors[token]) ?? parseColor(defaultColors[token]);
    resolved[token] = parsed ? colorAt(parsed, depth) : undefined;
  }
  return { name, depth, colors: resolved };
}

/** The built-in dark theme at a depth: what the views use when nothing else is given. */
export function defaultTheme(depth: ColorDepth = 'truecolor'): Theme {
  return resolveTheme('dark', {}, depth);
}
