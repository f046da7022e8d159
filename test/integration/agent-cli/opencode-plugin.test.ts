import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { opencodePlugin } from '../../../src/agent-cli/opencode-plugin.js';
import { tempDir, waitFor } from '../../helpers/temp.js';

type Plugin = () => Promise<{ event: (input: { event: unknown }) => Promise<void> }>;

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  dir?.dispose();
  dir = undefined;
  delete process.env.CITADEL_POLECAT;
});

describe('the opencode status plugin', () => {
  it('reports one status at a time, the newest last (a slow "working" cannot land after the turn\'s "idle")', async () => {
    dir = tempDir('citadel-oc-plugin-');
    const log = join(dir.path, 'reports');
    // A stand-in `citadel`: the first call is slow (a node start on a loaded machine), the rest fast.
    const fake = join(dir.path, 'fake-citadel.mjs');
    writeFileSync(
      fake,
      `import { appendFileSync, existsSync } from 'node:fs';
const slow = !existsSync(${JSON.stringify(log)});
appendFileSync(${JSON.stringify(log)}, '');
setTimeout(() => appendFileSync(${JSON.stringify(log)}, process.argv[3] + '\\n'), slow ? 600 : 0);
`,
    );
    const file = join(dir.path, 'plugin.mjs');
    writeFileSync(file, opencodePlugin([process.execPath, fake]));
    process.env.CITADEL_POLECAT = 'nux';
    const { CitadelStatus } = (await import(pathToFileURL(file).href)) as { CitadelStatus: Plugin };
    const plugin = await CitadelStatus();
    const session = (type: string) => ({ type: 'session.status', properties: { status: { type } } });
    await plugin.event({ event: session('busy') });
    await plugin.event({ event: { type: 'permission.asked' } });
    await plugin.event({ event: { type: 'permission.replied' } });
    await plugin.event({ event: session('busy') });
    await plugin.event({ event: { type: 'session.idle' } });
    const reports = await waitFor(
      () => {
        const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
        return lines.at(-1) === 'idle' ? lines : undefined;
      },
      'the idle report',
      { timeoutMs: 10_000 },
    );
    // The first report, then only the newest of those that came while it ran: never out of order.
    expect(reports).toEqual(['working', 'idle']);
  });
});
