export type { Change, Entity, Journal, JournalOptions, JournalRecord, MutationResult, Mutator, StateView } from './types.js';
export { openJournal } from './journal.js';
