import type { Binding } from '../keys/bindings.js';

/**
 * The help overlay's lines, generated from the key bindings (keys/bindings.ts), grouped, with the
 * prefix spelled out: "C-b z   zoom the focused pane…".
 */
export function helpLines(bindings: readonly Binding[], prefixKey: string): string[] {
  const groups = new Map<string, string[]>();
  const add = (group: string, keys: string, description: string): void => {
    const list = groups.get(group) ?? [];
    list.push(`  ${keys.padEnd(18)} ${description}`);
    groups.set(group, list);
  };
  add('Workstation', `${prefixKey} ${prefixKey}`, 'send the prefix key itself to the pane');
  for (const b of bindings) {
    const keys = b.keys.length > 4 ? `${b.keys[0]}…${b.keys[b.keys.length - 1]}` : b.keys.join(' ');
    add(b.group, b.context === 'prefix' ? `${prefixKey} ${keys}` : keys, b.description);
  }
  const out: string[] = [`Every other key goes to the focused pane. Keys after ${prefixKey} are commands:`];
  for (const [group, list] of groups) out.push('', group, ...list);
  out.push('', 'q, Escape or ? closes this help.');
  return out;
}
