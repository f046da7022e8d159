import { Text } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPalette } from '../../../src/tui/chrome/palette.js';
import type { PanelsModule } from '../../../src/tui/shell/panel-slot.js';
import { PanelChannel } from '../../../src/tui/shell/panel-channel.js';
import { initialShellState } from '../../../src/tui/shell/shell-state.js';
import { ShellView } from '../../../src/tui/shell/shell-view.js';
import { waitFor } from '../../helpers/temp.js';
import { OuterTerminal } from './helpers/outer-terminal.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('the status bar clock', () => {
  it('moves on by patching its five cells in the drawn status line: one row written, no render of the chrome', async () => {
    let renders = 0;
    const StatusBar = (): React.JSX.Element => {
      renders++;
      return <Text>town │ 0 ready C-b ? help  12:34</Text>;
    };
    const panels: PanelsModule = { StatusBar };
    const outer = new OuterTerminal(100, 20);
    const output = { write: (data: string) => outer.write(data), onceDrain: () => undefined };
    const state = initialShellState({ cols: 100, rows: 20, prefix: 'C-b', panels: 'ready', panelsWidth: 0 });
    const slot = { input: new PanelChannel(), notify: () => undefined, setPanelsWidth: () => undefined, focusPane: () => undefined };
    const view = new ShellView(state, output, new Map(), { root: '/nowhere', name: 'town' }, slot, defaultPalette, panels);
    cleanups.push(() => {
      view.close();
      outer.dispose();
    });
    await view.loadInk();
    view.draw(state, true);
    await waitFor(async () => (await outer.settle(), outer.text().includes('help  12:34')), 'the status bar');
    const rendersBefore = renders;
    const writtenBefore = outer.written.length;
    view.tickClock('12:34', '12:35');
    await waitFor(async () => (await outer.settle(), outer.text().includes('help  12:35')), 'the new minute');
    expect(renders).toBe(rendersBefore);
    // One row: the status line, not the screen.
    const written = outer.written.slice(writtenBefore);
    expect(written.length).toBeLessThan(400);
    expect(written).toContain('12:35');
    // A minute that is not the one drawn (a render came in between) is left to the next render.
    view.tickClock('09:00', '09:01');
    await outer.settle();
    expect(outer.text()).toContain('help  12:35');
  });
});
