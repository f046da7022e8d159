import type { PaneInfo, RowFrame } from '../../daemon/protocol.js';

/** A pane's lines for copy mode: its scrollback then its screen, oldest first. */
export interface PaneLines {
  /** The lines, styled or plain. */
  lines: string[];
  /** `wrapped[i]`: line i continues line i - 1 (a long line the pane wrapped). Absent: none known. */
  wrapped?: boolean[] | undefined;
}

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
  /** The pane's scrollback then its screen, oldest first, as lines (styled or plain), with wrap flags. */
  scrollback(pane: string): Promise<PaneLines>;
  onFrame(listener: (frame: RowFrame) => void): () => void;
  onPanes(listener: (panes: PaneInfo[]) => void): () => void;
  onJournal(listener: (seq: number) => void): () => void;
  /** The connection ended (the daemon stopped): the workstation exits saying so. */
  onClose(listener: (reason?: string) => void): () => void;
  close(): void;
}
