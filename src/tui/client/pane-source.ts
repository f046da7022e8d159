import type { PaneInfo, RowFrame } from '../../daemon/protocol.js';

/**
 * Where the workstation's panes come from: the town daemon in production (daemon-source.ts),
 * an in-process stand-in in tests. Frames follow the daemon protocol (src/daemon/protocol.ts).
 */
export interface PaneSource {
  /** The panes now. */
  list(): Promise<PaneInfo[]>;
  /** Starts the pane's frames: a full one first, then changed rows. */
  subscribe(pane: string): Promise<void>;
  unsubscribe(pane: string): Promise<void>;
  /** Types into the pane (raw bytes as the terminal would send them). */
  input(pane: string, data: string): void;
  resize(pane: string, cols: number, rows: number): Promise<void>;
  /** The pane's scrollback then its screen, oldest first, as lines (styled or plain). */
  scrollback(pane: string): Promise<string[]>;
  onFrame(listener: (frame: RowFrame) => void): () => void;
  onPanes(listener: (panes: PaneInfo[]) => void): () => void;
  onJournal(listener: (seq: number) => void): () => void;
  /** The connection ended (the daemon stopped): the workstation exits saying so. */
  onClose(listener: (reason?: string) => void): () => void;
  close(): void;
}
