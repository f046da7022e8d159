import type { Readable, Writable } from 'node:stream';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isCitadelError } from '../common/errors.js';
import { compactJson } from './compact-json.js';
import { createCliRunner, type CliWorld } from './run-cli.js';
import { findTool, tools } from './tools.js';

export interface McpServerOptions extends CliWorld {
  stdin: Readable;
  stdout: Writable;
  version: string;
}

const instructions =
  'citadel: this town\'s work items (beads), mail and merges. Who you are and your bead: run `citadel prime`. ' +
  'Flow: ready → claim → work, commit → done. Stuck: mail_send to overseer.';

/**
 * Serves citadel's tools over MCP on stdio until the client closes stdin. Each call runs the
 * matching `citadel` command in-process (run-cli.ts) and returns its JSON, compacted; a
 * citadel error becomes a tool error carrying the CLI's own message.
 */
export async function runMcpServer(options: McpServerOptions): Promise<void> {
  const server = new Server({ name: 'citadel', version: options.version }, { capabilities: { tools: {} }, instructions });
  const runCli = createCliRunner({ cwd: options.cwd, env: options.env, town: options.town });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    let argv: string[];
    try {
      argv = findTool(request.params.name).argv(request.params.arguments ?? {});
    } catch (error) {
      if (isCitadelError(error)) return failure(`${error.code}: ${error.message}`);
      throw error;
    }
    const outcome = await runCli(argv);
    if (outcome.code !== 0) return failure(`${outcome.error?.code ?? 'failed'}: ${outcome.error?.message ?? 'failed'}`);
    return { content: [{ type: 'text', text: compactJson(outcome.stdout) }] };
  });

  const transport = new StdioServerTransport(options.stdin, options.stdout);
  await server.connect(transport);
  await untilInputEndsAndAnswered(transport, options.stdin);
  await transport.close();
}

/**
 * Resolves once the client has closed our stdin and every request it sent has been answered:
 * a client may write its last request and close its end at once (`… | citadel mcp`), and that
 * request still deserves its reply.
 */
function untilInputEndsAndAnswered(transport: Transport, stdin: Readable): Promise<void> {
  let pending = 0;
  let ended = false;
  return new Promise((resolve) => {
    const check = (): void => {
      if (ended && pending === 0) resolve();
    };
    const receive = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if ('method' in message && 'id' in message) pending++;
      receive?.(message, extra);
    };
    const send = transport.send.bind(transport);
    transport.send = async (message, sendOptions) => {
      try {
        await send(message, sendOptions);
      } finally {
        if (('result' in message || 'error' in message) && 'id' in message) {
          pending--;
          check();
        }
      }
    };
    transport.onclose = () => resolve();
    stdin.once('end', () => {
      ended = true;
      check();
    });
  });
}

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
