import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTown, type TestTown } from './bead-town.js';
import { citadelBin } from '../../helpers/cli.js';

/**
 * Field limits and the bead id grammar through the real binary (docs/model.md, "Limits"): each
 * refusal is one line, exit 1, and nothing is written.
 */
describe('citadel limits on what a bead may hold', () => {
  let town: TestTown;
  let bigFile: string;
  beforeAll(async () => {
    town = await makeTown();
    bigFile = join(town.path, 'big.txt');
    writeFileSync(bigFile, 'x'.repeat(30_000_000));
  });
  afterAll(() => town.dispose());

  const BODY_LIMIT = 'the body is 30.0 MB; the limit is 64 KiB (put large content in a file in the repository)';

  it('refuses a 30 MB body on create, update and mail, in one line, writing nothing', async () => {
    const created = await town.run(['bead', 'create', 'Huge', '--body-file', bigFile]);
    expect(created.code).toBe(1);
    expect(created.stderr).toBe(`citadel: ${BODY_LIMIT}\n`);
    expect(await town.all()).toEqual([]);

    const bead = await town.create('Small');
    const updated = await town.run(['bead', 'update', bead.id, '--body-file', bigFile]);
    expect(updated.code).toBe(1);
    expect(updated.stderr).toBe(`citadel: ${BODY_LIMIT}\n`);
    expect((await town.json(['bead', 'show', bead.id])).body).toBe('');

    const mail = await town.run(['mail', 'send', '--to', 'overseer', '--subject', 'Log', '--body-file', bigFile]);
    expect(mail.code).toBe(1);
    expect(mail.stderr).toBe(`citadel: ${BODY_LIMIT}\n`);
    expect((await town.all()).map((b) => b.id)).toEqual([bead.id]);

    // just under the limit is fine
    const fits = join(town.path, 'fits.txt');
    writeFileSync(fits, 'y'.repeat(64 * 1024));
    expect((await town.run(['bead', 'update', bead.id, '--body-file', fits])).code).toBe(0);
  });

  it.skipIf(!existsSync('/dev/zero'))('stops reading a file that never ends (--body-file /dev/zero, bead import /dev/zero) at 256 MiB, in one line', async () => {
    for (const args of [['bead', 'create', 'Endless', '--body-file', '/dev/zero'], ['bead', 'import', '/dev/zero']]) {
      const result = await town.run(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^citadel: the (body|import) from \/dev\/zero is over 256 MiB: citadel reads at most that much\n$/);
    }
    expect((await town.all()).map((b) => b.title)).not.toContain('Endless');
  });

  it.skipIf(!existsSync('/dev/zero'))('stops reading standard input that never ends (--body-file -, bead import -) at 256 MiB, in one line', async () => {
    for (const args of [['bead', 'create', 'Endless stdin', '--body-file', '-'], ['bead', 'import', '-']]) {
      const endless = openSync('/dev/zero', 'r');
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [citadelBin, ...args], { cwd: town.path, env: { ...process.env, CITADEL_ACTOR: 'overseer' }, stdio: [endless, 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      closeSync(endless);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^citadel: the (body|import) from standard input is over 256 MiB: citadel reads at most that much\n$/);
    }
    expect((await town.all()).map((b) => b.title)).not.toContain('Endless stdin');
  });

  it('refuses a title over 500 characters and more than 100 labels', async () => {
    const title = await town.run(['bead', 'create', 't'.repeat(501)]);
    expect(title.code).toBe(1);
    expect(title.stderr).toBe('citadel: the title is 501 characters; the limit is 500 (put the details in the body)\n');
    const labels = await town.run(['bead', 'create', 'Labelled', '--label', Array.from({ length: 101 }, (_, i) => `l${i}`).join(',')]);
    expect(labels.code).toBe(1);
    expect(labels.stderr).toBe('citadel: the bead has 101 labels; the limit is 100\n');
    const label = await town.run(['bead', 'create', 'Labelled', '--label', 'l'.repeat(65)]);
    expect(label.code).toBe(1);
    expect(label.stderr).toMatch(/^citadel: bad label "l{65}": a label is 1–64 characters without spaces or commas\n$/);
  });

  it('refuses an id outside the grammar on dep add and sling, saying what the grammar is', async () => {
    const bead = await town.create('Depends');
    const dep = await town.run(['bead', 'dep', 'add', bead.id, '--needs', 'ct-x..y']);
    expect(dep.code).toBe(1);
    expect(dep.stderr).toMatch(/^citadel: "ct-x\.\.y" is not a bead id: an id is 1–100 letters, digits, "\.", "_" or "-", .*no "\.\."/);
    const sling = await town.run(['sling', 'ct-x..y']);
    expect(sling.code).toBe(1);
    expect(sling.stderr).toMatch(/^citadel: invalid bead id "ct-x\.\.y": an id is 1–100 letters/);
  });
});
