import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const writerScript = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));

export interface WriterOptions {
  dir: string;
  writer: string;
  count: number;
  projections?: string;
  segmentBytes?: number;
  checkpointEvery?: number;
  keys?: number;
  pad?: number;
  batches?: boolean;
  keepGoing?: boolean;
  ignoreSigxfsz?: boolean;
  retryMs?: number;
}

export interface Ack {
  writer: string;
  seq: number;
  i: number;
}

/** A running writer process: its acknowledged mutations, failures, and exit. */
export class Writer {
  readonly acks: Ack[] = [];
  readonly failures: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private partial = '';

  constructor(options: WriterOptions, argvPrefix: string[] = []) {
    const argv = [...argvPrefix, process.execPath, writerScript, JSON.stringify(options)];
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onData(options.writer, chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  private onData(writer: string, chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('fail ')) this.failures.push(line);
      else {
        const [seq, i] = line.split(' ').map(Number);
        this.acks.push({ writer, seq: seq!, i: i! });
      }
    }
  }

  get errors(): string {
    return this.stderr;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
