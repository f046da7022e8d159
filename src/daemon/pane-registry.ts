import { CitadelError } from '../common/errors.js';
import type { PtyExit, SpawnPty } from '../pty/pty.js';
import { Pane } from './pane.js';
import type { PaneInfo } from './protocol.js';

/** What to run in a pane, and what the daemon knows about it (a polecat's bead, branch…). */
export interface PaneSpec {
  /** The pane id; for a polecat, its name. */
  id: string;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  polecat?: string | undefined;
  bead?: string | undefined;
  branch?: string | undefined;
  worktree?: string | undefined;
  /** The preset it was started from, for the witness's prompt patterns. */
  agent?: string | undefined;
}

interface Entry {
  pane: Pane;
  spec: PaneSpec;
  status: string;
  /** When `status` was entered (ms since the epoch): the overview's time in state. */
  since: number;
}

export const DEFAULT_COLS = 120;
export const DEFAULT_ROWS = 36;

/**
 * The daemon's panes by id: starts, kills, restarts and lists them, and tells its listeners
 * when the list changes (spawned, exited, status, resized) so clients can be sent `panes`.
 */
export class PaneRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly changeListeners = new Set<() => void>();
  private readonly exitListeners = new Set<(id: string, exit: PtyExit) => void>();
  /** The size each client asked for, per pane (tmux's `window-size latest`, below). */
  private readonly sizeRequests = new Map<string, Map<number, { cols: number; rows: number }>>();
  /** When each client that asked for a size was last active (a resize or a key), as a counter. */
  private readonly clientActivity = new Map<number, number>();
  private activityCounter = 0;

  constructor(
    private readonly spawnPty: SpawnPty,
    private readonly scrollback: number,
    private readonly now: () => number = Date.now,
  ) {}

  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  onExit(listener: (id: string, exit: PtyExit) => void): void {
    this.exitListeners.add(listener);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The pane `id`, or a not_found error naming the known ones. */
  get(id: string): Pane {
    return this.entry(id).pane;
  }

  spec(id: string): PaneSpec {
    return this.entry(id).spec;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Starts `spec` in a new pane; a pane of that id must not be running (an exited one is replaced). */
  spawn(spec: PaneSpec): Pane {
    const existing = this.entries.get(spec.id);
    if (existing?.pane.running) {
      throw new CitadelError('conflict', `pane ${spec.id} is already running (kill or restart it first)`);
    }
    const pane = new Pane({
      id: spec.id,
      argv: spec.argv,
      cwd: spec.cwd,
      env: spec.env,
      cols: spec.cols ?? existing?.pane.cols ?? DEFAULT_COLS,
      rows: spec.rows ?? existing?.pane.rows ?? DEFAULT_ROWS,
      scrollback: this.scrollback,
      spawnPty: this.spawnPty,
      now: this.now,
    });
    existing?.pane.dispose();
    this.entries.set(spec.id, { pane, spec, status: 'working', since: this.now() });
    this.watchExit(spec.id, pane);
    this.changed();
    return pane;
  }

  /** Starts a pane's program again in the same screen, once the old one has exited. */
  async restart(id: string, spec?: PaneSpec, banner?: string): Promise<Pane> {
    const entry = this.entry(id);
    if (spec) entry.spec = spec;
    if (entry.pane.running) await this.stopProcess(entry.pane);
    entry.pane.restart(entry.spec.argv, entry.spec.env, banner);
    entry.status = 'working';
    entry.since = this.now();
    this.changed();
    return entry.pane;
  }

  /** Ends a pane's program: SIGHUP, then SIGKILL if it is still there after `graceMs`. */
  async kill(id: string, graceMs = 3000): Promise<void> {
    const entry = this.entry(id);
    if (entry.pane.running) await this.stopProcess(entry.pane, graceMs);
  }

  /** Forgets a pane (killing its program first). */
  async remove(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (entry.pane.running) await this.stopProcess(entry.pane, 1000);
    entry.pane.dispose();
    this.entries.delete(id);
    this.sizeRequests.delete(id);
    this.changed();
  }

  setStatus(id: string, status: string): void {
    const entry = this.entries.get(id);
    if (!entry || entry.status === status) return;
    entry.status = status;
    entry.since = this.now();
    this.changed();
  }

  status(id: string): string {
    return this.entry(id).status;
  }

  resize(id: string, cols: number, rows: number): void {
    const pane = this.get(id);
    if (pane.cols === cols && pane.rows === rows) return;
    pane.resize(cols, rows);
    this.changed();
  }

  /**
   * Client `client` wants pane `id` at `cols`×`rows`. A pane has one size (its pty's), so it
   * follows tmux's `window-size latest`: the size asked for by the most recently active client
   * still attached — active meaning it asked for a size or typed (`clientActive`). When that
   * client goes (`clientGone`), the pane takes the size the next most recent one asked for; with
   * no client left it keeps its size.
   */
  requestSize(id: string, client: number, cols: number, rows: number): void {
    this.get(id);
    let requests = this.sizeRequests.get(id);
    if (!requests) this.sizeRequests.set(id, (requests = new Map()));
    requests.set(client, { cols, rows });
    this.clientActive(client, true);
  }

  /** Client `client` typed (or asked for a size): the panes it sized take its sizes. */
  clientActive(client: number, force = false): void {
    const last = this.clientActivity.get(client);
    if (last === undefined && !force) return;
    if (last === this.activityCounter && !force) return;
    this.clientActivity.set(client, ++this.activityCounter);
    for (const [id, requests] of this.sizeRequests) if (requests.has(client)) this.applySize(id);
  }

  /** Client `client` went away: the panes it sized take the size of the latest client left. */
  clientGone(client: number): void {
    if (!this.clientActivity.delete(client)) return;
    for (const [id, requests] of this.sizeRequests) {
      if (!requests.delete(client)) continue;
      if (requests.size === 0) this.sizeRequests.delete(id);
      else this.applySize(id);
    }
  }

  private applySize(id: string): void {
    const requests = this.sizeRequests.get(id);
    if (!requests || !this.entries.has(id)) return;
    let best: { cols: number; rows: number } | undefined;
    let bestAt = -1;
    for (const [client, size] of requests) {
      const at = this.clientActivity.get(client) ?? 0;
      if (at > bestAt) {
        bestAt = at;
        best = size;
      }
    }
    if (best) this.resize(id, best.cols, best.rows);
  }

  info(id: string): PaneInfo {
    const { pane, spec, status, since } = this.entry(id);
    return {
      id,
      polecat: spec.polecat ?? id,
      bead: spec.bead,
      branch: spec.branch,
      worktree: spec.worktree,
      argv: [...pane.argv],
      pid: pane.running ? pane.pid : undefined,
      cols: pane.cols,
      rows: pane.rows,
      status,
      statusSince: since,
      exitCode: pane.exit ? pane.exit.exitCode : undefined,
    };
  }

  list(): PaneInfo[] {
    return this.ids().map((id) => this.info(id));
  }

  /** Kills every program (SIGHUP, then SIGKILL) and disposes every pane. */
  async dispose(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => (entry.pane.running ? this.stopProcess(entry.pane, 1000) : undefined)));
    for (const entry of this.entries.values()) entry.pane.dispose();
    this.entries.clear();
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) {
      const known = this.ids();
      throw new CitadelError('not_found', `no pane "${id}" (${known.length ? `panes: ${known.join(', ')}` : 'the daemon has no panes'})`);
    }
    return entry;
  }

  private watchExit(id: string, pane: Pane): void {
    pane.onExit((exit) => {
      const entry = this.entries.get(id);
      if (entry?.pane !== pane) return;
      entry.status = 'exited';
      entry.since = this.now();
      this.changed();
      for (const listener of [...this.exitListeners]) listener(id, exit);
    });
  }

  private stopProcess(pane: Pane, graceMs = 3000): Promise<void> {
    return new Promise((resolve) => {
      const done = pane.onExit(() => {
        clearTimeout(timer);
        done.dispose();
        resolve();
      });
      const timer = setTimeout(() => pane.kill('SIGKILL'), graceMs);
      pane.kill('SIGHUP');
    });
  }

  private changed(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}
