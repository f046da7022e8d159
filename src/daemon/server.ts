import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { isCitadelError } from '../common/errors.js';
import type { Disposable } from '../pty/pty.js';
import { LineChannel, MAX_LINE } from './line-channel.js';
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
  /** Calls `listener` once when the connection closes (e.g. to forget the sizes it asked for). */
  onClose(listener: () => void): void;
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
  /** How long a connection may stay without a hello (default {@link HELLO_TIMEOUT_MS}). */
  helloTimeoutMs?: number;
  /** How many connections may be waiting for their hello at once (default {@link MAX_UNAUTHENTICATED}). */
  maxUnauthenticated?: number;
}

const TRACE = process.env.CITADEL_DAEMON_TRACE === '1';

/** A client whose socket holds more than this is behind: its frames are dropped until it drains. */
const MAX_BACKLOG = 2 * 2 ** 20;

/*
 * Socket bounds (docs/daemon.md): what someone without the token can make the daemon hold.
 * The socket is private (0600 in a 0700 directory), but the daemon must not be the thing that
 * breaks if another local program misbehaves: before hello a line is at most 64 KiB (a hello is
 * ~150 bytes), at most 64 connections wait for their hello (a burst of CLI calls is a handful),
 * and one that says nothing for 10 s is closed. So the unauthenticated worst case is ~4 MiB.
 * After hello the line limit is MAX_LINE (line-channel.ts).
 */
/** The longest line before hello. */
export const MAX_HELLO_LINE = 64 * 2 ** 10;
/** Connections that may be waiting for their hello at once. */
export const MAX_UNAUTHENTICATED = 64;
/** How long a connection may stay without a hello. Generous: a loaded machine may delay a client's first write. */
export const HELLO_TIMEOUT_MS = 10_000;
/** How long a refused connection gets to take its error line before it is cut. */
const FAREWELL_MS = 1000;

/**
 * The daemon's socket server: newline-delimited JSON, a hello with the token first, then
 * requests answered by `handlers` (one per verb). Returns the live connections for broadcasts.
 */
export class DaemonServer {
  private server: Server;
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

  /**
   * Listens again at the socket's path, on a new listening socket: after the file was removed
   * (a tmp cleaner), as tmux does on SIGUSR1. Open connections stay. The old listening socket is
   * closed first: libuv unlinks its path when it closes, which must not take the new one.
   */
  relisten(): Promise<void> {
    const old = this.server;
    this.server = createServer((socket) => this.accept(socket));
    old.close();
    return this.listen();
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
  /** Connections that have not said hello yet. */
  private unauthenticated = 0;
  /** When a refusal for {@link MAX_UNAUTHENTICATED} was last logged (at most one line a minute). */
  private refusalLoggedAt = -Infinity;

  /** How many connections are waiting for their hello now. */
  get waitingForHello(): number {
    return this.unauthenticated;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    const limit = this.options.maxUnauthenticated ?? MAX_UNAUTHENTICATED;
    if (this.unauthenticated >= limit) {
      // At most one line a minute, so a loop of connections cannot grow the log either.
      if (Date.now() - this.refusalLoggedAt > 60_000) {
        this.refusalLoggedAt = Date.now();
        this.options.log(`refusing connections: ${limit} connections are already waiting for their hello (logged at most once a minute)`);
      }
      refuse(socket, `too many connections without hello (${limit}): the daemon refuses more until they say hello or time out`);
      return;
    }
    this.unauthenticated++;
    let waiting = true;
    const authenticated = (): void => {
      if (!waiting) return;
      waiting = false;
      this.unauthenticated--;
      clearTimeout(helloTimer);
    };
    const helloMs = this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
    const helloTimer = setTimeout(() => fail(`no hello within ${helloMs / 1000} s: a client must send {"t":"hello","token":…} first`), helloMs);
    helloTimer.unref();
    let hello: Hello | undefined;
    const stale = new Set<string>();
    const subscriptions = new Map<string, Disposable>();
    const closeListeners = new Set<() => void>();
    const id = this.nextId++;
    const connection: Connection = {
      id,
      get client() {
        return hello?.client ?? '?';
      },
      subscriptions,
      onClose: (listener) => {
        closeListeners.add(listener);
      },
      send: (message) => {
        channel.send(message);
      },
      sendFrame: (frame) => {
        if (stale.has(frame.pane)) return;
        // CITADEL_DAEMON_TRACE: frames queued behind others in the kernel and the socket's buffer.
        if (TRACE && channel.backlog > 16_384) process.stderr.write(`socket-backlog ${channel.backlog} at ${performance.now().toFixed(2)}\n`);
        if (channel.backlog > MAX_BACKLOG) {
          stale.add(frame.pane);
          return;
        }
        channel.send(frame);
      },
    };
    const fail = (message: string): void => {
      authenticated();
      channel.stop();
      refuse(socket, message);
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
          authenticated();
          channel.maxLine = MAX_LINE;
          this.connections.add(connection);
          channel.send({ t: 'welcome', version: PROTOCOL_VERSION, town: this.options.town, pid: process.pid });
          return;
        }
        void this.dispatch(message as Request, connection);
      },
      (problem) => fail(hello ? problem : `${problem} before hello`),
      MAX_HELLO_LINE,
    );
    socket.on('drain', () => {
      for (const pane of [...stale]) {
        stale.delete(pane);
        const frame = this.options.fullFrame(pane);
        if (frame && subscriptions.has(pane)) channel.send(frame);
      }
    });
    socket.on('close', () => {
      authenticated();
      this.connections.delete(connection);
      for (const subscription of subscriptions.values()) subscription.dispose();
      subscriptions.clear();
      for (const listener of [...closeListeners]) listener();
      closeListeners.clear();
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

/**
 * Ends a connection with one error line (`res` id 0, code `refused`), then stops reading: what
 * the peer sends from then on waits in the kernel's socket buffer (bounded, and not ours), so a
 * peer still writing — a client that sent its hello just as we refused it, or a flood — is held
 * by back-pressure instead of getting EPIPE before it could read the reason. The connection is
 * cut after {@link FAREWELL_MS}, or as soon as the peer closes.
 */
function refuse(socket: Socket, message: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const cut = setTimeout(() => socket.destroy(), FAREWELL_MS);
  cut.unref();
  socket.on('close', () => clearTimeout(cut));
  socket.removeAllListeners('data');
  socket.pause();
  socket.end(`${JSON.stringify({ t: 'res', id: 0, ok: false, error: { code: 'refused', message } })}\n`);
}
