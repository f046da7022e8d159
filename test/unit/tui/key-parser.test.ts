import { describe, expect, it } from 'vitest';
import { KeyParser, encodeKeyName, normalizeKeyName } from '../../../src/tui/keys/key-parser.js';
import { encodeForPane } from '../../../src/tui/shell/pane-input.js';

const names = (input: string): string[] => new KeyParser().feed(input).map((k) => k.name);

describe('KeyParser', () => {
  it('names control keys, printable keys and UTF-8 in tmux notation', () => {
    expect(names('\x02a\r\t\x7f \x1b')).toEqual(['C-b', 'a', 'Enter', 'Tab', 'BSpace', 'Space', 'Escape']);
    expect(names('é漢🙂')).toEqual(['é', '漢', '🙂']);
  });

  it('parses arrows, function keys and modifiers from CSI and SS3 sequences', () => {
    expect(names('\x1b[A\x1b[B\x1bOC\x1bOD')).toEqual(['Up', 'Down', 'Right', 'Left']);
    expect(names('\x1b[1;5A\x1b[1;3D\x1b[1;2C')).toEqual(['C-Up', 'M-Left', 'S-Right']);
    expect(names('\x1bOP\x1b[15~\x1b[24~\x1b[5~\x1b[6~\x1b[3~')).toEqual(['F1', 'F5', 'F12', 'PageUp', 'PageDown', 'Delete']);
  });

  it('reads Alt as an escape prefix', () => {
    expect(names('\x1bx\x1b\x02')).toEqual(['M-x', 'M-C-b']);
  });

  it('keeps each key’s raw bytes, so a pane gets exactly what the terminal sent', () => {
    const input = 'ls\x1b[1;5D\x1bOA\x1bx\r';
    expect(new KeyParser().feed(input).map((k) => k.raw).join('')).toBe(input);
  });

  it('makes a bracketed paste one key, prefix bytes and all, even across reads', () => {
    const parser = new KeyParser();
    expect(parser.feed('\x1b[200~hello \x02 wor')).toEqual([]);
    expect(parser.feed('ld\x1b[201~x')).toEqual([
      { name: 'paste', raw: 'hello \x02 world' },
      { name: 'x', raw: 'x' },
    ]);
  });

  it('holds an escape sequence cut between reads until the rest arrives', () => {
    const parser = new KeyParser();
    expect(parser.feed('\x1b[1;')).toEqual([]);
    expect(parser.feed('5A')).toEqual([{ name: 'C-Up', raw: '\x1b[1;5A' }]);
    expect(parser.feed('\x1b[')).toEqual([]);
    expect(parser.flush().map((k) => k.name)).toEqual(['Escape', '[']);
  });
});

describe('key names', () => {
  it('normalizes what people write in the config', () => {
    expect(normalizeKeyName('C-b')).toBe('C-b');
    expect(normalizeKeyName('C-B')).toBe('C-b');
    expect(normalizeKeyName('^A')).toBe('C-a');
    expect(normalizeKeyName('ctrl-space')).toBe('C-Space');
    expect(normalizeKeyName('M-x')).toBe('M-x');
    expect(normalizeKeyName('`')).toBe('`');
    expect(normalizeKeyName('nonsense')).toBeUndefined();
  });

  it('encodes a key name back to bytes, and parses them to the same name', () => {
    for (const name of ['C-b', 'C-a', 'C-Space', 'M-x', 'Up', 'Enter', '`', 'PageDown']) {
      const bytes = encodeKeyName(name)!;
      expect(new KeyParser().feed(bytes).map((k) => k.name)).toEqual([name]);
    }
  });
});

describe('encodeForPane', () => {
  it('passes keys through unchanged by default', () => {
    expect(encodeForPane({ name: 'Up', raw: '\x1b[A' }, undefined)).toBe('\x1b[A');
  });
  it('sends application cursor keys when the program asked for them', () => {
    expect(encodeForPane({ name: 'Up', raw: '\x1b[A' }, { applicationCursor: true })).toBe('\x1bOA');
  });
  it('brackets a paste only for a program that turned bracketed paste on', () => {
    expect(encodeForPane({ name: 'paste', raw: 'x' }, undefined)).toBe('x');
    expect(encodeForPane({ name: 'paste', raw: 'x' }, { bracketedPaste: true })).toBe('\x1b[200~x\x1b[201~');
  });
});
