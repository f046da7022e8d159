import { CitadelError } from '../common/errors.js';
import type { Change, JournalRecord } from './types.js';

const KIND = /^[a-z][a-z0-9_-]{0,63}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The records of one mutation, seqs from `afterSeq + 1`. Kinds and ids become file names of
 * projections, so they are checked here; a multi-record mutation marks each record with its
 * size (`batch`) so a reader can tell a whole mutation from a cut-short one.
 */
export function buildRecords(changes: readonly Change[], afterSeq: number, writer: string): JournalRecord[] {
  const ts = new Date().toISOString();
  return changes.map((change, i): JournalRecord => {
    if (!KIND.test(change.kind)) throw new CitadelError('invalid', `journal: bad kind ${JSON.stringify(change.kind)} (lowercase letters, digits, - and _)`);
    if (!ID.test(change.id)) throw new CitadelError('invalid', `journal: bad id ${JSON.stringify(change.id)} (letters, digits, . _ -; at most 128)`);
    if (change.entity !== null) {
      if (typeof change.entity !== 'object' || Array.isArray(change.entity)) throw new CitadelError('invalid', `journal: ${change.kind}/${change.id}: entity must be an object`);
      if (change.entity.id !== change.id) throw new CitadelError('invalid', `journal: ${change.kind}/${change.id}: entity.id is ${JSON.stringify(change.entity.id)}`);
    }
    return {
      v: 1,
      seq: afterSeq + i + 1,
      ts,
      writer,
      pid: process.pid,
      action: change.action,
      kind: change.kind,
      id: change.id,
      ...(change.entity === null ? { deleted: true as const } : { entity: change.entity }),
      ...(change.summary !== undefined ? { summary: change.summary } : {}),
      ...(changes.length > 1 ? { batch: changes.length } : {}),
    };
  });
}
