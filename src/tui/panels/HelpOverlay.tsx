import { Box } from 'ink';
import { useMemo } from 'react';
import type { Theme } from '../theme/theme.js';
import { panelBindings } from './bindings.js';
import { Line, type Segment } from './Line.js';
import { innerRows, Panel } from './Panel.js';

/** A binding as the help lists it (the shell's own bindings have the same fields). */
export interface HelpBinding {
  readonly key: string;
  readonly action: string;
  readonly description: string;
  readonly context: string;
}

export interface HelpOverlayProps {
  /** Every binding to list: the shell's merged binding file (defaults to the panels' own). */
  readonly bindings?: readonly HelpBinding[] | undefined;
  /** The prefix key, to spell prefix bindings out ("C-b B"). */
  readonly prefixKey: string;
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/** How each context is titled in the help. */
const contextTitles: Record<string, string> = {
  prefix: 'After the prefix key',
  panels: 'Any panel',
  board: 'Board',
  details: 'Bead details',
  inbox: 'Inbox',
  message: 'Reading a message',
  lane: 'Refinery lane',
  feed: 'Activity feed',
  form: 'In a form',
  help: 'This help',
};

/**
 * The help overlay (`?`): every binding, generated from the binding data, grouped by context,
 * keys that do the same thing in a context on one line ("j down  move down").
 */
export function HelpOverlay({ bindings = panelBindings, prefixKey, scroll, width, height, theme }: HelpOverlayProps) {
  const lines = useMemo(() => helpLines(bindings, prefixKey, theme), [bindings, prefixKey, theme]);
  const rows = innerRows(height);
  const top = Math.max(0, Math.min(scroll, lines.length - rows));
  return (
    <Panel title="Keys" info="j/k scroll · esc close" width={width} height={height} focused theme={theme}>
      <Box flexDirection="column">
        {lines.slice(top, top + rows).map((segments, i) => (
          <Line key={top + i} width={width - 2} theme={theme} segments={segments} />
        ))}
      </Box>
    </Panel>
  );
}

/** The help as lines (pure): a title per context, then one line per action with all its keys. */
export function helpLines(bindings: readonly HelpBinding[], prefixKey: string, theme: Theme): Segment[][] {
  const c = theme.colors;
  const contexts: string[] = [];
  const byContext = new Map<string, Map<string, { keys: string[]; description: string }>>();
  for (const binding of bindings) {
    let actions = byContext.get(binding.context);
    if (!actions) {
      actions = new Map();
      byContext.set(binding.context, actions);
      contexts.push(binding.context);
    }
    const key = binding.context === 'prefix' ? `${prefixKey} ${binding.key}` : binding.key;
    const entry = actions.get(binding.action);
    if (entry) entry.keys.push(key);
    else actions.set(binding.action, { keys: [key], description: binding.description });
  }
  const lines: Segment[][] = [];
  for (const context of contexts) {
    if (lines.length) lines.push([]);
    lines.push([{ text: contextTitles[context] ?? context, color: c['help.context'], bold: true }]);
    for (const { keys, description } of byContext.get(context)?.values() ?? []) {
      lines.push([
        { text: `  ${keys.join(' ').padEnd(16)} `, color: c['help.key'] },
        { text: description, color: c['text.normal'] },
      ]);
    }
  }
  return lines;
}
