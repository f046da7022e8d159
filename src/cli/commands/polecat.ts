import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel polecat list|kill|restart|peek` (docs/daemon.md). */
export function register(program: Command, context: CliContext): void {
  const polecat = program.command('polecat').description('list, kill, restart or peek at polecats (agents in their own worktrees)');
  const actions = () => import('../../polecats/polecat-actions.js');

  polecat
    .command('list')
    .description('every polecat: its bead, status, agent and branch')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const rows = await (await actions()).listPolecats(context.town(), context.env);
      if (options.json) {
        context.json(rows);
        return;
      }
      if (rows.length === 0) {
        context.out('no polecats yet: `citadel sling BEAD` starts one\n');
        return;
      }
      // A hand-written or older record may lack fields: every cell is made text, never undefined,
      // and one visible line (records are files anyone in the town can write).
      const { visibleLine } = await import('../../common/visible-text.js');
      const cell = (value: unknown): string => (value === null || value === undefined || value === '' ? '-' : visibleLine(String(value)));
      // A remote polecat: agent@host, and its host's state when the connection is not up (docs/remote.md).
      const remote = (p: (typeof rows)[number]): string => (p.host ? `@${p.host}` : '');
      const hostNote = (p: (typeof rows)[number]): string => (p.host && p.host_state !== 'up' && p.pid !== null ? ` (host ${p.host_state})` : '');
      const table = rows.map((p) => [cell(p.name), cell(p.status) + (p.status === 'exited' && typeof p.exit_code === 'number' ? `(${p.exit_code})` : '') + visibleLine(hostNote(p)), cell(p.bead), cell(p.agent) + visibleLine(remote(p)), cell(p.branch)]);
      const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((row) => row[i]!.length), ['NAME', 'STATUS', 'BEAD', 'AGENT'][i]!.length));
      const line = (row: string[]): string => `${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`;
      context.out(line(['NAME', 'STATUS', 'BEAD', 'AGENT', 'BRANCH']) + table.map(line).join(''));
    });

  polecat
    .command('kill')
    .description('end a polecat\'s agent (its unfinished bead goes back to ready; worktree and branch stay)')
    .argument('<name>', 'the polecat')
    .option('--json', 'print the polecat afterwards as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const result = await (await actions()).killPolecat(context.town(), name, context.env);
      if (options.json) context.json(result);
      else context.out(`${name} killed${result.released ? `; ${result.released} is back on the ready queue` : ''}\n`);
    });

  polecat
    .command('restart')
    .description('start a polecat\'s agent again in its worktree, on its branch')
    .argument('<name>', 'the polecat')
    .option('--json', 'print the pane as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const info = await (await actions()).restartPolecat(context.town(), name, context.env);
      if (options.json) context.json(info);
      else context.out(`${name} restarted (pid ${info.pid ?? '?'})\n`);
    });

  polecat
    .command('peek')
    .description("print a polecat's screen as text (the daemon's copy of its terminal)")
    .argument('<name>', 'the polecat')
    .option('--lines <n>', 'also the last N lines of scrollback above the screen', '0')
    .option('--json', 'print {name, lines} as JSON')
    .action(async (name: string, options: { lines: string; json?: boolean }) => {
      const { CitadelError } = await import('../../common/errors.js');
      const extra = Number(options.lines);
      if (!Number.isInteger(extra) || extra < 0) throw new CitadelError('usage', '--lines takes a whole number, e.g. --lines 200');
      const lines = await (await actions()).peekPolecat(context.town(), name, extra, context.env);
      if (options.json) context.json({ name, lines });
      else context.out(lines.length ? `${lines.join('\n')}\n` : '');
    });
}
