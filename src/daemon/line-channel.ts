import type { Socket } from 'node:net';
import { formatSize } from '../model/limits.js';

/**
 * The most a single message may weigh once a client has said hello (docs/daemon.md, "Socket
 * bounds"). The largest legitimate request is an `input` carrying a paste, JSON-escaped; 16 MiB
 * is far above any paste a person makes and still a bound on what one client can make the
 * daemon hold. Frames the daemon sends are a screen of rows, far below it.
 */
export const MAX_LINE = 16 * 2 ** 20;

/**
 * Newline-delimited JSON over a socket, both ways. `onMessage` gets each parsed line; a line
 * that is not JSON or is longer than `maxLine` ends the connection via `onError` — and from then
 * on nothing more is read or kept: a peer that goes on writing fills its own socket buffer, not
 * our memory.
 *
 * A line still without its newline is kept as a list of chunks and only the new chunk is
 * searched for the newline, so a long line costs its length once (not once per chunk).
 */
export class LineChannel {
  private chunks: string[] = [];
  private pending = 0;
  private stopped = false;

  constructor(
    readonly socket: Socket,
    onMessage: (message: unknown) => void,
    onError: (message: string) => void,
    /** The longest line accepted, in UTF-16 units (≈ bytes for JSON); the server lowers it until hello. */
    public maxLine: number = MAX_LINE,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (this.stopped) return;
      let start = 0;
      let newline: number;
      while ((newline = chunk.indexOf('\n', start)) >= 0) {
        const piece = chunk.slice(start, newline);
        start = newline + 1;
        if (this.pending + piece.length > this.maxLine) return this.fail(onError);
        const line = this.chunks.length === 0 ? piece : this.chunks.join('') + piece;
        this.chunks = [];
        this.pending = 0;
        if (line.trim() === '') continue;
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          this.stop();
          onError('a message was not valid JSON');
          return;
        }
        onMessage(message);
        if (this.stopped || socket.destroyed) return;
      }
      const rest = chunk.length - start;
      if (rest === 0) return;
      if (this.pending + rest > this.maxLine) return this.fail(onError);
      this.chunks.push(start === 0 ? chunk : chunk.slice(start));
      this.pending += rest;
    });
  }

  /** Stops reading for good and lets go of anything half-read (the connection is ending). */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.pending = 0;
    this.socket.pause();
  }

  /** Queues a message; returns false when the socket's buffer is above its high-water mark. */
  send(message: unknown): boolean {
    return this.sendLine(JSON.stringify(message));
  }

  /** Queues a line already encoded as JSON (without its newline). */
  sendLine(line: string): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    return this.socket.write(`${line}\n`);
  }

  /** Bytes queued and not yet taken by the peer. */
  get backlog(): number {
    return this.socket.writableLength;
  }

  private fail(onError: (message: string) => void): void {
    this.stop();
    onError(`a message was longer than ${formatSize(this.maxLine)}`);
  }
}
