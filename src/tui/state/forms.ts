import { makeForm, type FormState } from './form-reducer.js';
import { replySubject } from './inbox-order.js';
import { beadTypes } from './triage-command.js';
import type { MailView, MoleculeChoice } from './types.js';

/** The forms the panels open, one builder each, so the key handler stays a table of moves. */

export function createBeadForm(): FormState {
  return makeForm({ kind: 'create' }, 'New bead', [
    { name: 'title', label: 'Title', value: '', required: true },
    { name: 'type', label: 'Type', value: 'task', choices: beadTypes },
    { name: 'priority', label: 'Priority', value: '2', choices: ['0', '1', '2', '3', '4'] },
    { name: 'labels', label: 'Labels', value: '', hint: 'space or comma separated' },
    { name: 'body', label: 'Body', value: '' },
  ]);
}

export function closeBeadForm(id: string): FormState {
  return makeForm({ kind: 'close', id }, `Close ${id}`, [{ name: 'reason', label: 'Reason', value: '', hint: 'why it is done (optional)' }]);
}

export function addBlockerForm(id: string): FormState {
  return makeForm({ kind: 'addBlocker', id }, `${id} needs…`, [
    { name: 'needs', label: 'Blocker id', value: '', required: true, hint: `${id} cannot start until this bead is closed` },
  ]);
}

export function removeBlockerForm(id: string, blockers: readonly string[]): FormState {
  return makeForm({ kind: 'removeBlocker', id }, `${id} no longer needs…`, [
    { name: 'needs', label: 'Blocker', value: blockers[0] ?? '', choices: blockers, required: true },
  ]);
}

export function slingForm(id: string, presets: readonly string[]): FormState {
  // Never the scripted agent by default: the list comes first-installed-real-agent first.
  const choices = presets.length ? presets : ['claude'];
  return makeForm({ kind: 'sling', id }, `Sling ${id}`, [
    { name: 'preset', label: 'Agent preset', value: choices[0] ?? 'claude', choices },
    { name: 'polecat', label: 'Polecat', value: '', hint: 'blank: a new polecat' },
  ]);
}

export function pourChooseForm(molecules: readonly MoleculeChoice[]): FormState {
  const names = molecules.map((m) => m.name);
  return makeForm({ kind: 'pourChoose' }, 'Pour a molecule', [{ name: 'molecule', label: 'Molecule', value: names[0] ?? '', choices: names, required: true }]);
}

/** The variables form of a molecule; null when it has none (pour it at once). */
export function pourVarsForm(molecule: MoleculeChoice): FormState | null {
  if (!molecule.vars.length) return null;
  return makeForm(
    { kind: 'pourVars', molecule: molecule.name },
    `Pour ${molecule.name}`,
    molecule.vars.map((v) => ({ name: v.name, label: v.name, value: '', required: v.required, hint: v.description })),
  );
}

export function filterForm(current: string): FormState {
  return makeForm({ kind: 'filter' }, 'Filter the board', [
    { name: 'filter', label: 'Filter', value: current, hint: 'words, label:L or #L, type:T, @assignee; empty shows all' },
  ]);
}

export function composeForm(to = ''): FormState {
  return makeForm({ kind: 'compose' }, 'New message', [
    { name: 'to', label: 'To', value: to, required: true, hint: 'a polecat, refinery, overseer or @all' },
    { name: 'subject', label: 'Subject', value: '', required: true },
    { name: 'body', label: 'Body', value: '' },
  ]);
}

export function replyForm(mail: MailView): FormState {
  // The cursor starts on the body: who and what are already filled in.
  const form = makeForm({ kind: 'reply', replyTo: mail.id }, `Reply to ${mail.from}`, [
    { name: 'to', label: 'To', value: mail.from, required: true },
    { name: 'subject', label: 'Subject', value: replySubject(mail.subject), required: true },
    { name: 'body', label: 'Body', value: '' },
  ]);
  return { ...form, index: 2 };
}
