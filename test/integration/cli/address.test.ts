import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import { runCli } from '../../helpers/cli.js';
import { makeTown, type TestTown } from './bead-town.js';

type Addressed = Bead & { from_address: string | null; to_address: string | null };

describe('entity addresses on the real binary (issue 20)', () => {
  let town: TestTown;
  beforeAll(async () => {
    town = await makeTown();
    const named = await town.run(['town', 'name', 'alpha']);
    expect(named.code, named.stderr).toBe(0);
  });
  afterAll(() => town.dispose());

  it('citadel town name prints and sets the name; init wrote the folder’s name; a bad name is refused', async () => {
    const shown = await town.json<{ name: string; address: string; config: string }>(['town', 'name']);
    expect(shown).toEqual({ name: 'alpha', address: 'entity://citadel/alpha/overseer', config: join(town.path, '.citadel', 'config.json') });
    const config = JSON.parse(readFileSync(join(town.path, '.citadel', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ prefix: 'ct', name: 'alpha' }); // other keys kept
    const bad = await town.run(['town', 'name', 'Not A Name']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^citadel: bad town name "Not A Name": 1–64 lowercase letters/);

    const fresh = await makeTown();
    try {
      const name = await fresh.json<{ name: string }>(['town', 'name']);
      expect(name.name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      expect(JSON.parse(readFileSync(join(fresh.path, '.citadel', 'config.json'), 'utf8')).name).toBe(name.name);
    } finally {
      fresh.dispose();
    }
  });

  it('a bad name in config.json is one line pointing at the file', async () => {
    const fresh = await makeTown();
    try {
      const file = join(fresh.path, '.citadel', 'config.json');
      writeFileSync(file, JSON.stringify({ prefix: 'ct', name: 'Bad/Name' }));
      const result = await fresh.run(['ready']);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${file}: "name" must be the town's name in actors' addresses`);
    } finally {
      fresh.dispose();
    }
  });

  it('mail takes bare names and this town’s addresses, shows addresses in read and --json, and refuses another town’s', async () => {
    const sent = await town.json<Addressed>(['mail', 'send', '--to', 'entity://citadel/alpha/nux', '--subject', 'Start on the parser']);
    expect(sent).toMatchObject({ to: 'nux', from: 'overseer', to_address: 'entity://citadel/alpha/nux', from_address: 'entity://citadel/alpha/overseer' });
    const bare = await town.json<Addressed>(['mail', 'send', '--to', 'nux', '--subject', 'And the lexer']);
    expect(bare.to_address).toBe('entity://citadel/alpha/nux');
    const everyone = await town.json<Addressed>(['mail', 'send', '--to', '@all', '--subject', 'Freeze']);
    expect(everyone.to_address).toBe('@all');

    const inbox = await town.json<Addressed[]>(['mail', 'inbox', '--for', 'entity://citadel/alpha/nux']);
    expect(inbox.map((m) => m.id)).toEqual([everyone.id, bare.id, sent.id]);
    expect(inbox.every((m) => m.from_address === 'entity://citadel/alpha/overseer')).toBe(true);
    const read = await town.run(['mail', 'read', sent.id], { actor: 'entity://citadel/alpha/nux' });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('from:      overseer  <entity://citadel/alpha/overseer>');
    expect(read.stdout).toContain('to:        nux  <entity://citadel/alpha/nux>');
    // $CITADEL_ACTOR as an address is the bare actor: the read is recorded for nux.
    expect((await town.json<Addressed>(['mail', 'read', sent.id])).read_by).toEqual(['nux', 'overseer']);

    const other = await town.run(['mail', 'send', '--to', 'entity://citadel/beta/nux', '--subject', 'x']);
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe('citadel: entity://citadel/beta/nux is an actor of town "beta", not of this town ("alpha"): only this town\'s actors can be named for now');
    const otherActor = await runCli(['mail', 'inbox'], { cwd: town.path, env: { CITADEL_ACTOR: 'entity://citadel/beta/nux' } });
    expect(otherActor.code).toBe(1);
    expect(otherActor.stderr).toContain('town "beta"');
  });

  it('cv shows the address and takes one; bead --assignee takes one', async () => {
    const bead = await town.create('Write the parser');
    const assigned = await town.json<Bead>(['bead', 'update', bead.id, '--assignee', 'entity://citadel/alpha/slit']);
    expect(assigned.assignee).toBe('slit');
    const listed = await town.json<Bead[]>(['bead', 'list', '--assignee', 'entity://citadel/alpha/slit']);
    expect(listed.map((b) => b.id)).toEqual([bead.id]);

    const cv = await town.json<{ actor: string; address: string; claimed: number }>(['cv', 'entity://citadel/alpha/slit']);
    expect(cv).toMatchObject({ actor: 'slit', address: 'entity://citadel/alpha/slit', claimed: 1 });
    const text = await town.run(['cv', 'overseer']);
    expect(text.stdout).toMatch(/^address: +entity:\/\/citadel\/alpha\/overseer$/m);
    const other = await town.run(['cv', 'entity://citadel/beta/slit']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('not of this town ("alpha")');
 
    // Polecat names too: the address is resolved to the name (here: a polecat that does not exist).
    const ghost = await town.run(['polecat', 'peek', 'entity://citadel/alpha/ghost']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr.trim()).toMatch(/^citadel: polecat ghost not found/);
    const foreign = await town.run(['nudge', 'entity://citadel/beta/ghost', 'hi']);
    expect(foreign.stderr).toContain('town "beta"');
  });
});
