import { Box } from 'ink';
import { useMemo } from 'react';
import type { Theme } from '../theme/theme.js';
import { panelBindings, type Binding } from '../keys/bindings.js';
import { Line, type Segment } from './Line.js';
import { innerRows, Panel } from './Panel.js';

export interface HelpOverlayProps {
  /** Every binding to list, in order (defaults to the panels' own). */
  readonly bindings?: readonly Binding[] | undefined;
  /** The prefix key, to spell prefix bindings out ("C-b B"). */
  readonly prefixKey: string;
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

/**
 * The help overlay (`?`): every binding, generated from the binding data, grouped under their headings,
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

/** The help as lines (pure): a heading per group, then one line per action with all its keys. */
export function helpLines(bindings: readonly Binding[], prefixKey: string, theme: Theme): Segment[][] {
  const c = theme.colors;
  const groups: string[] = [];
  const byGroup = new Map<string, Map<string, { keys: string[]; description: string }>>();
  for (const binding of bindings) {
    let actions = byGroup.get(binding.group);
    if (!actions) {
      actions = new Map();
      byGroup.set(binding.group, actions);
      groups.push(binding.group);
    }
    const spelled = binding.keys.length > 4 ? [`${binding.keys[0]}…${binding.keys[binding.keys.length - 1]}`] : binding.keys;
    const keys = spelled.map((key) => (binding.context === 'prefix' ? `${prefixKey} ${key}` : key));
    const id = `${binding.context} ${binding.action}`;
    const entry = actions.get(id);
    if (entry) entry.keys.push(...keys);
    else actions.set(id, { keys, description: binding.description });
  }
  const lines: Segment[][] = [];
  for (const group of groups) {
    if (lines.length) lines.push([]);
    lines.push([{ text: group, color: c['help.context'], bold: true }]);
    for (const { keys, description } of byGroup.get(group)?.values() ?? []) {
      lines.push([
        { text: `  ${keys.join(' ').padEnd(16)} `, color: c['help.key'] },
        { text: description, color: c['text.normal'] },
      ]);
    }
  }
  return lines;
}
