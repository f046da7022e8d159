import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface AddOptions {
  citadel?: string;
  sshConfig?: string;
  remote?: string;
  json?: boolean;
}

/**
 * `citadel host add|list|check|rm` (docs/remote.md): remote hosts polecats can be slung to
 * (`sling --host NAME`), reached through the user's own ssh. `host serve`, `host keeper` and
 * `host shim` are what runs on the host (hidden).
 */
export function register(program: Command, context: CliContext): void {
  const host = program.command('host').description('remote hosts for polecats, over your own ssh (add, list, check, rm)');
  const actions = () => import('../../remote/host-actions.js');

  host
    .command('add')
    .description('add a remote host: sling --host NAME then runs polecats there')
    .argument('<name>', 'a short name for it, e.g. gpu-box')
    .argument('<where>', 'USER@HOST[:PATH] (PATH: its folder for this town, default ~/.citadel-remote)')
    .option('--citadel <path>', 'citadel on the host (default: citadel on its PATH)')
    .option('--ssh-config <file>', 'ssh -F FILE instead of your default ssh config')
    .option('--remote <url>', 'the shared git remote as the host reaches it (default: the town\'s origin)')
    .option('--json', 'print the host record as JSON')
    .addHelpText('after', '\nExamples:\n  citadel host add gpu-box me@gpu.example.com\n  citadel host add lab dev@10.0.0.7:/srv/citadel --citadel /opt/citadel/bin/citadel.js\n')
    .action(async (name: string, where: string, options: AddOptions) => {
      const added = await (await actions()).addHost(context.town(), name, where, { citadel: options.citadel, sshConfig: options.sshConfig, remote: options.remote, cwd: context.cwd });
      if (options.json) context.json(added);
      else context.out(`host ${added.name} → ${added.destination}:${added.path}\n\`citadel host check ${added.name}\` says whether it has what polecats need.\n`);
    });

  host
    .command('list')
    .description('the hosts, their connection state and the polecats on them')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const rows = (await actions()).listHosts(context.town());
      if (options.json) {
        context.json(rows);
        return;
      }
      if (rows.length === 0) {
        context.out('no hosts yet: `citadel host add NAME USER@HOST` adds one\n');
        return;
      }
      const { visibleLine } = await import('../../common/visible-text.js');
      const table = rows.map((h) => [h.name, `${h.destination}:${h.path}`, h.state, h.polecats.join(',') || '-', h.problem ?? ''].map((cell) => visibleLine(cell)));
      const header = ['NAME', 'WHERE', 'STATE', 'POLECATS', 'PROBLEM'];
      const widths = header.map((title, i) => Math.max(title.length, ...table.map((row) => row[i]!.length)));
      const line = (row: string[]): string => `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()}\n`;
      context.out(line(header) + table.map(line).join(''));
    });

  host
    .command('check')
    .description('log in and say what the host lacks: git, node, citadel, the agents')
    .argument('<name>', 'the host')
    .option('--json', 'print what was found as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const check = await (await actions()).checkHost(context.town(), name, context.env);
      if (options.json) context.json(check);
      else if (!check.reachable) context.out(`${name} (${check.destination}): not reachable: ${check.problem}\n`);
      else {
        const agents = Object.entries(check.agents).map(([agent, found]) => `${agent} ${found ? 'yes' : 'no'}`);
        context.out(
          `${name} (${check.destination}): reachable\n` +
            `  git      ${check.git ?? 'MISSING'}\n` +
            `  node     ${check.node ?? 'MISSING'}\n` +
            `  citadel  ${check.citadel ?? 'MISSING'}\n` +
            `  agents   ${agents.join(', ')} (the scripted agent is citadel's own)\n` +
            (check.missing.length ? `missing: ${check.missing.join('; ')}\n` : 'nothing missing\n'),
        );
      }
      if (!check.reachable || check.missing.length) process.exitCode = 1;
    });

  host
    .command('rm')
    .description('remove a host (refused while a polecat works there)')
    .argument('<name>', 'the host')
    .action(async (name: string) => {
      await (await actions()).removeHost(context.town(), name);
      context.out(`host ${name} removed\n`);
    });

  // What runs on the host (docs/remote.md, "On the host"): never typed by a person.
  host
    .command('serve', { hidden: true })
    .description('the remote end of the home daemon\'s ssh channel: relays it to the keeper')
    .requiredOption('--dir <path>', 'the host\'s folder for the town')
    .action(async (options: { dir: string }) => {
      const { serve } = await import('../../remote/serve.js');
      await serve(options.dir);
      process.stdin.destroy();
    });
  host
    .command('keeper', { hidden: true })
    .description('the host process that keeps the polecats\' ptys across dropped connections')
    .requiredOption('--dir <path>', 'the host\'s folder for the town')
    .action(async (options: { dir: string }) => {
      const { runKeeper } = await import('../../remote/serve.js');
      await runKeeper(options.dir);
    });
  host
    .command('shim', { hidden: true })
    .description('citadel for an agent on a host: carries done, prime, hook and mail to the home town')
    .argument('[args...]')
    .allowUnknownOption(true)
    .helpOption(false)
    .action(async () => {
      // The agent's own arguments, exactly as given (commander would take --json and --help).
      const args = process.argv.slice(process.argv.indexOf('shim') + 1);
      const { runShim } = await import('../../remote/shim.js');
      process.exitCode = await runShim(args, { cwd: context.cwd, env: context.env, out: (text) => context.out(text), err: (text) => context.err(text) });
    });
}
