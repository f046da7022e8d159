import { visibleLine } from '../../common/visible-text.js';
import type { Cv } from '../../model/cv.js';
import { table } from './table.js';
import { duration, shortTime } from './time.js';

/** A CV as readable text: the figures, the skill profile, the last entries of the chain. */
export function cvText(cv: Cv): string {
  if (cv.first_seen === null) return `${visibleLine(cv.actor)} has no recorded work yet.\n`;
  const mr = cv.merge_requests;
  const v = cv.validations;
  const lines = [
    `CV of ${cv.actor}  (active ${shortTime(cv.first_seen)} – ${shortTime(cv.last_seen ?? cv.first_seen)})`,
    ...(cv.address ? [`address:         ${cv.address}`] : []),
    '',
    `beads:           ${cv.created} created, ${cv.claimed} claimed, ${cv.closed} finished`,
    `merge requests:  ${mr.total} (${mr.merged} merged, ${mr.bounced} bounced${mr.pending ? `, ${mr.pending} pending` : ''})`,
    `acceptance:      ${cv.acceptance_rate === null ? 'no verdicts yet' : `${Math.round(cv.acceptance_rate * 100)}%`}`,
    `claim → close:   ${cv.median_claim_to_close_seconds === null ? 'no finished claims yet' : `${duration(cv.median_claim_to_close_seconds)} (median)`}`,
    `mail sent:       ${cv.mail_sent}`,
    `skills:          ${cv.skills.length ? cv.skills.map((s) => `${s.label} (${s.count})`).join(', ') : 'none yet (labels of finished work)'}`,
    ...validationLines(v),
  ];
  // Actors and skill labels come from the journal: each line stays one line.
  let text = `${lines.map(visibleLine).join('\n')}\n`;
  if (v.review_feedback.length) {
    text += `\nreview feedback:\n`;
    text += table(v.review_feedback.map((f) => [`  ${shortTime(f.at)}`, f.verdict === 'accepted' ? 'approved' : 'rejected', f.bead ?? f.merge_request, `by ${f.by}`, f.note ?? '']));
  }
  if (cv.recent.length) {
    text += `\nlast ${cv.recent.length} entries:\n`;
    text += table(cv.recent.map((e) => [`  ${shortTime(e.time)}`, e.action, e.bead, e.title]));
  }
  return text;
}

/** The validation records' signals (docs/model.md, "Validations"): what they say of the actor's work, and what it validated. */
function validationLines(v: Cv['validations']): string[] {
  const lines: string[] = [];
  if (v.received.accepted + v.received.rejected > 0) {
    const first = v.landed ? `${v.accepted_first_time} of ${v.landed} landed first time` : 'nothing landed yet';
    const time = v.median_time_to_merge_seconds === null ? '' : `; to merge ${duration(v.median_time_to_merge_seconds)} (median)`;
    lines.push(`validations:     ${v.received.accepted} accepted, ${v.received.rejected} rejected; ${first}, ${v.revisions} revision${v.revisions === 1 ? '' : 's'}${time}`);
  }
  if (v.given.accepted + v.given.rejected > 0) lines.push(`validated:       ${v.given.accepted} accepted, ${v.given.rejected} rejected (verdicts given)`);
  return lines;
}
