import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { ITerminalAddon, Terminal as TerminalType } from '@xterm/headless';

const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as { Terminal: typeof TerminalType };
const { Unicode11Addon } = require('@xterm/addon-unicode11') as { Unicode11Addon: new () => ITerminalAddon };

/**
 * The person's terminal, in memory: what the workstation writes is parsed by @xterm/headless,
 * so a test reads the screen a person would see.
 */
export class OuterTerminal extends EventEmitter {
  readonly terminal: TerminalType;
  written = '';
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.terminal = new Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 0 });
    // A modern terminal: emoji and CJK in two cells, as the daemon's screens count them.
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
  }

  write(data: string): boolean {
    this.written += data;
    this.terminal.write(data);
    return true;
  }

  /** Waits until everything written has been parsed. */
  settle(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.terminal.resize(columns, rows);
    this.emit('resize');
  }

  /** The screen as plain text lines. */
  lines(): string[] {
    const buffer = this.terminal.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.rows; y++) out.push((buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '').trimEnd());
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Cell (x, y): its characters and a few attributes. */
  cell(x: number, y: number): { chars: string; fg: number; bold: boolean; fgMode: string } {
    const buffer = this.terminal.buffer.active;
    const cell = buffer.getLine(buffer.baseY + y)?.getCell(x);
    return {
      chars: cell?.getChars() ?? '',
      fg: cell?.getFgColor() ?? -1,
      bold: Boolean(cell?.isBold()),
      fgMode: cell?.isFgRGB() ? 'rgb' : cell?.isFgPalette() ? 'palette' : 'default',
    };
  }

  cursor(): { x: number; y: number } {
    const buffer = this.terminal.buffer.active;
    return { x: buffer.cursorX, y: buffer.cursorY };
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

/** A key source the test types into. */
export class FakeKeys extends EventEmitter {
  type(data: string): void {
    this.emit('data', Buffer.from(data, 'utf8'));
  }
}
