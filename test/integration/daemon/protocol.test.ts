import { readFileSync } from 'node:fs';
import { connect as connectSocket, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../src/daemon/client.js';
import type { VerbHandlers } from '../../../src/daemon/daemon.js';
import { parseArgs } from '../../../src/daemon/protocol.js';
import { daemonPaths } from '../../../src/daemon/runtime-dir.js';
import { makeTown, waitFor, type TestTown } from './harness.js';

/**
 * The typed protocol (src/daemon/protocol.ts `VerbMap`): what typecheck proves is below in
 * `typeChecks` (each `@ts-expect-error` fails `npm run typecheck` if the mistake it marks ever
 * compiles); what the socket does with a peer that is not typed is tested on a real daemon.
 */

/** A line from the daemon, as a raw peer reads it. */
interface Message {
  t: string;
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

let town: TestTown | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  socket = undefined;
  await town?.dispose();
  town = undefined;
});

describe('the daemon protocol', () => {
  it('answers a request with malformed args with one invalid line naming the argument, and keeps the connection', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const paths = daemonPaths(town.root, town.env);
    const open = connectSocket(paths.socket);
    socket = open;
    let received = '';
    open.setEncoding('utf8');
    open.on('data', (chunk: string) => (received += chunk));
    await new Promise<void>((resolve, reject) => open.once('connect', resolve).once('error', reject));
    const lines = (): Message[] => received.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Message);
    const answer = async (id: number): Promise<Message> => {
      await waitFor(() => lines().some((message) => message.t === 'res' && message.id === id), `the answer to request ${id}`);
      return lines().find((message) => message.t === 'res' && message.id === id)!;
    };

    open.write(`${JSON.stringify({ t: 'hello', token: readFileSync(paths.token, 'utf8').trim(), version: 1, client: 'test' })}\n`);
    await waitFor(() => received.includes('"welcome"'), 'the welcome');
    const requests = [
      { t: 'req', id: 1, verb: 'resize', args: { pane: 'sh', cols: 'wide', rows: 10 } },
      { t: 'req', id: 2, verb: 'spawn', args: { id: 'sh', argv: 'sh -c "rm -rf ~"' } },
      { t: 'req', id: 3, verb: 'input', args: { pane: 'sh', data: 42 } },
      { t: 'req', id: 4, verb: 'kill', args: ['sh'] },
      { t: 'req', id: 5, verb: 'list' },
    ];
    open.write(requests.map((request) => `${JSON.stringify(request)}\n`).join(''));

    expect(await answer(1)).toEqual({ t: 'res', id: 1, ok: false, error: { code: 'invalid', message: '"cols" must be an integer from 2 to 1000' } });
    expect(await answer(2)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^"argv" must be a non-empty array of strings/) } });
    expect(await answer(3)).toMatchObject({ ok: false, error: { code: 'invalid', message: '"data" must be a string' } });
    expect(await answer(4)).toMatchObject({ ok: false, error: { code: 'invalid', message: '"args" of kill must be an object' } });
    // Nothing was started, and the same connection is still served.
    expect(await answer(5)).toEqual({ t: 'res', id: 5, ok: true, result: [] });
    expect(lines().filter((message) => message.t === 'res')).toHaveLength(5);
  });

  it('checks each verb’s args without a daemon: a wrong type is refused, unknown keys are ignored', () => {
    expect(() => parseArgs.scrollback({ pane: 'nux', plain: 'yes' })).toThrow('"plain" must be true or false');
    expect(() => parseArgs.spawn({ id: '../x', argv: ['sh'] })).toThrow(/invalid pane id/);
    expect(() => parseArgs.subscribe({})).toThrow('"pane" must be a non-empty string');
    expect(parseArgs.spawn({ polecat: 'nux', rows: 30, newer: true })).toEqual({ polecat: 'nux', cols: undefined, rows: 30 });
  });
});

/** Never run: typecheck (`tsc`) is the test. Each line marked below must NOT compile. */
export function typeChecks(client: DaemonClient): void {
  // @ts-expect-error resize needs cols and rows
  void client.request('resize', { pane: 'nux' });
  // @ts-expect-error input's data is a string
  void client.request('input', { pane: 'nux', data: 1 });
  // @ts-expect-error not a verb
  void client.request('rm', {});
  // @ts-expect-error spawn needs a polecat or an id and argv
  void client.request('spawn', { cols: 80 });
  void client.request('list').then((panes) => {
    // @ts-expect-error list answers PaneInfo[]
    const wrong: string = panes;
    return wrong;
  });
  const wrongAnswer: Pick<VerbHandlers, 'restart'> = {
    // @ts-expect-error restart answers a PaneInfo, not null
    restart: () => null,
  };
  void wrongAnswer;
  const wrongArgs: Pick<VerbHandlers, 'resize'> = {
    // @ts-expect-error resize's handler gets numbers for cols
    resize: (args: { pane: string; cols: string; rows: number }) => (void args, null),
  };
  void wrongArgs;
}
