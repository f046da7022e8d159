import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import type { CliContext } from '../cli/context.js';
import type { DaemonClient } from '../daemon/client.js';
import { ensureDaemon } from '../daemon/lifecycle.js';
import { DaemonPaneSource } from './client/daemon-source.js';
import { readLayout } from './live/layout-store.js';
import { columnWidth } from './state/layout-reducer.js';
import { readBeadTitle } from './shell/bead-titles.js';
import { readLostPolecats } from './live/lost-polecats.js';
import { loadPanels, type PanelsModule } from './shell/panel-slot.js';
import { Workstation, type ExitReason } from './shell/workstation.js';
import { enterTerminal, installExitGuards } from './terminal/terminal-session.js';

/** The streams the workstation runs on (process.stdin / process.stdout for the CLI). */
export interface WorkstationStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  proc?: NodeJS.Process;
}

/**
 * `citadel` and `citadel attach`: connects to the town's daemon (starting it if needed), takes
 * over the terminal, runs the workstation until the person detaches (prefix d) or the daemon
 * goes away, and gives the terminal back as it was — on every way out.
 */
export async function openWorkstation(context: CliContext, streams: WorkstationStreams = { stdin: process.stdin, stdout: process.stdout }): Promise<void> {
  const { stdin, stdout } = streams;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new CitadelError('refused', 'the workstation needs a terminal (stdin and stdout must be a tty); for data, use `citadel ready`, `citadel bead list`, `citadel polecat list`');
  }
  const town = context.town();
  const root = town.paths.root;
  // Take the terminal first: keys typed while the daemon starts are then kept (raw mode) rather
  // than echoed over the screen, and the person sees at once that something is happening.
  const session = enterTerminal({ stdin, stdout });
  const guards = installExitGuards(session, streams.proc ?? process);
  stdout.write(`\x1b[1;1H\x1b[2mcitadel: connecting to the town daemon…\x1b[0m`);
  let source: DaemonPaneSource | undefined;
  let panels: PanelsModule | undefined;
  let reason: ExitReason;
  const cleanups: Array<() => void> = [];
  try {
    const trace = traceTo(context.env['CITADEL_TUI_TRACE']);
    trace?.('terminal taken');
    // The panels and Ink are slow to import (~0.5 s, more under load): both start now, beside
    // the daemon's connection, and the first frame waits for them (the final layout at once).
    const panelsLoading = loadPanels().then((loaded) => {
      panels = loaded;
      trace?.('panels loaded');
      // The panels' session reads the town (through the query index on a big one) while the
      // daemon's connection is under way, rather than after it, before the first frame.
      setImmediate(() => {
        try {
          loaded?.chromeTokens?.({ root, name: root.split('/').filter(Boolean).pop() ?? root }, context.env);
          trace?.('panels session open');
        } catch {
          // the panels report it themselves when they render
        }
      });
      return loaded;
    });
    panelsLoading.catch(() => undefined); // handled by the workstation; not unhandled if the daemon fails first
    import('./chrome/ink-chrome.js').then(() => trace?.('ink loaded'), () => undefined);
    const { client } = await ensureDaemon(root, { env: context.env, client: 'tui' });
    trace?.('daemon connected');
    source = new DaemonPaneSource(client);
    const workstation = new Workstation({
      stdin,
      stdout,
      source,
      town: { root, name: root.split('/').filter(Boolean).pop() ?? root },
      prefixKey: town.config.prefixKey,
      env: context.env,
      panelsLoading,
      // The panels' width (panels/Panels.tsx initialPanelsWidth), from the same file.
      panelsWidthWhileLoading: (cols) => columnWidth(readLayout(town.paths.run), cols),
      copyFile: join(town.paths.run, 'copy-buffer.txt'),
      beadTitle: (id) => readBeadTitle(town.journal, id),
      lostPolecats: (panes) => readLostPolecats(town.paths.projections, panes),
      mainBranch: town.config.mainBranch,
      trace,
    });
    // Stopped and continued (kill -STOP / -CONT, a job control shell): take the terminal again.
    const onContinue = (): void => {
      session.retake();
      workstation.redraw();
    };
    (streams.proc ?? process).on('SIGCONT', onContinue);
    cleanups.push(() => (streams.proc ?? process).off('SIGCONT', onContinue));
    await workstation.start();
    trace?.('started');
    void tellOtherClients(client, workstation);
    scheduleTestCrash(context.env);
    reason = await workstation.exited;
  } finally {
    for (const cleanup of cleanups) cleanup();
    // The last frames may still wait in stdout's queue (a terminal reading slowly: tmux, SSH),
    // and restore() writes at once, past the queue: the queued frame would then land on the
    // person's own screen after it, and the detach line below under it. Let the queue drain first
    // (a second at most: a terminal that stopped reading must not hold the exit).
    await drained(stdout, 1000);
    session.restore();
    guards.dispose();
    source?.close();
    await closePanels(panels);
    // The terminal is given back: its input must not keep the process alive.
    (stdin as NodeJS.ReadStream & { unref?: () => void }).unref?.();
  }
  if (reason.reason === 'closed') throw new CitadelError('unavailable', `${reason.message}: run \`citadel\` again to restart it`);
  context.out('[detached: the agents keep running; `citadel attach` to come back]\n');
}

/**
 * A town already open in another terminal is fine (like tmux, every client sees the same
 * panes), but the person should know: keys from both reach the same agents, and the panes
 * take the size of the terminal used last (tmux's window-size latest, docs/daemon.md).
 */
async function tellOtherClients(client: DaemonClient, workstation: Workstation): Promise<void> {
  try {
    const status = await client.request('status');
    const others = (status.clients ?? []).filter((c) => c.client === 'tui').length - 1;
    if (others > 0) {
      workstation.notify(`also open in ${others} other terminal${others > 1 ? 's' : ''}: you share its panes (sized for the one used last)`);
    }
  } catch {
    // Only a courtesy: the workstation works without it.
  }
}

/** Closes what the panels hold open (their journal watchers). */
async function closePanels(panels: PanelsModule | undefined): Promise<void> {
  await panels?.dispose?.().catch(() => undefined);
}

/** Resolves once `stream` has written what it queued, or after `ms`. */
function drained(stream: NodeJS.WriteStream, ms: number): Promise<void> {
  if (!stream.writableLength) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stream.off('drain', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.on('drain', done);
  });
}

/** With CITADEL_TUI_TRACE=FILE, one line per event (keys, writes, drains) goes to FILE. */
function traceTo(file: string | undefined): ((line: string) => void) | undefined {
  if (!file) return undefined;
  // Times are since the process started, so start-up shows too.
  return (line) => appendFileSync(file, `${performance.now().toFixed(1)} ${line}\n`);
}

/**
 * For the end-to-end test that the terminal is restored after a crash: with
 * CITADEL_TUI_CRASH_AFTER_MS set, an uncaught error is thrown that long after the first frame.
 */
function scheduleTestCrash(env: NodeJS.ProcessEnv): void {
  const ms = Number(env['CITADEL_TUI_CRASH_AFTER_MS']);
  if (!Number.isFinite(ms) || ms <= 0) return;
  setTimeout(() => {
    throw new Error('deliberate crash (CITADEL_TUI_CRASH_AFTER_MS)');
  }, ms);
}
