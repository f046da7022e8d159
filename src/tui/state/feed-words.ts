import type { EventView } from './types.js';

/** Past-tense verbs for the journal's actions; an unknown action is shown as itself. */
const verbs: Record<string, string> = {
  create: 'created',
  update: 'updated',
  claim: 'claimed',
  unclaim: 'released',
  close: 'closed',
  reopen: 'reopened',
  dep: 'changed the dependencies of',
  'dep-add': 'added a blocker to',
  'dep-rm': 'removed a blocker from',
  priority: 'reprioritised',
  label: 'labelled',
  sling: 'slung',
  assign: 'assigned',
  send: 'sent',
  mail: 'sent',
  read: 'read',
  pour: 'poured',
  submit: 'submitted',
  done: 'finished',
  queue: 'queued',
  merge: 'merged',
  merged: 'merged',
  reject: 'rejected',
  rejected: 'rejected',
  bounce: 'bounced',
  test: 'started testing',
  spawn: 'spawned',
  kill: 'killed',
  exit: 'exited',
  delete: 'deleted',
  import: 'imported',
};

/** Singular nouns for the journal's kinds. */
const nouns: Record<string, string> = { beads: '', polecats: 'polecat ', mail: 'mail ', molecules: 'molecule ' };

/**
 * One event in words: "ada claimed ct-a3f8 “Fix the login”". The record's own `summary`, when
 * it has one, is the most precise words there are, and is used after the actor.
 */
export function describeEvent(event: EventView): string {
  const who = event.writer || 'someone';
  // A summary is usually a whole sentence already naming the actor ("ada claimed ct-a3f8 …").
  if (event.summary) return event.summary.startsWith(who) ? event.summary : `${who}: ${event.summary}`;
  const verb = verbs[event.action] ?? event.action;
  const noun = nouns[event.kind] ?? `${event.kind.replace(/s$/, '')} `;
  const title = event.title ? ` “${event.title}”` : '';
  return `${who} ${verb} ${noun}${event.id}${title}`;
}

/** "14:03:27" for an ISO time (local time), or the text itself when it is not a date. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toTimeString().slice(0, 8);
}
