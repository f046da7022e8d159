import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { colorAt, detectColorDepth, nearest16, nearest256, parseColor } from '../../../../src/tui/theme/color.js';
import { builtinThemesDir, loadTheme, themeNames } from '../../../../src/tui/theme/load-theme.js';
import { chromeSgr, sgrColor } from '../../../../src/tui/theme/sgr.js';
import { defaultColors, themeTokens } from '../../../../src/tui/theme/tokens.js';
import { tempDir } from '../../../helpers/temp.js';

let dir: { path: string; dispose: () => void } | undefined;
afterEach(() => {
  dir?.dispose();
  dir = undefined;
});

describe('colors', () => {
  it('parses hex, short hex, ansi256, names and aliases; refuses the rest', () => {
    expect(parseColor('#ff8000')).toEqual({ kind: 'rgb', rgb: [255, 128, 0] });
    expect(parseColor('#f80')).toEqual({ kind: 'rgb', rgb: [255, 136, 0] });
    expect(parseColor('ansi256(208)')).toEqual({ kind: 'ansi256', index: 208 });
    expect(parseColor('brightBlue')).toEqual({ kind: 'named', name: 'blueBright' });
    expect(parseColor('gray')).toEqual({ kind: 'named', name: 'blackBright' });
    expect(parseColor('default')).toEqual({ kind: 'default' });
    for (const bad of ['#ff80', 'ansi256(256)', 'orange', '', 'rgb(1,2,3)']) expect(parseColor(bad)).toBeUndefined();
  });

  it('degrades truecolor → 256 → 16 → none', () => {
    const orange = parseColor('#ff8700')!;
    expect(colorAt(orange, 'truecolor')).toBe('#ff8700');
    expect(colorAt(orange, '256')).toBe('ansi256(208)');
    expect(colorAt(orange, '16')).toMatch(/^(red|yellow)(Bright)?$/);
    expect(colorAt(orange, 'none')).toBeUndefined();
    expect(colorAt(parseColor('ansi256(196)')!, '16')).toBe('redBright');
    expect(colorAt(parseColor('ansi256(9)')!, '16')).toBe('redBright');
    expect(nearest256([128, 128, 128])).toBe(244);
    expect(nearest16([250, 250, 250])).toBe('whiteBright');
  });

  it('reads the depth from NO_COLOR, COLORTERM and TERM', () => {
    expect(detectColorDepth({ NO_COLOR: '1', COLORTERM: 'truecolor' })).toBe('none');
    expect(detectColorDepth({ NO_COLOR: '', COLORTERM: 'truecolor' })).toBe('truecolor');
    expect(detectColorDepth({ COLORTERM: '24bit', TERM: 'xterm' })).toBe('truecolor');
    expect(detectColorDepth({ TERM: 'tmux-256color' })).toBe('256');
    expect(detectColorDepth({ TERM: 'xterm' })).toBe('16');
    expect(detectColorDepth({ TERM: 'dumb' })).toBe('none');
  });
});

