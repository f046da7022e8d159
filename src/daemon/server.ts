import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { isCitadelError } from '../common/errors.js';
import type { Disposable } from '../pty/pty.js';
import { LineChannel } from './line-channel.js';
import { PROTOCOL_VERSION, type DaemonMessage, type Hello, type Request, type RowFrame } from './protocol.js';

/** A client connection as a verb handler sees it. */
export interface Connection {
  readonly id: number;
  /** What the client said it is at hello ("tui", "cli", "test"). */
  readonly client: string;
  send(message: DaemonMessage): void;
  /** Sends a pane's frame, or marks it stale when the client is behind (it gets a full frame on drain). */
  sendFrame(frame: RowFrame): void;
  /** Subscriptions live with the connection and end with it. */
  readonly subscriptions: Map<string, Disposable>;
}

export type Handler = (args: Record<string, unknown>, connection: Connection) => unknown;

export interface ServerOptions {
  socketPath: string;
  token: string;
  town: string;
  handlers: Readonly<Record<string, Handler>>;
  /** The current full frame of a pane, for a client that fell behind and drained. */
  fullFrame(pane: string): RowFrame | undefined;
  log(line: string): void;
}

/** A client whose socket holds more than this is behind: its frames are dropped until it drains. */
const MAX_BACKLOG = 2 * 2 ** 20;

/**
 * The daemon's socket server: newline-delimited JSON, a hello with the token first, then
 * requests answered by `handlers` (one per verb). Returns the live connections for broadcasts.
 */
export class DaemonServer {
  private readonly server: Server;
  readonly connections = new Set<Connection>();
  private nextId = 1;

  constructor(private readonly options: ServerOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  broadcast(message: DaemonMessage): void {
    for (const connection of this.connections) connection.send(message);
  }

  close(): Promise<void> {
    for (const connection of this.connections) connection.send({ t: 'res', id: 0, ok: false, error: { code: 'unavailable', message: 'the daemon is stopping' } });
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.end();
      setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
      }, 200).unref();
    });
  }

  private readonly sockets = new Set<Socket>();

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    let hello: Hello | undefined;
    const stale = new Set<string>();
    const subscriptions = new Map<string, Disposable>();
    const id = this.nextId++;
    const connection: Connection = {
      id,
      get client() {
        return hello?.client ?? '?';
      },
      subscriptions,
      send: (message) => {
        channel.send(message);
      },
      sendFrame: (frame) => {
        if (stale.has(frame.pane)) return;
        if (channel.backlog > MAX_BACKLOG) {
          stale.add(frame.pane);
          return;
        }
        channel.send(frame);
      },
    };
    const fail = (message: string): void => {
      channel.send({ t: 'res', id: 0, ok: false, error: { code: 'refused', message } });
      socket.end();
    };
    const channel = new LineChannel(
      socket,
      (message) => {
        if (!hello) {
          const candidate = message as Partial<Hello>;
          if (candidate?.t !== 'hello' || typeof candidate.token !== 'string' || !this.tokenMatches(candidate.token)) {
            fail('bad hello: the token does not match (is this the right town?)');
            return;
          }
          if (candidate.version !== PROTOCOL_VERSION) {
            fail(`protocol version ${String(candidate.version)} is not supported (the daemon speaks ${PROTOCOL_VERSION}): restart the daemon with \`citadel daemon stop\``);
            return;
          }
          hello = candidate as Hello;
          this.connections.add(connection);
          channel.send({ t: 'welcome', version: PROTOCOL_VERSION, town: this.options.town, pid: process.pid });
          return;
        }
        void this.dispatch(message as Request, connection);
      },
      (problem) => fail(problem),
    );
    socket.on('drain', () => {
      for (const pane of [...stale]) {
        stale.delete(pane);
        const frame = this.options.fullFrame(pane);
        if (frame && subscriptions.has(pane)) channel.send(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.connections.delete(connection);
      for (const subscription of subscriptions.values()) subscription.dispose();
      subscriptions.clear();
    });
  }

  private async dispatch(request: Request, connection: Connection): Promise<void> {
    if (request?.t !== 'req' || typeof request.id !== 'number' || typeof request.verb !== 'string') {
      connection.send({ t: 'res', id: typeof request?.id === 'number' ? request.id : 0, ok: false, error: { code: 'invalid', message: 'expected {"t":"req","id":N,"verb":"…"}' } });
      return;
    }
    const handler = Object.hasOwn(this.options.handlers, request.verb) ? this.options.handlers[request.verb] : undefined;
    if (!handler) {
      connection.send({ t: 'res', id: request.id, ok: false, error: { code: 'invalid', message: `unknown verb "${request.verb}" (known: ${Object.keys(this.options.handlers).join(', ')})` } });
      return;
    }
    try {
      const result = await handler(request.args ?? {}, connection);
      connection.send({ t: 'res', id: request.id, ok: true, result: result ?? null });
    } catch (error) {
      if (!isCitadelError(error)) this.options.log(`verb ${request.verb} failed: ${(error as Error).stack ?? String(error)}`);
      const code = isCitadelError(error) ? error.code : 'internal';
      connection.send({ t: 'res', id: request.id, ok: false, error: { code, message: (error as Error).message } });
    }
  }

  private tokenMatches(candidate: string): boolean {
    const expected = Buffer.from(this.options.token);
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
