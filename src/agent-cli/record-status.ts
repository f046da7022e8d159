import { CitadelError } from '../common/errors.js';
import type { Entity, Mutator } from '../journal/types.js';
import type { ReportedFields, ReportedStatus } from './reported-status.js';
import { POLECAT_KIND } from '../model/polecat.js';

/** The entity kind of polecats in the journal (owned by the daemon). */

/** Statuses a report never overrides: the pty is gone, the agent cannot be working. */
const final = new Set(['exited', 'lost']);

export interface RecordReport {
  readonly polecat: string;
  readonly status: ReportedStatus;
  readonly event: string;
  /** The time of the report (ISO 8601). */
  readonly at: string;
  /**
   * A report equal to the last one and younger than this is not written again: Claude Code
   * fires a hook on every tool call, and the journal need not grow with each of them.
   */
  readonly throttleMs?: number;
}

export interface RecordOutcome {
  /** Whether a record was appended. */
  readonly written: boolean;
  /** The polecat's status after the report. */
  readonly status: string | undefined;
}

/**
 * Records an agent's own report on its polecat entity: `reported_status`, `reported_at`,
 * `reported_event`, and moves `status` to it (unless the polecat has exited or is lost), so
 * the board shows the change at once; the witness keeps preferring it while it is fresh
 * (see `preferReported`). Fails with not_found for an unknown polecat: reports never create one.
 */
export function recordReport(report: RecordReport): Mutator<RecordOutcome> {
  return (state) => {
    const current = state.get(POLECAT_KIND, report.polecat) as (Entity & ReportedFields & { status?: string }) | undefined;
    if (!current) {
      throw new CitadelError('not_found', `polecat ${report.polecat} not found (reports are recorded for polecats started by citadel)`);
    }
    const previousAt = current.reported_at ? Date.parse(current.reported_at) : Number.NaN;
    const unchanged =
      current.reported_status === report.status &&
      (final.has(current.status ?? '') || current.status === report.status) &&
      !Number.isNaN(previousAt) &&
      Date.parse(report.at) - previousAt < (report.throttleMs ?? 0);
    if (unchanged) return { changes: [], value: { written: false, status: current.status } };
    const status = final.has(current.status ?? '') ? current.status : report.status;
    const entity: Entity = {
      ...current,
      status,
      reported_status: report.status,
      reported_at: report.at,
      reported_event: report.event,
    };
    return {
      changes: [
        {
          kind: POLECAT_KIND,
          id: report.polecat,
          entity,
          action: 'report',
          summary: `${report.polecat} reports ${report.status} (${report.event})`,
        },
      ],
      value: { written: true, status },
    };
  };
}
