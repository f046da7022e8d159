import type { Change, Entity, StateView } from '../journal/types.js';
import { queriesOf } from '../journal/query-index.js';

/** The journal kind of remote hosts (docs/remote.md). */
export const HOST_KIND = 'hosts';

/** Where a host's connection stands, as the daemon last saw it. */
export type HostState = 'unused' | 'connecting' | 'up' | 'reconnecting' | 'down';

/** A remote host polecats can be slung to (kind "hosts", id = its name). */
export interface HostRecord extends Entity {
  readonly id: string;
  readonly name: string;
  /** `user@host` or an ssh config alias, given to the user's own `ssh`. */
  readonly destination: string;
  /** The host's directory for this town (absolute, or relative to the remote home). */
  readonly path: string;
  /** citadel on the host: a path, or a name on its PATH. */
  readonly citadel: string;
  /** `ssh -F FILE`, when not the user's default config. */
  readonly ssh_config: string | null;
  /** The shared git remote as the host reaches it (default: the town's origin). */
  readonly remote: string | null;
  readonly state: HostState | string;
  /** The last connection problem, in ssh's or the host's words. */
  readonly problem: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A host record as readers may rely on it (a hand-edited record never crashes a list). */
export function readHost(entity: Entity): HostRecord {
  const raw = entity as Entity & Record<string, unknown>;
  const id = text(raw.id) ?? '?';
  return {
    ...raw,
    id,
    name: text(raw.name) ?? id,
    destination: text(raw.destination) ?? '?',
    path: text(raw.path) ?? '.citadel-remote',
    citadel: text(raw.citadel) ?? 'citadel',
    ssh_config: text(raw.ssh_config),
    remote: text(raw.remote),
    state: text(raw.state) ?? 'unused',
    problem: text(raw.problem),
    created_at: text(raw.created_at) ?? '',
    updated_at: text(raw.updated_at) ?? '',
  };
}

export function getHost(state: StateView, name: string): HostRecord | undefined {
  const entity = state.get(HOST_KIND, name);
  return entity ? readHost(entity) : undefined;
}

export function allHosts(state: StateView): HostRecord[] {
  const all = state.all(HOST_KIND);
  // Through the query index, one query: walking the map would load the whole town into memory (issue 18).
  const queries = queriesOf(all);
  return (queries ? queries.find({}) : [...all.values()]).map(readHost).sort((a, b) => a.name.localeCompare(b.name));
}

export function putHost(host: HostRecord, action: string, summary?: string): Change {
  return { kind: HOST_KIND, id: host.id, entity: host, action, ...(summary ? { summary } : {}) };
}

/** The default host directory: relative to the remote user's home. */
export const DEFAULT_HOST_PATH = '.citadel-remote';
