export { themeTokens, defaultColors, isThemeToken, type ThemeToken } from './tokens.js';
export { parseColor, colorAt, detectColorDepth, nearest16, nearest256, type Color, type ColorDepth } from './color.js';
export { resolveTheme, defaultTheme, type Theme } from './theme.js';
export { loadTheme, themeFromJson, themeNames, builtinThemesDir, type LoadedTheme, type LoadThemeOptions } from './load-theme.js';
export { sgr, sgrColor, chromeSgr } from './sgr.js';
