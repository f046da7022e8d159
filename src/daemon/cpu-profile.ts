import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * `CITADEL_DAEMON_CPU_PROF=FILE`: the daemon samples its own CPU (V8's profiler, every 250 µs)
 * from start to stop and writes a `.cpuprofile` to FILE (Chrome's DevTools and `speedscope` read
 * it). `--cpu-prof` is refused in NODE_OPTIONS and the daemon is started by `ensureDaemon`, so
 * this is how a benchmark profiles it (bench/tui.js, CITADEL_BENCH_DAEMON_CPU_PROF). The
 * profile's extra field `startedAtNow` is `performance.now()` when sampling began (the profile's
 * `startTime`, µs, on V8's own clock), to line samples up with CITADEL_DAEMON_TRACE's times.
 */
export function startCpuProfile(file: string | undefined): { stop(): void } | undefined {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  session.post('Profiler.start');
  const startedAtNow = performance.now();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(file, JSON.stringify({ ...result.profile, startedAtNow }));
        session.disconnect();
      });
    },
  };
}
