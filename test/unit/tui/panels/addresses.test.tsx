import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { detailLines } from '../../../../src/tui/panels/BeadDetails.js';
import { Inbox } from '../../../../src/tui/panels/Inbox.js';
import { inboxFor } from '../../../../src/tui/state/inbox-order.js';
import { defaultTheme } from '../../../../src/tui/theme/theme.js';
import { bead, mail } from '../../../helpers/panels-fixtures.js';

// Issue 20: where the workstation shows an actor in detail, it shows its address too.
describe('addresses in the workstation’s detail views', () => {
  const theme = defaultTheme('none');
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('bead details show the assignee’s and the creator’s addresses; without a town name, names only', () => {
    const b = bead('ct-a1', { assignee: 'nux', created_by: 'overseer', status: 'in_progress' });
    const text = (townName?: string) =>
      detailLines(b, [b], [], 80, theme, townName)
        .map((segments) => segments.map((s) => s.text).join(''))
        .join('\n');
    expect(text('alpha')).toMatch(/assignee\s+nux {2}entity:\/\/citadel\/alpha\/nux/);
    expect(text('alpha')).toMatch(/by\s+entity:\/\/citadel\/alpha\/overseer/);
    expect(text()).not.toContain('entity://');
  });

  it('an open message shows the sender’s and recipient’s addresses; the list stays bare names', () => {
    const box = [mail('ct-m1', { from: 'nux', to: 'overseer', subject: 'API?' })];
    const open = render(<Inbox mail={inboxFor(box, 'overseer')} cursor={{ index: 0 }} open={{ id: 'ct-m1', scroll: 0 }} me="overseer" now={Date.parse('2026-11-02T00:00:00Z')} width={90} height={10} focused theme={theme} townName="alpha" />);
    cleanup = open.unmount;
    expect(open.lastFrame()).toContain('entity://citadel/alpha/nux → entity://citadel/alpha/overseer');
    open.unmount();
    const list = render(<Inbox mail={inboxFor(box, 'overseer')} cursor={{ index: 0 }} me="overseer" now={Date.parse('2026-11-02T00:00:00Z')} width={90} height={10} focused theme={theme} townName="alpha" />);
    cleanup = list.unmount;
    expect(list.lastFrame()).toContain('nux');
    expect(list.lastFrame()).not.toContain('entity://');
  });
});
