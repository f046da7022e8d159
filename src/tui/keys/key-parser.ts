/**
 * Splits raw terminal input into keys. Each key keeps its raw bytes, so what goes to a pane is
 * exactly what the outer terminal sent (arrows, function keys, Alt combinations, UTF-8), and
 * gets a name in tmux notation (`C-b`, `M-x`, `Up`, `C-Left`, `F5`, `PageUp`, `Enter`, `a`)
 * for the prefix and the bindings. A bracketed paste is one key (`paste`) carrying its text, so
 * a prefix byte inside pasted text is never taken as a command.
 */
export interface Key {
  /** tmux notation, e.g. "C-b", "M-x", "Up", "S-F5", "Enter", "Space", "a"; "paste" for a paste. */
  readonly name: string;
  /** The bytes as the terminal sent them (for a paste: the pasted text, without the brackets). */
  readonly raw: string;
}

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

const csiTilde: Record<string, string> = {
  '1': 'Home', '2': 'Insert', '3': 'Delete', '4': 'End', '5': 'PageUp', '6': 'PageDown', '7': 'Home', '8': 'End',
  '11': 'F1', '12': 'F2', '13': 'F3', '14': 'F4', '15': 'F5', '17': 'F6', '18': 'F7', '19': 'F8', '20': 'F9',
  '21': 'F10', '23': 'F11', '24': 'F12',
};
const csiLetter: Record<string, string> = {
  A: 'Up', B: 'Down', C: 'Right', D: 'Left', H: 'Home', F: 'End', P: 'F1', Q: 'F2', R: 'F3', S: 'F4', Z: 'BTab',
};

/** Stateful: a paste or an escape sequence split across reads is held until it is complete. */
export class KeyParser {
  private pending = '';

  /** Feeds one chunk of input; returns the complete keys in it. */
  feed(chunk: string): Key[] {
    let input = this.pending + chunk;
    this.pending = '';
    const keys: Key[] = [];
    while (input.length > 0) {
      if (input.startsWith(PASTE_START)) {
        const end = input.indexOf(PASTE_END, PASTE_START.length);
        if (end < 0) {
          this.pending = input;
          break;
        }
        keys.push({ name: 'paste', raw: input.slice(PASTE_START.length, end) });
        input = input.slice(end + PASTE_END.length);
        continue;
      }
      if (input.length < PASTE_START.length && PASTE_START.startsWith(input) && input.length > 2) {
        this.pending = input; // maybe the start of a paste
        break;
      }
      const key = parseOne(input);
      if (!key) {
        this.pending = input;
        break;
      }
      keys.push(key);
      input = input.slice(key.raw.length);
    }
    return keys;
  }

  /** Whatever is held back (an incomplete sequence), as keys: used when input goes quiet. */
  flush(): Key[] {
    if (!this.pending) return [];
    const held = this.pending;
    this.pending = '';
    if (held.startsWith(PASTE_START)) return [{ name: 'paste', raw: held.slice(PASTE_START.length) }];
    return [...held].map((ch) => ({ name: nameOfChar(ch), raw: ch }));
  }
}

