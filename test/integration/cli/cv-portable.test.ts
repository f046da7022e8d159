import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c, crcHex } from '../../../src/journal/crc32c.js';
import type { CvProofFile } from '../../../src/ledger/cv-proof.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';
import { makeTown, type TestTown } from './bead-town.js';

/**
 * Issue 20, the portable CV, through the real binary: `cv ACTOR --export FILE` and
 * `cv --verify FILE` round trip in the town; a changed record (CRC recomputed or not), a
 * removed one and two swapped fail in one line; a head signed with an SSH key (ssh-keygen in
 * a temp dir) verifies outside any town against an allowed-signers file, and a wrong key fails.
 */
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

/** One line on stderr, `citadel: …`, exit 1. */
function expectOneLine(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^citadel: /);
  expect(result.stderr).toMatch(pattern);
}

const frame = (body: string): string => `{"crc32c":"${crcHex(crc32c(Buffer.from(body)))}","rec":${body}}`;
const bodyOf = (line: string): string => line.slice(line.indexOf('"rec":') + 6, -1);

describe('citadel cv --export / --verify: a portable CV', { timeout: 180_000 }, () => {
  let town: TestTown;
  let other: TestTown;
  const temp = tempDir('citadel-cv-');
  const file = join(temp.path, 'nux.cv.json');
  const read = (): CvProofFile => JSON.parse(readFileSync(file, 'utf8')) as CvProofFile;
  const write = (name: string, proof: CvProofFile): string => {
    const path = join(temp.path, name);
    writeFileSync(path, JSON.stringify(proof));
    return path;
  };

  beforeAll(async () => {
    town = await makeTown();
    other = await makeTown();
    const a = await town.create('Parser', '--label', 'parsing');
    const b = await town.create('Docs', '--label', 'docs', '--type', 'chore');
    await town.create('Someone else’s', '--label', 'ops');
    for (const bead of [a, b]) await town.json(['bead', 'update', bead.id, '--claim'], { actor: 'nux' });
    await town.create('Between', '--label', 'ops');
    await town.json(['bead', 'close', a.id], { actor: 'nux' });
    await town.json(['bead', 'close', b.id], { actor: 'nux' });
    await town.create('After', '--label', 'ops');
  });
  afterAll(() => {
    town?.dispose();
    other?.dispose();
    temp.dispose();
  });

  it('exports nux’s records and the path to the head; verifies in the town; skills derived from the records', async () => {
    const exported = await town.json<{ records: number; from: number; head: { seq: number }; path_digests: number }>(['cv', 'nux', '--export', file]);
    const proof = read();
    expect(proof).toMatchObject({ format: 'citadel-cv/1', actor: 'nux', address: `entity://citadel/${proof.town}/nux`, repaired: [], unchained: 0 });
    expect(exported.records).toBe(proof.records.length);
    expect(proof.records.length).toBeGreaterThanOrEqual(4);
    // Every seq from the first record to the head is either a record or a 32-byte digest.
    expect(exported.path_digests + proof.records.length).toBe(proof.head.seq - proof.from + 1);
    expect(proof.records.join('\n')).not.toContain('Someone else');
    const text = await town.run(['cv', '--verify', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Verified: ${proof.records.length} record\\(s\\) of nux \\(entity://citadel/[a-z0-9_-]+/nux\\), seq ${proof.from}–\\d+, chained to the head at seq ${proof.head.seq}$`, 'm'));
    expect(text.stdout).toMatch(/^head: matches this town's chain at seq \d+$/m);
    expect(text.stdout).toContain('skills:          docs (1), parsing (1)');
    expect(text.stdout).toMatch(/types:\s+chore \(1\), task \(1\)/);
    const json = await town.json<{ verified: boolean; cv: { closed: number; skills: { label: string }[] } }>(['cv', '--verify', file]);
    expect(json).toMatchObject({ verified: true, cv: { closed: 2 } });
    expect(json.cv.skills.map((s) => s.label).sort()).toEqual(['docs', 'parsing']);
    // ACTOR names whose CV it must be: its address works, another actor does not.
    expect((await town.run(['cv', proof.address, '--verify', file])).code).toBe(0);
    expectOneLine(await town.run(['cv', 'slit', '--verify', file]), /does not verify: it is entity:\/\/citadel\/.*\/nux's CV, not slit's/);
    // Another town's head is not this one.
    expectOneLine(await other.run(['cv', '--verify', file]), /does not verify: .*(another town|ends at seq)/);
  });

  it('a record edited (CRC recomputed, or one byte changed), removed, or two swapped: each fails in one line', async () => {
    await town.json(['cv', 'nux', '--export', file]);
    const proof = read();
    const edited = { ...proof, records: proof.records.map((line, i) => (i === 1 ? frame(bodyOf(line).replace('"Docs"', '"Compilers"')) : line)) };
    expect(edited.records[1]).not.toBe(proof.records[1]);
    expectOneLine(await town.run(['cv', '--verify', write('edited.json', edited)]), /does not verify: record seq \d+ does not follow|does not reach its head/);
    const byte = { ...proof, records: proof.records.map((line, i) => (i === 2 ? line.replace('"nux"', '"nix"') : line)) };
    expectOneLine(await town.run(['cv', '--verify', write('byte.json', byte)]), /does not verify: record 3 of the file: CRC32C mismatch/);
    const removed = { ...proof, records: proof.records.filter((_, i) => i !== 1) };
    expectOneLine(await town.run(['cv', '--verify', write('removed.json', removed)]), /does not verify: .*(removed|does not follow)/);
    const swapped = { ...proof, records: [proof.records[0]!, proof.records[2]!, proof.records[1]!, ...proof.records.slice(3)] };
    expectOneLine(await town.run(['cv', '--verify', write('swapped.json', swapped)]), /does not verify: records out of order/);
    const wholeFile = readFileSync(file, 'utf8');
    writeFileSync(join(temp.path, 'flipped.json'), wholeFile.replace(/"chain": "([0-9a-f])/, (_m, c: string) => `"chain": "${c === '0' ? '1' : '0'}`));
    expectOneLine(await town.run(['cv', '--verify', join(temp.path, 'flipped.json')]), /does not verify: /);
  });

  it('a head signed with an SSH key verifies outside any town against allowed-signers; another key fails; nothing to check against fails', async () => {
    const keys = tempDir('citadel-cv-keys-');
    try {
      for (const name of ['me', 'stranger']) execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(keys.path, name)]);
      const allowed = join(keys.path, 'allowed');
      writeFileSync(allowed, `me@example.com ${readFileSync(join(keys.path, 'me.pub'), 'utf8')}`);
      const wrong = join(keys.path, 'wrong');
      writeFileSync(wrong, `me@example.com ${readFileSync(join(keys.path, 'stranger.pub'), 'utf8')}`);
      const signedFile = join(temp.path, 'signed.json');
      const exported = await town.run(['cv', 'nux', '--export', signedFile, '--sign', join(keys.path, 'me'), '--principal', 'me@example.com']);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/head signed with .* as me@example\.com/);
      const outside = tempDir('citadel-cv-outside-');
      try {
        const ok = await runCli(['cv', '--verify', signedFile, '--allowed-signers', allowed], { cwd: outside.path });
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stdout).toMatch(/^head: Good "citadel-cv" signature for me@example\.com with ED25519 key SHA256:/m);
        expect(ok.stdout).toContain('skills:          docs (1), parsing (1)');
        expectOneLine(await runCli(['cv', '--verify', signedFile, '--allowed-signers', wrong], { cwd: outside.path }), /does not verify: the signature on its head is not me@example\.com's/);
        expectOneLine(await runCli(['cv', '--verify', signedFile], { cwd: outside.path }), /nothing to check its head against here/);
        // A signed file whose head was changed: its records no longer reach it.
        const proof = JSON.parse(readFileSync(signedFile, 'utf8')) as CvProofFile;
        const moved = write('moved-head.json', { ...proof, head: { ...proof.head, seq: proof.head.seq - 1 } });
        expectOneLine(await runCli(['cv', '--verify', moved, '--allowed-signers', allowed], { cwd: outside.path }), /does not verify: /);
        // An unsigned export checked against allowed-signers.
        expectOneLine(await runCli(['cv', '--verify', file, '--allowed-signers', allowed], { cwd: outside.path }), /its head is not signed/);
      } finally {
        outside.dispose();
      }
    } finally {
      keys.dispose();
    }
  });

  it('usage mistakes are one line', async () => {
    expect((await town.run(['cv', 'nux', '--sign', 'key'])).stderr).toMatch(/^citadel: --sign signs an export/);
    expectOneLine(await town.run(['cv', 'ghost', '--export', join(temp.path, 'ghost.json')]), /ghost has no records on the journal's hash chain/);
    expectOneLine(await town.run(['cv', '--verify', join(temp.path, 'missing.json')]), /cannot read the CV .*no such file/);
  });
});
