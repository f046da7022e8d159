import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/daemon/client.js';
import type { PaneInfo } from '../../src/daemon/protocol.js';
import { textWidth } from '../../src/tui/render/cells.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';
import { childPid, citadelCommand, makeTown } from './helpers/town.js';

/**
 * The built binary in a real terminal (tmux), with the real daemon: what a person sees.
 * vim and less are compared with tmux itself at the pane's size.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const has = (program: string): boolean => {
  try {
    execFileSync('which', [program], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

async function setup() {
  const town = await makeTown();
  const tmux = new Tmux();
  cleanups.push(() => town.dispose(), () => tmux.kill());
  const until = (session: string, what: string, check: (text: string) => boolean, timeoutMs = 20_000) =>
    waitFor(() => check(tmux.text(session)), `${what}; screen:\n${tmux.text(session)}`, { timeoutMs, intervalMs: 50 });
  const panes = async (): Promise<PaneInfo[]> => {
    const client = await connect(town.path, { client: 'test' });
    try {
      return await client.request('list');
    } finally {
      client.close();
    }
  };
  return { town, tmux, until, panes };
}

const bash = ['/bin/bash', '--norc', '--noprofile'];
/** The line citadelCommand prints after citadel exits: the tty's icanon and echo flags. */
const ttyModes = /^-?icanon -?echo\s*$/m;
/** …as a shell needs them: line editing and echo back on. */
const cookedTty = /^icanon echo\s*$/m;

/** The first `width` cells of a captured line (wide characters take two). */
function firstCells(line: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of line) {
    used += textWidth(ch);
    if (used > width) break;
    out += ch;
  }
  return out;
}

