import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import { citadelBin } from '../../helpers/cli.js';
import { gitEnv } from '../../helpers/git.js';
import { makeTown, type TestTown } from './bead-town.js';

// Issue 13 ("Trust"): what any agent writes into the journal never reaches a terminal raw.
// A title that writes the clipboard (OSC 52), sets the window title (OSC 0), clears the
// screen, opens a C1 CSI (U+009B) and reverses the text after it (bidi override U+202E).
const HOSTILE = 'pwn \x1b]52;c;aGVsbG8=\x07 \x1b]0;owned\x07 \x1b[2J \u009b31m \u202eevil';
const SHOWN = 'pwn ␛]52;c;aGVsbG8=␇ ␛]0;owned␇ ␛[2J <U+009B>31m <U+202E>evil';
const LABEL = 'tag\x1b[31m';

/** No escape, BEL, C1 or bidi control: only newlines (and tabs) of the C0 range. */
function expectTerminalSafe(text: string): void {
  expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
}

describe('output safety: control characters from the journal are shown, never sent', () => {
  let town: TestTown;
  let hostile: Bead;
  beforeAll(async () => {
    town = await makeTown('zz');
    hostile = await town.create(HOSTILE, '--label', LABEL, '--body-file', '-');
  }, 60_000);
  afterAll(() => town.dispose());

  it('bead list, bead show and ready show the visible form', async () => {
    const body = `first ${HOSTILE}\nsecond line\r\nthird\rover`;
    await town.run(['bead', 'update', hostile.id, '--body-file', '-'], { input: body });
    for (const args of [['bead', 'list'], ['bead', 'show', hostile.id], ['ready']]) {
      const result = await town.run(args);
      expect(result.code, result.stderr).toBe(0);
      expectTerminalSafe(result.stdout);
      expect(result.stdout).toContain(SHOWN);
      expect(result.stdout).toContain('tag␛[31m');
    }
    const shown = await town.run(['bead', 'show', hostile.id]);
    // The body keeps its lines; a lone CR (which would overwrite the line) is shown.
    expect(shown.stdout).toContain(`first ${SHOWN}\nsecond line\nthird␍over\n`);
    expect(shown.stdout).toContain('labels:    tag␛[31m');
  });

  it('--json keeps the exact strings, with C1 and bidi written as \\u escapes', async () => {
    const shown = await town.run(['bead', 'show', hostile.id, '--json']);
    expectTerminalSafe(shown.stdout);
    expect(shown.stdout).toContain('\\u009b31m \\u202eevil');
    const bead = JSON.parse(shown.stdout) as Bead;
    expect(bead.title).toBe(HOSTILE);
    expect(bead.labels).toEqual([LABEL]);
    const list = await town.json<Bead[]>(['bead', 'list']);
    expect(list.find((b) => b.id === hostile.id)?.title).toBe(HOSTILE);
    const ready = await town.json<Bead[]>(['ready']);
    expect(ready.find((b) => b.id === hostile.id)?.title).toBe(HOSTILE);
    const exported = await town.run(['bead', 'export']);
    expectTerminalSafe(exported.stdout);
    const lines = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as Bead);
    expect(lines.find((b) => b.id === hostile.id)?.title).toBe(HOSTILE);
  });

  it('mail inbox and mail read', async () => {
    const sent = await town.json<Bead>(['mail', 'send', '--to', 'overseer', '--subject', HOSTILE, '--body-file', '-'], { actor: 'nux', input: `${HOSTILE}\nline two` });
    const inbox = await town.run(['mail', 'inbox']);
    expectTerminalSafe(inbox.stdout);
    expect(inbox.stdout).toContain(SHOWN);
    const read = await town.run(['mail', 'read', sent.id]);
    expect(read.code, read.stderr).toBe(0);
    expectTerminalSafe(read.stdout);
    expect(read.stdout).toContain(`${sent.id}  ${SHOWN}\n`);
    expect(read.stdout).toContain(`${SHOWN}\nline two\n`);
    expect((await town.json<Bead[]>(['mail', 'inbox'])).find((m) => m.id === sent.id)?.subject).toBe(HOSTILE);
  });

  it('cv: titles of the chain and skills (labels) of finished work', async () => {
    await town.run(['bead', 'update', hostile.id, '--claim'], { actor: 'nux' });
    expect((await town.run(['bead', 'close', hostile.id], { actor: 'nux' })).code).toBe(0);
    const cv = await town.run(['cv', 'nux']);
    expect(cv.code, cv.stderr).toBe(0);
    expectTerminalSafe(cv.stdout);
    expect(cv.stdout).toContain(SHOWN);
    expect(cv.stdout).toContain('tag␛[31m (1)');
  });

  it('molecules: a hostile file shows visible in list, show and its parse error; a hostile var in status', async () => {
    const dir = join(town.path, '.citadel', 'molecules');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.md'), `# Bad one\n\n## Step: one\nNeeds: two\x1b]0;x\x07\nDo it.\n`);
    writeFileSync(join(dir, 'odd.md'), `# Odd {{what}}\nVars: what (required) — a thing\n\n## Step: one\nBody with ${HOSTILE}\n`);
    const list = await town.run(['molecule', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expectTerminalSafe(list.stdout);
    expect(list.stdout).toMatch(/bad .*ERROR .*␛\]0;x␇/);
    const bad = await town.run(['molecule', 'show', 'bad']);
    expect(bad.code).toBe(1);
    expectTerminalSafe(bad.stderr);
    expect(bad.stderr).toMatch(/^citadel: .*bad\.md:\d+: .*␛\]0;x␇.*\n$/);
    const badJson = await town.run(['molecule', 'show', 'bad', '--json']);
    expectTerminalSafe(badJson.stderr);
    const show = await town.run(['molecule', 'show', 'odd', '--var', `what=${HOSTILE}`]);
    expect(show.code, show.stderr).toBe(0);
    expectTerminalSafe(show.stdout);
    expect(show.stdout).toContain(`# Odd ${SHOWN}`);
    expect(show.stdout).toContain(`Body with ${SHOWN}`);
    const poured = await town.json<{ id: string; title: string }>(['molecule', 'pour', 'odd', '--var', `what=${HOSTILE}`]);
    expect(poured.title).toBe(`Odd ${HOSTILE}`);
    for (const args of [['molecule', 'status', poured.id], ['molecule', 'status']]) {
      const status = await town.run(args);
      expect(status.code, status.stderr).toBe(0);
      expectTerminalSafe(status.stdout);
      expect(status.stdout).toContain(`Odd ${SHOWN}`);
    }
  });

  it('error messages (citadel: …) show what was typed visible, and the --json error stays exact', async () => {
    const text = await town.run(['bead', 'show', HOSTILE]);
    expect(text.code).toBe(1);
    expectTerminalSafe(text.stderr);
    expect(text.stderr).toMatch(/^citadel: .*<U\+009B>31m.*\n$/);
    const json = await town.run(['bead', 'show', HOSTILE, '--json']);
    expectTerminalSafe(json.stderr);
    const error = (JSON.parse(json.stderr) as { error: { message: string } }).error;
    expect(error.message).toContain('\u009b31m');
  });

  it('`citadel bead list | head -1` exits quietly (no EPIPE trace) with 0', async () => {
    const beads = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `zz-p${String(i).padStart(4, '0')}`, title: `bead ${i}, with a title long enough to overflow the pipe buffer quickly` }));
    const imported = await town.run(['bead', 'import', '-'], { input: `${beads.join('\n')}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    const codeFile = join(town.path, '.citadel-exit-code');
    // A real shell pipeline (the test's only shell): head reads one line and closes the pipe
    // while citadel still has ~200 KB to write.
    const script = 'node "$1" bead list; echo $? > "$2"';
    const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('sh', ['-c', `{ ${script}; } | head -1`, 'sh', citadelBin, codeFile], {
        cwd: town.path,
        env: { ...process.env, ...gitEnv, CITADEL_ACTOR: 'overseer', CITADEL_POLECAT: '', CITADEL_TOWN: '', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readFileSync(codeFile, 'utf8').trim()).toBe('0');
  }, 60_000);

  it('bead export FILE to a pipe writes into it and never replaces it (a rename over /dev/null would put a file there for the machine)', () => {
    const fifo = join(town.path, 'export.fifo');
    const received = join(town.path, 'received.jsonl');
    // The test's one shell pipeline: a reader on the FIFO while citadel exports into it.
    const result = spawnSync('sh', ['-c', 'mkfifo "$2" && { timeout 20 cat "$2" > "$3" & node "$1" bead export "$2"; echo "export $?"; wait; }', 'sh', citadelBin, fifo, received], {
      cwd: town.path,
      env: { ...process.env, ...gitEnv, CITADEL_ACTOR: 'overseer', CITADEL_POLECAT: '', CITADEL_TOWN: '', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stdout, result.stderr).toContain('export 0');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const lines = readFileSync(received, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => typeof (JSON.parse(line) as { id: string }).id === 'string')).toBe(true);
    expect(readdirSync(town.path).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it.skipIf(!existsSync('/dev/full'))('output to a full disk (`citadel bead export > file`, ENOSPC) is one line and exit 1, no stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['bead', 'export'], ['bead', 'list', '--json']]) {
        const result = spawnSync(process.execPath, [citadelBin, ...args], {
          cwd: town.path,
          env: { ...process.env, ...gitEnv, CITADEL_ACTOR: 'overseer', CITADEL_POLECAT: '', CITADEL_TOWN: '', NO_COLOR: '1' },
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(result.status, result.stderr).toBe(1);
        expect(result.stderr).toBe('citadel: could not write the output (ENOSPC: no space left on device, write)\n');
      }
    } finally {
      closeSync(full);
    }
  });
});
