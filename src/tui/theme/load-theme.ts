import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { detectColorDepth, parseColor, type ColorDepth } from './color.js';
import { defaultTheme, resolveTheme, type Theme } from './theme.js';
import { isThemeToken, themeTokens, type ThemeToken } from './tokens.js';

/** The themes shipped with citadel (`<package>/themes/`), from src/ or dist/ alike. */
export const builtinThemesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'themes');

/** A theme file's shape; the colors are checked key by key below, so one bad key spoils nothing else. */
const themeFileSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    colors: z.record(z.string(), z.string()),
  })
  .strict();

export interface LoadedTheme {
  readonly theme: Theme;
  /** What was wrong, one line each, naming the file and the key ("…/x.json: colors.\"bead.priority.9\": unknown token"). */
  readonly problems: readonly string[];
}

export interface LoadThemeOptions {
  /** A theme name (looked up in `searchDirs`, then the built-ins) or a path to a .json file; default "dark". */
  readonly name?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Paths are resolved from here. */
  readonly cwd: string;
  /** Extra folders to find themes by name in, before the built-ins (e.g. the town's `.citadel/themes`). */
  readonly searchDirs?: readonly string[] | undefined;
  /** Overrides what the environment says the terminal can show. */
  readonly depth?: ColorDepth | undefined;
}

/** The theme names available in the given folders and the built-ins. */
export function themeNames(searchDirs: readonly string[] = []): string[] {
  const names = new Set<string>();
  for (const dir of [...searchDirs, builtinThemesDir]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith('.json')) names.add(basename(file, '.json'));
  }
  return [...names].sort();
}

/**
 * Loads a theme for this terminal: finds the file, validates it (zod for the shape, each color
 * key by hand), degrades its colors to the terminal's depth (COLORTERM / TERM / NO_COLOR).
 * Never throws for a bad theme: problems are returned, and the default is used for what is
 * wrong (the whole default theme when the file cannot be used at all).
 */
export function loadTheme(options: LoadThemeOptions): LoadedTheme {
  const depth = options.depth ?? detectColorDepth(options.env);
  const name = options.name?.trim() || 'dark';
  const file = findThemeFile(name, options);
  if (!file) {
    const known = themeNames(options.searchDirs);
    return { theme: defaultTheme(depth), problems: [`no theme named "${name}" (available: ${known.join(', ')}); using dark`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { theme: defaultTheme(depth), problems: [`${file}: ${(error as Error).message}; using dark`] };
  }
  return themeFromJson(raw, file, depth);
}

/** Validates parsed theme JSON (from `file`, for the messages) and resolves it at `depth`. */
export function themeFromJson(raw: unknown, file: string, depth: ColorDepth): LoadedTheme {
  const parsed = themeFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.length ? issue.path.join('.') : '(top level)';
      return `${file}: ${key}: ${issue.message}`;
    });
    return { theme: defaultTheme(depth), problems: [...problems, `${file}: using dark instead`] };
  }
  const problems: string[] = [];
  const colors: Partial<Record<ThemeToken, string>> = {};
  for (const [key, value] of Object.entries(parsed.data.colors)) {
    if (!isThemeToken(key)) {
      problems.push(`${file}: colors."${key}": unknown token (known tokens: ${themeTokens.join(', ')}); ignored`);
      continue;
    }
    if (!parseColor(value)) {
      problems.push(`${file}: colors."${key}": "${value}" is not a color (use #rrggbb, ansi256(N), a 16-color name such as red or brightBlue, or default); using the default`);
      continue;
    }
    colors[key] = value;
  }
  const name = parsed.data.name ?? basename(file, '.json');
  return { theme: resolveTheme(name, colors, depth), problems };
}

function findThemeFile(name: string, options: LoadThemeOptions): string | undefined {
  if (name.includes('/') || name.endsWith('.json')) {
    const path = isAbsolute(name) ? name : resolve(options.cwd, name);
    return existsSync(path) ? path : undefined;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  for (const dir of [...(options.searchDirs ?? []), builtinThemesDir]) {
    const path = join(dir, `${name}.json`);
    if (existsSync(path)) return path;
  }
  return undefined;
}
