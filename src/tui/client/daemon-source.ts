import type { DaemonClient } from '../../daemon/client.js';
import type { PaneInfo, RowFrame } from '../../daemon/protocol.js';
import type { PaneLines, PaneSource } from './pane-source.js';

/** The workstation's panes from the town daemon, over its client connection. */
export class DaemonPaneSource implements PaneSource {
  constructor(private readonly client: DaemonClient) {}

  list(): Promise<PaneInfo[]> {
    return this.client.request('list');
  }

  async subscribe(pane: string): Promise<void> {
    await this.client.request('subscribe', { pane });
  }

  async unsubscribe(pane: string): Promise<void> {
    if (!this.client.closed) await this.client.request('unsubscribe', { pane });
  }

  input(pane: string, data: string): void {
    // Keys are fire-and-forget: an exited pane's refusal must not stop the typing.
    this.client.request('input', { pane, data }).catch(() => undefined);
  }

  async resize(pane: string, cols: number, rows: number): Promise<void> {
    await this.client.request('resize', { pane, cols, rows });
  }

  async scrollback(pane: string): Promise<PaneLines> {
    const result = await this.client.request('scrollback', { pane, plain: true });
    // The daemon names the wrapped lines by index (an older one sends none).
    const wrapped = new Set(result.wrapped ?? []);
    return { lines: result.lines.map(([, text]) => text), wrapped: result.lines.map(([index]) => wrapped.has(index)) };
  }

  onFrame(listener: (frame: RowFrame) => void): () => void {
    return this.client.on('frame', listener);
  }

  onPanes(listener: (panes: PaneInfo[]) => void): () => void {
    return this.client.on('panes', listener);
  }

  onJournal(listener: (seq: number) => void): () => void {
    return this.client.on('journal', listener);
  }

  onClose(listener: (reason?: string) => void): () => void {
    return this.client.on('close', () => listener('the town daemon stopped'));
  }

  close(): void {
    this.client.close();
  }
}
