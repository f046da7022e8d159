import type { Entity, StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { workBeads } from './dispatcher.js';
import { POLECAT_KIND } from '../model/polecat.js';

/** What the demo town did, from its journal (pure). */
export interface DemoCounts {
  readonly beads: { readonly total: number; readonly closed: number; readonly open: readonly string[] };
  readonly epic: { readonly id: string; readonly closed: boolean };
  readonly merges: number;
  readonly bounces: ReadonlyArray<{ readonly request: string; readonly bead: string; readonly kind: 'conflict' | 'gate' | 'other'; readonly reason: string; readonly mergedLater: boolean }>;
  readonly mails: number;
  readonly polecats: readonly string[];
}

type Request = Entity & Partial<Bead> & { refinery?: { conflicts?: string[] | null; gate?: unknown } };

export function countDemo(state: StateView, epic: string): DemoCounts {
  const work = workBeads(state);
  const all = [...state.all('beads').values()] as Request[];
  const requests = all.filter((b) => b.type === 'merge_request');
  const mergedBeads = new Set(requests.filter((r) => r.state === 'merged').map((r) => r.bead));
  const epicBead = state.get('beads', epic) as Bead | undefined;
  return {
    beads: { total: work.length, closed: work.filter((b) => b.status === 'closed').length, open: work.filter((b) => b.status !== 'closed').map((b) => b.id) },
    epic: { id: epic, closed: epicBead?.status === 'closed' },
    merges: requests.filter((r) => r.state === 'merged').length,
    bounces: requests
      .filter((r) => r.state === 'rejected')
      .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? ''))
      .map((r) => ({
        request: r.id,
        bead: r.bead ?? '',
        kind: r.refinery?.conflicts?.length ? ('conflict' as const) : r.refinery?.gate ? ('gate' as const) : ('other' as const),
        reason: r.reason ?? '',
        mergedLater: mergedBeads.has(r.bead ?? ''),
      })),
    mails: all.filter((b) => b.type === 'message').length,
    polecats: [...state.all(POLECAT_KIND).keys()].sort(),
  };
}

/** The end of a headless demo: the counts plus the checks that say the town ended healthy. */
export interface DemoReport {
  readonly dir: string;
  readonly counts: DemoCounts;
  readonly mainGreen: boolean;
  /** The gate's last output line on main ("14 passed, 0 failed"). */
  readonly gateOutput: string;
  readonly polecatsRunning: number;
  readonly daemonStopped: boolean;
  readonly durationMs: number;
  readonly healthy: boolean;
  /** Why it is not healthy, one sentence each. */
  readonly problems: readonly string[];
}

/** The problems that make a finished demo unhealthy (none: healthy). */
export function problemsOf(report: Omit<DemoReport, 'healthy' | 'problems'>, stopped?: string): string[] {
  const problems: string[] = [];
  const { counts } = report;
  if (stopped === 'deadline') problems.push('the demo ran out of time before every bead was closed');
  if (stopped === 'signal') problems.push('the demo was interrupted');
  if (stopped === 'daemon') problems.push("the town's daemon went away before the end");
  if (counts.beads.open.length) problems.push(`${counts.beads.open.length} bead(s) not closed: ${counts.beads.open.join(', ')}`);
  if (!counts.epic.closed) problems.push(`the molecule's epic ${counts.epic.id} is not closed`);
  if (!report.mainGreen) problems.push(`the gate fails on main (${report.gateOutput || 'no output'})`);
  if (report.polecatsRunning > 0) problems.push(`${report.polecatsRunning} polecat(s) still running`);
  if (!report.daemonStopped) problems.push("the town's daemon is still running");
  return problems;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The summary a person reads at the end of `citadel demo --no-tui`. */
export function renderReport(report: DemoReport): string {
  const { counts } = report;
  const bounces = counts.bounces.length
    ? counts.bounces.map((b) => `${b.bead} (${b.kind === 'gate' ? 'failing gate' : b.kind}${b.mergedLater ? ', reworked and merged' : ', NOT merged'})`).join(', ')
    : 'none';
  const lines = [
    `citadel demo: textkit in ${report.dir}`,
    `  beads closed  ${counts.beads.closed}/${counts.beads.total} (the poured molecule's epic ${counts.epic.id} ${counts.epic.closed ? 'closed with its last step' : 'still open'})`,
    `  merges        ${counts.merges} onto main; main ${report.mainGreen ? 'green' : 'RED'} (node test/run.js: ${report.gateOutput || 'no output'})`,
    `  bounces       ${counts.bounces.length}: ${bounces}`,
    `  mails         ${counts.mails}`,
    `  polecats      ${counts.polecats.length} (${counts.polecats.join(', ')}); ${report.polecatsRunning} running; daemon ${report.daemonStopped ? 'stopped' : 'RUNNING'}`,
    `  duration      ${seconds(report.durationMs)}`,
    report.healthy ? 'healthy: every bead closed, main green, nothing left running.' : `NOT healthy: ${report.problems.join('; ')}.`,
  ];
  return `${lines.join('\n')}\n`;
}
