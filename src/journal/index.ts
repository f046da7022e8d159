export type { Change, Entity, Journal, JournalOptions, JournalRecord, MutationResult, Mutator, StateView } from './types.js';
export { openJournal, type JournalInternals } from './journal.js';
export type { RecoveryEvent } from './recovery.js';
