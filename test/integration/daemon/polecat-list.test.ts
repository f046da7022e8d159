import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/journal/index.js';
import { json, makeTown, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

interface Row {
  name: string;
  status: string;
}

describe('polecat list', () => {
  it('polecat list never crashes on a polecat record missing fields', async () => {
    town = await makeTown();
    const journal = openJournal(join(town.root, '.citadel', 'journal'), { writer: 'test' });
    await journal.mutate(() => ({
      changes: [
        { kind: 'polecats', id: 'old', entity: { id: 'old' }, action: 'put' },
        { kind: 'polecats', id: 'odd', entity: { id: 'odd', name: 'odd', status: 'exited', exit_code: 2, argv: 'not a list', bead: 7 }, action: 'put' },
      ],
      value: undefined,
    }));
    journal.close();
    const text = await town.cli(['polecat', 'list']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^old\s/m);
    expect(text.stdout).toMatch(/^odd\s+exited\(2\)/m);
    const rows = await json<Row[]>(town, ['polecat', 'list']);
    expect(rows.map((r) => r.name)).toEqual(['odd', 'old']);
  });
});
