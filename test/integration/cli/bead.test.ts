import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import { inBatches, jsonError, makeTown, type TestTown } from './bead-town.js';

const CONTRACT_KEYS = ['id', 'type', 'title', 'body', 'status', 'priority', 'labels', 'assignee', 'needs', 'parent', 'created_by', 'created_at', 'updated_at', 'closed_at', 'close_reason'];

describe('citadel bead', () => {
  let town: TestTown;
  beforeAll(async () => {
    town = await makeTown('zz');
  });
  afterAll(() => town.dispose());

  it('creates beads with the contract JSON shape, and shows and lists them', async () => {
    const epic = await town.create('Parser rewrite', '--type', 'epic', '--priority', '1');
    const plain = await town.run(['bead', 'create', 'Plain text id']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^zz-[0-9a-z]{4}\n$/);
    const body = 'Step one.\nStep two.\n';
    const child = await town.json<Bead>(['bead', 'create', 'Lexer', '--parent', epic.id, '--label', 'ts,parsing', '--label', 'ts', '--needs', plain.stdout.trim(), '--body-file', '-'], { input: body });
    expect(Object.keys(child)).toEqual(CONTRACT_KEYS);
    expect(child).toMatchObject({ type: 'task', title: 'Lexer', body, status: 'open', priority: 2, labels: ['ts', 'parsing'], assignee: null, needs: [plain.stdout.trim()], parent: epic.id, created_by: 'overseer' });

    expect(await town.json(['bead', 'show', child.id])).toEqual(child);
    const shown = await town.run(['bead', 'show', child.id]);
    expect(shown.stdout).toContain(`${child.id}  Lexer`);
    expect(shown.stdout).toContain(`ready:     no: it needs ${plain.stdout.trim()} closed first`);
    expect(shown.stdout).toContain('Step two.');

    const list = await town.json<Bead[]>(['bead', 'list', '--label', 'parsing']);
    expect(list.map((b) => b.id)).toEqual([child.id]);
    const epics = await town.json<Bead[]>(['bead', 'list', '--type', 'epic', '--status', 'open']);
    expect(epics.map((b) => b.id)).toEqual([epic.id]);
    const text = await town.run(['bead', 'list', '--parent', epic.id]);
    expect(text.stdout).toMatch(new RegExp(`^${child.id}\\s+P2\\s+task\\s+open\\s+Lexer  #ts #parsing\\n$`));
  });

  it('updates, closes with a reason, reopens, and links with dep add/rm (cycles refused, named)', async () => {
    const a = await town.create('A');
    const b = await town.create('B');
    const updated = await town.json<Bead>(['bead', 'update', a.id, '--title', 'A, renamed', '--priority', '0', '--add-label', 'urgent', '--assignee', 'nux']);
    expect(updated).toMatchObject({ title: 'A, renamed', priority: 0, labels: ['urgent'], assignee: 'nux' });
    expect((await town.json<Bead>(['bead', 'dep', 'add', b.id, '--needs', a.id])).needs).toEqual([a.id]);
    const cycle = await town.run(['bead', 'dep', 'add', a.id, '--needs', b.id]);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toBe(`citadel: refused: ${a.id} needing ${b.id} would close a cycle: ${a.id} → ${b.id} → ${a.id}\n`);
    expect((await town.json<Bead>(['bead', 'dep', 'rm', b.id, '--needs', a.id])).needs).toEqual([]);
    const closed = await town.json<Bead>(['bead', 'close', a.id, '--reason', 'fixed in main']);
    expect(closed).toMatchObject({ status: 'closed', close_reason: 'fixed in main' });
    expect(closed.closed_at).not.toBeNull();
    const again = await town.run(['bead', 'close', a.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already closed/);
    expect(await town.json<Bead>(['bead', 'update', a.id, '--status', 'open'])).toMatchObject({ status: 'open', closed_at: null, close_reason: null });
  });

  it('refuses bad input with one line and the right exit code, writing nothing', async () => {
    const before = (await town.all()).length;
    const existing = await town.create('Existing');
    const cases: [string[], number, RegExp][] = [
      [['bead', 'create', ''], 1, /^citadel: the title is empty/],
      [['bead', 'create', '   '], 1, /^citadel: the title is empty/],
      [['bead', 'create', 'x', '--priority', '9'], 1, /^citadel: priority must be 0 \(highest\) to 4 \(lowest\), got "9"/],
      [['bead', 'create', 'x', '--type', 'story'], 1, /^citadel: unknown bead type "story": use one of task, bug, feature, epic, chore, step/],
      [['bead', 'create', 'x', '--needs', 'zz-nope'], 1, /^citadel: needed bead zz-nope not found \(see/],
      [['bead', 'create', 'x', '--frobnicate'], 2, /^citadel: unknown option '--frobnicate'/],
      [['bead', 'create'], 2, /^citadel: missing required argument 'title'/],
      [['bead', 'show', 'zz-nope'], 1, /^citadel: bead zz-nope not found/],
      [['bead', 'show', 'not an id'], 1, /is not a bead id/],
      [['bead', 'update', existing.id], 2, /^citadel: nothing to update/],
      [['bead', 'update', existing.id, '--claim', '--assignee', 'x'], 2, /--assignee or --claim, not both/],
      [['bead', 'update', existing.id, '--priority', 'urgent'], 1, /priority must be/],
      [['bead', 'update', existing.id, '--status', 'done'], 1, /unknown status "done"/],
      [['bead', 'update', 'zz-nope', '--title', 'x'], 1, /bead zz-nope not found/],
      [['bead', 'close', existing.id, 'zz-nope'], 1, /bead zz-nope not found/],
      [['bead', 'dep', 'add', existing.id], 2, /missing --needs/],
      [['bead', 'list', '--status', 'weird'], 1, /unknown status "weird"/],
      [['bead', 'create', 'x', '--body', 'a', '--body-file', 'f'], 2, /--body or --body-file, not both/],
    ];
    // failures write nothing, so they can run side by side
    const results = await inBatches(cases, 4, ([args]) => town.run(args));
    for (const [i, [args, code, message]] of cases.entries()) {
      const result = results[i]!;
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const json = await town.run(['bead', 'show', 'zz-nope', '--json']);
    expect(json.code).toBe(1);
    expect(jsonError(json)).toEqual({ code: 'not_found', message: 'bead zz-nope not found (see `citadel bead list`)' });
    const usage = await town.run(['bead', 'create', 'x', '--bogus', '--json']);
    expect(usage.code).toBe(2);
    expect(jsonError(usage).code).toBe('usage');
    // nothing was written by any of the failures: only `existing` is new, and it is unchanged
    const after = await town.all();
    expect(after).toHaveLength(before + 1);
    expect(after.find((b) => b.id === existing.id)).toEqual(existing);
  });

  it('prints help for every subcommand', async () => {
    const subs = ['create', 'show', 'list', 'update', 'close', 'import', 'export'];
    const results = await inBatches(subs, 4, (sub) => town.run(['bead', sub, '--help']));
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--json');
    }
    expect((await town.run(['bead', 'update', '--help'])).stdout).toContain('--claim');
    expect((await town.run(['bead', 'dep', 'add', '--help'])).stdout).toContain('--needs');
  });
});
