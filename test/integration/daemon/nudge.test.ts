import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pasteOf } from '../../../src/agent-cli/typing.js';
import { tempDir } from '../../helpers/temp.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

/**
 * A stand-in for an agent's input box (Codex, Gemini CLI): it turns bracketed paste on, reads
 * its terminal raw, and prints every read it gets. Only a CR in a read of its own submits — a CR
 * arriving in the same read as text is taken as part of a paste, as those programs do.
 */
const inputBox = `
process.stdout.write('\\x1b[?2004h> ');
process.stdin.setRawMode(true);
process.stdin.on('data', (chunk) => {
  const text = chunk.toString('utf8');
  process.stdout.write('\\r\\nREAD ' + JSON.stringify(text) + '\\r\\n');
  if (text === '\\r') process.stdout.write('SUBMITTED\\r\\n');
});
`;

describe('citadel nudge', () => {
  it('pastes the text (bracketed where the program asked), then presses Enter in a write of its own', async () => {
    const dir = tempDir('citadel-nudge-');
    cleanups.push(() => dir.dispose());
    const script = join(dir.path, 'input-box.cjs');
    writeFileSync(script, inputBox);
    chmodSync(script, 0o644);
    town = await makeTown();
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'nudge me'])).id;
    const slung = await t.cli(['sling', id, '--polecat', 'nux', '--', process.execPath, script]);
    expect(slung.code, slung.stderr).toBe(0);
    await waitFor(async () => (await t.cli(['polecat', 'peek', 'nux'])).stdout.includes('>'), 'the input box');

    const nudged = await t.cli(['nudge', 'nux', 'please', 'continue']);
    expect(nudged.code, nudged.stderr).toBe(0);
    const screen = await waitFor(async () => {
      const out = (await t.cli(['polecat', 'peek', 'nux'])).stdout;
      return out.includes('SUBMITTED') ? out : undefined;
    }, 'the Enter to submit');
    const reads = screen.split('\n').filter((line) => line.startsWith('READ '));
    expect(reads).toEqual([`READ ${JSON.stringify(pasteOf('please continue', true))}`, 'READ "\\r"']);
  });

  it('sends plain text where bracketed paste is off', () => {
    expect(pasteOf('hi', false)).toBe('hi');
    expect(pasteOf('hi', true)).toBe('\x1b[200~hi\x1b[201~');
  });
});
