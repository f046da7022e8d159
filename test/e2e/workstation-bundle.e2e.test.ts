import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';
import { citadelCommand, makeTown } from './helpers/town.js';
import { moduleLogHook } from '../helpers/module-log.js';

/**
 * The workstation's bundle (docs/cli.md, "Startup"): a bare `citadel` runs from
 * dist/cli/workstation.cjs — Ink, React, the TUI and the panels in one script, no ES module of
 * dist/ loaded, no code cache written — and still draws its panes and panels; a bundle older than dist/cli/main.js, or
 * NODE_ENV set to something other than production, runs from dist/ instead. The real binary in a
 * tmux pane, with a module loader hook that writes down every ES module the workstation loads
 * (the daemon, started before, is another process: its lines carry its arguments).
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const bundleFile = new URL('../../dist/cli/workstation.cjs', import.meta.url);
const distUrl = new URL('../../dist/', import.meta.url).href;

async function openWorkstation(env: string): Promise<string[]> {
  const town = await makeTown();
  const tmux = new Tmux();
  const hooks = mkdtempSync(join(tmpdir(), 'citadel-ws-bundle-'));
  cleanups.push(() => rmSync(hooks, { recursive: true, force: true }), () => town.dispose(), () => tmux.kill());
  // Only in the workstation (no arguments), not in the daemon it talks to.
  const { log, register } = moduleLogHook(hooks, { onlyBare: true });
  await town.spawn('nux', ['/bin/sh', '-c', 'echo bundle-marker; exec sleep 600']);
  // vitest runs with NODE_ENV=test: the person's shell has it unset.
  const cache = join(hooks, 'cache');
  const command = `unset NODE_ENV CITADEL_NO_BUNDLE; ${env} export XDG_CACHE_HOME=${cache}; export NODE_OPTIONS=--import=${register}; ${citadelCommand(town.path)}`;
  tmux.newSession('ws', 140, 40, command);
  await waitFor(() => /bundle-marker/.test(tmux.text('ws')) && /Board/.test(tmux.text('ws')) && /\d+ ready/.test(tmux.text('ws')), `the workstation with its pane and panels; screen:\n${tmux.text('ws')}`, {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  tmux.run('send-keys', '-t', 'ws', 'C-b', 'd');
  await waitFor(() => tmux.text('ws').includes('EXIT=0'), `detached; screen:\n${tmux.text('ws')}`, { timeoutMs: 15_000, intervalMs: 50 });
  // No code cache for the workstation (reading one cost more memory than the time it saved).
  expect(existsSync(cache) ? readdirSync(cache, { recursive: true }).filter((name) => String(name).includes('workstation')) : []).toEqual([]);
  return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((url) => url.replace(distUrl, 'dist/'));
}

describe('the workstation bundle', () => {
  it('runs a bare citadel from dist/cli/workstation.cjs: panes and panels drawn, no module of dist/ loaded', async () => {
    const modules = await openWorkstation('');
    expect(modules.filter((name) => name.startsWith('dist/'))).toEqual([]);
    // yoga-layout is the one ES module it imports (it awaits its WebAssembly at its top).
    expect(modules.some((name) => name.includes('/node_modules/yoga-layout/'))).toBe(true);
  });

  it('runs from dist/ when the bundle is older than dist/cli/main.js, or NODE_ENV is not production', async () => {
    expect(await openWorkstation('export NODE_ENV=development;')).toContain('dist/tui/open-workstation.js');
    const { atime, mtime } = statSync(bundleFile);
    try {
      utimesSync(bundleFile, atime, new Date(statSync(new URL('../../dist/cli/main.js', import.meta.url)).mtimeMs - 60_000));
      expect(await openWorkstation('')).toContain('dist/tui/open-workstation.js');
    } finally {
      utimesSync(bundleFile, atime, mtime);
    }
  });
});
