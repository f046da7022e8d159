import { watch, type FSWatcher } from 'chokidar';

export interface JournalWatch {
  /** Resolves once the watcher is ready (events before that may be missed: read after it). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onChange` shortly after the journal changes on disk — any process's mutation rewrites
 * the journal's `HEAD.json` watermark and appends to a segment — debounced so a burst of
 * mutations is one refresh. chokidar uses inotify/FSEvents here (no polling), so an idle town
 * costs nothing. Also watches extra files (a gate log being tailed).
 */
export function watchJournal(journalDir: string, onChange: () => void, options: { debounceMs?: number; extra?: readonly string[] } = {}): JournalWatch {
  const debounceMs = options.debounceMs ?? 25;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
  };
  const watcher: FSWatcher = watch([journalDir, ...(options.extra ?? [])], {
    depth: 0,
    ignoreInitial: true,
    // The journal's files are written in place (appends, pwrite of HEAD.json): no atomic renames to wait for.
    atomic: false,
    usePolling: false,
    // Watching is never a reason for the process to stay alive (the workstation exits on detach).
    persistent: false,
  });
  watcher.on('all', fire);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  watcher.on('error', () => {
    // A watcher error (the journal dir removed) leaves the panels on their last snapshot; the
    // daemon's journal notifications, when wired, still refresh them.
  });
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
