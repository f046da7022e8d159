import { readFileSync } from 'node:fs';
import { connect as connectSocket, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonPaths } from '../../../src/daemon/runtime-dir.js';
import { DaemonServer, MAX_UNAUTHENTICATED } from '../../../src/daemon/server.js';
import { tempDir } from '../../helpers/temp.js';
import { makeTown, waitFor, type TestTown } from './harness.js';

/**
 * What a client can make the daemon hold (docs/daemon.md, "Socket bounds"): long lines,
 * connections that never say hello, and too many of them.
 */

/** A raw socket to the daemon, recording what it was told and whether it was closed. */
interface RawPeer {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

function rawPeer(path: string): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(path);
    let received = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.once('connect', () => resolve({ socket, received: () => received, closed: () => closed }));
    socket.once('error', reject);
  });
}

/** Writes `total` bytes of 'x' (no newline) until done or the peer cuts us off. */
async function flood(peer: RawPeer, total: number, prefix = ''): Promise<number> {
  const chunk = Buffer.alloc(2 ** 20, 'x');
  let sent = 0;
  if (prefix) peer.socket.write(prefix);
  while (sent < total && !peer.closed() && peer.socket.writable) {
    const more = peer.socket.write(chunk);
    sent += chunk.length;
    if (!more) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          peer.socket.off('drain', done);
          peer.socket.off('close', done);
          resolve();
        };
        peer.socket.on('drain', done);
        peer.socket.on('close', done);
      });
    }
  }
  return sent;
}

/** The refusal the daemon sends before closing: a `res` with id 0. */
function refusal(peer: RawPeer): string | undefined {
  const line = peer.received().split('\n').find((text) => text.includes('"id":0'));
  if (!line) return undefined;
  const message = JSON.parse(line) as { ok: boolean; error: { code: string; message: string } };
  expect(message.ok).toBe(false);
  expect(message.error.code).toBe('refused');
  return message.error.message;
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

describe('the daemon socket, with a real daemon', () => {
  let town: TestTown | undefined;
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.socket.destroy();
    await town?.dispose();
    town = undefined;
  });

  it('cuts 7 connections that each send 200 MB without a newline before hello; its memory stays bounded and it still serves', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const { pid } = JSON.parse((await town.cli(['daemon', 'status', '--json'])).stdout) as { pid: number };
    const socketPath = daemonPaths(town.root, town.env).socket;
    const warm = await town.client('warm-up');
    await warm.request('status');
    const before = rssKb(pid);

    const floods = await Promise.all(Array.from({ length: 7 }, () => rawPeer(socketPath)));
    peers.push(...floods);
    const sent = await Promise.all(floods.map((peer) => flood(peer, 200 * 2 ** 20)));
    await waitFor(() => floods.every((peer) => peer.closed()), 'the daemon to close every flooding connection');
    for (const peer of floods) expect(refusal(peer)).toMatch(/a message was longer than 64 KiB before hello/);
    // Each was cut long before its 200 MB went through.
    for (const bytes of sent) expect(bytes).toBeLessThan(50 * 2 ** 20);
    const grown = rssKb(pid) - before;
    expect(grown, `the daemon grew by ${grown} kB`).toBeLessThan(50 * 1024);

    const client = await town.client('after');
    const status = await client.request('status');
    expect(status.pid).toBe(pid);
  });

  it('cuts an authenticated client that sends a line over the limit, and refuses an oversized request in the client library', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const paths = daemonPaths(town.root, town.env);
    const token = readFileSync(paths.token, 'utf8').trim();

    const peer = await rawPeer(paths.socket);
    peers.push(peer);
    peer.socket.write(`${JSON.stringify({ t: 'hello', token, version: 1, client: 'test' })}\n`);
    await waitFor(() => peer.received().includes('"welcome"'), 'the welcome');
    await flood(peer, 20 * 2 ** 20, '{"t":"req","id":1,"verb":"list","args":{"junk":"');
    await waitFor(() => peer.closed(), 'the daemon to close the connection');
    expect(refusal(peer)).toBe('a message was longer than 16 MiB');

    // The client library refuses such a request itself, and its connection lives on.
    const client = await town.client();
    await expect(client.request('input', { pane: 'none', data: 'x'.repeat(17 * 2 ** 20) })).rejects.toThrow(
      /the input request is 17\.\d MB; the daemon takes at most 16 MiB per message/,
    );
    expect(await client.request('list')).toEqual([]);
  });

  it(`refuses a connection beyond ${MAX_UNAUTHENTICATED} waiting for their hello, and takes clients again once they go`, async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const socketPath = daemonPaths(town.root, town.env).socket;
    // Opened one after another, so the daemon accepts them in this order.
    for (let i = 0; i <= MAX_UNAUTHENTICATED; i++) peers.push(await rawPeer(socketPath));
    const extra = peers[MAX_UNAUTHENTICATED]!;
    await waitFor(() => extra.closed(), 'the connection over the limit to be closed');
    expect(refusal(extra)).toMatch(new RegExp(`too many connections without hello \\(${MAX_UNAUTHENTICATED}\\)`));
    expect(peers.slice(0, MAX_UNAUTHENTICATED).filter((peer) => peer.closed())).toEqual([]);

    // A real client is refused too, with the reason as one line…
    const cli = await town.cli(['daemon', 'status']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^citadel: too many connections without hello \(64\): the daemon refuses more until they say hello or time out\n$/);

    // …until the idle ones go away.
    for (const peer of peers.splice(0)) peer.socket.destroy();
    const client = await waitFor(async () => town!.client('after'), 'the daemon to take clients again');
    expect(await client.request('list')).toEqual([]);
  });
});

