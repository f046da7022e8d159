import type { ChainReport } from '../../journal/chain-verify.js';
import { inspectJournal, type DoctorReport } from '../../journal/doctor.js';
import { repairJournal } from '../../journal/repair.js';
import { resolveActor } from '../../common/actor.js';
import { isCitadelError } from '../../common/errors.js';
import { loadConfig } from '../../town/config.js';
import { locateTown } from '../../town/locate.js';
import { townPaths } from '../../town/paths.js';
import { projectedKinds } from '../../town/town.js';
import type { CliContext } from '../context.js';

/** `citadel doctor [--json] [--repair]`: prints the report; exit 1 while problems remain. */
export async function runDoctor(context: CliContext, options: { repair: boolean; json: boolean; verify?: boolean }): Promise<number> {
  const paths = townPaths(locateTown({ cwd: context.cwd, env: context.env, explicit: context.townOption }));
  const repaired = options.repair ? await repairJournal(paths.journal, { writer: resolveActor(context.env), projections: paths.projections, projectKinds: projectedKinds(context.env) }) : undefined;
  const journalReport = inspectJournal(paths.journal, { projections: paths.projections, projectKinds: projectedKinds(context.env), verify: options.verify === true });
  const townProblems = checkTown(paths.config);
  const report: DoctorReport = townProblems.length
    ? { ...journalReport, ok: false, problems: [...townProblems, ...journalReport.problems] }
    : journalReport;
  if (options.json) context.json(repaired ? { ...report, repaired } : report);
  else context.out(formatReport(report, repaired));
  return report.ok ? 0 : 1;
}

/** Problems of the town outside the journal: a config.json every command would refuse. */
function checkTown(configFile: string): string[] {
  try {
    loadConfig(configFile);
    return [];
  } catch (error) {
    if (isCitadelError(error)) return [error.message];
    throw error;
  }
}

export function formatReport(report: DoctorReport, repaired?: readonly string[]): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => void lines.push(`${label.padEnd(12)} ${value}`);
  row('journal', report.dir);
  const live = report.segments.filter((s) => !s.archived).length;
  row('segments', `${live} live, ${report.segments.length - live} archived${report.seq ? ` (seq 1–${report.seq})` : ''}`);
  row('events', `${report.events}${report.quarantined ? ` (+${report.quarantined} quarantined)` : ''}`);
  const kinds = Object.entries(report.entities.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
  row('entities', `${report.entities.total}${kinds ? ` (${kinds})` : ''}`);
  row('watermark', report.head ? `HEAD at seq ${report.head.seq}, projections at ${report.head.projected}${report.watermarkLag !== null ? ` (lag ${report.watermarkLag})` : ''}` : 'HEAD.json missing (rebuilt on the next write)');
  row('snapshots', report.snapshots.length ? report.snapshots.map((s) => `seq ${s.seq} ${s.ok ? 'ok' : 'BAD'}`).join(', ') : 'none yet');
  row('torn tails', report.tornTails.length ? report.tornTails.map((t) => (t.pending ? `${t.bytes} bytes pending at the end of ${t.segment}` : `${t.bytes} bytes set aside in ${t.file}`)).join('; ') : 'none');
  row('corrupt', report.corrupt.length ? report.corrupt.map((c) => `${c.segment} at byte ${c.offset} (seq ${c.seq}): ${c.reason}`).join('; ') : 'none');
  if (report.projections) {
    const p = report.projections;
    row('projections', `${p.checked} checked, ${p.missing.length} missing, ${p.stale.length} stale, ${p.extra.length} left over`);
  }
  const holder = report.lock.holder;
  row('lock', report.lock.held ? `held by pid ${holder?.pid ?? '?'}${holder ? ` (${holder.writer}, started ${holder.started}, holding since ${holder.since}${holder.alive ? '' : ', process gone'})` : ''}` : 'free');
  if (report.chain) row('chain', chainLine(report.chain));
  if (repaired) for (const action of repaired) lines.push(`repaired     ${action}`);
  lines.push(report.ok ? 'ok' : `${report.problems.length} problem(s):`);
  for (const problem of report.problems) lines.push(`  - ${problem}`);
  return `${lines.join('\n')}\n`;
}

/** The hash chain's row: what it covers, what vouched for it, the repaired gaps it passes. */
function chainLine(chain: ChainReport): string {
  if (!chain.ok) return `BROKEN at ${chain.at ? `${chain.at.segment}:${chain.at.line} (seq ${chain.at.seq})` : 'an unknown record'}`;
  if (chain.from === null) return chain.records ? `no hash chain yet (seq 1–${chain.to} predate it; the next write starts it)` : 'empty journal';
  const covers = `verified seq ${chain.from}–${chain.to}${chain.from > 1 ? ` (seq 1–${chain.from - 1} predate the chain)` : ''}`;
  const head = chain.head ? `, head ${chain.head.slice(0, 16)}…` : '';
  const anchors = chain.anchors.length ? ` matches ${chain.anchors.join(', ')}` : ' (nothing else recorded a chain value)';
  const gaps = chain.repaired.length ? `; ${chain.repaired.length} record(s) stand in for lost ones (doctor --repair: seq ${chain.repaired.slice(0, 5).join(', ')}${chain.repaired.length > 5 ? ', …' : ''})` : '';
  return `${covers}${head}${anchors}${gaps}`;
}