describe('themes', () => {
  it('ships dark, light, high-contrast and 16-color, each valid and complete', () => {
    expect(themeNames()).toEqual(expect.arrayContaining(['dark', 'light', 'high-contrast', '16-color']));
    for (const name of ['dark', 'light', 'high-contrast', '16-color']) {
      const loaded = loadTheme({ name, env: { COLORTERM: 'truecolor' }, cwd: '/' });
      expect(loaded.problems).toEqual([]);
      expect(loaded.theme.name).toBe(name);
      const file = JSON.parse(readFileSync(join(builtinThemesDir, `${name}.json`), 'utf8')) as { colors: Record<string, string> };
      expect(Object.keys(file.colors).sort()).toEqual([...themeTokens].sort());
    }
  });

  it('keeps themes/dark.json equal to the built-in default', () => {
    const file = JSON.parse(readFileSync(join(builtinThemesDir, 'dark.json'), 'utf8')) as { colors: Record<string, string> };
    expect(file.colors).toEqual(defaultColors);
  });

  it('uses only the 16 ANSI colors in the 16-color theme, even on a truecolor terminal', () => {
    const { theme } = loadTheme({ name: '16-color', env: { COLORTERM: 'truecolor' }, cwd: '/' });
    for (const value of Object.values(theme.colors)) if (value) expect(value).toMatch(/^[a-z]+(Bright)?$/);
  });

  it('degrades a theme to the terminal and drops color with NO_COLOR', () => {
    expect(loadTheme({ name: 'dark', env: { TERM: 'xterm-256color' }, cwd: '/' }).theme.colors['bead.priority.0']).toMatch(/^ansi256\(\d+\)$/);
    const none = loadTheme({ name: 'dark', env: { NO_COLOR: '1', COLORTERM: 'truecolor' }, cwd: '/' }).theme;
    expect(Object.values(none.colors).every((v) => v === undefined)).toBe(true);
    expect(chromeSgr(none)).toBeUndefined();
  });

  it('reports an unknown token and a bad color with the file and key, and uses the default for them', () => {
    dir = tempDir();
    const file = join(dir.path, 'mine.json');
    writeFileSync(file, JSON.stringify({ colors: { 'bead.priority.0': '#00ff00', 'bead.priority.9': '#ffffff', 'lane.merged': 'chartreuse' } }));
    const loaded = loadTheme({ name: file, env: { COLORTERM: 'truecolor' }, cwd: '/' });
    expect(loaded.problems).toHaveLength(2);
    expect(loaded.problems[0]).toContain(`${file}: colors."bead.priority.9": unknown token`);
    expect(loaded.problems[1]).toContain(`${file}: colors."lane.merged": "chartreuse" is not a color`);
    expect(loaded.theme.colors['bead.priority.0']).toBe('#00ff00');
    expect(loaded.theme.colors['lane.merged']).toBe(defaultColors['lane.merged']);
  });

  it('falls back to dark for a missing theme, bad JSON, or a wrong shape, saying why', () => {
    dir = tempDir();
    const missing = loadTheme({ name: 'nope', env: {}, cwd: dir.path });
    expect(missing.theme.name).toBe('dark');
    expect(missing.problems[0]).toMatch(/no theme named "nope" \(available: .*dark/);
    const broken = join(dir.path, 'broken.json');
    writeFileSync(broken, '{ "colors": ');
    expect(loadTheme({ name: broken, env: {}, cwd: '/' }).problems[0]).toContain(broken);
    const shape = join(dir.path, 'shape.json');
    writeFileSync(shape, JSON.stringify({ colours: {} }));
    const wrong = loadTheme({ name: './shape.json', env: {}, cwd: dir.path });
    expect(wrong.theme.name).toBe('dark');
    expect(wrong.problems.join('\n')).toContain(`${shape}: `);
  });

  it('finds a town theme by name before the built-ins', () => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'dark.json'), JSON.stringify({ name: 'town-dark', colors: { 'text.normal': '#123456' } }));
    const { theme } = loadTheme({ name: 'dark', env: { COLORTERM: 'truecolor' }, cwd: '/', searchDirs: [dir.path] });
    expect(theme.name).toBe('town-dark');
    expect(theme.colors['text.normal']).toBe('#123456');
  });

  it('turns colors into SGR for the chrome', () => {
    expect(sgrColor('#010203', 'fg')).toBe('38;2;1;2;3');
    expect(sgrColor('ansi256(42)', 'bg')).toBe('48;5;42');
    expect(sgrColor('redBright', 'fg')).toBe('91');
    expect(sgrColor('blue', 'bg')).toBe('44');
    const tokens = chromeSgr(loadTheme({ name: 'dark', env: { COLORTERM: 'truecolor' }, cwd: '/' }).theme)!;
    expect(Object.keys(tokens)).toEqual(expect.arrayContaining(['pane.title', 'pane.title.focused', 'pane.border', 'status.waiting', 'prefix', 'message.error']));
    expect(tokens['status.waiting']).toMatch(/^\x1b\[1;30;48;2;\d+;\d+;\d+m$/);
  });
});
