import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  cleanups.splice(0).forEach((cleanup) => cleanup());
});

/** A stand-in agent named `name` running `body` (sh), in a folder put first on the PATH. */
function standIn(name: string, body: string): string {
  const dir = tempDir('citadel-standin-');
  cleanups.push(() => dir.dispose());
  const bin = join(dir.path, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
  return bin;
}

/** A spinner and a timer redrawn on one line five times a second, forever: output, but no work. */
const animate = `i=0
while true; do
  i=$((i+1))
  case $((i % 4)) in 0) g='⠋';; 1) g='⠙';; 2) g='⠹';; *) g='⠸';; esac
  printf '\\r%s Churned for %ss ' "$g" "$i"
  sleep 0.2
done`;

const statusOf = async (t: TestTown, name: string): Promise<string | undefined> =>
  (await json<Array<{ name: string; status: string }>>(t, ['polecat', 'list'])).find((p) => p.name === name)?.status;

describe('agent status against a screen that only animates', () => {
  it('after its Stop hook an agent reads idle at once and stays idle while its spinner and timer tick', async () => {
    // The spinner runs from before the Stop report (as an agent's does), whatever the hook's speed.
    const bin = standIn('claude', `echo "I wrote probe.txt."\n(\n${animate}\n) &\ncitadel hook stop\nwait`);
    town = await makeTown({ env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'animated'])).id;
    await json(t, ['sling', id, '--polecat', 'nux', '--agent', 'claude']);
    await waitFor(async () => (await statusOf(t, 'nux')) === 'idle', 'the Stop report to read as idle', { timeoutMs: 20_000 });
    // Beyond the 3 s grace after the report, the ticking must not bring "working" back.
    const until = Date.now() + 6_000;
    const seen = new Set<string | undefined>();
    while (Date.now() < until) seen.add(await statusOf(t, 'nux'));
    expect([...seen]).toEqual(['idle']);
  });

  it('a login screen with an animated logo reads waiting, not working forever', async () => {
    const bin = standIn('codex', `printf '  >_ OpenAI Codex\\n\\n  Sign in with ChatGPT to use Codex\\n\\n'\n${animate}`);
    town = await makeTown({ env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });
    const t = town;
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'login'])).id;
    await json(t, ['sling', id, '--polecat', 'ace', '--agent', 'codex']);
    await waitFor(async () => (await statusOf(t, 'ace')) === 'waiting', 'the login screen to read as waiting', { timeoutMs: 20_000 });
  });
});
