import type { PaneInfo } from '../../daemon/protocol.js';
import type { StateView } from '../../journal/types.js';
import { POLECAT_KIND } from '../../model/polecat.js';
import { getHost } from '../../remote/hosts.js';
import type { PolecatFacts } from './overview-entries.js';

/**
 * Where each remote polecat runs, for the overview: its host (the journal's polecat record,
 * `sling --host`) and that host's connection state (the host's record, which the daemon
 * rewrites when the connection changes: connecting, up, reconnecting, down). A host no longer
 * in the town is "removed" — what `citadel polecat list` says too. Local polecats get nothing.
 * Two entity reads per remote polecat, never a walk over the town.
 */
export function hostFacts(state: StateView, panes: readonly PaneInfo[]): Map<string, Pick<PolecatFacts, 'host' | 'hostState'>> {
  const out = new Map<string, Pick<PolecatFacts, 'host' | 'hostState'>>();
  for (const pane of panes) {
    const host = (state.get(POLECAT_KIND, pane.polecat) as { host?: unknown } | undefined)?.host;
    if (typeof host !== 'string' || host === '') continue;
    out.set(pane.id, { host, hostState: getHost(state, host)?.state ?? 'removed' });
  }
  return out;
}

/** The journal's facts with each pane's host facts added (`hostFacts`). */
export function withHostFacts(facts: ReadonlyMap<string, PolecatFacts>, hosts: ReadonlyMap<string, Pick<PolecatFacts, 'host' | 'hostState'>>): Map<string, PolecatFacts> {
  const out = new Map(facts);
  for (const [pane, h] of hosts) out.set(pane, { ...out.get(pane), ...h });
  return out;
}
