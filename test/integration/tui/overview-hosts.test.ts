import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PaneInfo } from '../../../src/daemon/protocol.js';
import { openJournal, type Journal } from '../../../src/journal/index.js';
import { defaultPalette } from '../../../src/tui/chrome/palette.js';
import { hostFacts, withHostFacts } from '../../../src/tui/overview/host-facts.js';
import { overviewEntries, overviewHosts, type PolecatFacts } from '../../../src/tui/overview/overview-entries.js';
import { initialOverview } from '../../../src/tui/overview/overview-state.js';
import { overviewLines } from '../../../src/tui/overview/overview-view.js';
import { stripAnsi, textWidth } from '../../../src/tui/render/cells.js';
import { polecatFacts, dispose as closePanels } from '../../../src/tui/panels/index.js';
import { initTown } from '../../../src/town/create.js';
import { openTownAt } from '../../../src/town/town.js';
import { makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

/** Hosts in the overview (issue 19): remote polecats named with their host, a down host needing a person, the hosts line. */

const pane = (id: string, status = 'working'): PaneInfo => ({ id, polecat: id, status, argv: [], cols: 80, rows: 24, bead: `ct-${id}`, branch: `polecat/${id}/ct-${id}` });

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A real journal in a temp dir holding polecats (some slung to hosts) and the hosts' records. */
async function journalWith(polecats: Record<string, string | null>, hosts: Record<string, string>): Promise<Journal> {
  const dir = tempDir();
  const journal = openJournal(join(dir.path, 'journal'), { writer: 'test' });
  cleanups.push(() => {
    journal.close();
    dir.dispose();
  });
  await journal.mutate(() => ({
    changes: [
      ...Object.entries(hosts).map(([name, state]) => ({ kind: 'hosts', id: name, entity: { id: name, name, destination: `me@${name}`, state }, action: 'add' })),
      ...Object.entries(polecats).map(([name, host]) => ({ kind: 'polecats', id: name, entity: { id: name, name, status: 'working', ...(host ? { host } : {}) }, action: 'sling' })),
    ],
    value: undefined,
  }));
  return journal;
}

async function setHostState(journal: Journal, name: string, state: string): Promise<void> {
  await journal.mutate((s) => ({ changes: [{ kind: 'hosts', id: name, entity: { ...s.get('hosts', name)!, state }, action: 'state' }], value: undefined }));
}

const entriesOf = (panes: PaneInfo[], facts: ReadonlyMap<string, PolecatFacts>, filter = '') => overviewEntries({ panes, since: new Map(), facts, beadTitles: new Map(), filter });

describe('hosts in the overview', () => {
  it('reads each remote polecat’s host and its state from the journal; a local polecat has none; a host gone from the town is "removed"', async () => {
    const journal = await journalWith({ nux: 'gpu-box', ace: null, max: 'lab', old: 'gone' }, { 'gpu-box': 'up', lab: 'reconnecting' });
    const panes = [pane('nux'), pane('ace'), pane('max'), pane('old')];
    const facts = hostFacts(journal.read(), panes);
    expect(Object.fromEntries(facts)).toEqual({
      nux: { host: 'gpu-box', hostState: 'up' },
      max: { host: 'lab', hostState: 'reconnecting' },
      old: { host: 'gone', hostState: 'removed' },
    });
    // Merged over the journal's other facts, which stay.
    const merged = withHostFacts(new Map([['nux', { mr: 'queued' }], ['ace', { step: 'release 1/2' }]]), facts);
    expect(merged.get('nux')).toEqual({ mr: 'queued', host: 'gpu-box', hostState: 'up' });
    expect(merged.get('ace')).toEqual({ step: 'release 1/2' });
    expect(overviewHosts(panes, merged)).toEqual([
      { name: 'gone', state: 'removed', polecats: 1 },
      { name: 'gpu-box', state: 'up', polecats: 1 },
      { name: 'lab', state: 'reconnecting', polecats: 1 },
    ]);
  });

  it('sorts a polecat whose host went down with those that need a person, flags it, and filters on the host', async () => {
    const journal = await journalWith({ a: null, b: 'gpu-box', c: null, d: 'lab' }, { 'gpu-box': 'up', lab: 'up' });
    const panes = [pane('a'), pane('b'), pane('c', 'waiting'), pane('d')];
    const before = entriesOf(panes, hostFacts(journal.read(), panes));
    expect(before.map((e) => e.pane.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(before.filter((e) => e.attention).map((e) => e.pane.id)).toEqual(['c']);

    await setHostState(journal, 'gpu-box', 'down');
    await setHostState(journal, 'lab', 'reconnecting');
    const after = entriesOf(panes, hostFacts(journal.read(), panes));
    // Waiting first, then the polecat no one can reach; a reconnecting host recovers by itself.
    expect(after.map((e) => e.pane.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(after.map((e) => [e.pane.id, e.attention, e.hostDown])).toEqual([
      ['c', true, false],
      ['b', true, true],
      ['a', false, false],
      ['d', false, false],
    ]);
    expect(entriesOf(panes, hostFacts(journal.read(), panes), 'gpu').map((e) => e.pane.id)).toEqual(['b']);
    expect(entriesOf(panes, hostFacts(journal.read(), panes), 'down').map((e) => e.pane.id)).toEqual(['b']);
  });

  it('draws remote polecats as name@host with a host state that is not up, and the hosts with their states in the footer', async () => {
    const journal = await journalWith({ nux: 'gpu-box', ace: null, max: 'lab' }, { 'gpu-box': 'down', lab: 'reconnecting' });
    const panes = [pane('nux'), pane('ace'), pane('max')];
    const facts = hostFacts(journal.read(), panes);
    const entries = entriesOf(panes, facts);
    const lines = overviewLines(
      { entries, overview: initialOverview, cols: 140, rows: 8, now: 0, lastLine: () => 'compiling…', total: 3, prefix: 'C-b', hosts: overviewHosts(panes, facts) },
      defaultPalette,
    ).map(stripAnsi);
    expect(lines).toHaveLength(8);
    for (const line of lines) expect(textWidth(line)).toBe(140);
    expect(lines[0]).toMatch(/^! WORKING\s+nux@gpu-box down\s+ct-nux /);
    expect(lines[1]).toMatch(/^ {2}WORKING\s+ace\s+ct-ace /);
    expect(lines[2]).toMatch(/^ {2}WORKING\s+max@lab reconnecting\s+ct-max /);
    expect(lines[7]).toMatch(/^ 3 polecats · hosts gpu-box DOWN, lab reconnecting · type to filter · /);
    // A town without remote polecats: no hosts in the footer, the name column as before.
    const local = overviewLines({ entries: entriesOf([pane('ace')], new Map()), overview: initialOverview, cols: 100, rows: 3, now: 0, lastLine: () => '', total: 1, prefix: 'C-b', hosts: [] }, defaultPalette).map(stripAnsi);
    expect(local[2]).toMatch(/^ 1 polecat · type to filter · /);
  });
});

describe('the overview’s facts from a real town', () => {
  it('the panels’ polecatFacts give each remote polecat its host and the host’s current state, as the daemon writes it', async () => {
    const repo = makeRepo();
    initTown({ cwd: repo.path, env: {} });
    const writer = openTownAt(repo.path, 'daemon');
    cleanups.push(() => {
      writer.close();
      repo.dispose();
    });
    await writer.journal.mutate(() => ({
      changes: [
        { kind: 'hosts', id: 'gpu-box', entity: { id: 'gpu-box', name: 'gpu-box', destination: 'me@gpu-box', state: 'up' }, action: 'add' },
        { kind: 'polecats', id: 'nux', entity: { id: 'nux', name: 'nux', status: 'working', host: 'gpu-box' }, action: 'sling' },
        { kind: 'polecats', id: 'ace', entity: { id: 'ace', name: 'ace', status: 'working' }, action: 'sling' },
      ],
      value: undefined,
    }));
    const panes = [pane('nux'), pane('ace')];
    try {
      expect(polecatFacts({ root: repo.path }, panes).get('nux')).toMatchObject({ host: 'gpu-box', hostState: 'up' });
      expect(polecatFacts({ root: repo.path }, panes).get('ace')?.host).toBeUndefined();
      await setHostState(writer.journal, 'gpu-box', 'down');
      expect(polecatFacts({ root: repo.path }, panes).get('nux')).toMatchObject({ host: 'gpu-box', hostState: 'down' });
    } finally {
      await closePanels();
    }
  });
});
