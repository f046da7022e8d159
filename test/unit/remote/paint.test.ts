import { describe, expect, it } from 'vitest';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { Screen } from '../../../src/daemon/screen.js';
import { HostLink, RemotePty } from '../../../src/remote/link.js';

/** The frame the keeper would send for `screen` (as Pane.fullFrame builds it). */
function frameOf(screen: Screen, full: boolean, previous?: string[]): RowFrame {
  const state = screen.state();
  const lines = state.lines.map((text, y) => [y, text] as [number, string]).filter(([y, text]) => full || previous?.[y] !== text);
  return { t: 'frame', pane: 'p', cols: state.cols, rows: state.rows, full, lines, cursor: state.cursor, altScreen: state.altScreen, ...(state.title !== undefined ? { title: state.title } : {}), modes: state.modes };
}

describe('a remote pane painted from row frames', () => {
  it('reads exactly as the host screen: styles, wide characters, a full last column, the cursor, title, modes and the alternate screen', () => {
    const link = new HostLink({ name: 'h' } as never, '0'.repeat(16), { log: () => undefined, state: () => undefined, call: async () => undefined, env: {} });
    const host = new Screen(40, 6, 100);
    const home = new Screen(40, 6, 100);
    const pty = new RemotePty(link, 'p', 123, 40, 6);
    pty.onData((data) => home.write(data));
    const check = (): void => {
      const a = host.state();
      const b = home.state();
      expect(b.lines).toEqual(a.lines);
      expect(b.cursor).toEqual(a.cursor);
      expect(b.altScreen).toBe(a.altScreen);
      expect(b.title).toBe(a.title);
      expect(b.modes).toEqual(a.modes);
    };
    host.write('\x1b]2;agent at work\x07\x1b[1;31mred bold\x1b[0m plain \x1b[38;2;10;200;30mtruecolor\x1b[0m\r\n漢字 and emoji 🎉\r\n');
    host.write(`${'x'.repeat(40)}`);
    host.write('\r\n\x1b[?2004h\x1b[?1h$ ');
    pty.frame(frameOf(host, true));
    check();
    let previous = host.state().lines;
    // Scrolling on the host: only changed rows travel; nothing scrolls at home (autowrap off).
    for (let i = 0; i < 10; i++) host.write(`line ${i}\r\n`);
    pty.frame(frameOf(host, false, previous));
    check();
    previous = host.state().lines;
    host.write('\x1b[?1049h\x1b[Hfull screen app\x1b[?25l');
    pty.frame(frameOf(host, true));
    check();
    host.write('\x1b[?1049l\x1b[?25h\x1b[?1l');
    pty.frame(frameOf(host, true));
    check();
    expect(home.length).toBe(home.rows); // no scrollback grew at home
    link.close();
  });
});
