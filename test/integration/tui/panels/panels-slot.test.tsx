import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { initTown } from '../../../../src/town/create.js';
import { modelContext } from '../../../../src/model/context.js';
import { createBead, sendMail } from '../../../../src/model/operations.js';
import { openTownAt } from '../../../../src/town/town.js';
import { KeyParser } from '../../../../src/tui/keys/key-parser.js';
import { closePanelsSessions } from '../../../../src/tui/live/panels-session.js';
import { PanelChannel } from '../../../../src/tui/shell/panel-channel.js';
import { chromeTokens, hiddenPanelAction, Panels, StatusBar, initialPanelsWidth } from '../../../../src/tui/panels/index.js';
import { makeRepo } from '../../../helpers/git.js';
import { waitFor } from '../../../helpers/temp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await closePanelsSessions();
});

/** The panels and status bar as the shell mounts them, on a real town. */
function mount(setup?: (root: string) => void) {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  initTown({ cwd: repo.path, env: {} });
  setup?.(repo.path);
  const writer = openTownAt(repo.path, 'nux');
  cleanups.push(() => writer.close());
  const town = { root: repo.path, name: 'demo' };
  const notes: string[] = [];
  const widths: number[] = [];
  const width = initialPanelsWidth(town, 160);
  // The shell's side: keys parsed once, then handed over (as workstation.ts does).
  const channel = new PanelChannel();
  const parser = new KeyParser();
  const type = (bytes: string): void => {
    for (const key of parser.feed(bytes)) channel.send({ kind: 'key', key });
  };
  const rendered = render(
    <>
      <Panels
        width={width}
        height={36}
        hasKeyboard
        input={channel}
        town={town}
        panes={[{ id: 'nux', polecat: 'nux', status: 'waiting', argv: [], cols: 80, rows: 24 }]}
        journalSeq={0}
        notify={(text) => notes.push(text)}
        setPanelsWidth={(w) => widths.push(w)}
        focusPane={() => notes.push('(panes)')}
      />
      <StatusBar width={160} town={town} panes={[{ id: 'nux', polecat: 'nux', status: 'waiting', argv: [], cols: 80, rows: 24 }]} journalSeq={0} mode="normal" keyboard="panels" prefixKey="C-b" />
    </>,
  );
  cleanups.push(() => rendered.unmount());
  const frame = (what: string, check: (f: string) => boolean) =>
    waitFor(() => (check(rendered.lastFrame() ?? '') ? rendered.lastFrame() : undefined), `${what}; frame:\n${rendered.lastFrame()}`, { timeoutMs: 10_000 });
  return { root: repo.path, writer, ctx: modelContext('nux', 'ct'), rendered, notes, widths, width, frame, channel, type };
}

describe('Panels and StatusBar, as the shell mounts them', () => {
  it('follow the journal live, run triage keys as mutations, and count for the status bar', async () => {
    const { writer, ctx, frame, root, type } = mount();
    expect(initialPanelsWidth({ root }, 160)).toBe(64);
    await frame('the empty board', (f) => f.includes('no beads yet'));
    const { value: bead } = await writer.journal.mutate(createBead(ctx, { title: 'Written by nux', priority: 2 }));
    await frame('the bead, live', (f) => f.includes(`P2 ${bead.id}`) && /1 ready {2}0 working {2}1 waiting/.test(f));
    type('0');
    await frame('priority 0 on the board', (f) => f.includes(`P0 ${bead.id}`));
    expect(writer.journal.read().get('beads', bead.id)).toMatchObject({ priority: 0 });
    await writer.journal.mutate(sendMail(ctx, { to: 'overseer', subject: 'Ping from nux' }));
    await frame('the mail and the unread count', (f) => f.includes('Ping from nux') && f.includes('✉ 1 unread'));
  });

  it('answer their prefix actions: a panel hidden, the width asked of the shell, the layout remembered', async () => {
    const { frame, widths, root, channel } = mount();
    await frame('the feed', (f) => f.includes('Activity'));
    expect(channel.send({ kind: 'action', action: 'layout.toggle.feed' })).toBe(true);
    await frame('the feed hidden', (f) => !f.includes('Activity'));
    const saved = await waitFor(
      () => JSON.parse(readFileSync(join(root, '.citadel', 'run', 'layout.json'), 'utf8')) as { panels: { feed: { visible: boolean } } },
      'the layout saved',
    );
    expect(saved.panels.feed.visible).toBe(false);
    expect(channel.send({ kind: 'action', action: 'layout.wider' })).toBe(true);
    await waitFor(() => widths.at(-1) === 72, 'a wider panels asked of the shell');
    // A panel action that is not a prefix one is not taken.
    expect(channel.send({ kind: 'action', action: 'cursor.down' })).toBe(false);
  });

  it('give the keyboard back on an Escape they do not use, and take prefix actions while hidden', async () => {
    const { frame, notes, type, root } = mount();
    await frame('the board', (f) => f.includes('Board'));
    type('\x1b');
    await waitFor(() => notes.includes('(panes)'), 'the keyboard back to the panes');
    // Every panel hidden (no panels mounted): the shell hands prefix B to the module.
    const town = { root, name: 'demo' };
    for (const action of ['layout.toggle.board', 'layout.toggle.lane', 'layout.toggle.inbox', 'layout.toggle.feed'] as const) hiddenPanelAction(town, action, 160);
    expect(hiddenPanelAction(town, 'layout.wider', 160)).toBe(0);
    expect(hiddenPanelAction(town, 'layout.toggle.board', 160)).toBeGreaterThan(0);
    expect(hiddenPanelAction(town, 'cursor.down', 160)).toBeUndefined();
    const saved = JSON.parse(readFileSync(join(root, '.citadel', 'run', 'layout.json'), 'utf8')) as { panels: { board: { visible: boolean }; lane: { visible: boolean } } };
    expect(saved.panels.board.visible).toBe(true);
    expect(saved.panels.lane.visible).toBe(false);
  });

  it('report a bad theme with its file and key, and still draw', async () => {
    const { notes, frame, root } = mount((dir) => {
      writeFileSync(join(dir, '.citadel', 'config.json'), JSON.stringify({ theme: 'broken.json' }));
      writeFileSync(join(dir, 'broken.json'), JSON.stringify({ colors: { 'bead.priority.7': '#fff' } }));
    });
    await frame('the board', (f) => f.includes('Board'));
    await waitFor(() => notes.find((n) => n.includes('broken.json') && n.includes('bead.priority.7')), 'the theme problem on the message line');
    expect(readFileSync(join(root, '.citadel', 'run', 'panels.log'), 'utf8')).toContain('colors."bead.priority.7": unknown token');
    expect(chromeTokens({ root }, { COLORTERM: 'truecolor' })).toBeDefined();
    expect(chromeTokens({ root }, { NO_COLOR: '1' })).toBeUndefined();
  });
});
