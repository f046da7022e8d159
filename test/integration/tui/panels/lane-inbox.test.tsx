import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityFeed } from '../../../../src/tui/panels/ActivityFeed.js';
import { HelpOverlay } from '../../../../src/tui/panels/HelpOverlay.js';
import { Inbox } from '../../../../src/tui/panels/Inbox.js';
import { RefineryLane } from '../../../../src/tui/panels/RefineryLane.js';
import { StatusLine } from '../../../../src/tui/panels/StatusLine.js';
import { panelBindings } from '../../../../src/tui/keys/bindings.js';
import { inboxFor } from '../../../../src/tui/state/inbox-order.js';
import { laneOrder } from '../../../../src/tui/state/lane-order.js';
import { defaultTheme } from '../../../../src/tui/theme/theme.js';
import { event, mail, mr, smallTown } from '../../../helpers/panels-fixtures.js';
import { frameWhere, renderPanels } from './harness.js';

const theme = defaultTheme('none');
const now = Date.parse('2026-11-01T10:10:00Z');
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});
const lineWith = (frame: string, text: string): string => frame.split('\n').find((l) => l.includes(text)) ?? '';

describe('Refinery lane view', () => {
  it('keeps every panel\'s title in 3-row boxes (60x15: the lane\'s empty line pushed "Refinery" out)', async () => {
    const panels = renderPanels({ ...smallTown(), mergeRequests: [] }, { width: 24, height: 12 });
    cleanup = panels.unmount;
    const frame = await frameWhere(panels, (f) => f.includes('Activity'), 'the four boxes');
    for (const title of ['Board', 'Refinery', 'Inbox', 'Activity']) expect(frame).toMatch(new RegExp(`│${title}\\b`));
    expect(frame).not.toContain('no merge requests');
  });

  it('lists the queue in the order the refinery lands it (priority, then age), as `citadel refinery status` does', () => {
    const order = laneOrder([
      mr('ct-old', { state: 'queued', priority: 2, created_at: '2026-11-01T09:00:00Z' }),
      mr('ct-urgent', { state: 'queued', priority: 0, created_at: '2026-11-01T10:00:00Z' }),
      mr('ct-mid', { state: 'queued', priority: 1, created_at: '2026-11-01T09:30:00Z' }),
      mr('ct-mid-older', { state: 'queued', priority: 1, created_at: '2026-11-01T08:00:00Z' }),
      mr('ct-now', { state: 'merging', priority: 4 }),
    ]).map((r) => r.id);
    expect(order).toEqual(['ct-now', 'ct-urgent', 'ct-mid-older', 'ct-mid', 'ct-old']);
  });

  it('shows every state, the rejection reason, and the current request’s gate output', () => {
    const requests = laneOrder([
      mr('ct-r1', { state: 'merged', updated_at: '2026-11-01T10:00:00Z' }),
      mr('ct-r2', { state: 'queued', branch: 'polecat/bob', polecat: 'bob', refinery: { held: 'main has local changes' } }),
      mr('ct-r3', { state: 'testing', branch: 'polecat/ada', refinery: { stage: 'gate 1/1: npm test' } }),
      mr('ct-r4', { state: 'rejected', reason: 'gate npm test failed', updated_at: '2026-11-01T10:05:00Z' }),
    ]);
    const { lastFrame, unmount } = render(
      <RefineryLane requests={requests} cursor={{ index: 0 }} gateTail={['> npm test', 'FAIL src/a.test.ts', '1 failed']} width={70} height={14} focused theme={theme} />,
    );
    cleanup = unmount;
    const frame = lastFrame() ?? '';
    const at = (t: string) => frame.indexOf(t);
    expect(at('ct-r3')).toBeLessThan(at('ct-r2')); // current first, then the queue
    expect(at('ct-r2')).toBeLessThan(at('ct-r4')); // then the finished ones, newest first
    expect(at('ct-r4')).toBeLessThan(at('ct-r1'));
    expect(lineWith(frame, 'ct-r3')).toContain('testing');
    expect(lineWith(frame, 'ct-r2')).toContain('queued');
    expect(lineWith(frame, 'ct-r2')).toContain('held: main has local changes');
    expect(lineWith(frame, 'ct-r3')).toContain('gate 1/1: npm test');
    expect(lineWith(frame, 'ct-r1')).toContain('merged');
    expect(lineWith(frame, 'ct-r4')).toContain('rejected');
    expect(lineWith(frame, 'ct-r4')).toContain('gate npm test failed');
    expect(frame).toContain('gate output (ct-r3)');
    expect(frame).toContain('1 failed');
    expect(frame).toContain('testing polecat/ada · 1 queued');
  });

  it('says so when empty, and follows new requests live in the panels', async () => {
    const panels = renderPanels(smallTown({ mergeRequests: [] }));
    cleanup = () => panels.unmount();
    expect(panels.lastFrame()).toContain('no merge requests');
    panels.update(smallTown({ seq: 11, mergeRequests: [mr('ct-r9', { state: 'merging', branch: 'polecat/zed' })] }));
    await frameWhere(panels, (f) => lineWith(f, 'ct-r9').includes('merging'), 'the new merge request');
  });
});

