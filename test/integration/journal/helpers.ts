import type { Change, Entity, Journal, JournalOptions } from '../../../src/journal/index.js';
import { openJournal, type JournalInternals } from '../../../src/journal/index.js';

/** Opens a journal with test-sized segments and checkpoints unless told otherwise. */
export function open(dir: string, options: Partial<JournalOptions> = {}): Journal & JournalInternals {
  return openJournal(dir, { writer: 'test', segmentBytes: 4096, checkpointEvery: 50, ...options });
}

export function put(kind: string, id: string, fields: Record<string, unknown> = {}, action = 'put'): Change {
  return { kind, id, entity: { id, ...fields } as Entity, action };
}

/** Sets one entity; resolves to the seq after. */
export async function set(journal: Journal, kind: string, id: string, fields: Record<string, unknown> = {}): Promise<number> {
  const result = await journal.mutate(() => ({ changes: [put(kind, id, fields)], value: undefined }));
  return result.seq;
}

/** Every live entity as plain data, for comparing two states. */
export function dump(journal: Journal, kinds: readonly string[]): Record<string, Record<string, Entity>> {
  const view = journal.read();
  const out: Record<string, Record<string, Entity>> = {};
  for (const kind of kinds) out[kind] = Object.fromEntries([...view.all(kind)].sort(([a], [b]) => a.localeCompare(b)));
  return out;
}
