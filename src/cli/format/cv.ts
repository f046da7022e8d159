import { visibleLine } from '../../common/visible-text.js';
import type { Cv } from '../../model/cv.js';
import { table } from './table.js';
import { duration, shortTime } from './time.js';

/** A CV as readable text: the figures, the skill profile, the last entries of the chain. */
export function cvText(cv: Cv): string {
  if (cv.first_seen === null) return `${visibleLine(cv.actor)} has no recorded work yet.\n`;
  const mr = cv.merge_requests;
  const lines = [
    `CV of ${cv.actor}  (active ${shortTime(cv.first_seen)} – ${shortTime(cv.last_seen ?? cv.first_seen)})`,
    '',
    `beads:           ${cv.created} created, ${cv.claimed} claimed, ${cv.closed} finished`,
    `merge requests:  ${mr.total} (${mr.merged} merged, ${mr.bounced} bounced${mr.pending ? `, ${mr.pending} pending` : ''})`,
    `acceptance:      ${cv.acceptance_rate === null ? 'no verdicts yet' : `${Math.round(cv.acceptance_rate * 100)}%`}`,
    `claim → close:   ${cv.median_claim_to_close_seconds === null ? 'no finished claims yet' : `${duration(cv.median_claim_to_close_seconds)} (median)`}`,
    `mail sent:       ${cv.mail_sent}`,
    `skills:          ${cv.skills.length ? cv.skills.map((s) => `${s.label} (${s.count})`).join(', ') : 'none yet (labels of finished work)'}`,
  ];
  // Actors and skill labels come from the journal: each line stays one line.
  let text = `${lines.map(visibleLine).join('\n')}\n`;
  if (cv.recent.length) {
    text += `\nlast ${cv.recent.length} entries:\n`;
    text += table(cv.recent.map((e) => [`  ${shortTime(e.time)}`, e.action, e.bead, e.title]));
  }
  return text;
}
