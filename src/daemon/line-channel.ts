import type { Socket } from 'node:net';

/** The most a single message may weigh; a peer sending more is cut off. */
export const MAX_LINE = 16 * 2 ** 20;

/**
 * Newline-delimited JSON over a socket, both ways. `onMessage` gets each parsed line; a line
 * that is not JSON or is too long ends the connection via `onError`.
 */
export class LineChannel {
  private buffer = '';

  constructor(
    readonly socket: Socket,
    onMessage: (message: unknown) => void,
    onError: (message: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (line.trim() === '') continue;
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          onError('a message was not valid JSON');
          return;
        }
        onMessage(message);
        if (socket.destroyed) return;
      }
      if (this.buffer.length > MAX_LINE) onError('a message was too long');
    });
  }

  /** Queues a message; returns false when the socket's buffer is above its high-water mark. */
  send(message: unknown): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    return this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Bytes queued and not yet taken by the peer. */
  get backlog(): number {
    return this.socket.writableLength;
  }
}
