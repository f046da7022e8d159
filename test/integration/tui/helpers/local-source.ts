import { EventEmitter } from 'node:events';
import type { PaneInfo, RowFrame } from '../../../../src/daemon/protocol.js';
import { Pane } from '../../../../src/daemon/pane.js';
import { loadNodePty } from '../../../../src/pty/node-pty.js';
import type { PaneLines, PaneSource } from '../../../../src/tui/client/pane-source.js';

/**
 * A PaneSource in the test process: real ptys and the daemon's own Pane (headless screen, row
 * encoder, frame coalescing), without the socket. Stands in for the daemon in unit tests.
 */
export class LocalPaneSource implements PaneSource {
  readonly panes = new Map<string, Pane>();
  private readonly info = new Map<string, PaneInfo>();
  private readonly events = new EventEmitter();
  private readonly subscriptions = new Map<string, { dispose(): void }>();
  readonly inputs: Array<[string, string]> = [];
  readonly resizes: Array<[string, number, number]> = [];

  static async create(): Promise<LocalPaneSource> {
    const source = new LocalPaneSource();
    source.spawnPty = await loadNodePty();
    return source;
  }

  private spawnPty!: Awaited<ReturnType<typeof loadNodePty>>;

  /** Starts a pane running argv. */
  spawn(id: string, argv: string[], options: { cols?: number; rows?: number; status?: string; bead?: string; env?: NodeJS.ProcessEnv } = {}): Pane {
    const cols = options.cols ?? 40;
    const rows = options.rows ?? 10;
    const pane = new Pane({
      id,
      argv,
      cwd: process.cwd(),
      env: { ...process.env, TERM: 'xterm-256color', ...options.env },
      cols,
      rows,
      scrollback: 1000,
      spawnPty: this.spawnPty,
      frameIntervalMs: 5,
    });
    this.panes.set(id, pane);
    this.info.set(id, { id, polecat: id, argv, cols, rows, status: options.status ?? 'working', bead: options.bead, branch: options.bead ? `polecat/${id}/${options.bead}` : undefined });
    this.events.emit('panes', this.paneList());
    return pane;
  }

  /** The witness's status of a pane changes (as the daemon's pane list would say). */
  setStatus(id: string, status: string): void {
    const info = this.info.get(id);
    if (!info) return;
    this.info.set(id, { ...info, status });
    this.events.emit('panes', this.paneList());
  }

  remove(id: string): void {
    this.subscriptions.get(id)?.dispose();
    this.subscriptions.delete(id);
    this.panes.get(id)?.dispose();
    this.panes.delete(id);
    this.info.delete(id);
    this.events.emit('panes', this.paneList());
  }

  paneList(): PaneInfo[] {
    return [...this.info.values()].map((p) => {
      const pane = this.panes.get(p.id);
      return { ...p, cols: pane?.cols ?? p.cols, rows: pane?.rows ?? p.rows };
    });
  }

  async list(): Promise<PaneInfo[]> {
    return this.paneList();
  }

  async subscribe(id: string): Promise<void> {
    const pane = this.panes.get(id);
    if (!pane) throw new Error(`no pane ${id}`);
    if (this.subscriptions.has(id)) return;
    this.subscriptions.set(id, pane.subscribe({ frame: (frame) => this.events.emit('frame', frame) }));
  }

  async unsubscribe(id: string): Promise<void> {
    this.subscriptions.get(id)?.dispose();
    this.subscriptions.delete(id);
  }

  input(id: string, data: string): void {
    this.inputs.push([id, data]);
    this.panes.get(id)?.input(data);
  }

  async resize(id: string, cols: number, rows: number): Promise<void> {
    this.resizes.push([id, cols, rows]);
    this.panes.get(id)?.resize(cols, rows);
    this.events.emit('panes', this.paneList());
  }

  async scrollback(id: string): Promise<PaneLines> {
    const pane = this.panes.get(id);
    if (!pane) throw new Error(`no pane ${id}`);
    const lines = pane.screen.lines(0, pane.screen.length, true);
    const wrapped = new Set(pane.screen.wrappedLines(0, pane.screen.length));
    return { lines: lines.map(([, text]) => text), wrapped: lines.map(([index]) => wrapped.has(index)) };
  }

  onFrame(listener: (frame: RowFrame) => void): () => void {
    return this.on('frame', listener);
  }
  onPanes(listener: (panes: PaneInfo[]) => void): () => void {
    return this.on('panes', listener);
  }
  onJournal(listener: (seq: number) => void): () => void {
    return this.on('journal', listener);
  }
  onClose(listener: (reason?: string) => void): () => void {
    return this.on('close', listener);
  }

  private on<T extends unknown[]>(event: string, listener: (...args: T) => void): () => void {
    const l = listener as (...args: unknown[]) => void;
    this.events.on(event, l);
    return () => this.events.off(event, l);
  }

  close(): void {
    for (const id of [...this.panes.keys()]) this.remove(id);
    this.events.emit('close', 'closed');
    this.events.removeAllListeners();
  }
}
