import type { PanelActionId } from '../keys/bindings.js';
import type { Key } from '../keys/key-parser.js';

/** What the shell hands the panels: a key already parsed (tmux notation), or a prefix action of theirs. */
export type PanelInput = { readonly kind: 'key'; readonly key: Key } | { readonly kind: 'action'; readonly action: PanelActionId };

/** The panels' side: listen for input; the listener says whether it used it. */
export interface PanelInbox {
  listen(listener: (input: PanelInput) => boolean): () => void;
}

/**
 * The one way keys reach the panels: the shell parsed them once (keys/key-parser.ts) and sends
 * them here; the mounted panels listens. No byte goes back through Ink's stdin.
 */
export class PanelChannel implements PanelInbox {
  private readonly listeners = new Set<(input: PanelInput) => boolean>();

  listen(listener: (input: PanelInput) => boolean): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anyone listens (the panels are mounted). */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /** Delivers input; true when a listener used it. */
  send(input: PanelInput): boolean {
    let used = false;
    for (const listener of [...this.listeners]) if (listener(input)) used = true;
    return used;
  }
}
