import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect as connectSocket } from 'node:net';
import { CitadelError } from '../common/errors.js';
import { formatSize } from '../model/limits.js';
import { LineChannel, MAX_LINE } from './line-channel.js';
import { PROTOCOL_VERSION, type ArgsParam, type DaemonMessage, type PaneInfo, type Response, type Result, type RowFrame, type Verb, type Welcome } from './protocol.js';
import { checkPrivateDir, checkRecordedSocket, daemonPaths, legacySocket, readDaemonRecord, tokenFor } from './runtime-dir.js';
import { lstatOrNone } from '../town/private-fs.js';

export interface ConnectOptions {
  /** Where to find the runtime directory (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** What this client is, shown by `daemon status` ("tui", "cli", "test"). */
  client?: string;
  timeoutMs?: number;
}

export interface ClientEvents {
  frame: (frame: RowFrame) => void;
  panes: (panes: PaneInfo[]) => void;
  journal: (seq: number) => void;
  /** The connection ended (the daemon stopped, or `close()`). */
  close: () => void;
}

/** A connection to a town's daemon (the TUI and the CLI use it; protocol.ts is the wire). */
export interface DaemonClient {
  readonly welcome: Welcome;
  /**
   * Sends a verb and resolves with its result; rejects with a CitadelError carrying the daemon's
   * code. Arguments and result are typed by the verb map (protocol.ts `VerbMap`); a verb without
   * arguments may leave them out.
   */
  request<V extends Verb>(verb: V, ...args: ArgsParam<V>): Promise<Result<V>>;
  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void;
  /** Subscribes to a pane's frames (the full screen first); `unsubscribe` ends it. */
  subscribe(pane: string, onFrame: (frame: RowFrame) => void): Promise<{ info: PaneInfo; unsubscribe: () => Promise<void> }>;
  readonly closed: boolean;
  close(): void;
}

/**
 * Where the town's daemon listens, from the town's own record (`.citadel/run/daemon.json`), so
 * that every environment — another login's `$XDG_RUNTIME_DIR`, none, cron's — finds the same
 * daemon. Without a record: where this environment's daemon would listen, or a daemon of a
 * citadel from before the record. Undefined when there is no socket to try.
 */
export function findSocket(townRoot: string, env: NodeJS.ProcessEnv): string | undefined {
  const recorded = readDaemonRecord(townRoot)?.socket;
  if (recorded !== undefined) {
    if (!lstatOrNone(recorded)) return undefined;
    checkRecordedSocket(recorded);
    return recorded;
  }
  for (const candidate of [daemonPaths(townRoot, env).socket, legacySocket(townRoot, env)]) {
    if (candidate === undefined || !lstatOrNone(candidate)) continue;
    checkPrivateDir(dirname(candidate));
    return candidate;
  }
  return undefined;
}

/**
 * Connects to the daemon of the town at `townRoot` and says hello with its token. Fails with
 * `unavailable` when no daemon runs (start one with `ensureDaemon`, lifecycle.ts).
 */
export async function connect(townRoot: string, options: ConnectOptions = {}): Promise<DaemonClient> {
  const env = options.env ?? process.env;
  const notRunning = new CitadelError('unavailable', `no daemon is running for ${townRoot}: start it with \`citadel daemon start\``);
  const socketPath = findSocket(townRoot, env);
  if (!socketPath) throw notRunning;
  let token: string;
  try {
    token = readFileSync(tokenFor(socketPath), 'utf8').trim();
  } catch {
    throw notRunning;
  }
  const socket = connectSocket(socketPath);
  const listeners: { [E in keyof ClientEvents]: Set<ClientEvents[E]> } = { frame: new Set(), panes: new Set(), journal: new Set(), close: new Set() };
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;
  let welcomed: (welcome: Welcome) => void = () => undefined;
  let refused: (error: Error) => void = () => undefined;
  const welcome = new Promise<Welcome>((resolve, reject) => {
    welcomed = resolve;
    refused = reject;
  });

  const finish = (error: Error): void => {
    if (closed) return;
    closed = true;
    refused(error);
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    for (const listener of listeners.close) listener();
  };
  const channel = new LineChannel(
    socket,
    (raw) => {
      const message = raw as DaemonMessage;
      switch (message.t) {
        case 'welcome':
          welcomed(message);
          break;
        case 'res': {
          if (message.id === 0 && !message.ok) {
            finish(new CitadelError(message.error?.code === 'refused' ? 'refused' : 'unavailable', message.error?.message ?? 'the daemon closed the connection'));
            return;
          }
          const waiter = pending.get(message.id);
          pending.delete(message.id);
          if (!waiter) return;
          if (message.ok) waiter.resolve(message.result);
          else waiter.reject(asError(message));
          break;
        }
        case 'frame':
          for (const listener of listeners.frame) listener(message);
          break;
        case 'panes':
          for (const listener of listeners.panes) listener(message.panes);
          break;
        case 'journal':
          for (const listener of listeners.journal) listener(message.seq);
          break;
      }
    },
    (problem) => {
      finish(new CitadelError('io', `the daemon sent ${problem}`));
      socket.destroy();
    },
  );
  socket.on('error', (error: NodeJS.ErrnoException) => {
    finish(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? notRunning : new CitadelError('io', `daemon connection: ${error.message}`));
  });
  socket.on('close', () => finish(new CitadelError('unavailable', 'the daemon connection closed')));

  channel.send({ t: 'hello', token, version: PROTOCOL_VERSION, client: options.client ?? 'cli' });
  const timeout = setTimeout(() => {
    finish(new CitadelError('unavailable', `the daemon for ${townRoot} did not answer within ${options.timeoutMs ?? 5000} ms`));
    socket.destroy();
  }, options.timeoutMs ?? 5000);
  let hello: Welcome;
  try {
    hello = await welcome;
  } finally {
    clearTimeout(timeout);
  }

  const client: DaemonClient = {
    welcome: hello,
    get closed() {
      return closed;
    },
    request<V extends Verb>(verb: V, ...rest: ArgsParam<V>): Promise<Result<V>> {
      if (closed) return Promise.reject(new CitadelError('unavailable', 'the daemon connection is closed'));
      const id = nextId++;
      const line = JSON.stringify({ t: 'req', id, verb, args: rest[0] ?? {} });
      // The daemon would cut the whole connection over a line this long (server.ts): refuse
      // just this request, here, with the reason.
      if (line.length > MAX_LINE) {
        return Promise.reject(new CitadelError('invalid', `the ${verb} request is ${formatSize(line.length)}; the daemon takes at most ${formatSize(MAX_LINE)} per message`));
      }
      return new Promise<Result<V>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        channel.sendLine(line);
      });
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    async subscribe(pane, onFrame) {
      const off = client.on('frame', (frame) => {
        if (frame.pane === pane) onFrame(frame);
      });
      try {
        const info = await client.request('subscribe', { pane });
        return {
          info,
          unsubscribe: async () => {
            off();
            if (!closed) await client.request('unsubscribe', { pane });
          },
        };
      } catch (error) {
        off();
        throw error;
      }
    },
    close() {
      socket.end();
      socket.destroy();
      finish(new CitadelError('unavailable', 'the daemon connection is closed'));
    },
  };
  return client;
}

function asError(response: Response): CitadelError {
  const code = response.error?.code;
  const known = ['usage', 'not_found', 'invalid', 'conflict', 'refused', 'no_town', 'corrupt', 'io', 'unavailable', 'failed'];
  return new CitadelError(known.includes(code ?? '') ? (code as 'invalid') : 'failed', response.error?.message ?? 'the daemon refused');
}