/** Parses the key at the start of `input`; undefined when it is an incomplete escape sequence. */
function parseOne(input: string): Key | undefined {
  const first = input[0]!;
  if (first !== '\x1b') {
    const ch = String.fromCodePoint(input.codePointAt(0)!);
    return { name: nameOfChar(ch), raw: ch };
  }
  if (input.length === 1) return { name: 'Escape', raw: '\x1b' };
  const second = input[1]!;
  if (second === '[') {
    const match = /^\x1b\[([<?]?[0-9;:]*)([ -/]*)([@-~])/.exec(input);
    if (!match) return /^\x1b\[[<?]?[0-9;:]*[ -/]*$/.test(input) ? undefined : { name: 'M-[', raw: '\x1b[' };
    return { name: nameOfCsi(match[1]!, match[3]!), raw: match[0] };
  }
  if (second === 'O') {
    if (input.length < 3) return undefined;
    const letter = input[2]!;
    return { name: csiLetter[letter] ?? `M-O`, raw: csiLetter[letter] ? input.slice(0, 3) : '\x1bO' };
  }
  if (second === '\x1b') {
    // ESC ESC [ A… is Alt+arrow in some terminals; a lone double escape is two Escapes.
    const inner = parseOne(input.slice(1));
    if (inner && inner.name !== 'Escape' && inner.raw.startsWith('\x1b')) return { name: `M-${inner.name}`, raw: `\x1b${inner.raw}` };
    return { name: 'Escape', raw: '\x1b' };
  }
  const ch = String.fromCodePoint(input.codePointAt(1)!);
  return { name: `M-${nameOfChar(ch)}`, raw: `\x1b${ch}` };
}

function nameOfCsi(params: string, final: string): string {
  if (params.startsWith('<') || params.startsWith('?')) return 'mouse';
  const parts = params.split(';');
  const base = final === '~' ? csiTilde[parts[0] ?? ''] : csiLetter[final];
  if (!base) return `CSI${params}${final}`;
  const modifier = Number(parts[1] ?? '1') - 1;
  return withModifiers(base, modifier > 0 ? modifier : 0);
}

/** xterm's modifier parameter: 1 Shift, 2 Alt, 4 Ctrl (value − 1). */
function withModifiers(base: string, bits: number): string {
  let name = base;
  if (bits & 1) name = `S-${name}`;
  if (bits & 2) name = `M-${name}`;
  if (bits & 4) name = `C-${name}`;
  return name;
}

/** The tmux name of one character. */
export function nameOfChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code === 0x0d) return 'Enter';
  if (code === 0x09) return 'Tab';
  if (code === 0x7f || code === 0x08) return 'BSpace';
  if (code === 0x20) return 'Space';
  if (code === 0x1b) return 'Escape';
  if (code === 0x00) return 'C-Space';
  if (code < 0x1b) return `C-${String.fromCharCode(code + 0x60)}`;
  if (code < 0x20) return `C-${String.fromCharCode(code + 0x40)}`;
  return ch;
}

/**
 * Normalizes a key written by a person (config `prefixKey`, a binding) to the parser's names:
 * "C-B" → "C-b", "^B" → "C-b", "ctrl-b" → "C-b", "space" → "Space". Returns undefined when
 * the text names no key.
 */
export function normalizeKeyName(text: string): string | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  if (/^\^[A-Za-z]$/.test(t)) return `C-${t[1]!.toLowerCase()}`;
  const m = /^(?:(C|Ctrl|M|Alt|Meta|S|Shift)-)?(?:(C|Ctrl|M|Alt|Meta|S|Shift)-)?(.+)$/i.exec(t);
  if (!m) return undefined;
  const mods = [m[1], m[2]].filter((x): x is string => Boolean(x)).map((x) => {
    const l = x.toLowerCase();
    return l === 'c' || l === 'ctrl' ? 'C' : l === 's' || l === 'shift' ? 'S' : 'M';
  });
  let base = m[3]!;
  const named = ['Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Insert', 'Delete', 'Enter', 'Tab', 'BSpace', 'Space', 'Escape', 'BTab'];
  const found = named.find((n) => n.toLowerCase() === base.toLowerCase()) ?? (/^f([1-9]|1[0-2])$/i.test(base) ? base.toUpperCase() : undefined);
  if (found) base = found;
  else if ([...base].length !== 1) return undefined;
  if (mods.includes('C') && [...base].length === 1) base = base.toLowerCase();
  const order = (['C', 'M', 'S'] as const).filter((x) => mods.includes(x));
  // Match the parser's order for modified special keys: C-M-S-Up.
  return [...order.map((x) => `${x}-`), base].join('');
}

/** The bytes a terminal sends for a key in tmux notation (for the prefix sent through, and tests). */
export function encodeKeyName(name: string): string | undefined {
  if (name.startsWith('M-')) {
    const inner = encodeKeyName(name.slice(2));
    return inner === undefined ? undefined : `\x1b${inner}`;
  }
  const simple: Record<string, string> = {
    Enter: '\r', Tab: '\t', BSpace: '\x7f', Space: ' ', Escape: '\x1b', 'C-Space': '\x00', BTab: '\x1b[Z',
    Up: '\x1b[A', Down: '\x1b[B', Right: '\x1b[C', Left: '\x1b[D', Home: '\x1b[H', End: '\x1b[F',
    Insert: '\x1b[2~', Delete: '\x1b[3~', PageUp: '\x1b[5~', PageDown: '\x1b[6~',
  };
  if (simple[name]) return simple[name];
  const ctrl = /^C-(.)$/.exec(name);
  if (ctrl) {
    const c = ctrl[1]!;
    if (/[a-z]/.test(c)) return String.fromCharCode(c.charCodeAt(0) - 0x60);
    if (/[@[\\\]^_]/.test(c)) return String.fromCharCode(c.charCodeAt(0) - 0x40);
    return undefined;
  }
  return [...name].length === 1 ? name : undefined;
}
