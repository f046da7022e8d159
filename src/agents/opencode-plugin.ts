/**
 * opencode's status plugin: opencode loads every `.opencode/plugins/*.js` of a project as a
 * plugin, whose `event` hook sees its bus events. citadel's plugin turns them into
 * `citadel hook working|waiting|idle` calls, only when the status changes (the bus is busy).
 * Pure: the plugin's source text; install-hooks.ts writes it (git-excluded).
 */

/** Where the plugin goes in the worktree. */
export const opencodePluginPath = '.opencode/plugins/citadel-status.js';

/**
 * The plugin's source. `session.status` carries busy/idle/retry; `session.idle` ends a turn;
 * `permission.asked` (`permission.updated` in older versions) opens a permission dialog and
 * `permission.replied` closes it; `session.error` ends a turn on an error.
 */
export function opencodePlugin(citadel: readonly string[] = ['citadel']): string {
  return `// Written by citadel: reports this polecat's status (docs/agents.md). Safe to delete.
import { spawn } from 'node:child_process';

const citadel = ${JSON.stringify(citadel)};
let last;

function report(status) {
  if (status === last || !process.env.CITADEL_POLECAT) return;
  last = status;
  try {
    const child = spawn(citadel[0], [...citadel.slice(1), 'hook', status], { stdio: 'ignore', detached: false });
    child.on('error', () => {});
  } catch {}
}

export const CitadelStatus = async () => ({
  event: async ({ event }) => {
    const type = event?.type;
    if (type === 'session.status') {
      const status = event.properties?.status?.type;
      if (status === 'busy' || status === 'retry') report('working');
      else if (status === 'idle') report('idle');
    } else if (type === 'session.idle' || type === 'session.error') report('idle');
    else if (type === 'permission.asked' || type === 'permission.updated') report('waiting');
    else if (type === 'permission.replied') report('working');
  },
});
`;
}
