import { pathToFileURL } from 'node:url';

/**
 * opencode's status plugin: a module whose `event` hook sees opencode's bus events; citadel's
 * turns them into `citadel hook working|waiting|idle` calls, only when the status changes (the
 * bus is busy). It is named in `OPENCODE_CONFIG_CONTENT` (`plugin: ["file://…"]`), not put in the
 * worktree's `.opencode/plugins/`: opencode npm-installs its plugin package into every config
 * folder it loads, at every start. Pure: the plugin's text and the config; install-hooks.ts writes.
 */

/**
 * `OPENCODE_CONFIG_CONTENT` for a polecat: the user's own (if they set one) with citadel's plugin
 * added to its `plugin` list. A value that is not a JSON object is replaced (opencode would reject it).
 */
export function opencodeConfigContent(existing: string | undefined, pluginFile: string): string {
  let config: Record<string, unknown> = {};
  try {
    const parsed = existing ? (JSON.parse(existing) as unknown) : {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: citadel's alone.
  }
  const url = pathToFileURL(pluginFile).href;
  const plugins = Array.isArray(config.plugin) ? (config.plugin as unknown[]).filter((p) => p !== url) : [];
  return JSON.stringify({ ...config, plugin: [...plugins, url] });
}

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
let running = false;
let next;

// One report at a time, the newest last: two 'citadel hook' processes started together may
// finish in either order, and a "working" landing after the turn's "idle" read working for
// seconds. While one runs, only the newest status waits (the ones between are stale).
function send(status) {
  running = true;
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    running = false;
    if (next !== undefined) {
      const queued = next;
      next = undefined;
      send(queued);
    }
  };
  try {
    const child = spawn(citadel[0], [...citadel.slice(1), 'hook', status], { stdio: 'ignore', detached: false });
    child.on('error', done);
    child.on('exit', done);
  } catch {
    done();
  }
}

function report(status) {
  if (status === last || !process.env.CITADEL_POLECAT) return;
  last = status;
  if (running) next = status;
  else send(status);
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