describe('workstation end to end (tmux)', () => {
  it('shows live panes, echoes typing, moves focus, zooms, detaches and reattaches to the full screen', async () => {
    const { town, tmux, until } = await setup();
    await town.spawn('nux', ['/bin/sh', '-c', 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo "tick $i"; sleep 0.2; done']);
    await town.spawn('ace', bash);
    tmux.newSession('ws', 140, 40, citadelCommand(town.path));
    await until('ws', 'both panes with title bars', (t) => /1 nux/.test(t) && /2 ace/.test(t) && /tick \d+/.test(t));
    // The ticking pane updates in place.
    const tick = (t: string): number => Math.max(...[...t.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const first = tick(tmux.text('ws'));
    await until('ws', 'ticks advancing', (t) => tick(t) >= first + 2);
    // Focus the second pane (directions and cycling: down, then next wraps to the first, then
    // down again) and type into it. (Digits choose pages: both panes are on page 1.)
    tmux.send('ws', ['C-b', 'j']);
    tmux.send('ws', ['C-b', 'o']);
    tmux.send('ws', ['C-b', 'j']);
    tmux.send('ws', ['echo hello-$((6*7))'], true);
    tmux.send('ws', ['Enter']);
    await until('ws', 'echo in ace', (t) => t.includes('hello-42'));
    // Zoom it: the other pane disappears; zoom back.
    tmux.send('ws', ['C-b', 'z']);
    await until('ws', 'zoomed', (t) => t.includes('[zoom]') && !/tick \d+/.test(t));
    tmux.send('ws', ['C-b', 'z']);
    await until('ws', 'unzoomed', (t) => !t.includes('[zoom]') && /tick \d+/.test(t));
    // Detach: the workstation exits 0, the agents keep running.
    tmux.send('ws', ['C-b', 'd']);
    await until('ws', 'detached', (t) => t.includes('[detached') && t.includes('EXIT=0'));
    expect(tmux.format('ws', 'alternate_on')).toBe('0');
    const ticksAtDetach = tick(tmux.text('ws'));
    // Reattach from another terminal: the whole current screen at once, ticks still going.
    tmux.newSession('again', 140, 40, citadelCommand(town.path, ['attach']));
    await until('again', 'reattached', (t) => t.includes('hello-42') && /tick \d+/.test(t) && tick(t) > ticksAtDetach);
    tmux.send('again', ['C-b', 'd']);
    await until('again', 'detached again', (t) => t.includes('EXIT=0'));
  });

  it('re-lays out and resizes the ptys when the outer terminal is resized', async () => {
    const { town, tmux, until, panes } = await setup();
    await town.spawn('solo', bash);
    tmux.newSession('ws', 120, 40, citadelCommand(town.path));
    await until('ws', 'pane shown', (t) => t.includes('1 solo'));
    const before = await waitFor(async () => {
      const [p] = await panes();
      return p && p.rows === 37 ? p : undefined;
    }, 'pty sized to the pane body (rows 40 − title − status − message)');
    tmux.resize('ws', 100, 30);
    const after = await waitFor(async () => {
      const [p] = await panes();
      return p && p.rows === 27 ? p : undefined;
    }, 'pty resized after the terminal shrank');
    expect(after.cols).toBeLessThan(before.cols);
    tmux.send('ws', ['stty size'], true);
    tmux.send('ws', ['Enter']);
    await until('ws', 'the program sees the new size', (t) => t.includes(`27 ${after.cols}`));
    tmux.resize('ws', 30, 8);
    await until('ws', 'too small message', (t) => t.includes('terminal too small'));
    tmux.resize('ws', 120, 40);
    await until('ws', 'back', (t) => t.includes('1 solo') && !t.includes('too small'));
    tmux.send('ws', ['C-b', 'd']);
    await until('ws', 'detached', (t) => t.includes('EXIT=0'));
  });

  for (const [program, args] of [
    ['vim', ['-u', 'NONE', '-N', '-i', 'NONE', '-n']],
    ['less', ['-S']],
  ] as const) {
    it.skipIf(!has(program))(`${program} in a pane shows the same screen as in tmux at the pane's size`, async () => {
      const { town, tmux, until, panes } = await setup();
      const file = join(town.path, 'sample.txt');
      const text = Array.from({ length: 120 }, (_, i) => `${String(i + 1).padStart(3, '0')} ${'lorem ipsum dolor sit amet '.repeat((i % 7) + 1)}漢字 end`).join('\n');
      writeFileSync(file, `${text}\n`);
      await town.spawn('ed', bash);
      tmux.newSession('ws', 130, 40, citadelCommand(town.path));
      await until('ws', 'pane shown', (t) => t.includes('1 ed'));
      const pane = await waitFor(async () => {
        const [p] = await panes();
        return p && p.rows === 37 ? p : undefined;
      }, 'pty sized to the pane body');
      const command = `TERM=xterm-256color ${program} ${args.join(' ')} sample.txt`;
      tmux.send('ws', [command], true);
      tmux.send('ws', ['Enter']);
      // The reference: the same program directly in tmux, at the pane's size.
      tmux.newSession('ref', pane.cols, pane.rows, `cd '${town.path}' && exec /bin/bash --norc --noprofile`);
      tmux.send('ref', [command], true);
      tmux.send('ref', ['Enter']);
      const body = (): string[] => tmux.capture('ws').slice(1, 1 + pane.rows).map((l) => firstCells(l, pane.cols).trimEnd());
      const reference = (): string[] => tmux.capture('ref').slice(0, pane.rows);
      await until('ref', `${program} started in tmux`, (t) => t.includes('001 lorem'));
      await waitFor(() => JSON.stringify(body()) === JSON.stringify(reference()), `${program} identical in citadel and tmux:\n--- citadel\n${body().join('\n')}\n--- tmux\n${reference().join('\n')}`, { timeoutMs: 20_000 });
      // Scroll a page in both and compare again.
      tmux.send('ws', ['C-f']);
      tmux.send('ref', ['C-f']);
      await until('ref', 'scrolled in tmux', (t) => !t.includes('001 lorem'));
      await waitFor(() => JSON.stringify(body()) === JSON.stringify(reference()), `${program} identical after a page:\n--- citadel\n${body().join('\n')}\n--- tmux\n${reference().join('\n')}`, { timeoutMs: 20_000 });
    });
  }

  it('takes the terminal back and redraws after being stopped and continued', async () => {
    const { town, tmux, until } = await setup();
    await town.spawn('solo', bash);
    tmux.newSession('ws', 100, 30, citadelCommand(town.path));
    await until('ws', 'pane shown', (t) => t.includes('1 solo'));
    const pid = childPid(tmux.format('ws', 'pane_pid'));
    process.kill(pid, 'SIGSTOP');
    // What a job-control shell does while a program is stopped: the tty back to cooked mode.
    execFileSync('stty', ['-F', tmux.format('ws', 'pane_tty'), 'sane']);
    tmux.run('send-keys', '-t', 'ws', 'C-l');
    process.kill(pid, 'SIGCONT');
    // A cooked tty would hold these keys until a newline: zoom shows only in raw mode.
    tmux.send('ws', ['C-b', 'z']);
    await until('ws', 'raw keys again', (t) => t.includes('[zoom]'));
    tmux.send('ws', ['echo back-$((40+2))'], true);
    tmux.send('ws', ['Enter']);
    await until('ws', 'typing reaches the pane', (t) => t.includes('back-42'));
    tmux.send('ws', ['C-b', 'd']);
    await until('ws', 'detached', (t) => t.includes('EXIT=0'));
  });

  it('restores the terminal after SIGTERM', async () => {
    const { town, tmux, until } = await setup();
    await town.spawn('solo', bash);
    tmux.newSession('ws', 100, 30, citadelCommand(town.path));
    await until('ws', 'pane shown', (t) => t.includes('1 solo'));
    expect(tmux.format('ws', 'alternate_on')).toBe('1');
    process.kill(childPid(tmux.format('ws', 'pane_pid')), 'SIGTERM');
    await until('ws', 'exited on SIGTERM', (t) => t.includes('EXIT=143') && ttyModes.test(t));
    expect(tmux.format('ws', 'alternate_on')).toBe('0');
    expect(tmux.format('ws', 'cursor_flag')).toBe('1');
    expect(tmux.text('ws')).toMatch(cookedTty);
  });

  it('exits with a clear message, terminal restored, when the daemon stops', async () => {
    const { town, tmux, until } = await setup();
    await town.spawn('solo', bash);
    tmux.newSession('ws', 100, 30, citadelCommand(town.path));
    await until('ws', 'pane shown', (t) => t.includes('1 solo'));
    const stopped = await runCli(['daemon', 'stop'], { cwd: town.path });
    expect(stopped.code).toBe(0);
    await until('ws', 'exited', (t) => t.includes('EXIT=1') && ttyModes.test(t));
    expect(tmux.text('ws')).toContain('daemon stopped');
    expect(tmux.format('ws', 'alternate_on')).toBe('0');
    expect(tmux.text('ws')).toMatch(cookedTty);
  });

  it('restores the terminal after a crash, and prints the error after the restore', async () => {
    const { town, tmux, until } = await setup();
    await town.spawn('solo', bash);
    tmux.newSession('ws', 100, 30, citadelCommand(town.path), { CITADEL_TUI_CRASH_AFTER_MS: '500' });
    await until('ws', 'crashed', (t) => t.includes('EXIT=1') && ttyModes.test(t));
    const text = tmux.text('ws');
    expect(text).toContain('deliberate crash');
    expect(tmux.format('ws', 'alternate_on')).toBe('0');
    expect(tmux.format('ws', 'cursor_flag')).toBe('1');
    expect(text).toMatch(cookedTty);
  });

  it('reports an unknown bare command as a usage error, and refuses to open without a terminal', async () => {
    const { town } = await setup();
    const unknown = await runCli(['frobnicate'], { cwd: town.path });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const noTty = await runCli([], { cwd: town.path });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('needs a terminal');
  });
});
