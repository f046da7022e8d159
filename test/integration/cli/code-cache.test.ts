import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { makeTown, type TestTown } from './bead-town.js';

const crc32 = (zlib as unknown as { crc32: (data: string | Uint8Array) => number }).crc32;

/**
 * The data commands' V8 code cache (bin/citadel.js; docs/cli.md, "Startup"): a private file under
 * $XDG_CACHE_HOME/citadel named by the bundle's content, written whole after a command that found
 * none, used as long as it is intact, and never trusted when it is not ours or damaged — the
 * command then compiles from source, prints the same, and writes a fresh cache.
 */
describe('the code cache of the data bundle', () => {
  let town: TestTown;
  let cacheHome: string;
  let id: string;
  beforeAll(async () => {
    town = await makeTown();
    id = (await town.create('Cache probe')).id;
    cacheHome = mkdtempSync(join(tmpdir(), 'citadel-code-cache-'));
  });
  afterAll(() => {
    town?.dispose();
    if (cacheHome) rmSync(cacheHome, { recursive: true, force: true });
  });

  const dir = (): string => join(cacheHome, 'citadel');
  const show = (env: Record<string, string> = {}) => runCli(['bead', 'show', id, '--json'], { cwd: town.path, env: { CITADEL_ACTOR: 'overseer', XDG_CACHE_HOME: cacheHome, ...env } });
  const files = (): string[] => readdirSync(dir()).filter((name) => name.endsWith('.v8cache'));

  it('is written once, private, named by the bundle it was compiled from, and then used as it is', async () => {
    const bundle = readFileSync(new URL('../../../dist/cli/data.cjs', import.meta.url), 'utf8');
    const first = await show();
    expect(first.code, first.stderr).toBe(0);
    expect(statSync(dir()).mode & 0o777).toBe(0o700);
    expect(files()).toEqual([`data-${Buffer.byteLength(bundle)}-${(crc32(bundle) >>> 0).toString(16)}-${process.version}-${process.arch}.v8cache`]);
    const file = join(dir(), files()[0]!);
    const written = statSync(file);
    expect(written.mode & 0o777).toBe(0o600);
    expect(written.size).toBeGreaterThan(1000);

    const second = await show();
    expect(second.stdout).toBe(first.stdout);
    // an intact cache V8 accepts is not written again (a rewrite renames a new file into place)
    expect(statSync(file).ino).toBe(written.ino);
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
  });

  it('is not trusted when damaged, not private, or not a file: same output, a fresh cache', async () => {
    const expected = (await show()).stdout;
    const file = join(dir(), files()[0]!);
    const good = readFileSync(file);

    // one bit flipped in the payload: caught by its CRC before V8 sees it
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] = flipped[flipped.length - 100]! ^ 0x40;
    writeFileSync(file, flipped, { mode: 0o600 });
    let run = await show();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(expected);
    expect(readFileSync(file).equals(flipped)).toBe(false);

    // cut short
    writeFileSync(file, good.subarray(0, 40), { mode: 0o600 });
    run = await show();
    expect(run.stdout).toBe(expected);
    expect(statSync(file).size).toBeGreaterThan(1000);

    // readable by others: ignored and replaced by a private one
    chmodSync(file, 0o644);
    run = await show();
    expect(run.stdout).toBe(expected);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // a directory where the file should be: the command still runs
    rmSync(file);
    mkdirSync(file);
    run = await show();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(expected);
    rmSync(file, { recursive: true });
  });

  it('is not used in a cache directory others can write, nor with CITADEL_NO_BUNDLE or CITADEL_NO_CODE_CACHE', async () => {
    const expected = (await show()).stdout;
    for (const name of files()) rmSync(join(dir(), name));
    chmodSync(dir(), 0o777);
    let run = await show();
    expect(run.stdout).toBe(expected);
    expect(files()).toEqual([]);
    chmodSync(dir(), 0o700);
    for (const env of [{ CITADEL_NO_BUNDLE: '1' }, { CITADEL_NO_CODE_CACHE: '1' }] as Record<string, string>[]) {
      run = await show(env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected);
      expect(files()).toEqual([]);
    }
  });
});
