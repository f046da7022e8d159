import { CitadelError } from '../common/errors.js';
import type { Town } from '../town/town.js';
import { connect, type DaemonClient } from '../daemon/client.js';
import { ensureDaemon } from '../daemon/lifecycle.js';
import { localName } from '../model/address.js';
import { allPolecats, getPolecat } from '../model/polecat.js';
import { getHost } from '../remote/hosts.js';
import type { PaneInfo } from '../daemon/protocol.js';
import { echoTimeoutMs, pasteOf, settleMs } from '../agent-cli/typing.js';

/** One row of `citadel polecat list --json`. */
export interface PolecatRow {
  name: string;
  status: string;
  bead: string | null;
  agent: string;
  branch: string | null;
  worktree: string;
  pid: number | null;
  exit_code: number | null | undefined;
  argv: readonly string[];
  updated_at: string;
  /** The remote host it runs on (docs/remote.md), and that host's connection state; null when local. */
  host: string | null;
  host_state: string | null;
}

/** Every polecat from the journal, with the live pane status when the daemon runs (it is not started). */
export async function listPolecats(town: Town, env: NodeJS.ProcessEnv): Promise<PolecatRow[]> {
  const panes = new Map<string, PaneInfo>();
  const client = await tryConnect(town, env);
  if (client) {
    try {
      for (const pane of await client.request('list')) panes.set(pane.id, pane);
    } finally {
      client.close();
    }
  }
  const state = town.journal.read();
  return allPolecats(state)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => {
      const pane = panes.get(p.name);
      const live = pane && pane.pid !== undefined;
      return {
        name: p.name,
        status: live ? pane.status : p.status === 'exited' || p.status === 'lost' || p.status === 'idle' || !client ? p.status : 'lost',
        bead: p.bead,
        agent: p.agent,
        branch: p.branch,
        worktree: p.worktree,
        pid: live ? (pane.pid ?? null) : null,
        exit_code: pane?.exitCode ?? p.exit_code,
        argv: p.argv,
        updated_at: p.updated_at,
        host: typeof p.host === 'string' ? p.host : null,
        host_state: typeof p.host === 'string' ? (getHost(state, p.host)?.state ?? 'removed') : null,
      };
    });
}

export async function killPolecat(town: Town, name: string, env: NodeJS.ProcessEnv): Promise<{ name: string; released: string | null }> {
  name = requirePolecat(town, name);
  const before = getPolecat(town.journal.read(), name)?.bead ?? null;
  await withDaemon(town, env, async (client) => {
    const panes = await client.request('list');
    const pane = panes.find((p) => p.id === name);
    if (!pane || pane.pid === undefined) throw new CitadelError('refused', `polecat ${name} is not running (status ${pane?.status ?? getPolecat(town.journal.read(), name)?.status})`);
    await client.request('kill', { pane: name });
  });
  const after = getPolecat(town.journal.read(), name)?.bead ?? null;
  return { name, released: before && !after ? before : null };
}

export async function restartPolecat(town: Town, name: string, env: NodeJS.ProcessEnv): Promise<PaneInfo> {
  name = requirePolecat(town, name);
  const { client } = await ensureDaemon(town.paths.root, { env });
  try {
    return await client.request('restart', { pane: name });
  } finally {
    client.close();
  }
}

/** The polecat's screen (and `extra` lines of scrollback above it) as plain text, trailing blank lines dropped. */
export async function peekPolecat(town: Town, name: string, extra: number, env: NodeJS.ProcessEnv): Promise<string[]> {
  name = requirePolecat(town, name);
  return withDaemon(town, env, async (client) => {
    const result = await client.request('scrollback', { pane: name, above: extra, plain: true }).catch(
      (error: unknown) => {
        if (error instanceof CitadelError && error.code === 'not_found') throw new CitadelError('not_found', `polecat ${name} has no pane in the running daemon (restart it with \`citadel polecat restart ${name}\`)`);
        throw error;
      },
    );
    const lines = result.lines.map(([, text]) => text);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  });
}

/**
 * `citadel nudge`: types `text` into the polecat's pty, then — once its screen changed (the
 * program echoed the paste) or after {@link echoTimeoutMs} — presses Enter in a write of its own.
 * The pane's key modes come from its first frame: bracketed paste is used only where the
 * program enabled it.
 */
export async function nudgePolecat(town: Town, name: string, text: string, enter: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  name = requirePolecat(town, name);
  await withDaemon(town, env, async (client) => {
    let frames = 0;
    let bracketedPaste = false;
    let changed: () => void = () => undefined;
    const subscription = await client
      .subscribe(name, (frame) => {
        if (frame.full && frames === 0) bracketedPaste = frame.modes?.bracketedPaste === true;
        frames++;
        if (frames > 1) changed();
      })
      .catch((error: unknown) => {
        if (error instanceof CitadelError && error.code === 'not_found') throw new CitadelError('not_found', `polecat ${name} has no pane in the running daemon (restart it with \`citadel polecat restart ${name}\`)`);
        throw error;
      });
    try {
      const echoed = new Promise<void>((resolve) => {
        changed = resolve;
      });
      await client.request('input', { pane: name, data: pasteOf(text, bracketedPaste) });
      if (!enter) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([echoed, new Promise<void>((resolve) => (timer = setTimeout(resolve, echoTimeoutMs)))]);
      clearTimeout(timer);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      await client.request('input', { pane: name, data: '\r' });
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
    }
  });
}

/** The polecat `name` (a bare name, or this town's address of it) must exist; returns its bare name. */
function requirePolecat(town: Town, given: string): string {
  const name = localName(given, town.config.name);
  if (!getPolecat(town.journal.read(), name)) {
    const known = allPolecats(town.journal.read()).map((p) => p.name);
    throw new CitadelError('not_found', `polecat ${name} not found (${known.length ? `polecats: ${known.join(', ')}` : 'none yet: `citadel sling BEAD` starts one'})`);
  }
  return name;
}

async function tryConnect(town: Town, env: NodeJS.ProcessEnv): Promise<DaemonClient | undefined> {
  try {
    return await connect(town.paths.root, { env, client: 'cli' });
  } catch (error) {
    if (error instanceof CitadelError && error.code === 'unavailable') return undefined;
    throw error;
  }
}

async function withDaemon<T>(town: Town, env: NodeJS.ProcessEnv, use: (client: DaemonClient) => Promise<T>): Promise<T> {
  const client = await connect(town.paths.root, { env, client: 'cli' });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
