import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorktree } from '../../../src/git/worktree.js';
import { citadelBin, runCli, runJson } from '../../helpers/cli.js';
import { git, gitEnv, makeRepo } from '../../helpers/git.js';
import { estimateTokens } from '../../helpers/mcp-tokens.js';

/**
 * The MCP server end to end: the SDK's own client spawns the built `citadel mcp` over stdio,
 * inside a polecat's worktree, and works a bead: claim → update → commit → done → mail.
 */
type Bead = { id: string; status: string; assignee?: string; labels?: string[]; type: string; [key: string]: unknown };

let repo: { path: string; dispose: () => void };
let worktree: string;
let beadId: string;
let client: Client;
const polecatEnv = (): Record<string, string> => ({ CITADEL_TOWN: repo.path, CITADEL_POLECAT: 'nux', CITADEL_BEAD: beadId });

beforeAll(async () => {
  repo = makeRepo();
  expect((await runCli(['init'], { cwd: repo.path })).code).toBe(0);
  beadId = (await runJson<Bead>(['bead', 'create', 'Add a greeting', '--body', 'Print hello'], { cwd: repo.path })).id;
  worktree = (await ensureWorktree(repo.path, 'nux', beadId, { mainBranch: 'main' })).path;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...gitEnv, CITADEL_ACTOR: '', NO_COLOR: '1', ...polecatEnv() })) {
    if (value !== undefined) env[key] = value;
  }
  client = new Client({ name: 'citadel-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [citadelBin, 'mcp'], cwd: worktree, env, stderr: 'pipe' }));
});

afterAll(async () => {
  await client?.close();
  repo?.dispose();
});

async function call(name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ type: string; text: string }> };
  return { isError: result.isError === true, text: result.content.map((c) => c.text).join('') };
}

async function json<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const { isError, text } = await call(name, args);
  if (isError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text) as T;
}

describe('citadel mcp', () => {
  it('lists its fifteen tools, compactly', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['claim', 'close', 'done', 'mail_inbox', 'mail_read', 'mail_send', 'molecule_status', 'ready', 'show', 'update', 'polecats', 'peek', 'sling', 'nudge', 'town'].sort(),
    );
    const tokens = estimateTokens(JSON.stringify(tools));
    console.log(`tools/list as served: ≈ ${tokens} tokens (budget 2,000)`);
    expect(tokens).toBeLessThanOrEqual(2_000);
  });

  it('works a bead: ready → claim → update → commit → done', async () => {
    const ready = await json<Bead[]>('ready');
    expect(ready.map((b) => b.id)).toContain(beadId);

    const claimed = await json<Bead>('claim', { id: beadId });
    expect(claimed).toMatchObject({ id: beadId, status: 'in_progress', assignee: 'nux' });
    expect((await json<Bead[]>('ready')).map((b) => b.id)).not.toContain(beadId);

    const updated = await json<Bead>('update', { id: beadId, body: '--greet with hello', add_labels: ['mcp'] });
    expect(updated).toMatchObject({ body: '--greet with hello', labels: ['mcp'] });
    // The same record the CLI sees.
    expect(await runJson<Bead>(['bead', 'show', beadId], { cwd: repo.path })).toMatchObject({ assignee: 'nux', labels: ['mcp'] });

    // Nothing committed yet: refused, with the CLI's reason.
    const refused = await call('done');
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/commit/i);

    writeFileSync(join(worktree, 'greeting.txt'), 'hello\n');
    git(worktree, 'add', '.');
    git(worktree, 'commit', '-q', '-m', 'Add a greeting');
    const request = await json<Bead>('done', { message: 'greeting added' });
    expect(request).toMatchObject({ type: 'merge_request', branch: `polecat/nux/${beadId}`, polecat: 'nux', bead: beadId });
  });

  it('sends, lists and reads mail as the polecat', async () => {
    const sent = await json<Bead>('mail_send', { to: 'overseer', subject: 'Question', body: 'Which greeting?' });
    expect(sent).toMatchObject({ type: 'message', from: 'nux', to: 'overseer' });
    const overseerInbox = await runJson<Bead[]>(['mail', 'inbox', '--for', 'overseer'], { cwd: repo.path });
    expect(overseerInbox.map((m) => m.id)).toContain(sent.id);

    const reply = await runJson<Bead>(['mail', 'send', '--to', 'nux', '--subject', 'Re: Question', '--body', 'hello', '--reply-to', sent.id], { cwd: repo.path });
    const unread = await json<Bead[]>('mail_inbox', { unread: true });
    expect(unread.map((m) => m.id)).toContain(reply.id);
    const read = await json<Bead>('mail_read', { id: reply.id });
    expect(read).toMatchObject({ id: reply.id, body: 'hello' });
    expect(await json<Bead[]>('mail_inbox', { unread: true })).not.toContainEqual(expect.objectContaining({ id: reply.id }));
  });

  it('closes beads and shows molecule status', async () => {
    const chore = await runJson<Bead>(['bead', 'create', 'Tidy up', '--type', 'chore'], { cwd: repo.path });
    expect(await json<Bead>('close', { id: chore.id, reason: 'nothing to tidy' })).toMatchObject({ status: 'closed' });

    const poured = await runJson<{ id?: string; epic?: { id: string } }>(['molecule', 'pour', 'quick-fix', '--var', 'issue=the login crash'], { cwd: repo.path });
    const instance = poured.epic?.id ?? poured.id!;
    const status = await call('molecule_status', { id: instance });
    expect(status.isError).toBe(false);
    expect(status.text).toContain(`${instance}.1`);
  });

  it('serves the town given with --town, from anywhere', async () => {
    const elsewhere = new Client({ name: 'citadel-test-2', version: '1.0.0' });
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, CITADEL_TOWN: '', CITADEL_POLECAT: '', CITADEL_ACTOR: '' })) {
      if (value !== undefined) env[key] = value;
    }
    await elsewhere.connect(new StdioClientTransport({ command: process.execPath, args: [citadelBin, 'mcp', '--town', repo.path], cwd: tmpdir(), env, stderr: 'pipe' }));
    try {
      const result = (await elsewhere.callTool({ name: 'show', arguments: { id: beadId } })) as { content: Array<{ text: string }> };
      expect(JSON.parse(result.content[0]!.text)).toMatchObject({ id: beadId, assignee: 'nux' });
    } finally {
      await elsewhere.close();
    }
  });

  it('answers a request written just before the client closes its end (`… | citadel mcp`)', async () => {
    const requests = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'show', arguments: { id: beadId } } },
    ];
    const result = await runCli(['mcp'], { cwd: worktree, env: polecatEnv(), input: requests.map((r) => `${JSON.stringify(r)}\n`).join('') });
    expect(result.code).toBe(0);
    const replies = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; result: { content?: Array<{ text: string }> } });
    expect(replies.map((r) => r.id)).toEqual([1, 2]);
    expect(JSON.parse(replies[1]!.result.content![0]!.text)).toMatchObject({ id: beadId });
  });

  it('reports the CLI’s own errors, word for word', async () => {
    const viaMcp = await call('show', { id: 'ct-zzzz' });
    const viaCli = await runCli(['bead', 'show', 'ct-zzzz', '--json'], { cwd: worktree, env: polecatEnv() });
    const cliError = (JSON.parse(viaCli.stderr) as { error: { code: string; message: string } }).error;
    expect(viaMcp).toEqual({ isError: true, text: `${cliError.code}: ${cliError.message}` });
    expect(await call('show', {})).toEqual({ isError: true, text: 'invalid: id is required' });
  });
});
