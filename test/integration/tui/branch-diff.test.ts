import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderCopyView } from '../../../src/tui/copy/copy-view.js';
import { KeyParser } from '../../../src/tui/keys/key-parser.js';
import { branchDiff, mergedDiff } from '../../../src/tui/live/branch-diff.js';
import { stripAnsi } from '../../../src/tui/render/cells.js';
import { handlePanelKey } from '../../../src/tui/panels/handle-key.js';
import { initialShellState, type ShellEvent } from '../../../src/tui/shell/shell-state.js';
import { initialPanelsState, panelsReducer } from '../../../src/tui/state/panels-reducer.js';
import { deriveView } from '../../../src/tui/state/panels-view.js';
import { mr, smallTown } from '../../helpers/panels-fixtures.js';
import { git, makeRepo } from '../../helpers/git.js';
import { step } from '../../helpers/shell-step.js';

/** What did it change? A polecat's branch against main, from a real repository, in copy mode. */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const keys = (bytes: string): ShellEvent => {
  const parser = new KeyParser();
  return { type: 'keys', keys: [...parser.feed(bytes), ...parser.flush()] };
};

describe('the diff view', () => {
  it('shows the files and the patch of the branch since it left main, not what main did meanwhile', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    git(repo.path, 'checkout', '-q', '-b', 'polecat/nux/ct-1');
    writeFileSync(join(repo.path, 'login.ts'), 'export function login() {\n\treturn true;\n}\n');
    git(repo.path, 'add', 'login.ts');
    git(repo.path, 'commit', '-q', '-m', 'ct-1: login');
    git(repo.path, 'checkout', '-q', 'main');
    writeFileSync(join(repo.path, 'main-only.txt'), 'main moved on\n');
    git(repo.path, 'add', 'main-only.txt');
    git(repo.path, 'commit', '-q', '-m', 'main work');
    const lines = await branchDiff(repo.path, 'main', 'polecat/nux/ct-1');
    const text = lines.join('\n');
    expect(lines[0]).toBe('git diff main...polecat/nux/ct-1 — what polecat/nux/ct-1 changed (/ search, n next, q leaves)');
    expect(text).toMatch(/login\.ts \| 3 \+\+\+/);
    expect(text).toContain('+       return true;');
    expect(text).not.toContain('main-only');
    await expect(branchDiff(repo.path, 'main', 'polecat/none')).rejects.toThrow(/polecat\/none/);
  });

  it('a merged request: the lane\'s d shows what it brought to main (the refinery\'s record), not "no change against main yet"', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const before = git(repo.path, 'rev-parse', 'HEAD').trim();
    git(repo.path, 'checkout', '-q', '-b', 'polecat/nux/ct-1');
    writeFileSync(join(repo.path, 'login.ts'), 'export const login = 1;\n');
    git(repo.path, 'add', 'login.ts');
    git(repo.path, 'commit', '-q', '-m', 'ct-1: login');
    git(repo.path, 'checkout', '-q', 'main');
    git(repo.path, 'merge', '-q', '--ff-only', 'polecat/nux/ct-1');
    const sha = git(repo.path, 'rev-parse', 'HEAD').trim();
    expect(await branchDiff(repo.path, 'main', 'polecat/nux/ct-1')).toContain('(no change against main yet)');
    // The lane hands the shell the request's record with the branch.
    const done = mr('ct-m1', { state: 'merged', polecat: 'nux', branch: 'polecat/nux/ct-1', refinery: { validation: { main_before: before, merged_sha: sha } } } as never);
    const view = deriveView({ ...smallTown(), mergeRequests: [done] }, '');
    const outcome = handlePanelKey(panelsReducer(initialPanelsState, { type: 'focus', panel: 'lane' }), view, 'd', 'd', 5);
    expect(outcome.diff).toEqual({ polecat: 'nux', branch: 'polecat/nux/ct-1', merged: { id: 'ct-m1', before, sha } });
    const nux = { id: 'nux', polecat: 'nux', status: 'working', argv: [], cols: 80, rows: 24 };
    const start = step(initialShellState({ cols: 200, rows: 50, prefix: 'C-b', panels: 'ready', panelsWidth: 60 }), { type: 'panes', panes: [nux], at: 0 }).state;
    expect(step(start, { type: 'show-diff', polecat: 'nux', branch: 'polecat/nux/ct-1', merged: outcome.diff!.merged }).effects).toEqual([{ type: 'fetch-diff', pane: 'nux', branch: 'polecat/nux/ct-1', merged: { id: 'ct-m1', before, sha } }]);
    const lines = await mergedDiff(repo.path, 'polecat/nux/ct-1', outcome.diff!.merged!);
    expect(lines[0]).toMatch(/^ct-m1 merged: git diff [0-9a-f]{10}\.\.[0-9a-f]{10} — what polecat\/nux\/ct-1 brought to main/);
    expect(lines.join('\n')).toContain('+export const login = 1;');
    // Without the refinery's record: it says the request merged, not "no change yet".
    expect((await mergedDiff(repo.path, 'polecat/nux/ct-1', { id: 'ct-m1' })).join('\n')).toMatch(/ct-m1 merged polecat\/nux\/ct-1 into main[\s\S]*recorded no merged commit/);
  });

  it('opens from prefix D and from the overview (C-d) as copy mode over the zoomed pane, coloured by line', () => {
    const pane = { id: 'nux', polecat: 'nux', status: 'working', argv: [], cols: 80, rows: 24, bead: 'ct-1', branch: 'polecat/nux/ct-1' };
    const other = { ...pane, id: 'ace', polecat: 'ace', branch: 'polecat/ace/ct-2', bead: 'ct-2' };
    const start = step(initialShellState({ cols: 200, rows: 50, prefix: 'C-b', panels: 'ready', panelsWidth: 0 }), { type: 'panes', panes: [other, pane], at: 0 }).state;
    expect(step(start, keys('\x02D')).effects).toEqual([{ type: 'fetch-diff', pane: 'ace', branch: 'polecat/ace/ct-2' }]);
    const open = step(start, keys('\x02wnux'));
    expect(step(open.state, keys('\x04')).effects).toEqual([{ type: 'fetch-diff', pane: 'nux', branch: 'polecat/nux/ct-1' }]);
    const lines = ['git diff main...polecat/nux/ct-1', '', 'diff --git a/x b/x', '@@ -1 +1 @@', '-old', '+new', ' same'];
    const { state } = step(open.state, { type: 'diff', pane: 'nux', lines });
    expect(state.mode).toBe('copy');
    expect(state.overview).toBeUndefined();
    expect(state.focus).toBe('nux');
    expect(state.zoomed).toBe('nux');
    expect(state.copy?.top).toBe(0);
    const view = renderCopyView(state.copy!).lines;
    expect(view[4]!.startsWith('\x1b[31m-old')).toBe(true);
    expect(view[5]!.startsWith('\x1b[32m+new')).toBe(true);
    expect(view[3]!.startsWith('\x1b[36m@@')).toBe(true);
    expect(stripAnsi(view[6]!).startsWith(' same')).toBe(true);
    // Search works as in copy mode.
    const searched = step(state, keys('/new\r')).state;
    expect(searched.copy?.cursor.line).toBe(5);
    // q leaves, and gives the zoom back as it was before the diff (not zoomed).
    expect(step(searched, keys('q')).state).toMatchObject({ mode: 'normal', zoomed: undefined, focus: 'nux' });
    // prefix D on a zoomed pane: it stays zoomed after q; a second diff over the first keeps the zoom to give back.
    const zoomed = step(start, keys('\x02z')).state;
    expect(zoomed.zoomed).toBe('ace');
    const diffed = step(zoomed, { type: 'diff', pane: 'ace', lines }).state;
    expect(step(diffed, keys('q')).state).toMatchObject({ mode: 'normal', zoomed: 'ace' });
    const twice = step(state, { type: 'diff', pane: 'nux', lines }).state;
    expect(step(twice, keys('q')).state.zoomed).toBeUndefined();
  });

  it('opens from the refinery lane: d on a merge request shows its branch over its polecat’s pane, the keyboard back on the panes', () => {
    // The lane: `d` on the selected merge request asks for its branch's diff.
    const view = deriveView(smallTown(), '');
    const lane = panelsReducer(initialPanelsState, { type: 'focus', panel: 'lane' });
    const selected = view.laneOrder[0]!;
    const mr = view.lane.find((m) => m.id === selected)!;
    const outcome = handlePanelKey(lane, view, 'd', 'd', 5);
    expect(outcome).toMatchObject({ handled: true, diff: { polecat: mr.polecat, branch: mr.branch } });
    // The shell: over the polecat's pane when it has one, else over the focused pane.
    const nux = { id: 'nux', polecat: 'nux', status: 'working', argv: [], cols: 80, rows: 24, bead: 'ct-1', branch: 'polecat/nux/ct-1' };
    const bob = { ...nux, id: 'bob', polecat: 'bob', branch: 'polecat/bob', bead: 'ct-2' };
    const start = step(initialShellState({ cols: 200, rows: 50, prefix: 'C-b', panels: 'ready', panelsWidth: 60 }), { type: 'panes', panes: [nux, bob], at: 0 }).state;
    const onPanels = step(start, keys('\x02\t')).state;
    expect(onPanels.keyboard).toBe('panels');
    expect(step(onPanels, { type: 'show-diff', polecat: 'bob', branch: 'polecat/bob' }).effects).toEqual([{ type: 'fetch-diff', pane: 'bob', branch: 'polecat/bob' }]);
    expect(step(onPanels, { type: 'show-diff', polecat: 'gone', branch: 'polecat/gone' }).effects).toEqual([{ type: 'fetch-diff', pane: 'nux', branch: 'polecat/gone' }]);
    const { state } = step(onPanels, { type: 'diff', pane: 'bob', lines: ['git diff main...polecat/bob', '+x'] });
    expect(state).toMatchObject({ mode: 'copy', focus: 'bob', zoomed: 'bob', keyboard: 'panes' });
    expect(step(state, keys('q')).state).toMatchObject({ mode: 'normal', focus: 'bob', zoomed: undefined });
    // With no pane at all, one line says so.
    const empty = step(initialShellState({ cols: 200, rows: 50, prefix: 'C-b', panels: 'ready', panelsWidth: 60 }), { type: 'show-diff', polecat: 'bob', branch: 'polecat/bob' });
    expect(empty.effects.filter((e) => e.type === 'fetch-diff')).toEqual([]);
    expect(empty.state.message?.text).toMatch(/no pane to show polecat\/bob over/);
  });
});
