import type { LaneItem, RefineryStatus } from './status.js';
import type { RefineryWorker } from './worker.js';

const short = (sha: string | null): string => (sha ? sha.slice(0, 10) : '');

function line(item: LaneItem): string {
  const who = [item.polecat, item.branch].filter(Boolean).join('  ');
  return `${item.id}  P${item.priority}  ${who}`;
}

/** `citadel refinery status` as text: what is landing now, what waits, and what happened lately. */
export function formatRefineryStatus(status: RefineryStatus & { worker?: RefineryWorker }): string {
  const out: string[] = [];
  const worker = status.worker ? (status.worker.running ? ` · worker running (pid ${status.worker.pid})` : ' · no worker running (citadel daemon start, or citadel refinery run)') : '';
  out.push(`refinery: ${status.counts.queued} queued, ${status.counts.merged} merged, ${status.counts.rejected} rejected${worker}`);
  if (status.main_broken) {
    const broken = status.main_broken;
    out.push(`main is BROKEN at ${short(broken.sha)}: ${broken.argv.join(' ')} fails on main itself (since ${broken.since}); landing waits for a fix`);
  }
  out.push('');
  // A request left mid-way by a worker that is gone (killed, crashed) is not being worked on:
  // say so, rather than show it as if it were landing.
  const stopped = status.current && status.worker && !status.worker.running ? '  (interrupted: resumed from the start when a worker runs)' : '';
  out.push(status.current ? `now:     ${line(status.current)}  ${status.current.state} · ${status.current.stage ?? ''}${stopped}` : 'now:     idle');
  out.push('');
  out.push(status.queue.length > 0 ? 'queue:' : 'queue:   empty');
  status.queue.forEach((item, index) => out.push(`  ${index + 1}. ${line(item)}${item.reason ? `  (${item.stage ?? 'waiting'}: ${item.reason})` : ''}`));
  if (status.recent.length > 0) {
    out.push('');
    out.push('recent:');
    for (const item of status.recent) {
      out.push(
        item.state === 'merged'
          ? `  ✓ ${line(item)}  merged as ${short(item.merged_sha)}`
          : `  ✗ ${line(item)}  rejected: ${item.reason ?? ''}${item.log ? `  (log: ${item.log})` : ''}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
