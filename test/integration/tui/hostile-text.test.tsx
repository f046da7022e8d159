import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { titleBar } from '../../../src/tui/chrome/title-bar.js';
import { defaultPalette } from '../../../src/tui/chrome/palette.js';
import { ActivityFeed } from '../../../src/tui/panels/ActivityFeed.js';
import { BeadDetails } from '../../../src/tui/panels/BeadDetails.js';
import { Inbox } from '../../../src/tui/panels/Inbox.js';
import { RefineryLane } from '../../../src/tui/panels/RefineryLane.js';
import { StatusLine } from '../../../src/tui/panels/StatusLine.js';
import { inboxFor } from '../../../src/tui/state/inbox-order.js';
import { laneOrder } from '../../../src/tui/state/lane-order.js';
import { defaultTheme } from '../../../src/tui/theme/theme.js';
import { bead, event, mail, mr, smallTown } from '../../helpers/panels-fixtures.js';
import { frameWhere, renderPanels } from './panels/harness.js';

// Issue 13: a title that would write the clipboard (OSC 52), set the window title (OSC 0),
// clear the screen, open a C1 CSI and reverse the text after it (bidi override).
const HOSTILE = 'pwn \x1b]52;c;aGVsbG8=\x07 \x1b]0;owned\x07 \x1b[2J \u009b31m \u202eevil';
const SHOWN = 'pwn ␛]52;c;aGVsbG8=␇ ␛]0;owned␇ ␛[2J <U+009B>31m <U+202E>evil';

const theme = defaultTheme('none');
const now = Date.parse('2026-11-01T10:10:00Z');

/** What a frame may hold of escapes: Ink's own SGR styling only. */
function assertNoRawControls(frame: string): void {
  const unstyled = frame.replace(/\x1b\[[0-9;]*m/g, '');
  expect(unstyled).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the workstation never draws control characters from the journal', () => {
  it('board: a hostile title, label, assignee and close reason are drawn visible', () => {
    const panels = renderPanels(
      smallTown({
        beads: [
          bead('ct-h1', { title: HOSTILE, labels: ['x\x1b[31m'], priority: 0 }),
          bead('ct-h2', { title: HOSTILE, status: 'in_progress', assignee: 'a\x1b]0;t\x07' }),
          bead('ct-h3', { title: 'closed one', status: 'closed', closed_at: '2026-11-01T10:00:00Z', close_reason: HOSTILE }),
        ],
      }),
      { width: 200, height: 40 },
    );
    cleanup = () => panels.unmount();
    const frame = panels.lastFrame() ?? '';
    assertNoRawControls(frame);
    expect(frame).toContain(SHOWN);
    expect(frame).toContain('#x␛[31m');
    expect(frame).toContain('@a␛]0;t␇');
  });

  it('board → details: the body keeps its lines, its controls are visible', async () => {
    const panels = renderPanels(smallTown({ beads: [bead('ct-h1', { title: HOSTILE, body: `first ${HOSTILE}\nsecond line\r\nthird\rover`, priority: 0 })] }), { width: 200, height: 40 });
    cleanup = () => panels.unmount();
    panels.stdin.write('\r');
    const frame = await frameWhere(panels, (f) => f.includes('Bead ct-h1'), 'details of ct-h1');
    assertNoRawControls(frame);
    expect(frame).toContain(`first ${SHOWN}`);
    expect(frame).toContain('second line');
    expect(frame).toContain('third␍over');
  });

  it('bead details, inbox (list and message), lane, feed and status line', () => {
    const hostile = bead('ct-h1', { title: HOSTILE, body: HOSTILE });
    const frames: string[] = [];
    const draw = (node: Parameters<typeof render>[0]): void => {
      const rendered = render(node);
      frames.push(rendered.lastFrame() ?? '');
      rendered.unmount();
    };
    draw(<BeadDetails bead={hostile} beads={[hostile]} history={[event(1, { id: 'ct-h1', title: HOSTILE })]} scroll={0} width={160} height={20} focused theme={theme} />);
    const box = [mail('ct-m1', { subject: HOSTILE, body: HOSTILE, from: 'e\x1b[2Jvil' })];
    draw(<Inbox mail={inboxFor(box, 'overseer')} cursor={{ index: 0 }} me="overseer" now={now} width={160} height={8} focused theme={theme} />);
    draw(<Inbox mail={inboxFor(box, 'overseer')} cursor={{ index: 0 }} open={{ id: 'ct-m1', scroll: 0 }} me="overseer" now={now} width={160} height={12} focused theme={theme} />);
    const requests = laneOrder([mr('ct-r1', { state: 'testing', title: HOSTILE, branch: 'polecat/\x1b]52;c;x\x07', refinery: { stage: HOSTILE } }), mr('ct-r2', { state: 'rejected', reason: HOSTILE })]);
    draw(<RefineryLane requests={requests} cursor={{ index: 0 }} gateTail={[HOSTILE, '\x1b[32m✓ 1 passed\x1b[0m']} width={160} height={14} focused theme={theme} />);
    draw(<ActivityFeed events={[event(3, { title: HOSTILE, writer: 'w\x1b[2J', summary: HOSTILE })]} cursor={{ index: 0 }} width={160} height={8} focused theme={theme} />);
    draw(<StatusLine town={`town\x1b]0;x\x07`} counts={{ ready: 1, working: 0, waiting: 0, merging: 0, unread: 0 }} prefixKey="C-b" time="10:10" notice={{ text: HOSTILE, level: 'error' }} width={200} theme={theme} />);
    for (const frame of frames) {
      assertNoRawControls(frame);
      expect(frame).toMatch(/␛|<U\+/);
    }
    expect(frames.join('\n')).toContain(SHOWN);
  });

  it('pane title bars: a hostile bead title, program title (OSC 2) and branch are drawn visible', () => {
    const pane = { id: 'nux', polecat: 'nux', bead: 'ct-h1', branch: 'polecat/\x1b]52;c;x\x07', argv: [], cols: 80, rows: 24, status: 'working' };
    const withBead = titleBar({ pane, number: 1, width: 160, focused: true, zoomed: false, copyMode: false, beadTitle: HOSTILE }, defaultPalette);
    const withProgram = titleBar({ pane: { ...pane, bead: undefined }, number: 1, width: 160, focused: false, zoomed: false, copyMode: false, programTitle: HOSTILE }, defaultPalette);
    for (const line of [withBead, withProgram]) assertNoRawControls(line);
    expect(withBead).toContain(SHOWN);
    expect(withBead).toContain('polecat/␛]52;c;x␇');
    expect(withProgram).toContain(SHOWN);
  });
});