describe('DaemonServer bounds, in process', () => {
  const servers: DaemonServer[] = [];
  const dirs: Array<{ dispose: () => void }> = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) await server.close();
    for (const dir of dirs.splice(0)) dir.dispose();
  });

  async function serve(options: { helloTimeoutMs?: number; maxUnauthenticated?: number }): Promise<{ path: string; log: string[]; server: DaemonServer }> {
    const dir = tempDir('citadel-server-');
    dirs.push(dir);
    const path = join(dir.path, 's.sock');
    const log: string[] = [];
    const server = new DaemonServer({
      socketPath: path,
      token: 'secret-token',
      town: dir.path,
      handlers: { echo: (args) => args },
      fullFrame: () => undefined,
      log: (line) => log.push(line),
      ...options,
    });
    servers.push(server);
    await server.listen();
    return { path, log, server };
  }

  async function peer(path: string): Promise<RawPeer> {
    const raw = await rawPeer(path);
    sockets.push(raw.socket);
    return raw;
  }

  it('closes a connection that says nothing within the hello timeout, and not one that said hello', async () => {
    const { path } = await serve({ helloTimeoutMs: 300 });
    const silent = await peer(path);
    const polite = await peer(path);
    polite.socket.write(`${JSON.stringify({ t: 'hello', token: 'secret-token', version: 1, client: 'test' })}\n`);
    await waitFor(() => silent.closed(), 'the silent connection to be closed');
    expect(refusal(silent)).toBe('no hello within 0.3 s: a client must send {"t":"hello","token":…} first');
    polite.socket.write(`${JSON.stringify({ t: 'req', id: 7, verb: 'echo', args: { n: 1 } })}\n`);
    await waitFor(() => polite.received().includes('"id":7'), 'the answer to the polite client');
    expect(polite.closed()).toBe(false);
    expect(polite.received()).toContain('"result":{"n":1}');
  });

  it('counts a connection as waiting only until its hello or its close', async () => {
    const { path, log, server } = await serve({ maxUnauthenticated: 2 });
    const a = await peer(path);
    const b = await peer(path);
    const c = await peer(path);
    await waitFor(() => c.closed(), 'the third waiting connection to be refused');
    expect(refusal(c)).toMatch(/too many connections without hello \(2\)/);
    const f = await peer(path);
    await waitFor(() => f.closed(), 'the fourth waiting connection to be refused');
    expect(log.filter((line) => line.includes('2 connections are already waiting for their hello'))).toHaveLength(1);
    a.socket.write(`${JSON.stringify({ t: 'hello', token: 'secret-token', version: 1, client: 'test' })}\n`);
    await waitFor(() => a.received().includes('"welcome"'), 'the welcome');
    expect(server.waitingForHello).toBe(1);
    b.socket.destroy();
    await waitFor(() => server.waitingForHello === 0, 'the closed connection to stop counting');
    // Both places are free again: two more may wait.
    const d = await peer(path);
    const e = await peer(path);
    d.socket.write(`${JSON.stringify({ t: 'hello', token: 'secret-token', version: 1, client: 'test' })}\n`);
    await waitFor(() => d.received().includes('"welcome"'), 'a welcome for the next connection');
    expect(e.closed()).toBe(false);
  });

  it('reassembles a line sent in pieces and splits lines sent together (after hello, up to the big limit)', async () => {
    const { path } = await serve({});
    const client = await peer(path);
    const hello = `${JSON.stringify({ t: 'hello', token: 'secret-token', version: 1, client: 'test' })}\n`;
    // A request of 200 kB (over the 64 KiB hello limit, fine after hello) in 1000-byte pieces,
    // written in the same burst as the hello and followed by a second request on the same write.
    const big = `${JSON.stringify({ t: 'req', id: 1, verb: 'echo', args: { text: 'z'.repeat(200_000) } })}\n`;
    const second = `${JSON.stringify({ t: 'req', id: 2, verb: 'echo', args: { n: 2 } })}\n`;
    const whole = hello + big + second;
    for (let at = 0; at < whole.length; at += 1000) client.socket.write(whole.slice(at, at + 1000));
    await waitFor(() => client.received().includes('"id":2'), 'both answers');
    const answers = client.received().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { t: string; id?: number; result?: { text?: string } });
    expect(answers.map((answer) => answer.t)).toEqual(['welcome', 'res', 'res']);
    expect(answers[1]!.result!.text).toHaveLength(200_000);
    expect(client.closed()).toBe(false);
  });

  it('refuses a bad hello with one line and closes', async () => {
    const { path } = await serve({});
    const wrong = await peer(path);
    wrong.socket.write('{"t":"hello","token":"nope","version":1,"client":"test"}\n');
    await waitFor(() => wrong.closed(), 'the connection to be closed');
    expect(refusal(wrong)).toMatch(/bad hello: the token does not match/);
  });
});
