import type { TrustItem } from '../../town/trust.js';

const label: Record<TrustItem['state'], string> = { trusted: 'trusted', new: 'NEW', changed: 'CHANGED' };

/** The review of a town's commands, as `citadel trust` and `citadel trust --show` print it. */
export function formatTrust(root: string, items: readonly TrustItem[], showOnly: boolean): string {
  const lines: string[] = [];
  const pending = items.filter((item) => item.state !== 'trusted');
  if (items.length === 0) {
    lines.push(`${root}: the town's files hold no commands (no gates in .citadel/config.json, the molecules or the steps).`);
    if (!showOnly) lines.push('Trusted as it is: gates added later wait for `citadel trust`.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Commands in the town ${root}:`);
  const section = (title: string, kind: TrustItem['kind']): void => {
    const some = items.filter((item) => item.kind === kind);
    if (some.length === 0) return;
    lines.push(`  ${title}`);
    for (const item of some) {
      const by = item.by ? ` (by ${item.by})` : '';
      const commands = item.commands.length > 0 ? item.commands : ['(no gates now)'];
      lines.push(`    ${label[item.state].padEnd(8)} ${item.name}${by}: ${commands[0]}`);
      for (const command of commands.slice(1)) lines.push(`    ${''.padEnd(8)} ${''.padEnd(item.name.length + by.length)}  ${command}`);
    }
  };
  section('gates (.citadel/config.json)', 'gates');
  section('molecules (.citadel/molecules/)', 'molecule');
  section('step gates (beads)', 'step');
  if (showOnly) {
    lines.push(
      pending.length === 0
        ? 'All trusted: the refinery runs them.'
        : `${pending.length} not trusted: the refinery holds the requests that need them. Review them, then run \`citadel trust\`.`,
    );
  } else {
    lines.push(pending.length === 0 ? 'Already trusted; nothing changed.' : `Trusted ${pending.length} new or changed: the refinery runs them from now on.`);
  }
  return `${lines.join('\n')}\n`;
}
