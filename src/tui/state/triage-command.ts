import { formValues, type FormState } from './form-reducer.js';

/**
 * What the panels ask the town to do. The panels never write: they hand one of these to the
 * `onCommand` callback the shell passes in, which runs it (journal.mutate with the model's
 * mutators, the daemon client for sling) and reports back. Keeping effects as values keeps
 * the views and reducers testable without a town.
 */
export type TriageCommand =
  | {
      readonly kind: 'create';
      readonly title: string;
      readonly type: string;
      readonly priority: number;
      readonly labels: readonly string[];
      readonly body: string;
    }
  | { readonly kind: 'priority'; readonly id: string; readonly priority: number }
  | { readonly kind: 'dep'; readonly op: 'add' | 'rm'; readonly id: string; readonly needs: string }
  | { readonly kind: 'close'; readonly id: string; readonly reason: string }
  | { readonly kind: 'release'; readonly id: string }
  | { readonly kind: 'reopen'; readonly id: string }
  | { readonly kind: 'sling'; readonly id: string; readonly preset: string; readonly polecat?: string | undefined }
  | { readonly kind: 'pour'; readonly molecule: string; readonly vars: Readonly<Record<string, string>> }
  | { readonly kind: 'mail'; readonly to: string; readonly subject: string; readonly body: string; readonly replyTo?: string | undefined }
  | { readonly kind: 'markRead'; readonly id: string };

/**
 * Runs a command. Resolves with a short line to show ("ct-a3f8 → priority 1"), or rejects
 * with an Error whose message is shown as the failure.
 */
export type CommandRunner = (command: TriageCommand) => Promise<string | void>;

export const beadTypes = ['task', 'bug', 'feature', 'epic', 'chore'] as const;

/** A one-line description of a command, for the status line while it runs. */
export function describeCommand(command: TriageCommand): string {
  switch (command.kind) {
    case 'create':
      return `create "${command.title}"`;
    case 'priority':
      return `${command.id} → priority ${command.priority}`;
    case 'dep':
      return command.op === 'add' ? `${command.id} needs ${command.needs}` : `${command.id} no longer needs ${command.needs}`;
    case 'close':
      return `close ${command.id}`;
    case 'release':
      return `release ${command.id}`;
    case 'reopen':
      return `reopen ${command.id}`;
    case 'sling':
      return `sling ${command.id} (${command.preset}${command.polecat ? ` as ${command.polecat}` : ''})`;
    case 'pour':
      return `pour ${command.molecule}`;
    case 'mail':
      return `mail ${command.to}: ${command.subject}`;
    case 'markRead':
      return `read ${command.id}`;
  }
}

/**
 * Turns a submitted form into a command, or into the reason it cannot be submitted yet.
 * `pourChoose` is not a command: it leads to the variables form (see the key handler).
 */
export function commandFromForm(form: FormState): { command: TriageCommand } | { error: string } | { none: true } {
  const v = formValues(form);
  for (const field of form.fields) {
    if (field.required && !field.value.trim()) return { error: `${field.label} is required` };
  }
  const purpose = form.purpose;
  switch (purpose.kind) {
    case 'create': {
      const priority = Number(v.priority ?? '2');
      if (!Number.isInteger(priority) || priority < 0 || priority > 4) return { error: 'priority must be 0–4' };
      const labels = (v.labels ?? '').split(/[\s,]+/).filter(Boolean);
      return { command: { kind: 'create', title: (v.title ?? '').trim(), type: v.type || 'task', priority, labels, body: v.body ?? '' } };
    }
    case 'close':
      return { command: { kind: 'close', id: purpose.id, reason: (v.reason ?? '').trim() } };
    case 'addBlocker':
    case 'removeBlocker': {
      const needs = (v.needs ?? '').trim();
      if (needs === purpose.id) return { error: 'a bead cannot block itself' };
      return { command: { kind: 'dep', op: purpose.kind === 'addBlocker' ? 'add' : 'rm', id: purpose.id, needs } };
    }
    case 'sling': {
      const polecat = (v.polecat ?? '').trim();
      if (polecat && !/^[a-z][a-z0-9-]{0,31}$/.test(polecat)) return { error: 'a polecat name is lowercase letters, digits and dashes' };
      return { command: { kind: 'sling', id: purpose.id, preset: v.preset || 'claude', polecat: polecat || undefined } };
    }
    case 'pourVars': {
      const vars: Record<string, string> = {};
      for (const field of form.fields) if (field.value.trim()) vars[field.name] = field.value.trim();
      return { command: { kind: 'pour', molecule: purpose.molecule, vars } };
    }
    case 'compose':
    case 'reply':
      return {
        command: {
          kind: 'mail',
          to: (v.to ?? '').trim(),
          subject: (v.subject ?? '').trim(),
          body: v.body ?? '',
          replyTo: purpose.kind === 'reply' ? purpose.replyTo : undefined,
        },
      };
    case 'pourChoose':
    case 'filter':
      return { none: true };
  }
}
