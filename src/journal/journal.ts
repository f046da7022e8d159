import { CitadelError } from '../common/errors.js';
import type { Journal, JournalOptions } from './types.js';

/** Placeholder until the store lands (issue 2). */
export function openJournal(_dir: string, _options: JournalOptions): Journal {
  throw new CitadelError('unavailable', 'the journal is not implemented yet');
}
