/**
 * A small modal form: the create dialog, the close reason, the sling preset, a molecule's
 * variables, the filter line, a mail to write. Single-line fields; a choice field cycles
 * through its choices with ←/→ (or takes typed text when `free` is set).
 */

export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  /** A fixed set of values (cycled with ←/→); absent for free text. */
  readonly choices?: readonly string[] | undefined;
  readonly required?: boolean | undefined;
  readonly hint?: string | undefined;
}

/** What the form is for: decides the command its values become. */
export type FormPurpose =
  | { readonly kind: 'create' }
  | { readonly kind: 'close'; readonly id: string }
  | { readonly kind: 'addBlocker'; readonly id: string }
  | { readonly kind: 'removeBlocker'; readonly id: string }
  | { readonly kind: 'sling'; readonly id: string }
  | { readonly kind: 'pourChoose' }
  | { readonly kind: 'pourVars'; readonly molecule: string }
  | { readonly kind: 'filter' }
  | { readonly kind: 'compose' }
  | { readonly kind: 'reply'; readonly replyTo: string };

export interface FormState {
  readonly purpose: FormPurpose;
  readonly title: string;
  readonly fields: readonly FormField[];
  /** The field with the cursor. */
  readonly index: number;
  /** Why the last submit was refused, shown under the form. */
  readonly error?: string | undefined;
}

export type FormAction =
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'backspace' }
  | { readonly type: 'clearField' }
  | { readonly type: 'field'; readonly by: number }
  | { readonly type: 'choice'; readonly by: number }
  | { readonly type: 'error'; readonly message: string };

/** Makes a form, its cursor on the first field. */
export function makeForm(purpose: FormPurpose, title: string, fields: readonly FormField[]): FormState {
  return { purpose, title, fields, index: 0 };
}

export function formReducer(state: FormState, action: FormAction): FormState {
  switch (action.type) {
    case 'type': {
      const field = state.fields[state.index];
      if (!field) return state;
      // Pasted newlines end nothing here: a form field is one line.
      const text = action.text.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
      if (!text) return state;
      if (field.choices) {
        // Typing in a choice field jumps to the first choice starting with what was typed.
        const typed = text.toLowerCase();
        const match = field.choices.find((c) => c.toLowerCase().startsWith(typed));
        return match === undefined ? state : withField(state, { ...field, value: match });
      }
      return withField(state, { ...field, value: field.value + text });
    }
    case 'backspace': {
      const field = state.fields[state.index];
      if (!field || field.choices) return state;
      return withField(state, { ...field, value: [...field.value].slice(0, -1).join('') });
    }
    case 'clearField': {
      const field = state.fields[state.index];
      if (!field || field.choices) return state;
      return withField(state, { ...field, value: '' });
    }
    case 'field': {
      const count = state.fields.length;
      if (!count) return state;
      return { ...state, index: (state.index + action.by + count) % count, error: undefined };
    }
    case 'choice': {
      const field = state.fields[state.index];
      if (!field?.choices?.length) return state;
      const at = Math.max(0, field.choices.indexOf(field.value));
      const next = field.choices[(at + action.by + field.choices.length) % field.choices.length] ?? field.value;
      return withField(state, { ...field, value: next });
    }
    case 'error':
      return { ...state, error: action.message };
  }
}

function withField(state: FormState, field: FormField): FormState {
  const fields = state.fields.slice();
  fields[state.index] = field;
  return { ...state, fields, error: undefined };
}

/** The form's values by field name. */
export function formValues(state: FormState): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of state.fields) values[field.name] = field.value;
  return values;
}

/** Whether the cursor is on the last field (Enter there submits). */
export function onLastField(state: FormState): boolean {
  return state.index >= state.fields.length - 1;
}
