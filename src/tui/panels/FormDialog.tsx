import { Box, Text } from 'ink';
import { visibleLine } from '../../common/visible-text.js';
import type { FormState } from '../state/form-reducer.js';
import type { Theme } from '../theme/theme.js';
import { Panel } from './Panel.js';
import { fitCells as fit, lastCells, padCells, textWidth } from '../render/cells.js';

export interface FormDialogProps {
  readonly form: FormState;
  readonly width: number;
  readonly theme: Theme;
}

/**
 * A modal form: one line per field, the cursor's field marked, choice fields shown as
 * ‹ value › (←/→ cycle them). Enter moves on, and submits on the last field; Esc cancels.
 */
export function FormDialog({ form, width, theme }: FormDialogProps) {
  const c = theme.colors;
  const labelWidth = Math.min(14, Math.max(...form.fields.map((f) => textWidth(f.label))) + 1);
  const valueWidth = Math.max(4, width - 4 - labelWidth - 3);
  const current = form.fields[form.index];
  const height = form.fields.length + 3 + 1 + (form.error ? 1 : 0);
  return (
    <Panel title={form.title} info="enter next/submit · esc cancel" width={width} height={height} focused theme={theme}>
      <Box flexDirection="column">
        {form.fields.map((field, i) => {
          const active = i === form.index;
          // A value may be a bead's title (edit) or a paste: its controls are made visible.
          const shown = visibleLine(field.choices ? `‹ ${field.value || '—'} ›` : active ? `${lastCells(field.value, valueWidth - 1)}▏` : fit(field.value, valueWidth));
          return (
            <Text key={field.name} wrap="truncate">
              <Text color={c['form.label']} bold={active}>
                {active ? '› ' : '  '}
                {padCells(field.label, labelWidth)}
              </Text>
              <Text color={active ? c['form.input'] : c['text.normal']} inverse={active && !!field.choices}>
                {shown || (active ? '' : ' ')}
              </Text>
            </Text>
          );
        })}
        <Text color={c['text.dim']} wrap="truncate">
          {current?.hint ?? (current?.choices ? '←/→ or type to choose' : ' ')}
        </Text>
        {form.error ? <Text color={c['form.error']}>{visibleLine(form.error)}</Text> : null}
      </Box>
    </Panel>
  );
}
