/**
 * Hosts the refinery worker (src/refinery/refinery.ts, the refinery helper's loop) in the daemon:
 * runs it until the daemon stops, and starts it again after a failure (e.g. someone else runs
 * `citadel refinery run` and holds its lock) after a pause.
 */
export interface RefineryHost {
  state(): 'running' | 'waiting' | 'stopped';
  stop(): Promise<void>;
}

export function startRefinery(townRoot: string, log: (line: string) => void, retryMs = 5000): RefineryHost {
  const controller = new AbortController();
  let state: 'running' | 'waiting' | 'stopped' = 'running';
  const loop = (async () => {
    const { runRefinery } = await import('../refinery/refinery.js');
    while (!controller.signal.aborted) {
      state = 'running';
      try {
        // A 1 s poll of the journal head keeps an idle daemon near 0.1% of a core; a merge
        // request waits at most a second to be picked up.
        await runRefinery(townRoot, { signal: controller.signal, pollMs: 1000, log: (line) => log(`refinery: ${line}`) });
      } catch (error) {
        if (controller.signal.aborted) break;
        log(`refinery: ${(error as Error).message}; retrying in ${retryMs / 1000} s`);
      }
      if (controller.signal.aborted) break;
      state = 'waiting';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        controller.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    state = 'stopped';
  })();
  return {
    state: () => state,
    stop: async () => {
      controller.abort();
      await loop.catch(() => undefined);
    },
  };
}