describe('Inbox view', () => {
  const box = inboxFor(
    [
      mail('ct-m1', { subject: 'Old and read', read_by: ['overseer'], created_at: '2026-11-01T09:00:00Z' }),
      mail('ct-m2', { subject: 'Newest, unread', from: 'nux', created_at: '2026-11-01T10:08:00Z' }),
      mail('ct-m3', { subject: 'Not for me', to: 'nux', created_at: '2026-11-01T10:09:00Z' }),
      mail('ct-m4', { subject: 'To everyone', to: '@all', created_at: '2026-11-01T10:00:00Z' }),
    ],
    'overseer',
  );

  it('lists the overseer’s mail newest first with unread marked', () => {
    const { lastFrame, unmount } = render(<Inbox mail={box} cursor={{ index: 0 }} me="overseer" now={now} width={60} height={8} focused theme={theme} />);
    cleanup = unmount;
    const frame = lastFrame() ?? '';
    expect(frame).not.toContain('Not for me');
    expect(frame.indexOf('Newest, unread')).toBeLessThan(frame.indexOf('To everyone'));
    expect(frame.indexOf('To everyone')).toBeLessThan(frame.indexOf('Old and read'));
    expect(lineWith(frame, 'Newest, unread')).toMatch(/●\s+2m nux/);
    expect(lineWith(frame, 'Old and read')).not.toContain('●');
    expect(frame).toContain('2 unread · 3');
  });

  it('shows the thread under an open message', () => {
    const thread = [
      mail('ct-t1', { subject: 'API?', thread: 'ct-t1', from: 'nux', created_at: '2026-11-01T10:00:00Z' }),
      mail('ct-t2', { subject: 'Re: API?', thread: 'ct-t1', from: 'overseer', to: 'nux', created_at: '2026-11-01T10:01:00Z' }),
      mail('ct-t3', { subject: 'Re: API? (again)', thread: 'ct-t1', from: 'nux', created_at: '2026-11-01T10:02:00Z' }),
    ];
    const { lastFrame, unmount } = render(
      <Inbox mail={inboxFor(thread, 'overseer')} allMail={thread} cursor={{ index: 0 }} open={{ id: 'ct-t3', scroll: 0 }} me="overseer" now={now} width={60} height={14} focused theme={theme} />,
    );
    cleanup = unmount;
    const frame = lastFrame() ?? '';
    expect(frame).toContain('Thread (3)');
    expect(frame.indexOf('nux → overseer: API?')).toBeLessThan(frame.indexOf('overseer → nux: Re: API?'));
    expect(frame).toContain('› nux → overseer: Re: API? (again)');
  });

  it('reads a message, marking it read, and replies to it from the keyboard', async () => {
    const panels = renderPanels(smallTown());
    cleanup = () => panels.unmount();
    panels.stdin.write('\t'); // board → lane → inbox
    await frameWhere(panels, () => panels.model.state.focus === 'lane', 'focus on the lane');
    panels.stdin.write('\t');
    await frameWhere(panels, () => panels.model.state.focus === 'inbox', 'focus on the inbox');
    panels.stdin.write('\r');
    const open = await frameWhere(panels, (f) => f.includes('Mail ct-m1'), 'the message');
    expect(open).toContain('Body of ct-m1');
    await frameWhere(panels, () => panels.commands.some((c) => c.kind === 'markRead'), 'a markRead command');
    panels.stdin.write('r');
    await frameWhere(panels, (f) => f.includes('Reply to ada'), 'the reply form');
    panels.stdin.write('On it');
    await frameWhere(panels, (f) => f.includes('On it▏'), 'the typed reply');
    panels.stdin.write('\r');
    await frameWhere(panels, () => panels.commands.some((c) => c.kind === 'mail'), 'a mail command');
    expect(panels.commands.find((c) => c.kind === 'mail')).toEqual({ kind: 'mail', to: 'ada', subject: 'Re: Need a decision', body: 'On it', replyTo: 'ct-m1' });
  });

  it('composes a new message', async () => {
    const panels = renderPanels(smallTown());
    cleanup = () => panels.unmount();
    panels.stdin.write('\t');
    await frameWhere(panels, () => panels.model.state.focus === 'lane', 'focus on the lane');
    panels.stdin.write('\t');
    await frameWhere(panels, () => panels.model.state.focus === 'inbox', 'focus on the inbox');
    panels.stdin.write('m');
    await frameWhere(panels, (f) => f.includes('New message'), 'the compose form');
    panels.stdin.write('@all');
    panels.stdin.write('\r');
    panels.stdin.write('Freeze');
    panels.stdin.write('\r');
    panels.stdin.write('no merges today');
    await frameWhere(panels, (f) => f.includes('no merges today'), 'the body');
    panels.stdin.write('\r');
    await frameWhere(panels, () => panels.commands.length > 0, 'a mail command');
    expect(panels.commands[0]).toEqual({ kind: 'mail', to: '@all', subject: 'Freeze', body: 'no merges today', replyTo: undefined });
  });
});

