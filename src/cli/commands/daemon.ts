import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** The town's root, without opening its journal (daemon commands do not need it). */
export async function townRoot(context: CliContext): Promise<string> {
  const { locateTown } = await import('../../town/locate.js');
  return locateTown({ cwd: context.cwd, explicit: context.townOption, env: context.env });
}

/** `citadel daemon start|stop|status|run` (docs/daemon.md). */
export function register(program: Command, context: CliContext): void {
  const daemon = program.command('daemon').description('start, stop or check the town daemon (it owns the polecats\' terminals)');

  daemon
    .command('start')
    .description('start the daemon in the background (nothing to do when it runs)')
    .option('--json', 'print {pid, socket, started} as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = await townRoot(context);
      const { ensureDaemon } = await import('../../daemon/lifecycle.js');
      const { client, started } = await ensureDaemon(root, { env: context.env });
      const pid = client.welcome.pid;
      client.close();
      // Where it listens, from the town's record: a daemon started from another login may listen elsewhere.
      const { daemonPaths, readDaemonRecord } = await import('../../daemon/runtime-dir.js');
      const socket = readDaemonRecord(root)?.socket ?? daemonPaths(root, context.env).socket;
      if (options.json) context.json({ started, pid, socket, town: root });
      else context.out(started ? `daemon started (pid ${pid}) on ${socket}\n` : `daemon already running (pid ${pid}) on ${socket}\n`);
    });

  daemon
    .command('stop')
    .description('stop the daemon; its polecats stop too and are restarted by the next start')
    .option('--json', 'print {stopped, pid} as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = await townRoot(context);
      const { stopDaemon } = await import('../../daemon/lifecycle.js');
      const result = await stopDaemon(root, { env: context.env });
      if (options.json) context.json(result);
      else context.out(result.stopped ? `daemon stopped (pid ${result.pid})\n` : 'no daemon was running\n');
    });

  daemon
    .command('status')
    .description('whether the daemon runs, its pid, panes, clients and memory')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const root = await townRoot(context);
      const { daemonStatus } = await import('../../daemon/lifecycle.js');
      const status = await daemonStatus(root, { env: context.env });
      if (options.json) {
        context.json(status);
        return;
      }
      if (!status.running) {
        context.out(`no daemon is running for ${root} (start it with \`citadel daemon start\`)\n`);
        return;
      }
      if (status.answering === false) {
        const fix = status.socketGone && status.pid
          ? `make the socket again with \`citadel daemon start\` (or \`kill -USR1 ${status.pid}\`): the polecats keep running`
          : 'stop it with `citadel daemon stop`, then start it again';
        context.out(`daemon running (pid ${status.pid ?? 'unknown'}) but it ${status.problem}\n  ${fix}\n`);
        return;
      }
      const mb = (bytes = 0): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
      context.out(
        `daemon running: pid ${status.pid}, up ${status.uptimeSeconds} s\n` +
          `  socket   ${status.socket}\n` +
          `  panes    ${status.panes} (${status.running_panes} running)\n` +
          `  clients  ${status.clients?.length ?? 0}${status.clients?.length ? ` (${status.clients.map((c) => c.client).join(', ')})` : ''}\n` +
          `  memory   ${mb(status.memory?.rss)} rss\n` +
          `  refinery ${status.refinery}\n` +
          `  log      ${status.log}\n`,
      );
    });

  daemon
    .command('run')
    .description('run the daemon in the foreground (what `start` runs, detached)')
    .action(async () => {
      const root = await townRoot(context);
      const { runDaemon } = await import('../../daemon/run.js');
      const running = await runDaemon(root, { env: context.env });
      const stop = (): void => void running.stop();
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      // Detached from any terminal: a hangup of the starting shell is not a reason to stop.
      process.on('SIGHUP', () => undefined);
      // As tmux: SIGUSR1 makes the socket again (a tmp cleaner removed it); the polecats keep running.
      process.on('SIGUSR1', () => void running.relisten());
      await running.stopped;
      // Ptys and timers are gone; anything left (a stuck socket) must not keep a dead daemon alive.
      setTimeout(() => process.exit(0), 100).unref();
    });
}
