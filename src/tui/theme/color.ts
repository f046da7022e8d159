/**
 * Colors as theme files write them, and their degradation to what the terminal can show:
 * truecolor → 256 colors → the 16 ANSI colors → none (NO_COLOR). Output strings are what
 * Ink's `color` / `backgroundColor` props take: "#rrggbb", "ansi256(n)", or a chalk name.
 */

export type ColorDepth = 'truecolor' | '256' | '16' | 'none';

/** The 16 ANSI colors by chalk name, with the RGB xterm uses for them. */
export const ansi16: ReadonlyArray<readonly [name: string, rgb: readonly [number, number, number]]> = [
  ['black', [0, 0, 0]],
  ['red', [205, 0, 0]],
  ['green', [0, 205, 0]],
  ['yellow', [205, 205, 0]],
  ['blue', [0, 0, 238]],
  ['magenta', [205, 0, 205]],
  ['cyan', [0, 205, 205]],
  ['white', [229, 229, 229]],
  ['blackBright', [127, 127, 127]],
  ['redBright', [255, 0, 0]],
  ['greenBright', [0, 255, 0]],
  ['yellowBright', [255, 255, 0]],
  ['blueBright', [92, 92, 255]],
  ['magentaBright', [255, 0, 255]],
  ['cyanBright', [0, 255, 255]],
  ['whiteBright', [255, 255, 255]],
];

/** Other spellings people write for the 16 colors. */
const aliases: Record<string, string> = {
  gray: 'blackBright',
  grey: 'blackBright',
  brightBlack: 'blackBright',
  brightRed: 'redBright',
  brightGreen: 'greenBright',
  brightYellow: 'yellowBright',
  brightBlue: 'blueBright',
  brightMagenta: 'magentaBright',
  brightCyan: 'cyanBright',
  brightWhite: 'whiteBright',
};

/** A parsed color: an RGB triple, an index in the 256-color palette, a named ANSI color, or the terminal's default. */
export type Color =
  | { readonly kind: 'rgb'; readonly rgb: readonly [number, number, number] }
  | { readonly kind: 'ansi256'; readonly index: number }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'default' };

/** Parses "#rrggbb", "#rgb", "ansi256(n)", a 16-color name, or "default"; undefined when it is none of them. */
export function parseColor(text: string): Color | undefined {
  const value = text.trim();
  if (value === 'default') return { kind: 'default' };
  const hex = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(value);
  if (hex?.[1]) {
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join('') : hex[1];
    return { kind: 'rgb', rgb: [parseInt(digits.slice(0, 2), 16), parseInt(digits.slice(2, 4), 16), parseInt(digits.slice(4, 6), 16)] };
  }
  const indexed = /^ansi256\(\s*(\d{1,3})\s*\)$/.exec(value);
  if (indexed?.[1]) {
    const index = Number(indexed[1]);
    return index <= 255 ? { kind: 'ansi256', index } : undefined;
  }
  const name = aliases[value] ?? value;
  if (ansi16.some(([n]) => n === name)) return { kind: 'named', name };
  return undefined;
}

const cubeLevels = [0, 95, 135, 175, 215, 255];

/** The RGB of a 256-palette index (xterm's palette). */
export function rgbOfIndex(index: number): readonly [number, number, number] {
  if (index < 16) return ansi16[index]?.[1] ?? [0, 0, 0];
  if (index >= 232) {
    const level = 8 + (index - 232) * 10;
    return [level, level, level];
  }
  const i = index - 16;
  return [cubeLevels[Math.floor(i / 36)] ?? 0, cubeLevels[Math.floor(i / 6) % 6] ?? 0, cubeLevels[i % 6] ?? 0];
}

const distance = (a: readonly number[], b: readonly number[]): number =>
  ((a[0] ?? 0) - (b[0] ?? 0)) ** 2 + ((a[1] ?? 0) - (b[1] ?? 0)) ** 2 + ((a[2] ?? 0) - (b[2] ?? 0)) ** 2;

/** The nearest 256-palette index to an RGB color: the best of the 6×6×6 cube and the gray ramp. */
export function nearest256(rgb: readonly [number, number, number]): number {
  const step = (v: number): number => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)));
  const cube = 16 + 36 * step(rgb[0]) + 6 * step(rgb[1]) + step(rgb[2]);
  const average = (rgb[0] + rgb[1] + rgb[2]) / 3;
  const grayIndex = average > 238 ? 255 : 232 + Math.max(0, Math.round((average - 8) / 10));
  return distance(rgbOfIndex(cube), rgb) <= distance(rgbOfIndex(grayIndex), rgb) ? cube : grayIndex;
}

/** The nearest of the 16 ANSI colors to an RGB color, by chalk name. */
export function nearest16(rgb: readonly [number, number, number]): string {
  let best = 'white';
  let bestDistance = Infinity;
  for (const [name, value] of ansi16) {
    const d = distance(value, rgb);
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return best;
}

/** The color as Ink should draw it at a depth; undefined means "the terminal's default". */
export function colorAt(color: Color, depth: ColorDepth): string | undefined {
  if (depth === 'none' || color.kind === 'default') return undefined;
  switch (color.kind) {
    case 'named':
      return color.name;
    case 'ansi256':
      if (depth === '16') return color.index < 16 ? (ansi16[color.index]?.[0] ?? 'white') : nearest16(rgbOfIndex(color.index));
      return `ansi256(${color.index})`;
    case 'rgb': {
      if (depth === 'truecolor') return `#${color.rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      if (depth === '256') return `ansi256(${nearest256(color.rgb)})`;
      return nearest16(color.rgb);
    }
  }
}

/**
 * How many colors the terminal shows, from the environment: NO_COLOR (any non-empty value)
 * turns color off; COLORTERM=truecolor|24bit means truecolor; a TERM ending in 256color means
 * 256; TERM=dumb means none; anything else, the 16 ANSI colors.
 */
export function detectColorDepth(env: NodeJS.ProcessEnv): ColorDepth {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 'none';
  const colorterm = (env.COLORTERM ?? '').toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 'truecolor';
  const term = (env.TERM ?? '').toLowerCase();
  if (term === 'dumb') return 'none';
  if (term.includes('256color') || term.includes('direct')) return '256';
  return '16';
}
