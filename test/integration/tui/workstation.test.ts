import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useEffect } from 'react';
import type { PanelInput } from '../../../src/tui/shell/panel-channel.js';
import type { PanelSlotProps, PanelsModule } from '../../../src/tui/shell/panel-slot.js';
import { Workstation } from '../../../src/tui/shell/workstation.js';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { LocalPaneSource } from './helpers/local-source.js';
import { FakeKeys, OuterTerminal } from './helpers/outer-terminal.js';
import { openWorkstation } from './helpers/open-workstation.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(cols = 140, rows = 30, setup?: (source: LocalPaneSource) => void, prefixKey = 'C-b', env: NodeJS.ProcessEnv = {}) {
  return openWorkstation(cleanups, { cols, rows, setup, options: { prefixKey, env, beadTitle: (id) => (id === 'ct-1' ? 'Fix the parser' : undefined) } });
}

const sh = (script: string): string[] => ['/bin/sh', '-c', script];

describe('workstation', () => {
  it('rings the bell once and sends the notification asked for when a polecat turns waiting; the title bar flags it', async () => {
    const { until, outer, source } = await open(140, 30, (s) => {
      s.spawn('nux', sh('printf "nux ready\\n"; exec cat'));
      s.spawn('ace', sh('printf "ace ready\\n"; exec cat'));
    }, 'C-b', { CITADEL_NOTIFY: 'osc777' });
    await until('both panes', (t) => t.includes('nux ready') && t.includes('ace ready'));
    expect(outer.written).not.toContain('\x07');
    source.setStatus('ace', 'waiting');
    await until('the flag on the title bar', (t) => /!2 ace\s+WAITING/.test(t));
    source.setStatus('ace', 'waiting');
    await outer.settle();
    const bells = outer.written.split('').filter((c) => c === '\x07').length;
    expect(outer.written).toContain('\x1b]777;notify;citadel;citadel: ace needs you\x07');
    // One BEL for the bell and the one that ends the OSC: no second ring for the same wait.
    expect(bells).toBe(2);
  });

  it('tiles live panes with title bars, and their output updates in place', async () => {
    const { until, outer, ws } = await open(140, 30, (s) => {
      s.spawn('nux', sh('printf "hello from nux\\n"; exec cat'), { bead: 'ct-1', status: 'working' });
      s.spawn('ace', sh('printf "ace here\\n"; exec cat'), { status: 'waiting' });
    });
    await until('both panes drawn', (t) => t.includes('hello from nux') && t.includes('ace here'));
    const lines = outer.lines();
    expect(lines[0]).toMatch(/1 nux · ct-1 Fix the parser\s+WORKING\s+polecat\/nux\/ct-1\s*│!2 ace\s+WAITING/);
    const layout = ws.snapshot.layout;
    const [a, b] = layout.panes;
    // Each pane's text is inside its own body rectangle, and the ptys were sized to the bodies.
    expect(lines[a!.body.y]!.slice(a!.body.x, a!.body.x + 14)).toBe('hello from nux');
    expect(lines[b!.body.y]!.slice(b!.body.x, b!.body.x + 8)).toBe('ace here');
    expect(lines[29]).toBe('');
    expect(lines[a!.body.y]![b!.tile.x - 1]).toBe('│');
    expect(lines[28]).toMatch(/testtown.*2 panes/);
  });

  it('sends typed keys to the focused pane and shows the echo; the terminal cursor follows it', async () => {
    const { until, keys, outer, ws } = await open(80, 24, (s) => {
      s.spawn('a', sh('exec cat'));
      s.spawn('b', sh('exec cat'));
    });
    keys.type('typed into a\r');
    await until('echo in pane a', (t) => t.includes('typed into a'));
    keys.type('\x02j'); // prefix, then focus down (at 80×24 two readable panes are stacked)
    await waitFor(() => ws.snapshot.state.focus === 'b', 'focus on b');
    keys.type('now b');
    await until('echo in pane b', (t) => t.includes('now b'));
    const b = ws.snapshot.layout.panes[1]!;
    await waitFor(async () => {
      await outer.settle();
      return outer.cursor().x === b.body.x + 5 && outer.cursor().y === b.body.y;
    }, 'cursor after "now b" in pane b');
  });

  it('sends arrows in application mode and bracketed pastes only to a program that asked (modes from the daemon)', async () => {
    const { until, keys, source, ws } = await open(80, 24, (s) => {
      s.spawn('app', sh('printf "\\033[?1h\\033[?2004happ-ready\\n"; exec cat'));
      s.spawn('plain', sh('printf "plain-ready\\n"; exec cat'));
    });
    await until('both programs started', (t) => t.includes('app-ready') && t.includes('plain-ready'));
    const sent = (pane: string): string => source.inputs.filter(([id]) => id === pane).map(([, data]) => data).join('');
    keys.type('\x1b[A');
    keys.type('\x1b[200~pasted\x1b[201~');
    await waitFor(() => sent('app').includes('pasted'), 'the paste in app');
    expect(sent('app')).toBe('\x1bOA\x1b[200~pasted\x1b[201~');
    keys.type('\x02j');
    await waitFor(() => ws.snapshot.state.focus === 'plain', 'focus on plain');
    keys.type('\x1b[A');
    keys.type('\x1b[200~pasted\x1b[201~');
    await waitFor(() => sent('plain').includes('pasted'), 'the paste in plain');
    expect(sent('plain')).toBe('\x1b[Apasted');
  });

  it('sends the prefix itself when pressed twice, and says when a key after it is not bound', async () => {
    const { until, keys, source } = await open(80, 24, (s) => s.spawn('a', sh('exec od -c')));
    keys.type('\x02\x02\r\x04');
    await until('od shows 002', (t) => /002/.test(t));
    expect(source.inputs.map(([, d]) => d).join('')).toContain('\x02');
    keys.type('\x02Q');
    await until('unbound message', (t) => t.includes('C-b Q is not bound'));
  });

  it('takes the prefix from the town config: C-a leads, C-b goes to the pane', async () => {
    const { until, keys, source, ws } = await open(80, 24, (s) => s.spawn('a', sh('exec od -c')), 'C-a');
    keys.type('\x02\x01z');
    await waitFor(() => ws.snapshot.state.zoomed === 'a', 'zoomed with C-a z');
    keys.type('\r\x04');
    await until('od shows the C-b byte', (t) => /002/.test(t));
    expect(source.inputs.map(([, d]) => d).join('')).not.toContain('\x01');
  });

  it('says so when keys are typed into a pane whose program has exited', async () => {
    const { until, keys, source } = await open(80, 24, (s) => s.spawn('gone', sh('exit 0'), { status: 'exited' }));
    keys.type('hello');
    await until('exited message', (t) => t.includes('gone has exited') && t.includes('citadel polecat restart gone'));
    expect(source.inputs).toEqual([]);
  });

  it('exits saying so when the daemon goes away', async () => {
    const { ws, source } = await open(80, 24, (s) => s.spawn('a', sh('exec cat')));
    source.close();
    await expect(ws.exited).resolves.toMatchObject({ reason: 'closed' });
  });

  it('renders colors, attributes and wide characters as the program wrote them', async () => {
    const { until, outer, ws } = await open(80, 24, (s) =>
      s.spawn('a', sh('printf "\\033[31mred\\033[0m \\033[1;38;2;10;200;30mtrue\\033[0m 漢字end\\n"; exec cat')),
    );
    await until('colored output', (t) => t.includes('red true 漢字end'));
    const body = ws.snapshot.layout.panes[0]!.body;
    expect(outer.cell(body.x, body.y)).toMatchObject({ chars: 'r', fg: 1, fgMode: 'palette' });
    expect(outer.cell(body.x + 4, body.y)).toMatchObject({ chars: 't', bold: true, fgMode: 'rgb', fg: (10 << 16) | (200 << 8) | 30 });
    expect(outer.cell(body.x + 9, body.y).chars).toBe('漢');
    expect(outer.cell(body.x + 11, body.y).chars).toBe('字');
    expect(outer.cell(body.x + 13, body.y).chars).toBe('e');
  });

  it('zooms the focused pane to the whole grid and back, resizing its pty', async () => {
    const { until, keys, ws, source } = await open(100, 30, (s) => {
      s.spawn('a', sh('printf "AAA\\n"; exec cat'));
      s.spawn('b', sh('printf "BBB\\n"; exec cat'));
    });
    await until('both panes', (t) => t.includes('AAA') && t.includes('BBB'));
    keys.type('\x02o\x02z');
    await until('zoomed b', (t) => t.includes('[zoom]') && !t.includes('AAA'));
    const grid = ws.snapshot.layout.grid;
    await waitFor(() => source.resizes.some(([id, c, r]) => id === 'b' && c === grid.width && r === grid.height - 1), 'pty b resized to the zoomed body');
    keys.type('\x02z');
    await until('unzoomed', (t) => t.includes('AAA') && t.includes('BBB') && !t.includes('[zoom]'));
  });

  it('re-lays out when the terminal is resized, resizes the ptys, and says when it is too small', async () => {
    const { until, outer, source, ws } = await open(100, 30, (s) => s.spawn('a', sh('exec cat')));
    outer.resize(60, 20);
    await waitFor(() => source.resizes.some(([, c, r]) => c === 60 && r === 17), 'pty resized to 60x17');
    expect(ws.snapshot.layout.cols).toBe(60);
    outer.resize(30, 8);
    await until('too small message', (t) => t.includes('terminal too small: 30×8'));
    outer.resize(80, 24);
    await until('back to panes', (t) => t.includes('1 a') && !t.includes('too small'));
  });

  it('copy mode scrolls the scrollback, searches, selects and copies via OSC 52 and a file', async () => {
    const { until, keys, outer, dir } = await open(80, 20, (s) => s.spawn('a', sh('for i in $(seq 1 300); do echo "row $i"; done; echo marker-xyz; exec cat')));
    await until('output done', (t) => t.includes('marker-xyz'));
    keys.type('\x02[');
    await until('copy mode', (t) => t.includes('[copy]') && t.includes('COPY'));
    keys.type('?row 42\r');
    await until('found row 42 in scrollback', (t) => t.includes('row 42') && !t.includes('marker-xyz'));
    keys.type('0 jj$\r'); // line start, begin selection, two down, end of line, copy
    await until('copied message', (t) => t.includes('copied'));
    expect(readFileSync(join(dir.path, 'copy.txt'), 'utf8')).toBe('row 42\nrow 43\nrow 44');
    expect(outer.written).toContain(`\x1b]52;c;${Buffer.from('row 42\nrow 43\nrow 44').toString('base64')}\x07`);
    await until('live screen back', (t) => t.includes('marker-xyz') && !t.includes('[copy]'));
  });

  it('shows help generated from the bindings, and detaches on prefix d', async () => {
    const { until, keys, ws } = await open(100, 40, (s) => s.spawn('a', sh('exec cat')));
    keys.type('\x02?');
    await until('help overlay', (t) => t.includes('citadel keys') && t.includes('C-b d') && t.includes('detach'));
    keys.type('q');
    await until('help closed', (t) => !t.includes('citadel keys'));
    keys.type('\x02d');
    await expect(ws.exited).resolves.toEqual({ reason: 'detach' });
  });

  it('draws new panes as they appear, and says so when there are none', async () => {
    const { until, source } = await open(80, 24);
    await until('empty placeholder', (t) => t.includes('No polecats yet'));
    source.spawn('late', sh('printf "late pane\\n"; exec cat'));
    await until('new pane', (t) => t.includes('late pane') && t.includes('1 late'));
  });

  it('keeps the panels at the panels\' width while they load, so the ptys are not resized when they arrive', async () => {
    let arrive!: (panels: PanelsModule) => void;
    const quarter = (cols: number): number => Math.round(cols / 4);
    const { source, outer, ws } = await openWorkstation(cleanups, {
      cols: 120,
      setup: (s) => s.spawn('a', sh('exec cat')),
      start: false,
      options: {
        panelsLoading: new Promise((resolve) => (arrive = resolve)),
        panelsWidthWhileLoading: quarter,
        // Late panels: the first frame goes out without them (plain chrome), as on a slow machine.
        firstFrameWaitMs: 0,
      },
    });
    const started = ws.start();
    await waitFor(() => source.resizes.some(([, , r]) => r === 27), 'pty sized while the panels load');
    // A resize while they load: the kept width follows the size, as the panels' will.
    outer.resize(100, 30);
    await waitFor(() => source.resizes.some(([, c]) => c === 100 - quarter(100) - 1), 'pty resized at the panels\' width');
    const body = ws.snapshot.layout.panes[0]!.body;
    arrive({ Panels: () => null, initialPanelsWidth: (_town, cols) => quarter(cols) });
    await started;
    expect(ws.snapshot.state.panelsWidth).toBe(quarter(100));
    // The same pane rectangle: no new layout, so no pty resize is scheduled (programs keep their size).
    expect(ws.snapshot.layout.panes[0]!.body).toEqual(body);
  });

  it('recomputes the panels\' width from their percentage on every resize (80 -> 200 columns)', async () => {
    const percent40 = (cols: number): number => Math.round(cols * 0.4);
    const panels: PanelsModule = { Panels: () => null, initialPanelsWidth: (_town, cols) => percent40(cols) };
    const { source, outer, ws } = await openWorkstation(cleanups, { cols: 80, setup: (s) => s.spawn('a', sh('exec cat')), options: { panels } });
    expect(ws.snapshot.state.panelsWidth).toBe(32);
    outer.resize(200, 50);
    await waitFor(() => ws.snapshot.state.panelsWidth === 80, `panels 80 wide at 200 columns (is ${ws.snapshot.state.panelsWidth})`);
    await waitFor(() => source.resizes.some(([, c]) => c === 200 - 80 - 1), 'pty resized beside the wider panels');
    outer.resize(100, 30);
    await waitFor(() => ws.snapshot.state.panelsWidth === 40, 'panels 40 wide at 100 columns');
  });

  it('hands the panels keys parsed once and their prefix actions; Escape they leave comes back to the panes', async () => {
    const source = await LocalPaneSource.create();
    source.spawn('a', sh('exec cat'));
    const outer = new OuterTerminal(120, 30);
    const keys = new FakeKeys();
    const dir = tempDir();
    const got: PanelInput[] = [];
    let hidden: string | undefined;
    // A panels module as the shell loads it: it listens on `input`, uses j, gives Escape back.
    function Panels(props: PanelSlotProps) {
      const { input, focusPane } = props;
      useEffect(
        () =>
          input.listen((event) => {
            got.push(event);
            if (event.kind === 'key' && event.key.name === 'Escape') focusPane();
            return event.kind === 'action' || event.key.name === 'j';
          }),
        [input, focusPane],
      );
      return null;
    }
    const panels: PanelsModule = { Panels, initialPanelsWidth: () => 30, hiddenPanelAction: (_town, action) => ((hidden = action), 30) };
    const ws = new Workstation({ stdin: keys, stdout: outer, source, town: { root: dir.path, name: 't' }, prefixKey: 'C-b', env: {}, copyFile: join(dir.path, 'c'), panels, resizeDebounceMs: 10 });
    cleanups.push(() => {
      ws.stop();
      source.close();
      outer.dispose();
      dir.dispose();
    });
    await ws.start();
    await waitFor(() => got.length === 0 && ws.snapshot.state.panels === 'ready', 'the panels mounted');
    keys.type('\x02\t'); // prefix Tab: the keyboard to the panels
    await waitFor(() => ws.snapshot.state.keyboard === 'panels', 'the keyboard on the panels');
    keys.type('j\x1b[B');
    await waitFor(() => got.length >= 2, 'two keys for the panels');
    expect(got.slice(0, 2)).toEqual([
      { kind: 'key', key: { name: 'j', raw: 'j' } },
      { kind: 'key', key: { name: 'Down', raw: '\x1b[B' } },
    ]);
    keys.type('\x02B'); // prefix B: the panels' own prefix action
    await waitFor(() => got.some((e) => e.kind === 'action' && e.action === 'layout.toggle.board'), 'the prefix action');
    keys.type('\x1b');
    await waitFor(() => ws.snapshot.state.keyboard === 'panes', 'Escape gave the keyboard back');
    expect(source.inputs).toEqual([]); // nothing typed for the panels reached the pane
    expect(hidden).toBeUndefined();
  });
});