describe('feed, status line and help', () => {
  it('puts the journal’s events in words, newest first', () => {
    const events = [event(1, { action: 'create', id: 'ct-a1', title: 'Fix login' }), event(2, { action: 'claim', writer: 'nux', id: 'ct-a1' }), event(3, { writer: 'refinery', summary: 'merged ct-r1 into main' })].reverse();
    const { lastFrame, unmount } = render(<ActivityFeed events={events} cursor={{ index: 0 }} width={70} height={8} focused={false} theme={theme} />);
    cleanup = unmount;
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines[2]).toContain('refinery: merged ct-r1 into main');
    expect(lines[3]).toContain('nux claimed ct-a1');
    expect(lines[4]).toContain('overseer created ct-a1 “Fix login”');
  });

  it('shows the town, the counts, the prefix hint and the time', () => {
    const { lastFrame, unmount } = render(
      <StatusLine town="demo" counts={{ ready: 3, working: 2, waiting: 1, merging: 4, unread: 5 }} prefixKey="C-b" time="14:03" width={100} theme={theme} />,
    );
    cleanup = unmount;
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/demo .*3 ready {2}2 working {2}1 waiting {2}4 merging {2}✉ 5 unread/);
    expect(frame).toMatch(/C-b \? help {2}14:03/);
  });

  it('at narrow widths keeps the town and the counts that matter, dropping the hint, the scheduler and the time first', () => {
    const line = (width: number, extra: { prefixArmed?: boolean } = {}): string => {
      const { lastFrame, unmount } = render(
        <StatusLine town="qa-newcomer" counts={{ ready: 3, working: 2, waiting: 1, merging: 0, unread: 5 }} prefixKey="C-b" time="14:03" scheduler="sched running 2/3 · next ct-a3f8" width={width} theme={theme} {...extra} />,
      );
      const frame = (lastFrame() ?? '').trimEnd();
      unmount();
      return frame;
    };
    // Only the scheduler's words overflow: they are cut, the hint and the time stay.
    expect(line(100)).toMatch(/^ qa-newcomer │ 3 ready {2}2 working {2}1 waiting .*│ sched.*…C-b \? help {2}14:03$/);
    expect(line(76)).toMatch(/^ qa-newcomer │ 3 ready {2}2 working {2}1 waiting {2}0 merging {2}✉ 5 unread {2}\s*14:03$/);
    expect(line(46)).toBe(' qa-newcomer │ 1 wait 3 rdy 2 wrk ✉5    14:03');
    expect(line(40)).toBe(' qa-newcomer │ 1 wait 3 rdy 2 wrk ✉5');
    expect(line(40, { prefixArmed: true })).toMatch(/^ qa-newcomer │ 1 wait 3 rdy .*C-b …$/);
    expect(line(24)).toMatch(/^ qa-newcom… │ 1 wait/);
  });

  it('lists every binding in the help, grouped by context, keys of one action together', () => {
    const { lastFrame, unmount } = render(<HelpOverlay prefixKey="C-b" scroll={0} width={90} height={200} theme={theme} />);
    cleanup = unmount;
    const frame = lastFrame() ?? '';
    const firstOfAction = new Set<string>();
    for (const binding of panelBindings) {
      const id = `${binding.context} ${binding.action}`;
      if (firstOfAction.has(id)) continue;
      firstOfAction.add(id);
      expect(frame).toContain(binding.description);
    }
    expect(frame).toContain('C-b B');
    expect(lineWith(frame, 'move down')).toMatch(/j Down/);
    expect(frame).toContain('Board');
    expect(frame).toContain('Inbox');
  });
});
