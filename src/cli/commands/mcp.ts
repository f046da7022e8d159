import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel mcp`: citadel's tools for agents, as an MCP server on stdio (docs/agents.md). */
export function register(program: Command, context: CliContext): void {
  program
    .command('mcp')
    .description('an MCP server on stdio for agents: ready, show, claim, update, close, done, mail, molecule status')
    .action(async () => {
      // stdout carries the protocol: anything else printed there would corrupt it.
      console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
      const [{ runMcpServer }, { readFile }] = await Promise.all([import('../../mcp/server.js'), import('node:fs/promises')]);
      const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      if (process.stdin.isTTY) {
        context.err('citadel mcp: an MCP server on stdio, for agents. Register it with e.g. `claude mcp add citadel -- citadel mcp` (docs/agents.md). Ctrl-D to quit.\n');
      }
      await runMcpServer({
        cwd: context.cwd,
        env: context.env,
        town: context.townOption,
        stdin: process.stdin,
        stdout: process.stdout,
        version: pkg.version,
      });
    });
}
